"""`wordlab corpus get` against a local HTTP server standing in for Project Gutenberg (offline)."""

import hashlib
import http.server
import threading

import orjson
import pytest

from backend.cli import main
from tests.conftest import free_port
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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
