"""Starts `wordlab serve` (what users run) on 127.0.0.1 for the benchmarks, and stops it."""

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server_process(runs_dir: Path, tokenizers_dir: Path, workers: int = 1):
    """Yields (port, started, process): the port it listens on and the perf_counter time it was started."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1",
                                "--port", str(port), "--workers", str(workers), "--runs", str(runs_dir),
                                "--tokenizers", str(tokenizers_dir)], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        yield port, started, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def seconds_until(ready, process: subprocess.Popen, started: float, what: str, limit: float = 20) -> float:
    """Polls `ready()` until it is true, pausing 10 ms after a refused connection; seconds since `started`."""
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise SystemExit("server exited during start-up")
        try:
            if ready():
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    raise SystemExit(f"server did not {what} within {limit:g} s")
