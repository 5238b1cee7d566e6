"""The run directory contract shared by the trainer (writer) and the backend (reader). Torch-free.

Every file and field is documented in docs/run-format.md; bump FORMAT_VERSION on any change a
reader would notice.
"""

import re
from pathlib import Path

import orjson

from trainer.errors import RunFormatError

FORMAT_VERSION = 1
MANIFEST = "run.json"
KINDS = ("teaching", "corpus")
# Names double as directory names and URL segments: no separators, no leading dot.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PARTIAL_PREFIX = ".partial-"
REQUIRED_MANIFEST_KEYS = ("format_version", "name", "kind", "created", "config", "sizes", "chunks", "files")
REQUIRED_FILES = ("vocab.json", "corpus_stats.json", "loss_curve.json", "step_index.json", "model.safetensors",
                  "trainer_state.json")


def check_name(name: str, what: str = "run") -> str:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or name.endswith(".") or ".." in name:
        raise RunFormatError(f"invalid {what} name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                             f"starting with a letter or digit")
    return name


def chunk_path(folder: str, index: int) -> str:
    return f"{folder}/{index:06d}.json.gz"


def run_dirs(runs_dir: Path) -> list[Path]:
    """The run directories by name: hidden and partial ones (names NAME_RE refuses) left out."""
    if not runs_dir.is_dir():
        return []
    return sorted((p for p in runs_dir.iterdir() if p.is_dir() and NAME_RE.fullmatch(p.name)), key=lambda p: p.name)


def check_run(run_dir: Path) -> tuple[dict | None, str | None]:
    """(manifest, None) for a valid run, (None, why) for a broken one."""
    try:
        return read_manifest(run_dir), None
    except RunFormatError as err:
        return None, str(err)
    except (OSError, KeyError, TypeError) as err:
        return None, f"{run_dir.name}: unreadable run ({err})"


def read_manifest(run_dir: Path) -> dict:
    """Reads and validates run.json against the files actually present; raises RunFormatError."""
    path = run_dir / MANIFEST
    if not path.is_file():
        raise RunFormatError(f"{run_dir.name}: no {MANIFEST} (not a run, or a write that never finished)")
    try:
        manifest = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as err:
        raise RunFormatError(f"{run_dir.name}: {MANIFEST} is not valid JSON ({err})") from None
    if not isinstance(manifest, dict):
        raise RunFormatError(f"{run_dir.name}: {MANIFEST} is not a JSON object")
    missing = [k for k in REQUIRED_MANIFEST_KEYS if k not in manifest]
    if missing:
        raise RunFormatError(f"{run_dir.name}: {MANIFEST} lacks {', '.join(missing)}")
    if manifest["format_version"] != FORMAT_VERSION:
        raise RunFormatError(f"{run_dir.name}: format_version {manifest['format_version']!r} is not supported "
                             f"(this version reads {FORMAT_VERSION}); retrain the run")
    if manifest["kind"] not in KINDS:
        raise RunFormatError(f"{run_dir.name}: unknown kind {manifest['kind']!r}")
    files = manifest["files"]
    absent = [f for f in REQUIRED_FILES if f not in files]
    if absent:
        raise RunFormatError(f"{run_dir.name}: manifest lists no {', '.join(absent)}")
    for relpath, info in files.items():
        target = run_dir / relpath
        if not target.is_file():
            raise RunFormatError(f"{run_dir.name}: {relpath} is missing")
        if target.stat().st_size != info["bytes"]:
            raise RunFormatError(f"{run_dir.name}: {relpath} has {target.stat().st_size} bytes, "
                                 f"the manifest says {info['bytes']}")
    return manifest
