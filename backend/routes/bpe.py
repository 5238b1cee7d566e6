"""Train a BPE from the token page: a student's text (or the start of a corpus in data/corpora), trained by
the project's trainer in a process of its own (backend/training_pool.py), answered with what the page
needs to replay it; and saved as a named tokenizer in data/tokenizers, as `wordlab tokenizer train` would."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend import settings
from backend.errors import Exists, TooLarge
from backend.jsonresponse import OrjsonResponse
from backend.routing import OrjsonRoute
from backend.schemas import ErrorBody, TokenizerSummary
from backend.training_pool import TrainingPool
from trainer.bpe.gpt_tokenizers import REFERENCES
from trainer.bpe.replay import TrainingTooLong, corpus_start, save_trained, train_for_replay
from trainer.errors import NotFound, WordlabError
from trainer.names import check_name

router = APIRouter(prefix="/api/bpe", tags=["bpe training"], route_class=OrjsonRoute)
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 413: {"model": ErrorBody},
          503: {"model": ErrorBody}}
RESERVED_NAMES = frozenset(REFERENCES) | {"default"}
STALE_HOLD_SECONDS = 10 * settings.BPE_TRAIN_SECONDS   # far longer than a bounded save trains: left by a killed worker


class TrainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, description=f"at most {settings.MAX_TEXT_BYTES:,} bytes of UTF-8")
    corpus: str | None = Field(default=None, description="a file listed by /api/bpe/corpora (its first 100 KB)")
    merges: int = Field(ge=1, le=settings.BPE_TRAIN_MAX_MERGES)

    @model_validator(mode="after")
    def one_source(self) -> "TrainRequest":
        if (self.text is None) == (self.corpus is None):
            raise ValueError("give either text or corpus")
        return self


class SaveRequest(TrainRequest):
    name: str = Field(description="letters, digits, '-', '_' and '.', as `wordlab tokenizer train --name`")


class Candidate(BaseModel):
    left: int
    right: int
    count: int


class TrainedMerge(BaseModel):
    rank: int
    left: int
    right: int
    id: int
    count: int
    candidates: list[Candidate] = Field(description="the pairs of highest count when this merge was chosen, "
                                                    "the winner first")


class TrainResponse(BaseModel):
    base_size: int
    vocab: list[str] = Field(description="id → token: base symbols, then one per merge")
    merges: list[TrainedMerge]
    pieces: list[list[int]] = Field(description="the training text's distinct pieces as base-symbol ids")
    counts: list[int] = Field(description="how often each piece occurs")
    preview: list[int] = Field(description="the first pieces of the training text, in order, as indices into pieces")
    training_characters: int
    held_out_lines: int
    seconds: float


class CorpusEntry(BaseModel):
    name: str
    bytes: int


def corpora_dir(request: Request) -> Path:
    return request.app.state.corpora_dir


def training_pool(request: Request) -> TrainingPool:
    return request.app.state.training_pool


Corpora = Annotated[Path, Depends(corpora_dir)]
Pool = Annotated[TrainingPool, Depends(training_pool)]


def corpus_files(directory: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(directory.glob("*.txt")) if p.is_file()} if directory.is_dir() else {}


def source_text(request: TrainRequest, directory: Path) -> tuple[str, str]:
    """(text, where it came from): the pasted text under the size limit, or the start of a listed corpus."""
    if request.text is not None:
        size = len(request.text.encode("utf-8", "surrogatepass"))
        if size > settings.MAX_TEXT_BYTES:
            raise TooLarge(f"text is {size:,} bytes; the limit is {settings.MAX_TEXT_BYTES:,} bytes (about 100 KB)")
        return request.text, "text pasted on the token page"
    path = corpus_files(directory).get(request.corpus)   # a listed name, never a path from the request
    if path is None:
        raise NotFound(f"no corpus named {request.corpus!r}", corpora=sorted(corpus_files(directory)))
    size = min(path.stat().st_size, settings.MAX_TEXT_BYTES)
    return corpus_start(path, settings.MAX_TEXT_BYTES), f"the first {size:,} bytes of {path.name}"


@router.get("/corpora", response_model=list[CorpusEntry], description="Texts in data/corpora to train on.")
async def list_corpora(directory: Corpora, pool: Pool) -> list[CorpusEntry]:
    pool.warm()   # the token page is open: a training may follow
    return [CorpusEntry(name=name, bytes=path.stat().st_size) for name, path in corpus_files(directory).items()]


@router.post("/train", response_model=TrainResponse, responses=ERRORS,
             description="Trains a BPE with the project's trainer (every 20th line held out, as the CLI does) and "
                         "answers each merge with the candidate pairs and counts it was chosen from.")
async def train(request: TrainRequest, directory: Corpora, pool: Pool):
    text, _ = source_text(request, directory)
    try:
        return OrjsonResponse(await pool.run(train_for_replay, text, request.merges, settings.BPE_TRAIN_SECONDS))
    except TrainingTooLong as err:
        raise TooLarge(str(err)) from None


@router.post("/save", response_model=TokenizerSummary, status_code=201, responses=ERRORS,
             description="Trains the same merges and saves them as data/tokenizers/NAME.json (a new name only).")
async def save(request: SaveRequest, directory: Corpora, pool: Pool, http: Request) -> TokenizerSummary:
    check_name(request.name, "tokenizer")
    if request.name in RESERVED_NAMES:
        raise Exists(f"{request.name!r} is the name of a tokenizer the app provides; choose another")
    out_dir = http.app.state.tokenizers.root
    with name_held(out_dir, request.name):
        if (out_dir / f"{request.name}.json").exists():
            raise Exists(f"a tokenizer named {request.name!r} exists already; choose another name")
        if len(list(out_dir.glob("*.json"))) >= settings.MAX_SAVED_TOKENIZERS:
            raise TooLarge(f"data/tokenizers holds {settings.MAX_SAVED_TOKENIZERS} tokenizers already; "
                           "delete some first")
        text, source = source_text(request, directory)
        saved = await pool.run(save_trained, text, request.merges, request.name, str(out_dir), source)
    return TokenizerSummary(**saved)


@contextmanager
def name_held(out_dir: Path, name: str) -> Iterator[None]:
    """Holds a tokenizer name for one save, across every server worker (a file created only if absent), so two
    students saving the same new name at once cannot overwrite each other; a hold older than any training
    could last was left by a killed worker and is taken over."""
    marker = out_dir / f".{name}.saving"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            if time.time() - marker.stat().st_mtime < STALE_HOLD_SECONDS:
                raise Exists(f"a tokenizer named {name!r} is being saved by someone else; "
                             "choose another name") from None
            marker.touch()
    except OSError as err:
        raise WordlabError(f"cannot save into data/tokenizers: {err.strerror or err}") from None
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)
