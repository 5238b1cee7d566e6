"""Times `wordlab train` for both default teaching runs (full softmax and negative sampling) as a user
runs them, and prints the runs' sizes.

Usage: python bench/teaching_run.py [--repeat N]
Reports the wall time of the whole command (interpreter start, imports, training, writing),
the trainer's own split, and the bytes on disk, against the targets (≤ 3 s a run, ≤ 15 MB).
The default tokenizer is built once before timing, so each timed command is the run alone.
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `python -m backend.cli` from this checkout is what the `wordlab` script runs; the script itself would
# import whichever checkout the venv was installed from.
WORDLAB = [sys.executable, "-m", "backend.cli"]


METHODS = {"softmax": "default", "sgns": "default-sgns"}


def one_run(out_dir: Path, tokenizers: Path, method: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([*WORDLAB, "train", "--quiet", "--out", str(out_dir), "--method", method,
                             "--name", METHODS[method], "--tokenizers", str(tokenizers)],
                            check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        tokenizers = Path(tmp) / "tokenizers"
        one_run(Path(tmp) / "warm-up", tokenizers, "softmax")  # builds the tokenizer, warms the disk cache
        walls, last = {m: [] for m in METHODS}, {}
        for i in range(args.repeat):
            for method in METHODS:    # alternated run by run, so both see the same machine load
                wall, last[method] = one_run(Path(tmp) / f"{method}{i}", tokenizers, method)
                walls[method].append(wall)
                print(f"{method} run {i + 1}: {wall:.2f} s  ({last[method].strip().splitlines()[-1]})")
        for method in METHODS:
            report(method, walls[method], last[method], Path(tmp) / f"{method}0" / METHODS[method])


def report(method: str, walls: list[float], last: str, run_dir: Path) -> None:
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    steps = sum(p.stat().st_size for p in (run_dir / "steps").iterdir())
    timeline = sum(p.stat().st_size for p in (run_dir / "timeline").iterdir())
    recorded = len(list((run_dir / "steps").iterdir()))
    split = re.search(r"training ([\d.]+) s, writing ([\d.]+) s", last)
    print(f"{method}: wall time median of {len(walls)}: {statistics.median(walls):.2f} s "
          f"(range {min(walls):.2f}-{max(walls):.2f} s; target ≤ 3 s)")
    print(f"{method}: trainer's split (last run): training {split[1]} s, writing {split[2]} s; "
          f"per step {float(split[1]) / 15000 * 1e3:.3f} ms")
    print(f"{method}: run size {total / 1e6:.2f} MB in {len(files)} files (target ≤ 15 MB); "
          f"step chunks {steps / 1e6:.2f} MB in {recorded} files, timeline {timeline / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
