"""wordlab's whole `wordlab train --kind corpus` command against gensim 4's read + build_vocab + train, each in
its own fresh process, same corpus, settings and cores.

Usage: python bench/sgns.py [--corpus FILE] [--runs 3] [--epochs 5] [--threads 2] [--scaling] [--memory]
Settings: skip-gram, negative=5, window=5, dim=100, min_count=5, sample=1e-3, lr 0.025 → 0.0001 over all words,
the same sentences of lowercase words (trainer.corpus.read_corpus's for gensim, the streaming reader's for wordlab:
equal, as tests/test_sgns.py checks). The two systems alternate who goes first. Printed per run and system: the
whole process's wall seconds and peak RSS (ru_maxrss of that child, from wait4), words/s of the training call
(corpus words × epochs over Word2Vec.train's seconds; over the engine's epochs for wordlab), the seconds per phase
(wordlab's CLI prints them, trainer/phases.py; gensim's: read, build_vocab, train) and the probe scores of
data/probes/ (similarity hit@10, analogy top-1 accuracy), scored here after the child exits.
--scaling: one run per thread count in --threads (e.g. --threads 1 2).
--memory: wordlab's peak RSS on the corpus concatenated 10 times against 1 time (1 epoch each).
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# shared/ lies beside the main checkout, two levels up from a worktree
DEFAULT_CORPUS = next((p / "shared" / "corpora" / "gutenberg-mix.txt" for p in (ROOT.parent, ROOT.parent.parent)
                       if (p / "shared").is_dir()), ROOT / "gutenberg-mix.txt")
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "epochs": 5, "sample": 1e-3, "workers": 2}


def timed_process(command: list[str]) -> tuple[str, float, float]:
    """Runs `command`; its stdout, wall seconds and peak RSS in MB (wait4: that child's own rusage)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read()[-3000:]}")
        return out.read(), wall, usage.ru_maxrss / 1024


def run_wordlab(corpus: str, settings: dict, tmp: Path) -> dict:
    """The whole CLI command, as a user types it; vectors and training speed read back from the run."""
    from trainer.run_format import read_manifest
    from trainer.sgns.export import load_vectors
    from trainer.sgns.probes import score

    flags = [f"--{name.replace('_', '-')}={value}" for name, value in settings.items()]
    out, wall, rss = timed_process([sys.executable, "-m", "backend.cli", "train", "--kind", "corpus",
                                    "--corpus", corpus, *flags, "--quiet", "--out", str(tmp), "--name", "bench"])
    run_dir = tmp / "bench"
    training = read_manifest(run_dir)["training"]
    return {"wall_seconds": wall, "peak_rss_mb": rss, "words_per_second": training["words_per_second"],
            "phases": printed_phases(out), **score(*load_vectors(run_dir))}


def printed_phases(out: str) -> dict[str, float]:
    """The CLI's "time per phase:" lines ("  name   1.23 s  (peak RSS …)") as {phase: seconds}, total included."""
    lines = out.splitlines()
    phases = {}
    for line in lines[lines.index("time per phase:") + 1:]:
        found = re.match(r"\s+(.+?)\s+([0-9.]+) s\b", line)
        if not found:
            break
        phases[found[1]] = float(found[2])
    return phases


def gensim_child(corpus: str, settings: dict, out: str) -> None:
    """In the child process: read + build_vocab + train, timed per phase; the vectors saved for scoring."""
    from gensim.models import Word2Vec

    from trainer.corpus import read_corpus

    phases = {}
    started = time.perf_counter()
    sentences = read_corpus(corpus).sentences
    phases["read"] = time.perf_counter() - started
    model = Word2Vec(sg=1, vector_size=settings["dim"], window=settings["window"], negative=settings["negative"],
                     min_count=settings["min_count"], sample=settings["sample"], workers=settings["workers"],
                     epochs=settings["epochs"], seed=1)
    began = time.perf_counter()
    model.build_vocab(sentences)
    phases["build_vocab"] = time.perf_counter() - began
    began = time.perf_counter()
    _, raw_words = model.train(sentences, total_examples=len(sentences), epochs=settings["epochs"])
    phases["train"] = time.perf_counter() - began
    phases["total"] = time.perf_counter() - started
    np.save(out + ".npy", model.wv.vectors)
    Path(out + ".json").write_text(json.dumps({"words": model.wv.index_to_key, "phases": phases,
                                               "words_per_second": raw_words / phases["train"]}))


def run_gensim(corpus: str, settings: dict, tmp: Path) -> dict:
    from trainer.sgns.probes import score

    out = str(tmp / "gensim")
    _, wall, rss = timed_process([sys.executable, __file__, "--gensim-child", out, "--corpus", corpus,
                                  "--settings", json.dumps(settings)])
    saved = json.loads(Path(out + ".json").read_text())
    return {"wall_seconds": wall, "peak_rss_mb": rss, "words_per_second": saved["words_per_second"],
            "phases": {k: round(v, 2) for k, v in saved["phases"].items()},
            **score(saved["words"], np.load(out + ".npy"))}


def one(system: str, corpus: str, settings: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return (run_wordlab if system == "wordlab" else run_gensim)(corpus, settings, Path(tmp))


def print_row(run: int, system: str, r: dict) -> None:
    print(f"{run:>3}  {system:<8} {r['wall_seconds']:>7.1f} {r['peak_rss_mb']:>7.0f} {r['words_per_second']:>11,.0f} "
          f"{r['similarity_hit10']:>7.3f} ({r['similarity_pairs']}) {r['analogy_accuracy']:>7.3f} ({r['analogies']})  "
          + ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items()), flush=True)


def memory(corpus: str, settings: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "x10.txt"
        data = Path(corpus).read_bytes()
        with open(big, "wb") as out:
            for _ in range(10):
                out.write(data)
        once = {**settings, "epochs": 1}
        small, large = one("wordlab", corpus, once), one("wordlab", str(big), once)
    print(f"memory (wordlab, 1 epoch): 1x peak RSS {small['peak_rss_mb']:.0f} MB, 10x {large['peak_rss_mb']:.0f} MB, "
          f"ratio {large['peak_rss_mb'] / small['peak_rss_mb']:.2f} (goal ≤ 1.3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--threads", type=int, nargs="+", default=[SETTINGS["workers"]])
    parser.add_argument("--scaling", action="store_true", help="one run per --threads count")
    parser.add_argument("--memory", action="store_true", help="only the 10x-corpus memory check")
    parser.add_argument("--gensim-child", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gensim_child:
        gensim_child(args.corpus, json.loads(args.settings), args.gensim_child)
        return
    settings = {**SETTINGS, "epochs": args.epochs, "workers": args.threads[0]}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f}; corpus {args.corpus}; settings {settings}")
    if args.memory:
        memory(args.corpus, settings)
        return
    print("run  system    wall s  RSS MB  train w/s   sim@10 (pairs) analogy (n)  seconds per phase")
    plan = ([(threads, 1) for threads in args.threads] if args.scaling
            else [(settings["workers"], run) for run in range(1, args.runs + 1)])
    pairs = []
    for threads, run in plan:
        if args.scaling:
            print(f"threads: {threads}")
        results = {}
        for system in ("wordlab", "gensim")[::1 if run % 2 else -1]:   # alternate who goes first
            results[system] = one(system, args.corpus, {**settings, "workers": threads})
            print_row(run, system, results[system])
        pairs.append(results)
    summary(pairs)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


def summary(pairs: list[dict]) -> None:
    """Per pair, the issue's comparisons (#29): wordlab's whole process against gensim's whole process and
    against its read + build_vocab + train; the training calls' words/s; then the probe scores' means."""
    for i, r in enumerate(pairs, 1):
        w, g = r["wordlab"], r["gensim"]
        print(f"pair {i}: wordlab's whole command {w['wall_seconds']:.1f} s vs gensim's process "
              f"{g['wall_seconds']:.1f} s"
              f" / its read + build_vocab + train {g['phases']['total']:.1f} s"
              f" ({'ahead' if w['wall_seconds'] < g['phases']['total'] else 'behind'}); training "
              f"{w['words_per_second'] / g['words_per_second']:.2f}x gensim's; peak RSS {w['peak_rss_mb']:.0f} vs "
              f"{g['peak_rss_mb']:.0f} MB")
    for system in ("wordlab", "gensim"):
        rows = [r[system] for r in pairs]
        print(f"mean of {len(rows)}, {system}: similarity hit@10 {np.mean([r['similarity_hit10'] for r in rows]):.3f}, "
              f"analogy top-1 {np.mean([r['analogy_accuracy'] for r in rows]):.3f}")


if __name__ == "__main__":
    main()
