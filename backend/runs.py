"""Run directories: found by name, validated, lazily loaded; a file only by its key in the manifest.

A run written while the server runs is found on the next request (run.json's stat is checked per
request, one syscall), and a rewritten run is reloaded. Every file read from disk is checked
against the manifest's sha256 before it is used or sent; a mismatch marks the run broken (409
with the reason) until run.json changes.
"""

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load

from backend import settings
from backend.filecache import FileCache
from backend.registry import Registry
from trainer.errors import Broken, NotFound, RunFormatError, Unsupported
from trainer.run_format import (
    MANIFEST,
    MODEL,
    STEP_CHUNKS,
    STEP_INDEX,
    STEPS_FIELD,
    VOCAB,
    WEIGHTS_FIELD,
    check_relpath,
    chunk_of,
    inside,
    parse_json,
    read_manifest,
    run_dirs,
)
from trainer.step_chunks import decode_columns, record_at
from trainer.vocab import Vocab

# A parsed step chunk (Python floats and lists) takes about 20 times its gzipped file (measured on a
# 230 KB chunk with tracemalloc); the chunk cache counts this estimate against its byte budget.
PARSED_PER_GZIPPED_BYTE = 24


@dataclass(frozen=True)
class RunFile:
    data: bytes
    etag: str
    gzipped: bool


class LoadedRun:
    """One valid run; its big pieces (weights, parsed chunks) are read on first use and kept within
    the registry's byte budgets."""

    def __init__(self, name: str, path: Path, manifest: dict, stamp, files: FileCache, chunks: FileCache):
        self.name, self.path, self.manifest, self.stamp = name, path, manifest, stamp
        self._files = files    # raw files, shared by the registry's runs; keyed by run, version and path
        self._chunks = chunks  # parsed step chunks, likewise
        self.broken: str | None = None
        self._vocab: Vocab | None = None
        self._final_weights: np.ndarray | None = None
        self._steps: list[int] | None = None

    def file(self, relpath: str) -> RunFile:
        """A file listed in the manifest (or the manifest itself); anything else is NotFound."""
        if relpath != MANIFEST and relpath not in self.manifest["files"]:
            raise NotFound(f"run {self.name!r} has no file {relpath!r}")
        return self._files.get((self.name, self.stamp, relpath), lambda: self._read(relpath))

    def _read(self, relpath: str) -> RunFile:
        if self.broken is not None:
            raise Broken(f"run {self.name!r} is broken and is not served: {self.broken}")
        try:
            data = inside(self.path, check_relpath(relpath)).read_bytes()
        except (OSError, RunFormatError) as err:  # deleted, unreadable, or now a link out of the run
            self.fail(f"{relpath} cannot be read ({err})")
        if relpath == MANIFEST:
            return RunFile(data, f"{self.stamp[0]:x}-{self.stamp[1]:x}", False)
        expected = self.manifest["files"][relpath]["sha256"]
        if hashlib.sha256(data).hexdigest() != expected:
            self.fail(f"{relpath} does not match the sha256 in {MANIFEST} (changed or corrupted since it was written)")
        return RunFile(data, expected[:32], relpath.endswith(".gz"))

    def fail(self, reason: str):
        self.broken = reason
        raise Broken(f"run {self.name!r} is broken and is not served: {reason}")

    def json(self, relpath: str):
        f = self.file(relpath)
        try:
            return parse_json(f.data, f.gzipped)
        except (ValueError, OSError, EOFError, zlib.error) as err:  # a file whose content was bad when written
            self.fail(f"{relpath} cannot be read ({err})")

    @property
    def vocab(self) -> Vocab:
        if self._vocab is None:
            try:
                self._vocab = Vocab.from_dict(self.json(VOCAB))
            except (KeyError, TypeError, ValueError) as err:
                self.fail(f"{VOCAB} is malformed ({err})")
        return self._vocab

    @property
    def recorded_steps(self) -> list[int]:
        if self._steps is None:
            self._steps = self.json(STEP_INDEX)[STEPS_FIELD]
        return self._steps

    def chunk(self, index: int) -> dict:
        """A step chunk's decoded columns, cached by their size in memory."""
        relpath = self.manifest["chunks"][STEP_CHUNKS][index]
        return self._chunks.get((self.name, self.stamp, relpath), lambda: self.parse_chunk(relpath))[1]

    def parse_chunk(self, relpath: str) -> tuple[int, dict]:
        try:
            columns = decode_columns(self.json(relpath))
        except (ValueError, OverflowError) as err:
            self.fail(f"{relpath} is not a step chunk ({err})")
        # the decoded weight arrays exactly, and the JSON-parsed rest bounded as before by the file's size
        size = sum(c.nbytes for c in columns.values() if isinstance(c, np.ndarray))
        return size + self.manifest["files"][relpath]["bytes"] * PARSED_PER_GZIPPED_BYTE, columns

    def record(self, step: int) -> dict:
        steps = self.recorded_steps
        position = int(np.searchsorted(steps, step))
        if position >= len(steps) or steps[position] != step:
            config = self.manifest["config"]
            raise NotFound(f"step {step} was not recorded in run {self.name!r}; recorded steps run from "
                           f"{steps[0]} to {steps[-1]} (every step of the first {config.get('dense_steps')}, "
                           f"then every {config.get('record_interval')}th, and the last)")
        index, offset = chunk_of(position, self.manifest["chunk_size"])
        columns = self.chunk(index)
        if any(offset >= len(column) for column in columns.values()):
            self.fail(f"step {step} is missing from its chunk")
        return record_at(columns, offset)

    def weights(self, step: int | None = None) -> np.ndarray:
        """W after training (step None), or W as it was at a recorded step (4-decimal precision)."""
        if step is not None:
            record = self.record(step)
            if WEIGHTS_FIELD not in record:
                raise Unsupported(f"run {self.name!r} ({self.manifest['kind']}) does not record the whole "
                                  f"{WEIGHTS_FIELD} at each step; ask without step= for the trained vectors")
            return np.asarray(record[WEIGHTS_FIELD], dtype=np.float32)
        if self._final_weights is None:
            try:
                weights = load(self.file(MODEL).data)[WEIGHTS_FIELD]
            except (SafetensorError, KeyError) as err:
                self.fail(f"{MODEL} cannot be read ({err})")
            if weights.shape != (len(self.vocab), self.manifest["sizes"]["dim"]) or not np.isfinite(weights).all():
                self.fail(f"{MODEL}: {WEIGHTS_FIELD} is not a finite {len(self.vocab)}×{self.manifest['sizes']['dim']} "
                          "matrix")
            self._final_weights = weights
        return self._final_weights


class RunRegistry(Registry[LoadedRun]):
    what = "run"

    def __init__(self, runs_dir: Path):
        super().__init__(runs_dir)
        self.files: FileCache[RunFile] = FileCache(settings.FILE_CACHE_BYTES, size=lambda f: len(f.data))
        self.chunks: FileCache[tuple[int, list]] = FileCache(settings.CHUNK_CACHE_BYTES, size=lambda c: c[0])

    def find(self) -> dict[str, Path]:
        return {p.name: p for p in run_dirs(self.root)}

    def stamp_file(self, path: Path) -> Path:
        return path / MANIFEST

    def load(self, name: str, path: Path) -> LoadedRun:
        try:
            manifest = read_manifest(path)
        except (KeyError, TypeError) as err:
            raise RunFormatError(f"{name}: unreadable run ({err})") from None
        return LoadedRun(name, path, manifest, self._stamp(path), self.files, self.chunks)

    def broken_reason(self, value: LoadedRun) -> str | None:
        return value.broken
