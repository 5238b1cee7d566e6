"""Cosine/euclidean neighbors and 3CosAdd analogies over an embedding matrix (numpy only).

Torch-free: the trainer uses it for the derived views, the backend for live queries.
"""

import numpy as np

METRICS = ("cosine", "euclidean")


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def scores_against(matrix: np.ndarray, vector: np.ndarray, metric: str) -> np.ndarray:
    """Higher is closer for both metrics: cosine similarity, or negative euclidean distance."""
    if metric == "cosine":
        return unit_rows(matrix) @ (vector / max(float(np.linalg.norm(vector)), 1e-12))
    if metric == "euclidean":
        return -np.linalg.norm(matrix - vector, axis=1)
    raise ValueError(f"unknown metric {metric!r}; use one of {METRICS}")


def top_k(scores: np.ndarray, k: int, exclude: set[int] = frozenset()) -> list[tuple[int, float]]:
    """The k best ids by score, ties broken by lower id, skipping `exclude`."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    head = order[:k + len(exclude)].tolist()  # enough to still hold k after the exclusions
    picked = [i for i in head if i not in exclude][:k]
    return [(i, float(scores[i])) for i in picked]


def nearest(matrix: np.ndarray, word_id: int, k: int, metric: str = "cosine") -> list[tuple[int, float]]:
    return top_k(scores_against(matrix, matrix[word_id], metric), k, {word_id})


def analogy_scores(unit: np.ndarray, questions: np.ndarray) -> np.ndarray:
    """3CosAdd for each row (a, b, c) of ids, over unit vectors: cos(x, b − a + c) for every word x,
    with a, b and c themselves at −inf. One matrix product for any number of questions."""
    targets = unit[questions[:, 1]] - unit[questions[:, 0]] + unit[questions[:, 2]]
    scores = unit_rows(targets) @ unit.T
    np.put_along_axis(scores, questions[:, :3], -np.inf, axis=1)
    return scores


def analogy(matrix: np.ndarray, a: int, b: int, c: int, k: int) -> list[tuple[int, float]]:
    """a : b :: c : ?  by 3CosAdd: the k best x by cos(x, b − a + c) over unit vectors, inputs excluded."""
    return top_k(analogy_scores(unit_rows(matrix), np.array([[a, b, c]]))[0], k, {a, b, c})


def cosine_matrix(matrix: np.ndarray) -> np.ndarray:
    unit = unit_rows(matrix)
    return unit @ unit.T
