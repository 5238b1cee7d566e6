"""BPE training with incremental pair counts.

Each distinct piece (see pretokenize) is a sequence of symbol ids weighted by how often the piece
occurs. The most frequent adjacent pair is merged into a new symbol, repeatedly. A merge touches
only the pieces that contain its pair (an index pair → pieces), and only the counts of pairs that
actually changed are pushed back on a max-heap (stale heap entries are skipped when popped), so
there is never a full recount.

Ties: among pairs with the highest count, the pair with the smallest (left id, right id) wins,
i.e. older symbols first, base symbols in code-point order. The reference trainer in
tests/test_bpe.py (naive_bpe) recounts everything each merge and applies the same rule.
"""

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from tqdm import tqdm

from trainer.bpe.pretokenize import END_OF_WORD, split_pieces
from trainer.errors import WordlabError

BYTE_TOKENS = [f"<0x{b:02X}>" for b in range(256)]
# Always in the base alphabet, seen or not: plain English and code never need byte fallback.
ALWAYS_BASE = frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\t", "\n"}


@dataclass(frozen=True)
class Merge:
    left: int
    right: int
    new_id: int
    count: int  # frequency-weighted occurrences of the pair when it was merged


@dataclass(frozen=True)
class TrainedBPE:
    vocab: list[str]          # id → token text (with END_OF_WORD where it ends a piece)
    base_size: int            # ids below this are byte tokens and single characters
    merges: list[Merge]       # in the order they were learned; merge r creates id base_size + r


def count_pieces(text: str) -> Counter:
    return Counter(split_pieces(text))


def base_symbols(piece_counts: dict[str, int]) -> list[str]:
    """The 256 byte tokens, then characters (printable ASCII and every one seen), as inner and/or
    piece-final symbols, by code point."""
    inner, final = set(ALWAYS_BASE), set(ALWAYS_BASE)
    for piece in piece_counts:
        inner.update(piece[:-1])
        final.add(piece[-1])
    chars = sorted(inner | final)
    symbols = []
    for ch in chars:
        if ch in inner:
            symbols.append(ch)
        if ch in final:
            symbols.append(ch + END_OF_WORD)
    return BYTE_TOKENS + symbols


def piece_symbols(piece: str, symbol_ids: dict[str, int]) -> list[int]:
    return [symbol_ids[ch] for ch in piece[:-1]] + [symbol_ids[piece[-1] + END_OF_WORD]]


def merge_pair(symbols: list[int], left: int, right: int, new_id: int) -> list[int]:
    """Replaces every non-overlapping (left, right), scanning left to right."""
    out, i, n = [], 0, len(symbols)
    while i < n:
        if i + 1 < n and symbols[i] == left and symbols[i + 1] == right:
            out.append(new_id)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


Observer = Callable[[int, list[tuple[int, int, int]]], None]


def leading_pairs(heap: list, counts: dict[tuple[int, int], int], top: int) -> list[tuple[int, int, int]]:
    """The `top` pairs of highest count as (left, right, count), the next merge's winner first: stale heap
    entries met on the way are dropped (the loop would skip them anyway), the others are pushed back."""
    found, seen = [], set()
    while heap and len(found) < top:
        entry = heapq.heappop(heap)
        pair = (entry[1], entry[2])
        if counts.get(pair) == -entry[0] and pair not in seen:
            seen.add(pair)
            found.append(entry)
    for entry in found:
        heapq.heappush(heap, entry)
    return [(a, b, -negative) for negative, a, b in found]


def train_bpe(piece_counts: dict[str, int], vocab_size: int, progress: bool = False,
              observe: Observer | None = None, top: int = 8) -> TrainedBPE:
    """Merges until the vocabulary has `vocab_size` symbols. With `observe`, each merge is reported as
    observe(rank, the `top` candidate pairs with their counts as they stood, the winner first); an
    exception it raises (a deadline) stops training."""
    if not piece_counts:
        raise WordlabError("no text to train a tokenizer on: the corpus is empty")
    vocab = base_symbols(piece_counts)
    base_size = len(vocab)
    if vocab_size < base_size:
        raise WordlabError(f"vocab size {vocab_size} is smaller than the base alphabet ({base_size}: "
                           f"256 byte tokens and {base_size - 256} characters seen); use at least {base_size}")
    symbol_ids = {s: i for i, s in enumerate(vocab)}
    words = [piece_symbols(p, symbol_ids) for p in piece_counts]
    freqs = list(piece_counts.values())

    counts: dict[tuple[int, int], int] = defaultdict(int)
    where: dict[tuple[int, int], set[int]] = defaultdict(set)
    for w, symbols in enumerate(words):
        f = freqs[w]
        for pair in zip(symbols, symbols[1:], strict=False):
            counts[pair] += f
            where[pair].add(w)
    heap = [(-c, a, b) for (a, b), c in counts.items()]
    heapq.heapify(heap)

    merges: list[Merge] = []
    wanted = vocab_size - base_size
    bar = tqdm(total=wanted, desc="merges", unit="merge", disable=not progress, mininterval=0.25)
    while len(merges) < wanted and heap:
        candidates = leading_pairs(heap, counts, top) if observe is not None else None
        negative, a, b = heapq.heappop(heap)
        pair = (a, b)
        if counts.get(pair) != -negative:
            continue  # stale entry: the count changed after it was pushed
        new_id = len(vocab)
        vocab.append(vocab[a] + vocab[b])
        merges.append(Merge(a, b, new_id, -negative))
        if observe is not None:
            observe(len(merges) - 1, candidates)
        delta: dict[tuple[int, int], int] = defaultdict(int)
        for w in where.pop(pair):
            old = words[w]
            new = merge_pair(old, a, b, new_id)
            if len(new) == len(old):
                continue  # the index is lazy: this piece lost the pair to an earlier merge
            f = freqs[w]
            for p in zip(old, old[1:], strict=False):
                delta[p] -= f
            for p in zip(new, new[1:], strict=False):
                delta[p] += f
                if new_id in p:
                    where[p].add(w)
            words[w] = new
        del counts[pair]
        for p, d in delta.items():
            if d and p != pair:
                c = counts[p] = counts[p] + d
                if c > 0:
                    heapq.heappush(heap, (-c, p[0], p[1]))
                else:
                    del counts[p]
        bar.update()
    bar.close()
    return TrainedBPE(vocab, base_size, merges)
