"""Times the explorer's views per run size: the t-SNE layout dominates, and it grows with the words.

Usage: python -m bench.explorer_map [--sizes 500 2000 5000] [--dim 100] [--repeat 3]
Vectors are synthetic (clusters, like trained embeddings); every size runs the whole of
trainer.derived.explorer_views, then the t-SNE layout alone (derived.tsne_layout).
"""

import argparse
import platform
import time

import numpy as np

from trainer import derived
from trainer.derived import explorer_views
from trainer.vocab import Vocab


def one_size(words: int, dim: int, seed: int) -> tuple[float, float]:
    """(seconds for every explorer view, seconds for the t-SNE layout alone)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(2, words // 100), dim))
    final = (centres[rng.integers(0, len(centres), words)] + 0.5 * rng.normal(size=(words, dim))).astype(np.float32)
    initial = rng.uniform(-0.5, 0.5, size=(words, dim)).astype(np.float32)
    history = np.stack([initial, final])
    vocab = Vocab([f"w{i}" for i in range(words)], list(range(words + 5, 5, -1)))
    started = time.perf_counter()
    explorer_views(vocab, [1, 100], history, initial, final, rng.normal(size=(dim, words)).astype(np.float32))
    total = time.perf_counter() - started
    started = time.perf_counter()
    derived.tsne_layout(final)
    return total, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.machine()}, {platform.python_version()}, dim {args.dim}")
    for words in args.sizes:
        runs = [one_size(words, args.dim, seed) for seed in range(args.repeat)]
        total, tsne = [r[0] for r in runs], [r[1] for r in runs]
        print(f"{words:>6} words: explorer views {min(total):.2f}-{max(total):.2f} s, "
              f"of which t-SNE {min(tsne):.2f}-{max(tsne):.2f} s ({args.repeat} runs)")


if __name__ == "__main__":
    main()
