"""A hostile client against a local `wordlab serve`: what one student on the LAN could try, bounded.

Usage: python bench/hostile.py [--workers 2] [--connections 2000] [--seconds 15]
Starts the server on 127.0.0.1 (loopback only) and, one attack at a time, measures how a well-behaved
request fares meanwhile (/api/health over a fresh connection: its worst time and failures):
- idle: --connections connections opened and left silent;
- slow heads: --connections connections sending a head one byte a second;
- huge heads: 20 requests with a 10 MB header line;
- chunked floods: 20 chunked bodies of 20 MB each to /api/decode.
Then it reports how many of the attack's connections the server had closed by the end (its
deadlines), and the server's RSS. Every attack stops after --seconds.
"""

import argparse
import contextlib
import os
import platform
import resource
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend import settings  # noqa: E402
from bench.load import health_ok  # noqa: E402
from bench.server import seconds_until, server_process  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR  # noqa: E402
from trainer.teaching_run import ensure_default_runs  # noqa: E402


def probe(port: int, stop: threading.Event, results: list) -> None:
    """A student's request every 100 ms while the attack runs: (seconds, ok)."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
                ok = b" 200 " in s.recv(4096)
        except OSError:
            ok = False
        results.append((time.perf_counter() - started, ok))
        stop.wait(0.1)


def still_open(connections: list[socket.socket]) -> int:
    """Connections the server has not closed (a non-blocking read gets no EOF)."""
    count = 0
    for s in connections:
        s.setblocking(False)
        try:
            while s.recv(65536):  # an answer (431, 413) may come before the close
                pass
        except BlockingIOError:
            count += 1
        except OSError:
            pass
    return count


def idle(port: int, n: int, seconds: float) -> list[socket.socket]:
    connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    time.sleep(seconds)
    return connections


def slow_heads(port: int, n: int, seconds: float) -> list[socket.socket]:
    connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    head = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    deadline = time.monotonic() + seconds
    for i in range(len(head)):
        if time.monotonic() > deadline:
            break
        for s in connections:
            with contextlib.suppress(OSError):
                s.send(head[i:i + 1])
        time.sleep(1)
    return connections


def one_by_one(port: int, n: int, seconds: float, parts) -> list[socket.socket]:
    """n connections, one after another until `seconds` pass, each sending `parts` (an iterable of bytes)."""
    connections = []
    deadline = time.monotonic() + seconds
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        with contextlib.suppress(OSError):  # the server may answer and close while this still sends
            for part in parts():
                s.sendall(part)
        connections.append(s)
    return connections


def huge_heads(port: int, n: int, seconds: float) -> list[socket.socket]:
    line = b"X-Big: " + b"a" * (10 << 20) + b"\r\n"
    return one_by_one(port, n, seconds, lambda: [b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + line])


def chunked_floods(port: int, n: int, seconds: float) -> list[socket.socket]:
    chunk = b"1," * (512 << 10)
    head = (b"POST /api/decode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    return one_by_one(port, n, seconds, lambda: [head] + [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 20)  # 20 MB


def server_rss_mb(pid: int) -> float:
    """The server's processes together (supervisor and workers), from /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            if entry.name.isdigit() and (int(entry.name) == pid or int(stat.rsplit(")", 1)[1].split()[1]) == pid):
                total += int((entry / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total / (1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 1024), hard))  # the server starts at the common default
    ensure_default_runs(DEFAULT_RUNS_DIR)
    ensure_default_tokenizer(DEFAULT_TOKENIZERS_DIR)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"wordlab serve --workers {args.workers}, started with a soft open-files limit of 1024; "
          f"deadlines: idle {settings.IDLE_SECONDS} s, head {settings.HEADER_SECONDS} s, "
          f"body {settings.BODY_SECONDS} s")
    with server_process(DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, args.workers) as (port, started, server):
        seconds_until(lambda: health_ok(port), server, started, "answer")
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.connections + 256), hard))  # the attacker's
        print(f"{'attack':<44}{'probes':>7}{'failed':>7}{'worst ms':>10}{'left open':>11}{'server RSS MB':>15}")
        for name, attack, n in [(f"idle connections ×{args.connections}", idle, args.connections),
                                (f"slow heads (1 byte/s) ×{args.connections}", slow_heads, args.connections),
                                ("huge heads (10 MB line) ×20", huge_heads, 20),
                                ("chunked floods (20 MB body) ×20", chunked_floods, 20)]:
            stop, results = threading.Event(), []
            prober = threading.Thread(target=probe, args=(port, stop, results))
            prober.start()
            connections = attack(port, n, args.seconds)
            open_left = still_open(connections)
            rss = server_rss_mb(server.pid)
            stop.set()
            prober.join()
            for s in connections:
                s.close()
            failed = sum(not ok for _, ok in results)
            worst = max((t for t, _ in results), default=0) * 1e3
            print(f"{name:<44}{len(results):>7}{failed:>7}{worst:>10.1f}{open_left:>11}{rss:>15.0f}")
            time.sleep(1)


if __name__ == "__main__":
    main()
