"""A corpus run's snapshots of the most frequent words' vectors over training, kept in a scratch file.

Why a file: 31 checkpoints × 2,000 words × d=100 are 24 MB of float32 that the run held in RAM from the first
checkpoint to the end of writing, on top of numba's ~195 MB, where gensim's whole process peaks at ~225 MB
(bench/sgns.py). Appended once per checkpoint, read back one checkpoint at a time (a pread of 0.8 MB into a
fresh array), so the views (trainer/run_views.py, trainer/projection.py), which walk the checkpoints one by
one, never hold more than a checkpoint or two. The file is anonymous (deleted when closed or collected).
"""

import tempfile
from collections.abc import Iterator

import numpy as np


class Snapshots:
    """A sequence of V×d float32 checkpoints: len(), [i] (a copy), iteration, .shape as a (T, V, d) array's."""

    def __init__(self, words: int, dim: int) -> None:
        self.words, self.dim, self.count = words, dim, 0
        self._file = tempfile.TemporaryFile(prefix="wordlab-snapshots-", buffering=0)   # no copy in a buffer

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, np.float32)
        if rows.shape != (self.words, self.dim):
            raise ValueError(f"a snapshot is {self.words}×{self.dim}, not {rows.shape}")
        self._file.seek(self.count * rows.nbytes)
        view = memoryview(rows).cast("B")
        while view:
            view = view[self._file.write(view):]
        self.count += 1

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.count, self.words, self.dim

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> np.ndarray:
        if not isinstance(index, (int, np.integer)):
            raise TypeError("snapshots are read one checkpoint at a time: an int index")
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(f"checkpoint {index} of {self.count}")
        rows = np.empty((self.words, self.dim), np.float32)
        self._file.seek(int(index) * rows.nbytes)
        if self._file.readinto(memoryview(rows).cast("B")) != rows.nbytes:
            raise OSError("the snapshot file was cut short")
        return rows

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(self.count))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "Snapshots":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
