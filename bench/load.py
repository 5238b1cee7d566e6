"""Load test: a real `wordlab serve` on 127.0.0.1, N concurrent keep-alive clients, three routes.

Usage: python bench/load.py [--clients 50] [--requests 20000] [--seconds 30] [--workers N] [--think-ms 0]
Scenarios: tokenize (POST, a different 1 KB slice of the teaching corpus each request, so the
tokenizer's unit cache is warm but no response is repeated), neighbours (GET, a different word each
request), step chunk (GET a 370 KB gzipped step chunk, as the walkthrough page does).
Closed loop: each client sends its next request when the previous answer is complete, after a
pause drawn uniformly from 0 to 2 × --think-ms (seeded), so that clients do not fire in lockstep.
Every loop is bounded by --requests and --seconds and traffic goes to loopback only.
The client is a minimal callback-driven HTTP/1.1 client on uvloop; it shares the machine's cores
with the server, so it reports the CPU it took ("client CPU": 100% is one core).
"""

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.settings import DEFAULT_WORKERS
from bench.server import seconds_until, server_process
from trainer.config import (
    DEFAULT_CORPUS,
    DEFAULT_RUNS_DIR,
    DEFAULT_TOKENIZERS_DIR,
    resolve_corpus,
)


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


class Connection(asyncio.BufferedProtocol):
    """One keep-alive client driven by callbacks (no coroutine switch per request) that reads into one
    reused buffer and counts body bytes without keeping them: the client takes as little as it can of
    the CPU it shares with the server."""

    def __init__(self, load: "Load"):
        self.load = load
        self.received = bytearray(1 << 20)
        self.buffer = memoryview(self.received)
        self.head = b""  # a response head split over two reads (rare)
        self.body_left = None  # bytes of the current answer's body still to come; None while reading the head
        self.status = 0
        self.started = 0.0

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.send_next()

    def send_next(self) -> None:
        if not self.load.take():
            self.transport.close()
            return
        self.started = time.perf_counter()
        self.transport.write(self.load.make_request())

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.buffer

    def buffer_updated(self, nbytes: int) -> None:
        body = nbytes
        if self.body_left is None:
            end = self.received.find(b"\r\n\r\n", 0, nbytes)
            if end < 0 or self.head:
                self.head += bytes(self.buffer[:nbytes])
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    return
                head, body = self.head[:end], len(self.head) - end - 4
                self.head = b""
            else:
                head, body = bytes(self.buffer[:end]), nbytes - end - 4
            head = head.lower()
            self.status = int(head[9:12])
            length = [line[15:] for line in head.split(b"\r\n") if line.startswith(b"content-length:")]
            self.body_left = int(length[0]) if length else 0  # the server always sends a length (tested)
        self.body_left -= body
        if self.body_left <= 0:  # keep-alive without pipelining: nothing follows the body
            self.body_left = None
            self.load.done(time.perf_counter() - self.started, self.status)
            if self.load.think:
                asyncio.get_running_loop().call_later(self.load.random.uniform(0, 2 * self.load.think), self.send_next)
            else:
                self.send_next()

    def connection_lost(self, exc) -> None:
        if self.body_left is not None or self.head:
            self.load.done(time.perf_counter() - self.started, 0)  # cut off mid-answer: an error
        self.load.closed()


class Load:
    """The shared budget of one scenario and what it measured."""

    def __init__(self, make_request, clients: int, requests: int, seconds: float, think: float):
        self.make_request, self.clients, self.left, self.think = make_request, clients, requests, think
        self.deadline = time.perf_counter() + seconds
        self.random = random.Random(0)
        self.latencies: list[float] = []
        self.errors = 0
        self.finished = asyncio.get_running_loop().create_future()

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True

    def done(self, latency: float, status: int) -> None:
        self.latencies.append(latency)
        self.errors += status != 200

    def closed(self) -> None:
        self.clients -= 1
        if self.clients == 0:
            self.finished.set_result(None)


async def scenario(port: int, make_request, clients: int, requests: int, seconds: float, think: float) -> dict:
    load = Load(make_request, clients, requests, seconds, think)
    loop = asyncio.get_running_loop()
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(clients):
        await loop.create_connection(lambda: Connection(load), "127.0.0.1", port)
    await load.finished
    elapsed = time.perf_counter() - started
    latencies = sorted(load.latencies)
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": load.errors,
            "client_cpu": (time.process_time() - cpu_started) / elapsed,
            "p50": statistics.median(latencies) * 1e3,
            "p90": latencies[int(0.90 * len(latencies))] * 1e3,
            "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1e3}


def run_loop(coroutine):
    """uvloop (installed with uvicorn[standard]) where there is one: the lighter client loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def rotating(items):
    state = {"i": 0}

    def next_item():
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]
    return next_item


def health_ok(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
        s.sendall(request_bytes("GET", "/api/health"))
        return b"200 OK" in s.recv(1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20000, help="per scenario")
    parser.add_argument("--seconds", type=float, default=30, help="per scenario, at most")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="as `wordlab serve --workers` (default, as there: the cores, at most 4)")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause between a client's requests")
    parser.add_argument("--run", default="default")
    args = parser.parse_args()

    manifest = orjson.loads((DEFAULT_RUNS_DIR / args.run / "run.json").read_bytes())
    vocab = orjson.loads((DEFAULT_RUNS_DIR / args.run / "vocab.json").read_bytes())["words"]
    text = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")
    slices = [text[i:i + 1024] for i in range(0, len(text) - 1024, 97)]
    tokenize = rotating([request_bytes("POST", "/api/tokenize", orjson.dumps({"text": s})) for s in slices])
    neighbours = rotating([request_bytes("GET", f"/api/runs/{args.run}/neighbors?word={w}&k=10") for w in vocab])
    chunk = manifest["chunks"]["steps"][len(manifest["chunks"]["steps"]) // 2]
    step_chunk = rotating([request_bytes("GET", f"/api/runs/{args.run}/files/{chunk}")])

    with server_process(DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, args.workers) as (
            port, started, server):
        startup = seconds_until(lambda: health_ok(port), server, started, "answer")
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"wordlab serve --workers {args.workers}; "
              f"server up in {startup:.2f} s (process start to first answer)")
        print(f"{args.clients} concurrent clients, closed loop, think time {args.think_ms:g} ms, "
              f"≤ {args.requests} requests or {args.seconds:g} s per scenario")
        print(f"{'scenario':<30}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}{'client CPU':>12}")
        for name, make in [("tokenize (1 KB text)", tokenize), ("neighbours (k=10)", neighbours),
                           (f"step chunk ({chunk})", step_chunk)]:
            run_loop(scenario(port, make, args.clients, min(300, args.requests), 5, 0))  # warm-up
            r = run_loop(scenario(port, make, args.clients, args.requests, args.seconds, args.think_ms / 1e3))
            print(f"{name:<30}{r['requests']:>9}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p90']:>9.2f}{r['p99']:>9.2f}{r['errors']:>8}{r['client_cpu']:>11.0%}")


if __name__ == "__main__":
    main()
