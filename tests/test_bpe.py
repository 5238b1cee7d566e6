"""BPE: lossless round-trips on hostile unicode (the trainer against the reference: test_bpe_reference.py),
spans, first-k-merges encoding, persistence, and small or empty corpora."""

from contextlib import contextmanager, nullcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.bpe import reference
from trainer.bpe import tokenizer as tokenizer_module
from trainer.bpe.analysis import cross_domain, pathological, text_stats, vocab_efficiency
from trainer.bpe.build import build_tokenizer
from trainer.bpe.pretokenize import (
    ASCII_PIECE_RE,
    END_OF_WORD,
    PIECE_RE,
    SPACE_BESIDE_WHITESPACE_RE,
    WORD_RE,
    count_words,
    space_beside_whitespace,
    split_pieces,
    split_units,
    units_are_pieces,
)
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import Merge, TrainedBPE, base_symbols, count_pieces, train_bpe
from trainer.config import DEFAULT_CORPUS, resolve_corpus
from trainer.errors import WordlabError

TEACHING_TEXT = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tokenizer() -> BPETokenizer:
    text = TEACHING_TEXT + "The Monster approached with terrifying deliberation.\n  Tabs\tand CRLF\r\n 123 4567\n"
    return BPETokenizer(train_bpe(count_pieces(text), 700), "test")


hostile = st.text(alphabet=st.characters(codec=None, categories=None), max_size=200)


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_decode_encode_is_lossless_for_any_string(tokenizer, text):
    assert tokenizer.decode(tokenizer.encode(text)) == text


@settings(max_examples=200, deadline=None)
@given(hostile, st.none() | st.integers(0, 60))
def test_spans_cover_the_input_exactly(tokenizer, text, merges):
    encoding = tokenizer.encode_detailed(text, merges)
    assert encoding.ids == tokenizer.encode(text, merges)
    assert encoding.tokens == [tokenizer.vocab[i] for i in encoding.ids]
    assert "".join(encoding.texts) == text
    position = 0
    for piece, start, end in zip(encoding.texts, encoding.starts, encoding.ends, strict=False):
        assert start == position and text[start:end] == piece
        position = end
    assert position == len(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_shortcuts_split_and_count_ascii_text_as_the_unicode_patterns_do(text):
    """Control characters included: to Python's Unicode \\s, the separators 0x1C to 0x1F are whitespace."""
    assert ASCII_PIECE_RE.findall(text) == PIECE_RE.findall(text)
    assert count_words(text) == len(WORD_RE.findall(text))


# Spaces, other whitespace, apostrophes, the unit separator \0 and non-ASCII letters, densely.
spaced_text = st.text(alphabet=st.sampled_from(list(" \t\n\x1c\u3000\0'sta1_,.é漢")), max_size=60)


@settings(max_examples=1000, deadline=None)
@given(spaced_text | st.text(max_size=60))
def test_units_are_whole_pieces_so_their_encodings_concatenate_to_the_texts(tokenizer, text):
    units = split_units(text)
    assert "".join(units) == text
    assert [piece for unit in units for piece in split_pieces(unit)] == split_pieces(text)
    assert space_beside_whitespace(text) == (SPACE_BESIDE_WHITESPACE_RE.search(text) is not None)
    assert not units_are_pieces(text) or units == split_pieces(text)
    assert tokenizer.encode(text) == [i for piece in split_pieces(text) for i in tokenizer._encode_piece(
        piece, len(tokenizer.merges))]


def test_prose_splits_into_space_led_words_and_odd_spacing_into_pieces():
    assert split_units("Hello, world. I don't know!") == ["Hello,", " world.", " I", " don't", " know!"]
    assert split_units(" leading and trailing ") == ["", " leading", " and", " trailing", " "]
    assert split_units("two  spaces") == split_pieces("two  spaces") == ["two", "  ", "spaces"]
    assert split_units("line \nbreak") == ["line", " \n", "break"]


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "\t \r\n", "東京は日本の首都です", "🍕🎉👩‍👩‍👧‍👦", "e\u0301 a\u0308", "\x00\x07\x1b[0m",
    "lone surrogate \ud800 here", "Hello,   World!\n  indented", "x" * 3000, "\u200b\ufeff\u2028",
])
def test_round_trip_preserves_whitespace_case_newlines_and_rare_characters(tokenizer, text):
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert all(0 <= i < tokenizer.vocab_size for i in ids)


def test_unseen_characters_fall_back_to_utf8_bytes(tokenizer):
    encoding = tokenizer.encode_detailed("東")
    assert encoding.tokens == ["<0xE6>", "<0x9D>", "<0xB1>"]
    assert list(zip(encoding.starts, encoding.ends, strict=False)) == [(0, 1), (1, 1), (1, 1)]


def test_learned_words_become_single_tokens_with_end_marker(tokenizer):
    encoding = tokenizer.encode_detailed("the king")
    assert encoding.tokens == ["the</w>", " king</w>"]
    rank = tokenizer.merge_rank(encoding.ids[1])
    assert tokenizer.merge_ranks(encoding.ids) == [tokenizer.merge_rank(i) for i in encoding.ids]
    assert tokenizer.merge_record(rank - 1)["token"] == " king</w>"
    assert tokenizer.merge_rank(0) is None and tokenizer.merge_rank(tokenizer.base_size - 1) is None


def test_first_k_merges_never_increase_tokens_and_match_full_encoding(tokenizer):
    text = "The queen rules the kingdom; the monster approached with terrifying deliberation."
    counts = [len(tokenizer.encode(text, k)) for k in range(0, len(tokenizer.merges) + 1, 7)]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == len(text.encode("utf-8")) or counts[0] >= len(split_pieces(text))
    assert tokenizer.encode(text, 0) != tokenizer.encode(text)
    assert tokenizer.encode(text, len(tokenizer.merges)) == tokenizer.encode(text)
    with pytest.raises(WordlabError):
        tokenizer.encode(text, -1)


def test_k_merges_equals_a_tokenizer_trained_with_k_merges():
    counts = count_pieces(TEACHING_TEXT)
    full = BPETokenizer(train_bpe(counts, len(base_symbols(counts)) + 200))
    short = BPETokenizer(train_bpe(counts, len(base_symbols(counts)) + 50))
    assert full.encode(TEACHING_TEXT, 50) == short.encode(TEACHING_TEXT)


def test_save_load_round_trip_keeps_merge_history(tokenizer, tmp_path):
    path = tmp_path / "tok.json"
    tokenizer.save(path)
    loaded = BPETokenizer.load(path)
    assert loaded.vocab == tokenizer.vocab and loaded.merges == tokenizer.merges
    assert loaded.encode("terrifying deliberation") == tokenizer.encode("terrifying deliberation")
    assert loaded.merge_record(0) == {**tokenizer.merge_record(0), "rank": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["tok.json"]
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(WordlabError, match="not a valid tokenizer"):
        BPETokenizer.load(tmp_path / "bad.json")


def test_decode_rejects_unknown_ids_and_broken_byte_sequences(tokenizer):
    with pytest.raises(WordlabError, match="not in the vocabulary"):
        tokenizer.decode([10**6])
    with pytest.raises(WordlabError, match="not in the vocabulary"):
        tokenizer.decode([-1])
    with pytest.raises(WordlabError, match="UTF-8"):
        tokenizer.decode([0xE6])


def test_empty_corpus_is_a_clear_error_and_one_word_gives_a_tiny_tokenizer(tmp_path):
    with pytest.raises(WordlabError, match="empty"):
        train_bpe(count_pieces(""), 1000)
    one = BPETokenizer(train_bpe(count_pieces("hello"), 1000))
    assert one.encode("hello") == [one.vocab_size - 1] and one.vocab[-1] == "hello</w>"
    assert one.decode(one.encode("hello, world")) == "hello, world"
    empty_file = tmp_path / "empty.txt"
    empty_file.write_bytes(b"")
    with pytest.raises(WordlabError):
        build_tokenizer(empty_file, 1000, "e", tmp_path)


def pseudo_words(count: int) -> str:
    """Deterministic made-up words, so that a corpus offers more than 500 merges."""
    syllables = ["ka", "lo", "mir", "sen", "tu", "vra", "pel", "dom", "ix", "zo"]
    return "\n".join(" ".join(syllables[(i * 7 + j) % 10] + syllables[(i * 3 + j * j) % 10] + syllables[(i + j) % 10]
                              for j in range(6)) for i in range(count))


def test_build_holds_out_lines_and_reports_efficiency(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text(TEACHING_TEXT + pseudo_words(400), encoding="utf-8")
    built = build_tokenizer(corpus, 1000, "teach", tmp_path / "toks", progress=False)
    assert len(built.tokenizer.merges) > 500
    rows = built.tokenizer.meta["vocab_efficiency"]
    assert rows[0]["merges"] == 500 and rows[-1]["merges"] == len(built.tokenizer.merges)
    assert rows[0]["tokens_per_sentence"] >= rows[-1]["tokens_per_sentence"]
    assert built.path == tmp_path / "toks" / "teach.json" and built.path.exists()
    with pytest.raises(WordlabError, match="invalid tokenizer name"):
        build_tokenizer(corpus, 600, "../evil", tmp_path)


def test_analysis_numbers(tokenizer):
    stats = text_stats(tokenizer, "the king and the queen")
    assert stats["tokens"] == len(tokenizer.encode("the king and the queen")) and stats["words"] == 5
    assert stats["chars_per_token"] == round(22 / stats["tokens"], 3)
    assert text_stats(tokenizer, "")["tokens"] == 0
    wide = "東京 🍕 the king"  # 3-byte and 4-byte characters, some as byte tokens
    tokens = tokenizer.encode_detailed(wide).tokens
    token_bytes = sum(1 if t.startswith("<0x") else len(t.removesuffix(END_OF_WORD).encode()) for t in tokens)
    assert text_stats(tokenizer, wide)["avg_token_bytes"] == round(token_bytes / len(tokens), 3)
    domains = {row["domain"]: row for row in cross_domain(tokenizer)}
    assert set(domains) == {"English prose", "Python code", "numbers", "URLs"}
    assert domains["English prose"]["tokens_per_100_chars"] < domains["numbers"]["tokens_per_100_chars"]
    cases = {row["name"]: row for row in pathological(tokenizer)}
    assert cases["CJK"]["count"] >= len("東京は日本の首都です。北京是中国的首都。")
    rows = vocab_efficiency(tokenizer, ["the king rules", "a cat meows"])
    assert len(tokenizer.merges) < 500 and [r["merges"] for r in rows] == [len(tokenizer.merges)]


def reference_encode(tokenizer: BPETokenizer, text: str, merges: int | None = None) -> list[int]:
    """The definition (trainer/bpe/reference.py), from the tokenizer's vocabulary and merge list alone."""
    pairs = [(m.left, m.right) for m in tokenizer.merges]
    return reference.encode(text, tokenizer.vocab, tokenizer.base_size, pairs, merges)


@contextmanager
def every_text_through_the_kernel():
    """New text of any size, and every piece longer than one character, goes to the compiled kernel."""
    saved = tokenizer_module.BATCH_CHARS, tokenizer_module.LONG_PIECE
    tokenizer_module.BATCH_CHARS, tokenizer_module.LONG_PIECE = 0, 1
    try:
        yield
    finally:
        tokenizer_module.BATCH_CHARS, tokenizer_module.LONG_PIECE = saved


def fresh(tokenizer: BPETokenizer) -> BPETokenizer:
    """The same tokenizer with empty caches, so that every text is new to it."""
    return BPETokenizer(TrainedBPE(tokenizer.vocab, tokenizer.base_size, tokenizer.merges))


def runs(alphabet: str) -> st.SearchStrategy[str]:
    """Texts made of runs of one character (the shape that makes a long piece's merges cascade)."""
    run = st.builds(str.__mul__, st.sampled_from(list(alphabet)), st.integers(1, 70))
    return st.lists(run, max_size=8).map("".join)


# Real words: their merges nest (the kernel's stale heap entries are common there, rare in random text).
prose = st.lists(st.sampled_from(sorted(set(TEACHING_TEXT.split()))), max_size=30).map(" ".join)
adversarial = (hostile | spaced_text | prose | runs("e \t\n🎉東a_1.") | runs("ab") |
               st.text(alphabet="aeiounrstlm🎉é東 \n1", max_size=300))


@settings(max_examples=300, deadline=None)
@given(adversarial, st.none() | st.integers(0, 400), st.booleans())
def test_both_encoders_give_the_reference_tokens_at_every_merge_count(tokenizer, text, merges, kernel):
    """Python (a few short new pieces) and the compiled kernel (long pieces, much new text), against the
    definition, with the full merge list and with prefixes of it (the token page's merge slider)."""
    tok = fresh(tokenizer)
    with every_text_through_the_kernel() if kernel else nullcontext():
        ids = tok.encode(text, merges)
        encoding = fresh(tokenizer).encode_detailed(text, merges)
    assert ids == encoding.ids == reference_encode(tokenizer, text, merges)
    assert tok.decode(ids) == text
    assert encoding.tokens == [tok.vocab[i] for i in ids]
    position = 0
    for piece, start, end in zip(encoding.texts, encoding.starts, encoding.ends, strict=True):
        assert start == position and text[start:end] == piece
        position = end
    assert position == len(text)


@pytest.mark.parametrize("shape", ["letters", "one letter", "whitespace", "emoji", "two scripts", "alternating"])
def test_long_pieces_merge_as_the_reference_at_every_merge_count(tokenizer, shape):
    """A piece past LONG_PIECE goes to the kernel even in a short text; every merge count of the tokenizer."""
    import random

    rng = random.Random(shape)
    text = {"letters": "".join(rng.choice("etaoinshrdlu") for _ in range(300)), "one letter": "e" * 301,
            "whitespace": "".join(rng.choice([" " * 3, "\t", "\n\n", " \n"]) for _ in range(120)),
            "emoji": "🎉" * 120, "two scripts": "".join(rng.choice("aБ東") for _ in range(250)),
            "alternating": "ab" * 150}[shape]
    assert len(split_pieces(text)) == 1 and len(text) > tokenizer_module.LONG_PIECE
    for merges in range(len(tokenizer.merges) + 1):
        assert tokenizer.encode(text, merges) == reference_encode(tokenizer, text, merges), merges


@pytest.mark.parametrize("fraction", [1, 1 / 3, 2 / 3])
def test_a_chapter_of_prose_is_encoded_by_the_kernel_as_the_reference_does(tokenizer, fraction):
    text = TEACHING_TEXT[:20_000]
    merges = round(len(tokenizer.merges) * fraction)
    assert fresh(tokenizer).encode(text, merges) == reference_encode(tokenizer, text, merges)


def test_much_new_text_is_encoded_whole_by_the_kernel_and_its_units_are_cached(tokenizer):
    """20 KB of words never seen (with unseen characters: byte tokens) go to the kernel, which caches the
    units; the same text edited by one word is then served from the cache plus one new unit. Both
    give the reference tokens and spans, and the cached spans are the ones computed unit by unit."""
    import random

    rng = random.Random(3)
    tok = fresh(tokenizer)
    words = " ".join("".join(rng.choice("aeiounrstlm東") for _ in range(rng.randint(1, 9))) for _ in range(4000))
    units = split_units(words)
    assert len(words) > tokenizer_module.BATCH_CHARS
    first = tok.encode_detailed(words)
    assert set(units) <= tok._cache.keys()
    byte_units = [u for u in set(units) if min(tok._cache[u]) < 256]
    assert byte_units and all(tok._cache.lengths[u] == tok._span_lengths(u, tok._cache[u]) for u in byte_units)
    edited = words[:9000] + " 東京" + words[9000:]
    second = tok.encode_detailed(edited)
    assert len(tok._cache) == len(set(units) | set(split_units(edited)))
    assert first.ids == reference_encode(tokenizer, words)
    assert second.ids == reference_encode(tokenizer, edited)
    for encoding, text in ((first, words), (second, edited)):
        assert [text[start:end] for start, end in zip(encoding.starts, encoding.ends, strict=True)] == encoding.texts
        assert "".join(encoding.texts) == text and encoding.tokens == [tok.vocab[i] for i in encoding.ids]


def test_the_kernel_refuses_merges_outside_the_vocabulary(tokenizer):
    """It does not check bounds as it runs, so its tables are checked when built (a file that the
    server's schema has not seen, e.g. loaded by hand)."""
    last = tokenizer.merges[-1]
    broken = TrainedBPE(tokenizer.vocab, tokenizer.base_size,
                        [*tokenizer.merges[:-1], Merge(last.left, tokenizer.vocab_size + 5, last.new_id, 1)])
    with pytest.raises(WordlabError, match="outside the vocabulary"):
        BPETokenizer(broken).encode("e" * 100)


ADVERSARIAL_100_KB = {
    "letters": lambda rng: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(100_000)),
    "one letter": lambda rng: "e" * 100_000,
    "one emoji": lambda rng: "🎉" * 25_000,
    "digits": lambda rng: "".join(rng.choice("0123456789") for _ in range(100_000)),
    "whitespace": lambda rng: "".join(rng.choice([" " * 7, "\t\t", "\n\n\n", " \t \n"]) for _ in range(25_000)),
    "new words": lambda rng: " ".join("".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 9)))
                                      for _ in range(16_000)),
}


@pytest.mark.parametrize("shape", ADVERSARIAL_100_KB)
def test_a_100_kb_text_encodes_in_near_linear_time_and_round_trips(tokenizer, shape):
    import random
    import time

    text = ADVERSARIAL_100_KB[shape](random.Random(1))
    tok = fresh(tokenizer)
    tok.encode("x" * 100)  # the kernel's first use in a process (numba's import) is not what is timed
    started = time.process_time()  # CPU time: the machine running the tests may be busy
    encoding = tok.encode_detailed(text)
    elapsed = time.process_time() - started
    assert tok.decode(encoding.ids) == text and "".join(encoding.texts) == text
    # CPU seconds on the busy dev machine with this tokenizer: 0.02-0.04 for every shape; the old
    # pass-per-merge encoder took 0.5 for the letters (9.6 s of wall time with a 10,000-merge tokenizer).
    # The bound, in CPU time, which that encoder fails:
    assert elapsed < 0.2, f"{shape}: {elapsed:.2f} s"


def test_a_server_worker_loads_the_kernel_of_the_default_tokenizer_in_the_background(tmp_path):
    from backend.tokenizers import TokenizerRegistry, prepare_kernel_in_background

    build_tokenizer(resolve_corpus(DEFAULT_CORPUS), 600, "default", tmp_path, progress=False)
    registry = TokenizerRegistry(tmp_path)
    assert registry.get("default")._kernel_tables is None           # nothing built at load
    prepare_kernel_in_background(registry).join(timeout=60)
    assert registry.get("default")._kernel_tables is not None
    prepare_kernel_in_background(TokenizerRegistry(tmp_path / "none")).join(timeout=10)   # absent: no error
