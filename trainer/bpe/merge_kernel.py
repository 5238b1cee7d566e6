"""The compiled BPE merge loop: many pieces in one call, each merged on a heap over a linked list, so a
piece of n symbols costs O(n log n) whatever its shape (no spaces, one repeated character, whitespace).

Why compiled: in Python, even a heap costs too much per symbol for a hostile 100 KB of one letter within
what a request may take (docs/performance.md). tokenizer.py imports this module only for a long
piece or a text bringing 16 KB of new text, so starting the server, and a class typing, never pay
numba's import; cache=True keeps the machine code in __pycache__ for the next process (a first compile
costs more than a later process's first call). It releases the GIL.

Same tokens as the pass-per-merge encoder: popping the lowest (rank, position) merges the
lowest-ranked pair's occurrences left to right, exactly as a full pass does, and a pair that a merge
creates always has a higher rank than that merge (its new symbol did not exist before), so it waits
its turn. Stale heap entries are skipped when popped.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from trainer.bpe.pretokenize import END_OF_WORD, split_pieces, units_are_pieces
from trainer.errors import WordlabError

UTF32 = ("utf-32-le", "surrogatepass")  # one code point per 4 bytes, lone surrogates included
NONE = -1  # no such symbol or pair


class WholeText(NamedTuple):
    ids: list[int]
    covers: list[int]             # characters each token covers
    unit_ends: list[int]          # where each unit's tokens end in ids
    unit_has_bytes: list[bool]    # whether a unit holds byte tokens (its spans are not its tokens' texts)


class KernelTables:
    """A tokenizer's base characters and merges as sorted arrays for the kernel, built by numpy alone
    (nothing to compile but the kernel): the merges as rows by left symbol (CSR), so that finding a
    pair's rank is a binary search among the few merges sharing its left symbol."""

    def __init__(self, symbol_ids: dict[str, int], ranks: dict[tuple[int, int], int], new_ids: list[int],
                 vocab_size: int):
        symbols = {}  # key: code point * 2, + 1 for the piece-final form (with the end-of-word marker)
        for symbol, token_id in symbol_ids.items():
            if len(symbol) == 1:
                symbols[2 * ord(symbol)] = token_id
            elif len(symbol) == 1 + len(END_OF_WORD) and symbol.endswith(END_OF_WORD):
                symbols[2 * ord(symbol[0]) + 1] = token_id
        self.symbols = sorted_pairs(symbols)
        pairs = np.array(list(ranks), dtype=np.int64).reshape(-1, 2)
        self.new_ids = np.array(new_ids, dtype=np.int64)
        merge_ids = np.concatenate((pairs.ravel(), self.new_ids))
        if merge_ids.size and not 0 <= merge_ids.min() <= merge_ids.max() < vocab_size:
            # The kernel does not check bounds: an id outside the tables would read outside them.
            raise WordlabError(f"a merge refers to an id outside the vocabulary (0..{vocab_size - 1})")
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        # One row per id, byte tokens (0-255) included whatever the vocabulary's size.
        self.row_starts = np.searchsorted(pairs[order, 0], np.arange(max(vocab_size, 256) + 1))
        self.rights = pairs[order, 1]
        self.ranks = np.array(list(ranks.values()), dtype=np.int64)[order]

    def encode(self, pieces: list[str], max_rank: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, characters each token covers, end of each piece's tokens in ids) for pieces merged
        with the merges of rank below max_rank. Characters never seen become their UTF-8 bytes (ids
        0-255): the first byte token covers the character, the others cover nothing."""
        codepoints = np.frombuffer("".join(pieces).encode(*UTF32), dtype=np.uint32).astype(np.int64)
        piece_ends = np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)))
        return merge_pieces(codepoints, piece_ends, *self.symbols, self.row_starts, self.rights, self.ranks,
                            self.new_ids, max_rank)

    def encode_text(self, text: str, units: list[str], max_rank: int) -> WholeText:
        """A whole text that the units (split_units) tile; no token crosses a unit's end, units being
        whole pieces."""
        ids, covers, _ = self.encode(units if units_are_pieces(text) else split_pieces(text), max_rank)
        unit_lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
        unit_ends = np.searchsorted(np.cumsum(covers), np.cumsum(unit_lengths), side="right")
        bytes_before = np.concatenate(([0], np.cumsum(ids < 256)))[np.concatenate(([0], unit_ends))]
        return WholeText(ids.tolist(), covers.tolist(), unit_ends.tolist(), (np.diff(bytes_before) > 0).tolist())


def sorted_pairs(entries: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array(sorted(entries), dtype=np.int64)
    return keys, np.array([entries[k] for k in keys.tolist()], dtype=np.int64)


@njit(nogil=True, cache=True)
def find(keys, values, lo, end, key):
    """values[i] for the i in [lo, end) where keys[i] == key (keys sorted there), else NONE."""
    hi = end
    while lo < hi:
        middle = (lo + hi) >> 1
        if keys[middle] < key:
            lo = middle + 1
        else:
            hi = middle
    return values[lo] if lo < end and keys[lo] == key else NONE


@njit(nogil=True, cache=True)
def pair_rank(row_starts, rights, ranks, max_rank, left, right):
    rank = find(rights, ranks, row_starts[left], row_starts[left + 1], right)
    return rank if rank < max_rank else NONE


@njit(nogil=True, cache=True)
def heap_push(heap, size, key):
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= key:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = key
    return size + 1


@njit(nogil=True, cache=True)
def heap_pop(heap, size):
    """Removes the smallest key (returned with the new size)."""
    top = heap[0]
    size -= 1
    last = heap[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= last:
            break
        heap[i] = heap[child]
        i = child
    heap[i] = last
    return top, size


@njit(nogil=True, cache=True)
def utf8_bytes(codepoint, out, at):
    """Writes the code point's UTF-8 bytes (surrogates as 3 bytes, as Python's surrogatepass) at out[at:]."""
    if codepoint < 0x80:
        out[at] = codepoint
        return 1
    if codepoint < 0x800:
        out[at] = 0xC0 | (codepoint >> 6)
        out[at + 1] = 0x80 | (codepoint & 0x3F)
        return 2
    if codepoint < 0x10000:
        out[at] = 0xE0 | (codepoint >> 12)
        out[at + 1] = 0x80 | ((codepoint >> 6) & 0x3F)
        out[at + 2] = 0x80 | (codepoint & 0x3F)
        return 3
    out[at] = 0xF0 | (codepoint >> 18)
    out[at + 1] = 0x80 | ((codepoint >> 12) & 0x3F)
    out[at + 2] = 0x80 | ((codepoint >> 6) & 0x3F)
    out[at + 3] = 0x80 | (codepoint & 0x3F)
    return 4


@njit(nogil=True, cache=True)
def merge_pieces(codepoints, piece_ends, symbol_keys, symbol_ids, row_starts, rights, ranks, new_ids, max_rank):
    longest = 0
    start = 0
    for end in piece_ends:
        longest = max(longest, end - start)
        start = end
    room = 4 * longest  # symbols of one piece: at most 4 byte tokens per character
    ids = np.empty(room, np.int64)
    covers = np.empty(room, np.int64)
    nxt = np.empty(room, np.int64)
    prv = np.empty(room, np.int64)
    alive = np.empty(room, np.bool_)
    heap = np.empty(3 * room + 1, np.int64)  # the first pairs, then at most two new ones per merge
    out_ids = np.empty(4 * codepoints.shape[0], np.int64)
    out_covers = np.empty(4 * codepoints.shape[0], np.int64)
    out_ends = np.empty(piece_ends.shape[0], np.int64)
    written = 0
    start = 0
    for p in range(piece_ends.shape[0]):
        end = piece_ends[p]
        # Base symbols: the last character with the end-of-word marker when known, else bytes.
        n = 0
        for g in range(start, end):
            known = symbol_keys.shape[0]
            symbol = find(symbol_keys, symbol_ids, 0, known, 2 * codepoints[g] + 1) if g == end - 1 else NONE
            if symbol == NONE:
                symbol = find(symbol_keys, symbol_ids, 0, known, 2 * codepoints[g])
            if symbol == NONE:
                count = utf8_bytes(codepoints[g], ids, n)
                covers[n] = 1
                for b in range(n + 1, n + count):
                    covers[b] = 0
                n += count
            else:
                ids[n] = symbol
                covers[n] = 1
                n += 1
        start = end
        # Merges, lowest (rank, position) first; a key packs the two as rank << 32 | position.
        size = 0
        for i in range(n):
            nxt[i] = i + 1
            prv[i] = i - 1
            alive[i] = True
        for i in range(n - 1):
            rank = pair_rank(row_starts, rights, ranks, max_rank, ids[i], ids[i + 1])
            if rank != NONE:
                size = heap_push(heap, size, (rank << 32) | i)
        while size > 0:
            key, size = heap_pop(heap, size)
            rank = key >> 32
            i = key & 0xFFFFFFFF
            j = nxt[i]
            if not alive[i] or j >= n:
                continue
            if pair_rank(row_starts, rights, ranks, max_rank, ids[i], ids[j]) != rank:
                continue  # its right neighbor changed since this entry was pushed
            ids[i] = new_ids[rank]
            covers[i] += covers[j]
            alive[j] = False
            k = nxt[j]
            nxt[i] = k
            if k < n:
                prv[k] = i
                right = pair_rank(row_starts, rights, ranks, max_rank, ids[i], ids[k])
                if right != NONE:
                    size = heap_push(heap, size, (right << 32) | i)
            h = prv[i]
            if h >= 0:
                left = pair_rank(row_starts, rights, ranks, max_rank, ids[h], ids[i])
                if left != NONE:
                    size = heap_push(heap, size, (left << 32) | h)
        i = 0
        while i < n:  # the first symbol always survives: merges keep their left symbol
            out_ids[written] = ids[i]
            out_covers[written] = covers[i]
            written += 1
            i = nxt[i]
        out_ends[p] = written
    return out_ids[:written], out_covers[:written], out_ends
