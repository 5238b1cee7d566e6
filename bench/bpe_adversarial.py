"""Worst case of BPE encoding over adversarial 100 KB texts (issue: any text ≤ 0.2 s).

    python bench/bpe_adversarial.py [--corpus ../shared/corpora/gutenberg-mix.txt]

Encodes each shape with the default tokenizer and, with --corpus, a 10,000-token one trained on it;
each text is new to the tokenizer's cache (the first request of a hostile client), median of 3.
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from trainer.bpe.build import build_tokenizer
from trainer.config import DEFAULT_CORPUS, resolve_corpus

SIZE = 100_000


def shapes(rng: random.Random) -> dict[str, str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "no spaces (random letters)": "".join(rng.choice(letters) for _ in range(SIZE)),
        "one repeated character": "e" * SIZE,
        "all one emoji": "🎉" * (SIZE // 4),
        "alternating scripts": "".join(rng.choice("aБ東ع") for _ in range(SIZE // 2)),
        "digits": "".join(rng.choice("0123456789") for _ in range(SIZE)),
        "whitespace runs": "".join(rng.choice([" " * 7, "\t\t", "\n\n\n", " \t \n"]) for _ in range(SIZE // 4)),
        "prose-like words": " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
                                     for _ in range(SIZE // 6)),
    }


def worst_case(tokenizer, rng: random.Random) -> None:
    worst = 0.0
    for name, text in shapes(rng).items():
        times = []
        for _ in range(3):
            tokenizer._cache.clear()  # a new text for every request, as an attacker would send
            started = time.perf_counter()
            tokenizer.encode_detailed(text)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"  {name:<28} {len(text.encode()):>7,} bytes  {median * 1000:7.1f} ms")
    print(f"  worst case: {worst * 1000:.1f} ms (target ≤ 200 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="also train a 10,000-token tokenizer on this file")
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        default = build_tokenizer(resolve_corpus(DEFAULT_CORPUS), 1000, "default", Path(tmp), progress=False)
        print(f"default tokenizer ({len(default.tokenizer.merges)} merges):")
        worst_case(default.tokenizer, rng)
        if args.corpus:
            big = build_tokenizer(args.corpus, 10_000, "big", Path(tmp), progress=False)
            print(f"{args.corpus.name} tokenizer ({len(big.tokenizer.merges)} merges):")
            worst_case(big.tokenizer, rng)


if __name__ == "__main__":
    main()
