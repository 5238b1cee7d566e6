"""The live class's server side: its two stores (SQLite and a real redis-server) give the same events in the
same order and keep everything through a restart; the routes refuse every instructor action without the key
or with a wrong one, bound what a student sends, rate-limit per connection and per address; the event
streams outlive the server's idle deadlines, replay what a reconnecting page missed, and thousands of them
leave the other routes answering."""

import asyncio
import os
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from backend import settings
from backend.app import create_app
from backend.classroom import answer_key, clean_nickname, new_student, student_id
from backend.errors import Unsupported
from backend.lifecycle import raise_open_files_limit
from backend.livefeed import Feed, Stream
from backend.livestore import instructor_key, open_store
from backend.protocol import GuardedHttpToolsProtocol
from backend.ratelimit import RateLimit
from backend.statestore import StateConfig, state_config
from tests.conftest import free_port, serving_in_thread
from trainer.errors import NotFound, WordlabError

CHOICE = {"id": "nearest:king", "prompt": "Which word is nearest to king?", "kind": "choice",
          "choices": [{"value": "queen", "label": "queen"}, {"value": "cat", "label": "cat"},
                      {"value": "<b>x</b>", "label": "<b>x</b>"}],
          "answer": "queen", "reason": "cosine 0.91"}
NUMBER = {"id": "count", "prompt": "How many tokens?", "kind": "number", "answer": 12, "reason": "12 tokens"}


# ---- a real redis-server, started here on a free port ----

@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("CI requires redis-server for the live class's Redis store (make test installs it)")
        pytest.skip("REDIS TESTS SKIPPED: redis-server is not installed (make test installs it with apt-get, as root)")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(directory), "--loglevel", "notice"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:  # its log says when it listens (readline returns "" if it exits first)
        if "Ready to accept connections" in line:
            break
    else:
        pytest.fail(f"redis-server exited during start-up (code {process.wait(timeout=10)})")
    # The rest of its log is read and dropped, so a full pipe never blocks it.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def config(request, tmp_path) -> StateConfig:
    if request.param == "sqlite":
        return state_config(str(tmp_path))
    return StateConfig("redis", redis_url=request.getfixturevalue("redis_url"), prefix=f"{tmp_path.name}:")


class Recorder:
    """A feed's interface, recording what a store delivers."""

    def __init__(self):
        self.head, self.events, self.resyncs = 0, [], 0
        self.changed = asyncio.Event()

    def resync(self, snapshot):
        self.resyncs += 1
        self.events = list(snapshot)
        self.head = max((e.seq for e in snapshot), default=0)
        self.changed.set()

    def deliver(self, events):
        for event in events:
            if event.seq > self.head:
                self.events.append(event)
                self.head = event.seq
        self.changed.set()

    async def until(self, predicate):
        async with asyncio.timeout(10):
            while not predicate(self):
                self.changed.clear()
                await self.changed.wait()


def run_async(coroutine):
    """asyncio.run on a thread of its own: the browser tests' Playwright keeps an event loop on this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def data(event) -> dict:
    return orjson.loads(event.data)


def latest_of(config: StateConfig) -> dict:
    """The latest event of each kind, read by a store of its own (as another worker would)."""
    async def read():
        store = open_store(config)
        try:
            return {e.kind: data(e) for e in await store.latest()}
        finally:
            await store.close()
    return run_async(read())


def with_key(question: dict) -> dict:
    return {**question, "answer_key": answer_key(question, question["answer"])}


# ---- the stores ----

def test_a_class_in_either_store(config):
    async def scenario():
        store = open_store(config)
        recorder = Recorder()
        follower = asyncio.create_task(store.follow(recorder))
        try:
            session = await store.start_session()
            assert await store.start_session() == session  # a second start (a reload) keeps the class
            seq = await store.publish_state({"path": "/walkthrough.html", "query": "?step=3", "hash": "", "state": {"step": 3}})
            ask = await store.ask(with_key(CHOICE))
            students = [f"s{i}" for i in range(120)]
            await asyncio.gather(*(store.answer(ask, s, "queen" if i % 3 else "cat", f"n{i}" if i < 3 else None)
                                   for i, s in enumerate(students)))
            await store.answer(ask, "s0", "queen", None)  # changed: still one answer for s0
            await store.publish_question(ask)
            await store.set_status(ask, "closed")
            with pytest.raises(Unsupported, match="closed"):
                await store.answer(ask, "late", "queen", None)
            await store.set_status(ask, "revealed")
            with pytest.raises(NotFound):
                await store.answer("00000000", "s1", "queen", None)
            await recorder.until(lambda r: r.events and data(r.events[-1]).get("status") == "revealed")
            seqs = [e.seq for e in recorder.events]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seq in seqs
            revealed = data(recorder.events[-1])
            assert revealed["total"] == 120 and revealed["counts"] == {"queen": 81, "cat": 39}
            assert revealed["reveal"] == {"answer": "queen", "reason": "cosine 0.91", "right": 81,
                                          "nicknames": ["n1", "n2"], "more_nicknames": 0}  # s0 changed, unnamed
            assert "answer" not in data(next(e for e in recorder.events if e.kind == "question"))["question"]
        finally:
            follower.cancel()
            await store.close()

        # a restart (a new store, a new feed): the class, the question and every answer are still there
        store = open_store(config)
        try:
            latest = {e.kind: data(e) for e in await store.latest()}
            assert latest["session"] == session and latest["state"]["state"] == {"step": 3}
            assert latest["question"]["reveal"]["right"] == 81
            ask2 = await store.ask(with_key(NUMBER))
            await store.answer(ask2, "s1", answer_key(NUMBER, "12.0"), None)
            await store.set_status(ask2, "revealed")
            latest = {e.kind: data(e) for e in await store.latest()}
            assert latest["question"]["counts"] == {"12": 1} and latest["question"]["reveal"]["right"] == 1
            await store.end_session()
            assert [(e.kind, data(e)) for e in await store.latest()] == [("session", {"session": None})]
            with pytest.raises(Unsupported, match="no class is live"):
                await store.publish_state({"path": "/", "query": "", "hash": "", "state": None})
        finally:
            await store.close()
    run_async(scenario())


def test_an_event_committed_while_the_snapshot_is_read_is_delivered(config):
    """The race that lost the live class's events ~1 run in 5 under load: an event committed just after a
    follower read its snapshot (here made certain) must still reach it."""
    async def scenario():
        store = open_store(config)
        await store.start_session()
        read_snapshot = store.store.latest
        raced = []

        async def latest_then_a_change():
            snapshot = await read_snapshot()
            if not raced:
                raced.append(await store.publish_state({"path": "/", "query": "", "hash": "", "state": {"step": 9}}))
            return snapshot
        store.store.latest = latest_then_a_change
        recorder = Recorder()
        follower = asyncio.create_task(store.follow(recorder))
        try:
            await recorder.until(lambda r: raced and r.head >= raced[0])
            assert [e.seq for e in recorder.events][-1] == raced[0]
            assert data(recorder.events[-1])["state"] == {"step": 9}
        finally:
            follower.cancel()
            await store.close()
    run_async(scenario())


def test_the_same_key_for_every_worker_and_after_a_restart(config):
    key = instructor_key(config)
    assert key == instructor_key(config) and len(key) == 19 and key.count("-") == 3

    async def from_a_worker():
        store = open_store(config)
        try:
            return (await store.secrets()).instructor_key
        finally:
            await store.close()
    assert run_async(from_a_worker()) == key


async def delivered(feed: Feed, seq: int) -> None:
    """Waits until the feed has taken every event up to seq: woken, as a stream is, at each delivery."""
    waiter = Stream("test", counted=False)
    feed.streams.add(waiter)
    try:
        async with asyncio.timeout(10):
            while feed.head < seq:
                await waiter.wake.wait()
                waiter.wake.clear()
    finally:
        feed.streams.discard(waiter)


def test_a_feed_replays_missed_events_in_order_or_resends_the_current_state(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "LIVE_RING_EVENTS", 8)

    async def scenario():
        store = open_store(state_config(str(tmp_path)))
        feed = Feed(store)
        follower = asyncio.create_task(feed.follow())
        try:
            await feed.ready.wait()
            await store.start_session()
            for step in range(1, 6):
                await store.publish_state({"path": "/w", "query": "", "hash": "", "state": {"step": step}})
            await delivered(feed, 6)
            replay, cursor = feed.after(3)  # a page that saw seq 3 gets 4, 5, 6 in order
            assert [int(line[4:]) for line in replay.split(b"\n") if line.startswith(b"id: ")] == [4, 5, 6]
            assert cursor == 6 and feed.after(6) == (b"", 6)
            for step in range(6, 20):  # more than the ring holds
                await store.publish_state({"path": "/w", "query": "", "hash": "", "state": {"step": step}})
            await delivered(feed, 20)
            frames, _ = feed.after(3)  # too old for the ring: the latest of each kind, in seq order
            assert frames.count(b"event: state") == 1 and b'"step":19' in frames and b"event: session" not in frames
            everything, _ = feed.after(0)
            assert everything.index(b"event: session") < everything.index(b"event: state")
            assert feed.after(10_000)[0] == everything  # an id from another store: start over
        finally:
            follower.cancel()
            await store.close()
    run_async(scenario())


def test_sqlite_writes_are_grouped_and_a_refused_one_leaves_the_others(tmp_path):
    """statestore.SqliteWriter, which the live store (and any feature after it) writes through."""
    from backend.statestore import SqliteWriter

    async def scenario():
        commits = []
        writer = SqliteWriter(state_config(str(tmp_path)), "demo", "CREATE TABLE IF NOT EXISTS t(n INTEGER UNIQUE);",
                              on_commit=lambda: commits.append(1))

        def insert(db, n):
            db.execute("INSERT INTO t VALUES (?)", (n,))
            return n
        try:
            results = await asyncio.gather(*(writer.write(insert, n % 199) for n in range(200)),
                                           return_exceptions=True)  # 199 repeats 0: its UNIQUE refuses it
            refused = [r for r in results if isinstance(r, Exception)]
            assert len(refused) == 1 and "UNIQUE" in str(refused[0])
            assert writer.reader().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 199
            assert 1 <= len(commits) < 200  # grouped into far fewer transactions than writes
        finally:
            writer.close()
    run_async(scenario())


# ---- the rules ----

def test_answers_are_counted_by_one_spelling_and_checked_against_the_question():
    assert [answer_key(NUMBER, v) for v in (12, 12.0, "12", " 12.0 ", "1,2")] == ["12"] * 5
    assert answer_key(NUMBER, 0.1 + 0.2) == "0.3" and answer_key(CHOICE, "cat") == "cat"
    for bad in ("nan", "inf", "twelve", True, "9" * 40):
        with pytest.raises(WordlabError):
            answer_key(NUMBER, bad)
    with pytest.raises(WordlabError):
        answer_key(CHOICE, "dog")
    assert clean_nickname("  ana\u202e\u0000 \n li  ") == "ana li" and clean_nickname(" \t") is None
    assert clean_nickname("x" * 100) == "x" * settings.LIVE_MAX_NICKNAME
    token = new_student("secret")
    assert student_id("secret", token) == token.split(".")[0]
    for forged in (token.split(".")[0] + ".AAAA", "someone-else", token + "x"):
        with pytest.raises(WordlabError):
            student_id("secret", forged)


def test_rate_limit_buckets():
    now = [0.0]
    limit = RateLimit(2, 4, max_keys=3, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(5)] == [True] * 4 + [False]
    assert limit.blocked("a") and not limit.blocked("b")
    now[0] += 0.5  # one token back
    assert limit.allow("a") and not limit.allow("a")
    for key in "bcd":
        limit.allow(key)
    assert "a" not in limit.buckets and len(limit.buckets) == 3


# ---- the routes ----

@pytest.fixture
def app(served_data, tmp_path):
    app = create_app(*served_data, state=state_config(str(tmp_path)))
    app.state.key = instructor_key(state_config(str(tmp_path)))
    return app


@pytest.fixture
def client(app):
    live = app.state.live
    live.per_connection = live.per_address = RateLimit(10_000, 10_000)  # TestClient is one connection
    with TestClient(app) as client:
        yield client


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


INSTRUCTOR_ROUTES = [("GET", "/api/live/instructor", None), ("POST", "/api/live/session", None),
                     ("DELETE", "/api/live/session", None),
                     ("POST", "/api/live/state", {"path": "/", "query": "", "hash": "", "state": None}),
                     ("POST", "/api/live/questions", {"question": CHOICE}),
                     ("POST", "/api/live/questions/0a1b2c3d/close", None),
                     ("POST", "/api/live/questions/0a1b2c3d/reopen", None),
                     ("POST", "/api/live/questions/0a1b2c3d/reveal", None)]


def test_every_instructor_route_needs_the_key(app, client):
    app.state.live.key_failures = RateLimit(10_000, 10_000)  # here: every route tried, not the guessing limit
    instructor_paths = {(m, p) for m, p, _ in INSTRUCTOR_ROUTES}
    listed = {(m.upper(), p.replace("{ask}", "0a1b2c3d").replace("{action}", a))
              for p, ops in app.openapi()["paths"].items() if p.startswith("/api/live")
              for m, op in ops.items() for a in ("close", "reopen", "reveal")
              if any("HTTPBearer" in s for s in op.get("security", [{}])[0])}
    assert listed == instructor_paths, "every route that takes the key is tried here"
    client.post("/api/live/session", headers=bearer(app.state.key))
    for method, path, body in INSTRUCTOR_ROUTES:
        for headers, status in (({}, 401), (bearer("aaaa-bbbb-cccc-dddd"), 403), ({"Authorization": "Basic eDp5"}, 401),
                                (bearer(app.state.key.upper() + "x"), 403)):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == status, (method, path, headers, response.text)
    assert client.get("/api/live").json()["session"]  # nothing a wrong key sent ended the class


def test_wrong_keys_are_slowed_to_a_trickle(app):
    stopped = RateLimit(*settings.LIVE_KEY_FAILURES, clock=lambda: 0.0)  # no token comes back while a loaded machine answers
    app.state.live.key_failures = stopped
    with TestClient(app) as client:
        codes = [client.get("/api/live/instructor", headers=bearer("wrong")).status_code for _ in range(14)]
        assert codes[:10] == [403] * 10 and set(codes[10:]) == {429}
        blocked = client.get("/api/live/instructor", headers=bearer(app.state.key))
        assert blocked.status_code == 429 and blocked.headers["retry-after"]  # guessing stops: even the key waits


def test_a_class_through_the_routes(app, client):
    key = bearer(app.state.key)
    assert client.get("/api/live").json() == {"session": None, "started": None, "connected": 0}
    assert client.get("/api/live/events").status_code == 204  # no class: no stream to hold open
    session = client.post("/api/live/session", headers=key).json()
    assert client.post("/api/live/state", headers=key, json={"path": "/tokens.html", "query": "?k=5", "hash": "",
                                                             "state": {"k": 5, "text": "hi"}}).json()["seq"] > 1
    ask = client.post("/api/live/questions", headers=key, json={"question": NUMBER}).json()["ask"]
    students = [client.post("/api/live/join").json()["student"] for _ in range(3)]
    assert len(set(students)) == 3
    answer = lambda s, v, **kw: client.post("/api/live/answers", json={"ask": ask, "student": s, "value": v, **kw})  # noqa: E731
    assert answer(students[0], "12.0").json() == {"counted_as": "12"}
    assert answer(students[1], 11, nickname="<script>alert(1)</script>"[:24]).json() == {"counted_as": "11"}
    assert answer(students[1], "12").json() == {"counted_as": "12"}  # changed, not added
    assert answer(students[2], "cat").status_code == 400
    assert answer("not-a-token", 3).status_code == 400
    assert answer(students[2], 3, nickname="x" * 25).status_code == 422
    lone_surrogate = b'{"ask": "%s", "student": "%s", "value": "\\ud800"}' % (ask.encode(), students[2].encode())
    assert client.post("/api/live/answers", content=lone_surrogate, headers={"Content-Type": "application/json"}
                       ).status_code == 422
    assert client.post(f"/api/live/questions/{ask}/close", headers=key).status_code == 204
    closed = answer(students[2], 5)
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]["message"]
    assert client.post(f"/api/live/questions/{ask}/reveal", headers=key).status_code == 204
    assert client.post(f"/api/live/questions/{ask}/reopen", headers=key).status_code == 409
    assert client.post("/api/live/questions/0a1b2c3d/close", headers=key).status_code == 404
    latest = latest_of(app.state.live.config)
    assert latest["question"]["counts"] == {"12": 2} and latest["question"]["reveal"]["right"] == 2
    assert latest["session"] == session and latest["state"]["path"] == "/tokens.html"
    assert client.delete("/api/live/session", headers=key).status_code == 204
    assert client.get("/api/live").json()["session"] is None


@pytest.mark.parametrize("view, status", [
    ({"path": "//evil.example/", "query": "", "hash": ""}, 422),
    ({"path": "javascript:alert(1)", "query": "", "hash": ""}, 422),
    ({"path": "/x", "query": "no question mark", "hash": ""}, 422),
    ({"path": "/x", "query": "", "hash": "", "state": {"text": "x" * settings.LIVE_MAX_STATE_BYTES}}, 413),
    (b'{"path": "/x", "query": "", "hash": "", "state": {"text": "\\ud800"}}', 422),
    ({"path": "/x", "query": "", "hash": "", "extra": 1}, 422)])
def test_the_leaders_view_is_bounded(app, client, view, status):
    key = bearer(app.state.key)
    client.post("/api/live/session", headers=key)
    sent = {"content": view} if isinstance(view, bytes) else {"json": view}
    assert client.post("/api/live/state", headers={**key, "Content-Type": "application/json"}, **sent).status_code == status


@pytest.mark.parametrize("question", [
    {**CHOICE, "answer": "dog"}, {**CHOICE, "choices": CHOICE["choices"][:1], "answer": "queen"},
    {**NUMBER, "answer": "twelve"}, {**NUMBER, "choices": CHOICE["choices"]},
    {**CHOICE, "choices": [{"value": str(i), "label": str(i)} for i in range(20)], "answer": "1"},
    {**CHOICE, "prompt": "x" * 1001}])
def test_a_question_that_cannot_be_answered_is_refused(app, client, question):
    key = bearer(app.state.key)
    client.post("/api/live/session", headers=key)
    assert client.post("/api/live/questions", headers=key, json={"question": question}).status_code == 422


def test_a_student_request_flood_is_cut_per_connection_and_per_address(app, monkeypatch):
    # The buckets' clock stands still: on a loaded machine the requests take long enough to earn tokens back
    # (a 21st join was let in), and what is tested is the burst each bucket holds, not the refill rate.
    live = app.state.live
    now = time.monotonic()
    for limit in (live.per_connection, live.per_address, live.joins):
        monkeypatch.setattr(limit, "clock", lambda: now)
    with TestClient(app) as client:  # one connection: the per-connection bucket (8/s, 16 at once)
        codes = [client.get("/api/live").status_code for _ in range(20)]
        assert codes[:16] == [200] * 16 and 429 in codes[16:]
    live.per_connection = RateLimit(10_000, 10_000)
    codes = []
    for _ in range(25):  # new connections from one address: new students are limited per address (20 at once)
        with TestClient(app) as client:
            codes.append(client.post("/api/live/join").status_code)
    assert codes[:20] == [200] * 20 and set(codes[20:]) == {429}


# ---- event streams on a real server ----

QUICK = 0.3  # seconds: the server's idle, head and body deadlines in these tests


class QuickDeadlines(GuardedHttpToolsProtocol):
    idle_seconds = header_seconds = body_seconds = QUICK


def running(app):
    """The app in a thread of this process with the guarded protocol and QUICK deadlines; yields its port."""
    return serving_in_thread(app, QuickDeadlines)


def open_stream(port: int, source: str = "127.0.0.1", last_event_id: int | None = None) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id is not None else ""
    s.sendall(f"GET /api/live/events HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
    return s


def read_until(s: socket.socket, marker: bytes, got: bytes = b"") -> bytes:
    while marker not in got:
        chunk = s.recv(65536)
        assert chunk, f"closed before {marker!r}; got {got[-300:]!r}"
        got += chunk
    return got


def post(port: int, path: str, body: dict, key: str) -> bytes:
    payload = orjson.dumps(body)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
        return read_until(s, b"\r\n\r\n")


@pytest.fixture
def live_app(served_data, tmp_path, monkeypatch):
    for deadline in ("IDLE_SECONDS", "HEADER_SECONDS", "BODY_SECONDS", "WRITE_SECONDS"):  # where the protocol reads them
        if hasattr(settings, deadline):
            monkeypatch.setattr(settings, deadline, QUICK)
    monkeypatch.setattr(settings, "LIVE_KEEPALIVE_SECONDS", QUICK / 3)
    app = create_app(*served_data, state=state_config(str(tmp_path)))
    app.state.key = instructor_key(state_config(str(tmp_path)))
    return app


def test_a_quiet_stream_outlives_the_servers_idle_deadlines(live_app):
    """Keep-alive comments every QUICK/3 s: the stream stays open for 12 of them (over 4 deadlines of no event), then
    takes the next event. At the real settings this is a comment every 5 s through 30 s and more of silence."""
    with running(live_app) as port:
        post(port, "/api/live/session", {}, live_app.state.key)
        with open_stream(port) as stream:
            got = read_until(stream, b"event: session")
            assert b"200 OK" in got and b"text/event-stream" in got and b"retry: 1000" in got
            for _ in range(12):
                got = read_until(stream, b": keep-alive\n\n", b"")
            post(port, "/api/live/state", {"path": "/a", "query": "", "hash": "", "state": {"step": 9}},
                 live_app.state.key)
            assert b'"step":9' in read_until(stream, b'"step":9')


def test_a_reconnecting_page_gets_what_it_missed_in_order(live_app):
    key = live_app.state.key
    with running(live_app) as port:
        post(port, "/api/live/session", {}, key)
        with open_stream(port) as classmate:  # the rest of the class stays connected
            read_until(classmate, b"event: session")  # seq 1
            for step in (1, 2, 3):
                post(port, "/api/live/state", {"path": "/a", "query": "", "hash": "", "state": {"step": step}}, key)
            read_until(classmate, b'"step":3')
            with open_stream(port, last_event_id=2) as again:  # saw the first state (seq 2): gets 3 and 4, in order
                got = read_until(again, b'"step":3')
                assert [int(line[4:]) for line in got.split(b"\n") if line.startswith(b"id: ")] == [3, 4]
                assert b"event: session" not in got


def status_of(s: socket.socket) -> bytes:
    return read_until(s, b"\r\n\r\n")[9:12]


def test_a_thousand_idle_streams_leave_the_other_routes_answering(live_app, monkeypatch):
    """1,100 streams from 110 loopback addresses (127.0.1.x) against a cap of 1,000 a worker: 1,000 are held,
    100 get 503, and the health check, the run list and a run file still answer; an 11th stream from one
    address gets 429."""
    monkeypatch.setattr(settings, "LIVE_MAX_STREAMS", 1000)
    monkeypatch.setattr(settings, "LIVE_MAX_STREAMS_PER_ADDRESS", 10)
    monkeypatch.setattr(settings, "LIVE_KEEPALIVE_SECONDS", 30)  # idle: nothing but the opening events
    raise_open_files_limit()
    streams = []
    with running(live_app) as port:
        post(port, "/api/live/session", {}, live_app.state.key)
        try:
            streams += [open_stream(port, source="127.0.2.1") for _ in range(11)]
            assert [status_of(s) for s in streams] == [b"200"] * 10 + [b"429"]
            for s in streams:
                s.close()
            streams = [open_stream(port, source=f"127.0.1.{i // 10 + 1}") for i in range(1100)]
            statuses = [status_of(s) for s in streams]
            assert statuses.count(b"200") == 1000 and statuses.count(b"503") == 100
            for path in ("/api/health", "/api/runs", "/api/runs/default/files/vocab.json"):
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                    assert status_of(s) == b"200", path
        finally:
            for s in streams:
                s.close()


def test_serve_prints_the_instructor_key_and_the_students_qr_code(capsys, state_dir):
    from backend.serve import print_class_access

    print_class_access(["http://127.0.0.1:8000/", "http://192.168.1.20:8000/"])
    printed = capsys.readouterr().out
    key = instructor_key(state_config())
    assert f"Instructor key: {key}" in printed and f"http://127.0.0.1:8000/#lead={key}" in printed
    assert "Students join at http://192.168.1.20:8000/" in printed and "█" in printed
    assert Path(state_dir).is_dir() and str(state_dir) in printed


def test_state_that_cannot_be_opened_is_a_readable_error_not_a_500(served_data, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with TestClient(create_app(*served_data, state=state_config(str(blocked / "state")))) as client:
        for response in (client.get("/api/live"), client.post("/api/live/join")):
            assert response.status_code == 409
            assert "the live class's state (SQLite under" in response.json()["detail"]["message"]


def test_two_connections_opening_a_new_state_file_at_once_both_succeed(tmp_path):
    """The switch to WAL takes a lock SQLite does not wait for: a worker's reader and writer opening a new
    file together failed with "database is locked" in 2-20% of tries under load before statestore retried it."""
    from backend.statestore import sqlite_connection

    def open_once(config):
        sqlite_connection(config, "live").close()
    for attempt in range(100):
        config = StateConfig("sqlite", directory=tmp_path / str(attempt))
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(open_once, [config, config]))
