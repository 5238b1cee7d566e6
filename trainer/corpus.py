"""The one corpus reader: a text file → sentences of words, read the same way by every run kind.

It decodes (UTF-8, else Windows-1252 with a warning), strips Project Gutenberg headers and licences,
drops what is not prose (illustration notes, headings, contents lists, title lines: trainer/book_text.py),
cuts sentences and counts what went and why. It reads as a stream: memory is bounded by a block, a line and a
paragraph, never by the file. A teaching run keeps the sentences (read_corpus, refused past
MAX_TEACHING_BYTES); a corpus run turns them into ids as they come (trainer/sgns/corpus_ids.py).
Real files are messy and some are hostile (a binary, a 50 MB line, a header marker every other
line), so every failure is a CorpusError with a message a user can act on, and no rule is worse
than linear in the file.
"""

import codecs
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trainer.book_text import (
    DROP_REASONS,
    ROMAN,
    SECTION_WORDS,
    Drop,
    front_matter,
    text_lines,
    without_gutenberg,
    without_illustrations,
    without_run_in_heading,
)
from trainer.errors import CorpusError

BLOCK_BYTES = 1 << 20          # 1 MiB read at a time: 8 MiB blocks cost ~50 MB of decoded text and lines at once
MAX_CORPUS_BYTES = 2 * 1024**3
# A teaching run holds every sentence in memory and writes them all into sentences.json, so its
# corpus is a few books (twice the 14-book mix), not a dump; a corpus run streams up to MAX_CORPUS_BYTES.
MAX_TEACHING_BYTES = 16 * 1024**2
MAX_LINE_CHARS = 1 << 20        # a longer "line" is cut at a space: nothing a reader holds grows with it
PARAGRAPH_CHARS = 1 << 20       # a paragraph without a blank line is cut here, and is prose
MAX_SENTENCE_WORDS = 1000       # word2vec.c's MAX_SENTENCE_LENGTH: a longer sentence is cut into pieces
FALLBACK_ENCODING = "cp1252"
SENTENCE_MODES = ("auto", "lines", "prose")
PUNCTUATION_RE = re.compile(rb"[.!?]")

# Words are runs of letters/digits with inner apostrophes kept ("don't", "king's"); every apostrophe
# is read as ' first, so "don’t" and "don't" are one word.
WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
APOSTROPHES = ("’", "‘", "ʼ", "′", "`")


Splitter = Callable[[str], list[str]]


@dataclass
class ReadSummary:
    """What reading did to the file, complete once its sentences have all been taken."""

    source: str
    encoding: str = "utf-8"
    warning: str | None = None
    mode: str = "lines"                 # how sentences were cut: 'lines' or 'prose'
    sentences: int = 0
    words: int = 0
    lines: int = 0                      # lines with text in the file
    dropped_lines: Counter = field(default_factory=Counter)   # reason → lines (DROP_REASONS)
    cut_sentences: int = 0              # sentences over MAX_SENTENCE_WORDS, cut into pieces
    cut_lines: int = 0                  # lines over MAX_LINE_CHARS, cut at a space
    on_drop: Drop | None = field(default=None, repr=False, compare=False)   # told each dropped paragraph

    def drop(self, reason: str, lines: list[str]) -> None:
        """Counts the lines with text that are not trained on, and why."""
        count = text_lines(lines)
        if count:
            self.dropped_lines[reason] += count
        if count and self.on_drop:
            self.on_drop(reason, lines)

    def to_dict(self) -> dict:
        """What run.json's `corpus` records of the reading (see docs/run-format.md)."""
        return {"encoding": self.encoding, "warning": self.warning, "sentence_mode": self.mode,
                "dropped_lines": {reason: self.dropped_lines[reason] for reason in DROP_REASONS
                                  if self.dropped_lines[reason]},
                "cut_sentences": self.cut_sentences}


@dataclass(frozen=True)
class Corpus:
    """A corpus held in memory (a teaching run's): its sentences' words and how they were read."""

    sentences: list[list[str]]
    summary: ReadSummary


def regex_words(sentence: str) -> list[str]:
    """The words of a sentence, lowercase (the default; trainer/token_source.py gives BPE tokens instead)."""
    text = sentence.lower()
    for apostrophe in APOSTROPHES:   # chained replaces: far faster than str.translate with a table
        text = text.replace(apostrophe, "'")
    return WORD_RE.findall(text)


# ---- decoding -------------------------------------------------------------------------------------

def check_file(path: Path, max_bytes: int, too_large: str) -> None:
    """The file's size, after refusing what is not a readable file or is over max_bytes."""
    if not path.exists():
        raise CorpusError(f"corpus file not found: {path}")
    if not path.is_file():
        raise CorpusError(f"corpus path is not a file: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise CorpusError(f"{path} is {size_text(size)}, over the {size_text(max_bytes)} {too_large}")


def size_text(size: int) -> str:
    return f"{size / 1024**2:,.1f} MiB" if size >= 1024**2 else f"{size:,} bytes"


def blocks(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of the file in BLOCK_BYTES pieces, refused if it grows past max_bytes meanwhile."""
    offset = 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            if offset + len(block) > max_bytes:
                raise CorpusError(f"{path} grew past {max_bytes:,} bytes while it was read")
            yield offset, block
            offset += len(block)


def scan(path: Path, encoding: str, max_bytes: int) -> tuple[str | None, bool]:
    """One pass over the file: where it stops being valid `encoding` ('byte 0x.. at offset N', or None)
    and whether it has . ! or ? anywhere; a NUL byte anywhere refuses it as a binary file."""
    decoder = codecs.getincrementaldecoder(encoding)()
    punctuated, end = False, 0
    for offset, block in blocks(path, max_bytes):
        nul = block.find(b"\0")
        if nul >= 0:
            raise CorpusError(f"{path} looks like a binary file (a NUL byte at offset {offset + nul:,}), "
                              "not a text corpus")
        punctuated = punctuated or PUNCTUATION_RE.search(block) is not None
        try:
            decoder.decode(block)
        except UnicodeDecodeError as err:
            return f"byte 0x{block[err.start]:02x} at offset {offset + err.start:,}", punctuated
        end = offset + len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"a character cut short at the end (offset {end:,})", punctuated
    return None, punctuated


def choose_encoding(path: Path, encoding: str | None, max_bytes: int) -> tuple[str, str | None, bool]:
    """The encoding to read with, a warning, and whether the text punctuates: whole-file passes before
    any sentence, so a NUL or a bad byte anywhere is found first and a stream never changes its mind."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CorpusError(f"unknown encoding {encoding!r}") from None
        bad, punctuated = scan(path, encoding, max_bytes)
        if bad:
            raise CorpusError(f"{path} is not valid {encoding} ({bad})")
        return encoding, None, punctuated
    bad, punctuated = scan(path, "utf-8-sig", max_bytes)
    if bad is None:
        return "utf-8-sig", None, punctuated
    for fallback in (FALLBACK_ENCODING, "latin-1"):
        fallback_bad, punctuated = scan(path, fallback, max_bytes)   # the whole file, this time
        if fallback_bad is None:
            return fallback, (f"{path} is not valid UTF-8 ({bad}); decoded it as {fallback}. "
                              f"Pass --encoding to choose another encoding."), punctuated
    raise AssertionError("latin-1 decodes every byte string")


def decoded_lines(path: Path, encoding: str, max_bytes: int, summary: ReadSummary) -> Iterator[str]:
    """The file's lines (CRLF and CR read as LF), none longer than MAX_LINE_CHARS: a longer one is cut
    at its last space before the limit (or at the limit), so a 50 MB line costs what a 1 MB one does."""
    decoder = codecs.getincrementaldecoder(encoding)()
    carry = ""
    for _, data in itertools.chain(blocks(path, max_bytes), [(None, None)]):
        last = data is None
        try:
            text = carry + decoder.decode(data or b"", final=last)
        except UnicodeDecodeError:
            raise CorpusError(f"{path} changed while it was read; train again") from None
        held_cr = "\r" if not last and text.endswith("\r") else ""   # maybe the first half of a CRLF
        lines = text[:len(text) - len(held_cr)].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        carry = "" if last else lines.pop() + held_cr
        if last and lines[-1] == "":
            lines.pop()   # the last line end ends the last line; it does not start another
        summary.lines += text_lines(lines)
        yield from lines
        while len(carry) > MAX_LINE_CHARS:
            cut = carry.rfind(" ", 0, MAX_LINE_CHARS) + 1 or MAX_LINE_CHARS
            summary.cut_lines += 1
            summary.lines += 1
            yield carry[:cut]
            carry = carry[cut:]


# ---- sentences ------------------------------------------------------------------------------------

# A sentence ends at . ! or ? (closing quotes and brackets may follow) before whitespace.
SENTENCE_END_RE = re.compile(r"[.!?]+[\"'’”)\]]*\s+")
ABBREVIATIONS = frozenset({"mr", "mrs", "messrs", "dr", "st", "mme", "mlle", "prof", "rev", "capt", "col", "gen",
                           "lt", "sgt", "vol", "chap", "no", "esq", "jan", "feb", "apr", "jun", "jul", "aug",
                           "sep", "sept", "oct", "nov", "dec"})
INITIAL_RE = re.compile(r"[A-HJ-Z]")   # "M. Krempe", "E. M. Forster"; not "I", which ends "...said I."
OPENING = "\"'“‘(_*["
NUMERAL_RE = re.compile(rf"\d+|{ROMAN}")
SECTION_NUMBER_RE = re.compile(rf"\b(?i:{SECTION_WORDS})\.?\s+(?:\d+|{ROMAN})$")   # "BOOK I. (Folio)" goes on


def prose_sentences(paragraph: str) -> list[str]:
    """A paragraph with its wrapped lines joined, cut at sentence ends ("Mr. Fowler", "“Mrs. Bennet", "M.
    Krempe", "Dec. 11th" and "BOOK I. (Folio)" are not).

    Books wrap lines at ~70 characters, so a line is a fragment of a sentence; a training window
    should see the whole sentence and never cross into the next paragraph.
    """
    flat = " ".join(paragraph.split())
    sentences, start = [], 0
    for end in SENTENCE_END_RE.finditer(flat):
        word = flat[max(start, flat.rfind(" ", start, end.start()) + 1):end.start()].lstrip(OPENING)
        if end.group().startswith(".") and (
                word.lower() in ABBREVIATIONS or INITIAL_RE.fullmatch(word) or NUMERAL_RE.fullmatch(word)
                and SECTION_NUMBER_RE.search(flat, max(start, end.start() - 24), end.start())):
            continue
        sentences.append(flat[start:end.end()])
        start = end.end()
    sentences.append(flat[start:])
    return sentences


def sentence_texts(lines: Iterator[str], mode: str, drop: Drop) -> Iterator[str]:
    """The text of each sentence: a line each ('lines'), or the sentences of each prose paragraph
    (lines up to a blank one) that front_matter keeps ('prose')."""
    if mode == "lines":
        yield from lines
        return
    paragraph: list[str] = []
    size = 0
    for line in itertools.chain(lines, [""]):
        if line.strip():
            paragraph.append(line)
            size += len(line)
            if size < PARAGRAPH_CHARS:
                continue
        if paragraph:
            reason = front_matter(paragraph)
            if reason:
                drop(reason, paragraph)
            else:
                yield from prose_sentences("\n".join(without_run_in_heading(paragraph, drop)))
        paragraph, size = [], 0


class CorpusReader:
    """Iterating gives each sentence's words (or tokens, with `split`), at most MAX_SENTENCE_WORDS each;
    `summary` says what reading did. Everything about the file is checked before the first sentence.

    sentences: 'lines' (a line a sentence), 'prose' (paragraphs cut at . ! ?) or 'auto': prose when the
    text has . ! ? anywhere. The rules for what is not prose need paragraphs, so they apply to prose.
    """

    def __init__(self, path: str | Path, encoding: str | None = None, sentences: str = "auto",
                 split: Splitter = regex_words, max_bytes: int | None = None,
                 too_large: str = "limit for a corpus", on_drop: Drop | None = None):
        if sentences not in SENTENCE_MODES:
            raise CorpusError(f"sentences must be one of {', '.join(SENTENCE_MODES)} (got {sentences!r})")
        self.path = Path(path)
        self.max_bytes = max_bytes = MAX_CORPUS_BYTES if max_bytes is None else max_bytes
        self.split = split
        check_file(self.path, max_bytes, too_large)
        encoding, warning, punctuated = choose_encoding(self.path, encoding, max_bytes)
        if sentences == "auto":
            sentences = "prose" if punctuated else "lines"
        self.summary = ReadSummary(str(path), encoding.removesuffix("-sig"), warning, sentences, on_drop=on_drop)
        self._encoding = encoding

    def lines(self) -> Iterator[str]:
        """The decoded lines without Project Gutenberg's header and licence (case and punctuation kept)."""
        return without_gutenberg(decoded_lines(self.path, self._encoding, self.max_bytes, self.summary),
                          self.summary.drop)

    def __iter__(self) -> Iterator[list[str]]:
        summary = self.summary
        lines = self.lines()
        if summary.mode == "prose":
            lines = without_illustrations(lines, summary.drop)
        for text in sentence_texts(lines, summary.mode, summary.drop):
            words = self.split(text)
            if len(words) > MAX_SENTENCE_WORDS:
                summary.cut_sentences += 1
            for start in range(0, len(words), MAX_SENTENCE_WORDS):
                piece = words[start:start + MAX_SENTENCE_WORDS]
                summary.sentences += 1
                summary.words += len(piece)
                yield piece

    def no_words(self) -> CorpusError:
        return CorpusError(f"{self.path} has no words: it is empty or holds only punctuation and whitespace")


def read_corpus(path: str | Path, encoding: str | None = None, sentences: str = "auto",
                split: Splitter = regex_words) -> Corpus:
    """Every sentence in memory, for a teaching run; a file over MAX_TEACHING_BYTES is refused unread."""
    reader = CorpusReader(path, encoding, sentences, split, MAX_TEACHING_BYTES,
                          "limit for a teaching run, which keeps every sentence and records every step; "
                          "train on it with --kind corpus, which streams it")
    kept = list(reader)
    if not kept:
        raise reader.no_words()
    return Corpus(kept, reader.summary)


@dataclass(frozen=True)
class CorpusText:
    text: str
    summary: ReadSummary


def read_corpus_text(path: str | Path, encoding: str | None = None) -> CorpusText:
    """The file's text without Project Gutenberg's header and licence, case and punctuation kept, lines
    joined by LF (what a BPE tokenizer learns from: headings and all, as a tokenizer meets them)."""
    reader = CorpusReader(path, encoding, "lines")
    return CorpusText("\n".join(reader.lines()), reader.summary)
