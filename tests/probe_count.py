"""Probe scores counted one probe at a time, the way a reader would check them: the reference the tests
hold trainer/run_probes.py's matrix products and the explorer's figures against."""

import numpy as np


def count_scores(words: list[str], W: np.ndarray, similarity: list[tuple[str, str]],
                 analogies: list[tuple[str, str, str, str]]) -> tuple[float | None, float | None]:
    """(similarity hit@10, analogy accuracy): is b among a's 10 nearest words (a excluded)? is the word
    nearest to b − a + c (unit vectors; a, b, c excluded) d? None where there is no probe."""
    unit = np.asarray(W, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    index = {w: i for i, w in enumerate(words)}
    hits = []
    for a, b in similarity:
        cos = unit @ unit[index[a]]
        cos[index[a]] = -np.inf
        hits.append(index[b] in np.argsort(-cos, kind="stable")[:10])
    right = []
    for a, b, c, d in analogies:
        target = unit[index[b]] - unit[index[a]] + unit[index[c]]
        cos = unit @ (target / np.linalg.norm(target))
        for w in (a, b, c):
            cos[index[w]] = -np.inf
        right.append(words[int(np.argmax(cos))] == d)
    return (float(np.mean(hits)) if hits else None), (float(np.mean(right)) if right else None)
