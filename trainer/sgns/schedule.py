"""How a corpus run walks its corpus, for both engines: chunks of about 1/64 of the tokens, their order over
the epochs, the learning rate at each, and each chunk's random seed.

The learning rate falls linearly from lr to min_lr over all epochs, computed from each chunk's place in
the whole run (not from which thread is faster), so the schedule is the same for any thread count. A
chunk's random stream is seeded by (seed, its index in the run), so a resumed run that starts at epoch e
draws what a straight run draws from epoch e on.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from trainer.config import CorpusConfig
from trainer.sgns.corpus_ids import SENTENCE_END

CHUNK_TOKENS = (2_000, 20_000)  # a chunk is 1/64 of the corpus within these bounds: enough loss points
                               # for a single book, little per-chunk overhead for a large corpus


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk did: its place in the run and its pair count and loss estimate."""

    index: int          # 0-based over the whole run (all epochs)
    epoch: int
    start: int          # token range in the id array
    end: int
    words: int          # vocabulary words read (before subsampling)
    pairs: int
    loss: float         # mean SGNS loss per pair
    lr: float           # rate at the chunk's start


def chunk_bounds(ids: np.ndarray) -> list[tuple[int, int]]:
    """Ranges of about 1/64 of the tokens, each ending just after a sentence end (or at the array's end)."""
    size = int(np.clip(len(ids) // 64, *CHUNK_TOKENS))
    ends = np.flatnonzero(ids == SENTENCE_END) + 1
    bounds, start = [], 0
    marks = np.searchsorted(ends, np.arange(size, len(ids), size))
    for m in np.unique(marks):
        if m < len(ends) and ends[m] > start:
            bounds.append((start, int(ends[m])))
            start = int(ends[m])
    if start < len(ids):
        bounds.append((start, len(ids)))
    return bounds


def chunk_seed(seed: int, index: int) -> int:
    return seed * 1_000_003 + index


def plan(bounds: list[tuple[int, int]], cfg: CorpusConfig,
         first_epoch: int = 0) -> Iterator[tuple[int, int, int, int, float, float]]:
    """(index, epoch, start, end, lr at start, lr at end) for every chunk of epochs first_epoch..epochs-1;
    the rate falls linearly over all cfg.epochs, as gensim's alpha → min_alpha over all words."""
    total = bounds[-1][1] * cfg.epochs if bounds else 1
    rate = lambda done: cfg.lr - (cfg.lr - cfg.min_lr) * done / total  # noqa: E731
    for epoch in range(first_epoch, cfg.epochs):
        offset = epoch * bounds[-1][1]
        for i, (start, end) in enumerate(bounds):
            yield epoch * len(bounds) + i, epoch, start, end, rate(offset + start), rate(offset + end)
