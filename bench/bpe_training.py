"""How long a student waits for a BPE trained on the token page: 100 KB of text, 1,000 merges.

Usage: python bench/bpe_training.py [--repeat 5] [--merges 1000]
Times POST /api/bpe/train on a real `wordlab serve` (one worker: its training process starts with the
first request, so the first answer is reported apart), and the training alone in this process
(trainer/bpe/replay.py: the CLI's trainer with the candidate pairs noted at each merge). Goal: ≤ 2 s.
The text is English prose written by trainer/bpe/english_text.py, a different one each time.
"""

import argparse
import http.client
import os
import statistics
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.settings import BPE_TRAIN_SECONDS  # noqa: E402
from bench.load import TRAINING_BYTES, training_text  # noqa: E402
from bench.server import seconds_until, server_process  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.bpe.replay import train_for_replay  # noqa: E402
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR  # noqa: E402
from trainer.teaching_run import ensure_default_runs  # noqa: E402


def post(port: int, body: bytes) -> tuple[float, int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("POST", "/api/bpe/train", body, {"Content-Type": "application/json", "Accept-Encoding": "gzip"})
    response = connection.getresponse()
    size = len(response.read())
    connection.close()
    return time.perf_counter() - started, response.status, size


def health(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    connection.request("GET", "/api/health")
    return connection.getresponse().status == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--merges", type=int, default=1000)
    args = parser.parse_args()
    ensure_default_runs(DEFAULT_RUNS_DIR)
    ensure_default_tokenizer(DEFAULT_TOKENIZERS_DIR)
    texts = [training_text(seed) for seed in range(args.repeat + 1)]
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores; text {TRAINING_BYTES:,} bytes, "
          f"{args.merges:,} merges, median of {args.repeat}")
    alone = []
    for text in texts[1:]:
        started = time.perf_counter()
        train_for_replay(text, args.merges, BPE_TRAIN_SECONDS)
        alone.append(time.perf_counter() - started)
    print(f"training alone (this process): {statistics.median(alone):.2f} s")
    with server_process(DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, 1) as (port, started, server):
        seconds_until(lambda: health(port), server, started, "answer")
        first, status, _ = post(port, orjson.dumps({"text": texts[0], "merges": args.merges}))
        assert status == 200, status
        answers = [post(port, orjson.dumps({"text": text, "merges": args.merges})) for text in texts[1:]]
        assert all(status == 200 for _, status, _ in answers)
        print(f"POST /api/bpe/train, first (starts the training process): {first:.2f} s")
        times, sizes = [a[0] for a in answers], [a[2] for a in answers]
        print(f"POST /api/bpe/train, then: median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
              f"answer {statistics.median(sizes) / 1024:.0f} KB gzipped")


if __name__ == "__main__":
    main()
