"""A run's own probes (trainer/run_probes.py): chosen from the vocabulary alone, for words and BPE tokens, and
scored as an independent count over the vectors says."""

import numpy as np
import pytest

from tests.probe_count import count_scores
from trainer import run_probes as rp
from trainer.sgns.probes import built_in
from trainer.stopwords import STOPWORDS
from trainer.vocab import Vocab

WORDS = ["the", "he", "she", "his", "her", "upon", "one", "man", "woman", "day", "days", "walk", "walked", "walking",
         "wretch", "wretched", "victor", "victor's", "hand", "hands", "king", "queen", "stop", "stopped", "stopping",
         "city", "cities", "time", "times", "love", "loved", "loving"]


def vocab_of(words):
    return Vocab(words, list(range(10 * len(words), 0, -10)))   # by count, as every run orders its vocabulary


def test_relations_found_in_a_vocabulary():
    words = {w: w for w in WORDS}
    pairs = rp.relation_pairs(words, {w: 100 - i for i, w in enumerate(WORDS)})
    assert pairs["gender"] == [("he", "she"), ("his", "her"), ("man", "woman"), ("king", "queen")]
    assert set(pairs["-s form"]) == {("day", "days"), ("hand", "hands"), ("city", "cities"), ("time", "times")}
    assert set(pairs["-ed form"]) == {("walk", "walked"), ("stop", "stopped"), ("love", "loved")}   # wretch has no -ing
    assert pairs["possessive"] == [("victor", "victor's")]


def test_analogies_are_four_different_words_and_queries_are_content_words():
    probes = rp.choose_probes(vocab_of(WORDS), **built_in())
    assert probes.analogies and all(len(set(a[1:5])) == 4 for a in probes.analogies)
    assert ("gender", "he", "she", "his", "her", "built-in") in probes.analogies   # data/probes/ where it fits
    assert ("teaching corpus", "man", "woman", "king", "queen", "built-in") in probes.analogies
    assert all(w in WORDS for p in probes.analogies for w in p[1:5])
    assert all(w in WORDS for p in probes.similarity for w in p[:2])
    assert probes.queries == ["man", "woman", "king", "queen"]        # content words of the probes' pairs, by count
    assert not set(probes.content) & (STOPWORDS | rp.FUNCTION_WORDS)
    assert len({p[1:5] for p in probes.analogies}) == len(probes.analogies)


def test_bpe_tokens_stand_for_the_words_they_spell():
    tokens = [" the</w>", ",</w>", " man</w>", "man</w>", " woman</w>", " day</w>", " days</w>", "ing", " Victor</w>",
              " Victor's</w>", " king</w>", " queen</w>"]
    words = rp.plain_words(vocab_of(tokens), bpe_tokens=True)
    assert words["man"] == " man</w>" and "ing" not in words and "," not in words.values()
    probes = rp.choose_probes(vocab_of(tokens), bpe_tokens=True, **built_in())
    assert probes.queries[0] == " man</w>" and " the</w>" not in probes.queries and ",</w>" not in probes.queries
    assert (" Victor</w>", " Victor's</w>", "this vocabulary") in probes.similarity
    assert all(w in tokens for p in probes.analogies for w in p[1:5])


def test_scores_equal_a_count_one_probe_at_a_time():
    rng = np.random.default_rng(0)
    vocab = vocab_of(WORDS)
    W = rng.normal(size=(len(WORDS), 6)).astype(np.float32)
    W[WORDS.index("days")] = W[WORDS.index("day")] + 0.01   # one pair certainly near
    probes = rp.choose_probes(vocab, **built_in())
    view = rp.probes_view(vocab, W, probes)
    hit10, accuracy = count_scores(WORDS, W, [p[:2] for p in probes.similarity],
                                         [p[1:5] for p in probes.analogies])
    assert view["scores"]["similarity_hit10"] == pytest.approx(hit10)
    assert view["scores"]["analogy_accuracy"] == pytest.approx(accuracy)
    assert view["scores"]["similarity_pairs"] == len(probes.similarity)
    assert next(r for r in view["similarity"] if (r["a"], r["b"]) == ("day", "days"))["rank"] == 1
    # the probes depend on the vocabulary, not on the vectors: other weights, the same probe set
    assert rp.probes_view(vocab, rng.normal(size=W.shape), probes)["probe_set"] == view["probe_set"]
    first = view["first_analogy"]
    assert first is not None and not {first[k] for k in ("a", "b", "c", "expected")} & STOPWORDS
