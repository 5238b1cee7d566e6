"""A byte-level BPE over ranks, as OpenAI's tokenizers encode (GPT-2's r50k_base, GPT-4's cl100k_base,
GPT-4o's o200k_base): the reference tokenizers the token page shows beside the one learned here.

How it differs from trainer/bpe/tokenizer.py, which learns its own merges:
- the symbols are bytes, not characters: every text is 256 base symbols, and a token may be part of a
  character (an emoji often is two tokens);
- a tokenizer is a table token bytes → rank, not a list of merges: inside a piece, the adjacent pair
  whose joined bytes have the lowest rank is joined, again and again (the leftmost on a tie), until no
  joined pair is in the table; ranks are the token ids;
- the pieces come from each tokenizer's own pattern (pretokenize.py's is close to GPT-2's; see
  REFERENCE_PATTERNS' notes).

The result equals tiktoken's (tests/test_reference_tokenizers.py, several hundred strings per tokenizer).
With `merges`, only ranks below 256 + merges may join, as the merge slider of the token page asks.
"""

import codecs
import heapq
import threading
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate

import regex

from trainer.bpe.tokenizer import CACHE_BYTES, LONG_UNIT, Encoding, entry_bytes
from trainer.errors import WordlabError

BASE_SIZE = 256
NO_RANK = 1 << 62
SHORT_PIECE = 48                 # bytes up to which a piece is merged by scanning (above: a heap)
PARTIAL_CACHES = 4               # caches kept for merge counts below all (the slider)


def _hex_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    return "".join(f"<0x{b:02X}>" for b in error.object[error.start:error.end]), error.end


codecs.register_error("wordlab.hexbytes", _hex_bytes)


def show_bytes(data: bytes) -> str:
    """A token's bytes as text; bytes that are not a whole UTF-8 character are shown as <0xNN>."""
    return data.decode("utf-8", "wordlab.hexbytes")


def merge_piece(ranks: dict[bytes, int], piece: bytes, limit: int, trace: list[int] | None = None) -> list[bytes]:
    """The piece's tokens: join the adjacent pair of lowest rank (below `limit`) until none is left.
    Each rank joined is appended to `trace` when given, in the order joined."""
    if len(piece) > SHORT_PIECE:
        return _merge_long(ranks, piece, limit, trace)
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best, at = NO_RANK, -1
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1], NO_RANK)
            if rank < best:
                best, at = rank, i
        if best >= limit:
            break
        parts[at:at + 2] = [parts[at] + parts[at + 1]]
        if trace is not None:
            trace.append(best)
    return parts


def _merge_long(ranks: dict[bytes, int], piece: bytes, limit: int, trace: list[int] | None) -> list[bytes]:
    """The same joins for a long piece in O(n log n): parts in a linked list, candidate pairs on a heap
    by (rank, start), so the lowest rank and then the leftmost comes out first, as in the scan."""
    n = len(piece)
    end = list(range(1, n + 1))          # end[i]: where the part starting at i ends, while alive[i]
    prev = list(range(-1, n - 1))        # prev[i]: where the part before the one at i starts
    alive = [True] * n

    def candidate(start: int) -> tuple[int, int, int] | None:
        middle = end[start]
        if middle >= n:
            return None
        rank = ranks.get(piece[start:end[middle]], NO_RANK)
        return (rank, start, end[middle]) if rank < limit else None

    heap = [pair for pair in map(candidate, range(n - 1)) if pair is not None]
    heapq.heapify(heap)
    while heap:
        rank, start, stop = heapq.heappop(heap)
        if not alive[start] or end[start] >= n or end[end[start]] != stop:
            continue  # a part of this pair was joined since it was pushed
        alive[end[start]] = False
        end[start] = stop
        if stop < n:
            prev[stop] = start
        if trace is not None:
            trace.append(rank)
        for neighbour in (start, prev[start]):
            pair = candidate(neighbour) if neighbour >= 0 else None
            if pair is not None:
                heapq.heappush(heap, pair)
    return [piece[i:end[i]] for i in range(n) if alive[i]]


class _PieceCache(dict):
    """piece → token ids, its entries' bytes counted against a budget (emptied when they would pass it), as
    the learned tokenizers' unit caches are; a piece over LONG_UNIT characters (a 99 KB run of letters is
    one piece of these patterns) is encoded each time, never kept."""

    def __init__(self, budget: int):
        super().__init__()
        self.budget = budget
        self.bytes = 0

    def keep(self, piece: str, ids: tuple[int, ...]) -> tuple[int, ...]:
        if len(piece) <= LONG_UNIT:
            size = entry_bytes(piece, ids)
            if self.bytes + size > self.budget:
                self.clear()
                self.bytes = 0
            self[piece] = ids
            self.bytes += size
        return ids


class ByteLevelBPE:
    """A reference tokenizer: its ranks, its pattern, and the caches of pieces it has encoded."""

    kind = "reference"

    def __init__(self, name: str, ranks: dict[bytes, int], pattern: str, meta: dict):
        if sorted(rank for token, rank in ranks.items() if len(token) == 1) != list(range(BASE_SIZE)):
            raise WordlabError(f"{name}: the 256 single bytes must be ranks 0 to 255")
        self.name = name
        self.meta = meta
        self.pattern = pattern
        self._pattern = regex.compile(pattern)
        self._ranks = ranks
        self._tokens = [b""] * len(ranks)
        for token, rank in ranks.items():
            self._tokens[rank] = token
        self.base_size = BASE_SIZE
        self.merges = range(len(ranks) - BASE_SIZE)   # merge r makes token BASE_SIZE + r
        self._caches: OrderedDict[int, dict[str, tuple[int, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def vocab_size(self) -> int:
        return len(self._tokens)

    def pieces(self, text: str) -> list[str]:
        """The pre-tokenizer's pieces; they tile the text."""
        return self._pattern.findall(text)

    def _limit(self, merges: int | None) -> int:
        if merges is None or merges >= len(self.merges):
            return len(self._tokens)
        if merges < 0:
            raise WordlabError(f"merge count must be 0 or more (got {merges})")
        return BASE_SIZE + merges

    def _cache(self, limit: int) -> "_PieceCache":
        with self._lock:
            cache = self._caches.get(limit)
            if cache is None:
                cache = self._caches[limit] = _PieceCache(CACHE_BYTES // (PARTIAL_CACHES + 1))
                if len(self._caches) > PARTIAL_CACHES + 1:
                    self._caches.popitem(last=False)
            self._caches.move_to_end(limit)
            return cache

    def _piece_ids(self, piece: str, limit: int) -> tuple[int, ...]:
        data = piece.encode("utf-8", "surrogatepass")
        whole = self._ranks.get(data)
        if whole is not None and limit == len(self._tokens):
            return (whole,)  # tiktoken looks a whole piece up first
        return tuple(self._ranks[part] for part in merge_piece(self._ranks, data, limit))

    def encode(self, text: str, merges: int | None = None) -> list[int]:
        limit = self._limit(merges)
        cache = self._cache(limit)
        ids = []
        for piece in self.pieces(text):
            found = cache.get(piece)
            if found is None:
                found = cache.keep(piece, self._piece_ids(piece, limit))
            ids.extend(found)
        return ids

    def encode_detailed(self, text: str, merges: int | None = None) -> Encoding:
        """Every token with its text shown and the characters of the input it covers: a token covers the
        characters whose first byte it holds (a character's later bytes in another token cover nothing)."""
        limit = self._limit(merges)
        cache = self._cache(limit)
        ids, starts, ends = [], [], []
        offset = 0
        for piece in self.pieces(text):
            found = cache.get(piece)
            if found is None:
                found = cache.keep(piece, self._piece_ids(piece, limit))
            ids.extend(found)
            char_starts = list(accumulate((len(ch.encode("utf-8", "surrogatepass")) for ch in piece), initial=0))
            byte_at = 0
            for token_id in found:
                first = bisect_left(char_starts, byte_at)
                byte_at += len(self._tokens[token_id])
                starts.append(offset + first)
                ends.append(offset + bisect_left(char_starts, byte_at))
            offset += len(piece)
        return Encoding(ids, [self.token_text(i) for i in ids], [text[a:b] for a, b in zip(starts, ends, strict=True)],
                        starts, ends)

    def token_text(self, token_id: int) -> str:
        return show_bytes(self._tokens[token_id])

    def token_bytes(self, token_id: int) -> bytes:
        return self._tokens[token_id]

    def decode(self, ids: list[int], errors: str = "strict") -> str:
        bad = next((i for i in ids if not 0 <= i < len(self._tokens)), None)
        if bad is not None:
            raise WordlabError(f"token id {bad} is not in the vocabulary (0..{len(self._tokens) - 1})")
        data = b"".join(self._tokens[i] for i in ids)
        try:
            return data.decode("utf-8", errors if errors != "strict" else "strict")
        except UnicodeDecodeError as err:
            raise WordlabError(f"these ids do not decode to valid UTF-8 text ({err.reason})") from None

    def merge_rank(self, token_id: int) -> int | None:
        return token_id - BASE_SIZE + 1 if token_id >= BASE_SIZE else None

    def merge_ranks(self, ids: list[int]) -> list[int | None]:
        return [self.merge_rank(i) for i in ids]

    def merge_pair(self, token_id: int) -> tuple[int, int] | None:
        """The two tokens this token is joined from: its bytes merged with the ranks below its own."""
        parts = merge_piece(self._ranks, self._tokens[token_id], token_id)
        return (self._ranks[parts[0]], self._ranks[parts[1]]) if len(parts) == 2 else None

    def merge_record(self, index: int) -> dict:
        """Merge `index` (0 = first): the token of rank 256 + index and the pair it joins. Published rank
        files hold no counts."""
        token_id = BASE_SIZE + index
        pair = self.merge_pair(token_id)
        return {"rank": index + 1, "left": self.token_text(pair[0]) if pair else "",
                "right": self.token_text(pair[1]) if pair else "", "token": self.token_text(token_id),
                "id": token_id, "count": None}

    def trace_piece(self, piece: str, limit: int) -> tuple[int, list[int]]:
        """(base symbols, the ranks joined in order) for one piece."""
        data = piece.encode("utf-8", "surrogatepass")
        trace: list[int] = []
        merge_piece(self._ranks, data, limit, trace)
        return len(data), trace
