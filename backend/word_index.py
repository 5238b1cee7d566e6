"""Close matches for a word a run does not know, in bounded time on any vocabulary.

difflib over the whole vocabulary takes too long a request on a large run, on the event loop (docs/performance.md).
Instead, as spell checkers and PostgreSQL's pg_trgm do, an inverted index of character pairs (with
start and end marks) is built once per run, with numpy: the candidates are the CANDIDATES words that
share most pairs with the word (counted over its RAREST_PAIRS rarest pairs), and difflib ranks only
those. Words are compared lowercased; the INDEXED_WORDS most frequent words are indexed, each by its
first INDEXED_CHARACTERS characters.
"""

import difflib

import numpy as np

CANDIDATES = 200
RAREST_PAIRS = 16
INDEXED_WORDS = 500_000
INDEXED_CHARACTERS = 64
CUTOFF = 0.6  # difflib's similarity ratio a suggestion needs (difflib's default)


def marked(word: str) -> str:
    return f"\x02{word[:INDEXED_CHARACTERS].lower()}\x03"


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique, by sorting: numpy 2's np.unique took 15 times as long here)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def pair_codes(text: np.ndarray) -> np.ndarray:
    """Each pair of neighbouring code points as one number (code points are below 2**21)."""
    return (text[:-1].astype(np.int64) << 21) | text[1:]


class WordIndex:
    def __init__(self, words: list[str]):
        self.words = words[:INDEXED_WORDS]
        texts = [marked(w) for w in self.words]
        text = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        owner = np.repeat(np.arange(len(texts), dtype=np.int64), [len(t) for t in texts])
        inside_word = owner[:-1] == owner[1:]
        # (pair, word) once each, sorted by pair then word: one number per posting, 42 + 20 bits
        postings = distinct((pair_codes(text)[inside_word] << 20) | owner[:-1][inside_word])
        self.ids = (postings & ((1 << 20) - 1)).astype(np.int32)
        pairs = postings >> 20
        self.starts = np.flatnonzero(np.concatenate(([True], pairs[1:] != pairs[:-1])))
        self.keys = pairs[self.starts]
        self.starts = np.append(self.starts, len(postings))
        self.nbytes = self.ids.nbytes + self.keys.nbytes + self.starts.nbytes

    def close_matches(self, word: str, n: int = 5) -> list[str]:
        """Up to n indexed words most like `word` (difflib's ratio ≥ CUTOFF), best first."""
        codes = distinct(pair_codes(np.frombuffer(marked(word).encode("utf-32-le", "surrogatepass"), np.uint32)))
        at = np.searchsorted(self.keys, codes)
        at = at[at < len(self.keys)]
        at = at[np.isin(self.keys[at], codes)]
        found = sorted((self.ids[self.starts[i]:self.starts[i + 1]] for i in at), key=len)[:RAREST_PAIRS]
        if not found:
            return []
        shared = np.bincount(np.concatenate(found), minlength=len(self.words))
        best = np.argpartition(-shared, min(CANDIDATES, len(shared) - 1))[:CANDIDATES]
        candidates: dict[str, list[str]] = {}
        for i in sorted(best[shared[best] > 0]):  # by id: the most frequent spelling first
            candidates.setdefault(self.words[i].lower(), []).append(self.words[i])
        close = difflib.get_close_matches(word.lower(), list(candidates), n, CUTOFF)
        return [spelling for match in close for spelling in candidates[match]][:n]
