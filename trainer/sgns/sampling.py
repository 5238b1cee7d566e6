"""word2vec's two distributions: which tokens subsampling keeps, and which words are drawn as negatives."""

import numpy as np

NOISE_POWER = 0.75
NOISE_TABLE_SIZE = 1 << 23  # 32 MiB of int32; a word with share ≥ 1.2e-7 of the noise mass gets a slot


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec.c / gensim: P(keep w) = (sqrt(f/(s·T)) + 1)·(s·T)/f, capped at 1; sample=0 keeps every token."""
    counts = np.asarray(counts, np.float64)
    if sample == 0:
        return np.ones(len(counts), np.float32)
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts).astype(np.float32)


def noise_distribution(counts: np.ndarray) -> np.ndarray:
    weights = np.asarray(counts, np.float64) ** NOISE_POWER
    return weights / weights.sum()


def noise_table(counts: np.ndarray, size: int = NOISE_TABLE_SIZE) -> np.ndarray:
    """A pre-sampled buffer: word w fills ≈ size·P_noise(w) slots, so a uniform slot is a unigram^0.75 draw."""
    cumulative = np.cumsum(noise_distribution(counts))
    slots = (np.arange(size, dtype=np.float64) + 0.5) / size
    return np.minimum(np.searchsorted(cumulative, slots), len(counts) - 1).astype(np.int32)
