"""Splits text into pieces that BPE works inside; merges never cross a piece boundary.

Every character of the input lands in exactly one piece (''.join(pieces) == text), which is what
makes encoding lossless. A piece is a contraction suffix, a run of letters, digits or other
symbols with at most one leading space (as GPT-2 does), or a run of whitespace.
"""

import re

PIECE_PATTERN = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+| ?_+|\s+"""
PIECE_RE = re.compile(PIECE_PATTERN)
WORD_RE = re.compile(r"[^\W_]+")
# For ASCII-only text (the usual case), the same pieces with ranges instead of Unicode classes (for
# ASCII, \w is exactly [A-Za-z0-9_]), and words counted without a regex: letters and digits become
# "a", every other byte a space, and bytes.split() counts the runs. On 1 KB of prose: pieces 50 → 34 µs,
# words 37 → 7 µs (both tested equal to the Unicode patterns).
ASCII_PIECE_RE = re.compile(r"""'(?:s|t|re|ve|m|ll|d)| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9_]+| ?_+|\s+""")
ASCII_WORD_BYTES = bytes(ord("a") if chr(i).isalnum() else ord(" ") for i in range(128)) + b" " * 128
# The seed's convention: the last symbol of every piece carries this marker, so "ing</w>" (a word
# ending) and "ing" (inside a word) are different tokens. Decoding drops it.
END_OF_WORD = "</w>"


def split_pieces(text: str) -> list[str]:
    return (ASCII_PIECE_RE if text.isascii() else PIECE_RE).findall(text)


def count_words(text: str) -> int:
    """Words as a reader counts them (runs of letters/digits), for tokens-per-word figures."""
    if text.isascii():
        return len(text.encode("ascii").translate(ASCII_WORD_BYTES).split())
    return len(WORD_RE.findall(text))
