"""`wordlab corpus get` against a local HTTP server standing in for Project Gutenberg (offline), and against
servers that answer badly: short bodies, broken chunks, HTML, 204, NUL bytes, a drip (#22)."""

import hashlib
import http.server
import threading
from collections.abc import Callable

import orjson
import pytest

from backend.cli import main
from tests.conftest import free_port
from trainer import download
from trainer.download import DownloadError, book_id, get_corpus

BOOK = "*** START OF THE PROJECT GUTENBERG EBOOK FRANKENSTEIN ***\nYou will rejoice to hear…\n".encode()


@pytest.fixture
def mirror():
    """Serves /cache/epub/84/pg84.txt (and counts requests); every other path is 404."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            if self.path == "/cache/epub/84/pg84.txt":
                self.send_response(200)
                self.send_header("Content-Length", str(len(BOOK)))
                self.end_headers()
                self.wfile.write(BOOK)
            else:
                self.send_error(404, "Not Found")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)   # quick shutdown
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_downloads_once_records_the_checksum_and_reuses_the_cache(tmp_path, mirror):
    base, requests = mirror
    first = get_corpus("frankenstein", tmp_path, base)
    assert first.downloaded and first.path == tmp_path / "frankenstein.txt"
    assert first.path.read_bytes() == BOOK
    record = orjson.loads((tmp_path / "frankenstein.source.json").read_bytes())
    assert record == {"name": "frankenstein", "gutenberg_id": 84, "url": f"{base}/cache/epub/84/pg84.txt",
                      "bytes": len(BOOK), "sha256": hashlib.sha256(BOOK).hexdigest()}
    again = get_corpus("84", tmp_path, base)  # the number names the same book
    assert not again.downloaded and again.sha256 == record["sha256"]
    assert requests == ["/cache/epub/84/pg84.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_damaged_cache_is_refused(tmp_path, mirror):
    get_corpus("84", tmp_path, mirror[0])
    (tmp_path / "frankenstein.txt").write_text("edited", encoding="utf-8")
    with pytest.raises(DownloadError, match="does not match the checksum"):
        get_corpus("frankenstein", tmp_path, mirror[0])


def test_unknown_book_and_missing_number(tmp_path, mirror):
    with pytest.raises(DownloadError, match="unknown book"):
        book_id("../etc/passwd")
    with pytest.raises(DownloadError, match="answered 404"):
        get_corpus("12345", tmp_path, mirror[0])
    assert list(tmp_path.iterdir()) == []


def test_offline_gives_a_clear_message_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORDLAB_GUTENBERG_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert main(["corpus", "get", "frankenstein", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "seems to be offline" in err and "wordlab train --corpus FILE" in err
    assert not (tmp_path / "frankenstein.txt").exists()


def test_cli_prints_the_next_command(tmp_path, mirror, monkeypatch, capsys):
    monkeypatch.setenv("WORDLAB_GUTENBERG_URL", mirror[0])
    assert main(["corpus", "get", "84", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "downloaded" in out and f"wordlab train --corpus {tmp_path / 'frankenstein.txt'} --name frankenstein" in out


@pytest.fixture
def bad_mirror():
    """A server whose answer for /cache/epub/84/pg84.txt each test sets: `answer(handler)` writes it raw."""
    state: dict[str, Callable] = {}
    release = threading.Event()   # a handler that stalls waits for this (set when the test ends), not for time

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            state["answer"](self)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)   # quick shutdown
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state, release
    release.set()
    server.shutdown()
    server.server_close()


def raw(head: str, body: bytes = b"", then: Callable | None = None) -> Callable:
    """An answer written byte for byte: the status line and headers as given, the body, then `then()`."""
    def answer(handler):
        handler.wfile.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        handler.wfile.flush()
        if then:
            then()
        handler.close_connection = True
    return answer


BAD_ANSWERS = {
    "a body shorter than its Content-Length": (
        raw("HTTP/1.1 200 OK\nContent-Length: 1000\nConnection: close\n", BOOK),
        f"stopped at {len(BOOK)} of its 1,000 bytes"),
    "a malformed chunked body": (
        raw("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nConnection: close\n", b"zz\r\nabc\r\n0\r\n\r\n"),
        "broke off"),
    "a chunked body cut short": (
        raw("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nConnection: close\n", b"400\r\n" + BOOK),
        "broke off"),
    "an HTML page": (
        raw("HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Length: 27\n",
            b"<html><body>hi</body></html>"[:27]),
        "an HTML page, not a plain-text book"),
    "an HTML page sent as text/plain": (
        raw("HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 30\n", b"\n<!DOCTYPE html><p>Sign in</p>"),
        "an HTML page"),
    "204 No Content": (raw("HTTP/1.1 204 No Content\n"), "answered 204 No Content, not a book"),
    "an empty 200": (raw("HTTP/1.1 200 OK\nContent-Length: 0\n"), "an empty body"),
    "NUL bytes": (raw("HTTP/1.1 200 OK\nContent-Length: 9\n", b"book\x00text"[:9]), "NUL bytes"),
}


@pytest.mark.parametrize("answer, message", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_a_bad_answer_is_refused_in_one_line_and_nothing_is_kept(tmp_path, bad_mirror, monkeypatch, capsys,
                                                               answer, message):
    base, state, _ = bad_mirror
    state["answer"] = answer
    monkeypatch.setenv("WORDLAB_GUTENBERG_URL", base)
    assert main(["corpus", "get", "84", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_whole_download_has_one_deadline(tmp_path, bad_mirror, monkeypatch):
    """A server that sends a byte and then nothing (or a byte every 20 s: each read within the socket's
    timeout) is given up on when the download's deadline passes, not never."""
    base, state, release = bad_mirror
    state["answer"] = raw("HTTP/1.1 200 OK\nContent-Length: 1000\n", b"T", then=release.wait)
    monkeypatch.setattr(download, "DOWNLOAD_SECONDS", 0.3)
    with pytest.raises(DownloadError, match="did not finish within 0.3 s"):
        get_corpus("84", tmp_path, base)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("record", [b"{not json", b"[1, 2]", b'{"sha256": 5}', b"\xff\xfe"])
def test_a_damaged_source_record_is_a_message_not_a_traceback(tmp_path, mirror, monkeypatch, capsys, record):
    get_corpus("84", tmp_path, mirror[0])
    (tmp_path / "frankenstein.source.json").write_bytes(record)
    monkeypatch.setenv("WORDLAB_GUTENBERG_URL", mirror[0])
    assert main(["corpus", "get", "frankenstein", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "frankenstein.source.json" in err and "get the book again" in err and "Traceback" not in err
