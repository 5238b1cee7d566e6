"""The settings of a corpus (SGNS) run, validated once here so every engine and the CLI share the limits."""

import math
from dataclasses import asdict, dataclass, fields, replace

from trainer.corpus import SENTENCE_MODES
from trainer.errors import WordlabError

# sample=1e-3: the default of word2vec.c and gensim, so the comparison with gensim is like for like; on a
# single book (~100k words) 1e-4 would discard most tokens of the hundred most frequent words.
DEFAULT_SAMPLE = 1e-3
# epochs=None picks enough epochs for the corpus: a small book at word2vec's 5 epochs ends collapsed
# (Frankenstein, 75,267 words: any two words at cosine 0.99); its neighbours make sense from ~30-40
# epochs on (docs/run-format.md, quality.json). So train about AUTO_EPOCH_WORDS corpus words in all,
# never fewer than 5 epochs (word2vec's default, what a large corpus needs) nor more than 200.
AUTO_EPOCH_WORDS = 3_000_000
AUTO_EPOCHS = (5, 200)
RANGES = {  # name: (lowest, highest) accepted; outside them a run would be useless or diverge
    "dim": (2, 1000),
    "window": (1, 50),
    "negative": (1, 50),
    "epochs": (1, 1000),
    "min_count": (1, 1_000_000),
    "workers": (1, 256),
}


@dataclass(frozen=True)
class SGNSConfig:
    corpus: str
    method: str = "sgns"
    dim: int = 100
    window: int = 5
    negative: int = 5
    sample: float = DEFAULT_SAMPLE
    min_count: int = 5
    max_vocab: int | None = None
    sentences: str = "auto"  # as a teaching run's: 'lines', 'prose' (wrapped lines joined), 'auto'
    epochs: int | None = None   # None: auto_epochs(corpus words), when the corpus has been read
    lr: float = 0.025
    min_lr: float = 0.0001
    workers: int = 2
    seed: int = 1
    device: str = "cpu"
    engine: str = "numba"
    snapshot_words: int = 2000
    checkpoints: int = 30
    recorded_steps: int = 200
    tokenizer: str | None = None  # a BPE tokenizer's tokens instead of regex words (trainer/token_source.py)

    def __post_init__(self) -> None:
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if name == "epochs" and value is None:
                continue
            if not isinstance(value, int) or not low <= value <= high:
                raise WordlabError(f"{name.replace('_', '-')} must be an integer from {low} to {high} (got {value})")
        if self.max_vocab is not None and self.max_vocab < 2:
            raise WordlabError(f"max-vocab must be at least 2 (got {self.max_vocab})")
        if not 0 < self.lr <= 1:
            raise WordlabError(f"lr must be in (0, 1] (got {self.lr}); word2vec uses 0.025 for skip-gram")
        if not 0 <= self.min_lr <= self.lr:
            raise WordlabError(f"min-lr must be in [0, lr] (got {self.min_lr})")
        if not 0 <= self.sample < 1:
            raise WordlabError(f"sample must be in [0, 1) (got {self.sample}); 0 turns subsampling off")
        if self.sentences not in SENTENCE_MODES:
            raise WordlabError(f"sentences must be auto, lines or prose (got {self.sentences!r})")
        if self.device not in ("cpu", "cuda"):
            raise WordlabError(f"device must be cpu or cuda (got {self.device!r})")
        if self.engine not in ("numba", "torch"):
            raise WordlabError(f"engine must be numba or torch (got {self.engine!r})")
        if self.engine == "numba" and self.device == "cuda":
            raise WordlabError("the numba engine runs on the CPU; --device cuda needs --engine torch")

    def with_epochs_for(self, corpus_words: int) -> "SGNSConfig":
        """This config, with epochs chosen for a corpus of this many words when none was given."""
        return self if self.epochs is not None else replace(self, epochs=auto_epochs(corpus_words))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SGNSConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def auto_epochs(corpus_words: int) -> int:
    """Epochs that train about AUTO_EPOCH_WORDS words: 40 for a 75,000-word book, 5 for 1.4M words."""
    low, high = AUTO_EPOCHS
    return max(low, min(high, math.ceil(AUTO_EPOCH_WORDS / max(1, corpus_words))))
