"""Streams a text file into a flat uint32 array of word ids on disk (np.memmap), sentence ends kept.

Memory stays bounded by the block size and the vocabulary, not the corpus: the text is read in blocks
cut at line ends, decoded and Gutenberg-stripped with trainer/corpus.py's rules, and the ids are
appended to a file in a temporary directory. Sentences are cut as trainer.corpus.split_sentences cuts
them for a teaching run (--sentences: a line each, or the sentences of each paragraph of prose); the
words of a sentence are regex words, or a BPE tokenizer's tokens (`split`, see trainer/token_source.py).
"""

import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.corpus import (
    GUTENBERG_END_RE,
    GUTENBERG_FOOTER_LAST_RE,
    GUTENBERG_HEADER_RE,
    GUTENBERG_START_RE,
    MAX_CORPUS_BYTES,
    CorpusText,
    Splitter,
    decode_corpus_bytes,
    prose_sentences,
    regex_words,
    sentence_mode,
)
from trainer.derived import SAMPLE_SENTENCES, TOP_DROPPED
from trainer.errors import CorpusError
from trainer.vocab import Vocab

SENTENCE_END = np.uint32(0xFFFFFFFF)
BLOCK_BYTES = 8 << 20
ID_CHUNK = 1 << 22


@dataclass
class TokenizedCorpus:
    """The corpus as ids (kept words only, SENTENCE_END between sentences) and its vocabulary.

    Use as a context manager: leaving it deletes the temporary id file.
    """

    ids: np.ndarray
    vocab: Vocab
    source: str
    encoding: str
    warning: str | None
    raw_words: int
    sentences: int
    distinct_words: int
    top_dropped: list[tuple[str, int]]      # the most frequent words left out of the vocabulary, with counts
    first_sentences: list[list[str]]        # the first sentences' words, as read
    _tmp: tempfile.TemporaryDirectory

    @property
    def kept_words(self) -> int:
        return int(sum(self.vocab.counts))

    def __enter__(self) -> "TokenizedCorpus":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.ids = np.empty(0, np.uint32)
        self._tmp.cleanup()


def decoded_blocks(path: Path, encoding: str | None) -> Iterator[CorpusText]:
    """The file as decoded blocks cut at line ends; the first block fixes the encoding for the rest."""
    carry = b""
    with open(path, "rb") as handle:
        while True:
            data = handle.read(BLOCK_BYTES)
            data, last = carry + data, not data
            cut = len(data) if last else max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut == 0:
                cut = len(data)  # no line end in a whole block: a very long line, decoded as it comes
            block, carry = data[:cut], data[cut:]
            if block:
                decoded = decode_corpus_bytes(block, str(path), encoding)
                encoding = encoding or decoded.encoding
                yield decoded
            if last:
                return


HEADER_LINES = 1000  # a header, old "small print" included, is shorter; a longer "header" was book text


def book_lines(blocks: Iterator[CorpusText]) -> Iterator[str]:
    """The lines of the text without Project Gutenberg headers and licence footers, as a stream.

    The same rule as trainer.corpus.gutenberg_blocks, one line at a time: a header runs from its title
    line to the START marker (lines after a title are held back until the marker or HEADER_LINES),
    a footer from the END marker to the licence's last line or the next header; every other line is
    kept, so books without markers in a concatenation stay.
    """
    held: list[str] = []   # lines since a header's title line, kept unless a START marker follows
    in_footer = False
    for block in blocks:
        for line in block.text.splitlines():
            if GUTENBERG_START_RE.match(line):
                held, in_footer = [], False
                continue
            if GUTENBERG_HEADER_RE.match(line) and not held:
                held, in_footer = [line], False
                continue
            if in_footer:
                in_footer = not GUTENBERG_FOOTER_LAST_RE.search(line)
                continue
            if GUTENBERG_END_RE.match(line):
                yield from held
                held, in_footer = [], True
                continue
            if held:
                held.append(line)
                if len(held) > HEADER_LINES:
                    yield from held
                    held = []
                continue
            yield line
    yield from held


PARAGRAPH_CHARS = 1 << 20  # a "paragraph" without a blank line is cut here, so memory stays bounded


def sentence_pieces(lines: Iterator[str], mode: str) -> Iterator[str]:
    """The text of each sentence, as a stream: a line each ('lines'), or prose_sentences of each paragraph
    (lines up to a line of spaces and tabs only, as trainer.corpus.PARAGRAPH_RE splits them)."""
    if mode == "lines":
        yield from lines
        return
    paragraph: list[str] = []
    size = 0
    for line in lines:
        if line.strip(" \t"):
            paragraph.append(line)
            size += len(line)
            if size < PARAGRAPH_CHARS:
                continue
        if paragraph:
            yield from prose_sentences("\n".join(paragraph))
        paragraph, size = [], 0
    if paragraph:
        yield from prose_sentences("\n".join(paragraph))


def pretokenize(path: str | Path, min_count: int, max_vocab: int | None = None,
                encoding: str | None = None, split: Splitter = regex_words, sentences: str = "auto") -> TokenizedCorpus:
    """Two streaming passes: words → provisional ids (first seen first), then → vocabulary ids."""
    path = Path(path)
    if not path.is_file():
        what = "is not a file" if path.exists() else "not found"
        raise CorpusError(f"corpus path {what}: {path}")
    if path.stat().st_size > MAX_CORPUS_BYTES:
        raise CorpusError(f"{path} is larger than {MAX_CORPUS_BYTES // 1024**3} GiB")
    tmp = tempfile.TemporaryDirectory(prefix="wordlab-sgns-")
    try:
        return _pretokenize(path, min_count, max_vocab, encoding, split, sentences, tmp)
    except BaseException:
        tmp.cleanup()
        raise


def _pretokenize(path: Path, min_count: int, max_vocab: int | None, encoding: str | None, split: Splitter, mode: str,
                 tmp: tempfile.TemporaryDirectory) -> TokenizedCorpus:
    provisional = Path(tmp.name) / "provisional.u32"
    index: dict[str, int] = {}
    first_sentences: list[list[str]] = []

    stream = decoded_blocks(path, encoding)
    first = [block for block in (next(stream, None),) if block is not None]
    if mode == "auto":  # decided on the first block (8 MiB), where the whole-text rule reads all of it
        mode = sentence_mode(first[0].text) if first else "lines"

    with open(provisional, "wb") as out:
        buffer: list[int] = []
        for piece in sentence_pieces(book_lines(itertools.chain(first, stream)), mode):
            words = split(piece)
            if words:
                if len(first_sentences) < SAMPLE_SENTENCES:
                    first_sentences.append(words)
                buffer.extend([index.setdefault(w, len(index)) for w in words])
                buffer.append(int(SENTENCE_END))
            if len(buffer) >= ID_CHUNK:
                out.write(np.asarray(buffer, np.uint32).tobytes())
                buffer.clear()
        out.write(np.asarray(buffer, np.uint32).tobytes())
    raw = np.memmap(provisional, np.uint32, "r") if provisional.stat().st_size else np.empty(0, np.uint32)
    counts = np.zeros(len(index), np.int64)
    sentences = 0
    for start in range(0, len(raw), ID_CHUNK):
        part = raw[start:start + ID_CHUNK]
        words = part[part != SENTENCE_END]
        sentences += len(part) - len(words)
        counts += np.bincount(words, minlength=len(index))
    raw_words = int(counts.sum())
    source = str(path)
    if raw_words == 0:
        raise CorpusError(f"{source} has no words: it is empty or holds only punctuation and whitespace")
    words_by_id = np.empty(len(index), object)
    words_by_id[list(index.values())] = list(index)
    frequent = np.flatnonzero(counts >= min_count)
    order = sorted(frequent.tolist(), key=lambda i: (-counts[i], words_by_id[i]))[:max_vocab]
    if len(order) < 2:
        raise CorpusError(f"{source} has {raw_words} words, of which {len(order)} distinct word(s) appear at least "
                          f"min_count={min_count} times; SGNS needs at least 2: lower --min-count or use a "
                          f"larger corpus")
    mapping = np.full(len(index) + 1, SENTENCE_END, np.uint32)
    dropped = np.uint32(0xFFFFFFFE)
    mapping[:len(index)] = dropped
    mapping[order] = np.arange(len(order), dtype=np.uint32)
    final = Path(tmp.name) / "ids.u32"
    with open(final, "wb") as out:
        for start in range(0, len(raw), ID_CHUNK):
            part = raw[start:start + ID_CHUNK]
            mapped = mapping[np.minimum(part, len(index))]
            out.write(mapped[mapped != dropped].tobytes())
    del raw
    provisional.unlink()
    vocab = Vocab([words_by_id[i] for i in order], [int(counts[i]) for i in order])
    decoded = first[0]
    return TokenizedCorpus(np.memmap(final, np.uint32, "r"), vocab, source, decoded.encoding, decoded.warning,
                           raw_words, sentences, len(index), most_frequent_dropped(counts, words_by_id, order),
                           first_sentences, tmp)


def most_frequent_dropped(counts: np.ndarray, words_by_id: np.ndarray, kept: list[int]) -> list[tuple[str, int]]:
    """The TOP_DROPPED most frequent words outside the vocabulary, ties by word, without sorting them all."""
    dropped = np.ones(len(counts), bool)
    dropped[kept] = False
    ids = np.flatnonzero(dropped)
    if len(ids) > TOP_DROPPED:
        ids = ids[counts[ids] >= np.partition(counts[ids], -TOP_DROPPED)[-TOP_DROPPED]]
    return sorted(((words_by_id[i], int(counts[i])) for i in ids), key=lambda wc: (-wc[1], wc[0]))[:TOP_DROPPED]
