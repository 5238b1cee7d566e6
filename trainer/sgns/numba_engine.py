"""The CPU engine: Hogwild threads run the compiled kernel (trainer/sgns/numba_kernel.py) over the chunks
of the corpus that trainer/sgns/schedule.py plans, epoch after epoch."""

import threading
from collections.abc import Callable
from queue import Queue

import numpy as np

from trainer.config import CorpusConfig
from trainer.sgns.numba_kernel import STATS, train_chunk
from trainer.sgns.sampling import NoiseAlias
from trainer.sgns.schedule import ChunkResult, chunk_bounds, chunk_seed, plan
from trainer.sgns.step import apply_step, sgns_step


def init_weights(vocab_size: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """word2vec's start: W uniform in ±0.5/dim, W_out zero."""
    rng = np.random.default_rng(seed)
    W = ((rng.random((vocab_size, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
    return W, np.zeros((vocab_size, dim), np.float32)


class NumbaEngine:
    """Holds W (V×d) and W_out (V×d, the transpose of W_prime) as numpy arrays updated in place."""

    def __init__(self, config: CorpusConfig, W: np.ndarray, W_out: np.ndarray):
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

    def recorded_step(self, center: int, context: int, negatives: np.ndarray, lr: float) -> dict:
        """Trains one step through trainer/sgns/step.py and returns its numbers, for the record."""
        numbers = sgns_step(self.W[center], self.W_out[context], self.W_out[negatives], lr)
        apply_step(self.W, self.W_out, center, context, negatives, numbers)
        return numbers

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
