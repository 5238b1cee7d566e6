"""Live class benchmark: a real `wordlab serve` on 127.0.0.1 with an instructor and a class following it.

Usage: python bench/classroom_live.py [--followers 200] [--seconds 60] [--interval 0.2] [--answers 500]
                                      [--students 200] [--class-seconds 60] [--store sqlite|redis|both]
1. Follow: --followers event streams, each from its own loopback address (127.0.3.x, as phones on a LAN);
   the instructor publishes a new step every --interval s for --seconds s. Per change: the time from the
   instructor's request to the last follower's copy of the event (p50/p99/max); per follower: events lost
   (a seq missing between its first and last) and out of order (a seq not above the one before).
   Target: p99 ≤ 250 ms, 0 lost, 0 out of order.
2. Answers: the instructor asks a question; --answers students (each from its own address) join, then all
   answer at once. Reported: the time until every answer is acknowledged and until the class's count (the
   question event on a follower's stream) says all of them, and whether every choice's count is exact.
   Target: all posted within 1 s, counted exactly.
3. Classroom under follow: bench/load.py's classroom scenario (--students students, --class-seconds s) while
   the followers' streams stay open and the instructor keeps scrubbing. Target: the classroom's p99 ≤ 10 ms.
--store both runs everything on SQLite (the default) and then on Redis (a redis-server started here on a
free port; skipped with a message if it is not installed). The client shares the machine's cores with the
server and reports the CPU it took.
"""

import argparse
import asyncio
import contextlib
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend import settings  # noqa: E402
from backend.livestore import instructor_key  # noqa: E402
from backend.statestore import state_config  # noqa: E402
from bench.load import HEADER, health_ok, row, run_loop, scenario, student  # noqa: E402
from bench.server import free_port, seconds_until, server_process  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.config import DEFAULT_CORPUS, DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, resolve_corpus  # noqa: E402
from trainer.teaching_run import ensure_default_runs  # noqa: E402

CHOICES = ["queen", "king", "cat", "dog"]


def address(block: int, i: int) -> str:
    """The i-th loopback address of a block: 127.<block>.x.y (Linux answers on all of 127/8)."""
    return f"127.{block}.{i // 250}.{i % 250 + 1}"


class Follower(asyncio.Protocol):
    """One page's event stream: the arrival time of every event, and whether seqs ever went backwards."""

    def __init__(self, keep_questions: bool = False):
        self.buffer = b""
        self.head_done = False
        self.arrivals: dict[int, float] = {}
        self.last = 0
        self.out_of_order = 0
        self.questions = [] if keep_questions else None
        self.connected = asyncio.get_running_loop().create_future()
        self.lost_connection = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        if not self.head_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 200"):
                self.connected.set_exception(RuntimeError(self.buffer[:200].decode(errors="replace")))
                return
            self.head_done = True
            self.buffer = self.buffer[end + 4:]
            self.connected.set_result(None)
        *frames, self.buffer = self.buffer.split(b"\n\n")  # chunked framing lines are skipped below
        for frame in frames:
            seq = kind = None
            for line in frame.split(b"\n"):
                if line.startswith(b"id: "):
                    seq = int(line[4:])
                elif line.startswith(b"event: "):
                    kind = line[7:]
                elif line.startswith(b"data: ") and kind == b"question" and self.questions is not None:
                    self.questions.append(orjson.loads(line[6:]))
            if seq is None:
                continue
            if seq <= self.last:
                self.out_of_order += 1
            self.last = max(self.last, seq)
            self.arrivals[seq] = now

    def connection_lost(self, exc) -> None:
        self.lost_connection = True


class Client(asyncio.Protocol):
    """A keep-alive connection for request/answer pairs (the instructor's, a student's)."""

    def __init__(self):
        self.buffer = b""
        self.waiting: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = True  # the server's keep-alive timeout: the instructor's next request reconnects

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].lower()
        length = next((int(line[15:]) for line in head.split(b"\r\n") if line.startswith(b"content-length:")), 0)
        if len(self.buffer) >= end + 4 + length and self.waiting is not None:
            status, body = int(head[9:12]), self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            self.waiting.set_result((status, body))

    async def request(self, method: str, path: str, body: dict | None = None, key: str | None = None):
        if self.closed:
            peer = self.transport.get_extra_info("peername")
            self.transport, _ = await asyncio.get_running_loop().create_connection(lambda: self, *peer[:2])
            self.closed, self.buffer = False, b""
        payload = orjson.dumps(body) if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
               f"Content-Length: {len(payload)}\r\n"
        if key:
            head += f"Authorization: Bearer {key}\r\n"
        self.waiting = asyncio.get_running_loop().create_future()
        self.transport.write(head.encode() + b"\r\n" + payload)
        status, body = await self.waiting
        return status, orjson.loads(body) if body else None


async def connect(port: int, protocol, source: str = "127.0.0.1"):
    loop = asyncio.get_running_loop()
    _, proto = await loop.create_connection(protocol, "127.0.0.1", port, local_addr=(source, 0))
    return proto


async def open_followers(port: int, n: int) -> list[Follower]:
    followers = []
    for i in range(n):
        follower = await connect(port, lambda i=i: Follower(keep_questions=i == 0), address(3, i))
        follower.transport.write(b"GET /api/live/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        followers.append(follower)
    await asyncio.gather(*(f.connected for f in followers))
    return followers


async def scrub(instructor: Client, key: str, seconds: float, interval: float, sent: dict,
                stop: asyncio.Event | None = None):
    """A new step every interval (on a fixed schedule, not drifting); sent[seq] = when its request left."""
    start = time.perf_counter()
    step = 0
    while time.perf_counter() - start < seconds and not (stop and stop.is_set()):
        step += 1
        began = time.perf_counter()
        status, body = await instructor.request("POST", "/api/live/state", {
            "path": "/walkthrough.html", "query": f"?step={step}", "hash": "",
            "state": {"run": "default", "step": step, "playing": False}}, key)
        assert status == 200, body
        sent[body["seq"]] = began
        await asyncio.sleep(max(0.0, start + step * interval - time.perf_counter()))


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) taken so far by a process and its children that are alive (the workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:
                total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def follow_figures(followers: list[Follower], sent: dict) -> dict:
    seqs = sorted(sent)
    delays, lost = [], 0
    for seq in seqs:
        arrived = [f.arrivals.get(seq) for f in followers]
        lost += sum(a is None for a in arrived)
        got = [a for a in arrived if a is not None]
        if got:
            delays.append(max(got) - sent[seq])
    for f in followers:  # any seq missing between a follower's first and last event
        received = sorted(f.arrivals)
        lost += sum(1 for a, b in zip(received, received[1:], strict=False) if b != a + 1)
    delays.sort()
    return {"changes": len(seqs), "p50": statistics.median(delays) * 1e3,
            "p99": delays[min(len(delays) - 1, int(0.99 * len(delays)))] * 1e3, "max": delays[-1] * 1e3,
            "lost": lost, "out_of_order": sum(f.out_of_order for f in followers),
            "dropped_streams": sum(f.lost_connection for f in followers)}


def print_follow(name: str, r: dict) -> None:
    print(f"{name}: {r['changes']} changes to {r['followers']} followers: instructor → last follower "
          f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; lost {r['lost']}, "
          f"out of order {r['out_of_order']}, streams dropped {r['dropped_streams']}")


async def answers(port: int, key: str, instructor: Client, watcher: Follower, n: int) -> dict:
    status, body = await instructor.request("POST", "/api/live/questions", {"question": {
        "id": "bench", "prompt": "Which word is nearest to king?", "kind": "choice",
        "choices": [{"value": c, "label": c} for c in CHOICES], "answer": "queen", "reason": "bench"}}, key)
    assert status == 200, body
    ask = body["ask"]
    students = [await connect(port, Client, address(4, i)) for i in range(n)]
    tokens = await asyncio.gather(*(s.request("POST", "/api/live/join", {}) for s in students))
    assert all(status == 200 for status, _ in tokens), {status for status, _ in tokens}
    rng = random.Random(27)
    chosen = [rng.choice(CHOICES) for _ in range(n)]
    started = time.perf_counter()

    async def answer(client, token, value):
        status, _ = await client.request("POST", "/api/live/answers",
                                         {"ask": ask, "student": token["student"], "value": value})
        return status, time.perf_counter()
    results = await asyncio.gather(*(answer(s, t, v) for s, (_, t), v in zip(students, tokens, chosen, strict=True)))
    acknowledged = max(t for _, t in results) - started
    statuses = [status for status, _ in results]
    expected = {c: chosen.count(c) for c in CHOICES if chosen.count(c)}
    while not (watcher.questions and watcher.questions[-1]["ask"] == ask and watcher.questions[-1]["total"] >= n):
        await asyncio.sleep(0.005)
        if time.perf_counter() - started > 30:
            break
    counted = time.perf_counter() - started
    last = watcher.questions[-1] if watcher.questions else {}
    for s in students:
        s.transport.close()
    return {"answers": n, "ok": statuses.count(200), "acknowledged_s": acknowledged, "counted_s": counted,
            "exact": last.get("counts") == expected and last.get("total") == n, "counts": last.get("counts"),
            "expected": expected}


async def live_bench(port: int, server_pid: int, key: str, args, manifest: dict, text: str) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    instructor = await connect(port, Client)
    status, _ = await instructor.request("POST", "/api/live/session", {}, key)
    assert status == 200
    followers = await open_followers(port, args.followers)
    await asyncio.sleep(0.5)  # every stream has its snapshot
    sent: dict[int, float] = {}
    cpu_before = server_cpu(server_pid)
    await scrub(instructor, key, args.seconds, args.interval, sent)
    await asyncio.sleep(0.5)  # the last change reaches everyone
    r = follow_figures(followers, sent) | {"followers": len(followers)}
    print_follow(f"follow ({args.seconds:g} s, a step every {args.interval * 1e3:.0f} ms)", r)
    spent = server_cpu(server_pid) - cpu_before
    per_event = 1e6 * spent / (r["changes"] * len(followers))
    print(f"  server CPU meanwhile (its workers; not redis-server's): {spent:.2f} s in {args.seconds:g} s, "
          f"{per_event:.0f} µs per event delivered to one follower (publishing and keep-alives included)")

    a = await answers(port, key, instructor, followers[0], args.answers)
    print(f"answers: {a['ok']} of {a['answers']} accepted, all acknowledged {a['acknowledged_s'] * 1e3:.0f} ms after "
          f"the first was sent, counted on the class's stream after {a['counted_s'] * 1e3:.0f} ms; counts exact: "
          f"{a['exact']} ({a['counts']})")

    if args.class_seconds > 0:
        sent2: dict[int, float] = {}
        stop = asyncio.Event()
        scrubbing = asyncio.create_task(scrub(instructor, key, args.class_seconds + 10, args.interval, sent2, stop))
        students = [student("default", manifest, text, seed) for seed in range(args.students)]
        r = await scenario(port, students, 10**9, args.class_seconds, pauses=(1, 5), join_over=5)
        stop.set()
        await scrubbing
        await asyncio.sleep(0.5)
        print(HEADER)
        print(row(f"classroom ({args.students} students) + {len(followers)} streams", r))
        print_follow("  follow meanwhile", follow_figures(followers, sent2) | {"followers": len(followers)})
    await instructor.request("DELETE", "/api/live/session", None, key)
    for f in followers:
        f.transport.close()
    elapsed = time.perf_counter() - wall
    print(f"client CPU: {(time.process_time() - cpu) / elapsed:.0%} of one core over {elapsed:.0f} s")


@contextlib.contextmanager
def redis_server():
    server = shutil.which("redis-server")
    if server is None:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", directory], stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def run_one(name: str, state: str, args, manifest: dict, text: str) -> None:
    os.environ[settings.STATE_ENV] = state
    key = instructor_key(state_config(state))
    with server_process(DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, args.workers) as (port, started, process):
        startup = seconds_until(lambda: health_ok(port), process, started, "answer")
        print(f"\n== {name}: wordlab serve --workers {args.workers}, up in {startup:.2f} s")
        run_loop(live_bench(port, process.pid, key, args, manifest, text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--answers", type=int, default=500)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--class-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=settings.DEFAULT_WORKERS)
    parser.add_argument("--store", choices=("sqlite", "redis", "both"), default="both")
    args = parser.parse_args()

    ensure_default_runs(DEFAULT_RUNS_DIR)
    ensure_default_tokenizer(DEFAULT_TOKENIZERS_DIR)
    manifest = orjson.loads((DEFAULT_RUNS_DIR / "default" / "run.json").read_bytes())
    text = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if args.store in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as directory:
            run_one("SQLite (the default)", directory, args, manifest, text)
    if args.store in ("redis", "both"):
        with redis_server() as url:
            if url is None:
                print("\n== Redis: skipped, redis-server is not installed (apt-get install redis-server)")
            else:
                run_one("Redis", url, args, manifest, text)


if __name__ == "__main__":
    main()
