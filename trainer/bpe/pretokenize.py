"""Splits text into pieces that BPE works inside; merges never cross a piece boundary.

Every character of the input lands in exactly one piece (''.join(pieces) == text), which is what
makes encoding lossless. A piece is a contraction suffix, a run of letters, digits or other
symbols with at most one leading space (as GPT-2 does), or a run of whitespace.
"""

import re

PIECE_PATTERN = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+| ?_+|\s+"""
PIECE_RE = re.compile(PIECE_PATTERN)
WORD_RE = re.compile(r"[^\W_]+")
# The seed's convention: the last symbol of every piece carries this marker, so "ing</w>" (a word
# ending) and "ing" (inside a word) are different tokens. Decoding drops it.
END_OF_WORD = "</w>"


def split_pieces(text: str) -> list[str]:
    return PIECE_RE.findall(text)


def count_words(text: str) -> int:
    """Words as a reader counts them (runs of letters/digits), for tokens-per-word figures."""
    return len(WORD_RE.findall(text))
