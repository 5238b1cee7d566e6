"""Writes a run directory atomically, with its manifest (the one manifest writer for both kinds).

Reading a run back to resume it: trainer/checkpoint.py.

A run is written into a hidden `.partial-*` directory and renamed into place only when every
file and the manifest are on disk, so a crash never leaves half a run that looks complete.
Replacing a run takes two renames (old run aside, new one in); a crash between them leaves the
name empty and both copies in partial directories, so the next writer puts the newest complete
one back before it cleans up (`recover_abandoned_partials`).
"""

import errno
import gzip
import hashlib
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
from safetensors.numpy import save_file

from trainer.errors import WordlabError
from trainer.names import check_name, is_valid_name
from trainer.run_format import (
    FORMAT_VERSION,
    MANIFEST,
    PARTIAL_PREFIX,
    read_manifest,
)

JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY
OLD_MARK = "-old-"  # in the name of the partial directory holding a replaced run
GZIP_LEVEL = 4  # most of level 6's saving at a third of its time (docs/performance.md, "Figures from code comments")


def created_timestamp() -> str:
    """UTC now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention) for byte-identical runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def manifest(config, corpus, tokens, sizes: dict, chunk_size: int, chunks: dict[str, list[str]],
             pca: dict, final_loss: float, **extra) -> dict:
    """run.json for either kind of run, less `files` (RunWriter.commit adds them): the one manifest writer.
    config: a trainer.config.RunConfig; corpus: trainer.corpus.ReadSummary; tokens: a TokenSource or None;
    pca: {name: trainer.projection.Projection}."""
    return {
        "format_version": FORMAT_VERSION,
        "kind": config.kind,
        "created": created_timestamp(),
        "config": config.to_dict(without=("chunk_size",)),    # the manifest's chunk_size is the one copy
        "corpus": {"source": config.corpus, **corpus.to_dict()},
        "tokenizer": tokens.identity() if tokens else None,
        "sizes": sizes,
        "chunk_size": chunk_size,
        "chunks": chunks,
        "pca": {kind: {"explained_variance_ratio": p.explained_variance_ratio, "components": p.components,
                       "mean": p.mean} for kind, p in pca.items()},
        "final_loss": final_loss,
        **extra,
    }


class RunWriter:
    """Context manager: files go to a temporary directory; commit() renames it to out_dir/name."""

    def __init__(self, out_dir: Path, name: str):
        self.out_dir = Path(out_dir)
        self.name = check_name(name)
        self.final_dir = self.out_dir / self.name
        self.tmp_dir = self.out_dir / f"{PARTIAL_PREFIX}{os.getpid()}-{self.name}-{uuid.uuid4().hex[:8]}"
        self.files: dict[str, dict] = {}
        self.committed = False

    def __enter__(self) -> "RunWriter":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        recover_abandoned_partials(self.out_dir)
        self.tmp_dir.mkdir()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.committed:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise WordlabError(f"the disk is full: cannot write run {self.name!r} in {self.out_dir.resolve()} "
                               "(nothing was left half-written; free some space and train again)") from None

    def _write(self, relpath: str, data: bytes) -> None:
        target = self.tmp_dir / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files[relpath] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def json(self, relpath: str, obj) -> None:
        self._write(relpath, orjson.dumps(obj, option=JSON_OPTIONS))

    def json_gz(self, relpath: str, obj) -> None:
        """Gzip with mtime 0 (deterministic bytes); the backend sends these as Content-Encoding: gzip."""
        self._write(relpath, gzip.compress(orjson.dumps(obj, option=JSON_OPTIONS), GZIP_LEVEL, mtime=0))

    def safetensors(self, relpath: str, tensors: dict[str, np.ndarray]) -> None:
        path = self.tmp_dir / relpath
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(path))
        data = path.read_bytes()
        self.files[relpath] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def commit(self, manifest: dict) -> Path:
        manifest = {**manifest, "name": self.name, "files": dict(sorted(self.files.items()))}
        (self.tmp_dir / MANIFEST).write_bytes(orjson.dumps(manifest, option=JSON_OPTIONS | orjson.OPT_INDENT_2))
        read_manifest(self.tmp_dir)  # never publish a run the readers would reject
        old = None
        if self.final_dir.exists():
            old = self.out_dir / f"{PARTIAL_PREFIX}{os.getpid()}{OLD_MARK}{self.name}-{uuid.uuid4().hex[:8]}"
            self.final_dir.rename(old)  # a crash from here to the next rename is repaired by the next writer
        self.tmp_dir.rename(self.final_dir)
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.final_dir


def abandoned_partials(out_dir: Path) -> list[Path]:
    """Temporary run directories whose writer process no longer exists (killed mid-write).

    A partial directory is named .partial-PID-...; one whose PID is alive may be a write in progress
    and is left alone.
    """
    found = []
    for entry in out_dir.glob(f"{PARTIAL_PREFIX}*"):
        pid = entry.name[len(PARTIAL_PREFIX):].split("-", 1)[0]
        if entry.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            found.append(entry)
    return found


def recover_abandoned_partials(out_dir: Path) -> None:
    """Puts back a complete run whose name was left empty by a crash inside commit(), preferring the
    new copy to the old one, then deletes every abandoned partial directory."""
    partials = abandoned_partials(out_dir)
    complete = []
    for entry in partials:
        try:
            complete.append((read_manifest(entry)["name"], OLD_MARK not in entry.name, entry.stat().st_mtime_ns, entry))
        except (WordlabError, OSError, KeyError, TypeError):
            continue  # half written: nothing to recover
    for name, _, _, entry in sorted(complete, reverse=True):  # per name: the new copy first, then the newest
        final = out_dir / name
        if is_valid_name(name) and not final.exists():
            entry.rename(final)
    for entry in partials:
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


