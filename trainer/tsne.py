"""t-SNE (van der Maaten & Hinton 2008) for the explorer's second map of every run, compiled by numba.

Why not scikit-learn: importing it cost about a second inside every teaching-run write, and its Barnes-Hut
approximation took ~70 s on a corpus run's 2,000 words (under load), most of the whole command. Here P is
sklearn's Barnes-Hut P (each row's Gaussian over its 3×perplexity nearest neighbours only, bisected to the
perplexity, then symmetrised: P = (P + Pᵀ) / ΣP), so the attraction reads ~k entries per row; the repulsion is
exact over all pairs (float32, vectorized). The whole optimisation is one compiled
call that releases the GIL: a corpus run computes the map in a thread while it writes the rest of the run
(trainer/sgns/run.py). 2,000 words: 7.5 s with the dense exact P and row-parallel kernels, ~2.5 s now, same
trustworthiness (bench/explorer_map.py; tests/test_layouts.py). The optimisation follows sklearn's defaults so
the two maps look alike: cosine distances, perplexity 30, PCA start scaled to std 1e-4, early exaggeration 12
for 250 iterations with momentum 0.5, then momentum 0.8, per-coordinate gains, learning rate
max(N / 12 / 4, 50), 1,000 iterations in all.
"""

import numpy as np
from numba import njit, prange

from trainer.projection import project
from trainer.similarity import cosine_matrix, unit_rows

PERPLEXITY = 30.0
ITERATIONS = 1000
EXAGGERATION = 12.0
EXAGGERATED_ITERATIONS = 250
MIN_GAIN = 0.01
BISECTION_STEPS = 64
ENTROPY_TOLERANCE = 1e-5
NEIGHBOURS_PER_PERPLEXITY = 3     # sklearn's Barnes-Hut: k = 3 × perplexity nearest neighbours per row
DISTANCE_BLOCK = 64               # rows of cosine distances at a time: no N×N matrix for the sparse P, ~1 MB


def cosine_distances(vectors: np.ndarray) -> np.ndarray:
    """1 − cosine of every pair, float32 (16 MB for the 2,000-word map; float64's precision changes no row's P)."""
    distances = cosine_matrix(np.asarray(vectors, np.float32))
    np.subtract(1.0, distances, out=distances)          # in place: one N×N matrix, not two
    np.fill_diagonal(distances, 0.0)
    return np.clip(distances, 0.0, None, out=distances)


def joint_probabilities(distances: np.ndarray, perplexity: float) -> np.ndarray:
    """The exact symmetric P over all pairs (float32, made in place), as sklearn's exact method makes it: each
    row's Gaussian precision found by bisection so that the row's entropy is log(perplexity), then
    P = (P + Pᵀ) / 2N. tsne() uses the nearest-neighbour P (nearest_neighbour_p); this one checks it."""
    joint = _conditional_rows(np.ascontiguousarray(distances, dtype=np.float32), np.log(perplexity))
    _symmetrize(joint)
    return joint


@njit(parallel=True, cache=True)
def _conditional_rows(distances, target):
    """Row i's p_j|i over all j ≠ i, every row bisected on its own (rows are independent: parallel)."""
    n = distances.shape[0]
    conditional = np.zeros((n, n), np.float32)
    for i in prange(n):
        row = distances[i].copy()
        row[i] = np.inf                                 # exp(−inf) = 0: a point is not its own neighbour
        conditional[i] = _bisected_row(row, target)
    return conditional


@njit(nogil=True, cache=True)
def _bisected_row(distances, target):
    """exp(−β·d_j) / Σ for the β (bisected, sklearn's rule and tolerance) that makes the entropy `target`."""
    beta, low, high = 1.0, -np.inf, np.inf
    total = 1.0
    last = beta
    for _ in range(BISECTION_STEPS):
        total = 0.0
        weighted = 0.0
        for j in range(distances.shape[0]):
            if distances[j] < np.inf:
                w = np.exp(-distances[j] * beta)
                total += w
                weighted += distances[j] * w
        total = max(total, 1e-12)
        entropy = np.log(total) + beta * weighted / total
        last = beta
        if abs(entropy - target) <= ENTROPY_TOLERANCE:  # sklearn's stopping rule
            break
        if entropy > target:                            # too wide a Gaussian: raise the precision
            low = beta
            beta = beta * 2 if np.isinf(high) else (beta + high) / 2
        else:
            high = beta
            beta = beta / 2 if np.isinf(low) else (beta + low) / 2
    out = np.zeros(distances.shape[0], np.float32)
    for j in range(distances.shape[0]):
        if distances[j] < np.inf:
            out[j] = np.exp(-distances[j] * last) / total
    return out


@njit(cache=True)
def _symmetrize(p):
    n = p.shape[0]
    for i in range(n):
        p[i, i] = 0.0
        for j in range(i + 1, n):
            value = max((p[i, j] + p[j, i]) / (2 * n), 1e-12)
            p[i, j] = value
            p[j, i] = value


class SparseP:
    """P by row (CSR, float32): the attraction reads these entries, not N² floats, per iteration."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, values: np.ndarray) -> None:
        self.indptr, self.indices, self.values = indptr, indices, values

    def dense(self) -> np.ndarray:
        n = len(self.indptr) - 1
        p = np.zeros((n, n), np.float32)
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        p[rows, self.indices] = self.values
        return p


def nearest_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest other rows by cosine distance (n×k ids, n×k distances), a block of rows at a time."""
    unit = unit_rows(np.asarray(vectors, np.float32))
    n = len(unit)
    ids = np.empty((n, k), np.int32)
    distances = np.empty((n, k), np.float32)
    for start in range(0, n, DISTANCE_BLOCK):
        block = 1.0 - unit[start:start + DISTANCE_BLOCK] @ unit.T
        rows = np.arange(len(block))
        block[rows, start + rows] = np.inf                # not its own neighbour
        nearest = np.argpartition(block, k - 1, axis=1)[:, :k]
        ids[start:start + len(block)] = nearest
        distances[start:start + len(block)] = np.clip(np.take_along_axis(block, nearest, axis=1), 0.0, None)
    return ids, distances


def nearest_neighbour_p(vectors: np.ndarray, perplexity: float) -> SparseP:
    """sklearn's Barnes-Hut P: p_j|i over each row's 3×perplexity nearest neighbours (bisected to the
    perplexity), then P = (P + Pᵀ) / ΣP. Entries outside the neighbourhoods are ~0 in the exact P anyway."""
    n = len(vectors)
    k = min(n - 1, int(NEIGHBOURS_PER_PERPLEXITY * perplexity + 1))
    ids, distances = nearest_neighbours(vectors, k)
    conditional = _bisected_rows(distances, np.log(perplexity)).ravel()
    rows, cols = np.repeat(np.arange(n, dtype=np.int64), k), ids.ravel().astype(np.int64)
    # P + Pᵀ in numpy (no scipy.sparse import: ~4 MB of a corpus run's peak RSS): entries keyed by row·n + column,
    # each (i, j) and its mirror (j, i), equal keys summed; sorted keys are the rows in order, columns sorted
    keys, where = np.unique(np.concatenate([rows * n + cols, cols * n + rows]), return_inverse=True)
    summed = np.bincount(where, weights=np.concatenate([conditional, conditional]))
    indptr = np.searchsorted(keys // n, np.arange(n + 1)).astype(np.int64)
    values = (summed / max(float(summed.sum()), 1e-12)).astype(np.float32)
    return SparseP(indptr, (keys % n).astype(np.int32), values)


@njit(nogil=True, cache=True)
def _bisected_rows(distances, target):
    conditional = np.empty(distances.shape, np.float32)
    for i in range(distances.shape[0]):
        conditional[i] = _bisected_row(distances[i].astype(np.float64), target)
    return conditional


def pca_start(vectors: np.ndarray) -> np.ndarray:
    """The rows on their first two principal axes (trainer/projection.py's, signs included), scaled to
    std 1e-4 on the first axis as sklearn's t-SNE starts."""
    start = project(vectors[None], vectors).positions[0]
    scale = np.std(start[:, 0])
    return start / scale * 1e-4 if scale > 0 else start


def tsne(vectors: np.ndarray, perplexity: float = PERPLEXITY, iterations: int = ITERATIONS) -> np.ndarray:
    """N × 2 layout of the rows of `vectors` by cosine distance. Deterministic (no random start); safe to call
    from a thread (the optimisation releases the GIL)."""
    n = len(vectors)
    if n < 4:
        return np.zeros((n, 2))
    vectors = np.asarray(vectors, np.float64)
    p = nearest_neighbour_p(vectors, min(perplexity, (n - 1) / 3))
    y = pca_start(vectors)
    _optimise(p.indptr, p.indices, p.values, y, iterations, max(n / EXAGGERATION / 4, 50.0))
    return y


@njit(nogil=True, cache=True, fastmath=True, error_model="numpy")
def _optimise(indptr, indices, values, y, iterations, rate):
    """sklearn's gradient descent (momentum, gains, early exaggeration) on y in place; the gradient in float32."""
    n = y.shape[0]
    xs, ys = y[:, 0].astype(np.float32), y[:, 1].astype(np.float32)
    gx, gy = np.empty(n, np.float32), np.empty(n, np.float32)
    update = np.zeros((n, 2))
    gains = np.ones((n, 2))
    for iteration in range(iterations):
        exaggeration = EXAGGERATION if iteration < EXAGGERATED_ITERATIONS else 1.0
        momentum = 0.5 if iteration < EXAGGERATED_ITERATIONS else 0.8
        _gradient(indptr, indices, values, xs, ys, np.float32(exaggeration), gx, gy)
        for i in range(n):
            for c in range(2):
                g = gx[i] if c == 0 else gy[i]
                if update[i, c] * g < 0:                # the step turned: trust this coordinate more
                    gains[i, c] += 0.2
                else:
                    gains[i, c] = max(gains[i, c] * 0.8, MIN_GAIN)
                update[i, c] = momentum * update[i, c] - rate * gains[i, c] * g
                y[i, c] += update[i, c]
            xs[i], ys[i] = y[i, 0], y[i, 1]


# error_model="numpy": no zero-division check per pair (1 + ‖Δy‖² ≥ 1), which kept the row's loop scalar
@njit(nogil=True, cache=True, fastmath=True, error_model="numpy")
def _gradient(indptr, indices, values, xs, ys, exaggeration, gx, gy):
    """∂KL(P‖Q)/∂y = 4 Σ_j (e·p_ij − q_ij)(y_i − y_j) / (1 + ‖y_i − y_j‖²), with Student-t q and P exaggerated
    by e. With k_ij = 1 / (1 + ‖y_i − y_j‖²) and Z = Σ k, q_ij k_ij = k_ij² / Z: the attraction sums e·p·k·Δy
    over P's entries, the repulsion k²·Δy and k over all pairs, a row at a time; Z is known at the end. The
    row's loop has no branch and no store (j = i adds Δy = 0 and k = 1, taken off Z after), so it vectorizes:
    a symmetric loop over j > i did half the pairs but its stores to row j kept it scalar, and was slower."""
    n = xs.shape[0]
    one = np.float32(1.0)
    z = 0.0
    for i in range(n):
        xi, yi = xs[i], ys[i]
        rx = ry = zi = np.float32(0.0)
        for j in range(n):
            dx, dy = xi - xs[j], yi - ys[j]
            kernel = one / (one + dx * dx + dy * dy)
            push = kernel * kernel
            rx += push * dx
            ry += push * dy
            zi += kernel
        gx[i], gy[i] = rx, ry
        z += zi - 1.0
    scale = np.float32(1.0 / max(z, 1e-12))
    for i in range(n):
        ax = ay = np.float32(0.0)
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            pull = exaggeration * values[k] / (one + dx * dx + dy * dy)
            ax += pull * dx
            ay += pull * dy
        gx[i] = 4.0 * (ax - gx[i] * scale)
        gy[i] = 4.0 * (ay - gy[i] * scale)
