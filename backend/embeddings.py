"""Live embedding queries over a run: neighbors, analogies, similarity, at the end or at a recorded step."""

import numpy as np

from backend.registry import shown
from backend.runs import LoadedRun
from trainer.errors import NotFound
from trainer.similarity import analogy, cosine_matrix, nearest

SUGGESTIONS = 5


def word_id(run: LoadedRun, word: str) -> int:
    """The word's id, or NotFound suggesting the closest words in the vocabulary. The word as given
    first: a BPE run's tokens keep their leading space and case (" the</w>", "The</w>")."""
    index = run.vocab.index
    if word in index:
        return index[word]
    key = word.strip().lower()
    if key in index:
        return index[key]
    raise NotFound(f"{shown(word)} is not in the vocabulary of run {run.name!r} ({len(index):,} words)",
                   suggestions=run.word_index.close_matches(key, SUGGESTIONS))


def neighbors(run: LoadedRun, word: str, k: int, metric: str, step: int | None) -> list[dict]:
    found = nearest(run.weights(step), word_id(run, word), k, metric)
    return [{"word": run.vocab.words[i], "score": round(s, 6)} for i, s in found]


def solve_analogy(run: LoadedRun, a: str, b: str, c: str, k: int, step: int | None) -> list[dict]:
    ids = [word_id(run, w) for w in (a, b, c)]
    found = analogy(run.weights(step), *ids, k=k)
    return [{"word": run.vocab.words[i], "score": round(s, 6)} for i, s in found]


def similarity(run: LoadedRun, a: str, b: str, step: int | None) -> dict:
    matrix = run.weights(step)
    u, v = matrix[word_id(run, a)].astype(np.float64), matrix[word_id(run, b)].astype(np.float64)
    dot = float(u @ v)
    cosine = dot / max(float(np.linalg.norm(u) * np.linalg.norm(v)), 1e-12)
    return {"cosine": round(cosine, 6), "euclidean": round(float(np.linalg.norm(u - v)), 6), "dot": round(dot, 6)}


def similarity_matrix(run: LoadedRun, words: list[str], clustered: bool, step: int | None) -> dict:
    """Cosine matrix of the distinct words, optionally in the leaf order of an average-linkage tree."""
    ids = list(dict.fromkeys(word_id(run, w) for w in words))
    matrix = cosine_matrix(run.weights(step)[ids])
    if clustered and len(ids) > 2:
        from scipy.cluster.hierarchy import leaves_list, linkage
        from scipy.spatial.distance import squareform

        distances = np.clip(1.0 - matrix.astype(np.float64), 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        order = leaves_list(linkage(squareform(distances, checks=False), "average", optimal_ordering=True))
        ids = [ids[i] for i in order]
        matrix = matrix[np.ix_(order, order)]
    return {"words": [run.vocab.words[i] for i in ids], "matrix": np.round(matrix.astype(np.float64), 3).tolist()}
