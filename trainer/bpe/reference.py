"""BPE in its plainest form: the reference a student reads and the fast path must equal.

As in Karpathy's minbpe, training counts every adjacent pair of symbols and merges the most frequent pair
into a new symbol, again and again; encoding applies the learned merges by rank, lowest first, until none
applies. Two rules of this project's tokenizers sit on top:
- text is first cut into pieces (trainer/bpe/pretokenize.py: words with their leading space, numbers,
  punctuation, whitespace) and no merge crosses a piece; the last symbol of a piece carries `</w>`;
- the base symbols are the 256 byte tokens and the characters seen (trainer/bpe/train.py's base_symbols);
  a character never seen is encoded as its UTF-8 bytes, so nothing is unknown.
A merge replaces every occurrence of its pair, left to right (train.py's merge_pair: "aaa" merges once).
Ties go to the pair of smaller ids (older symbols first). This recounts everything at each merge and
rescans each piece at each step: quadratic, and fine for a lesson. The fast path (incremental counts in
trainer/bpe/train.py, caches in trainer/bpe/tokenizer.py, the compiled trainer/bpe/merge_kernel.py) gives
the same merges and the same tokens (tests/test_bpe_reference.py).
"""

from collections import Counter

from trainer.bpe.pretokenize import END_OF_WORD, split_pieces
from trainer.bpe.train import base_symbols, merge_pair, piece_symbols

Pair = tuple[int, int]


def pair_counts(pieces: list[list[int]], freqs: list[int]) -> Counter:
    """How often each adjacent pair occurs, each piece weighted by how often it occurs in the text."""
    counts = Counter()
    for symbols, freq in zip(pieces, freqs, strict=True):
        for pair in zip(symbols, symbols[1:], strict=False):
            counts[pair] += freq
    return counts


def train(text: str, vocab_size: int) -> tuple[list[str], int, list[tuple[int, int, int]]]:
    """(vocabulary texts, how many are base symbols, merges as (left id, right id, count)); merge r makes
    id base + r, whose text is its two parts' texts joined."""
    piece_freqs = Counter(split_pieces(text))
    vocab = base_symbols(piece_freqs)
    base = len(vocab)
    ids = {symbol: i for i, symbol in enumerate(vocab)}
    pieces = [piece_symbols(piece, ids) for piece in piece_freqs]
    freqs = list(piece_freqs.values())
    merges = []
    while len(vocab) < vocab_size:
        counts = pair_counts(pieces, freqs)
        if not counts:
            break
        best = min(counts, key=lambda pair: (-counts[pair], pair))   # most frequent; ties: smaller ids
        new_id = len(vocab)
        vocab.append(vocab[best[0]] + vocab[best[1]])
        merges.append((*best, counts[best]))
        pieces = [merge_pair(symbols, *best, new_id) for symbols in pieces]
    return vocab, base, merges


def encode(text: str, vocab: list[str], base: int, merges: list[Pair], max_merges: int | None = None) -> list[int]:
    """The ids of `text` with the first max_merges merges (all by default): each piece's characters as base
    symbols, unknown ones as UTF-8 bytes, then the lowest-ranked merge present applied until none is."""
    rank = {pair: r for r, pair in enumerate(merges[:max_merges])}
    base_ids = {symbol: i for i, symbol in enumerate(vocab[:base])}
    ids = []
    for piece in split_pieces(text):
        symbols = []
        for position, ch in enumerate(piece):
            known = base_ids.get(ch + END_OF_WORD) if position == len(piece) - 1 else None
            known = base_ids.get(ch) if known is None else known
            symbols.extend(ch.encode("utf-8", "surrogatepass") if known is None else [known])   # bytes are ids 0-255
        while len(symbols) > 1:
            pair = min(zip(symbols, symbols[1:], strict=False), key=lambda p: rank.get(p, len(rank)))
            if pair not in rank:
                break
            symbols = merge_pair(symbols, *pair, base + rank[pair])
        ids.extend(symbols)
    return ids
