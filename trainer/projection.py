"""2-D PCA of the embeddings over training, with fixed axes so that movement on screen is real.

final: axes fit on the last W, every step projected onto them (the default view).
global: axes fit on all recorded W stacked together (no single step is privileged).
PCA is an eigendecomposition of the d×d covariance (d = 8): microseconds in numpy, where sklearn's
import alone took seconds.
"""

from dataclasses import dataclass

import numpy as np

COMPONENTS = 2


@dataclass(frozen=True)
class Projection:
    positions: np.ndarray           # (recorded steps, V, 2)
    explained_variance_ratio: list[float]
    components: list[list[float]]   # 2 × d: a d-vector v projects to components @ (v − mean)
    mean: list[float]


def project(history, fit_on: np.ndarray) -> Projection:
    """Fits PCA on `fit_on` (rows are vectors) and projects every step of `history`: a (T, V, d) array or any
    iterable of V×d steps (a corpus run's snapshots file, trainer/sgns/snapshots.py), one step at a time, so
    no float64 copy of the whole history is made (that copy was the largest allocation of a corpus run)."""
    n_components = min(COMPONENTS, fit_on.shape[0], fit_on.shape[1])
    fit_on = fit_on.astype(np.float64)
    mean = fit_on.mean(axis=0)
    centered = fit_on - mean
    variance, eigenvectors = np.linalg.eigh(centered.T @ centered)
    variance, axes = np.clip(variance[::-1], 0, None), eigenvectors[:, ::-1].T  # largest first
    # sklearn's sign convention, so a re-fit never mirrors the map: each axis's largest entry is positive
    signs = np.sign(axes[np.arange(len(axes)), np.argmax(np.abs(axes), axis=1)])
    axes = axes * signs[:, None]
    total = variance.sum()
    components = np.zeros((COMPONENTS, fit_on.shape[1]))
    components[:n_components] = axes[:n_components]
    positions = [(np.asarray(step, np.float64) - mean) @ components.T for step in history]
    ratios = [float(v / total) if total > 0 else 0.0 for v in variance[:n_components]]
    ratios += [0.0] * (COMPONENTS - n_components)
    return Projection(np.stack(positions) if positions else np.zeros((0, 0, COMPONENTS)), ratios,
                      components.tolist(), mean.tolist())


def final_and_global(history: np.ndarray, final_weights: np.ndarray) -> dict[str, Projection]:
    return {
        "final": project(history, final_weights),
        "global": project(history, history.reshape(-1, history.shape[-1])),
    }
