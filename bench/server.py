"""Starts a real uvicorn process of the app on 127.0.0.1 for the benchmarks, and stops it."""

import contextlib
import os
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
def uvicorn_process(runs_dir: Path, tokenizers_dir: Path, workers: int = 1):
    """Yields (port, started): the port it listens on and the perf_counter time the process was started."""
    port = free_port()
    env = {**os.environ, "WORDLAB_RUNS_DIR": str(runs_dir), "WORDLAB_TOKENIZERS_DIR": str(tokenizers_dir)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "backend.app:app_from_env", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                                "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    try:
        yield port, started, process
    finally:
        process.terminate()
        process.wait(timeout=10)
