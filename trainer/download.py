"""`wordlab corpus get`: a public-domain book from Project Gutenberg, downloaded once and kept.

The text goes to data/corpora/NAME.txt with NAME.source.json beside it (where it came from, its
size and sha256), written only when the whole download arrived and is a plain-text book: a body
shorter than its Content-Length, a broken chunked body, an empty answer, an HTML page or NUL bytes
are refused, and the whole download has one deadline (a server that drips a byte now and then
cannot hold it forever). A second `get` checks the file against the recorded checksum and does not
download again. WORDLAB_GUTENBERG_URL points at a mirror (the tests use a local server: offline).
"""

import hashlib
import http.client
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson

from trainer.atomic_files import make_folder, write_files
from trainer.config import PROJECT_ROOT
from trainer.errors import WordlabError

DEFAULT_CORPORA_DIR = PROJECT_ROOT / "data" / "corpora"
GUTENBERG_URL = "https://www.gutenberg.org"
BOOKS = {  # short names for books a class is likely to want; any other book by its Gutenberg number
    "frankenstein": 84, "pride-and-prejudice": 1342, "alice": 11, "moby-dick": 2701,
    "sherlock-holmes": 1661, "dracula": 345, "tale-of-two-cities": 98, "great-expectations": 1400,
}
MAX_BOOK_BYTES = 50_000_000
READ_TIMEOUT_SECONDS = 30    # a server silent this long is gone
DOWNLOAD_SECONDS = 600       # the whole download, however it arrives: 50 MB at 1 Mbit/s takes ~7 minutes
HTML_RE = re.compile(rb"\s*(?:<!doctype\s+html|<html|<head|<body)", re.I)


class DownloadError(WordlabError):
    """The book could not be fetched (offline, unknown id, not a text) or the cache is damaged."""


@dataclass(frozen=True)
class Book:
    path: Path
    sha256: str
    bytes: int
    downloaded: bool    # False: it was already here, checksum verified


def book_id(name_or_id: str) -> tuple[str, int]:
    """('frankenstein', 84) from 'frankenstein' or '84'; the file name for an id is 'gutenberg-84'."""
    key = name_or_id.strip().lower()
    if key in BOOKS:
        return key, BOOKS[key]
    if re.fullmatch(r"[0-9]{1,7}", key):
        number = int(key)
        return next((name for name, n in BOOKS.items() if n == number), f"gutenberg-{number}"), number
    raise DownloadError(f"unknown book {name_or_id!r}: give a Project Gutenberg number (e.g. 84) or one of "
                        f"{', '.join(sorted(BOOKS))}")


def book_url(number: int, base: str | None = None) -> str:
    base = (base or os.environ.get("WORDLAB_GUTENBERG_URL") or GUTENBERG_URL).rstrip("/")
    return f"{base}/cache/epub/{number}/pg{number}.txt"


def offline(url: str, reason) -> DownloadError:
    return DownloadError(f"cannot download {url} ({reason}). This machine seems to be offline: download the "
                         f"book elsewhere and train on the file with `wordlab train --corpus FILE`")


def read_body(url: str) -> bytes:
    """The whole body of a 200 answer, checked against its Content-Length (runs in fetch's thread)."""
    try:
        with urllib.request.urlopen(url, timeout=READ_TIMEOUT_SECONDS) as response:
            if response.status != 200:
                raise DownloadError(f"{url} answered {response.status} {response.reason}, not a book")
            declared = response.headers.get("Content-Length")
            data = response.read(MAX_BOOK_BYTES + 1)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as err:
        raise DownloadError(f"{url} answered {err.code} {err.reason}: is the book number right?") from None
    except (http.client.HTTPException, ValueError) as err:   # a broken chunked body, a short one, a bad header
        raise DownloadError(f"the download of {url} broke off ({type(err).__name__}: {err}); try again") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise offline(url, getattr(err, "reason", err)) from None
    if len(data) > MAX_BOOK_BYTES:
        raise DownloadError(f"{url} is larger than {MAX_BOOK_BYTES:,} bytes; not a single book")
    if declared is not None and declared.isdigit() and int(declared) != len(data):
        raise DownloadError(f"the download of {url} stopped at {len(data):,} of its {int(declared):,} bytes; "
                            "try again")
    if content_type == "text/html" or HTML_RE.match(data[:1024]):
        raise DownloadError(f"{url} answered with an HTML page, not a plain-text book (a mirror's error or "
                            "login page?)")
    if not data.strip():
        raise DownloadError(f"{url} answered with an empty body, not a book")
    if b"\0" in data:
        raise DownloadError(f"{url} holds NUL bytes: a binary file, not a plain-text book")
    return data


def fetch(url: str) -> bytes:
    """read_body under one deadline for the whole download (connection, headers and body): the socket
    timeout bounds each read, not their sum, so the download runs in a thread the caller stops waiting for."""
    result: dict = {}

    def download() -> None:
        try:
            result["data"] = read_body(url)
        except BaseException as err:   # handed to the caller's thread
            result["error"] = err

    thread = threading.Thread(target=download, name="wordlab-download", daemon=True)
    thread.start()
    thread.join(DOWNLOAD_SECONDS)
    if thread.is_alive():
        raise DownloadError(f"the download of {url} did not finish within {DOWNLOAD_SECONDS} s; try again, or "
                            f"download the book elsewhere and train on the file with `wordlab train --corpus FILE`")
    if "error" in result:
        raise result["error"]
    return result["data"]


def read_record(record_path: Path) -> dict:
    """NAME.source.json as written by get_corpus, or a DownloadError that says how to mend it."""
    try:
        record = orjson.loads(record_path.read_bytes())
    except (orjson.JSONDecodeError, OSError) as err:
        raise DownloadError(f"{record_path} is damaged ({err}); delete it and its .txt, and get the book "
                            "again") from None
    if not isinstance(record, dict) or not isinstance(record.get("sha256"), str):
        raise DownloadError(f"{record_path} has no sha256 of the book; delete it and its .txt and get the book again")
    return record


def get_corpus(name_or_id: str, corpora_dir: Path = DEFAULT_CORPORA_DIR, base_url: str | None = None) -> Book:
    name, number = book_id(name_or_id)
    corpora_dir = Path(corpora_dir)
    text_path, record_path = corpora_dir / f"{name}.txt", corpora_dir / f"{name}.source.json"
    if text_path.exists() and record_path.exists():
        record = read_record(record_path)
        digest = hashlib.sha256(text_path.read_bytes()).hexdigest()
        if digest != record["sha256"]:
            raise DownloadError(f"{text_path} does not match the checksum recorded when it was downloaded "
                                f"({record_path.name}); delete both files and get it again")
        return Book(text_path, digest, text_path.stat().st_size, downloaded=False)
    url = book_url(number, base_url)
    data = fetch(url)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise DownloadError(f"{url} is not UTF-8 text; is it a Gutenberg plain-text book?") from None
    digest = hashlib.sha256(data).hexdigest()
    make_folder(corpora_dir, "the corpora folder")
    record = {"name": name, "gutenberg_id": number, "url": url, "bytes": len(data), "sha256": digest}
    write_files({text_path: data, record_path: orjson.dumps(record, option=orjson.OPT_INDENT_2)}, "the book")
    return Book(text_path, digest, len(data), downloaded=True)
