"""The built-in probe set: data/probes/ (word pairs and analogies for 19th-century English books) and the
teaching corpus's analogies; its scores come from trainer/run_probes.py, as every run's do.

The run writers start each run's probes from it (run_probes.choose_probes); bench/sgns.py scores wordlab
and gensim on data/probes/ alike.
"""

import numpy as np

from trainer import run_probes
from trainer.config import PROJECT_ROOT
from trainer.run_views import ANALOGY_PROBES

PROBES_DIR = PROJECT_ROOT / "data" / "probes"
NEIGHBORS = run_probes.NEIGHBORS


def read_tsv(name: str) -> list[list[str]]:
    lines = (PROBES_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def load_similarity() -> list[tuple[str, str]]:
    return [(a, b) for a, b in read_tsv("similarity.tsv")]


def load_analogies() -> list[tuple[str, str, str, str, str]]:
    """(relation, a, b, c, d) for a : b :: c : d."""
    return [tuple(row) for row in read_tsv("analogies.tsv")]


def built_in() -> dict:
    """Every built-in probe, as run_probes.choose_probes takes them: data/probes/ first, then the teaching
    corpus's analogies (run_views.ANALOGY_PROBES, relation "teaching corpus")."""
    return {"built_in_similarity": load_similarity(),
            "built_in_analogies": load_analogies() + [("teaching corpus", *q) for q in ANALOGY_PROBES]}


def score(words: list[str], vectors: np.ndarray) -> dict:
    """Similarity hit@10 (b among a's 10 nearest) and analogy top-1 accuracy over the data/probes/ probes
    in the vocabulary (0.0 where none is)."""
    scored = run_probes.score(words, vectors, load_similarity(), load_analogies())
    return {"similarity_pairs": scored["similarity_pairs"], "similarity_hit10": scored["similarity_hit10"] or 0.0,
            "analogies": scored["analogies"], "analogy_accuracy": scored["analogy_accuracy"] or 0.0}
