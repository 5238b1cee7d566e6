"""wordlab's SGNS (numba engine) against gensim 4 on the same corpus, settings and cores, in one run.

Usage: python bench/sgns.py [--corpus FILE] [--runs 3] [--memory]
Each system trains in its own process (so peak RSS is its own): skip-gram, negative=5, window=5, dim=100,
min_count=5, epochs=5, sample=1e-3, workers=2, lr 0.025 → 0.0001 linear over all words, the same sentences
of lowercase words (trainer.corpus.read_corpus's for gensim, the streaming tokenizer's for wordlab: equal, as
a test checks). Printed per run: words/s (corpus words × epochs, out-of-vocabulary words included, over the
seconds of the training call: Word2Vec.train for gensim, the engine's epochs for wordlab), training and wall seconds
(wall: read + vocabulary + train, and for wordlab also recording and writing the run), peak RSS, and the
probe scores of data/probes/ (similarity hit@10, analogy top-1 accuracy).
--memory: wordlab's peak RSS on the corpus concatenated 10 times against 1 time (1 epoch each).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "gutenberg-mix.txt"   # the checkout beside shared/
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "epochs": 5, "sample": 1e-3, "workers": 2}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_wordlab(corpus: str, epochs: int) -> dict:
    from trainer.config import CorpusConfig
    from trainer.sgns.export import load_vectors
    from trainer.sgns.probes import score
    from trainer.sgns.run import train_corpus_run

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        config = CorpusConfig(corpus=corpus, **{**SETTINGS, "epochs": epochs})
        summary = train_corpus_run(config, "bench", Path(tmp), progress=False, log=lambda _: None)
        wall = time.perf_counter() - started
        words, W = load_vectors(summary.run_dir)
    return {"words_per_second": summary.words_per_second, "train_seconds": summary.train_seconds,
            "wall_seconds": wall, **score(words, W)}


def run_gensim(corpus: str, epochs: int) -> dict:
    from gensim.models import Word2Vec

    from trainer.corpus import read_corpus
    from trainer.sgns.probes import score

    started = time.perf_counter()
    sentences = read_corpus(corpus).sentences
    model = Word2Vec(sg=1, vector_size=SETTINGS["dim"], window=SETTINGS["window"], negative=SETTINGS["negative"],
                     min_count=SETTINGS["min_count"], sample=SETTINGS["sample"], workers=SETTINGS["workers"],
                     epochs=epochs, seed=1)
    model.build_vocab(sentences)
    trained = time.perf_counter()
    _, raw_words = model.train(sentences, total_examples=len(sentences), epochs=epochs)
    seconds = time.perf_counter() - trained
    return {"words_per_second": raw_words / seconds, "train_seconds": seconds,
            "wall_seconds": time.perf_counter() - started, **score(model.wv.index_to_key, model.wv.vectors)}


def child(system: str, corpus: str, epochs: int) -> dict:
    """Runs one system in a fresh interpreter and returns its figures with its peak RSS."""
    out = subprocess.run([sys.executable, __file__, "--one", system, "--corpus", corpus, "--epochs", str(epochs)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_row(run: int, system: str, r: dict) -> None:
    print(f"{run:>3}  {system:<8} {r['words_per_second']:>11,.0f} {r['train_seconds']:>8.1f} {r['wall_seconds']:>8.1f} "
          f"{r['peak_rss_mb']:>8.0f} {r['similarity_hit10']:>7.3f} ({r['similarity_pairs']}) "
          f"{r['analogy_accuracy']:>7.3f} ({r['analogies']})", flush=True)


def memory(corpus: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "x10.txt"
        data = Path(corpus).read_bytes()
        with open(big, "wb") as out:
            for _ in range(10):
                out.write(data)
        one, ten = child("wordlab", corpus, 1), child("wordlab", str(big), 1)
    print(f"memory (wordlab, 1 epoch): 1x peak RSS {one['peak_rss_mb']:.0f} MB, 10x {ten['peak_rss_mb']:.0f} MB, "
          f"ratio {ten['peak_rss_mb'] / one['peak_rss_mb']:.2f} (goal ≤ 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--memory", action="store_true", help="only the 10x-corpus memory check")
    parser.add_argument("--one", choices=("wordlab", "gensim"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = (run_wordlab if args.one == "wordlab" else run_gensim)(args.corpus, args.epochs)
        print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"corpus {args.corpus}; settings {({**SETTINGS, 'epochs': args.epochs})}")
    if args.memory:
        memory(args.corpus)
        return
    print("run  system       words/s  train s   wall s  RSS MB  sim@10 (pairs) analogy (n)")
    for run in range(1, args.runs + 1):
        for system in ("wordlab", "gensim")[::1 if run % 2 else -1]:  # alternate who goes first
            print_row(run, system, child(system, args.corpus, args.epochs))


if __name__ == "__main__":
    main()
