"""What a tokenizer does to text, in numbers: per-text statistics, cross-domain cost, vocabulary size
versus efficiency, the merge progression on held-out text, what BPE learned first, token lengths, and
pathological inputs broken down token by token."""

from collections import Counter
from itertools import accumulate

from trainer.bpe.pretokenize import END_OF_WORD, count_words, split_pieces
from trainer.bpe.tokenizer import UTF8, BPETokenizer
from trainer.bpe.train import BYTE_TOKENS, merge_pair

EFFICIENCY_MERGES = (500, 2000, 5000, 10000)
PROGRESSION_POINTS = 64          # merge counts shown on the progression curve, denser at the start
LONG_PIECE_CHARS = 64            # pieces longer than this are counted by encoding them per merge count
NO_MERGE = float("inf")
HELD_OUT_SAMPLE_CHARS = 100_000  # held-out text measured (about 16,000 words)
FIRST_MERGES = 16                # merges shown as "what BPE learned first"
FREQUENT_SUBWORDS = 16           # learned tokens shown as the most used on held-out text
PIPELINE_PIECES = 400            # pieces the pipeline view shows at most (the rest is counted)

DOMAIN_SAMPLES = {
    "English prose": (
        "The lighthouse keeper climbed the narrow stairs every evening, carrying a lamp and a small "
        "notebook in which he wrote down the ships he saw, the colour of the sea, and the direction "
        "of the wind. Nobody ever read the notebook, but he kept writing in it for forty years."),
    "Python code": (
        "def moving_average(values, window=3):\n"
        "    \"\"\"Average of each run of `window` values.\"\"\"\n"
        "    if window <= 0:\n"
        "        raise ValueError(f\"window must be positive, got {window}\")\n"
        "    return [sum(values[i:i + window]) / window for i in range(len(values) - window + 1)]\n"),
    "numbers": "3.14159 2.71828 1,000,000 42 0.0001 -273.15 6.022e23 1969-07-20 555-0142 90210 1024 65536",
    "URLs": ("https://www.example.com/docs/getting-started/index.html?lang=en&page=2#install "
             "http://localhost:8000/api/tokenize?text=hello%20world https://en.wikipedia.org/wiki/Byte_pair_encoding"),
}

PATHOLOGICAL = {
    "phone number": "+1 (555) 867-5309",
    "URL": "https://example.org/a/very/long/path/to/some-resource.json?token=3f9a1c&v=2",
    "CJK": "東京は日本の首都です。北京是中国的首都。",
    "emoji": "I love 🍕 and 🎉🎉! 👩‍👩‍👧‍👦",
    "very long rare word": "pneumonoultramicroscopicsilicovolcanoconiosis",
}


def text_stats(tokenizer: BPETokenizer, text: str, merges: int | None = None, ids: list[int] | None = None) -> dict:
    """chars_per_token counts characters; avg_token_bytes counts UTF-8 bytes (they differ for CJK/emoji):
    the text's own, which its tokens decode back to exactly.

    Pass `ids` when the text is already encoded (with the same merges) to skip encoding it again.
    """
    if ids is None:
        ids = tokenizer.encode(text, merges)
    tokens, characters, words = len(ids), len(text), count_words(text)
    token_bytes = len(text.encode(*UTF8))
    return {
        "tokens": tokens,
        "characters": characters,
        "words": words,
        "chars_per_token": round(characters / tokens, 3) if tokens else 0.0,
        "avg_token_bytes": round(token_bytes / tokens, 3) if tokens else 0.0,
        "tokens_per_word": round(tokens / words, 3) if words else 0.0,
    }


def cross_domain(tokenizer: BPETokenizer) -> list[dict]:
    rows = []
    for domain, text in DOMAIN_SAMPLES.items():
        stats = text_stats(tokenizer, text)
        rows.append({"domain": domain, **stats,
                     "tokens_per_100_chars": round(100 * stats["tokens"] / stats["characters"], 2)})
    return rows


def pathological(tokenizer: BPETokenizer) -> list[dict]:
    rows = []
    for name, text in PATHOLOGICAL.items():
        tokens = tokenizer.encode_detailed(text).tokens
        rows.append({"name": name, "text": text, "tokens": tokens, "count": len(tokens)})
    return rows


def efficiency_merges(available: int) -> list[int]:
    return sorted({k for k in EFFICIENCY_MERGES if k < available} | {available})


def progression_merges(available: int, points: int = PROGRESSION_POINTS) -> list[int]:
    """0 to `available` merges, spaced quadratically: the curve bends most over the first merges."""
    return sorted({round(available * (i / (points - 1)) ** 2) for i in range(points)})


def efficiency_columns(row: dict) -> dict:
    return {key: row[key] for key in ("merges", "vocab_size", "tokens_per_sentence", "chars_per_token")}


def vocab_efficiency(tokenizer: BPETokenizer, held_out_lines: list[str]) -> list[dict]:
    """Tokens per sentence on held-out text using only the first k merges, for each k available."""
    return [efficiency_columns(row) for row in held_out_rows(tokenizer, held_out_lines,
                                                              efficiency_merges(len(tokenizer.merges)))]


def held_out_text(held_out_lines: list[str]) -> tuple[str, int]:
    """The non-empty held-out lines, up to HELD_OUT_SAMPLE_CHARS, as one text, and how many lines that is:
    enough for stable figures, and the same cost at build time for a book as for a page."""
    lines, size = [], 0
    for line in held_out_lines:
        if line.strip() and size < HELD_OUT_SAMPLE_CHARS:
            lines.append(line)
            size += len(line) + 1
    return "\n".join(lines), len(lines)


def token_counts(tokenizer: BPETokenizer, text: str, ks: list[int]) -> list[int]:
    """The text's token count with only the first k merges, for each k, from one pass: each distinct
    piece is merged once with all merges in rank order (as encoding applies them), noting how many
    tokens each merge saved, so that the count with k merges is the base count less the savings of
    merges below k. A piece over LONG_PIECE_CHARS (a hostile run without spaces) is encoded per k instead."""
    ranks = {(m.left, m.right): r for r, m in enumerate(tokenizer.merges)}
    savings = [0] * (len(tokenizer.merges) + 1)
    base, long_pieces = 0, Counter()
    for piece, count in Counter(split_pieces(text)).items():
        if len(piece) > LONG_PIECE_CHARS:
            long_pieces[piece] = count
            continue
        ids = tokenizer.encode(piece, 0)
        base += count * len(ids)
        while len(ids) > 1:
            rank = min(ranks.get(pair, NO_MERGE) for pair in zip(ids, ids[1:], strict=False))
            if rank == NO_MERGE:
                break
            m = tokenizer.merges[rank]
            merged = merge_pair(ids, m.left, m.right, m.new_id)
            savings[rank] += count * (len(ids) - len(merged))
            ids = merged
    saved = list(accumulate(savings, initial=0))  # saved[k]: tokens saved by the first k merges
    return [base - saved[k] + sum(n * len(tokenizer.encode(p, k)) for p, n in long_pieces.items()) for k in ks]


def held_out_rows(tokenizer: BPETokenizer, held_out_lines: list[str], ks: list[int]) -> list[dict]:
    """The held-out text's figures with the first k merges for each k."""
    text, sentences = held_out_text(held_out_lines)
    words = count_words(text)
    rows = []
    for k, tokens in zip(ks, token_counts(tokenizer, text, ks), strict=True):
        rows.append({"merges": k, "vocab_size": tokenizer.base_size + k, "tokens": tokens,
                     "tokens_per_sentence": round(tokens / max(sentences, 1), 3),
                     "tokens_per_word": round(tokens / words, 3) if words else 0.0,
                     "chars_per_token": round(len(text) / tokens, 3) if tokens else 0.0})
    return rows


def subword_usage(tokenizer: BPETokenizer, held_out_lines: list[str], top: int = FREQUENT_SUBWORDS) -> list[dict]:
    """The learned tokens (made by a merge) used most often on held-out text, all merges applied."""
    ids = tokenizer.encode(held_out_text(held_out_lines)[0])
    used = Counter(i for i in ids if i >= tokenizer.base_size)
    return [{"id": i, "uses": n} for i, n in sorted(used.items(), key=lambda item: (-item[1], item[0]))[:top]]


def held_out_figures(tokenizer: BPETokenizer, held_out_lines: list[str]) -> dict:
    """What a tokenizer file keeps from its held-out lines: vocabulary size versus efficiency (a few
    merge counts), the merge progression (many), and the most used learned subwords. The held-out
    text is encoded once per distinct merge count."""
    available = len(tokenizer.merges)
    wanted = efficiency_merges(available)
    rows = held_out_rows(tokenizer, held_out_lines, sorted(set(wanted) | set(progression_merges(available))))
    return {"vocab_efficiency": [efficiency_columns(row) for row in rows if row["merges"] in wanted],
            "merge_progression": [row for row in rows if row["merges"] in progression_merges(available)],
            "subword_usage": subword_usage(tokenizer, held_out_lines)}


def length_histogram(lengths: list[int]) -> list[int]:
    """counts[n] = how many lengths equal n (counts[0] stays 0 for tokens, which are never empty)."""
    counts = Counter(lengths)
    return [counts[n] for n in range(max(lengths, default=0) + 1)]


def vocabulary_lengths(tokenizer: BPETokenizer) -> dict:
    """Token lengths over the vocabulary without its 256 byte tokens, the end-of-piece marker not counted:
    in characters and in UTF-8 bytes (they differ for accented letters, CJK and emoji)."""
    texts = [t.removesuffix(END_OF_WORD) for t in tokenizer.vocab[len(BYTE_TOKENS):]]
    return {"characters": length_histogram([len(t) for t in texts]),
            "bytes": length_histogram([len(t.encode(*UTF8)) for t in texts])}


def learned_first(tokenizer: BPETokenizer, usage: list[dict], first: int = FIRST_MERGES) -> dict:
    """The first merges in the order learned, and the most used learned subwords, each with the merge
    (pair and count in the training text) that made it."""
    record = tokenizer.merge_record
    return {"first_merges": [record(r) for r in range(min(first, len(tokenizer.merges)))],
            "frequent_subwords": [{**record(row["id"] - tokenizer.base_size), "uses": row["uses"]} for row in usage
                                  if 0 <= row["id"] - tokenizer.base_size < len(tokenizer.merges)]}


def pipeline(tokenizer: BPETokenizer, text: str, merges: int, limit: int = PIPELINE_PIECES) -> dict:
    """The three stages for a text: the pre-tokenizer's pieces, each piece as base symbols (no merges),
    and each piece's tokens after `merges` merges. A piece is encoded on its own, which gives the
    same tokens as encoding the whole text: merges never cross a piece."""
    pieces = split_pieces(text)
    rows, start = [], 0
    for piece in pieces[:limit]:
        rows.append({"text": piece, "start": start, "symbols": tokenizer.encode_detailed(piece, 0).tokens,
                     "tokens": tokenizer.encode_detailed(piece, merges).tokens})
        start += len(piece)
    return {"pieces": rows, "pieces_total": len(pieces)}
