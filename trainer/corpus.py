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
    """Keeps only the book between Project Gutenberg's START and END markers, when both are there."""
    start = GUTENBERG_START_RE.search(text)
    end = GUTENBERG_END_RE.search(text, start.end() if start else 0)
    if start and end:
        return text[start.end():end.start()]
    return text


def split_sentences(text: str) -> list[list[str]]:
    """One line is one sentence; CRLF and CR line ends count as line ends too."""
    sentences = (WORD_RE.findall(line.lower()) for line in text.splitlines())
    return [words for words in sentences if words]


def load_corpus(path: str | Path, encoding: str | None = None) -> Corpus:
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus file not found: {path}")
    if not path.is_file():
        raise CorpusError(f"corpus path is not a file: {path}")
    if path.stat().st_size > MAX_CORPUS_BYTES:
        raise CorpusError(f"{path} is larger than {MAX_CORPUS_BYTES // 1024**3} GiB")
    decoded = decode_corpus_bytes(path.read_bytes(), str(path), encoding)
    sentences = split_sentences(strip_gutenberg(decoded.text))
    if not sentences:
        raise CorpusError(f"{path} has no words: it is empty or holds only punctuation and whitespace")
    return Corpus(sentences, str(path), decoded.encoding, decoded.warning)
