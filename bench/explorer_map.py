"""Times the explorer's views per run size: the t-SNE layout dominates, and it grows with the words.

Usage: python -m bench.explorer_map [--sizes 122 300 2000] [--dim 100] [--repeat 3]
Vectors are synthetic (clusters, like trained embeddings); every size runs the whole of
trainer.run_views.explorer_views, then the t-SNE layout alone (run_views.tsne_layout), then both t-SNE
implementations: the exact compiled one it uses (trainer/tsne.py) and sklearn's Barnes-Hut it replaced.
"""

import argparse
import platform
import time

import numpy as np

from trainer import run_views, tsne
from trainer.run_views import explorer_views
from trainer.vocab import Vocab


def one_size(words: int, dim: int, seed: int) -> tuple[float, float, float, float]:
    """Seconds for every explorer view, the t-SNE layout alone, exact t-SNE, Barnes-Hut t-SNE."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(2, words // 100), dim))
    final = (centres[rng.integers(0, len(centres), words)] + 0.5 * rng.normal(size=(words, dim))).astype(np.float32)
    initial = rng.uniform(-0.5, 0.5, size=(words, dim)).astype(np.float32)
    history = np.stack([initial, final])
    vocab = Vocab([f"w{i}" for i in range(words)], list(range(words + 5, 5, -1)))
    started = time.perf_counter()
    explorer_views(vocab, [1, 100], history, initial, final, rng.normal(size=(dim, words)).astype(np.float32))
    total = time.perf_counter() - started
    return total, *(seconds(layout, final) for layout in (run_views.tsne_layout, tsne.tsne, barnes_hut))


def seconds(function, vectors: np.ndarray) -> float:
    started = time.perf_counter()
    function(vectors)
    return time.perf_counter() - started


def barnes_hut(vectors: np.ndarray) -> np.ndarray:
    from sklearn.manifold import TSNE

    return TSNE(n_components=2, perplexity=run_views.TSNE_PERPLEXITY, metric="cosine", init="pca", random_state=0,
                learning_rate="auto").fit_transform(vectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[122, 300, 2000])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.machine()}, {platform.python_version()}, dim {args.dim}")
    for words in args.sizes:
        runs = [one_size(words, args.dim, seed) for seed in range(args.repeat)]
        total, chosen, exact, approximate = ([r[i] for r in runs] for i in range(4))
        print(f"{words:>6} words: explorer views {span(total)}, of which t-SNE {span(chosen)} "
              f"(exact {span(exact)}, Barnes-Hut {span(approximate)}; {args.repeat} runs)")


def span(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f} s"


if __name__ == "__main__":
    main()
