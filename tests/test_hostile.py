"""What one hostile client on the classroom LAN can do, bounded in size and time: oversized and slow
requests are cut off, answers to bad input stay small and readable, and pages run no injected script."""

import asyncio
import contextlib
import random
import resource
import socket
import string
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
import uvicorn
from fastapi.testclient import TestClient

from backend import settings
from backend.app import create_app
from backend.protocol import GuardedHttpToolsProtocol
from tests.conftest import free_port

QUICK = 0.5  # seconds: the deadlines of the server under test, short so that the suite stays fast
QUICK_SETTINGS = {"IDLE_SECONDS": QUICK, "HEADER_SECONDS": QUICK, "BODY_SECONDS": QUICK, "WRITE_SECONDS": QUICK,
                  "MAX_HEADER_BYTES": 8 * 1024}


@pytest.fixture(scope="module")
def app(served_data):
    return create_app(*served_data)


@contextlib.contextmanager
def guarded_server(app):
    """uvicorn in a thread of this process with the guarded protocol; its limits are backend/settings.py's,
    read when they apply, so a test may change one for itself (monkeypatch) and the server follows."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in QUICK_SETTINGS.items():
            patch.setattr(settings, name, value)
        config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), http=GuardedHttpToolsProtocol,
                                log_level="warning", lifespan="off", timeout_keep_alive=QUICK)
        instance = uvicorn.Server(config)
        thread = threading.Thread(target=instance.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not instance.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        yield instance
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def uvicorn_server(app):
    with guarded_server(app) as instance:
        yield instance


@pytest.fixture
def server(uvicorn_server):
    return uvicorn_server.config.port


def connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s


def closed_within(s: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection (reads EOF) within `seconds`."""
    s.settimeout(seconds)
    try:
        while s.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def health(port: int) -> bytes:
    return health_of(port, "/api/health")


def health_of(port: int, path: str) -> bytes:
    with connect(port) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        return s.recv(4096)


def test_a_head_over_the_limit_gets_431_and_the_connection_closes(server):
    with connect(server) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 431 ")
        assert closed_within(s, 2)
    assert b" 200 " in health(server)


@pytest.mark.parametrize("sent", [b"", b"GET /api/health HTTP/1.1\r\nHost: x\r\n",
                                  b"POST /api/tokenize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  b"Content-Length: 100\r\n\r\n{\"text\": \"ab"],
                         ids=["idle", "half a head", "half a body"])
def test_idle_slow_head_and_slow_body_connections_are_closed(server, sent):
    with connect(server) as s:
        s.sendall(sent)
        assert closed_within(s, QUICK * 6)
    assert b" 200 " in health(server)  # and the server still answers others


def test_a_slow_head_sent_byte_by_byte_is_closed_at_its_deadline(server):
    """Sending a byte now and then does not keep the connection open: the deadline counts from the first byte."""
    with connect(server) as s:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            for byte in b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz":
                s.sendall(bytes([byte]))
                time.sleep(QUICK / 5)
        assert closed_within(s, QUICK * 6)
        assert time.monotonic() - started < QUICK * 10


def test_a_keep_alive_connection_that_finished_a_request_is_still_served(server):
    with connect(server) as s:
        for _ in range(3):
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b" 200 " in s.recv(4096)
            time.sleep(QUICK / 3)


async def chunked_receive(chunk: bytes, chunks: int, pulled: list):
    for _ in range(chunks):
        pulled.append(1)
        yield {"type": "http.request", "body": chunk, "more_body": True}
    yield {"type": "http.request", "body": b"", "more_body": False}


def test_a_chunked_body_is_counted_as_it_arrives_and_refused_at_the_limit(app):
    """No Content-Length: the app must stop reading at the limit, not read 10 MB first."""
    pulled, sent = [], []
    stream = chunked_receive(b"1," * 50_000, 100, pulled)  # 100 KB a message, 10 MB in all

    async def receive():
        return await stream.__anext__()

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/decode", "raw_path": b"/api/decode", "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's may be running in this thread
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    assert sent[0]["status"] == 413
    assert len(pulled) <= settings.MAX_BODY_BYTES // 100_000 + 1


def test_a_chunked_body_over_the_limit_gets_413_over_the_wire(server):
    with connect(server) as s:
        s.sendall(b"POST /api/decode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"1," * 50_000
        with contextlib.suppress(OSError):  # the server may close while we still send
            for _ in range(15):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert b" 413 " in s.recv(4096)
        assert closed_within(s, 2)  # the rest of the body is not read


def test_chunk_trailers_are_counted_and_refused_past_the_body_limit(server):
    """Trailers after the last chunk are neither head nor body: 2 MB of them were read and kept (answered 200)."""
    limit = 2 * settings.MAX_BODY_BYTES + settings.MAX_HEADER_BYTES
    trailer = b"X-T: " + b"a" * 994 + b"\r\n"
    with connect(server) as s:
        s.sendall(b"POST /api/decode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\nb\r\n{\"ids\":[1]}\r\n0\r\n")
        with contextlib.suppress(OSError):
            s.sendall(trailer * (limit // len(trailer) + 100) + b"\r\n")
        assert b" 413 " in s.recv(4096)
        assert closed_within(s, 2)


def reset_by_server(s: socket.socket, seconds: float) -> bool:
    """True when the server resets the connection within `seconds`, read without reading any data."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            return True
        time.sleep(0.02)
    return False


def test_a_client_that_never_reads_its_answer_is_cut_off(uvicorn_server):
    """An answer piles up behind a client that reads nothing: WRITE_SECONDS without progress and the connection
    is reset, its buffers freed (300 such clients held +1 GB and kept their sockets for minutes)."""
    text = "".join(random.Random(1).choice(string.ascii_lowercase + " ") for _ in range(40_000))
    body = orjson.dumps({"text": text})
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server's answer stays queued
    s.connect(("127.0.0.1", uvicorn_server.config.port))
    with s:
        s.sendall(b"POST /api/tokenize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        # the answer waits for the client (encoding it takes a while on a busy machine), then the deadline runs
        assert wait_for(lambda: any(c.write_deadline for c in set(uvicorn_server.server_state.connections)), 60)
        assert reset_by_server(s, QUICK * 10)
    assert wait_for(lambda: not uvicorn_server.server_state.connections, QUICK * 10)


def test_a_client_that_reads_slowly_gets_its_whole_answer(uvicorn_server):
    """The write deadline asks for progress, not speed: a client taking 128 KB every 50 ms (the pause is the
    client's reading rate, not a wait for a timer) gets all 0.9 MB though it takes longer than WRITE_SECONDS."""
    text = "".join(random.Random(1).choice(string.ascii_lowercase + " ") for _ in range(40_000))
    body = orjson.dumps({"text": text})
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", uvicorn_server.config.port))
    with s:
        s.sendall(b"POST /api/tokenize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        received, started, paused_at = b"", time.monotonic(), 0
        while chunk := s.recv(128 << 10):
            received += chunk
            if len(received) - paused_at > 128 << 10:
                paused_at = len(received)
                time.sleep(0.2)
        assert time.monotonic() - started > QUICK
    head, _, answer = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and len(orjson.loads(answer)["ids"]) > 10_000


def test_an_event_stream_outlives_every_deadline_while_its_client_reads():
    """The rules are general, not per route: a server-sent event stream that writes an event every 0.1 s
    lives through three times every deadline (0.5 s) while its client reads (docs/architecture.md)."""
    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def events():
        for i in range(15):
            yield f"data: {i}\n\n".encode()
            await asyncio.sleep(0.1)  # the stream's own pace

    stream = Starlette(routes=[Route("/events", lambda request: StreamingResponse(events(),
                                                                                  media_type="text/event-stream"))])
    with guarded_server(stream) as instance, connect(instance.config.port) as s:
        s.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while b"data: 14\n\n" not in received:
            chunk = s.recv(4096)
            assert chunk, received
            received += chunk
    assert received.count(b"data: ") == 15


def app_with_routes():
    """/big (a 2 MB answer), /hold (answers once `release` is set), /small (records who asked)."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    seen, release = [], threading.Event()

    async def big(request):
        return Response(b"x" * (2 << 20))

    async def hold(request):
        while not release.is_set():  # an answer that takes its time (the server's loop is another thread's)
            await asyncio.sleep(0.01)
        return Response(b"late")

    async def small(request):
        seen.append(request.client.host)
        return Response(b"ok")

    return Starlette(routes=[Route("/big", big), Route("/hold", hold), Route("/small", small)]), seen, release


def send_unread(port: int, path: str) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the answer waits
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
    return s


def from_another_computer(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0)) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        return s.recv(4096)


@pytest.mark.parametrize("limit, value, connections", [("CLIENT_UNREAD_ANSWERS", 3, 3),
                                                       ("CLIENT_UNSENT_BYTES", 1 << 20, 1)])
def test_a_client_leaving_answers_unread_gets_429_before_the_app_runs(monkeypatch, limit, value, connections):
    """300 clients that never read a 3.3 MB answer each reached the app (~5 ms each to be told 429) and held
    their answers: at a client address's limit of answers waiting for it to read (connections, bytes),
    its next request gets the protocol's 429 without the app seeing it; another address is served; once
    its connections go, the client is served again."""
    cls = GuardedHttpToolsProtocol
    counter = {"CLIENT_UNREAD_ANSWERS": cls.paused_by_client, "CLIENT_UNSENT_BYTES": cls.unsent_by_client}[limit]
    monkeypatch.setattr(settings, limit, value)
    app, seen, _ = app_with_routes()
    with guarded_server(app) as instance:
        monkeypatch.setattr(settings, "WRITE_SECONDS", 60)  # the unread answers stay until the test closes them
        port = instance.config.port
        held = [send_unread(port, "/big") for _ in range(connections)]
        assert wait_for(lambda: counter["127.0.0.1"] >= value, 10)
        assert health_of(port, "/small").startswith(b"HTTP/1.1 429 Too Many Requests\r\n")
        assert seen == []  # the app never saw it
        assert from_another_computer(port, "/small").startswith(b"HTTP/1.1 200 ")
        for s in held:
            s.close()
        assert wait_for(lambda: not (cls.paused_by_client or cls.unsent_by_client or cls.in_flight_by_client), 10)
        assert health_of(port, "/small").startswith(b"HTTP/1.1 200 ")
        assert seen == ["127.0.0.2", "127.0.0.1"]


def test_a_clients_requests_beyond_its_share_wait_and_others_go_first(monkeypatch):
    """A burst of 300 requests from one computer reached the app at once, ahead of the class's: beyond
    CLIENT_REQUESTS_AT_ONCE requests whose answers have not started, its next waits unparsed (no 429, no
    loss) while another computer is served; it goes on as soon as one of its answers starts."""
    monkeypatch.setattr(settings, "CLIENT_REQUESTS_AT_ONCE", 2)
    cls = GuardedHttpToolsProtocol
    app, seen, release = app_with_routes()
    with guarded_server(app) as instance:
        port = instance.config.port
        holding = [connect(port) for _ in range(2)]
        for s in holding:
            s.sendall(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        assert wait_for(lambda: cls.in_flight_by_client["127.0.0.1"] == 2, 10)
        with connect(port) as waiting:
            waiting.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
            assert wait_for(lambda: len(cls.parked_by_client["127.0.0.1"]) == 1, 10)
            assert from_another_computer(port, "/small").startswith(b"HTTP/1.1 200 ")
            assert seen == ["127.0.0.2"]
            release.set()
            assert waiting.recv(4096).startswith(b"HTTP/1.1 200 ")
        for s in holding:
            assert s.recv(4096).startswith(b"HTTP/1.1 200 ")
            s.close()
        assert seen == ["127.0.0.2", "127.0.0.1"]
        assert wait_for(lambda: not (cls.in_flight_by_client or cls.held_by_client or cls.held_total), 10)
        assert not cls.parked_by_client.get("127.0.0.1")


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def half_sent_body(port: int, sent: int, declared: int = 900_000) -> socket.socket:
    s = connect(port)
    s.sendall(b"POST /api/tokenize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % declared + b"x" * sent)
    return s


@pytest.mark.parametrize("limit", ["BODY_BYTES_HELD", "CLIENT_BODY_BYTES_HELD"])
def test_half_sent_bodies_cannot_add_up_across_connections(server, monkeypatch, limit):
    """Each body under the per-request limit, together over what a worker holds (4,000 such held 3.9 GB):
    the one that passes the budget gets 503 at once; the others are not disturbed, and closing frees it all."""
    monkeypatch.setattr(settings, limit, 250_000)
    first = [half_sent_body(server, 100_000) for _ in range(2)]
    wait_for(lambda: GuardedHttpToolsProtocol.held_total >= 200_000, 5)
    with half_sent_body(server, 100_000) as third:
        third.settimeout(5)
        answer = third.recv(4096)
        assert answer.startswith(b"HTTP/1.1 503 ") and b"retry-after: 1" in answer.lower()
    for s in first:
        s.setblocking(False)
        with pytest.raises(BlockingIOError):
            s.recv(1)  # still open, nothing answered
        s.close()
    assert wait_for(lambda: GuardedHttpToolsProtocol.held_total == 0, 5)
    assert not GuardedHttpToolsProtocol.held_by_client


def test_pipelined_requests_are_bounded(server):
    """Browsers never pipeline; 500 requests in one write were all parsed and queued (200 such connections: +100 MB)."""
    with connect(server) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n" * 500)
        answers = b""
        s.settimeout(5)
        with contextlib.suppress(OSError):
            while chunk := s.recv(65536):
                answers += chunk
    assert answers.count(b"HTTP/1.1 200") <= settings.MAX_PIPELINED + 1


def test_the_protocol_overrides_only_what_uvicorn_still_has():
    """backend/protocol.py extends uvicorn's httptools protocol: an upgrade that renames or removes a method it
    overrides, or an attribute it reads, must fail here rather than silently drop a limit."""
    import inspect

    from uvicorn.protocols.http.flow_control import FlowControl
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    overridden = [name for name, value in vars(GuardedHttpToolsProtocol).items()
                  if callable(value) and name in vars(HttpToolsProtocol)]
    assert set(overridden) >= {"connection_made", "connection_lost", "data_received", "on_header",
                               "on_headers_complete", "on_message_complete", "on_response_complete",
                               "pause_writing", "resume_writing", "timeout_keep_alive_handler"}
    for name in overridden:
        ours, theirs = inspect.signature(getattr(GuardedHttpToolsProtocol, name)), \
            inspect.signature(getattr(HttpToolsProtocol, name))
        assert list(ours.parameters) == list(theirs.parameters), name
    source = inspect.getsource(HttpToolsProtocol)
    for attribute in ("self.transport", "self.loop", "self.client", "self.pipeline", "self.cycle", "self.flow"):
        assert f"{attribute} =" in source or f"{attribute}: " in source, attribute
    assert "self.write_paused" in inspect.getsource(FlowControl.__init__)
    cycle = inspect.getsource(RequestResponseCycle.__init__)
    assert "self.response_started" in cycle and "self.response_complete" in cycle
    assert "self.pipeline.appendleft" in inspect.getsource(HttpToolsProtocol.on_headers_complete)
    assert "self.headers.append" in inspect.getsource(HttpToolsProtocol.on_header)
    assert "timeout_keep_alive" in inspect.getsource(HttpToolsProtocol.on_response_complete)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def test_validation_errors_have_a_bounded_answer(client):
    response = client.post("/api/decode", json={"ids": ["x"] * 60_000})
    assert response.status_code == 422 and len(response.content) < 10_000
    detail = response.json()["detail"]
    assert len(detail["errors"]) == settings.MAX_ERROR_ITEMS and detail["left_out"] == 60_000 - settings.MAX_ERROR_ITEMS
    assert "and 59,980 more" in detail["message"]
    response = client.post("/api/tokenize", json={"text": "a", **{f"k{i}": i for i in range(50_000)}})
    assert response.status_code == 422 and len(response.content) < 10_000


@pytest.mark.parametrize("body, says", [(b'{"text": "\xff\xfe"}', "utf-8"),
                                        (b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}", "depth limit"),
                                        (b'{"text": "x \\ud800 y"}', "surrogate")],
                         ids=["bad UTF-8", "deep JSON", "lone surrogate"])
def test_unreadable_json_bodies_get_a_readable_422(client, body, says):
    response = client.post("/api/tokenize", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert says in response.json()["detail"]["message"].lower()


def test_every_answer_carries_a_policy_that_forbids_inline_script(client):
    for path in ["/", "/walkthrough.html", "/api/health", "/api/runs"]:
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_the_pages_run_under_the_policy_and_injected_markup_runs_no_script(browser, live_server):
    context = browser.new_context()  # the policy in force (the shared `page` fixture bypasses it)
    page = context.new_page()
    violations, errors = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path in ["/", "/walkthrough.html", "/tokens.html"]:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
    assert violations == [] and errors == []
    page.evaluate("() => { document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.ran=1\">'); }")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    assert any("Content Security Policy" in v for v in violations)
    context.close()


def test_the_open_files_limit_is_raised_at_start_up():
    """At the common soft limit of 1024, a few hundred idle connections would refuse every new one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 256:
        pytest.skip("the hard limit leaves nothing to raise")
    code = ("import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit("
            "resource.RLIMIT_NOFILE)[1])); from backend.lifecycle import raise_open_files_limit; "
            "print(raise_open_files_limit()[0], resource.getrlimit(resource.RLIMIT_NOFILE)[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    expected = settings.OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(settings.OPEN_FILES_WANTED, hard)
    assert [int(x) for x in out] == [expected, expected]


def test_orjson_parses_what_the_routes_receive(client):
    """The route class hands FastAPI orjson's parse: numbers and nesting come through as JSON says."""
    response = client.post("/api/decode", content=orjson.dumps({"ids": [0, 1, 2]}),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json()["tokenizer"] == "default"


@pytest.mark.parametrize(("route", "answered", "at_least"),
                         [("/api/tokenize", "ids", 1001), ("/api/tokenize/pipeline", "pieces_total", 1)])
def test_long_tokenize_requests_do_not_stall_the_workers_other_requests(live_server, route, answered, at_least):
    """Three 99 KB texts without a space (the quadratic case of the old encoder) at once: the server's
    health answer must keep coming while they are encoded (they run in threads, off the event loop)."""
    import concurrent.futures
    import json
    import random
    import string
    import urllib.request

    rng = random.Random(3)
    texts = ["".join(rng.choice(string.ascii_lowercase) for _ in range(99_000)) for _ in range(3)]

    def tokenize(text: str) -> int:
        request = urllib.request.Request(f"{live_server}{route}", method="POST",
                                         data=json.dumps({"text": text, "tokenizer": "default"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            found = json.loads(response.read())[answered]
            return found if isinstance(found, int) else len(found)

    waits = []
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(tokenize, text) for text in texts]
        while not all(f.done() for f in futures):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{live_server}/api/health", timeout=30) as response:
                assert response.status == 200
            waits.append(time.perf_counter() - started)
            time.sleep(0.02)
        assert all(f.result() >= at_least for f in futures)   # thousands of tokens; one piece (no space)
    assert waits and max(waits) < 1.0, f"health waited {max(waits):.2f} s"
