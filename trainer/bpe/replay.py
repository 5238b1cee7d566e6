"""A BPE trained on a student's text, with what the token page needs to replay it merge by merge.

The training is `wordlab tokenizer train`'s, on the same lines (every 20th held out, build.py) and with the
same trainer (train.py), so the merges are the CLI's (tested). Beside the merges it keeps, for each merge,
the candidate pairs with their counts as they stood when the winner was chosen; and the training text's
distinct pieces as base-symbol ids with their counts, and the first pieces in text order, so the page can
re-cut the text and draw the compression curve after any number of merges without asking again.
"""

import codecs
import time
from collections import Counter
from pathlib import Path

from trainer.book_text import without_gutenberg
from trainer.bpe.build import build_from_text, split_held_out
from trainer.bpe.pretokenize import split_pieces
from trainer.bpe.train import base_symbols, piece_symbols, train_bpe
from trainer.corpus import FALLBACK_ENCODING
from trainer.errors import CorpusError, WordlabError

CANDIDATES = 8          # pairs shown at each merge, the winner first
PREVIEW_PIECES = 600    # pieces of the training text the page re-cuts after each merge


class TrainingTooLong(WordlabError):
    """Training went past its time budget (the server's bound per request)."""


def train_for_replay(text: str, merges: int, seconds: float, top: int = CANDIDATES) -> dict:
    """Trains `merges` merges on the text's training lines within `seconds`; the replay's data."""
    training, held_out = split_held_out(text)
    pieces = Counter(split_pieces(training))
    if not pieces:
        raise WordlabError("there is no text to train on: paste some, or pick a corpus")
    started = time.perf_counter()
    deadline = started + seconds
    history: list[list[tuple[int, int, int]]] = []

    def observe(rank: int, candidates: list[tuple[int, int, int]]) -> None:
        history.append(candidates)
        if time.perf_counter() > deadline:
            raise TrainingTooLong(f"training stopped after {rank + 1:,} merges: a request may train for at most "
                                  f"{seconds:g} s here; ask for fewer merges or use less text")

    base = base_symbols(pieces)
    trained = train_bpe(pieces, len(base) + merges, observe=observe, top=top)
    symbol_ids = {s: i for i, s in enumerate(trained.vocab[:trained.base_size])}
    distinct = list(pieces)
    index = {piece: i for i, piece in enumerate(distinct)}
    preview = [index[piece] for piece in split_pieces(training)[:PREVIEW_PIECES]]
    return {
        "base_size": trained.base_size,
        "vocab": trained.vocab,
        "merges": [{"rank": r + 1, "left": m.left, "right": m.right, "id": m.new_id, "count": m.count,
                    "candidates": [{"left": a, "right": b, "count": c} for a, b, c in history[r]]}
                   for r, m in enumerate(trained.merges)],
        "pieces": [piece_symbols(piece, symbol_ids) for piece in distinct],
        "counts": list(pieces.values()),
        "preview": preview,
        "training_characters": len(training),
        "held_out_lines": len(held_out),
        "seconds": round(time.perf_counter() - started, 3),
    }


def save_trained(text: str, merges: int, name: str, out_dir: str, source: str) -> dict:
    """Trains as `wordlab tokenizer train` would on this text (the same merges as the replay) and saves it
    as out_dir/NAME.json, held-out figures included; its summary."""
    built = build_from_text(text, None, name, Path(out_dir), {"corpus": source}, progress=False, merges=merges)
    tok = built.tokenizer
    return {"name": tok.name, "vocab_size": tok.vocab_size, "base_size": tok.base_size, "merges": len(tok.merges),
            "corpus": source}


def corpus_start(path: Path, limit: int) -> str:
    """The first `limit` bytes of a corpus file as text, Project Gutenberg's header left out: UTF-8 (else
    Windows-1252), line ends as LF, the line the limit cut through left out. Never more is read."""
    with Path(path).open("rb") as handle:
        data = handle.read(limit)
    if b"\0" in data:
        raise CorpusError(f"{Path(path).name} looks like a binary file (it holds NUL bytes), not a text corpus")
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(data)   # a character cut at the limit waits out
    except UnicodeDecodeError:
        text = data.decode(FALLBACK_ENCODING, "replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(data) == limit and len(lines) > 1:
        lines.pop()
    return "\n".join(without_gutenberg(iter(lines), lambda reason, dropped: None))
