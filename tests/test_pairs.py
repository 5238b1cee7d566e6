"""Skip-gram pair generation at the edges: short sentences, windows wider than the sentence."""

import numpy as np
import pytest

from trainer.errors import CorpusError
from trainer.pairs import build_pairs, epoch_order, sentence_pairs
from trainer.vocab import FilteredSentence


def brute_force_pairs(length: int, window: int) -> set[tuple[int, int]]:
    return {(i, j) for i in range(length) for j in range(length) if i != j and abs(i - j) <= window}


@pytest.mark.parametrize("length", [0, 1, 2, 3, 7])
@pytest.mark.parametrize("window", [1, 2, 3, 10])
def test_pairs_match_brute_force_and_never_pair_a_position_with_itself(length, window):
    pairs = sentence_pairs(length, window)
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == brute_force_pairs(length, window)


def test_window_clamped_at_sentence_edges():
    assert sentence_pairs(1, 3) == []
    assert sentence_pairs(2, 5) == [(0, 1), (1, 0)]
    assert [j for i, j in sentence_pairs(5, 1) if i == 0] == [1]
    assert [j for i, j in sentence_pairs(5, 1) if i == 4] == [3]


def test_pairs_never_cross_sentences_and_keep_repeated_words():
    sentences = [FilteredSentence([4, 4], [0, 2]), FilteredSentence([1], [0]), FilteredSentence([2, 3], [1, 3])]
    table = build_pairs(sentences, window=5)
    assert table.tolist() == [[4, 4, 0, 0, 1], [4, 4, 0, 1, 0], [2, 3, 2, 0, 1], [3, 2, 2, 1, 0]]


def test_no_pairs_is_a_clear_error():
    with pytest.raises(CorpusError, match="no training pairs"):
        build_pairs([FilteredSentence([1], [0]), FilteredSentence([], [])], window=3)


def test_epoch_order_is_a_seeded_permutation_that_changes_each_epoch():
    first = epoch_order(50, seed=42, epoch=0)
    assert sorted(first.tolist()) == list(range(50))
    assert np.array_equal(first, epoch_order(50, seed=42, epoch=0))
    assert not np.array_equal(first, epoch_order(50, seed=42, epoch=1))
