"""Exact t-SNE (van der Maaten & Hinton 2008), for the explorer's second map of every run.

Why not scikit-learn: importing it cost about a second inside every teaching-run write, and its Barnes-Hut
approximation took ~70 s on a corpus run's 2,000 words (under load), most of the whole command. The exact
O(N²) gradient, compiled by numba (parallel rows, no N×N matrix per iteration), is a fraction of a second
for a few hundred words and a few seconds for 2,000 (bench/explorer_map.py times both). The optimisation
follows sklearn's defaults so the two maps look alike: cosine distances, perplexity 30, PCA start scaled to
std 1e-4, early exaggeration 12 for 250 iterations with momentum 0.5, then momentum 0.8, per-coordinate gains,
learning rate max(N / 12 / 4, 50), 1,000 iterations in all.
"""

import numpy as np
from numba import njit, prange

from trainer.projection import project
from trainer.similarity import cosine_matrix

PERPLEXITY = 30.0
ITERATIONS = 1000
EXAGGERATION = 12.0
EXAGGERATED_ITERATIONS = 250
MIN_GAIN = 0.01
BISECTION_STEPS = 64
ENTROPY_TOLERANCE = 1e-5
P_FLOOR = 1e-9           # P entries below this (of a mean 1/N² ≈ 2.5e-7 at 2,000 words) leave the attraction


def cosine_distances(vectors: np.ndarray) -> np.ndarray:
    """1 − cosine of every pair, float32 (16 MB for the 2,000-word map; float64's precision changes no row's P)."""
    distances = cosine_matrix(np.asarray(vectors, np.float32))
    np.subtract(1.0, distances, out=distances)          # in place: one N×N matrix, not two
    np.fill_diagonal(distances, 0.0)
    return np.clip(distances, 0.0, None, out=distances)


def joint_probabilities(distances: np.ndarray, perplexity: float) -> np.ndarray:
    """Symmetric P (float32, made in place: the 2,000-word map's P is 16 MB): each row's Gaussian precision
    found by bisection so that the row's entropy is log(perplexity), then P = (P + Pᵀ) / 2N."""
    joint = _conditional_rows(np.ascontiguousarray(distances, dtype=np.float32), np.log(perplexity))
    _symmetrize(joint)
    return joint


@njit(parallel=True, cache=True)
def _conditional_rows(distances, target):
    """Row i's p_j|i, every row bisected on its own (rows are independent: parallel)."""
    n = distances.shape[0]
    conditional = np.zeros((n, n), np.float32)
    for i in prange(n):
        beta, low, high = 1.0, -np.inf, np.inf
        total = 1.0
        for _ in range(BISECTION_STEPS):
            total = 0.0
            weighted = 0.0
            for j in range(n):
                if j != i:
                    w = np.exp(-distances[i, j] * beta)
                    total += w
                    weighted += distances[i, j] * w
            total = max(total, 1e-12)
            entropy = np.log(total) + beta * weighted / total
            last = beta
            if abs(entropy - target) <= ENTROPY_TOLERANCE:   # sklearn's stopping rule
                break
            if entropy > target:                        # too wide a Gaussian: raise the precision
                low = beta
                beta = beta * 2 if np.isinf(high) else (beta + high) / 2
            else:
                high = beta
                beta = beta / 2 if np.isinf(low) else (beta + low) / 2
        for j in range(n):                              # the row at the last precision tried
            if j != i:
                conditional[i, j] = np.exp(-distances[i, j] * last) / total
    return conditional


@njit(cache=True)
def _symmetrize(p):
    n = p.shape[0]
    for i in range(n):
        p[i, i] = 0.0
        for j in range(i + 1, n):
            value = max((p[i, j] + p[j, i]) / (2 * n), 1e-12)
            p[i, j] = value
            p[j, i] = value


def pca_start(vectors: np.ndarray) -> np.ndarray:
    """The rows on their first two principal axes (trainer/projection.py's, signs included), scaled to
    std 1e-4 on the first axis as sklearn's t-SNE starts."""
    start = project(vectors[None], vectors).positions[0]
    scale = np.std(start[:, 0])
    return start / scale * 1e-4 if scale > 0 else start


def tsne(vectors: np.ndarray, perplexity: float = PERPLEXITY, iterations: int = ITERATIONS) -> np.ndarray:
    """N × 2 layout of the rows of `vectors` by cosine distance. Deterministic (no random start)."""
    n = len(vectors)
    if n < 4:
        return np.zeros((n, 2))
    vectors = vectors.astype(np.float64)
    p = SparseP.of(joint_probabilities(cosine_distances(vectors), min(perplexity, (n - 1) / 3)))
    y = pca_start(vectors)
    update, gains = np.zeros_like(y), np.ones_like(y)
    rate = max(n / EXAGGERATION / 4, 50.0)
    for iteration in range(iterations):
        exaggeration = EXAGGERATION if iteration < EXAGGERATED_ITERATIONS else 1.0
        momentum = 0.5 if iteration < EXAGGERATED_ITERATIONS else 0.8
        grad = gradient_sparse(p, y, exaggeration)
        reversing = (update * grad) < 0                 # the step turned: trust this coordinate more
        gains = np.maximum(np.where(reversing, gains + 0.2, gains * 0.8), MIN_GAIN)
        update = momentum * update - rate * gains * grad
        y += update
    return y


class SparseP:
    """P's entries above P_FLOOR by row (CSR): the attraction reads these instead of all N² floats per
    iteration (the loop was bound by reading P); an entry under the floor moves no point measurably."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, values: np.ndarray) -> None:
        self.indptr, self.indices, self.values = indptr, indices, values

    @classmethod
    def of(cls, p: np.ndarray) -> "SparseP":
        kept = p > P_FLOOR
        indptr = np.concatenate([[0], np.cumsum(kept.sum(axis=1))]).astype(np.int64)
        rows, cols = np.nonzero(kept)
        return cls(indptr, cols.astype(np.int32), p[rows, cols].astype(np.float32))


def gradient_sparse(p: SparseP, y: np.ndarray, exaggeration: float = 1.0) -> np.ndarray:
    """∂KL(P‖Q)/∂y = 4 Σ_j (e·p_ij − q_ij)(y_i − y_j) / (1 + ‖y_i − y_j‖²), with Student-t q and P exaggerated
    by e. With k_ij = 1 / (1 + ‖y_i − y_j‖²) and Z = Σ k, q_ij k_ij = k_ij² / Z: the attraction sums e·p·k·Δy
    over P's kept entries, the repulsion k²·Δy and k over all pairs in one pass, and Z is known at the end."""
    y32 = y.astype(np.float32)
    attraction = _attraction(p.indptr, p.indices, p.values, y32, np.float32(exaggeration))
    repulsion, z_rows = _repulsion(y32)
    return 4.0 * (attraction - repulsion / max(float(z_rows.sum()), 1e-12))


@njit(parallel=True, cache=True, fastmath=True)
def _attraction(indptr, indices, values, y, exaggeration):
    n = y.shape[0]
    attraction = np.zeros_like(y)
    one = np.float32(1.0)
    for i in prange(n):
        ax = ay = np.float32(0.0)
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            dx, dy = y[i, 0] - y[j, 0], y[i, 1] - y[j, 1]
            pull = exaggeration * values[k] / (one + dx * dx + dy * dy)
            ax += pull * dx
            ay += pull * dy
        attraction[i, 0], attraction[i, 1] = ax, ay
    return attraction


@njit(parallel=True, cache=True, fastmath=True)   # fastmath: the per-row sums vectorize
def _repulsion(y):
    n = y.shape[0]
    repulsion = np.zeros_like(y)
    z_rows = np.zeros(n, np.float32)
    one = np.float32(1.0)
    for i in prange(n):
        rx = ry = z = np.float32(0.0)
        for j in range(n):
            if j != i:
                dx, dy = y[i, 0] - y[j, 0], y[i, 1] - y[j, 1]
                kernel = one / (one + dx * dx + dy * dy)
                push = kernel * kernel
                rx += push * dx
                ry += push * dy
                z += kernel
        repulsion[i, 0], repulsion[i, 1] = rx, ry
        z_rows[i] = z
    return repulsion, z_rows
