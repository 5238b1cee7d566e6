"""Hostile clients and hostile shared files against a local `wordlab serve`: what one student on the LAN
(or one run copied from someone) could try, each attack bounded in time.

Usage: python bench/hostile.py [--workers 2] [--connections 2000] [--seconds 10] [--only NAME ...]
Starts the server on 127.0.0.1 (loopback only) over a copy of the default runs and tokenizer, to which
it adds hostile files: a run whose step chunks carry a compressible extra column, a run with a gzip bomb
(a chunk over its inflate limit, its hash matching), a run with a 200,000-word vocabulary, a manifest
listing 100,000 files, a valid 200,000-merge tokenizer and a 40 MB tokenizer file. Then, one attack at a
time (from a process of its own, connecting from 127.0.0.2: another computer of the class), a
well-behaved student on 127.0.0.1 (a fresh connection every 100 ms asking /api/health, a short tokenize
and a neighbours query in turn) measures the worst latency and the failures meanwhile, and /proc gives each
worker's resident memory: its peak growth during the attack and what it still holds 2 s after, the worst
worker of the two, and the CPU time the workers spent (all of them; on a shared machine a steadier figure
than the worst latency), with the load average after the attack. Goal (#22): growth ≤ 256 MB a worker and
probes ≤ 200 ms.
"""

import argparse
import contextlib
import gzip
import hashlib
import multiprocessing
import os
import platform
import random
import resource
import shutil
import socket
import string
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
from safetensors.numpy import save

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend import settings  # noqa: E402
from bench.load import health_ok  # noqa: E402
from bench.server import seconds_until, server_process  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.bpe.train import BYTE_TOKENS  # noqa: E402
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR  # noqa: E402
from trainer.teaching_run import ensure_default_runs  # noqa: E402

LETTERS = string.ascii_lowercase
MB = 1 << 20


# -- the hostile files ----------------------------------------------------------------------------

def replace(run: Path, relpath: str, data: bytes, manifest: dict) -> None:
    (run / relpath).parent.mkdir(parents=True, exist_ok=True)
    (run / relpath).write_bytes(data)
    manifest["files"][relpath] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def hostile_run(runs: Path, name: str, change: Callable[[Path, dict], None]) -> None:
    run = runs / name
    shutil.copytree(runs / "default", run)
    manifest = orjson.loads((run / "run.json").read_bytes())
    change(run, manifest)
    manifest["name"] = name
    (run / "run.json").write_bytes(orjson.dumps(manifest))


def padded_chunks(run: Path, manifest: dict) -> None:
    """Every step chunk with a column of zeros that inflates to about 3/4 of the step-chunk limit."""
    numbers = settings.MAX_INFLATED_BYTES["steps/"] * 3 // 4 // 2
    for relpath in manifest["chunks"]["steps"]:
        chunk = orjson.loads(gzip.decompress((run / relpath).read_bytes()))
        chunk["columns"]["padding"] = [[0] * (numbers // chunk["records"])] * chunk["records"]
        replace(run, relpath, gzip.compress(orjson.dumps(chunk), 1, mtime=0), manifest)


def gzip_bomb(run: Path, manifest: dict, inflated: int = 1 << 30) -> None:
    """The first step chunk: 1 MB that inflates to 1 GiB of spaces, its hash in the manifest."""
    compressor, spaces = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS), b" " * MB
    bomb = b"".join(compressor.compress(spaces) for _ in range(inflated // MB)) + compressor.flush()
    replace(run, manifest["chunks"]["steps"][0], bomb, manifest)


def large_vocabulary(run: Path, manifest: dict, words: int = 200_000) -> None:
    rng = np.random.default_rng(0)
    vocab = sorted({"".join(rng.choice(list(LETTERS), int(rng.integers(3, 12)))) for _ in range(words * 2)})[:words]
    dim = manifest["sizes"]["dim"]
    replace(run, "vocab.json", orjson.dumps({"words": vocab, "counts": [1] * len(vocab)}), manifest)
    weights = {"W": rng.normal(size=(len(vocab), dim)).astype(np.float32),
               "W_prime": rng.normal(size=(dim, len(vocab))).astype(np.float32)}
    replace(run, "model.safetensors", save(weights), manifest)
    manifest["sizes"]["vocab"] = len(vocab)


def many_files(run: Path, manifest: dict) -> None:
    entry = manifest["files"]["vocab.json"]
    manifest["files"].update({f"x/{i:06d}.json": entry for i in range(100_000)})


def merge_tokenizer(path: Path, merges: int = 200_000) -> None:
    """A valid tokenizer file with `merges` merges (letters joined into ever longer strings)."""
    vocab = [*BYTE_TOKENS, *LETTERS]
    ids, rows = {t: i for i, t in enumerate(vocab)}, []
    frontier = list(LETTERS)
    while len(rows) < merges:
        grown = []
        for prefix in frontier:
            for letter in LETTERS:
                if len(rows) == merges:
                    break
                ids[prefix + letter] = len(vocab)
                rows.append([ids[prefix], ids[letter], len(vocab), 1])
                vocab.append(prefix + letter)
                grown.append(prefix + letter)
        frontier = grown
    from trainer.bpe.pretokenize import END_OF_WORD, PIECE_PATTERN

    path.write_bytes(orjson.dumps({
        "format_version": 1, "kind": "bpe", "name": path.stem,
        "settings": {"pattern": PIECE_PATTERN, "end_of_word": END_OF_WORD, "byte_fallback": True,
                     "vocab_size": len(vocab), "base_size": 256 + len(LETTERS), "merges": merges},
        "meta": {"corpus": "synthetic"}, "vocab": vocab, "merges": rows}))


def hostile_data(root: Path) -> tuple[Path, Path]:
    runs, tokenizers = root / "runs", root / "tokenizers"
    for name in ("default", "default-sgns"):
        shutil.copytree(DEFAULT_RUNS_DIR / name, runs / name)
    shutil.copytree(DEFAULT_TOKENIZERS_DIR, tokenizers)
    hostile_run(runs, "padded", padded_chunks)
    hostile_run(runs, "bomb", gzip_bomb)
    hostile_run(runs, "large", large_vocabulary)
    hostile_run(runs, "many", many_files)
    merge_tokenizer(tokenizers / "merges200k.json")
    (tokenizers / "huge.json").write_bytes(b'{"vocab": [' + b'"aaaaaaaa",' * (40 * MB // 11) + b'"a"]}')
    return runs, tokenizers


# -- clients --------------------------------------------------------------------------------------

def request(method: str, path: str, body: bytes = b"", extra: str = "") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n{extra}"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


ATTACKER = ("127.0.0.2", 0)  # another machine of the class, as the server sees it (loopback: 127.0.0.0/8)


def connect(port: int, timeout: float | None = None, source: tuple | None = ATTACKER) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=source)


def answer(port: int, data: bytes, timeout: float = 10, source: tuple | None = ATTACKER) -> bytes:
    """One request on a fresh connection; the whole answer (the server closes: Connection: close)."""
    with connect(port, timeout, source) as s:
        s.sendall(data)
        received = b""
        with contextlib.suppress(OSError):
            while chunk := s.recv(1 << 16):
                received += chunk
        return received


PROBES = [request("GET", "/api/health", extra="Connection: close\r\n"),
          request("POST", "/api/tokenize", orjson.dumps({"text": "The cat sat on the mat."}), "Connection: close\r\n"),
          request("GET", "/api/runs/default/neighbors?word=king", extra="Connection: close\r\n")]


def probe(port: int, stop: threading.Event, results: list) -> None:
    """A student's requests in turn, every 100 ms while the attack runs: (seconds, ok)."""
    for i in range(1 << 30):
        if stop.is_set():
            return
        started = time.perf_counter()
        try:
            ok = answer(port, PROBES[i % len(PROBES)], source=None).startswith(b"HTTP/1.1 200")
        except OSError:
            ok = False
        results.append((time.perf_counter() - started, ok))
        stop.wait(0.1)


def workers_of(server_pid: int) -> list[int]:
    """The server's worker processes (uvicorn's, children of `wordlab serve`), the largest ones: a spawned
    helper (multiprocessing's resource tracker) is left out."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == server_pid:
                found.append(int(entry.name))
    return sorted(pid for pid in found if rss_mb(pid) > 40)


def rss_mb(pid: int) -> float:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB
    except (OSError, ValueError, IndexError):
        return float("nan")


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far: what an attack cost a worker, less noisy than a latency
    on a shared machine."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def sample_rss(pids: list[int], stop: threading.Event, peaks: dict) -> None:
    while not stop.wait(0.1):
        for pid in pids:
            peaks[pid] = max(peaks.get(pid, 0.0), rss_mb(pid))


def in_threads(count: int, work: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def until(seconds: float) -> Callable[[], bool]:
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() < deadline


# -- attacks: each (port, connections, seconds) → sockets to close afterwards ------------------------

def no_attack(port, n, seconds):
    """The student alone: the baseline of the machine as it is."""
    time.sleep(seconds)
    return []


def idle(port, n, seconds):
    connections = [connect(port) for _ in range(n)]
    time.sleep(seconds)
    return connections


def slow_heads(port, n, seconds):
    connections = [connect(port) for _ in range(n)]
    head, going = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100, until(seconds)
    for i in range(len(head)):
        if not going():
            break
        for s in connections:
            with contextlib.suppress(OSError):
                s.send(head[i:i + 1])
        time.sleep(1)
    return connections


def one_after_another(port, n, seconds, parts: Callable[[], list[bytes]]):
    connections, going = [], until(seconds)
    while going() and len(connections) < n:
        s = connect(port, 5)
        with contextlib.suppress(OSError):  # the server may answer and close while this still sends
            for part in parts():
                s.sendall(part)
        connections.append(s)
    return connections


def huge_heads(port, n, seconds):
    line = b"X-Big: " + b"a" * (10 * MB) + b"\r\n"
    return one_after_another(port, 20, seconds, lambda: [b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + line])


def chunked_floods(port, n, seconds):
    chunk = b"1," * (512 << 10)
    head = request("POST", "/api/decode", extra="Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
    return one_after_another(port, 20, seconds, lambda: [head] + [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 20)


def trailers(port, n, seconds):
    """Two connections at a time sending a one-chunk body, then trailer lines without end."""
    head = request("POST", "/api/decode", extra="Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
    line, going = b"X-T: " + b"a" * 4090 + b"\r\n", until(seconds)

    def flood(_):
        while going():
            with contextlib.suppress(OSError), connect(port, 5) as s:
                s.sendall(head + b"b\r\n{\"ids\":[1]}\r\n0\r\n")
                while going():
                    s.sendall(line * 64)
    in_threads(2, flood)
    return []


def never_read(port, n, seconds):
    """300 clients each asking for a 99 KB tokenize (a 3.3 MB answer) and reading none of it."""
    text = "".join(random.Random(5).choice(LETTERS + " ") for _ in range(99_000))
    body = orjson.dumps({"text": text})
    connections, going = [], until(seconds)
    for _ in range(300):
        if not going():
            break
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(ATTACKER)
        s.connect(("127.0.0.1", port))
        s.sendall(request("POST", "/api/tokenize", body))
        connections.append(s)
    time.sleep(max(0.0, seconds - 0.5))
    return connections


def half_bodies(port, n, seconds):
    """n connections, each sending 999,000 bytes of a declared 999,999-byte body, then nothing."""
    head, piece, going = request("POST", "/api/tokenize", extra="Content-Type: application/json\r\n"
                                 "Content-Length: 999999\r\n"), b"x" * 999_000, until(seconds)
    connections = []
    for _ in range(n):
        if not going():
            break
        with contextlib.suppress(OSError):
            s = connect(port, 2)
            connections.append(s)
            s.sendall(head + piece)
    while going():
        time.sleep(0.1)
    return connections


def pipelined(port, n, seconds):
    """200 connections, each writing 500 requests at once."""
    burst = request("GET", "/api/health") * 500
    return one_after_another(port, 200, seconds, lambda: [burst])


def distinct_long_texts(port, n, seconds):
    """100 distinct 99 KB texts of words at once from one client, again until the time is up: the unit
    caches would fill with every word, and the long encodes would take the worker."""
    rng, going = random.Random(7), until(seconds)
    texts = [" ".join("".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 9))) for _ in range(15_000))[:99_000]
             for _ in range(20)]

    def send(i):
        j = i
        while going():
            with contextlib.suppress(OSError):
                answer(port, request("POST", "/api/tokenize",
                                     orjson.dumps({"text": texts[j % 20] + str(j)}), "Connection: close\r\n"), 30)
            j += 100
    in_threads(100, send)
    return []


def chunk_scrub(port, n, seconds):
    """Every step of the padded run, by 8 clients: each chunk parses to ~3/4 of its kind's limit."""
    steps = orjson.loads((DATA[0] / "padded" / "step_index.json").read_bytes())["steps"]
    chunk_size = orjson.loads((DATA[0] / "padded" / "run.json").read_bytes())["chunk_size"]
    going = until(seconds)

    def scrub(i):
        for step in steps[i * chunk_size::8 * chunk_size] * 100:
            if not going():
                return
            with contextlib.suppress(OSError):
                answer(port, request("GET", f"/api/runs/padded/steps/{step}", extra="Connection: close\r\n"), 30)
    in_threads(8, scrub)
    return []


def asking(port: int, seconds: float, clients: int, next_request: Callable[[int], bytes], timeout: float = 30):
    """`clients` threads, each sending next_request(its number) on a fresh connection until the time is up."""
    going = until(seconds)

    def ask(i):
        while going():
            with contextlib.suppress(OSError):
                answer(port, next_request(i), timeout)
    in_threads(clients, ask)
    return []


def gzip_bombs(port, n, seconds):
    chunk = orjson.loads((DATA[0] / "bomb" / "run.json").read_bytes())["chunks"]["steps"][0]
    return asking(port, seconds, 6, lambda i: request(
        "GET", f"/api/runs/bomb/files/{chunk}",
        extra=f"Accept-Encoding: {'identity' if i % 2 else 'gzip'}\r\nConnection: close\r\n"))


def unknown_words(port, n, seconds):
    """Unknown words on the 200,000-word run, from 8 clients."""
    rng = random.Random(3)
    return asking(port, seconds, 8, lambda _: request(
        "GET", f"/api/runs/large/neighbors?word={''.join(rng.choice(LETTERS) for _ in range(9))}",
        extra="Connection: close\r\n"))


def tokenizer_files(port, n, seconds):
    """Listing (a 40 MB file among them) and the 200,000-merge tokenizer's merges, over and over."""
    return asking(port, seconds, 4, lambda i: request(
        "GET", "/api/tokenizers" if i % 2 else "/api/tokenizers/merges200k",
        extra="Accept-Encoding: gzip\r\nConnection: close\r\n"))


def run_listing(port, n, seconds):
    """The run list (a manifest of 100,000 files among the runs) by 4 clients."""
    return asking(port, seconds, 4, lambda _: request("GET", "/api/runs", extra="Connection: close\r\n"))


ATTACKS = {
    "none": ("no attack (the baseline)", no_attack),
    "idle": ("idle connections ×N", idle), "slow-heads": ("slow heads (1 byte/s) ×N", slow_heads),
    "huge-heads": ("huge heads (10 MB line) ×20", huge_heads),
    "chunked": ("chunked floods (20 MB body) ×20", chunked_floods),
    "trailers": ("chunk trailers without end ×2", trailers),
    "never-read": ("3.3 MB answers never read ×300", never_read),
    "half-bodies": ("999,000 of 999,999 body bytes ×N", half_bodies),
    "pipelined": ("500 pipelined requests ×200", pipelined),
    "long-texts": ("distinct 99 KB texts, 100 at once", distinct_long_texts),
    "chunk-scrub": ("scrub a run of padded chunks ×8", chunk_scrub),
    "gzip-bomb": ("gzip bomb chunk, gzip or not ×6", gzip_bombs),
    "unknown-words": ("unknown words, 200k vocabulary ×8", unknown_words),
    "tokenizers": ("200k-merge and 40 MB tokenizers ×4", tokenizer_files),
    "run-list": ("run list with 100,000-file manifest ×4", run_listing),
}
DATA: tuple[Path, Path] = (Path(), Path())  # set before the attackers are forked
FORK = multiprocessing.get_context("fork")


def attack_and_close(attack, port: int, connections: int, seconds: float) -> None:
    for s in attack(port, connections, seconds):
        s.close()


def main() -> None:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--only", nargs="*", choices=list(ATTACKS), help="these attacks only")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 1024), hard))  # the server starts at the common default
    ensure_default_runs(DEFAULT_RUNS_DIR)
    ensure_default_tokenizer(DEFAULT_TOKENIZERS_DIR)
    with tempfile.TemporaryDirectory(prefix="wordlab-hostile-") as root:
        DATA = hostile_data(Path(root))
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load "
              f"average {os.getloadavg()[0]:.1f}; wordlab serve --workers {args.workers}, soft open-files limit "
              f"1024 at start; {args.seconds:g} s an attack")
        with server_process(DATA[0], DATA[1], args.workers) as (port, started, server):
            seconds_until(lambda: health_ok(port), server, started, "answer")
            for _ in range(4 * args.workers):  # what a student's first requests load (tokenizer, kernel, run)
                for data in PROBES:
                    answer(port, data, 60, source=None)
            time.sleep(1)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.connections + 1024), hard))  # the attacker's
            print(f"{'attack':<42}{'probes':>7}{'failed':>7}{'worst ms':>9}{'peak +MB':>9}{'after +MB':>10}"
                  f"{'workers':>8}{'CPU s':>7}  load")
            for key in args.only or ATTACKS:
                name, attack = ATTACKS[key]
                pids = workers_of(server.pid)
                before = {pid: rss_mb(pid) for pid in pids}
                cpu_before = sum(cpu_seconds(pid) for pid in pids)
                stop, results, peaks = threading.Event(), [], dict(before)
                threads = [threading.Thread(target=probe, args=(port, stop, results)),
                           threading.Thread(target=sample_rss, args=(pids, stop, peaks))]
                for t in threads:
                    t.start()
                attacker = FORK.Process(target=attack_and_close, args=(attack, port, args.connections, args.seconds))
                attacker.start()  # a process of its own: its threads must not hold the probe's GIL
                attacker.join(args.seconds + 120)
                stop.set()
                cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
                for t in threads:
                    t.join()
                time.sleep(2)
                after = {pid: rss_mb(pid) for pid in pids}
                same = workers_of(server.pid) == pids
                failed = sum(not ok for _, ok in results)
                worst = max((t for t, _ in results), default=0) * 1e3
                peak = max(peaks[pid] - before[pid] for pid in pids)
                held = max(after[pid] - before[pid] for pid in pids)
                print(f"{name.replace('N', f'{args.connections:,}'):<42}{len(results):>7}{failed:>7}{worst:>9.0f}"
                      f"{peak:>9.0f}{held:>10.0f}{'same' if same else 'NEW':>8}{cpu:>7.1f}  "
                      f"{os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
