"""The one place where a training run's settings live; every part of the trainer reads them from here."""

import math
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

# The checkout this package runs from (installed editable): defaults must not depend on the cwd.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = "data/corpora/teaching.txt"
DEFAULT_RUNS_DIR = PROJECT_ROOT / "data" / "runs"
DEFAULT_TOKENIZERS_DIR = PROJECT_ROOT / "data" / "tokenizers"
DEFAULT_TOKENIZER_VOCAB = 1000
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)  # `wordlab serve`: a worker per core, at most 4


def resolve_corpus(corpus: str) -> Path:
    """A relative corpus path is looked up from the cwd first, then from the project root."""
    path = Path(corpus)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path


def setting(default, help: str):
    """A TrainConfig field with its help text: what it does, its default, a sensible range. The CLI's
    flags and `wordlab train --help` are generated from these, so the config stays the single source."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TrainConfig:
    corpus: str = setting(DEFAULT_CORPUS, "Text file to train on: UTF-8 (else Windows-1252), Project Gutenberg "
                          "licences stripped; one sentence per line, or prose whose blank-line paragraphs are "
                          "joined and cut at sentence ends. Default: the built-in teaching corpus.")
    steps: int = setting(15000, "Training steps, one (center, context) pair each. Default 15000; the report "
                         "before training says how many epochs that is: aim for 1-10 epochs.")
    epochs: float | None = setting(None, "Passes over all the pairs; when given, the steps are derived from it "
                                   "(steps = epochs x pairs) and --steps is ignored. Default: unset; books learn "
                                   "visibly from about 2-5 epochs.")
    dim: int = setting(8, "Embedding dimensions d. Default 8 (small enough to read every number); 2-50 is "
                       "sensible here, 100-300 for real word2vec.")
    lr: float = setting(0.1, "SGD learning rate. Default 0.1; 0.01-0.5 trains; 1 and above make the loss diverge.")
    window: int = setting(3, "Context words taken on each side of the center word, within a sentence. "
                          "Default 3; 2-5 is usual (smaller: syntactic neighbours, larger: topical).")
    min_count: int = setting(3, "Words seen fewer times than this are dropped as rare. Default 3; 1-10 "
                             "(use 5 or more for a book).")
    # Full softmax records V×d numbers twice per recorded step: a whole book's vocabulary would make a
    # run of hundreds of MB, so only the max_vocab most frequent words are kept.
    max_vocab: int = setting(500, "Keep at most this many of the most frequent words (the rest are dropped "
                             "as rare). Default 500; 100-2000 (run size and training time grow with it).")
    seed: int = setting(42, "Random seed for the initial weights and the pair order; the same seed and "
                        "settings give the same run. Default 42; any integer.")
    remove_stopwords: bool = setting(True, "Drop English function words (the, of, and ...) before pairing, "
                                     "so windows hold content words. Default on; --no-remove-stopwords keeps them.")
    dense_steps: int = setting(200, "Record every one of the first N steps in full (the walkthrough's "
                               "step-by-step start). Default 200; 0-1000.")
    record_interval: int = setting(10, "After the dense steps, record every N-th step (and always the last). "
                                   "Default 10; raise it (100-1000) for long book runs to keep them small.")
    chunk_size: int = setting(100, "Recorded steps per file that the browser fetches. Default 100; 20-500.")

    def __post_init__(self) -> None:
        from trainer.errors import WordlabError

        positive = ("steps", "dim", "window", "min_count", "max_vocab", "record_interval", "chunk_size")
        for name in positive:
            if getattr(self, name) < 1:
                raise WordlabError(f"{name} must be at least 1 (got {getattr(self, name)})")
        if self.dense_steps < 0:
            raise WordlabError(f"dense_steps must be 0 or more (got {self.dense_steps})")
        if not self.lr > 0:
            raise WordlabError(f"lr must be positive (got {self.lr})")
        if self.epochs is not None and not self.epochs > 0:
            raise WordlabError(f"epochs must be positive (got {self.epochs})")

    def with_steps_for(self, n_pairs: int) -> "TrainConfig":
        """Steps derived from epochs once the number of pairs is known (unchanged without epochs)."""
        if self.epochs is None:
            return self
        return replace(self, steps=max(1, math.ceil(self.epochs * n_pairs)))

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
