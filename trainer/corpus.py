"""Reads a text file into sentences of lowercase words: decoding, Gutenberg stripping, sentence splitting.

Torch-free. Real-world files are messy (Windows-1252 bytes, CRLF, a Gutenberg licence around the
book), so every failure here is a CorpusError with a message a user can act on.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import CorpusError

# Words are runs of letters/digits, with inner apostrophes kept ("don't", "king's").
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Project Gutenberg's markers as its files have written them over the years. Real files indent some of
# them (a centred "*** END OF ..." line), so every pattern allows leading whitespace.
GUTENBERG_HEADER_RE = re.compile(  # the first line of a book's header, e.g. "The Project Gutenberg eBook of X"
    r"^\s*\**\s*(?:the\s+)?project\s+gutenberg(?:'s|’s)?\s+(?:e-?books?|e-?texts?)\b|"
    r"^\s*\**\s*project\s+gutenberg(?:'s|’s)\s", re.I)
GUTENBERG_START_RE = re.compile(  # the header's last line: the book follows
    r"^\s*\*{3}\s*START\s+OF\s+(?:THE|THIS)\s+PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)|"
    r"^\s*\*\s*END\s*\*?\s*THE\s+SMALL\s+PRINT", re.I)
GUTENBERG_END_RE = re.compile(  # the book's end: the footer (and often the full licence) follows
    r"^\s*\*{3}\s*END\s+OF\s+(?:THE|THIS)\s+PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)|"
    r"^\s*End\s+of\s+(?:the\s+|this\s+)?Project\s+Gutenberg(?:'s|’s)?\b", re.I)
GUTENBERG_LICENCE_END_RE = re.compile(  # the footer's last line, when the full licence is appended
    r"subscribe\s+to\s+our\s+email\s+newsletter\s+to\s+hear\s+about\s+new\s+e-?books|"
    r"^\s*\*{3}\s*END:\s*FULL\s+LICEN[CS]E", re.I)
# Sentence ends inside a paragraph: ., ! or ? (and any closing quotes/brackets) before whitespace.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")
FALLBACK_ENCODING = "cp1252"
MAX_CORPUS_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class CorpusText:
    text: str
    encoding: str
    warning: str | None = None
    stripped_lines: int = 0


@dataclass(frozen=True)
class Corpus:
    """A corpus as lines of words; blank lines are dropped, so sentence ids are dense."""

    sentences: list[list[str]]
    source: str
    encoding: str
    warning: str | None = None
    stripped_lines: int = 0  # Project Gutenberg header/footer lines removed
    prose: bool = False  # wrapped lines were joined and cut at sentence ends (see split_sentences)

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


@dataclass(frozen=True)
class Stripped:
    text: str
    stripped_lines: int


def strip_gutenberg(text: str) -> Stripped:
    """Drops every Project Gutenberg header and footer, keeps the books (and any text outside them).

    A header runs from its title line ("The Project Gutenberg eBook of ...", or everything since the
    previous book when there is none) to its START marker ("*** START OF THE/THIS PROJECT GUTENBERG
    EBOOK", or the 1990s "*END*THE SMALL PRINT"). A footer runs from its END marker ("*** END OF ...",
    or "End of the Project Gutenberg EBook of ...") to the licence's last line, or else to the next
    header, or else the end of the file. Concatenated files (several books) lose every licence.
    """
    lines = text.split("\n")
    drop = [False] * len(lines)
    kept_from = 0  # the first line after the previous header or footer
    i = 0
    while i < len(lines):
        if GUTENBERG_START_RE.match(lines[i]):
            first = header_start(lines, kept_from, i)
            drop[first:i + 1] = [True] * (i + 1 - first)
            kept_from = i + 1
        elif GUTENBERG_END_RE.match(lines[i]):
            last = footer_end(lines, i)
            drop[i:last + 1] = [True] * (last + 1 - i)
            kept_from = last + 1
            i = last
        i += 1
    kept = [line for line, dropped in zip(lines, drop) if not dropped]
    return Stripped("\n".join(kept), len(lines) - len(kept))


HEADER_SPAN = 100  # title lines of one header lie within this many lines of each other


def header_start(lines: list[str], kept_from: int, start_marker: int) -> int:
    """The header's first line: the earliest title line in a chain of them before the START marker,
    or kept_from (everything since the previous book) when the header has none."""
    first = None
    j = start_marker - 1
    while j >= kept_from and (first is None or first - j <= HEADER_SPAN):
        if GUTENBERG_HEADER_RE.match(lines[j]):
            first = j
        j -= 1
    return kept_from if first is None else first


def footer_end(lines: list[str], end_marker: int) -> int:
    """The footer's last line: the licence's closing line, else the line before the next header."""
    bound = next((j for j in range(end_marker + 1, len(lines)) if GUTENBERG_START_RE.match(lines[j])), len(lines))
    for j in range(end_marker + 1, bound):
        if GUTENBERG_LICENCE_END_RE.search(lines[j]):
            return j
    return next((j - 1 for j in range(end_marker + 1, bound) if GUTENBERG_HEADER_RE.match(lines[j])), bound - 1)


def is_prose(text: str) -> bool:
    """Hard-wrapped prose (a book) separates paragraphs by blank lines; a corpus of one sentence per
    line (the teaching corpus) has none."""
    return PARAGRAPH_BREAK_RE.search(text.strip()) is not None


def split_sentences(text: str) -> list[list[str]]:
    """Sentences of lowercase words. Without blank lines one line is one sentence; in prose the
    wrapped lines of each paragraph are joined and the paragraph is cut at sentence ends, so a window
    never stops at a line break that only the printer put there."""
    if is_prose(text):
        units = (sentence for paragraph in PARAGRAPH_BREAK_RE.split(text)
                 for sentence in SENTENCE_END_RE.split(" ".join(paragraph.split())))
    else:
        units = text.splitlines()
    sentences = (WORD_RE.findall(unit.lower()) for unit in units)
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
    stripped = strip_gutenberg(text)
    return CorpusText(stripped.text, decoded.encoding, decoded.warning, stripped.stripped_lines)


def load_corpus(path: str | Path, encoding: str | None = None) -> Corpus:
    decoded = read_corpus_text(path, encoding)
    sentences = split_sentences(decoded.text)
    if not sentences:
        raise CorpusError(f"{path} has no words: it is empty or holds only punctuation and whitespace")
    return Corpus(sentences, str(path), decoded.encoding, decoded.warning, decoded.stripped_lines,
                  is_prose(decoded.text))
