"""Load test: a real uvicorn process on 127.0.0.1, N concurrent keep-alive clients, three routes.

Usage: python bench/load.py [--clients 50] [--requests 3000] [--seconds 30] [--workers 1] [--think-ms 0]
Scenarios: tokenize (POST, a different 1 KB slice of the teaching corpus each request, so the
tokenizer's piece cache is warm but no response is repeated), neighbours (GET, a different word each
request), step chunk (GET a 370 KB gzipped step chunk, as the walkthrough page does).
Closed loop: each client sends its next request when the previous answer is complete, after a
pause drawn uniformly from 0 to 2 × --think-ms (seeded), so that clients do not fire in lockstep. Every loop is bounded by --requests and --seconds and traffic goes to loopback only.
The client is a minimal asyncio HTTP/1.1 client, so that it takes little of the CPU it shares
with the server.
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
from bench.server import uvicorn_process  # noqa: E402
from trainer.config import DEFAULT_CORPUS, DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, resolve_corpus  # noqa: E402


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return status
    length = 0
    for line in headers.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def client(port: int, make_request, budget: dict, latencies: list, errors: list, think: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget["left"] > 0 and time.perf_counter() < budget["deadline"]:
            budget["left"] -= 1
            payload = make_request()
            started = time.perf_counter()
            writer.write(payload)
            status = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
            if think:
                await asyncio.sleep(budget["random"].uniform(0, 2 * think))
    finally:
        writer.close()


async def scenario(port: int, make_request, clients: int, requests: int, seconds: float, think: float) -> dict:
    latencies, errors = [], []
    budget = {"left": requests, "deadline": time.perf_counter() + seconds, "random": random.Random(0)}
    started = time.perf_counter()
    await asyncio.gather(*(client(port, make_request, budget, latencies, errors, think) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": len(errors),
            "p50": statistics.median(latencies) * 1e3,
            "p90": latencies[int(0.90 * len(latencies))] * 1e3,
            "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1e3}


def rotating(items):
    state = {"i": 0}

    def next_item():
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]
    return next_item


def wait_until_up(port: int, process, started: float) -> float:
    while time.perf_counter() - started < 20:
        if process.poll() is not None:
            raise SystemExit("server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(request_bytes("GET", "/api/health"))
                if b"200 OK" in s.recv(1024):
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise SystemExit("server did not answer within 20 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="per scenario")
    parser.add_argument("--seconds", type=float, default=30, help="per scenario, at most")
    parser.add_argument("--workers", type=int, default=1)
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

    with uvicorn_process(DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, args.workers) as (port, started, server):
        startup = wait_until_up(port, server, started)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"uvicorn workers: {args.workers}; server up in {startup:.2f} s (process start to first answer)")
        print(f"{args.clients} concurrent clients, closed loop, think time {args.think_ms:g} ms, "
              f"≤ {args.requests} requests or {args.seconds:g} s per scenario")
        print(f"{'scenario':<30}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for name, make in [("tokenize (1 KB text)", tokenize), ("neighbours (k=10)", neighbours),
                           (f"step chunk ({chunk})", step_chunk)]:
            asyncio.run(scenario(port, make, args.clients, min(300, args.requests), 5, 0))  # warm-up
            r = asyncio.run(scenario(port, make, args.clients, args.requests, args.seconds, args.think_ms / 1e3))
            print(f"{name:<30}{r['requests']:>9}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p90']:>9.2f}{r['p99']:>9.2f}{r['errors']:>8}")


if __name__ == "__main__":
    main()
