"""The run directory contract shared by the trainer (writer) and the backend (reader). Torch-free
and FastAPI-free: file names, the manifest's schema, the chunk lookup, and how any run file is read.

Every file and field is documented in docs/run-format.md; bump FORMAT_VERSION on any change a
reader would notice. A run directory is untrusted input (it may be copied from anyone): the
manifest is validated as a whole, and no path it names may lead outside the run.
"""

import gzip
from pathlib import Path, PurePosixPath

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from trainer.errors import RunFormatError
from trainer.names import NAME_RE

# 2: step chunks column by column with weight deltas (trainer/step_chunks.py); 3: one step record for both
# methods and kinds (a softmax step's forces named pull and push, its gradient on u_o grad_u_pos, lr in each)
FORMAT_VERSION = 3
KINDS = ("teaching", "corpus")
PARTIAL_PREFIX = ".partial-"
# Weights beyond ±1e15 are refused by the reader (backend/runs.py): below it no float32 dot product or norm of
# up to 1,000 dimensions can overflow (a cosine of null, an infinite distance); no training that converged comes
# near it. A diverged run is kept only up to its last recorded step within it (trainer/teaching_run.py).
WEIGHT_LIMIT = 1e15

# File names.
MANIFEST = "run.json"
VOCAB = "vocab.json"
CORPUS_STATS = "corpus_stats.json"
SENTENCES = "sentences.json"         # the walkthrough's sentences (teaching runs); optional
LOSS_CURVE = "loss_curve.json"
STEP_INDEX = "step_index.json"
MODEL = "model.safetensors"
TRAINER_STATE = "trainer_state.json"
STEP_CHUNKS = "steps"                # key in manifest["chunks"] and folder of the step chunks
# Derived views (docs/run-format.md): the walkthrough's and the explorer's.
NEIGHBORS = "neighbors.json"
SIMILARITY = "similarity.json"
ANALOGIES = "analogies.json"
CONVERGENCE = "convergence.json"
INPUT_OUTPUT = "input_output.json"
EXPLORER_MAP = "explorer/map.json.gz"
EXPLORER_HISTOGRAM = "explorer/histogram.json"
EXPLORER_ANALOGY_EVOLUTION = "explorer/analogy_evolution.json"
EXPLORER_POLYSEMY = "explorer/polysemy.json"
EXPLORER_HEATMAP_WORDS = "explorer/heatmap_words.json"
EXPLORER_PROBES = "explorer/probes.json"   # the run's probes, their results and scores (trainer/run_probes.py)
QUALITY = "quality.json"                   # collapsed / noise / ok when the run ended (trainer/vector_quality.py)

# What readers need, by kind: a run without one of these is broken, not partly served.
REQUIRED_FILES = {kind: (VOCAB, CORPUS_STATS, LOSS_CURVE, STEP_INDEX, MODEL, TRAINER_STATE) for kind in KINDS}

# Field names the backend reads.
STEPS_FIELD = "steps"                # step_index.json's list of recorded steps (chunks: trainer/step_chunks.py)
WEIGHTS_FIELD = "W"                  # in model.safetensors, and in a teaching run's step record
WORDS_FIELD = "words"                # vocab.json


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Sizes(BaseModel):
    model_config = ConfigDict(extra="allow")
    vocab: int = Field(ge=1)
    dim: int = Field(ge=1)
    steps: int = Field(ge=0)
    recorded_steps: int = Field(ge=0)


class CorpusInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    source: str | None = None


class TokenizerIdentity(BaseModel):
    """The BPE tokenizer whose tokens a run trained on (trainer/token_source.py); null: regex words."""
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    merges_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    merges: int = Field(ge=0)
    vocab_size: int = Field(ge=1)


class Manifest(BaseModel):
    """run.json. Unknown extra keys are kept (a newer trainer may add views); known ones are checked."""
    model_config = ConfigDict(extra="allow")
    format_version: int
    name: str
    kind: str
    created: str
    config: dict
    corpus: CorpusInfo = CorpusInfo()
    tokenizer: TokenizerIdentity | None = None  # absent in runs written before runs on BPE tokens
    sizes: Sizes
    chunk_size: int = Field(ge=1)    # records per step chunk: stored here once for every reader
    chunks: dict[str, list[str]]
    files: dict[str, FileEntry]

    @field_validator("format_version")
    @classmethod
    def supported_version(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise ValueError(f"format_version {value!r} is not supported (this version reads {FORMAT_VERSION}); "
                             "retrain the run")
        return value

    @field_validator("kind")
    @classmethod
    def known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r} (known: {', '.join(KINDS)})")
        return value

    @field_validator("files")
    @classmethod
    def relative_keys(cls, files: dict[str, FileEntry]) -> dict[str, FileEntry]:
        for relpath in files:
            check_relpath(relpath)
        return files


def check_relpath(relpath: str) -> str:
    """A manifest key must be a plain relative path: no absolute path, no `..`, no backslash, no empty part."""
    parts = PurePosixPath(relpath).parts
    if (not relpath or relpath.startswith("/") or "\\" in relpath or "\x00" in relpath
            or any(p in ("..", ".") for p in relpath.split("/")) or "" in relpath.split("/") or not parts):
        raise ValueError(f"file key {relpath!r} is not a plain relative path inside the run")
    return relpath


def inside(run_dir: Path, relpath: str) -> Path:
    """The file's path, after checking that it resolves (symlinks followed) inside the run directory."""
    try:
        root = run_dir.resolve()
        target = (root / check_relpath(relpath)).resolve()
    except (RuntimeError, OSError) as err:  # a symlink loop (RuntimeError before Python 3.13)
        raise RunFormatError(f"{run_dir.name}: {relpath} cannot be resolved ({err})") from None
    if not target.is_relative_to(root):
        raise RunFormatError(f"{run_dir.name}: {relpath} leads outside the run")
    return target


def chunk_path(folder: str, index: int) -> str:
    return f"{folder}/{index:06d}.json.gz"


def chunk_of(position: int, chunk_size: int) -> tuple[int, int]:
    """(chunk index, index inside the chunk) of the position-th recorded step."""
    return divmod(position, chunk_size)


def parse_json(data: bytes, gzipped: bool):
    """A run file's JSON, plain or gzipped: the one reader every part of the project uses."""
    return orjson.loads(gzip.decompress(data) if gzipped else data)


def read_json(run_dir: Path, relpath: str):
    return parse_json(inside(run_dir, relpath).read_bytes(), relpath.endswith(".gz"))


def read_all_records(run_dir: Path, manifest: dict) -> list[dict]:
    """Every recorded step of a run, in order, from the chunks the manifest lists."""
    from trainer.step_chunks import decode_chunk

    return [record for chunk in manifest["chunks"][STEP_CHUNKS] for record in decode_chunk(read_json(run_dir, chunk))]


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
    except OSError as err:
        return None, f"{run_dir.name}: unreadable run ({err})"


def describe(error: ValidationError) -> str:
    """'sizes.vocab: Field required; kind: unknown kind ...' (the first five problems)."""
    parts = []
    for e in error.errors()[:5]:
        where = ".".join(str(p) for p in e["loc"])
        parts.append(f"{where}: {e['msg'].removeprefix('Value error, ')}" if where else e["msg"])
    return "; ".join(parts)


def read_manifest(run_dir: Path, max_files: int | None = None) -> dict:
    """Reads and validates run.json against the files actually present; raises RunFormatError.
    `max_files`: a manifest listing more files is refused before any of them is looked at."""
    if not (run_dir / MANIFEST).is_file():
        raise RunFormatError(f"{run_dir.name}: no {MANIFEST} (not a run, or a write that never finished)")
    try:
        raw = orjson.loads(inside(run_dir, MANIFEST).read_bytes())
    except orjson.JSONDecodeError as err:
        raise RunFormatError(f"{run_dir.name}: {MANIFEST} is not valid JSON ({err})") from None
    if not isinstance(raw, dict):
        raise RunFormatError(f"{run_dir.name}: {MANIFEST} is not a JSON object")
    listed = raw.get("files")
    if max_files is not None and isinstance(listed, dict) and len(listed) > max_files:
        raise RunFormatError(f"{run_dir.name}: {MANIFEST} lists {len(listed):,} files; at most {max_files:,} are read")
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as err:
        raise RunFormatError(f"{run_dir.name}: {MANIFEST}: {describe(err)}") from None
    absent = [f for f in REQUIRED_FILES[manifest.kind] if f not in manifest.files]
    if absent:
        raise RunFormatError(f"{run_dir.name}: manifest lists no {', '.join(absent)}")
    unlisted = [c for chunks in manifest.chunks.values() for c in chunks if c not in manifest.files]
    if unlisted:
        raise RunFormatError(f"{run_dir.name}: chunk {unlisted[0]} is not in the manifest's files")
    for relpath, info in manifest.files.items():
        target = inside(run_dir, relpath)
        if not target.is_file():
            raise RunFormatError(f"{run_dir.name}: {relpath} is missing")
        size = target.stat().st_size
        if size != info.bytes:
            raise RunFormatError(f"{run_dir.name}: {relpath} has {size} bytes, the manifest says {info.bytes}")
    return raw
