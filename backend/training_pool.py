"""BPE training for the token page, off the event loop and out of the server's process.

Each server worker owns one training process (started when the token page first lists the corpora, or by
the first request; `spawn`, so it shares no threads or locks with the worker), run at the lowest CPU
priority: a class typing keeps its latency while a few students train (bench/load.py --trainers). The
machine trains one request at a time (a file lock); a worker lets at most BPE_TRAIN_WAITING wait behind its
own, and more are refused with "busy, try again" (503), so a class pressing Train together queues a few
and never piles up. Each job is bounded by the request
limits (100 KB of text, BPE_TRAIN_MAX_MERGES merges) and by a time budget the trainer checks per merge.
"""

import asyncio
import fcntl
import multiprocessing
import os
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from backend import settings
from backend.errors import Busy
from trainer.errors import WordlabError

NICENESS = 19   # the training process's niceness: the workers answering pages come first (CPU weight 15 to 1024)
ORPHAN_CHECK_SECONDS = 1.0  # how often the training process looks whether its worker is still there
# One training at a time on the whole machine, whichever worker it came to: each takes this lock first.
MACHINE_LOCK = Path(tempfile.gettempdir()) / "wordlab-bpe-training.lock"


def _start_training_process() -> None:
    """The training process's initializer: lowest priority, and an exit once its worker is gone (a worker
    killed by SIGKILL never shuts its pool down: the idle process was left behind, holding its memory)."""
    os.nice(NICENESS)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), name="wordlab-orphan-check",
                     daemon=True).start()


def _exit_when_orphaned(worker: int) -> None:
    while os.getppid() == worker:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)  # no clean-up to run: a training in progress belongs to a worker that is gone


def _one_at_a_time(function, *args):
    """Runs in the training process: waits for the machine-wide lock, then works."""
    with MACHINE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return function(*args)


class TrainingPool:
    def __init__(self, processes: int = 1, waiting: int = settings.BPE_TRAIN_WAITING):
        self.processes = processes
        self.waiting = waiting
        self._executor: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(processes)
        self._queued = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_start_training_process)
        return self._executor

    def warm(self) -> None:
        """Starts the training process now, without waiting for it (the token page asks when it opens), so
        a student's first training does not also pay for starting Python and importing the trainer."""
        if self._executor is None:
            self._pool().submit(os.getpid)

    async def run(self, function, *args):
        """function(*args) in the training process; Busy when too many requests wait already."""
        if self._queued >= self.processes + self.waiting:
            raise Busy(f"{self._queued} trainings are running or waiting on this server worker; "
                       "try again in a few seconds")
        self._queued += 1
        try:
            async with self._slots:
                loop = asyncio.get_running_loop()
                try:
                    return await loop.run_in_executor(self._pool(), _one_at_a_time, function, *args)
                except BrokenProcessPool:   # the process died (killed, out of memory): a new one next time
                    self._executor = None
                    raise WordlabError("the training process stopped; try again") from None
        finally:
            self._queued -= 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
