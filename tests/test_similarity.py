"""Neighbor ranking: the k best by score, ties to the lower id, exclusions skipped (vs a plain sort)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.similarity import nearest, top_k


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=40), st.integers(1, 45), st.sets(st.integers(0, 39), max_size=5))
def test_top_k_matches_a_plain_sort(values, k, exclude):
    scores = np.array(values, dtype=np.float32)  # small integers: plenty of ties
    expected = sorted((i for i in range(len(values)) if i not in exclude), key=lambda i: (-values[i], i))[:k]
    assert top_k(scores, k, exclude) == [(i, float(values[i])) for i in expected]


def test_nearest_excludes_the_word_itself():
    matrix = np.array([[1, 0], [1, 0], [0, 1], [-1, 0]], dtype=np.float32)
    assert [i for i, _ in nearest(matrix, 0, 3)] == [1, 2, 3]
    assert [i for i, _ in nearest(matrix, 1, 1, "euclidean")] == [0]
