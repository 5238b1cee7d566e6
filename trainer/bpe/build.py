"""Trains a named tokenizer from a corpus file and saves it under data/tokenizers/NAME.json; writes the
app's default tokenizer from text the project ships.

Every 20th line is held out of training so that the efficiency figures (merge progression, vocabulary
size versus efficiency, the most used subwords) are measured on text the tokenizer never saw.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from trainer.bpe.analysis import held_out_figures
from trainer.bpe.english_text import WORDS, english_text, english_words
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import base_symbols, count_pieces, train_bpe
from trainer.corpus import read_corpus_text
from trainer.errors import WordlabError
from trainer.names import check_name

HELD_OUT_EVERY = 20

# The default tokenizer learns English prose the project writes at first start (english_text.py: words
# drawn with English word frequencies): nothing downloaded, nothing copied into the repository, and
# no preset or sample of the token page in it (tested), so those show what a tokenizer does to text it
# never saw. 32,000 merges make common and fairly rare English words whole (" monster", " landscape",
# " remorse"), as in the tokenizers students meet (GPT-2 has 50,000).
DEFAULT_MERGES = 32_000


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
    decoded = read_corpus_text(corpus, encoding)
    meta = {"corpus": str(corpus), "encoding": decoded.summary.encoding}
    return build_from_text(decoded.text, vocab_size, name, out_dir, meta, decoded.summary.warning, progress)


def build_from_text(text: str, vocab_size: int | None, name: str, out_dir: Path, meta: dict,
                    warning: str | None = None, progress: bool = True, merges: int | None = None) -> BuiltTokenizer:
    """Trains on all but the held-out lines, measures the held-out figures and saves NAME.json. The size is
    a vocabulary size, or (vocab_size None) a number of merges beyond the base alphabet of those lines."""
    check_name(name, "tokenizer")
    training, held_out = split_held_out(text)
    if not training.strip():
        raise WordlabError(f"{meta.get('corpus', 'the corpus')} has no text to train a tokenizer on")
    started = time.perf_counter()
    pieces = count_pieces(training)
    trained = train_bpe(pieces, vocab_size if vocab_size is not None else len(base_symbols(pieces)) + merges, progress)
    seconds = time.perf_counter() - started
    tokenizer = BPETokenizer(trained, name, {**meta, "training_characters": len(training),
                                             "held_out_lines": len(held_out)})
    tokenizer.meta.update(held_out_figures(tokenizer, held_out) if held_out else
                          {"vocab_efficiency": [], "merge_progression": [], "subword_usage": []})
    path = Path(out_dir) / f"{name}.json"
    tokenizer.save(path)
    return BuiltTokenizer(tokenizer, path, seconds, warning)


def build_default_tokenizer(tokenizers_dir: Path, progress: bool = True, words: int = WORDS,
                            merges: int = DEFAULT_MERGES) -> BuiltTokenizer:
    word_list = english_words(words)
    text = english_text(words, word_list=word_list)
    meta = {"corpus": f"English prose written from word frequencies: {words:,} words drawn with the frequencies of "
                      f"{word_list.source}",
            "sources": [word_list.source]}
    return build_from_text(text, None, "default", tokenizers_dir, meta, progress=progress, merges=merges)


OLD_DEFAULT_CORPUS = "the project's own text"   # the recipe before English prose (mostly source code)


def outdated_default(path: Path) -> bool:
    """Whether a default.json is the one an older wordlab learned from its own source code."""
    return path.exists() and str(file_meta(path).get("corpus", "")).startswith(OLD_DEFAULT_CORPUS)


def file_meta(path: Path) -> dict:
    """A tokenizer file's meta, or {} when it cannot be read (the registry reports a broken file)."""
    try:
        meta = orjson.loads(path.read_bytes()).get("meta", {})
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def ensure_default_tokenizer(tokenizers_dir: Path, progress: bool = True) -> None:
    """The app ships with one tokenizer, "default", written on first start. An existing one is kept, unless
    it is the one an older wordlab wrote from its own source code: that one is replaced by the prose one."""
    path = Path(tokenizers_dir) / "default.json"
    if outdated_default(path):
        print(f"{path} was learned from wordlab's source code; writing the English prose default instead")
        path.unlink()
    if not path.exists():
        started = time.perf_counter()
        built = build_default_tokenizer(tokenizers_dir, progress=progress)
        print(f"wrote {built.path}: {built.tokenizer.vocab_size} tokens ({len(built.tokenizer.merges)} merges) "
              f"in {time.perf_counter() - started:.1f} s")
