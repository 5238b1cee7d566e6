"""Trains a named tokenizer from a corpus file and saves it under data/tokenizers/NAME.json.

Every 20th line is held out of training so that the vocabulary-size-versus-efficiency figures
are measured on text the tokenizer never saw.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from trainer.bpe.analysis import vocab_efficiency
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import count_pieces, train_bpe
from trainer.config import DEFAULT_CORPUS, DEFAULT_TOKENIZER_VOCAB, resolve_corpus
from trainer.corpus import read_corpus_text
from trainer.errors import WordlabError
from trainer.run_format import check_name

HELD_OUT_EVERY = 20


@dataclass(frozen=True)
class BuiltTokenizer:
    tokenizer: BPETokenizer
    path: Path
    seconds: float
    warning: str | None


def split_held_out(text: str) -> tuple[str, list[str]]:
    lines = text.splitlines(keepends=True)
    held_out = [line.rstrip("\r\n") for i, line in enumerate(lines) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    training = "".join(line for i, line in enumerate(lines) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1)
    return training, held_out


def build_tokenizer(corpus: Path, vocab_size: int, name: str, out_dir: Path, encoding: str | None = None,
                    progress: bool = True) -> BuiltTokenizer:
    check_name(name, "tokenizer")
    decoded = read_corpus_text(corpus, encoding)
    training, held_out = split_held_out(decoded.text)
    if not training.strip():
        raise WordlabError(f"{corpus} has no text to train a tokenizer on")
    started = time.perf_counter()
    trained = train_bpe(count_pieces(training), vocab_size, progress)
    seconds = time.perf_counter() - started
    tokenizer = BPETokenizer(trained, name, {"corpus": str(corpus), "encoding": decoded.encoding,
                                             "training_characters": len(training),
                                             "held_out_lines": len(held_out)})
    tokenizer.meta["vocab_efficiency"] = vocab_efficiency(tokenizer, held_out) if held_out else []
    path = Path(out_dir) / f"{name}.json"
    tokenizer.save(path)
    return BuiltTokenizer(tokenizer, path, seconds, decoded.warning)


def ensure_default_tokenizer(tokenizers_dir: Path, progress: bool = True) -> None:
    """The app ships with one tokenizer: BPE trained on the teaching corpus, written once."""
    if not (Path(tokenizers_dir) / "default.json").exists():
        built = build_tokenizer(resolve_corpus(DEFAULT_CORPUS), DEFAULT_TOKENIZER_VOCAB, "default",
                                tokenizers_dir, progress=progress)
        print(f"wrote {built.path}: {built.tokenizer.vocab_size} tokens ({len(built.tokenizer.merges)} merges)")
