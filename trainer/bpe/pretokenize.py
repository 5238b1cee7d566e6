"""Splits text into pieces that BPE works inside; merges never cross a piece boundary.

Every character of the input lands in exactly one piece (''.join(pieces) == text), which is what
makes encoding lossless. A piece is a contraction suffix, a run of letters, digits or other
symbols with at most one leading space (as GPT-2 does), or a run of whitespace.

For encoding, text also splits into units: strings made of whole pieces, so that a text's encoding
is the concatenation of its units' (see split_units).
"""

import re

PIECE_PATTERN = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+| ?_+|\s+"""
PIECE_RE = re.compile(PIECE_PATTERN)
WORD_RE = re.compile(r"[^\W_]+")
# For ASCII-only text (the usual case), the same pieces with ranges instead of Unicode classes (for
# ASCII, \w is exactly [A-Za-z0-9_]), and words counted without a regex: letters and digits become
# "a", every other byte a space, and bytes.split() counts the runs: faster on prose (docs/performance.md),
# and tested equal to the Unicode patterns.
ASCII_PIECE_RE = re.compile(r"""'(?:s|t|re|ve|m|ll|d)| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9_]+| ?_+|\s+""")
ASCII_WORD_BYTES = bytes(ord("a") if chr(i).isalnum() else ord(" ") for i in range(128)) + b" " * 128
# A space with whitespace on either side belongs to a whitespace piece; one between two other
# characters (or at an end) starts the piece after it. ASCII text is checked with a byte table
# (space -> " ", other whitespace -> "\t", the rest -> "a"), several times faster than the regex.
SPACE_BESIDE_WHITESPACE_RE = re.compile(r"\s | \s")
ASCII_WHITESPACE_MARKS = bytes(i if i == 32 else 9 if chr(i).isspace() else 97 for i in range(128)) + b"a" * 128
# The seed's convention: the last symbol of every piece carries this marker, so "ing</w>" (a word
# ending) and "ing" (inside a word) are different tokens. Decoding drops it.
END_OF_WORD = "</w>"


def split_pieces(text: str) -> list[str]:
    return (ASCII_PIECE_RE if text.isascii() else PIECE_RE).findall(text)


def split_units(text: str) -> list[str]:
    """The text cut before each space when no space touches other whitespace (the usual case in
    prose): " don't," is one unit of three pieces. No piece crosses such a space, so units encode
    independently and a cache of units needs fewer lookups than one of pieces (195 against 244 for
    1 KB of prose, and no regex). Otherwise the pieces themselves."""
    if units_are_pieces(text):
        return split_pieces(text)
    return text.replace(" ", "\0 ").split("\0")


def units_are_pieces(text: str) -> bool:
    """Whether split_units gives the text's pieces themselves (so that they need not be found twice)."""
    return "\0" in text or space_beside_whitespace(text)


def space_beside_whitespace(text: str) -> bool:
    if text.isascii():
        marks = text.encode("ascii").translate(ASCII_WHITESPACE_MARKS)
        return b"  " in marks or b" \t" in marks or b"\t " in marks
    return SPACE_BESIDE_WHITESPACE_RE.search(text) is not None


def count_words(text: str) -> int:
    """Words as a reader counts them (runs of letters/digits), for tokens-per-word figures."""
    if text.isascii():
        return len(text.encode("ascii").translate(ASCII_WORD_BYTES).split())
    return len(WORD_RE.findall(text))
