"""How long the first start of `make serve` spends writing the default tokenizer.

Usage: python bench/default_tokenizer.py [--repeat 3]
Builds the default tokenizer (English prose from word frequencies, trainer/bpe/build.py) into a temporary directory,
beside the recipe it replaced (BPE on the teaching corpus alone, vocabulary 1,000), and prints both:
the whole build (reading, training, held-out figures, writing) and the training alone.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from trainer.bpe.build import build_default_tokenizer, build_tokenizer  # noqa: E402
from trainer.config import DEFAULT_CORPUS, resolve_corpus  # noqa: E402

OLD_VOCAB = 1000


def timed(build, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    built = build(*args, **kwargs)
    return time.perf_counter() - started, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old, new, training = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = resolve_corpus(DEFAULT_CORPUS)
            seconds, _ = timed(build_tokenizer, corpus, OLD_VOCAB, "old", Path(tmp), progress=False)
            old.append(seconds)
            seconds, built = timed(build_default_tokenizer, Path(tmp), progress=False)
            new.append(seconds)
            training.append(built.seconds)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, median of {args.repeat}")
    print(f"teaching corpus alone, vocabulary {OLD_VOCAB}: {statistics.median(old):.2f} s")
    print(f"default ({len(built.tokenizer.merges):,} merges, {built.tokenizer.meta['training_characters']:,} training "
          f"characters): {statistics.median(new):.2f} s, of which training {statistics.median(training):.2f} s")


if __name__ == "__main__":
    main()
