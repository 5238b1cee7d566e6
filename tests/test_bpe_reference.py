"""The fast BPE equals the reference a student reads (trainer/bpe/reference.py): the incremental trainer learns
the same merges with the same counts, and the tokenizer (its caches, its Python loop and its compiled kernel)
gives the same tokens, on the teaching corpus and on hostile unicode."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.bpe import reference
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import count_pieces, train_bpe
from trainer.config import DEFAULT_CORPUS, resolve_corpus

TEACHING_TEXT = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")
HOSTILE = ("def f(x):\n    return x_1 + x_2  # 12345 67890\n" * 4 + "éèê 東京 🍕🍕 e\u0301 \u200b\u200d "
           "Ǆǅǆ ﬁ \U0001F468\u200D\U0001F469 \ud800 \t\r\n  ١٢٣ ‏שלום‎ " * 3)
hostile = st.text(alphabet=st.characters(codec=None, categories=None), max_size=200)


def fast(text: str, vocab_size: int) -> tuple[BPETokenizer, list[tuple[int, int, int]]]:
    trained = train_bpe(count_pieces(text), vocab_size)
    return BPETokenizer(trained, "fast"), [(m.left, m.right, m.count) for m in trained.merges]


def reference_tokens(tok: BPETokenizer, text: str, merges: int | None = None) -> list[int]:
    return reference.encode(text, tok.vocab, tok.base_size, [(m.left, m.right) for m in tok.merges], merges)


@pytest.mark.parametrize("text", [
    TEACHING_TEXT,
    "aaaa aaa aa a aaaaaaa banana bandana ananas\n" * 3,
    "low lower lowest newer newest wider widest\nlow low low new new\n",
    HOSTILE,
])
def test_the_fast_trainer_learns_the_references_merges(text):
    tok, merges = fast(text, 10**6 if len(text) < 2000 else 2000)
    vocab, base, expected = reference.train(text, tok.vocab_size)
    assert merges == expected and tok.vocab == vocab and tok.base_size == base
    assert len(merges) > 10


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab c\n", min_size=1, max_size=80))
def test_the_fast_trainer_equals_the_reference_on_small_alphabets(text):
    tok, merges = fast(text, 10**6)
    assert reference.train(text, tok.vocab_size)[2] == merges


@pytest.fixture(scope="module")
def teaching_tokenizer() -> BPETokenizer:
    return fast(TEACHING_TEXT + HOSTILE, 1200)[0]


def test_the_teaching_corpus_encodes_as_the_reference_at_every_tenth_merge_count(teaching_tokenizer):
    lines = TEACHING_TEXT.splitlines(keepends=True)[:120]
    text = "".join(lines)
    for merges in range(0, len(teaching_tokenizer.merges) + 1, len(teaching_tokenizer.merges) // 10):
        assert teaching_tokenizer.encode(text, merges) == reference_tokens(teaching_tokenizer, text, merges), merges
    assert teaching_tokenizer.encode(TEACHING_TEXT) == reference_tokens(teaching_tokenizer, TEACHING_TEXT)


@settings(max_examples=80, deadline=None)
@given(hostile, st.sampled_from([0, 1, 50, None]))
def test_hostile_unicode_encodes_as_the_reference(teaching_tokenizer, text, merges):
    ids = teaching_tokenizer.encode(text, merges)
    assert ids == reference_tokens(teaching_tokenizer, text, merges)
    long_piece = text.replace(" ", "").replace("\n", "") * 3     # over 48 characters: the compiled kernel
    assert teaching_tokenizer.encode(long_piece) == reference_tokens(teaching_tokenizer, long_piece)
