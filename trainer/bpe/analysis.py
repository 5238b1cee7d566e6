"""What a tokenizer does to text, in numbers: per-text statistics, cross-domain cost, vocabulary size
versus efficiency, the merge progression on held-out text, what BPE learned first, token lengths, and
pathological inputs broken down token by token."""

import weakref
from collections import Counter
from itertools import accumulate

import regex

from trainer.bpe.bytelevel import BASE_SIZE, ByteLevelBPE
from trainer.bpe.pretokenize import END_OF_WORD, count_words, split_pieces
from trainer.bpe.tokenizer import UTF8, BPETokenizer
from trainer.bpe.train import BYTE_TOKENS, merge_pair

Tokenizer = BPETokenizer | ByteLevelBPE   # a tokenizer learned here, or a reference one (GPT-2, GPT-4, GPT-4o)
LETTER_RE = regex.compile(r"\p{L}")
UNSPACED_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]")
MERGES_LISTED = 300   # merges the "which merges changed this text" list shows at most (the rest counted)

EFFICIENCY_MERGES = (500, 2000, 5000, 10000)
PROGRESSION_POINTS = 64          # merge counts shown on the progression curve, denser at the start
LONG_PIECE_CHARS = 64            # pieces longer than this are counted by encoding them per merge count
NO_MERGE = float("inf")
HELD_OUT_SAMPLE_CHARS = 100_000  # held-out text measured (about 16,000 words)
FIRST_MERGES = 16                # merges shown as "what BPE learned first"
FREQUENT_SUBWORDS = 16           # learned tokens shown as the most used on held-out text
PIPELINE_PIECES = 400            # pieces the pipeline view shows at most (the rest is counted)

# Long enough (about 1,000 characters each) that a few odd tokens do not decide the comparison; written for
# this page, so no tokenizer here was trained on them (tested).
DOMAIN_SAMPLES = {
    "English prose": (
        "The lighthouse keeper climbed the narrow stairs every evening, carrying a lamp and a small notebook in "
        "which he wrote down the ships he saw, the colour of the sea, and the direction of the wind. Nobody ever "
        "read the notebook, but he kept writing in it for forty years. When the new road reached the village, "
        "fewer boats came past the rocks, and some weeks he counted none at all. He wrote that down too. His "
        "daughter, who had moved to the city to study medicine, visited him each summer and teased him about the "
        "pages full of empty weeks. He told her that an empty week was still a week worth keeping, because one "
        "day someone would want to know when the harbour went quiet and why. After he retired, the council "
        "replaced the lamp with an automatic light that needed no keeper, and the notebooks went into a cardboard "
        "box in the museum basement. A student found them there many years later, while looking for something "
        "else entirely, and spent the rest of the winter reading about the weather of a coast she had never seen."),
    "Python code": (
        "def moving_average(values, window=3):\n"
        "    \"\"\"Average of each run of `window` values.\"\"\"\n"
        "    if window <= 0:\n"
        "        raise ValueError(f\"window must be positive, got {window}\")\n"
        "    return [sum(values[i:i + window]) / window for i in range(len(values) - window + 1)]\n"
        "\n\n"
        "class RunningStats:\n"
        "    def __init__(self):\n"
        "        self.count, self.mean, self._m2 = 0, 0.0, 0.0\n"
        "\n"
        "    def push(self, x: float) -> None:\n"
        "        self.count += 1\n"
        "        delta = x - self.mean\n"
        "        self.mean += delta / self.count\n"
        "        self._m2 += delta * (x - self.mean)\n"
        "\n"
        "    @property\n"
        "    def variance(self) -> float:\n"
        "        return self._m2 / (self.count - 1) if self.count > 1 else 0.0\n"
        "\n\n"
        "if __name__ == \"__main__\":\n"
        "    stats = RunningStats()\n"
        "    for value in [3, 1, 4, 1, 5, 9, 2, 6]:\n"
        "        stats.push(value)\n"
        "    print(f\"n={stats.count} mean={stats.mean:.3f} var={stats.variance:.3f}\")\n"
        "    print(moving_average([1, 2, 3, 4, 5], window=2))\n"),
    "numbers": (
        "3.14159 2.71828 1,000,000 42 0.0001 -273.15 6.022e23 1969-07-20 555-0142 90210 1024 65536 "
        "1.41421 299,792,458 9.81 -40 0.5772 1.61803 6.674e-11 8,848.86 10,994 1.380649e-23 101325 "
        "2024-02-29 23:59:59 12:00:00 0x1F 0b1010 255 4096 8192 16384 32768 131072 262144 524288 "
        "3.0e8 1.602e-19 9.109e-31 96,485 8.314 0.08206 22.414 273.16 373.15 1.00794 15.9994 "
        "-459.67 212 32 98.6 37.0 1,609.344 0.3048 25.4 2.54 453.59237 28.349523 3.785411784 "
        "1e-9 1e-6 1e-3 1e3 1e6 1e9 1e12 7,900,000,000 8,000,000,000 365.2422 29.530589 27.321661 "
        "86,400 604,800 31,557,600 1.496e11 3.844e8 6.371e6 5.972e24 7.342e22 1.989e30 0.0167 "
        "44.1 48 96 192 24 30 60 120 144 240 1080 1920 2160 3840 4320 7680 0.25 0.75 0.125 0.875 "
        "13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97 101 103 107 109 113 127 131 "
        "2.99792458e8 6.62607015e-34 1.054571817e-34 8.8541878128e-12 4.135667696e-15 0.0072973525693 137.035999"),
    "URLs": (
        "https://www.example.com/docs/getting-started/index.html?lang=en&page=2#install "
        "http://localhost:8000/api/tokenize?text=hello%20world "
        "https://en.wikipedia.org/wiki/Byte_pair_encoding "
        "https://github.com/example-org/example-repo/blob/main/src/utils/helpers.py#L42-L57 "
        "https://docs.python.org/3/library/collections.html#collections.Counter "
        "ftp://files.example.net/pub/releases/v2.3.1/archive-2024-05-01.tar.gz "
        "https://maps.example.com/@51.5074,-0.1278,15z/data=!3m1!4b1 "
        "https://shop.example.co.uk/cart?item=SKU-88412&qty=3&coupon=SPRING24 "
        "https://api.example.io/v1/users/8f14e45f-ceea-467f-a0e6-3c5b2e1d9a77/settings?fields=name,email "
        "mailto:someone@example.org?subject=Meeting%20notes "
        "https://cdn.example.net/img/2023/11/photo_0042-1920x1080.webp "
        "https://news.example.com/2024/06/15/local-library-reopens-after-renovation.html?utm_source=rss "
        "https://example.com/search?q=tokenizer+byte+pair&sort=recent&page=3"),
}

PATHOLOGICAL = {
    "phone number": "+1 (555) 867-5309",
    "URL": "https://example.org/a/very/long/path/to/some-resource.json?token=3f9a1c&v=2",
    "CJK": "東京は日本の首都です。北京是中国的首都。",
    "emoji": "I love 🍕 and 🎉🎉! 👩‍👩‍👧‍👦",
    "very long rare word": "pneumonoultramicroscopicsilicovolcanoconiosis",
}


def words_are_spaced(text: str) -> bool:
    """Whether the text's words are cut by spaces: not when most of its letters are in scripts written
    without them (Chinese, Japanese, Thai, ...), where tokens per word means nothing."""
    letters = len(LETTER_RE.findall(text))
    return letters == 0 or len(UNSPACED_RE.findall(text)) * 2 <= letters


def text_stats(tokenizer: Tokenizer, text: str, merges: int | None = None, ids: list[int] | None = None) -> dict:
    """chars_per_token counts characters; avg_token_bytes counts UTF-8 bytes (they differ for CJK/emoji):
    the text's own, which its tokens decode back to exactly. tokens_per_char is the measure that means
    something for text whose words are not space-separated (words_spaced false).

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
        "tokens_per_char": round(tokens / characters, 3) if characters else 0.0,
        "words_spaced": words_are_spaced(text),
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
    ranks = pair_ranks(tokenizer)
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


def vocabulary_lengths(tokenizer: Tokenizer) -> dict:
    """Token lengths over the vocabulary without its 256 byte tokens, the end-of-piece marker not counted:
    in characters and in UTF-8 bytes (they differ for accented letters, CJK and emoji). A reference
    tokenizer's token that cuts a character has a length in bytes only."""
    if isinstance(tokenizer, ByteLevelBPE):
        tokens = [tokenizer.token_bytes(i) for i in range(BASE_SIZE, tokenizer.vocab_size)]
        whole = [t.decode("utf-8", "replace") for t in tokens if not t.decode("utf-8", "replace").count("\ufffd")]
        return {"characters": length_histogram([len(t) for t in whole]),
                "bytes": length_histogram([len(t) for t in tokens])}
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


def pieces_of(tokenizer: Tokenizer, text: str) -> list[str]:
    """The pre-tokenizer's pieces: ours (pretokenize.py), or a reference tokenizer's own pattern."""
    return tokenizer.pieces(text) if isinstance(tokenizer, ByteLevelBPE) else split_pieces(text)


def pipeline(tokenizer: Tokenizer, text: str, merges: int, limit: int = PIPELINE_PIECES) -> dict:
    """The three stages for a text: the pre-tokenizer's pieces, each piece as base symbols (no merges),
    and each piece's tokens after `merges` merges. A piece is encoded on its own, which gives the
    same tokens as encoding the whole text: merges never cross a piece."""
    pieces = pieces_of(tokenizer, text)
    rows, start = [], 0
    for piece in pieces[:limit]:
        rows.append({"text": piece, "start": start, "symbols": tokenizer.encode_detailed(piece, 0).tokens,
                     "tokens": tokenizer.encode_detailed(piece, merges).tokens})
        start += len(piece)
    return {"pieces": rows, "pieces_total": len(pieces)}


def piece_traces(tokenizer: Tokenizer, piece: str, merges: int) -> tuple[int, list[int]]:
    """(base symbols, the merges applied in order, 0-based) for one piece with the first `merges` merges."""
    if isinstance(tokenizer, ByteLevelBPE):
        symbols, ranks = tokenizer.trace_piece(piece, BASE_SIZE + merges)
        return symbols, [rank - BASE_SIZE for rank in ranks]
    ranks = pair_ranks(tokenizer)
    ids = tokenizer.encode(piece, 0)
    applied, symbols = [], len(ids)
    while len(ids) > 1:
        rank = min(ranks.get(pair, NO_MERGE) for pair in zip(ids, ids[1:], strict=False))
        if rank >= merges:
            break
        m = tokenizer.merges[rank]
        merged = merge_pair(ids, m.left, m.right, m.new_id)
        applied += [rank] * (len(ids) - len(merged))
        ids = merged
    return symbols, applied


_PAIR_RANKS: "weakref.WeakKeyDictionary[BPETokenizer, dict]" = weakref.WeakKeyDictionary()


def pair_ranks(tokenizer: BPETokenizer) -> dict[tuple[int, int], int]:
    """(left id, right id) → the merge's 0-based rank, built once per tokenizer."""
    ranks = _PAIR_RANKS.get(tokenizer)
    if ranks is None:
        ranks = _PAIR_RANKS[tokenizer] = {(m.left, m.right): r for r, m in enumerate(tokenizer.merges)}
    return ranks


def merges_applied(tokenizer: Tokenizer, text: str, merges: int, limit: int = MERGES_LISTED) -> dict:
    """The merges that changed this text with the first `merges` merges, by rank (the order a tokenizer
    learned them, and the order they apply): each with its pair, the times it joined the pair in this
    text, and the text's token count before and after it."""
    times = Counter()
    base = 0
    for piece, count in Counter(pieces_of(tokenizer, text)).items():
        symbols, applied = piece_traces(tokenizer, piece, merges)
        base += count * symbols
        for rank in applied:
            times[rank] += count
    rows, tokens = [], base
    for rank in sorted(times):
        before, tokens = tokens, tokens - times[rank]
        if len(rows) < limit:
            rows.append({**tokenizer.merge_record(rank), "times": times[rank], "tokens_before": before,
                         "tokens_after": tokens})
    return {"base_tokens": base, "tokens": tokens, "applied": rows, "applied_total": len(times)}
