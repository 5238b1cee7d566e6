"""The probe set of data/probes/ (word pairs and analogies for 19th-century English books) and its scores.

The run uses it for the analogy-evolution view; bench/sgns.py scores wordlab and gensim on it alike.
"""

import numpy as np

from trainer.config import PROJECT_ROOT
from trainer.similarity import analogy_scores, unit_rows

PROBES_DIR = PROJECT_ROOT / "data" / "probes"
NEIGHBORS = 10


def read_tsv(name: str) -> list[list[str]]:
    lines = (PROBES_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def load_similarity() -> list[tuple[str, str]]:
    return [(a, b) for a, b in read_tsv("similarity.tsv")]


def load_analogies() -> list[tuple[str, str, str, str, str]]:
    """(relation, a, b, c, d) for a : b :: c : d."""
    return [tuple(row) for row in read_tsv("analogies.tsv")]


def score(words: list[str], vectors: np.ndarray) -> dict:
    """Similarity hit@10 (b among a's 10 nearest) and analogy top-1 accuracy over the probes in vocabulary."""
    index = {w: i for i, w in enumerate(words)}
    unit = unit_rows(np.asarray(vectors, np.float32))
    pairs = np.array([(index[a], index[b]) for a, b in load_similarity() if a in index and b in index]).reshape(-1, 2)
    sims = unit[pairs[:, 0]] @ unit.T
    sims[np.arange(len(pairs)), pairs[:, 0]] = -np.inf
    rank = (sims > sims[np.arange(len(pairs)), pairs[:, 1]][:, None]).sum(axis=1)
    questions = np.array([[index[w] for w in q[1:]] for q in load_analogies() if all(w in index for w in q[1:])])
    questions = questions.reshape(-1, 4)
    correct = analogy_scores(unit, questions).argmax(axis=1) == questions[:, 3] if len(questions) else np.zeros(0, bool)
    hits = rank < NEIGHBORS
    return {"similarity_pairs": len(pairs), "similarity_hit10": float(hits.mean()) if len(pairs) else 0.0,
            "analogies": len(questions), "analogy_accuracy": float(correct.mean()) if len(questions) else 0.0}
