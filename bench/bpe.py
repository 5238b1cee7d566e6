"""BPE training and encoding speed, this project's tokenizer beside HF `tokenizers` on the same text.

Usage: python bench/bpe.py [--corpus ../shared/corpora/gutenberg-mix.txt] [--vocab-size 10000]
Training time covers reading the file, pre-tokenizing, counting and merging, for both (ours
strips the Gutenberg licences while reading; HF reads a file of that same stripped text). Encoding is
timed with a warm cache (the text encoded once before timing), median of 3: the whole text in one
call, and one call per line (HF: encode_batch over the lines, which uses every core).
"""

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from trainer.bpe.pretokenize import count_words
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import count_pieces, train_bpe
from trainer.corpus import read_corpus_text

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "gutenberg-mix.txt"


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def median_timed(fn, *args, repeat: int = 3):
    """The result and the median time of `repeat` runs (single encode timings vary ±20% here)."""
    runs = [timed(fn, *args) for _ in range(repeat)]
    return runs[0][0], statistics.median(t for _, t in runs)


def ours(path: Path, vocab_size: int, lines: list[str], text: str) -> dict:
    def train():
        return BPETokenizer(train_bpe(count_pieces(read_corpus_text(path).text), vocab_size))
    tokenizer, train_s = timed(train)
    tokenizer.encode(text)
    ids, whole_s = median_timed(tokenizer.encode, text)
    assert tokenizer.decode(ids) == text
    _, lines_s = median_timed(lambda: [tokenizer.encode(line) for line in lines])
    return {"train_s": train_s, "whole_s": whole_s, "lines_s": lines_s, "tokens": len(ids),
            "vocab": tokenizer.vocab_size}


def huggingface(path: Path, vocab_size: int, lines: list[str], text: str) -> dict:
    """Trained from a file holding the same licence-stripped text that ours reads (its fastest path)."""
    with tempfile.TemporaryDirectory() as tmp:
        stripped = Path(tmp) / "stripped.txt"
        stripped.write_text(text, encoding="utf-8")

        def train():
            tok = Tokenizer(models.BPE(end_of_word_suffix="</w>"))
            tok.pre_tokenizer = pre_tokenizers.Whitespace()
            tok.train([str(stripped)], trainers.BpeTrainer(vocab_size=vocab_size, end_of_word_suffix="</w>",
                                                           show_progress=False))
            return tok
        tokenizer, train_s = timed(train)
    tokenizer.encode_batch(lines)
    encoded, whole_s = median_timed(tokenizer.encode, text)
    _, lines_s = median_timed(tokenizer.encode_batch, lines)
    return {"train_s": train_s, "whole_s": whole_s, "lines_s": lines_s, "tokens": len(encoded.ids),
            "vocab": tokenizer.get_vocab_size()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--vocab-size", type=int, default=10000)
    args = parser.parse_args()
    text = read_corpus_text(args.corpus).text
    lines = text.splitlines()
    words = count_words(text)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {args.corpus.name}, {len(text) / 1e6:.2f}M characters, {words / 1e6:.3f}M words, "
          f"{len(lines):,} lines; target vocabulary {args.vocab_size:,}")
    results = {"wordlab": ours(args.corpus, args.vocab_size, lines, text),
               "HF tokenizers": huggingface(args.corpus, args.vocab_size, lines, text)}
    print(f"{'':<14}{'train s':>9}{'encode whole, M words/s':>25}{'encode per line, M words/s':>28}{'tokens':>11}")
    for name, r in results.items():
        print(f"{name:<14}{r['train_s']:>9.2f}{words / r['whole_s'] / 1e6:>25.2f}"
              f"{words / r['lines_s'] / 1e6:>28.2f}{r['tokens']:>11,}")
    ratio = results["wordlab"]["train_s"] / results["HF tokenizers"]["train_s"]
    print(f"training: {ratio:.1f}x HF's time (target: within 5x); "
          f"encoding whole text: {words / results['wordlab']['whole_s'] / 1e6:.2f}M words/s (target >= 1.5M)")


if __name__ == "__main__":
    main()
