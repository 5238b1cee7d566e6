"""The CPU engine: Hogwild threads run the compiled kernel over chunks of the corpus, epoch after epoch.

The learning rate falls linearly from lr to min_lr over all epochs, computed from each chunk's place in
the whole run (not from which thread is faster), so the schedule is the same for any thread count. A
chunk's random stream is seeded by (seed, its index in the run), so a resumed run that starts at epoch e
draws what a straight run draws from epoch e on.
"""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from queue import Queue

import numpy as np

from trainer.sgns.config import SGNSConfig
from trainer.sgns.corpus_ids import SENTENCE_END
from trainer.sgns.kernel import STATS, train_chunk
from trainer.sgns.sampling import NoiseAlias
from trainer.sgns.step_record import apply_step

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


def init_weights(vocab_size: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """word2vec's start: W uniform in ±0.5/dim, W_out zero."""
    rng = np.random.default_rng(seed)
    W = ((rng.random((vocab_size, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
    return W, np.zeros((vocab_size, dim), np.float32)


class NumbaEngine:
    """Holds W (V×d) and W_out (V×d, the transpose of W_prime) as numpy arrays updated in place."""

    def __init__(self, config: SGNSConfig, W: np.ndarray, W_out: np.ndarray):
        self.config = config
        self.W, self.W_out = W, W_out
        self.warm_up()

    def warm_up(self) -> None:
        """Loads (or compiles) the kernel on an empty range, so that training time is training."""
        ids = np.zeros(1, np.uint32)
        ids.flags.writeable = False  # the corpus is a read-only memmap: the same compiled signature
        train_chunk(ids, 0, 0, self.W, self.W_out, np.ones(1, np.float32), np.ones(1, np.float32),
                    np.zeros(1, np.int32), 1, 1, 0.0, 0.0, 0, np.zeros(STATS))

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        return self.W, self.W_out

    def rows(self, center: int, context: int, negatives: np.ndarray) -> tuple[np.ndarray, ...]:
        """Copies of v_c, u_o and the negatives' u_n, for recording a step."""
        return self.W[center].copy(), self.W_out[context].copy(), self.W_out[negatives]

    def apply_step(self, center: int, context: int, negatives: np.ndarray, record: dict) -> None:
        apply_step(self.W, self.W_out, center, context, negatives, record)

    def train(self, ids: np.ndarray, keep: np.ndarray, noise: NoiseAlias, first_epoch: int,
              on_chunk: Callable[[ChunkResult], None]) -> None:
        """Runs epochs first_epoch..epochs-1; on_chunk is called in this thread, in completion order, after
        each chunk."""
        cfg = self.config
        jobs = list(plan(chunk_bounds(ids), cfg, first_epoch))

        def run(job: tuple, stats: np.ndarray) -> ChunkResult:
            index, epoch, start, end, lr_start, lr_end = job
            train_chunk(ids, start, end, self.W, self.W_out, keep, noise.accept, noise.alias, cfg.window,
                        cfg.negative, lr_start, lr_end, chunk_seed(cfg.seed, index), stats)
            loss = stats[2] / stats[1] if stats[1] else float("nan")
            return ChunkResult(index, epoch, start, end, int(stats[0]), int(stats[1]), loss, lr_start)

        if cfg.workers == 1:  # in this thread: recorded steps fall between chunks, so the run is deterministic
            stats = np.zeros(STATS)
            for job in jobs:
                on_chunk(run(job, stats))
            return
        queue: Queue = Queue()
        cursor = iter(jobs)
        lock = threading.Lock()
        stop = threading.Event()

        def worker() -> None:
            stats = np.zeros(STATS)
            while not stop.is_set():
                with lock:
                    job = next(cursor, None)
                if job is None:
                    break
                try:
                    result = run(job, stats)
                except BaseException as err:  # noqa: BLE001 - handed to the main thread, which re-raises
                    queue.put(err)
                    return
                queue.put(result)
            queue.put(None)

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(cfg.workers)]
        for t in threads:
            t.start()
        try:
            finished = 0
            while finished < len(threads):
                item = queue.get()
                if item is None:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    on_chunk(item)
        finally:
            stop.set()
            for t in threads:
                t.join()


def chunk_seed(seed: int, index: int) -> int:
    return seed * 1_000_003 + index


def plan(bounds: list[tuple[int, int]], cfg: SGNSConfig,
         first_epoch: int = 0) -> Iterator[tuple[int, int, int, int, float, float]]:
    """(index, epoch, start, end, lr at start, lr at end) for every chunk of epochs first_epoch..epochs-1;
    the rate falls linearly over all cfg.epochs, as gensim's alpha → min_alpha over all words."""
    total = bounds[-1][1] * cfg.epochs if bounds else 1
    rate = lambda done: cfg.lr - (cfg.lr - cfg.min_lr) * done / total  # noqa: E731
    for epoch in range(first_epoch, cfg.epochs):
        offset = epoch * bounds[-1][1]
        for i, (start, end) in enumerate(bounds):
            yield epoch * len(bounds) + i, epoch, start, end, rate(offset + start), rate(offset + end)
