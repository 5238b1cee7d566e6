"""A trained BPE tokenizer: encode (fast, cached), encode with spans, decode, first-k-merges, save/load.

Lossless: decode(encode(s)) == s for every str s, whitespace, case, newlines and unpaired surrogates
included. Characters never seen in training fall back to their UTF-8 bytes (byte tokens <0xNN>),
so there is no unknown token. The end-of-word marker is display only and is dropped when decoding.
"""

import sys
import threading
from collections import OrderedDict
from itertools import accumulate, chain, filterfalse
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import orjson

from trainer.atomic_files import make_folder, write_files
from trainer.bpe.pretokenize import END_OF_WORD, PIECE_PATTERN, split_pieces, split_units
from trainer.bpe.train import Merge, TrainedBPE, merge_pair
from trainer.errors import WordlabError

if TYPE_CHECKING:
    from trainer.bpe.merge_kernel import KernelTables, WholeText

FORMAT_VERSION = 1
# The unit caches of one tokenizer together hold at most this many bytes (measured per entry); a cache
# that would pass its share is emptied. Half for all merges, the rest shared by the PARTIAL_CACHES.
CACHE_BYTES = 16 << 20
PARTIAL_CACHES = 8           # caches kept for encodings with fewer merges (the page's merge slider)
LONG_UNIT = 1_000            # characters above which a unit's tokens are not cached (a pasted 100 KB holds ~2 MB)
LONG_PIECE = 48              # characters above which a piece is merged by the compiled kernel
# New text (characters of units not cached) from which the kernel encodes a text whole. Below it, unit
# by unit stays cheap (docs/performance.md) and imports no numba, so a class pasting pages never pays
# that import; the server encodes longer texts in a thread.
BATCH_CHARS = 16_000
UTF8 = ("utf-8", "surrogatepass")


class Encoding(NamedTuple):
    """Parallel columns, one entry per token (as Hugging Face's Encoding): cheap to build and to send."""
    ids: list[int]
    tokens: list[str]   # vocabulary text, e.g. "ing</w>" or "<0xE4>"
    texts: list[str]    # the slice of the input each token covers (empty for a character's later bytes)
    starts: list[int]   # character offsets into the input: texts[i] == text[starts[i]:ends[i]]
    ends: list[int]


def entry_bytes(unit: str, values: tuple[int, ...]) -> int:
    """What a cache entry holds: the key, the tuple, its ints (28 bytes each above 256) and the dict slot."""
    return sys.getsizeof(unit) + sys.getsizeof(values) + 28 * len(values) + 100


class _UnitCache(dict):
    """unit → token ids, a unit being any string of whole pieces (split_units); a miss encodes its
    pieces, so the hot loop stays in C (map + chain).

    `lengths` maps a unit to the characters each of its tokens covers, filled the same way. Both count
    their entries' bytes against `budget` (emptied when they would pass it); a unit over LONG_UNIT
    characters is encoded each time, not kept.
    """

    def __init__(self, tokenizer: "BPETokenizer", max_rank: int, budget: int):
        super().__init__()
        self._tokenizer = tokenizer
        self.max_rank = max_rank
        self.budget = budget
        self.bytes = 0
        self.lengths = _LengthCache(self, tokenizer._span_lengths)

    def __missing__(self, unit: str) -> tuple[int, ...]:
        ids = tuple(chain.from_iterable(
            self._tokenizer._encode_piece(piece, self.max_rank) for piece in split_pieces(unit)))
        self.store(self, unit, ids)
        return ids

    def store(self, table: dict, unit: str, values: tuple[int, ...]) -> None:
        """Keeps values in table (this cache or its lengths) unless the unit is long."""
        if len(unit) > LONG_UNIT:
            return
        size = entry_bytes(unit, values)
        if self.bytes + size > self.budget:
            self.clear()
        table[unit] = values
        self.bytes += size

    def clear(self) -> None:
        super().clear()
        self.lengths.clear()
        self.bytes = 0

    def ids_of(self, units: list[str]) -> list[int] | None:
        """The units' token ids in one list; None when the units not cached yet hold BATCH_CHARS
        characters or more (a pasted chapter, a hostile 100 KB): the compiled kernel encodes such a
        text whole (then `keep`), far faster than unit by unit.

        When every unit is cached (prose typed in class), this is one C-level pass; a few new
        units are encoded one by one and cached.
        """
        try:
            return list(chain.from_iterable(map(self.get, units)))
        except TypeError:  # get gave None: some units are new
            pass
        if sum(map(len, set(filterfalse(self.__contains__, units)))) >= BATCH_CHARS:
            return None
        return list(chain.from_iterable(map(self.__getitem__, units)))

    def keep(self, units: list[str], whole: "WholeText") -> None:
        """Caches the units of a text the kernel encoded whole, so that sending it again (the token page
        does, at each edit) costs a lookup per unit; with their spans where they hold byte tokens."""
        start = 0
        for unit, end, has_bytes in zip(units, whole.unit_ends, whole.unit_has_bytes, strict=True):
            if unit not in self:  # a repeated unit is kept once (cheaper than C-level maps over all)
                self.store(self, unit, tuple(whole.ids[start:end]))
                if has_bytes and unit in self:
                    self.store(self.lengths, unit, tuple(whole.covers[start:end]))
            start = end


class _LengthCache(dict):
    def __init__(self, ids: _UnitCache, span_lengths):
        super().__init__()
        self._ids = ids
        self._span_lengths = span_lengths

    def __missing__(self, unit: str) -> tuple[int, ...]:
        lengths = self._span_lengths(unit, self._ids[unit])
        self._ids.store(self, unit, lengths)
        return lengths


class BPETokenizer:
    def __init__(self, trained: TrainedBPE, name: str = "tokenizer", meta: dict | None = None):
        self.name = name
        self.vocab = trained.vocab
        self.base_size = trained.base_size
        self.merges = trained.merges
        self.meta = meta or {}
        self._symbol_ids = {s: i for i, s in enumerate(self.vocab[:self.base_size])}
        self._ranks = {(m.left, m.right): r for r, m in enumerate(self.merges)}
        # The marker can only end a token (an end-marked symbol is always the last of its piece).
        self._texts = [t.removesuffix(END_OF_WORD) for t in self.vocab]
        self._decoded = [bytes([i]) if i < 256 else t.encode(*UTF8) for i, t in enumerate(self._texts)]
        self._merge_ranks = [self.merge_rank(i) for i in range(len(self.vocab))]
        self._cache_bytes = CACHE_BYTES
        self._cache = _UnitCache(self, len(self.merges), CACHE_BYTES // 2)
        self._partial: OrderedDict[int, _UnitCache] = OrderedDict()
        self._partial_lock = threading.Lock()
        self._kernel_tables = None
        self._kernel_lock = threading.Lock()

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    # -- encoding ---------------------------------------------------------------------------
    def _base_ids(self, piece: str) -> list[int]:
        """Characters as base symbols (the last one with the end-of-word marker when known), else bytes."""
        ids = []
        last = len(piece) - 1
        for i, ch in enumerate(piece):
            symbol = self._symbol_ids.get(ch + END_OF_WORD) if i == last else None
            if symbol is None:
                symbol = self._symbol_ids.get(ch)
            if symbol is None:
                ids.extend(ch.encode(*UTF8))  # byte tokens have ids 0-255
            else:
                ids.append(symbol)
        return ids

    def _encode_piece(self, piece: str, max_rank: int) -> list[int]:
        """Applies merges in rank order (lowest first) among the first max_rank merges.

        A short piece (a word) rescans its pairs once per merge, the fastest in Python for a few
        symbols; a long one (a hostile 100 KB without a space) would make that quadratic, so it goes
        to the compiled kernel, which gives the same tokens in O(n log n).
        """
        if len(piece) > LONG_PIECE:
            return self._kernel().encode([piece], max_rank)[0].tolist()
        ids = self._base_ids(piece)
        ranks, merges = self._ranks, self.merges
        while len(ids) > 1:
            best = min((ranks.get(p, max_rank) for p in zip(ids, ids[1:], strict=False)), default=max_rank)
            if best >= max_rank:
                break
            m = merges[best]
            ids = merge_pair(ids, m.left, m.right, m.new_id)
        return ids

    def prepare_kernel(self) -> None:
        """Pays the kernel's first-use cost now (numba's import, the cached machine code's load, the
        tables): a server worker does it in the background at start, so no student's long text waits."""
        self._kernel().encode(["ab" * 32], len(self.merges))

    def _kernel(self) -> "KernelTables":
        """The kernel's tables, built on first need: numba's import and the cached kernel's load are a cost
        (docs/performance.md) that a server start or a class typing short texts never pays
        (trainer/bpe/merge_kernel.py)."""
        with self._kernel_lock:
            if self._kernel_tables is None:
                from trainer.bpe.merge_kernel import KernelTables

                self._kernel_tables = KernelTables(self._symbol_ids, self._ranks,
                                                     [m.new_id for m in self.merges], self.vocab_size)
            return self._kernel_tables

    def limit_cache(self, total_bytes: int) -> None:
        """Bounds the unit caches of this tokenizer together to total_bytes (emptying them)."""
        with self._partial_lock:
            self._cache_bytes = total_bytes
            self._cache = _UnitCache(self, len(self.merges), total_bytes // 2)
            self._partial.clear()

    def _cache_for(self, merges: int | None) -> _UnitCache:
        if merges is None or merges >= len(self.merges):
            return self._cache
        if merges < 0:
            raise WordlabError(f"merge count must be 0 or more (got {merges})")
        with self._partial_lock:  # the server may encode a long text in a thread beside the event loop
            cache = self._partial.get(merges)
            if cache is None:
                cache = self._partial[merges] = _UnitCache(self, merges, self._cache_bytes // (2 * PARTIAL_CACHES))
                if len(self._partial) > PARTIAL_CACHES:
                    self._partial.popitem(last=False)
            self._partial.move_to_end(merges)
            return cache

    def encode(self, text: str, merges: int | None = None) -> list[int]:
        """Token ids; with `merges`, only the first that many merges are used."""
        cache = self._cache_for(merges)
        units = split_units(text)
        ids = cache.ids_of(units)
        return ids if ids is not None else self._encode_whole(cache, text, units)[0]

    def _encode_whole(self, cache: _UnitCache, text: str, units: list[str]) -> tuple[list[int], list[int]]:
        """(ids, characters each token covers) from the compiled kernel; its units are cached."""
        whole = self._kernel().encode_text(text, units, cache.max_rank)
        cache.keep(units, whole)
        return whole.ids, whole.covers

    def encode_detailed(self, text: str, merges: int | None = None) -> Encoding:
        """Every token with its vocabulary text and the character span of the input it covers.

        Units tile the text, so each token's start is the running sum of the lengths before it;
        every step is a C-level map over cached tuples, not a Python loop per token. A text bringing
        BATCH_CHARS of new text comes whole from the kernel, with the characters each token covers.
        """
        cache = self._cache_for(merges)
        units = split_units(text)
        ids = cache.ids_of(units)
        covers = None
        if ids is None:
            ids, covers = self._encode_whole(cache, text, units)
        if not ids or min(ids) >= 256:  # no byte tokens: each token covers exactly its own text
            texts = list(map(self._texts.__getitem__, ids))
            lengths = map(len, texts)
        else:
            texts = None
            lengths = covers or chain.from_iterable(map(cache.lengths.__getitem__, units))
        starts = list(accumulate(lengths, initial=0))
        ends = starts[1:]
        del starts[-1]
        if texts is None:
            texts = list(map(text.__getitem__, map(slice, starts, ends)))
        return Encoding(ids, list(map(self.vocab.__getitem__, ids)), texts, starts, ends)

    def _span_lengths(self, unit: str, ids: tuple[int, ...]) -> tuple[int, ...]:
        """Characters each token covers: its text's length; for an unseen character's bytes, the
        first byte token covers the character and the others cover nothing."""
        lengths, pos, pending_bytes = [], 0, 0
        for token_id in ids:
            if token_id < 256 and pending_bytes:
                pending_bytes -= 1
                lengths.append(0)
            elif token_id < 256:
                pending_bytes = len(unit[pos].encode(*UTF8)) - 1
                lengths.append(1)
                pos += 1
            else:
                lengths.append(len(self._texts[token_id]))
                pos += lengths[-1]
        return tuple(lengths)

    def decode(self, ids: list[int], errors: str = "strict") -> str:
        """Text of the ids; errors="replace" shows an incomplete byte sequence as U+FFFD instead of failing."""
        size = len(self.vocab)
        bad = next((i for i in ids if not 0 <= i < size), None)
        if bad is not None:
            raise WordlabError(f"token id {bad} is not in the vocabulary (0..{size - 1})")
        try:
            data = b"".join(self._decoded[i] for i in ids)
            return data.decode(*UTF8) if errors == "strict" else data.decode("utf-8", errors)
        except UnicodeDecodeError as err:
            raise WordlabError(f"these ids do not decode to valid UTF-8 text ({err.reason})") from None

    def merge_rank(self, token_id: int) -> int | None:
        """1-based rank of the merge that created a token (for the visualizer's hover); None for base symbols."""
        return token_id - self.base_size + 1 if token_id >= self.base_size else None

    def merge_ranks(self, ids: list[int]) -> list[int | None]:
        return list(map(self._merge_ranks.__getitem__, ids))

    def merge_record(self, index: int) -> dict:
        """The merge learned at position `index` (0 = first); its "rank" field counts from 1."""
        m = self.merges[index]
        return {"rank": index + 1, "left": self.vocab[m.left], "right": self.vocab[m.right],
                "token": self.vocab[m.new_id], "id": m.new_id, "count": m.count}

    # -- persistence -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "kind": "bpe",
            "name": self.name,
            "settings": {"pattern": PIECE_PATTERN, "end_of_word": END_OF_WORD, "byte_fallback": True,
                         "vocab_size": self.vocab_size, "base_size": self.base_size, "merges": len(self.merges)},
            "meta": self.meta,
            "vocab": self.vocab,
            "merges": [[m.left, m.right, m.new_id, m.count] for m in self.merges],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "BPETokenizer":
        if data.get("format_version") != FORMAT_VERSION or data.get("kind") != "bpe":
            raise WordlabError(f"not a version-{FORMAT_VERSION} BPE tokenizer file")
        if data["settings"]["pattern"] != PIECE_PATTERN:
            raise WordlabError("tokenizer was trained with another pre-tokenization pattern; retrain it")
        merges = [Merge(*m) for m in data["merges"]]
        return cls(TrainedBPE(list(data["vocab"]), data["settings"]["base_size"], merges), data["name"], data["meta"])

    def save(self, path: Path) -> None:
        """Atomic: written beside the target, then renamed over it; a full disk is one line, nothing left."""
        make_folder(path.parent, "the tokenizers folder")
        write_files({path: orjson.dumps(self.to_dict())}, "tokenizer")

    @classmethod
    def load(cls, path: Path) -> "BPETokenizer":
        try:
            return cls.from_dict(orjson.loads(Path(path).read_bytes()))
        except (orjson.JSONDecodeError, KeyError, TypeError) as err:
            raise WordlabError(f"{Path(path).name} is not a valid tokenizer file ({err})") from None

