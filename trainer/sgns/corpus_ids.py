"""A corpus run's text as ids: trainer.corpus.CorpusReader's sentences, streamed into a flat uint32 array
on disk (np.memmap) with SENTENCE_END between sentences.

Memory stays bounded by the vocabulary, not the corpus: the reader streams the file (decoding, Gutenberg
stripping, what is not prose dropped, sentences cut as a teaching run cuts them), each sentence's words get
provisional ids (first seen first) appended to a file in a temporary directory, and a second pass over that
file maps them to vocabulary ids (by count, then word) and drops the rest.
"""

import mmap
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.corpus import CorpusReader, ReadSummary, Splitter, regex_words
from trainer.corpus_report import VocabularyCounts
from trainer.errors import CorpusError
from trainer.vocab import Vocab

SENTENCE_END = np.uint32(0xFFFFFFFF)
DROPPED = np.uint32(0xFFFFFFFE)
ID_CHUNK = 1 << 18   # ids buffered as a Python list (8 bytes each) before they go to the file: 2 MB, any corpus


@dataclass
class CorpusIds:
    """The corpus as ids (kept words only, SENTENCE_END between sentences), its vocabulary and counts.

    Use as a context manager: leaving it deletes the temporary id file.
    """

    ids: np.ndarray
    vocab: Vocab
    summary: ReadSummary                    # how the file was read: encoding, warning, lines dropped and why
    counts: np.ndarray                      # occurrences of every distinct word, by provisional id
    words_by_id: np.ndarray                 # the distinct words, by provisional id
    kept: np.ndarray                        # provisional ids of the vocabulary, in vocabulary order
    first_sentences: list[list[str]]        # the first sentences' words, as read
    _tmp: tempfile.TemporaryDirectory

    @property
    def raw_words(self) -> int:
        return self.summary.words

    @property
    def sentences(self) -> int:
        return self.summary.sentences

    @property
    def distinct_words(self) -> int:
        return len(self.counts)

    @property
    def kept_words(self) -> int:
        return int(sum(self.vocab.counts))

    def vocabulary_counts(self, min_count: int) -> VocabularyCounts:
        """What the vocabulary kept and dropped (no stopwords: a corpus run keeps them and subsamples)."""
        dropped = np.ones(len(self.counts), bool)
        dropped[self.kept] = False
        rare = dropped & (self.counts < min_count)
        past_max = dropped & ~rare
        return VocabularyCounts(sentences=self.sentences, words=self.raw_words, distinct=self.distinct_words,
                                vocab_size=len(self.vocab), stopwords=None, rare=int(self.counts[rare].sum()),
                                past_max_vocab=int(self.counts[past_max].sum()),
                                past_max_vocab_types=int(past_max.sum()))

    def most_frequent_dropped(self, limit: int) -> list[tuple[str, int]]:
        """The `limit` most frequent words outside the vocabulary, ties by word, without sorting them all."""
        dropped = np.ones(len(self.counts), bool)
        dropped[self.kept] = False
        ids = np.flatnonzero(dropped)
        if len(ids) > limit:
            ids = ids[self.counts[ids] >= np.partition(self.counts[ids], -limit)[-limit]]
        pairs = ((self.words_by_id[i], int(self.counts[i])) for i in ids)
        return sorted(pairs, key=lambda wc: (-wc[1], wc[0]))[:limit]

    def __enter__(self) -> "CorpusIds":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.ids = np.empty(0, np.uint32)
        self._tmp.cleanup()


def id_pieces(path: Path) -> Iterator[np.ndarray]:
    """The id file in ID_CHUNK pieces, each read into a fresh array. Not a memmap: every page of a mapping that
    was read stays in this process's RSS, so a 10× corpus's 54 MB id file counted in full (bench/sgns.py
    --memory: the ratio 1× → 10× was 1.45 with the mapping)."""
    with open(path, "rb") as handle:
        while (part := np.fromfile(handle, np.uint32, ID_CHUNK)).size:
            yield part


def release_pages(ids: np.ndarray, start: int, end: int) -> None:
    """Drops the pages wholly inside ids[start:end] from this process's RSS, where ids is the id file's
    read-only mapping: the kernel reads a chunk once per epoch, and a mapping keeps every page it read, so the
    whole file counted in the run's peak RSS. The pages stay in the page cache: the next epoch's read of the
    chunk faults them back in without I/O. A thread still reading a page there faults it back the same way
    (the mapping is read-only and file-backed: nothing is lost). No-op for an array that is not a mapping."""
    mapping = getattr(ids, "_mmap", None)
    if mapping is None or not hasattr(mapping, "madvise"):
        return
    first = -(-start * ids.itemsize // mmap.PAGESIZE) * mmap.PAGESIZE
    last = end * ids.itemsize // mmap.PAGESIZE * mmap.PAGESIZE
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)


def read_corpus_ids(path: str | Path, min_count: int, max_vocab: int | None = None, encoding: str | None = None,
                    split: Splitter = regex_words, sentences: str = "auto", keep_first: int = 0) -> CorpusIds:
    """Two streaming passes: words → provisional ids, then → vocabulary ids; the first `keep_first`
    sentences are kept as words (corpus_stats.json shows them)."""
    reader = CorpusReader(path, encoding, sentences, split)   # refuses a bad file before any work
    tmp = tempfile.TemporaryDirectory(prefix="wordlab-sgns-")
    try:
        return _read_corpus_ids(reader, min_count, max_vocab, keep_first, tmp)
    except BaseException:
        tmp.cleanup()
        raise


def _read_corpus_ids(reader: CorpusReader, min_count: int, max_vocab: int | None, keep_first: int,
                     tmp: tempfile.TemporaryDirectory) -> CorpusIds:
    provisional = Path(tmp.name) / "provisional.u32"
    index: dict[str, int] = {}
    first_sentences: list[list[str]] = []
    with open(provisional, "wb") as out:
        buffer: list[int] = []
        for words in reader:
            if len(first_sentences) < keep_first:
                first_sentences.append(words)
            buffer.extend([index.setdefault(w, len(index)) for w in words])
            buffer.append(int(SENTENCE_END))
            if len(buffer) >= ID_CHUNK:
                out.write(np.asarray(buffer, np.uint32).tobytes())
                buffer.clear()
        out.write(np.asarray(buffer, np.uint32).tobytes())
    if reader.summary.words == 0:
        raise reader.no_words()
    counts = np.zeros(len(index), np.int64)
    for part in id_pieces(provisional):
        counts += np.bincount(part[part != SENTENCE_END], minlength=len(index))
    words_by_id = np.empty(len(index), object)
    words_by_id[list(index.values())] = list(index)
    frequent = np.flatnonzero(counts >= min_count)
    order = sorted(frequent.tolist(), key=lambda i: (-counts[i], words_by_id[i]))[:max_vocab]
    if len(order) < 2:
        raise CorpusError(f"{reader.path} has {reader.summary.words} words, of which {len(order)} distinct word(s) "
                          f"appear at least min_count={min_count} times; SGNS needs at least 2: lower --min-count "
                          f"or use a larger corpus")
    mapping = np.full(len(index) + 1, SENTENCE_END, np.uint32)
    mapping[:len(index)] = DROPPED
    mapping[order] = np.arange(len(order), dtype=np.uint32)
    final = Path(tmp.name) / "ids.u32"
    with open(final, "wb") as out:
        for part in id_pieces(provisional):
            mapped = mapping[np.minimum(part, len(index))]
            out.write(mapped[mapped != DROPPED].tobytes())
    provisional.unlink()
    vocab = Vocab([words_by_id[i] for i in order], [int(counts[i]) for i in order])
    return CorpusIds(np.memmap(final, np.uint32, "r"), vocab, reader.summary, counts, words_by_id,
                     np.asarray(order, np.int64), first_sentences, tmp)
