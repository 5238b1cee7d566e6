"""Views derived from the recorded training, computed once so pages only read them.

neighbours of key words over training, the final similarity matrix, analogy probes,
per-word convergence, and W versus W' (input vs output vectors of each word).
"""

import numpy as np

from trainer.numbers import round_fixed
from trainer.similarity import analogy, cosine_matrix, nearest, unit_rows
from trainer.vocab import Vocab

# a : b :: c : d probes; only those whose four words are all in the vocabulary are evaluated.
ANALOGY_PROBES = [
    ("man", "woman", "king", "queen"), ("king", "queen", "man", "woman"),
    ("king", "queen", "prince", "princess"), ("man", "woman", "boy", "girl"),
    ("father", "mother", "son", "daughter"), ("brother", "sister", "husband", "wife"),
    ("paris", "france", "london", "england"), ("paris", "france", "rome", "italy"),
    ("berlin", "germany", "madrid", "spain"), ("france", "french", "germany", "german"),
    ("puppy", "dog", "kitten", "cat"), ("winter", "cold", "summer", "hot"),
]
KEY_WORD_COUNT = 12
NEIGHBOUR_CHECKPOINTS = 20
CONVERGENCE_POINTS = 100
NEIGHBOURS_K = 5
CONVERGED_COSINE = 0.95


def probes_in_vocab(vocab: Vocab) -> list[tuple[str, str, str, str]]:
    return [p for p in ANALOGY_PROBES if all(w in vocab.index for w in p)]


def key_words(vocab: Vocab) -> list[str]:
    """Words of the analogy probes first (they tell the story), then the most frequent words."""
    words = dict.fromkeys(w for probe in probes_in_vocab(vocab) for w in probe)
    words.update(dict.fromkeys(vocab.words))
    return list(words)[:KEY_WORD_COUNT]


def checkpoints(count: int, wanted: int) -> list[int]:
    """Evenly spaced indices over `count` items, first and last included."""
    return sorted(set(np.linspace(0, count - 1, min(wanted, count)).round().astype(int).tolist()))


def neighbour_evolution(vocab: Vocab, steps: list[int], history: np.ndarray) -> dict:
    picks = checkpoints(len(steps), NEIGHBOUR_CHECKPOINTS)
    words = key_words(vocab)
    evolution = {
        word: [[[vocab.words[j], round(s, 4)] for j, s in nearest(history[i], vocab.index[word], NEIGHBOURS_K)]
               for i in picks]
        for word in words
    }
    return {"metric": "cosine", "k": NEIGHBOURS_K, "steps": [steps[i] for i in picks],
            "words": words, "neighbors": evolution}


def similarity_view(vocab: Vocab, final_W: np.ndarray) -> dict:
    return {"metric": "cosine", "words": vocab.words, "matrix": round_fixed(cosine_matrix(final_W), 3)}


def analogy_view(vocab: Vocab, final_W: np.ndarray) -> dict:
    results = []
    for a, b, c, expected in probes_in_vocab(vocab):
        ids = [vocab.index[w] for w in (a, b, c)]
        ranked = analogy(final_W, *ids, k=len(vocab))
        order = [vocab.words[i] for i, _ in ranked]
        results.append({
            "a": a, "b": b, "c": c, "expected": expected,
            "predictions": [[vocab.words[i], round(s, 4)] for i, s in ranked[:NEIGHBOURS_K]],
            "expected_rank": order.index(expected) + 1,
            "correct": order[0] == expected,
        })
    return {"method": "3CosAdd", "analogies": results}


def convergence_view(vocab: Vocab, steps: list[int], history: np.ndarray, final_W: np.ndarray) -> dict:
    """How close each word's vector is to where it ends, over training, and when it settled."""
    cosines = np.einsum("tvd,vd->tv", unit_rows(history.reshape(-1, history.shape[-1])).reshape(history.shape),
                        unit_rows(final_W))
    distances = np.linalg.norm(history - final_W[None], axis=2)
    settled = np.flip(np.minimum.accumulate(np.flip(cosines, 0), 0), 0) >= CONVERGED_COSINE
    picks = checkpoints(len(steps), CONVERGENCE_POINTS)
    words = {}
    for v, word in enumerate(vocab.words):
        first = np.flatnonzero(settled[:, v])
        words[word] = {
            "cosine_to_final": round_fixed(cosines[picks, v], 4),
            "distance_to_final": round_fixed(distances[picks, v], 4),
            "converged_step": steps[int(first[0])] if first.size else None,
        }
    return {"steps": [steps[i] for i in picks], "threshold": CONVERGED_COSINE, "words": words}


def input_output_view(vocab: Vocab, final_W: np.ndarray, final_W_prime: np.ndarray) -> dict:
    """Each word's input vector (row of W) against its output vector (column of W')."""
    outputs = final_W_prime.T
    cos = np.sum(unit_rows(final_W) * unit_rows(outputs), axis=1)
    return {
        "words": vocab.words,
        "cosine": round_fixed(cos, 4),
        "norm_W": round_fixed(np.linalg.norm(final_W, axis=1), 4),
        "norm_W_prime": round_fixed(np.linalg.norm(outputs, axis=1), 4),
    }
