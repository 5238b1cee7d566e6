"""The vocabulary: which words are kept, their ids and counts. The same for a run on BPE tokens
(trainer/token_source.py): a "word" is then a token's vocabulary text, counted as such; the
stopword list is empty there, min_count and max_vocab apply to token counts.

Ids are stable: sorted by count (most frequent first), ties broken alphabetically, so the
same corpus and settings always give the same ids.
"""

from collections import Counter
from dataclasses import dataclass, field

from trainer.errors import CorpusError

STOPWORD = "stopword"
RARE = "rare"


@dataclass(frozen=True)
class Vocab:
    words: list[str]
    counts: list[int]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})

    def __len__(self) -> int:
        return len(self.words)

    def to_dict(self) -> dict:
        return {"words": self.words, "counts": self.counts}

    @classmethod
    def from_dict(cls, data: dict) -> "Vocab":
        return cls(list(data["words"]), list(data["counts"]))


@dataclass(frozen=True)
class FilteredSentence:
    """The kept words of one sentence as ids, with each one's position among the sentence's raw words."""

    ids: list[int]
    positions: list[int]


def build_vocab(sentences: list[list[str]], min_count: int, stopwords: frozenset[str],
                max_vocab: int | None = None) -> Vocab:
    """Non-stopwords seen at least min_count times, at most the max_vocab most frequent of them."""
    counts = Counter(w for s in sentences for w in s if w not in stopwords)
    kept = sorted(((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))[:max_vocab]
    if not kept:
        raise CorpusError(
            f"no words left to train on after removing {len(stopwords)} stopwords and words seen "
            f"fewer than min_count={min_count} times ({len(counts)} distinct non-stopwords found)")
    return Vocab([w for w, _ in kept], [c for _, c in kept])


def drop_reason(word: str, vocab: Vocab, stopwords: frozenset[str]) -> str | None:
    """Why a raw word is not in the training sequence: a stopword, rare (under min_count or outside
    the max_vocab most frequent), or None when it is kept."""
    if word in vocab.index:
        return None
    return STOPWORD if word in stopwords else RARE


def filter_sentences(sentences: list[list[str]], vocab: Vocab) -> list[FilteredSentence]:
    filtered = []
    for words in sentences:
        kept = [(vocab.index[w], pos) for pos, w in enumerate(words) if w in vocab.index]
        filtered.append(FilteredSentence([i for i, _ in kept], [p for _, p in kept]))
    return filtered
