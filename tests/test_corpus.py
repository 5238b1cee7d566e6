"""Corpus loading edges: encodings, line ends, Gutenberg markers, files that leave nothing to train on."""

import pytest

from trainer.corpus import Stripped, load_corpus, split_sentences, strip_gutenberg
from trainer.errors import CorpusError
from trainer.stopwords import STOPWORDS
from trainer.vocab import WordCounts, build_vocab, count_words, drop_reason, filter_sentences


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(CorpusError, match="has no words"):
        load_corpus(path)


def test_punctuation_only_is_a_clear_error(tmp_path):
    path = tmp_path / "punct.txt"
    path.write_text("... !!! ,,,\n\n  --\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="has no words"):
        load_corpus(path)


def test_missing_and_directory_paths(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="not a file"):
        load_corpus(tmp_path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CorpusError, match="binary"):
        load_corpus(path)


def test_cp1252_crlf_falls_back_with_a_warning(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("The café’s owner said “hello”\r\nA naïve king\r\n".encode("cp1252"))
    corpus = load_corpus(path)
    assert corpus.encoding == "cp1252"
    assert "not valid UTF-8" in corpus.warning and "cp1252" in corpus.warning and "offset" in corpus.warning
    assert corpus.sentences == [["the", "café’s", "owner", "said", "hello"], ["a", "naïve", "king"]]


def test_explicit_wrong_encoding_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("café\n".encode("cp1252"))
    with pytest.raises(CorpusError, match="not valid utf-8"):
        load_corpus(path, encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown encoding"):
        load_corpus(path, encoding="klingon")


def test_utf8_bom_and_lone_cr_line_ends(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffOne line\rTwo lines\r\nThree".encode("utf-8"))
    corpus = load_corpus(path)
    assert corpus.encoding == "utf-8" and corpus.warning is None
    assert corpus.sentences == [["one", "line"], ["two", "lines"], ["three"]]


def test_gutenberg_header_and_footer_are_stripped():
    text = ("The Project Gutenberg eBook of Tests\nlicence words here\n"
            "*** START OF THE PROJECT GUTENBERG EBOOK TESTS ***\nthe real book\n"
            "*** END OF THE PROJECT GUTENBERG EBOOK TESTS ***\nmore licence\n")
    stripped = strip_gutenberg(text)
    assert split_sentences(stripped.text) == [["the", "real", "book"]]
    assert stripped.stripped_lines == 6  # 2 header lines + START; END, the licence line and the last (empty) line
    assert strip_gutenberg("no markers here") == Stripped("no markers here", 0)


def test_concatenated_gutenberg_books_keep_every_book():
    book = ("Header of {0}\n*** START OF THE PROJECT GUTENBERG EBOOK {0} ***\nbook {0} text\n"
            "*** END OF THE PROJECT GUTENBERG EBOOK {0} ***\nlicence of {0}\n")
    text = book.format("one") + book.format("two")
    assert split_sentences(strip_gutenberg(text).text) == [["book", "one", "text"], ["book", "two", "text"]]


def test_only_stopwords_is_a_clear_error():
    with pytest.raises(CorpusError, match="no words left.*stopwords"):
        build_vocab([["the", "and", "of"], ["is", "it", "the"]], min_count=1, stopwords=STOPWORDS)


def test_vocab_ids_are_sorted_by_count_then_word_and_drop_reasons():
    sentences = [["the", "king", "queen", "king"], ["queen", "the", "apple", "king"], ["zebra"]]
    vocab = build_vocab(sentences, min_count=2, stopwords=STOPWORDS)
    assert vocab.words == ["king", "queen"] and vocab.counts == [3, 2]
    assert [drop_reason(w, vocab, STOPWORDS) for w in sentences[1]] == [None, "stopword", "rare", None]
    assert build_vocab(sentences, min_count=1, stopwords=STOPWORDS, max_vocab=2).words == ["king", "queen"]
    assert build_vocab(sentences, min_count=1, stopwords=STOPWORDS).words == ["king", "queen", "apple", "zebra"]
    filtered = filter_sentences(sentences, vocab)
    assert filtered[0].ids == [0, 1, 0] and filtered[0].positions == [1, 2, 3]
    assert filtered[2].ids == []


def test_count_words_splits_the_drops_by_reason():
    sentences = [["the", "king", "queen", "king"], ["queen", "the", "apple", "king"], ["zebra", "queen"]]
    vocab = build_vocab(sentences, min_count=2, stopwords=STOPWORDS, max_vocab=1)  # king (3) beats queen (3)
    counts = count_words(sentences, vocab, STOPWORDS, min_count=2)
    assert vocab.words == ["king"]
    assert counts == WordCounts(kept=3, stopwords=2, under_min_count=2, past_max_vocab=3, types=5)
