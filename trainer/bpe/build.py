"""Trains a named tokenizer from a corpus file and saves it under data/tokenizers/NAME.json; writes the
app's default tokenizer from text the project ships.

Every 20th line is held out of training so that the efficiency figures (merge progression, vocabulary
size versus efficiency, the most used subwords) are measured on text the tokenizer never saw.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from trainer.bpe.analysis import held_out_figures
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import base_symbols, count_pieces, train_bpe
from trainer.config import DEFAULT_CORPUS, PROJECT_ROOT
from trainer.corpus import read_corpus_text
from trainer.errors import WordlabError
from trainer.run_format import check_name

HELD_OUT_EVERY = 20

# The default tokenizer learns from the project's own text: the teaching corpus (lowercase sentences),
# the documentation and the pages' explanations (capitalised prose, numbers, punctuation) and the
# Python and JavaScript source (code). About 470 KB, no download, nothing from outside the repository,
# so a fresh checkout builds it in about two seconds, and its cuts look like a real tokenizer's:
# " the", "ing</w>", "ation</w>", "def</w>", "\n    </w>". The book downloader stays the way to a richer one.
DEFAULT_SOURCES = (DEFAULT_CORPUS, "README.md", "docs/*.md", "frontend/*.html", "frontend/js/**/*.js",
                   "trainer/**/*.py", "backend/**/*.py")
DEFAULT_MERGES = 3000


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


def build_from_text(text: str, vocab_size: int, name: str, out_dir: Path, meta: dict, warning: str | None = None,
                    progress: bool = True) -> BuiltTokenizer:
    """Trains on all but the held-out lines, measures the held-out figures and saves NAME.json."""
    check_name(name, "tokenizer")
    training, held_out = split_held_out(text)
    if not training.strip():
        raise WordlabError(f"{meta.get('corpus', 'the corpus')} has no text to train a tokenizer on")
    started = time.perf_counter()
    trained = train_bpe(count_pieces(training), vocab_size, progress)
    seconds = time.perf_counter() - started
    tokenizer = BPETokenizer(trained, name, {**meta, "training_characters": len(training),
                                             "held_out_lines": len(held_out)})
    tokenizer.meta.update(held_out_figures(tokenizer, held_out) if held_out else
                          {"vocab_efficiency": [], "merge_progression": [], "subword_usage": []})
    path = Path(out_dir) / f"{name}.json"
    tokenizer.save(path)
    return BuiltTokenizer(tokenizer, path, seconds, warning)


def default_text(root: Path = PROJECT_ROOT) -> tuple[str, list[str]]:
    """The default tokenizer's training text, files in a fixed order, and which files it came from."""
    files = []
    for pattern in DEFAULT_SOURCES:
        files += [p for p in sorted(root.glob(pattern)) if p.is_file() and p not in files]
    return "\n".join(p.read_text(encoding="utf-8") for p in files), [p.relative_to(root).as_posix() for p in files]


def build_default_tokenizer(tokenizers_dir: Path, progress: bool = True, root: Path = PROJECT_ROOT) -> BuiltTokenizer:
    text, files = default_text(root)
    # the base alphabet (of the lines it trains on, not the held-out ones) comes first, then the merges
    vocab_size = len(base_symbols(count_pieces(split_held_out(text)[0]))) + DEFAULT_MERGES
    meta = {"corpus": "the project's own text (teaching corpus, documentation, source code)", "sources": files}
    return build_from_text(text, vocab_size, "default", tokenizers_dir, meta, progress=progress)


def ensure_default_tokenizer(tokenizers_dir: Path, progress: bool = True) -> None:
    """The app ships with one tokenizer, "default", written on first start (an existing one is kept)."""
    if not (Path(tokenizers_dir) / "default.json").exists():
        started = time.perf_counter()
        built = build_default_tokenizer(tokenizers_dir, progress=progress)
        print(f"wrote {built.path}: {built.tokenizer.vocab_size} tokens ({len(built.tokenizer.merges)} merges) "
              f"in {time.perf_counter() - started:.1f} s")
