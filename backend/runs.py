"""Finds, validates and lazily loads run directories; never builds a path from a user's text.

A run is looked up by name among the directories that exist; a file inside a run only by its key
in the run's manifest. A run written while the server runs is found on the next request (run.json's
stat is checked per request, one syscall), and a rewritten run is reloaded.
"""

import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import orjson
from safetensors.numpy import load_file

from backend.errors import conflict, not_found
from backend.filecache import FileCache
from trainer.run_format import MANIFEST, check_run, run_dirs
from trainer.vocab import Vocab

CHUNKS_CACHED = 16


@dataclass(frozen=True)
class RunEntry:
    name: str
    path: Path
    stamp: tuple[int, int] | None      # (mtime_ns, size) of run.json when read
    manifest: dict | None
    error: str | None


@dataclass(frozen=True)
class RunFile:
    data: bytes
    etag: str
    gzipped: bool


class LoadedRun:
    """One valid run; its big pieces (weights, parsed chunks) are read on first use and kept, its
    files within the registry's byte budget."""

    def __init__(self, entry: RunEntry, files: FileCache[RunFile]):
        self.name = entry.name
        self.path = entry.path
        self.manifest = entry.manifest
        self.stamp = entry.stamp
        self._files = files  # shared by the registry's runs; keyed by run, version and path
        self._vocab: Vocab | None = None
        self._final_weights: np.ndarray | None = None
        self._steps: list[int] | None = None
        self.chunk = lru_cache(maxsize=CHUNKS_CACHED)(self._read_chunk)

    def file(self, relpath: str) -> RunFile:
        """A file listed in the manifest (or the manifest itself); anything else is 404."""
        if relpath != MANIFEST and relpath not in self.manifest["files"]:
            raise not_found(f"run {self.name!r} has no file {relpath!r}")
        return self._files.get((self.name, self.stamp, relpath), lambda: self._read(relpath))

    def _read(self, relpath: str) -> RunFile:
        if relpath == MANIFEST:
            etag = f"{self.stamp[0]:x}-{self.stamp[1]:x}"
        else:
            etag = self.manifest["files"][relpath]["sha256"][:32]
        return RunFile((self.path / relpath).read_bytes(), etag, relpath.endswith(".gz"))

    def json(self, relpath: str):
        f = self.file(relpath)
        return orjson.loads(gzip.decompress(f.data) if f.gzipped else f.data)

    @property
    def vocab(self) -> Vocab:
        if self._vocab is None:
            self._vocab = Vocab.from_dict(self.json("vocab.json"))
        return self._vocab

    @property
    def recorded_steps(self) -> list[int]:
        if self._steps is None:
            self._steps = self.json("step_index.json")["steps"]
        return self._steps

    def _read_chunk(self, index: int) -> list[dict]:
        return self.json(self.manifest["chunks"]["steps"][index])["steps"]

    def record(self, step: int) -> dict:
        steps = self.recorded_steps
        position = int(np.searchsorted(steps, step))
        if position >= len(steps) or steps[position] != step:
            raise not_found(f"step {step} was not recorded in run {self.name!r}; recorded steps run from "
                            f"{steps[0]} to {steps[-1]} (every step of the first "
                            f"{self.manifest['config']['dense_steps']}, then every "
                            f"{self.manifest['config']['record_interval']}th, and the last)")
        chunk_size = self.manifest["chunk_size"]
        return self.chunk(position // chunk_size)[position % chunk_size]

    def weights(self, step: int | None = None) -> np.ndarray:
        """W after training (step None), or W as it was at a recorded step (4-decimal precision)."""
        if step is not None:
            return np.asarray(self.record(step)["W"], dtype=np.float32)
        if self._final_weights is None:
            self._final_weights = load_file(str(self.path / "model.safetensors"))["W"]
        return self._final_weights


@dataclass
class RunRegistry:
    runs_dir: Path
    _entries: dict[str, RunEntry] = field(default_factory=dict)
    _loaded: dict[str, LoadedRun] = field(default_factory=dict)
    files: FileCache[RunFile] = field(default_factory=lambda: FileCache(size=lambda f: len(f.data)))

    def _stamp(self, run_dir: Path) -> tuple[int, int] | None:
        try:
            st = (run_dir / MANIFEST).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _entry(self, name: str, run_dir: Path) -> RunEntry:
        stamp = self._stamp(run_dir)
        old = self._entries.get(name)
        if old is not None and old.stamp == stamp:
            return old
        entry = RunEntry(name, run_dir, stamp, *check_run(run_dir))
        self._entries[name] = entry
        self._loaded.pop(name, None)
        return entry

    def entries(self) -> list[RunEntry]:
        """Every run directory (hidden and partial ones excluded), valid or broken, by name."""
        names = [p.name for p in run_dirs(self.runs_dir)]
        for gone in set(self._entries) - set(names):
            self._entries.pop(gone, None)
            self._loaded.pop(gone, None)
        return [self._entry(name, self.runs_dir / name) for name in names]

    def get(self, name: str) -> LoadedRun:
        """Looks the name up among the runs found on disk (rescanning once for a new run)."""
        if name not in self._entries:
            self.entries()
        if name not in self._entries:
            raise not_found(f"no run named {name!r}", runs=list(self._entries))
        known = self._entries[name]
        entry = self._entry(known.name, known.path)
        if entry.error is not None:
            raise conflict(f"run {name!r} is broken and is not served: {entry.error}")
        loaded = self._loaded.get(name)
        if loaded is None:
            loaded = self._loaded[name] = LoadedRun(entry, self.files)
        return loaded
