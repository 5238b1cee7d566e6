"""The settings of a corpus (SGNS) run, validated once here so every engine and the CLI share the limits."""

from dataclasses import asdict, dataclass, fields

from trainer.corpus import SENTENCE_MODES
from trainer.errors import WordlabError

# sample=1e-3: the default of word2vec.c and gensim, so the comparison with gensim is like for like; on a
# single book (~100k words) 1e-4 would discard most tokens of the hundred most frequent words.
DEFAULT_SAMPLE = 1e-3
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
    epochs: int = 5
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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SGNSConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
