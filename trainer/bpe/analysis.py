"""What a tokenizer does to text, in numbers: per-text statistics, cross-domain cost, vocabulary size
versus efficiency, and pathological inputs broken down token by token."""

from trainer.bpe.pretokenize import count_words
from trainer.bpe.tokenizer import UTF8, BPETokenizer

EFFICIENCY_MERGES = (500, 2000, 5000, 10000)

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


def vocab_efficiency(tokenizer: BPETokenizer, held_out_lines: list[str]) -> list[dict]:
    """Tokens per sentence on held-out text using only the first k merges, for each k available."""
    available = len(tokenizer.merges)
    ks = sorted({k for k in EFFICIENCY_MERGES if k < available} | {available})
    sentences = [line for line in held_out_lines if line.strip()]
    text = "\n".join(sentences)
    rows = []
    for k in ks:
        tokens = len(tokenizer.encode(text, k))
        rows.append({"merges": k, "vocab_size": tokenizer.base_size + k,
                     "tokens_per_sentence": round(tokens / max(len(sentences), 1), 3),
                     "chars_per_token": round(len(text) / tokens, 3) if tokens else 0.0})
    return rows
