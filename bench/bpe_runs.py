"""A teaching run on BPE tokens beside the same run on regex words: preparing the corpus, training and
writing, and the run's size, for both teaching methods.

Usage: python -m bench.bpe_runs [--vocab-size 1000]
Writing is dominated by the explorer's t-SNE layout (trainer/run_views.py), which grows with the vocabulary.
The tokenizer is trained first on the teaching corpus (the default tokenizer's settings), outside the
timings. Each run uses the default settings (15,000 steps); a token run keeps function words, so it has
more pairs and a larger vocabulary than the word run, which is most of the difference.
"""

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from trainer.bpe.build import build_tokenizer
from trainer.config import DEFAULT_CORPUS, DEFAULT_TOKENIZER_VOCAB, TeachingConfig, resolve_corpus
from trainer.teaching_run import prepare, train_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab-size", type=int, default=DEFAULT_TOKENIZER_VOCAB)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = build_tokenizer(resolve_corpus(DEFAULT_CORPUS), args.vocab_size, "bench", Path(tmp),
                                    progress=False).path
        print(f"{'run':<14} {'vocab':>5} {'pairs':>6} {'prepare s':>9} {'train s':>8} {'write s':>8} {'MB':>6}")
        for method in ("softmax", "sgns"):
            for unit, tok in (("words", None), ("tokens", str(tokenizer))):
                config = TeachingConfig(method=method, tokenizer=tok)
                started = time.perf_counter()
                prepared = prepare(config)
                prepare_seconds = time.perf_counter() - started
                summary = train_run(config, f"{method}-{unit}", Path(tmp) / "runs", progress=False,
                                    log=lambda _: None)
                print(f"{method + ' ' + unit:<14} {len(prepared.vocab):>5} {len(prepared.pairs):>6} "
                      f"{prepare_seconds:>9.3f} {summary.train_seconds:>8.2f} {summary.write_seconds:>8.2f} "
                      f"{summary.total_bytes / 1e6:>6.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
