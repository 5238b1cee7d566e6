"""2-D PCA of the embeddings over training, with fixed axes so that movement on screen is real.

final: axes fit on the last W, every step projected onto them (the default view).
global: axes fit on all recorded W stacked together (no single step is privileged).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

COMPONENTS = 2


@dataclass(frozen=True)
class Projection:
    positions: np.ndarray           # (recorded steps, V, 2)
    explained_variance_ratio: list[float]
    components: list[list[float]]   # 2 × d: a d-vector v projects to components @ (v − mean)
    mean: list[float]


def project(history: np.ndarray, fit_on: np.ndarray) -> Projection:
    """Fits PCA on `fit_on` (rows are vectors) and projects every step of `history` (T, V, d)."""
    n_components = min(COMPONENTS, fit_on.shape[0], fit_on.shape[1])
    pca = PCA(n_components=n_components, svd_solver="full").fit(fit_on.astype(np.float64))
    steps, vocab, dim = history.shape
    flat = pca.transform(history.reshape(steps * vocab, dim).astype(np.float64))
    padded = np.zeros((steps * vocab, COMPONENTS))
    padded[:, :n_components] = flat
    ratios = [float(r) for r in pca.explained_variance_ratio_] + [0.0] * (COMPONENTS - n_components)
    components = np.zeros((COMPONENTS, dim))
    components[:n_components] = pca.components_
    return Projection(padded.reshape(steps, vocab, COMPONENTS), ratios, components.tolist(), pca.mean_.tolist())


def final_and_global(history: np.ndarray, final_weights: np.ndarray) -> dict[str, Projection]:
    return {
        "final": project(history, final_weights),
        "global": project(history, history.reshape(-1, history.shape[-1])),
    }
