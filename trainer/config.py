"""The one place where a training run's settings live; every part of the trainer reads them from here."""

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

# The checkout this package runs from (installed editable): defaults must not depend on the cwd.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = "data/corpora/teaching.txt"
DEFAULT_RUNS_DIR = PROJECT_ROOT / "data" / "runs"
DEFAULT_TOKENIZERS_DIR = PROJECT_ROOT / "data" / "tokenizers"
DEFAULT_TOKENIZER_VOCAB = 1000
METHODS = ("softmax", "sgns")
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)  # `wordlab serve`: a worker per core, at most 4


def resolve_corpus(corpus: str) -> Path:
    """A relative corpus path is looked up from the cwd first, then from the project root."""
    path = Path(corpus)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path


@dataclass(frozen=True)
class TrainConfig:
    corpus: str = DEFAULT_CORPUS
    steps: int = 15000
    dim: int = 8
    lr: float = 0.1
    window: int = 3
    min_count: int = 3
    # Full softmax records V×d numbers twice per recorded step: a whole book's vocabulary would make a
    # run of hundreds of MB, so only the max_vocab most frequent words are kept.
    max_vocab: int = 500
    seed: int = 42
    remove_stopwords: bool = True
    dense_steps: int = 200
    record_interval: int = 10
    chunk_size: int = 100
    # "softmax": every step scores all V output vectors; "sgns": the true context against `negative`
    # words drawn from unigram^0.75 (word2vec's negative sampling).
    method: str = "softmax"
    negative: int = 5

    def __post_init__(self) -> None:
        from trainer.errors import WordlabError

        positive = ("steps", "dim", "window", "min_count", "max_vocab", "record_interval", "chunk_size", "negative")
        for name in positive:
            if getattr(self, name) < 1:
                raise WordlabError(f"{name} must be at least 1 (got {getattr(self, name)})")
        if self.dense_steps < 0:
            raise WordlabError(f"dense_steps must be 0 or more (got {self.dense_steps})")
        if self.method not in METHODS:
            raise WordlabError(f"method must be one of {', '.join(METHODS)} (got {self.method!r})")
        if not self.lr > 0:
            raise WordlabError(f"lr must be positive (got {self.lr})")

    def is_recorded(self, step: int) -> bool:
        """Every step of the first dense_steps, then every record_interval-th, and always the last."""
        return step <= self.dense_steps or step % self.record_interval == 0 or step == self.steps

    def recorded_steps(self) -> list[int]:
        return [s for s in range(1, self.steps + 1) if self.is_recorded(s)]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
