"""`wordlab serve`: LAN addresses; several workers share the connections, a second server on the same
port is refused, stopping the server stops them all and frees the port, and a worker that dies or
hangs is replaced while the others keep serving."""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend import serve
from backend.serve import bind
from tests.conftest import free_port, wait_until_serving
from tests.processes import children, wait_for_workers, wait_until_gone, workers_of


def test_lan_addresses_are_this_machines_and_found_whenever_there_is_a_route():
    addresses = serve.lan_addresses()
    for address in addresses:
        assert not address.startswith("127.")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((address, 0))  # fails unless the address is this machine's
    routes = Path("/proc/net/route")
    if routes.exists() and any(line.split()[1] == "00000000" for line in routes.read_text().splitlines()[1:]):
        assert addresses, "a default route exists, so students can reach its address"


def test_printed_urls_open_in_a_browser(served_data, capsys):
    assert serve.url("192.168.1.20", 8000) == "http://192.168.1.20:8000/"
    assert serve.url("::1", 8000) == "http://[::1]:8000/"  # an IPv6 literal needs brackets in a URL
    serve.get_ready("0.0.0.0", 8000, *served_data)
    printed = capsys.readouterr().out
    assert "  http://127.0.0.1:8000/\n" in printed and "API documentation: http://127.0.0.1:8000/docs" in printed
    assert all(f"  http://{address}:8000/\n" in printed for address in serve.lan_addresses())


def serve_process(served_data, port: int, workers: int) -> subprocess.Popen:
    runs, tokenizers = served_data
    return subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(port),
                             "--workers", str(workers), "--runs", str(runs), "--tokenizers", str(tokenizers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(port: int, process: subprocess.Popen) -> None:
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", process, seconds=60)
    except RuntimeError as err:
        raise AssertionError(f"{err}: {process.stderr.read() if process.poll() is not None else ''}") from None


def established_connections(pid: int, port: int) -> int:
    """Connections to `port` that this process holds open, from /proc (Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            held += os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes
        except OSError:
            continue
    return held


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def health(port: int, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(4096)


@pytest.fixture(scope="module")
def two_workers(served_data):
    """`wordlab serve --workers 2`, started once for the tests that leave it serving with two workers (a worker
    they harm is replaced before they end); yields its port and process."""
    port = free_port()
    server = serve_process(served_data, port, workers=2)
    try:
        wait_for(port, server)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=20)


@linux_only
def test_workers_share_the_connections_and_a_second_server_is_refused(served_data, two_workers):
    port, server = two_workers
    connections = []
    for _ in range(40):  # opened together, as a class opening the page at once
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        connections.append(s)
    for s in connections:
        assert b" 200 " in s.recv(4096)
    held = [established_connections(pid, port) for pid in workers_of(server)]
    assert len(held) == 2 and sum(held) == 40, held

    second = subprocess.run([sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--runs",
                             str(served_data[0]), "--tokenizers", str(served_data[1])],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 2 and "cannot listen on" in second.stderr
    for s in connections:
        s.close()


@linux_only
def test_a_burst_over_the_workers_queues_while_they_start_loses_no_connection(served_data):
    """1,000 connections, opened as soon as the port listens (the workers may still be importing):
    more than the two workers' queues hold (about 270 each), so the supervisor must wait, not drop."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))  # the server inherits it
    port = free_port()
    server = serve_process(served_data, port, workers=2)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                first = socket.create_connection(("127.0.0.1", port))
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.01)   # a poll: nothing outside the server tells when its port starts to listen
        connections = [first] + [socket.create_connection(("127.0.0.1", port)) for _ in range(999)]
        for s in connections:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in connections:
            s.settimeout(30)
            assert b" 200 " in s.recv(4096)
            s.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


@linux_only
@pytest.mark.parametrize("stop", ["sigterm", "ctrl-c", "sigkill"])
def test_stopping_the_server_stops_every_worker(served_data, stop):
    port = free_port()
    server = serve_process(served_data, port, workers=2)
    wait_for(port, server)
    workers = children(server.pid)
    if stop == "ctrl-c":
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C in the terminal does, to the whole group
    else:
        server.send_signal(signal.SIGTERM if stop == "sigterm" else signal.SIGKILL)
    assert server.wait(timeout=30) == (-signal.SIGKILL if stop == "sigkill" else 0)
    wait_until_gone(workers)
    bind("127.0.0.1", port).close()  # the port is free again


@linux_only
@pytest.mark.parametrize("harm", [signal.SIGKILL, signal.SIGSTOP], ids=["dies", "hangs"])
def test_a_worker_that_dies_or_hangs_is_replaced_and_the_others_keep_serving(two_workers, harm):
    port, server = two_workers
    first = wait_for_workers(server, 2)
    os.kill(first[0], harm)
    # New connections go to the worker that still accepts: a connection the harmed one held would get no answer
    # (its socket closes when the supervisor ends it), never a 200. No wall-clock limit: a loaded machine is slow.
    for _ in range(20):
        assert b" 200 " in health(port, timeout=30)
    replaced = wait_for_workers(server, 2, not_in=(first[0],))  # by uvicorn's supervisor (health check)
    assert first[1] in replaced and server.poll() is None
