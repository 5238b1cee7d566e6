"""word2vec's two distributions: which tokens subsampling keeps, and which words are drawn as negatives."""

import numpy as np
from numba import njit

NOISE_POWER = 0.75


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


class NoiseAlias:
    """Walker's alias table for the unigram^0.75 noise: a uniform slot s gives word s with probability
    accept[s], else alias[s]. Exact, and V-sized: it stays in cache, where word2vec.c's 10^8-slot table
    (or any large pre-sampled buffer) costs a cache miss per negative, the kernel's largest cost."""

    def __init__(self, counts: np.ndarray):
        accept, alias = build_alias(noise_distribution(counts))
        self.accept, self.alias = accept.astype(np.float32), alias

    def probabilities(self) -> np.ndarray:
        """The distribution the table draws from (float64), for checking it against the formula."""
        p = self.accept.astype(np.float64)
        np.add.at(p, self.alias, 1 - p)  # each slot's rejected share goes to its alias
        return p / len(p)

    def draw(self, rng: np.random.Generator, shape) -> np.ndarray:
        slots = rng.integers(0, len(self.accept), shape)
        return np.where(rng.random(shape) < self.accept[slots], slots, self.alias[slots]).astype(np.int64)


@njit(cache=True)
def build_alias(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's method: O(V), each slot holds its own word's mass and tops up from one larger word."""
    n = len(p)
    scaled = p * n
    accept = np.ones(n)
    alias = np.arange(n).astype(np.int32)
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    n_small = n_large = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small and n_large:
        n_small -= 1
        s = small[n_small]
        g = large[n_large - 1]
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        if scaled[g] < 1.0:
            n_large -= 1
            small[n_small] = g
            n_small += 1
    return accept, alias
