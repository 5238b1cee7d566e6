"""Reads a text file into sentences of lowercase words: decoding, Gutenberg stripping, one line a sentence.

Torch-free. Real-world files are messy (Windows-1252 bytes, CRLF, a Gutenberg licence around the
book), so every failure here is a CorpusError with a message a user can act on.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import CorpusError

# Words are runs of letters/digits, with inner apostrophes kept ("don't", "king's").
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
GUTENBERG_START_RE = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M | re.I)
GUTENBERG_END_RE = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M | re.I)
FALLBACK_ENCODING = "cp1252"
MAX_CORPUS_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class CorpusText:
    text: str
    encoding: str
    warning: str | None = None


@dataclass(frozen=True)
class Corpus:
    """A corpus as lines of words; blank lines are dropped, so sentence ids are dense."""

    sentences: list[list[str]]
    source: str
    encoding: str
    warning: str | None = None

    @property
    def word_count(self) -> int:
        return sum(len(s) for s in self.sentences)


def decode_corpus_bytes(data: bytes, source: str, encoding: str | None = None) -> CorpusText:
    """UTF-8 (with or without BOM) first; otherwise Windows-1252 with a warning, unless told the encoding."""
    if b"\x00" in data[:65536]:
        raise CorpusError(f"{source} looks like a binary file (it contains NUL bytes), not a text corpus")
    if encoding is not None:
        try:
            return CorpusText(data.decode(encoding), encoding)
        except LookupError:
            raise CorpusError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as err:
            raise CorpusError(f"{source} is not valid {encoding} (byte 0x{data[err.start]:02x} at offset {err.start})") from None
    try:
        return CorpusText(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as err:
        bad = f"byte 0x{data[err.start]:02x} at offset {err.start}"
    for fallback in (FALLBACK_ENCODING, "latin-1"):
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        warning = (f"{source} is not valid UTF-8 ({bad}); decoded it as {fallback}. "
                   f"Pass --encoding to choose another encoding.")
        return CorpusText(text, fallback, warning)
    raise AssertionError("latin-1 decodes every byte string")


def strip_gutenberg(text: str) -> str:
    """Keeps only the book text between each START marker and the END marker after it.

    Files that concatenate several books have several START/END pairs; each licence block goes.
    """
    starts = list(GUTENBERG_START_RE.finditer(text))
    if not starts:
        return text
    books = []
    for i, start in enumerate(starts):
        limit = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        end = GUTENBERG_END_RE.search(text, start.end(), limit)
        books.append(text[start.end():end.start() if end else limit])
    return "\n".join(books)


def split_sentences(text: str) -> list[list[str]]:
    """One line is one sentence."""
    sentences = (WORD_RE.findall(line.lower()) for line in text.splitlines())
    return [words for words in sentences if words]


def read_corpus_text(path: str | Path, encoding: str | None = None) -> CorpusText:
    """The file's text, decoded, LF line ends, any Gutenberg licence removed; case and punctuation kept."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus file not found: {path}")
    if not path.is_file():
        raise CorpusError(f"corpus path is not a file: {path}")
    if path.stat().st_size > MAX_CORPUS_BYTES:
        raise CorpusError(f"{path} is larger than {MAX_CORPUS_BYTES // 1024**3} GiB")
    decoded = decode_corpus_bytes(path.read_bytes(), str(path), encoding)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")  # line ends are not vocabulary
    return CorpusText(strip_gutenberg(text), decoded.encoding, decoded.warning)


def load_corpus(path: str | Path, encoding: str | None = None) -> Corpus:
    decoded = read_corpus_text(path, encoding)
    sentences = split_sentences(decoded.text)
    if not sentences:
        raise CorpusError(f"{path} has no words: it is empty or holds only punctuation and whitespace")
    return Corpus(sentences, str(path), decoded.encoding, decoded.warning)
