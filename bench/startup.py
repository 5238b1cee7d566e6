"""Server start-up time with several runs present: process start → first complete /api/runs answer.

Usage: python bench/startup.py [--copies 6] [--repeat 5] [--workers N]
Copies data/runs/default N times into a temporary runs directory, starts `wordlab serve` on 127.0.0.1
(with serve's default worker count unless told), and polls /api/runs until it lists every run.
Target: ≤ 1 s.
"""

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.settings import DEFAULT_WORKERS  # noqa: E402
from bench.server import seconds_until, server_process  # noqa: E402
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR  # noqa: E402
from trainer.teaching_run import DEFAULT_RUNS  # noqa: E402


def runs_listed(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        s.sendall(b"GET /api/runs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return len(orjson.loads(body)["runs"]) if b" 200 " in head.split(b"\r\n")[0] else 0


def one_start(runs_dir: Path, expected: int, workers: int) -> float:
    with server_process(runs_dir, DEFAULT_TOKENIZERS_DIR, workers) as (port, started, server):
        return seconds_until(lambda: runs_listed(port) == expected, server, started, "list every run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="as `wordlab serve --workers`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.copies):
            shutil.copytree(DEFAULT_RUNS_DIR / "default", Path(tmp) / f"run{i}")
        for name in DEFAULT_RUNS:   # present, so that serve has none to train first
            shutil.copytree(DEFAULT_RUNS_DIR / name, Path(tmp) / name)
        listed = args.copies + len(DEFAULT_RUNS)
        times = [one_start(Path(tmp), listed, args.workers) for _ in range(args.repeat)]
    print(f"{listed} runs present, {args.workers} workers; start → first /api/runs listing all: "
          f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {args.repeat} starts (target ≤ 1 s)")


if __name__ == "__main__":
    main()
