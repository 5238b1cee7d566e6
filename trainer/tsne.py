"""Exact t-SNE in numpy (van der Maaten & Hinton 2008), for the explorer's second map of a small run.

Why not scikit-learn here: importing it cost about a second inside every teaching-run write (the run
is meant to take ≤ 3 s), and for a few hundred words the exact O(N²) gradient takes a fraction of a
second. Above EXACT_MAX_WORDS its cost grows past scikit-learn's Barnes-Hut approximation, which
trainer/derived.py then uses (bench/explorer_map.py times both). The optimisation follows sklearn's
defaults so the two maps look alike: cosine distances, perplexity 30, PCA start scaled to std 1e-4, early exaggeration
12 for 250 iterations with momentum 0.5, then momentum 0.8, per-coordinate gains, learning rate
max(N / 12 / 4, 50), 1,000 iterations in all.
"""

import numpy as np

from trainer.projection import project
from trainer.similarity import cosine_matrix

PERPLEXITY = 30.0
ITERATIONS = 1000
EXAGGERATION = 12.0
EXAGGERATED_ITERATIONS = 250
MIN_GAIN = 0.01
EXACT_MAX_WORDS = 300     # exact cost grows as N²: bench/explorer_map.py prints both at 122, 300, 2,000 words
BISECTION_STEPS = 64


def cosine_distances(vectors: np.ndarray) -> np.ndarray:
    distances = 1.0 - cosine_matrix(vectors)
    np.fill_diagonal(distances, 0.0)
    return np.clip(distances, 0.0, None)


def joint_probabilities(distances: np.ndarray, perplexity: float) -> np.ndarray:
    """Symmetric P: each row's Gaussian precision found by bisection (all rows at once) so that the
    row's entropy is log(perplexity), then P = (P + Pᵀ) / 2N."""
    n = len(distances)
    target = np.log(perplexity)
    beta = np.ones(n)
    low, high = np.full(n, -np.inf), np.full(n, np.inf)
    off_diagonal = ~np.eye(n, dtype=bool)
    for _ in range(BISECTION_STEPS):
        weights = np.exp(-distances * beta[:, None]) * off_diagonal
        total = np.maximum(weights.sum(axis=1), 1e-12)
        conditional = weights / total[:, None]
        entropy = np.log(total) + beta * (distances * conditional).sum(axis=1)
        too_flat = entropy > target                     # too wide a Gaussian: raise the precision
        low = np.where(too_flat, beta, low)
        high = np.where(too_flat, high, beta)
        beta = np.where(too_flat, np.where(np.isinf(high), beta * 2, (beta + high) / 2),
                        np.where(np.isinf(low), beta / 2, (beta + low) / 2))
    joint = (conditional + conditional.T) / (2 * n)
    return np.maximum(joint, 1e-12) * off_diagonal


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
    p = joint_probabilities(cosine_distances(vectors), min(perplexity, (n - 1) / 3)).astype(np.float32)
    y = pca_start(vectors).astype(np.float32)
    update, gains = np.zeros_like(y), np.ones_like(y)
    rate = max(n / EXAGGERATION / 4, 50.0)
    for iteration in range(iterations):
        exaggeration = EXAGGERATION if iteration < EXAGGERATED_ITERATIONS else 1.0
        momentum = 0.5 if iteration < EXAGGERATED_ITERATIONS else 0.8
        grad = gradient(p * exaggeration, y)
        reversing = (update * grad) < 0                 # the step turned: trust this coordinate more
        gains = np.maximum(np.where(reversing, gains + 0.2, gains * 0.8), MIN_GAIN)
        update = momentum * update - rate * gains * grad
        y += update
    return y.astype(np.float64)


def gradient(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂KL(P‖Q)/∂y = 4 Σ_j (p_ij − q_ij)(y_i − y_j) / (1 + ‖y_i − y_j‖²), with Student-t q."""
    squared = (y * y).sum(axis=1)
    kernel = -2.0 * (y @ y.T)
    kernel += squared[:, None]
    kernel += squared[None, :]
    kernel += 1.0
    np.reciprocal(kernel, out=kernel)
    np.fill_diagonal(kernel, 0.0)
    q_scale = 1.0 / max(float(kernel.sum()), 1e-12)
    weights = p - kernel * q_scale
    weights *= kernel
    return 4.0 * (weights.sum(axis=1)[:, None] * y - weights @ y)
