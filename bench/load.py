"""Load test: a real `wordlab serve` on 127.0.0.1, beside the peer a user would write instead.

Usage: python bench/load.py [--clients 50] [--requests 20000] [--seconds 30] [--workers N]
                            [--students 200] [--class-seconds 60] [--trainers 0] [--only classroom|stress]
Classroom: --students keep-alive connections, each a student who opens the walkthrough (the page,
the run list, the manifest, step chunks one after another as the slider is scrubbed) and then types
on the token page as the page sends it: a tokenize request every 120 ms while typing (its throttle;
60 ms a character, so two characters more each time) for a burst of 40-120 characters, then the
pipeline request once typing pauses; a pause of 1-5 s (seeded) between everything else. They join
over the first 5 s. Target: p99 ≤ 10 ms, 0 errors. With --trainers N, N more students meanwhile train a
BPE on the token page (POST /api/bpe/train: 100 KB of text, 1,000 merges), again and again after a pause
of 1-5 s; their answers are timed apart, and the typing class must keep its p99.
Stress: --clients connections back to back (no pause) on three routes: tokenize (a different 1 KB
slice of the teaching corpus each request), neighbors (a different word each request), one 370 KB
gzipped step chunk; and the peer, a plain FastAPI app over Hugging Face `tokenizers`
(bench/peer_app.py, `uvicorn --workers 2`), on the same tokenize load.
Every loop is bounded by requests and seconds, and traffic goes to loopback only. The client is a
minimal callback-driven HTTP/1.1 client on uvloop; it shares the machine's cores with the server,
so it reports the CPU it took ("client CPU": 100% is one core).
"""

import argparse
import asyncio
import contextlib
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.settings import DEFAULT_WORKERS  # noqa: E402
from bench.server import free_port, seconds_until, server_process  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.config import DEFAULT_CORPUS, DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, resolve_corpus  # noqa: E402
from trainer.teaching_run import ensure_default_runs  # noqa: E402


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


class Connection(asyncio.BufferedProtocol):
    """One keep-alive client driven by callbacks (no coroutine switch per request) that reads into one
    reused buffer and counts body bytes without keeping them: the client takes as little as it can of
    the CPU it shares with the server."""

    def __init__(self, load: "Load", script):
        self.load = load
        self.script = script  # () -> (the next request's bytes, the pause after it: None for the scenario's)
        self.pause_after = None
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
        request, self.pause_after = self.script()
        self.transport.write(request)

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
            pause = self.load.pause() if self.pause_after is None else self.pause_after
            if pause:
                asyncio.get_running_loop().call_later(pause, self.send_next)
            else:
                self.send_next()

    def connection_lost(self, exc) -> None:
        if self.body_left is not None or self.head:
            self.load.done(time.perf_counter() - self.started, 0)  # cut off mid-answer: an error
        self.load.closed()


class Load:
    """The shared budget of one scenario and what it measured."""

    def __init__(self, clients: int, requests: int, seconds: float, pauses: tuple[float, float] | None):
        self.clients, self.left, self.pauses = clients, requests, pauses
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

    def pause(self) -> float:
        return self.random.uniform(*self.pauses) if self.pauses else 0

    def done(self, latency: float, status: int) -> None:
        self.latencies.append(latency)
        self.errors += status != 200

    def closed(self) -> None:
        self.clients -= 1
        if self.clients == 0:
            self.finished.set_result(None)


async def scenario(port: int, scripts: list, requests: int, seconds: float,
                   pauses: tuple[float, float] | None = None, join_over: float = 0) -> dict:
    """One connection per script; `join_over` seconds: the connections open spread over that time."""
    load = Load(len(scripts), requests, seconds, pauses)
    loop = asyncio.get_running_loop()
    started, cpu_started = time.perf_counter(), time.process_time()
    for script in scripts:
        if join_over:
            await asyncio.sleep(join_over / len(scripts))
        await loop.create_connection(lambda script=script: Connection(load, script), "127.0.0.1", port)
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


def rotating(items, start: int = 0):
    """Requests in turn, each as (bytes, pause after it): an item is bytes (the scenario's pause) or a pair."""
    state = {"i": start}

    def next_item():
        state["i"] = (state["i"] + 1) % len(items)
        item = items[state["i"]]
        return item if isinstance(item, tuple) else (item, None)
    return next_item


TYPING_THROTTLE_S = 0.12     # frontend/js/tokens.js THROTTLE_MS: a tokenize request at most this often while typing
CHARACTERS_PER_REQUEST = 2   # typing at 60 ms a character


def student(run: str, manifest: dict, text: str, seed: int):
    """One student's requests, in the order the pages send them, over and over."""
    rng = random.Random(seed)
    chunks = manifest["chunks"]["steps"]
    first = rng.randrange(len(chunks))
    start = rng.randrange(0, len(text) - 2000)
    typed = text[start:start + rng.randint(40, 120)]
    visit = [request_bytes("GET", "/walkthrough.html"), request_bytes("GET", "/api/runs"),
             request_bytes("GET", f"/api/runs/{run}")]
    visit += [request_bytes("GET", f"/api/runs/{run}/files/{chunks[(first + i) % len(chunks)]}") for i in range(4)]
    visit += [request_bytes("GET", "/tokens.html"), request_bytes("GET", "/api/tokenizers")]
    visit += [(request_bytes("POST", "/api/tokenize", orjson.dumps({"text": typed[:end]})), TYPING_THROTTLE_S)
              for end in range(CHARACTERS_PER_REQUEST, len(typed) + 1, CHARACTERS_PER_REQUEST)]
    visit += [request_bytes("POST", "/api/tokenize/pipeline", orjson.dumps({"text": typed})),
              request_bytes("POST", "/api/tokenize/merges", orjson.dumps({"text": typed}))]
    return rotating(visit, start=-1)


TRAINING_MERGES = 1000
TRAINING_BYTES = 100_000


def training_text(seed: int) -> str:
    """About 100 KB of English prose (trainer/bpe/english_text.py), different for each student."""
    from trainer.bpe.english_text import english_text, english_words

    words = english_words(20_000)
    text = english_text(20_000, seed=seed, word_list=words).encode()[:TRAINING_BYTES]
    return text.decode("utf-8", "ignore")


def trainer_student(seed: int):
    """A student training a BPE on the token page, over and over."""
    body = orjson.dumps({"text": training_text(seed), "merges": TRAINING_MERGES})
    return rotating([request_bytes("POST", "/api/bpe/train", body)], start=-1)


async def class_and_trainers(port: int, students: list, trainers: list, seconds: float) -> tuple[dict, dict | None]:
    """The typing class and the training students at the same time, each timed on its own."""
    runs = [scenario(port, students, 10**9, seconds, pauses=(1, 5), join_over=5)]
    if trainers:
        runs.append(scenario(port, trainers, 10**9, seconds, pauses=(1, 5), join_over=2))
    results = await asyncio.gather(*runs)
    return results[0], (results[1] if trainers else None)


@contextlib.contextmanager
def peer_process(workers: int = 2):
    """The peer app under `uvicorn --workers`: what a user would write with HF tokenizers."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.peer_app:app", "--host", "127.0.0.1",
                                "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                                "--no-access-log"], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        yield port, started, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def row(name: str, r: dict) -> str:
    return (f"{name:<34}{r['requests']:>9}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p90']:>9.2f}{r['p99']:>9.2f}"
            f"{r['errors']:>8}{r['client_cpu']:>11.0%}")


HEADER = (f"{'scenario':<34}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'client CPU':>12}")


def health_ok(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
        s.sendall(request_bytes("GET", "/api/health"))
        return b"200 OK" in s.recv(1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="stress: connections back to back")
    parser.add_argument("--requests", type=int, default=20000, help="stress: per scenario")
    parser.add_argument("--seconds", type=float, default=30, help="stress: per scenario, at most")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--class-seconds", type=float, default=60)
    parser.add_argument("--trainers", type=int, default=0, help="classroom: students training a BPE meanwhile")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="as `wordlab serve --workers` (default, as there: the cores, at most 4)")
    parser.add_argument("--only", choices=["classroom", "stress"])
    parser.add_argument("--run", default="default")
    args = parser.parse_args()

    ensure_default_runs(DEFAULT_RUNS_DIR)
    ensure_default_tokenizer(DEFAULT_TOKENIZERS_DIR)
    manifest = orjson.loads((DEFAULT_RUNS_DIR / args.run / "run.json").read_bytes())
    vocab = orjson.loads((DEFAULT_RUNS_DIR / args.run / "vocab.json").read_bytes())["words"]
    text = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")
    slices = [text[i:i + 1024] for i in range(0, len(text) - 1024, 97)]
    tokenize = [request_bytes("POST", "/api/tokenize", orjson.dumps({"text": s})) for s in slices]
    neighbors = [request_bytes("GET", f"/api/runs/{args.run}/neighbors?word={w}&k=10") for w in vocab]
    chunk = manifest["chunks"]["steps"][len(manifest["chunks"]["steps"]) // 2]
    step_chunk = [request_bytes("GET", f"/api/runs/{args.run}/files/{chunk}")]

    def stress(port: int, items: list) -> dict:
        run_loop(scenario(port, [rotating(items, i) for i in range(args.clients)], min(300, args.requests), 5))
        return run_loop(scenario(port, [rotating(items, i) for i in range(args.clients)], args.requests, args.seconds))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with server_process(DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, args.workers) as (port, started, server):
        startup = seconds_until(lambda: health_ok(port), server, started, "answer")
        print(f"wordlab serve --workers {args.workers}: up in {startup:.2f} s (process start to first answer)")
        print(HEADER)
        if args.only != "stress":
            students = [student(args.run, manifest, text, seed) for seed in range(args.students)]
            trainers = [trainer_student(seed) for seed in range(args.trainers)]
            r, trained = run_loop(class_and_trainers(port, students, trainers, args.class_seconds))
            training = f", {args.trainers} training" if trainers else ""
            print(row(f"classroom ({args.students} students, typing){training}", r))
            if trained:
                print(row(f"  the {args.trainers} training (100 KB, {TRAINING_MERGES:,} merges)", trained))
        if args.only != "classroom":
            for name, items in [("tokenize (1 KB text)", tokenize), ("neighbors (k=10)", neighbors),
                                (f"step chunk ({chunk})", step_chunk)]:
                print(row(f"{name}, {args.clients} back to back", stress(port, items)))
    if args.only != "classroom":
        with peer_process() as (port, started, peer):
            seconds_until(lambda: health_ok(port), peer, started, "answer", limit=60)
            print(row(f"peer: HF tokenizers + FastAPI, 2 workers: tokenize, {args.clients} back to back",
                      stress(port, tokenize)))


if __name__ == "__main__":
    main()
