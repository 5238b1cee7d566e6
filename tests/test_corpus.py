"""Corpus reading edges: encodings, line ends, Gutenberg markers, files that leave nothing to train on."""

import orjson
import pytest

from tests.conftest import write_text
from trainer.book_text import GUTENBERG
from trainer.corpus import read_corpus
from trainer.errors import CorpusError
from trainer.stopwords import STOPWORDS
from trainer.vocab import build_vocab, drop_reason, filter_sentences


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(CorpusError, match="has no words"):
        read_corpus(path)


def test_punctuation_only_is_a_clear_error(tmp_path):
    path = tmp_path / "punct.txt"
    path.write_text("... !!! ,,,\n\n  --\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="has no words"):
        read_corpus(path)


def test_missing_and_directory_paths(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        read_corpus(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="not a file"):
        read_corpus(tmp_path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CorpusError, match="binary"):
        read_corpus(path)


def test_cp1252_crlf_falls_back_with_a_warning(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("The café’s owner said “hello”\r\nA naïve king\r\n".encode("cp1252"))
    corpus = read_corpus(path)
    assert corpus.summary.encoding == "cp1252"
    warning = corpus.summary.warning
    assert "not valid UTF-8" in warning and "cp1252" in warning and "0xe9 at offset 7" in warning
    assert corpus.sentences == [["the", "café's", "owner", "said", "hello"], ["a", "naïve", "king"]]


def test_explicit_wrong_encoding_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("café\n".encode("cp1252"))
    with pytest.raises(CorpusError, match="not valid utf-8"):
        read_corpus(path, encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown encoding"):
        read_corpus(path, encoding="klingon")


def test_utf8_bom_and_lone_cr_line_ends(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffOne line\rTwo lines\r\nThree".encode("utf-8"))
    corpus = read_corpus(path)
    assert corpus.summary.encoding == "utf-8" and corpus.summary.warning is None
    assert corpus.sentences == [["one", "line"], ["two", "lines"], ["three"]]


LICENCE = ("Project Gutenberg is a registered trademark of the Foundation. Electronic works, copyright\n"
           "and donations: see the full license. Subscribe to our email newsletter to hear about new eBooks.\n")
BOOK = "The {0} walked along the river and the {0} sang in the garden.\n\n"
# Real-shaped headers and footers of three vintages (written here; no Gutenberg file is copied).
MODERN = ("The Project Gutenberg eBook of {0}\n\nThis ebook is for the use of anyone anywhere.\n\n"
          "*** START OF THE PROJECT GUTENBERG EBOOK {0} ***\n" + BOOK
          + "            *** END OF THE PROJECT GUTENBERG EBOOK {0} ***\n\nUpdated editions will replace the "
          "previous one.\n" + LICENCE)
OLDER = ("The Project Gutenberg EBook of {0}, by Someone\n\nThis eBook is for the use of anyone.\n\n"
         "*** START OF THIS PROJECT GUTENBERG EBOOK {0} ***\n" + BOOK
         + "End of the Project Gutenberg EBook of {0}, by Someone\n\n*** END OF THIS PROJECT GUTENBERG EBOOK {0} ***\n"
         "\n***** This file should be named 84.txt or 84.zip *****\n" + LICENCE)
NINETIES = ("Project Gutenberg's Etext of {0}\n\n**Welcome To The World of Free Plain Vanilla Electronic Texts**\n"
            "Copyright laws are changing all over the world, be sure to check the license.\n"
            "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n" + BOOK
            + "End of Project Gutenberg's Etext of {0}\n")
LICENCE_WORDS = {"gutenberg", "project", "license", "licence", "ebook", "ebooks", "etext", "etexts", "trademark",
                 "foundation", "copyright", "electronic", "donations", "newsletter"}


def text_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("vintage", [MODERN, OLDER, NINETIES], ids=["modern", "older", "nineties"])
def test_gutenberg_header_and_footer_of_each_vintage_are_stripped(tmp_path, vintage):
    corpus = read_corpus(write_text(tmp_path / "book.txt", vintage.format("heron")))
    assert corpus.sentences == [["the", "heron", "walked", "along", "the", "river", "and", "the", "heron",
                                 "sang", "in", "the", "garden"]]
    # every line with text but the book's one
    assert corpus.summary.dropped_lines == {GUTENBERG: text_lines(vintage.format("heron")) - 1}
    assert read_corpus(write_text(tmp_path / "plain.txt", "no markers here")).summary.dropped_lines == {}


def test_concatenated_books_keep_every_book_marked_or_not(tmp_path):
    text = BOOK.format("otter") + MODERN.format("heron") + BOOK.format("badger") + OLDER.format("crane")
    words = {w for s in read_corpus(write_text(tmp_path / "c.txt", text)).sentences for w in s}
    assert {"otter", "heron", "badger", "crane"} <= words
    assert not words & LICENCE_WORDS


def test_a_run_on_a_gutenberg_file_has_no_licence_word_and_reports_the_stripped_lines(tmp_path):
    from trainer.config import TeachingConfig
    from trainer.teaching_run import train_run

    text = MODERN.format("heron") + NINETIES.format("crane")
    path = write_text(tmp_path / "book.txt", text)
    stripped = text_lines(text) - 2
    assert read_corpus(path).summary.dropped_lines == {GUTENBERG: stripped}
    lines = []
    config = TeachingConfig(corpus=str(path), steps=30, min_count=1, dense_steps=5, chunk_size=10)
    run_dir = train_run(config, "book", tmp_path / "runs", progress=False, log=lines.append).run_dir
    vocab = orjson.loads((run_dir / "vocab.json").read_bytes())["words"]
    assert {"heron", "crane", "river"} <= set(vocab) and not set(vocab) & LICENCE_WORDS
    assert f"removed {stripped} lines that are not sentences:" in lines
    assert f"  {stripped} Project Gutenberg header and licence" in lines
    manifest = orjson.loads((run_dir / "run.json").read_bytes())
    assert manifest["corpus"]["dropped_lines"] == {GUTENBERG: stripped}


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


def test_a_fallback_encoding_reads_the_whole_file_to_choose_prose(tmp_path, monkeypatch):
    """The first bad UTF-8 byte stops the UTF-8 pass; whether the text punctuates is the cp1252 pass's answer."""
    from trainer import corpus as reader

    monkeypatch.setattr(reader, "BLOCK_BYTES", 16)
    path = tmp_path / "late-stop.txt"
    path.write_bytes("café heron\n".encode("cp1252") + b"the heron waits " * 8 + b"by the river. It flies.\n")
    corpus = read_corpus(path)
    assert corpus.summary.encoding == "cp1252" and corpus.summary.mode == "prose"
    assert [s[-2:] for s in corpus.sentences] == [["the", "river"], ["it", "flies"]]
