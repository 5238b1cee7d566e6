"""Reads a text file into sentences of lowercase words: decoding, Gutenberg stripping, sentence splitting.

Torch-free. Real-world files are messy (Windows-1252 bytes, CRLF, a Gutenberg licence around the
book), so every failure here is a CorpusError with a message a user can act on.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import CorpusError

# Words are runs of letters/digits, with inner apostrophes kept ("don't", "king's").
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Project Gutenberg's markers as files of several vintages write them: indented or not, "THE" or
# "THIS", "EBOOK" or "EBOOK" with a hyphen; old files end their header with "*END*THE SMALL PRINT!"
# and start their footer with "End of the Project Gutenberg EBook of ..." / "End of Project Gutenberg's ...".
GUTENBERG_START_RE = re.compile(r"^[ \t]*(?:\*{3}[ \t]*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
                                r"|\*END\*THE SMALL PRINT).*$", re.M | re.I)
GUTENBERG_END_RE = re.compile(r"^[ \t]*(?:\*{3}[ \t]*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
                              r"|End of (?:the )?Project Gutenberg(?:'s|’s)?[ \t]).*$", re.M | re.I)
# The first line of a header ("The Project Gutenberg eBook of X", "Project Gutenberg's X, by Y") and
# the last line of the licence footer ("... to hear about new eBooks.").
GUTENBERG_HEADER_RE = re.compile(r"^[ \t]*\ufeff?(?:(?:The )?Project Gutenberg[ \t]+(?:E-?Book|Etext)"
                                 r"|Project Gutenberg(?:'s|’s)[ \t])", re.M | re.I)
GUTENBERG_FOOTER_LAST_RE = re.compile(r"to hear about new e-?books\.?[ \t]*$", re.M | re.I)
HEADER_SEARCH_CHARS = 40_000   # a header, old "small print" included, is well under this
FOOTER_SEARCH_CHARS = 40_000   # so is the licence after the END marker
FALLBACK_ENCODING = "cp1252"
MAX_CORPUS_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class CorpusText:
    text: str
    encoding: str
    warning: str | None = None
    gutenberg_lines: int = 0  # lines of Project Gutenberg header and licence removed


@dataclass(frozen=True)
class Corpus:
    """A corpus as lines of words; blank lines are dropped, so sentence ids are dense."""

    sentences: list[list[str]]
    source: str
    encoding: str
    warning: str | None = None
    gutenberg_lines: int = 0

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
            bad = f"byte 0x{data[err.start]:02x} at offset {err.start}"
            raise CorpusError(f"{source} is not valid {encoding} ({bad})") from None
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


def gutenberg_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every Project Gutenberg header and licence footer in the text, in order.

    A header runs from its title line ("The Project Gutenberg eBook of ...") to the START marker; a
    footer from the END marker to the licence's last line, or else to the next START marker, or to the
    end. Text outside them is kept, so a file that concatenates books, some without markers, keeps them.
    """
    markers = sorted([(m.start(), m.end(), "start") for m in GUTENBERG_START_RE.finditer(text)]
                     + [(m.start(), m.end(), "end") for m in GUTENBERG_END_RE.finditer(text)])
    blocks: list[tuple[int, int]] = []
    boundary = 0  # where the last block ended: no block reaches back over it
    for i, (begin, end, kind) in enumerate(markers):
        if begin < boundary:
            continue  # inside a footer already removed ("End of the Project Gutenberg EBook" then "*** END")
        if kind == "start":
            title = GUTENBERG_HEADER_RE.search(text, max(boundary, begin - HEADER_SEARCH_CHARS), begin)
            block = (title.start() if title else begin, end)
        else:
            next_start = next((b for b, _, k in markers[i + 1:] if k == "start"), len(text))
            last = GUTENBERG_FOOTER_LAST_RE.search(text, end, min(next_start, end + FOOTER_SEARCH_CHARS))
            block = (begin, last.end() if last else next_start)
        blocks.append(block)
        boundary = block[1]
    return blocks


def strip_gutenberg(text: str) -> tuple[str, int]:
    """The text without Project Gutenberg headers and licence footers, and how many lines went."""
    blocks = gutenberg_blocks(text)
    kept, position, stripped = [], 0, 0
    for begin, end in blocks:
        kept.append(text[position:begin])
        stripped += text.count("\n", begin, end) + (text[end - 1] != "\n")  # a block may end with its newline
        position = end
    kept.append(text[position:])
    return "\n".join(kept), stripped


SENTENCE_MODES = ("auto", "lines", "prose")
# A sentence ends at . ! or ? (closing quotes and brackets may follow) before whitespace.
SENTENCE_END_RE = re.compile(r"[.!?]+[\"'’”)\]]*\s+")
PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
ABBREVIATIONS = frozenset({"mr", "mrs", "messrs", "dr", "st", "mme", "mlle", "prof", "rev", "capt", "col", "gen",
                           "lt", "sgt", "vol", "chap", "no", "esq"})


def sentence_mode(text: str) -> str:
    """'prose' when the text punctuates its sentences (hard-wrapped books), else 'lines' (one per line)."""
    return "prose" if re.search(r"[.!?]", text) else "lines"


def prose_sentences(text: str) -> list[str]:
    """Paragraphs (blank-line separated) with their wrapped lines joined, cut at sentence ends.

    Gutenberg books wrap lines at ~70 characters, so a line is a fragment of a sentence; a training
    window should see the whole sentence and never cross into the next paragraph.
    """
    sentences = []
    for paragraph in PARAGRAPH_RE.split(text):
        flat = " ".join(paragraph.split())
        start = 0
        for end in SENTENCE_END_RE.finditer(flat):
            before = flat[start:end.start()].rsplit(None, 1)
            if end.group().startswith(".") and before and before[-1].lower() in ABBREVIATIONS:
                continue  # "Mr. Fowler" does not end a sentence
            sentences.append(flat[start:end.end()])
            start = end.end()
        sentences.append(flat[start:])
    return sentences


def regex_words(sentence: str) -> list[str]:
    """The words of a sentence, lowercase (the default; trainer/token_source.py gives BPE tokens instead)."""
    return WORD_RE.findall(sentence.lower())


Splitter = Callable[[str], list[str]]


def split_sentences(text: str, mode: str = "lines", split: Splitter = regex_words) -> list[list[str]]:
    """Words (or tokens) per sentence: one line a sentence ('lines'), or sentences of prose ('prose')."""
    if mode == "auto":
        mode = sentence_mode(text)
    pieces = prose_sentences(text) if mode == "prose" else text.splitlines()
    sentences = (split(piece) for piece in pieces)
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
    book, stripped = strip_gutenberg(text)
    return CorpusText(book, decoded.encoding, decoded.warning, stripped)


def load_corpus(path: str | Path, encoding: str | None = None, sentences: str = "auto",
                split: Splitter = regex_words) -> Corpus:
    """Sentences of words; `sentences` is 'lines', 'prose', or 'auto' (prose when the text has . ! ?)."""
    if sentences not in SENTENCE_MODES:
        raise CorpusError(f"sentences must be one of {', '.join(SENTENCE_MODES)} (got {sentences!r})")
    decoded = read_corpus_text(path, encoding)
    sentences = split_sentences(decoded.text, sentences, split)
    if not sentences:
        raise CorpusError(f"{path} has no words: it is empty or holds only punctuation and whitespace")
    return Corpus(sentences, str(path), decoded.encoding, decoded.warning, decoded.gutenberg_lines)
