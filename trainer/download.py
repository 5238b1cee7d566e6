"""`wordlab corpus get`: a public-domain book from Project Gutenberg, downloaded once and kept.

The text goes to data/corpora/NAME.txt with NAME.source.json beside it (where it came from, its
size and sha256), written only when the whole download arrived. A second `get` checks the file
against the recorded checksum and does not download again. WORDLAB_GUTENBERG_URL points at a
mirror (the tests use a local server: they run offline).
"""

import hashlib
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson

from trainer.config import PROJECT_ROOT
from trainer.errors import WordlabError

DEFAULT_CORPORA_DIR = PROJECT_ROOT / "data" / "corpora"
GUTENBERG_URL = "https://www.gutenberg.org"
BOOKS = {  # short names for books a class is likely to want; any other book by its Gutenberg number
    "frankenstein": 84, "pride-and-prejudice": 1342, "alice": 11, "moby-dick": 2701,
    "sherlock-holmes": 1661, "dracula": 345, "tale-of-two-cities": 98, "great-expectations": 1400,
}
MAX_BOOK_BYTES = 50_000_000
TIMEOUT_SECONDS = 30


class DownloadError(WordlabError):
    """The book could not be fetched (offline, unknown id, not a text) or the cache is damaged."""


@dataclass(frozen=True)
class Corpus:
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


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_BOOK_BYTES + 1)
    except urllib.error.HTTPError as err:
        raise DownloadError(f"{url} answered {err.code} {err.reason}: is the book number right?") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(f"cannot download {url} ({reason}). This machine seems to be offline: download the "
                            f"book elsewhere and train on the file with `wordlab train --corpus FILE`") from None
    if len(data) > MAX_BOOK_BYTES:
        raise DownloadError(f"{url} is larger than {MAX_BOOK_BYTES:,} bytes; not a single book")
    return data


def get_corpus(name_or_id: str, corpora_dir: Path = DEFAULT_CORPORA_DIR, base_url: str | None = None) -> Corpus:
    name, number = book_id(name_or_id)
    corpora_dir = Path(corpora_dir)
    text_path, record_path = corpora_dir / f"{name}.txt", corpora_dir / f"{name}.source.json"
    if text_path.exists() and record_path.exists():
        record = orjson.loads(record_path.read_bytes())
        digest = hashlib.sha256(text_path.read_bytes()).hexdigest()
        if digest != record.get("sha256"):
            raise DownloadError(f"{text_path} does not match the checksum recorded when it was downloaded "
                                f"({record_path.name}); delete both files and get it again")
        return Corpus(text_path, digest, text_path.stat().st_size, downloaded=False)
    url = book_url(number, base_url)
    data = fetch(url)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise DownloadError(f"{url} is not UTF-8 text; is it a Gutenberg plain-text book?") from None
    digest = hashlib.sha256(data).hexdigest()
    corpora_dir.mkdir(parents=True, exist_ok=True)
    partial = text_path.with_name(f".{text_path.name}.partial-{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(text_path)
    record_path.write_bytes(orjson.dumps({"name": name, "gutenberg_id": number, "url": url, "bytes": len(data),
                                          "sha256": digest}, option=orjson.OPT_INDENT_2))
    return Corpus(text_path, digest, len(data), downloaded=True)
