"""Splits text into pieces that BPE works inside; merges never cross a piece boundary.

Every character of the input lands in exactly one piece (''.join(pieces) == text), which is what
makes encoding lossless. A piece is a contraction suffix, a run of letters, digits or other
symbols with at most one leading space (as GPT-2 does), or a run of whitespace.
"""

import re

PIECE_PATTERN = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+| ?_+|\s+"""
PIECE_RE = re.compile(PIECE_PATTERN)
WORD_RE = re.compile(r"[^\W_]+")
# The same two patterns for ASCII-only text, with ranges instead of Unicode classes (for ASCII, \w is
# exactly [A-Za-z0-9_]): a third faster on 1 KB of prose (50 → 34 µs, 37 → 22 µs; tested equal).
ASCII_PIECE_RE = re.compile(r"""'(?:s|t|re|ve|m|ll|d)| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9_]+| ?_+|\s+""")
ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+")
# The seed's convention: the last symbol of every piece carries this marker, so "ing</w>" (a word
# ending) and "ing" (inside a word) are different tokens. Decoding drops it.
END_OF_WORD = "</w>"


def split_pieces(text: str) -> list[str]:
    return (ASCII_PIECE_RE if text.isascii() else PIECE_RE).findall(text)


def count_words(text: str) -> int:
    """Words as a reader counts them (runs of letters/digits), for tokens-per-word figures."""
    return len((ASCII_WORD_RE if text.isascii() else WORD_RE).findall(text))
