"""Times `wordlab train` (the default teaching run) as a user runs it, and prints the run's size.

Usage: python bench/teaching_run.py [--repeat N]
Reports the wall time of the whole command (interpreter start, imports, training, writing),
the trainer's own split, and the bytes on disk, against the issue's targets (≤ 10 s, ≤ 15 MB).
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

WORDLAB = Path(sys.executable).with_name("wordlab")


def one_run(out_dir: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([str(WORDLAB), "train", "--quiet", "--out", str(out_dir)],
                            check=True, capture_output=True, text=True)
    return time.perf_counter() - started, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    walls, last = [], ""
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            wall, last = one_run(Path(tmp) / str(i))
            walls.append(wall)
            print(f"run {i + 1}: {wall:.2f} s  ({last.strip().splitlines()[-1]})")
        run_dir = Path(tmp) / "0" / "default"
        files = [p for p in run_dir.rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        steps = sum(p.stat().st_size for p in (run_dir / "steps").iterdir())
        timeline = sum(p.stat().st_size for p in (run_dir / "timeline").iterdir())
        recorded = len(list((run_dir / "steps").iterdir()))
    split = re.search(r"training ([\d.]+) s, writing ([\d.]+) s", last)
    print(f"wall time, median of {len(walls)}: {statistics.median(walls):.2f} s (target ≤ 10 s)")
    print(f"trainer's split (last run): training {split[1]} s, writing {split[2]} s; "
          f"per step {float(split[1]) / 15000 * 1e3:.3f} ms")
    print(f"run size: {total / 1e6:.2f} MB in {len(files)} files (target ≤ 15 MB); "
          f"step chunks {steps / 1e6:.2f} MB in {recorded} files, timeline {timeline / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
