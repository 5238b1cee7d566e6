"""Skip-gram training pairs: every (center, context) within the window of each other in one sentence.

Windows are clamped at sentence edges and never cross into the next sentence. A word is never
paired with its own position; the same word at another position is a real context and is kept.
"""

import numpy as np

from trainer.errors import CorpusError
from trainer.vocab import FilteredSentence

# Columns of the pair table: center id, context id, sentence id, center position, context position
# (positions index the sentence's kept words).
PAIR_COLUMNS = ("center", "context", "sentence", "center_pos", "context_pos")


def sentence_pairs(length: int, window: int) -> list[tuple[int, int]]:
    """(center position, context position) pairs for a sentence of `length` kept words."""
    return [(i, j)
            for i in range(length)
            for j in range(max(0, i - window), min(length, i + window + 1))
            if j != i]


def build_pairs(sentences: list[FilteredSentence], window: int) -> np.ndarray:
    """All pairs as an int64 array of shape (n, 5), columns as in PAIR_COLUMNS, in corpus order."""
    rows = [(s.ids[i], s.ids[j], sid, i, j)
            for sid, s in enumerate(sentences)
            for i, j in sentence_pairs(len(s.ids), window)]
    if not rows:
        raise CorpusError("no training pairs: every sentence has fewer than two kept words")
    return np.asarray(rows, dtype=np.int64)


def epoch_order(n_pairs: int, seed: int, epoch: int) -> np.ndarray:
    """The shuffled pair order of one epoch, a function of (seed, epoch) alone so training can resume."""
    return np.random.default_rng([seed, epoch]).permutation(n_pairs)
