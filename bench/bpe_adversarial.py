"""Worst case of one /api/tokenize request over adversarial 100 KB texts (issue 16: any text ≤ 0.2 s).

    python bench/bpe_adversarial.py [--tokenizer FILE ...]

Times the whole work of the route for each shape: the body parsed, tokenize_answer (encoding with
spans, merge ranks, statistics), the JSON answer rendered and gzipped. Each text is new to the tokenizer's
caches (the first request of a hostile client), median of 3 (--repeat), with all merges and with half of them
(the token page's merge slider). The shipped default tokenizer always; a 10,000-merge one with
--tokenizer, trained by the project's own command, e.g.

    wordlab tokenizer train --corpus ../shared/corpora/gutenberg-mix.txt --vocab-size 10481 \\
        --name gm10k --out /tmp/toks --quiet          # 481 base symbols + 10,000 merges

Last, the cost of the first such request in a fresh process (numba's import and the cached kernel's
load, once per worker).
"""

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.routes.tokenize import tokenize_answer  # noqa: E402
from backend.schemas import TokenizeRequest  # noqa: E402
from backend.settings import GZIP_LEVEL, MAX_TEXT_BYTES  # noqa: E402
from trainer.bpe.build import ensure_default_tokenizer  # noqa: E402
from trainer.bpe.tokenizer import BPETokenizer  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def fit(text: str) -> str:
    """The text cut to the route's limit in UTF-8 bytes, at a character boundary."""
    return text.encode()[:MAX_TEXT_BYTES].decode(errors="ignore")


def random_text(rng: random.Random, alphabet, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def shapes(rng: random.Random) -> dict[str, str]:
    size = MAX_TEXT_BYTES
    words = [random_text(rng, LETTERS, rng.randint(2, 9)) for _ in range(size // 6)]
    return {name: fit(text) for name, text in {
        "no spaces (random letters)": random_text(rng, LETTERS, size),
        "one repeated character": "e" * size,
        "all one emoji": "🎉" * (size // 4),
        "alternating scripts": random_text(rng, "aБ東ع", size // 2),
        "digits": random_text(rng, "0123456789", size),
        "whitespace runs": random_text(rng, [" " * 7, "\t\t", "\n\n\n", " \t \n"], size // 4),
        "new words (all unseen)": " ".join(words),
        "words, odd whitespace": "".join(w + rng.choice([" \n", "\t", "  ", "\n"]) for w in words),
        "letters and symbols": random_text(rng, "ab.,-!", size),
        "one word, no spaces": "the" * (size // 3),
        "ab repeated": "ab" * (size // 2),
        "random CJK (bytes)": random_text(rng, [chr(c) for c in range(0x4E00, 0x9FFF)], size // 3),
        "random printable": random_text(rng, [chr(c) for c in range(32, 127)], size),
    }.items()}


def forget(tokenizer: BPETokenizer) -> None:
    """Empties the tokenizer's caches, as for a text it has never seen."""
    tokenizer._cache.clear()
    tokenizer._partial.clear()


def request_seconds(tokenizer: BPETokenizer, body: bytes) -> tuple[float, float]:
    """One request's work in the worker, the HTTP exchange aside: (wall-clock, CPU) seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    request = TokenizeRequest.model_validate_json(body)
    merges = len(tokenizer.merges) if request.merges is None else min(request.merges, len(tokenizer.merges))
    answer = orjson.dumps(tokenize_answer(tokenizer, request, merges), option=orjson.OPT_SERIALIZE_NUMPY)
    gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # as the server sends it
    gzip.compress(answer) + gzip.flush()
    return time.perf_counter() - wall, time.process_time() - cpu


def worst_case(tokenizer: BPETokenizer, texts: dict[str, str], repeat: int) -> tuple[float, float]:
    """Prints wall-clock and CPU milliseconds per shape (they differ when other processes share the cores)."""
    half = len(tokenizer.merges) // 2
    print(f"  {'shape':<28}{'bytes':>9}{'tokens':>9}{'all merges: wall, CPU':>24}{f'{half:,} merges: wall, CPU':>26}")
    worst_wall = worst_cpu = 0.0
    tokenizer.encode("x" * 100)  # the kernel loaded once per process: see the fresh-process line
    for name, text in texts.items():
        row = []
        for merges in (None, half):
            body = orjson.dumps({"text": text, "tokenizer": tokenizer.name, "merges": merges})
            runs = []
            for _ in range(repeat):
                forget(tokenizer)
                runs.append(request_seconds(tokenizer, body))
            row += [statistics.median(wall for wall, _ in runs), statistics.median(cpu for _, cpu in runs)]
        worst_wall, worst_cpu = max(worst_wall, row[0], row[2]), max(worst_cpu, row[1], row[3])
        tokens = len(tokenizer.encode(text))
        print(f"  {name:<28}{len(text.encode()):>9,}{tokens:>9,}" + "".join(
            f"{wall * 1000:>{width}.1f} ms,{cpu * 1000:>6.1f} ms" for width, wall, cpu in
            ((12, row[0], row[1]), (14, row[2], row[3]))))
    print(f"  worst case: wall {worst_wall * 1000:.1f} ms, CPU {worst_cpu * 1000:.1f} ms (target ≤ 200 ms)")
    return worst_wall, worst_cpu


FIRST_REQUEST = """
import sys, time
started = time.perf_counter()
from backend.routes.tokenize import tokenize_answer
from backend.schemas import TokenizeRequest
from trainer.bpe.tokenizer import BPETokenizer
tok = BPETokenizer.load(sys.argv[1])
loaded = time.perf_counter()
request = TokenizeRequest(text="e" * 100_000, tokenizer=tok.name)
tokenize_answer(tok, request, len(tok.merges))
first = time.perf_counter()
tok._cache.clear()
tokenize_answer(tok, TokenizeRequest(text="f" * 100_000, tokenizer=tok.name), len(tok.merges))
print(f"{loaded - started:.3f} {first - loaded:.3f} {time.perf_counter() - first:.3f}")
"""


def fresh_process(path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", FIRST_REQUEST, str(path)], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    imports, first, second = map(float, out)
    print(f"fresh process ({path.name}): imports and load {imports:.2f} s; first 100 KB request {first:.2f} s "
          f"(numba's import, the cached kernel's load), the next {second * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", type=Path, action="append", default=[],
                        help="a tokenizer file (wordlab tokenizer train) to measure beside the default one")
    parser.add_argument("--repeat", type=int, default=3, help="requests per shape and merge count (the median)")
    args = parser.parse_args()
    texts = shapes(random.Random(0))
    with tempfile.TemporaryDirectory() as tmp:
        ensure_default_tokenizer(Path(tmp), progress=False)  # the shipped one, as `wordlab train` writes it
        tokenizers = [(p, BPETokenizer.load(p)) for p in [Path(tmp) / "default.json", *args.tokenizer]]
        worst = []
        for path, tokenizer in tokenizers:
            print(f"{path.name}: {len(tokenizer.merges):,} merges")
            worst.append(worst_case(tokenizer, texts, args.repeat))
        print(f"worst case over every tokenizer and shape: wall {max(w for w, _ in worst) * 1000:.1f} ms, "
              f"CPU {max(c for _, c in worst) * 1000:.1f} ms (target ≤ 200 ms)")
        for path, _ in tokenizers:
            fresh_process(path)


if __name__ == "__main__":
    main()
