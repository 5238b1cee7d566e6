"""Run directories: found by name, validated, lazily loaded; a file only by its key in the manifest.

A run written while the server runs is found on the next request (run.json's stat is checked per
request, one syscall), and a rewritten run is reloaded. A run is untrusted input (copied from anyone),
so a worker reads no more of it than backend/settings.py allows: run.json's size and file count, the
weight matrix's size, each parsed file's size and what each `.json.gz` inflates to (by the file's
kind), checked before anything is parsed; over a limit, the run is listed as broken with the limit.
Every file is checked against the manifest's sha256 (and a `.json.gz` inflated once within its limit)
the first time a worker reads it, and not again while its stat is the same; a mismatch marks the run
broken (409 with the reason) until run.json changes. Small files are kept in memory; larger ones are
streamed from disk. What is parsed (vocabulary, step index, weights, step chunks) is kept within byte
budgets, measured as held.
"""

import hashlib
import os
import sys
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import orjson
from safetensors import SafetensorError, safe_open

from backend import settings
from backend.errors import Unsupported
from backend.inflate import InflateError, file_blocks, inflate, inflated_size
from backend.loading import check_may_load
from backend.registry import Registry, Stamp, shown
from backend.sized_lru import SizedLRU
from backend.word_index import WordIndex
from trainer.errors import Broken, NotFound, RunFormatError
from trainer.run_format import (
    MANIFEST,
    MODEL,
    STEP_CHUNKS,
    STEP_INDEX,
    STEPS_FIELD,
    VOCAB,
    WEIGHT_LIMIT,
    WEIGHTS_FIELD,
    WORDS_FIELD,
    check_relpath,
    chunk_of,
    inside,
    read_manifest,
    run_dirs,
)
from trainer.step_chunks import decode_columns, record_at
from trainer.vocab import Vocab

PARSED_FILES = (VOCAB, STEP_INDEX)  # the plain JSON files the server itself parses


@dataclass(frozen=True)
class RunFile:
    path: Path          # checked to be inside the run
    etag: str
    gzipped: bool
    size: int
    data: bytes | None  # the bytes when at most CACHED_FILE_BYTES; None: stream them from `path`


class RunCaches:
    """What a registry's runs keep in memory, each within its byte budget."""

    def __init__(self):
        self.files: SizedLRU[RunFile] = SizedLRU(settings.FILE_CACHE_BYTES)          # small raw files
        self.chunks: SizedLRU[dict] = SizedLRU(settings.CHUNK_CACHE_BYTES)           # parsed step chunks
        self.data: SizedLRU[object] = SizedLRU(settings.RUN_DATA_CACHE_BYTES)        # vocab, steps, weights


def inflate_limit(relpath: str) -> int:
    """What a `.json.gz` file of this kind may inflate to (settings.MAX_INFLATED_BYTES, by path prefix)."""
    return next(limit for prefix, limit in settings.MAX_INFLATED_BYTES.items() if relpath.startswith(prefix))


def check_limits(name: str, manifest: dict) -> None:
    """Refuses a run that holds more than a worker agrees to read, before any of its files is parsed."""
    vocab, dim = manifest["sizes"]["vocab"], manifest["sizes"]["dim"]
    if vocab * dim > settings.MAX_WEIGHT_NUMBERS:
        raise RunFormatError(f"{name}: its weights are {vocab:,}×{dim} = {vocab * dim:,} numbers; this server reads "
                             f"at most {settings.MAX_WEIGHT_NUMBERS:,} (MAX_WEIGHT_NUMBERS in backend/settings.py)")
    for relpath, info in manifest["files"].items():
        if relpath == MODEL:
            limit, what = 2 * vocab * dim * 8 + (1 << 20), "two float64 matrices of the run's size"
        elif relpath in PARSED_FILES:
            limit, what = settings.MAX_PARSED_JSON_BYTES, "MAX_PARSED_JSON_BYTES"
        elif relpath.endswith(".gz"):
            limit, what = inflate_limit(relpath), "MAX_INFLATED_BYTES"
        else:
            limit, what = settings.MAX_RUN_FILE_BYTES, "MAX_RUN_FILE_BYTES"
        if info["bytes"] > limit:
            raise RunFormatError(f"{name}: {relpath} is {info['bytes']:,} bytes; this server reads at most "
                                 f"{limit:,} for it ({what})")


ATOMS = (str, bytes, int, float, bool, type(None), np.ndarray, np.generic)  # counted by getsizeof alone


def held_bytes(value) -> int:
    """Bytes a parsed value holds in memory: numpy arrays by their data, Python containers and objects
    with what they hold. Sizes are summed in C a level at a time, and small containers (a pair, a
    record's fields) are counted with their items in bulk, so that a large tokenizer is measured quickly."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if not isinstance(value, list | tuple | dict):
        return sys.getsizeof(value)
    total, stack = sys.getsizeof(value), [value]
    while stack:
        item = stack.pop()
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        total += sum(map(sys.getsizeof, children))
        for kind in set(map(type, children)):
            if issubclass(kind, ATOMS):
                continue
            members = [c for c in children if type(c) is kind]
            if not issubclass(kind, list | tuple | dict):  # objects: their attribute tables (the ints are shared)
                total += sum(sys.getsizeof(vars(c)) for c in members if hasattr(c, "__dict__"))
                continue
            large = [m for m in members if len(m) > 8]
            stack.extend(large)
            small = [m for m in members if len(m) <= 8]
            total += sum(map(sys.getsizeof, chain.from_iterable(
                [*m.keys(), *m.values()] if isinstance(m, dict) else m for m in small)))
    return total


def compact(column):
    """A column of numbers of one shape as a numpy array (8 bytes a number, not ~32 as Python floats
    in lists); anything else (words, ragged lists) as parsed."""
    if isinstance(column, np.ndarray):
        return column
    try:
        array = np.asarray(column)
    except (ValueError, OverflowError, TypeError):
        return column
    return array if array.dtype.kind in "iufb" else column


class LoadedRun:
    """One valid run; its big pieces (weights, parsed chunks) are read on first use and kept within
    the registry's byte budgets."""

    def __init__(self, name: str, path: Path, manifest: dict, stamp: Stamp, caches: RunCaches):
        self.name, self.path, self.manifest, self.stamp = name, path, manifest, stamp
        self._caches = caches             # shared by the registry's runs; keyed by run, version and what
        self.broken: str | None = None
        self._verified: dict[str, Stamp] = {}  # relpath → the stat under which its hash was checked

    @property
    def sizes(self) -> tuple[int, int]:
        return self.manifest["sizes"]["vocab"], self.manifest["sizes"]["dim"]

    def fail(self, reason: str):
        self.broken = reason
        raise Broken(f"run {self.name!r} is broken and is not served: {reason}")

    # -- files ------------------------------------------------------------------------------
    def file(self, relpath: str) -> RunFile:
        """A file listed in the manifest (or the manifest itself), checked; anything else is NotFound."""
        if relpath != MANIFEST and relpath not in self.manifest["files"]:
            raise NotFound(f"run {self.name!r} has no file {shown(relpath)}")
        key = (self.name, self.stamp, relpath)
        cached = self._caches.files.peek(key)
        if cached is not None:
            return cached
        if self.broken is not None:
            raise Broken(f"run {self.name!r} is broken and is not served: {self.broken}")
        try:
            path = inside(self.path, check_relpath(relpath))
            st = path.stat()
        except (OSError, RunFormatError, ValueError) as err:  # deleted, unreadable, a link out of the run
            self.fail(f"{relpath} cannot be read ({err})")
        if relpath != MANIFEST:
            self._verify(relpath, path, st)
        if st.st_size > settings.CACHED_FILE_BYTES:
            return RunFile(path, self._etag(relpath), relpath.endswith(".gz"), st.st_size, None)
        return self._caches.files.get(key, lambda: self._read(relpath, path))

    def _etag(self, relpath: str) -> str:
        if relpath == MANIFEST:
            return f"{self.stamp[0]:x}-{self.stamp[1]:x}"
        return self.manifest["files"][relpath]["sha256"][:32]

    def _read(self, relpath: str, path: Path) -> tuple[RunFile, int]:
        """A small file's bytes, kept in memory (checked by _verify first)."""
        try:
            data = path.read_bytes()
        except OSError as err:
            self.fail(f"{relpath} cannot be read ({err})")
        if relpath != MANIFEST and len(data) != self.manifest["files"][relpath]["bytes"]:
            self.fail(f"{relpath} changed while it was read")
        return RunFile(path, self._etag(relpath), relpath.endswith(".gz"), len(data), data), len(data)

    def _verify(self, relpath: str, path: Path, st: os.stat_result) -> None:
        """The file's content checked once while its stat stays the same: a file read again (evicted, or
        streamed) is not hashed again."""
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._verified.get(relpath) == stamp:
            return
        check_may_load()
        try:
            self._check_content(relpath, file_blocks(path), st.st_size)
        except OSError as err:
            self.fail(f"{relpath} cannot be read ({err})")
        self._verified[relpath] = stamp

    def _check_content(self, relpath: str, blocks, size: int) -> None:
        """The size and sha256 the manifest gives, and for a `.json.gz` what it inflates to (its kind's
        limit), in one pass over the blocks."""
        expected = self.manifest["files"][relpath]
        if size != expected["bytes"]:
            self.fail(f"{relpath} has {size:,} bytes, the manifest says {expected['bytes']:,}")
        digest = hashlib.sha256()

        def hashing():
            for block in blocks:
                digest.update(block)
                yield block
        hashed, inflate_error = hashing(), None
        if relpath.endswith(".gz"):
            try:
                inflated_size(hashed, inflate_limit(relpath))
            except InflateError as err:
                inflate_error = err
        for _ in hashed:  # the rest, if inflating stopped early
            pass
        if digest.hexdigest() != expected["sha256"]:
            self.fail(f"{relpath} does not match the sha256 in {MANIFEST} (changed or corrupted since it was written)")
        if inflate_error is not None:
            self.fail(f"{relpath} {inflate_error} (MAX_INFLATED_BYTES in backend/settings.py)")

    def content(self, relpath: str) -> bytes:
        """A file's checked bytes, inflated for a `.json.gz` (within its kind's limit)."""
        f = self.file(relpath)
        data = f.data
        if data is None:
            check_may_load()
            data = f.path.read_bytes()
        try:
            return inflate(data, inflate_limit(relpath)) if f.gzipped else data
        except InflateError as err:
            self.fail(f"{relpath} {err}")

    def json(self, relpath: str):
        try:
            return orjson.loads(self.content(relpath))
        except ValueError as err:  # a file whose content was bad when written
            self.fail(f"{relpath} cannot be read ({err})")

    # -- what is parsed ----------------------------------------------------------------------
    def _data(self, what: str, load):
        return self._caches.data.get((self.name, self.stamp, what), load)

    @property
    def vocab(self) -> Vocab:
        def load() -> tuple[Vocab, int]:
            raw = self.json(VOCAB)
            try:
                vocab = Vocab.from_dict(raw)
            except (KeyError, TypeError, ValueError) as err:
                self.fail(f"{VOCAB} is malformed ({err!r})")
            if (len(vocab) != self.sizes[0] or not all(isinstance(w, str) for w in vocab.words)
                    or len(vocab.counts) != len(vocab)):
                self.fail(f"{VOCAB}: {WORDS_FIELD} is not a list of {self.sizes[0]:,} words with their counts")
            return vocab, held_bytes(vocab.words) + held_bytes(vocab.counts) + sys.getsizeof(vocab.index)
        return self._data(VOCAB, load)

    @property
    def word_index(self) -> WordIndex:
        """Close-match suggestions over the vocabulary, built on first need."""
        def load() -> tuple[WordIndex, int]:
            index = WordIndex(self.vocab.words)
            return index, index.nbytes
        return self._data("word-index", load)

    @property
    def recorded_steps(self) -> np.ndarray:
        def load() -> tuple[np.ndarray, int]:
            raw = self.json(STEP_INDEX)
            try:
                steps = np.asarray(raw[STEPS_FIELD], dtype=np.int64)
            except (KeyError, TypeError, ValueError, OverflowError) as err:
                self.fail(f"{STEP_INDEX} is malformed ({err!r})")
            if steps.ndim != 1 or not len(steps) or (np.diff(steps) <= 0).any():
                self.fail(f"{STEP_INDEX}: {STEPS_FIELD} is not a list of ascending step numbers")
            return steps, steps.nbytes
        return self._data(STEP_INDEX, load)

    def chunk(self, index: int) -> dict:
        """A step chunk's decoded columns, cached by their size in memory."""
        chunks = self.manifest["chunks"][STEP_CHUNKS]
        if index >= len(chunks):
            self.fail(f"{STEP_INDEX} lists more steps than the {len(chunks)} step chunks hold")
        relpath = chunks[index]
        return self._caches.chunks.get((self.name, self.stamp, relpath), lambda: self.parse_chunk(relpath))

    def parse_chunk(self, relpath: str) -> tuple[dict, int]:
        try:
            columns = {field: compact(column) for field, column in decode_columns(self.json(relpath)).items()}
        except (ValueError, OverflowError) as err:
            self.fail(f"{relpath} is not a step chunk ({err})")
        weights = columns.get(WEIGHTS_FIELD)
        if weights is not None:
            vocab, dim = self.sizes
            if not isinstance(weights, np.ndarray) or weights.shape[1:] != (vocab, dim):
                self.fail(f"{relpath}: {WEIGHTS_FIELD} is not a {vocab}×{dim} matrix at each step")
            if weights.dtype.kind != "f" or not (np.abs(weights) <= WEIGHT_LIMIT).all():
                self.fail(f"{relpath}: {WEIGHTS_FIELD} holds values that are not finite numbers within ±1e15")
        return columns, sum(held_bytes(column) for column in columns.values())

    def _located(self, step: int) -> tuple[dict, int]:
        """The decoded chunk holding a recorded step, and the step's offset in it."""
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
        return columns, offset

    def record(self, step: int) -> dict:
        return record_at(*self._located(step))

    def weights(self, step: int | None = None) -> np.ndarray:
        """W after training (step None), or W as it was at a recorded step (4-decimal precision)."""
        if step is None:
            return self._data(MODEL, self._load_weights)
        columns, offset = self._located(step)
        if WEIGHTS_FIELD not in columns:
            raise Unsupported(f"run {self.name!r} ({self.manifest['kind']}) does not record the whole "
                              f"{WEIGHTS_FIELD} at each step; ask without step= for the trained vectors")
        return columns[WEIGHTS_FIELD][offset].astype(np.float32)

    def _load_weights(self) -> tuple[np.ndarray, int]:
        f = self.file(MODEL)
        check_may_load()
        vocab, dim = self.sizes
        try:
            with safe_open(str(f.path), framework="numpy") as tensors:
                weights = tensors.get_tensor(WEIGHTS_FIELD)
        except (SafetensorError, OSError, KeyError, ValueError, TypeError) as err:
            self.fail(f"{MODEL} cannot be read ({err})")
        if (weights.dtype.kind != "f" or weights.shape != (vocab, dim)
                or not (np.abs(weights) <= WEIGHT_LIMIT).all()):
            self.fail(f"{MODEL}: {WEIGHTS_FIELD} is not a finite {vocab}×{dim} matrix of floats within ±1e15 "
                      f"(it is {weights.dtype} {'×'.join(map(str, weights.shape))})")
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        return weights, weights.nbytes


class RunRegistry(Registry[LoadedRun]):
    what = "run"

    def __init__(self, runs_dir: Path):
        super().__init__(runs_dir)
        self.caches = RunCaches()

    @property
    def files(self) -> SizedLRU[RunFile]:
        return self.caches.files

    @property
    def chunks(self) -> SizedLRU[dict]:
        return self.caches.chunks

    def find(self) -> dict[str, Path]:
        return {p.name: p for p in run_dirs(self.root)}

    def stamp_file(self, path: Path) -> Path:
        return path / MANIFEST

    def load(self, name: str, path: Path) -> LoadedRun:
        try:
            size = (path / MANIFEST).stat().st_size
        except OSError:
            size = 0  # read_manifest says what is wrong
        if size > settings.MAX_MANIFEST_BYTES:
            raise RunFormatError(f"{name}: {MANIFEST} is {size:,} bytes; this server reads manifests up to "
                                 f"{settings.MAX_MANIFEST_BYTES:,} (MAX_MANIFEST_BYTES in backend/settings.py)")
        try:
            manifest = read_manifest(path, max_files=settings.MAX_RUN_FILES)
        except (KeyError, TypeError) as err:
            raise RunFormatError(f"{name}: unreadable run ({err})") from None
        check_limits(name, manifest)
        return LoadedRun(name, path, manifest, self._stamp(path), self.caches)

    def broken_reason(self, value: LoadedRun) -> str | None:
        return value.broken

