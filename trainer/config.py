"""The one place where a run's settings live, for both kinds of run; every part of the trainer reads them here.

`RunConfig` holds what both kinds share (corpus, dimensions, window, rate, negatives, ...); `TeachingConfig`
and `CorpusConfig` add their own knobs and their own defaults. Each field carries its help sentence, its range
and, for a field only one kind has, why the other kind has no such knob. `wordlab train teaching|corpus` builds
its flags and `--help` from this metadata, and `settings_schema(kind)` hands the same to the browser.
"""

import math
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import ClassVar

from trainer.corpus import SENTENCE_MODES
from trainer.errors import WordlabError
from trainer.run_format import KINDS

# The checkout this package runs from (installed editable): defaults must not depend on the cwd.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = "data/corpora/teaching.txt"
DEFAULT_RUNS_DIR = PROJECT_ROOT / "data" / "runs"
DEFAULT_TOKENIZERS_DIR = PROJECT_ROOT / "data" / "tokenizers"
DEFAULT_TOKENIZER_VOCAB = 1000
METHODS = ("softmax", "sgns")

# sample=1e-3: the default of word2vec.c and gensim, so the comparison with gensim is like for like; on a
# single book (~100k words) 1e-4 would discard most tokens of the hundred most frequent words.
DEFAULT_SAMPLE = 1e-3
# A corpus run without --epochs trains about AUTO_EPOCH_WORDS corpus words: a small book at word2vec's 5
# epochs ends collapsed (Frankenstein: any two words at cosine 0.99), its neighbours make sense from ~30-40
# epochs on (docs/run-format.md, quality.json); never fewer than 5 epochs (what a large corpus needs) nor
# more than 200.
AUTO_EPOCH_WORDS = 3_000_000
AUTO_EPOCHS = (5, 200)


def setting(default, help: str, *, low=None, high=None, open_low: bool = False, choices=None,
            flag: bool = True, absent: str | None = None):
    """A config field and what the CLI and the Train page show for it: a one-sentence help, the accepted range
    [low, high] ((low, high] with open_low), the choices; flag=False for a recorded value no one sets; `absent`:
    why the other kind of run has no such setting (the sentence that refuses its flag there)."""
    return field(default=default, metadata={"help": help, "low": low, "high": high, "open_low": open_low,
                                            "choices": choices, "flag": flag, "absent": absent})


def value_type(f) -> type:
    """int, float, str or bool: what a field holds when set (None aside)."""
    text = str(f.type)
    return bool if "bool" in text else float if "float" in text else int if "int" in text else str


@dataclass(frozen=True)
class RunConfig:
    """What every run has; each kind overrides the defaults that differ."""

    kind: ClassVar[str]
    corpus: str = setting(DEFAULT_CORPUS, "text file to train on (UTF-8, else Windows-1252 with a warning)")
    dim: int = setting(8, "embedding dimensions d", low=2, high=1000)
    lr: float = setting(0.1, "SGD learning rate", low=0, high=10, open_low=True)
    window: int = setting(3, "context words on each side of the center", low=1, high=50)
    min_count: int = setting(3, "drop words seen fewer times than this", low=1, high=1_000_000)
    max_vocab: int | None = setting(500, "keep at most this many most frequent words", low=2, high=10_000_000)
    negative: int = setting(5, "negative words drawn per step from unigram^0.75", low=1, high=50)
    epochs: float | None = setting(None, "passes over the corpus", low=0, high=1000, open_low=True)
    seed: int = setting(42, "random seed for the initial weights and the order of training (same seed, same run)",
                        low=0, high=2**32 - 1)
    sentences: str = setting("auto", "what a sentence is: 'lines' (one per line), 'prose' (wrapped lines joined, "
                                     "cut at . ! ?), or 'auto' (prose when the text has . ! ?)",
                             choices=SENTENCE_MODES)
    # Tokens are not words: no stopword list applies to " the</w>" or "ing".
    tokenizer: str | None = setting(None, "train on this BPE tokenizer's tokens instead of regex words: a name in "
                                          "data/tokenizers/ or a path to its .json; no stopword removal, "
                                          "--min-count and --max-vocab count tokens")

    def __post_init__(self) -> None:
        for f in fields(self):
            check_range(f, getattr(self, f.name))

    def to_dict(self, without: tuple[str, ...] = ()) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in without}

    @classmethod
    def from_dict(cls, data: dict):
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_range(f, value) -> None:
    """Refuses a value outside the field's type, choices or range, naming the setting as its flag does."""
    meta, name = f.metadata, f.name.replace("_", "-")
    if value is None and f.default is None:
        return
    kind = value_type(f)
    if kind is bool or kind is str:
        if not isinstance(value, kind if kind is bool else str):
            raise WordlabError(f"{name} must be a {kind.__name__} (got {value!r})")
        if meta["choices"] and value not in meta["choices"]:
            raise WordlabError(f"{name} must be one of {', '.join(meta['choices'])} (got {value!r})")
        return
    low, high = meta["low"], meta["high"]
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise WordlabError(f"{name} must be an integer from {low} to {high} (got {value})")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not (low < value if meta["open_low"] else low <= value) or value > high:
        raise WordlabError(f"{name} must be in {'(' if meta['open_low'] else '['}{low:g}, {high:g}] (got {value})")


@dataclass(frozen=True)
class TeachingConfig(RunConfig):
    """A teaching run: one pair per step, every step of a small corpus recorded in full for the walkthrough."""

    kind: ClassVar[str] = "teaching"
    dim: int = setting(8, "embedding dimensions d; 2-16 keeps every number on screen readable", low=2, high=1000)
    lr: float = setting(0.1, "SGD learning rate; 0.025-0.3 learns, 1 and above diverges", low=0, high=100,
                        open_low=True)
    window: int = setting(3, "context words on each side of the center (1-10)", low=1, high=50)
    min_count: int = setting(3, "drop words seen fewer times than this (1-10; 3-5 for a book)", low=1,
                             high=1_000_000)
    # Full softmax records V×d numbers twice per recorded step: a whole book's vocabulary would make a
    # run of hundreds of MB, so only the max_vocab most frequent words are kept.
    max_vocab: int = setting(500, "keep at most this many most frequent words (the run's size grows with it; "
                                  "100-2,000)", low=2, high=100_000)
    negative: int = setting(5, "with --method sgns: negative words drawn per step from unigram^0.75 (2-20)",
                            low=1, high=50)
    epochs: float | None = setting(None, "passes over all pairs, instead of --steps (steps = epochs x pairs); "
                                         "a book needs 3-10", low=0, high=1000, open_low=True)
    steps: int = setting(15000, "training steps, one (center, context) pair each; 15,000 is about 2 epochs of the "
                                "teaching corpus (ignored when --epochs is given)", low=1, high=100_000_000,
                         absent="a corpus run trains for --epochs")
    method: str = setting("softmax", "'softmax' scores every word's output vector at each step; 'sgns' scores the "
                                     "true context against --negative sampled words (word2vec)", choices=METHODS,
                          absent="a corpus run always trains with negative sampling")
    remove_stopwords: bool = setting(True, "drop the, of, and and other function words before pairing",
                                     absent="a corpus run keeps every word and thins frequent ones with --sample")
    dense_steps: int = setting(200, "record every step up to this one (0-1,000)", low=0, high=100_000_000,
                               absent="a corpus run records --recorded-steps steps spread over its training")
    record_interval: int = setting(10, "after that, record every N-th step (1-1,000; the run's size shrinks with "
                                       "it)", low=1, high=100_000_000,
                                   absent="a corpus run records --recorded-steps steps spread over its training")
    chunk_size: int = setting(100, "recorded steps per file the browser downloads (10-1,000)", low=1, high=100_000,
                              absent="a corpus run's recorded steps are few and fill 20 to a file")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.tokenizer is not None:
            object.__setattr__(self, "remove_stopwords", False)  # so the recorded config says what was done

    def is_recorded(self, step: int) -> bool:
        """Every step of the first dense_steps, then every record_interval-th, and always the last."""
        return step <= self.dense_steps or step % self.record_interval == 0 or step == self.steps

    def recorded_steps(self) -> list[int]:
        return [s for s in range(1, self.steps + 1) if self.is_recorded(s)]


@dataclass(frozen=True)
class CorpusConfig(RunConfig):
    """A corpus run: word2vec's skip-gram with negative sampling over a whole book or corpus, a sample recorded."""

    kind: ClassVar[str] = "corpus"
    corpus: str | None = setting(None, "text file to train on (UTF-8, else Windows-1252 with a warning); required")
    method: str = setting("sgns", "always 'sgns'", choices=("sgns",), flag=False)
    dim: int = setting(100, "embedding dimensions d; 50-300 for real vectors", low=2, high=1000)
    lr: float = setting(0.025, "starting SGD learning rate, falling linearly to --min-lr (word2vec: 0.025)",
                        low=0, high=1, open_low=True)
    window: int = setting(5, "context words on each side of the center, shrunk at random per center (word2vec)",
                          low=1, high=50)
    min_count: int = setting(5, "drop words seen fewer times than this", low=1, high=1_000_000)
    max_vocab: int | None = setting(None, "keep at most this many most frequent words (none: all)", low=2,
                                    high=10_000_000)
    negative: int = setting(5, "negative words drawn per pair from unigram^0.75 (5-20)", low=1, high=50)
    epochs: int | None = setting(None, f"passes over the corpus (none: enough for about {AUTO_EPOCH_WORDS:,} words "
                                       f"of training, {AUTO_EPOCHS[0]}-{AUTO_EPOCHS[1]}: 40 for a 75,000-word "
                                       "book, 5 from 600,000 words)", low=1, high=1000)
    seed: int = setting(1, "random seed for the initial weights and the kernel's random streams", low=0,
                        high=2**32 - 1)
    sample: float = setting(DEFAULT_SAMPLE, "subsampling threshold for frequent words, 0 = off", low=0, high=0.999,
                            absent="a teaching run trains on every kept word of every sentence")
    min_lr: float = setting(0.0001, "learning rate at the end of training", low=0, high=1,
                            absent="a teaching run keeps one --lr throughout")
    workers: int = setting(2, "training threads (Hogwild)", low=1, high=256,
                           absent="a teaching run trains one recorded step after another in one thread")
    device: str = setting("cpu", "cpu or cuda (cuda needs --engine torch, chosen for you)", choices=("cpu", "cuda"),
                          absent="a teaching run trains with numpy on the CPU")
    engine: str = setting("numba", "numba (compiled CPU kernel) or torch (CPU or GPU)", choices=("numba", "torch"),
                          absent="a teaching run trains with numpy on the CPU")
    snapshot_words: int = setting(2000, "how many most frequent words the explorer follows over training",
                                  low=1, high=100_000, absent="a teaching run records every word's vector")
    checkpoints: int = setting(30, "snapshots of those words over training", low=1, high=1000,
                               absent="a teaching run records every word at each recorded step")
    recorded_steps: int = setting(200, "steps recorded in full for the walkthrough, spread over training",
                                  low=0, high=100_000,
                                  absent="a teaching run records by --dense-steps and --record-interval")

    def __post_init__(self) -> None:
        if self.corpus is None:
            raise WordlabError("a corpus run needs --corpus FILE (a plain-text book or corpus)")
        super().__post_init__()
        if not self.min_lr <= self.lr:
            raise WordlabError(f"min-lr must be in [0, lr] (got {self.min_lr})")
        if self.engine == "numba" and self.device == "cuda":
            raise WordlabError("the numba engine runs on the CPU; --device cuda needs --engine torch")

    def with_epochs_for(self, corpus_words: int) -> "CorpusConfig":
        """This config, with epochs chosen for a corpus of this many words when none was given."""
        return self if self.epochs is not None else replace(self, epochs=auto_epochs(corpus_words))


CONFIGS: dict[str, type[RunConfig]] = {"teaching": TeachingConfig, "corpus": CorpusConfig}


def auto_epochs(corpus_words: int) -> int:
    """Epochs that train about AUTO_EPOCH_WORDS words: 40 for a 75,000-word book, 5 for 1.4M words."""
    low, high = AUTO_EPOCHS
    return max(low, min(high, math.ceil(AUTO_EPOCH_WORDS / max(1, corpus_words))))


def settings_schema(kind: str) -> list[dict]:
    """Every setting a user may choose for this kind of run, as JSON: name, type, default, range or choices,
    help. The CLI's flags and the browser's Train page are both built from it."""
    schema = []
    for f in fields(CONFIGS[kind]):
        if not f.metadata["flag"]:
            continue
        meta = f.metadata
        schema.append({"name": f.name, "type": value_type(f).__name__,
                       "default": None if f.default is MISSING else f.default, "optional": f.default is None,
                       "low": meta["low"], "high": meta["high"], "open_low": meta["open_low"],
                       "choices": list(meta["choices"]) if meta["choices"] else None, "help": meta["help"]})
    return schema


def absent_settings(kind: str) -> dict[str, str]:
    """The other kind's settings this kind has not, each with why: {name: reason}."""
    own = {f.name for f in fields(CONFIGS[kind]) if f.metadata["flag"]}
    return {f.name: f.metadata["absent"] for other in KINDS if other != kind for f in fields(CONFIGS[other])
            if f.name not in own and f.metadata["flag"]}


def resolve_corpus(corpus: str) -> Path:
    """A relative corpus path is looked up from the cwd first, then from the project root."""
    path = Path(corpus)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path
