"""The one place where a training run's settings live; every part of the trainer reads them from here."""

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

# The checkout this package runs from (installed editable): defaults must not depend on the cwd.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = "data/corpora/teaching.txt"
DEFAULT_RUNS_DIR = PROJECT_ROOT / "data" / "runs"
DEFAULT_TOKENIZERS_DIR = PROJECT_ROOT / "data" / "tokenizers"
DEFAULT_TOKENIZER_VOCAB = 1000
METHODS = ("softmax", "sgns")


def resolve_corpus(corpus: str) -> Path:
    """A relative corpus path is looked up from the cwd first, then from the project root."""
    path = Path(corpus)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path


def setting(default, help: str, choices: tuple[str, ...] | None = None):
    """A TrainConfig field with the one-sentence help that `wordlab train --help` prints."""
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True)
class TrainConfig:
    corpus: str = setting(DEFAULT_CORPUS, "text file to train on (UTF-8, else Windows-1252 with a warning)")
    steps: int = setting(15000, "training steps, one (center, context) pair each; 15,000 is about 2 epochs "
                                "of the teaching corpus (ignored when --epochs is given)")
    epochs: float | None = setting(None, "passes over all pairs, instead of --steps (steps = epochs x pairs); "
                                         "a book needs 3-10")
    dim: int = setting(8, "embedding dimensions d; 2-16 keeps every number on screen readable, 50-300 for books")
    lr: float = setting(0.1, "SGD learning rate; 0.025-0.3 learns, 1 and above diverges")
    window: int = setting(3, "context words on each side of the center (1-10)")
    min_count: int = setting(3, "drop words seen fewer times than this (1-10; 3-5 for a book)")
    # Full softmax records V×d numbers twice per recorded step: a whole book's vocabulary would make a
    # run of hundreds of MB, so only the max_vocab most frequent words are kept.
    max_vocab: int = setting(500, "keep at most this many most frequent words (the run's size grows with it; "
                                  "100-2,000)")
    seed: int = setting(42, "random seed for the initial weights and the pair order (same seed, same run)")
    remove_stopwords: bool = setting(True, "drop the, of, and and other function words before pairing")
    sentences: str = setting("auto", "what a sentence is: 'lines' (one per line), 'prose' (wrapped lines joined, "
                                     "cut at . ! ?), or 'auto' (prose when the text has . ! ?)",
                                     choices=("auto", "lines", "prose"))
    dense_steps: int = setting(200, "record every step up to this one (0-1,000)")
    record_interval: int = setting(10, "after that, record every N-th step (1-1,000; the run's size shrinks with it)")
    chunk_size: int = setting(100, "recorded steps per file the browser downloads (10-1,000)")
    method: str = setting("softmax", "'softmax' scores every word's output vector at each step; 'sgns' scores the "
                                     "true context against --negative sampled words (word2vec)", choices=METHODS)
    negative: int = setting(5, "with --method sgns: negative words drawn per step from unigram^0.75 (2-20)")
    # Tokens are not words: no stopword list applies to " the</w>" or "ing", so remove_stopwords is off.
    tokenizer: str | None = setting(None, "train on this BPE tokenizer's tokens instead of regex words: a name "
                                          "in data/tokenizers/ or a path to its .json; no stopword removal, "
                                          "--min-count and --max-vocab count tokens")

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
        if self.epochs is not None and not 0 < self.epochs <= 1000:
            raise WordlabError(f"epochs must be above 0 and at most 1000 (got {self.epochs})")
        if self.sentences not in ("auto", "lines", "prose"):
            raise WordlabError(f"sentences must be auto, lines or prose (got {self.sentences!r})")
        if self.tokenizer is not None:
            object.__setattr__(self, "remove_stopwords", False)  # so the recorded config says what was done

    def is_recorded(self, step: int) -> bool:
        """Every step of the first dense_steps, then every record_interval-th, and always the last."""
        return step <= self.dense_steps or step % self.record_interval == 0 or step == self.steps

    def recorded_steps(self) -> list[int]:
        return [s for s in range(1, self.steps + 1) if self.is_recorded(s)]

    def to_dict(self, without: tuple[str, ...] = ()) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in without}

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
