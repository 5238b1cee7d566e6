"""The corpus reader on a file: seconds and peak memory for a teaching read (every sentence held) and a
corpus run's id stream, the lines dropped by reason, and with --show REASON every paragraph that reason
dropped (how the sentence rules are checked by eye: python bench/corpus_read.py --show heading FILE).

--hostile adds the reader's hostile inputs, each generated in a temporary directory: alternating Gutenberg
START/END markers, a 50 MB line, "Mr. " repeated in one paragraph, a title line every other line.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainer.book_text import DROP_REASONS  # noqa: E402
from trainer.corpus import CorpusReader, read_corpus  # noqa: E402
from trainer.errors import CorpusError  # noqa: E402

HOSTILE = {
    "alternating START/END markers, 6.8 MB": lambda: ("*** START OF THE PROJECT GUTENBERG EBOOK X ***\n"
                                                      "a line of the book\n"
                                                      "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n") * 60_000,
    "one 50 MB line": lambda: "word " * 10_000_000,
    "'Mr. ' 2 MB times in a paragraph": lambda: "Mr. " * 500_000 + "\n",
    "a Gutenberg title line every other line, 6 MB": lambda: "The Project Gutenberg eBook of X\nbook text\n" * 140_000,
}


def peak_mib() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry the parent's peak across exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def measure(kind: str, path: str) -> None:
    """One read in this (fresh) process; prints seconds, peak RSS and what was dropped."""
    started = time.perf_counter()
    try:
        if kind == "teaching":
            summary = read_corpus(path).summary
        else:
            from trainer.sgns.corpus_ids import read_corpus_ids

            with read_corpus_ids(path, 1) as corpus:
                summary = corpus.summary
    except CorpusError as err:
        print(f"  {kind:<9} {time.perf_counter() - started:6.2f} s  peak {peak_mib():7.1f} MiB  refused: {err}")
        return
    seconds = time.perf_counter() - started
    dropped = ", ".join(f"{reason} {summary.dropped_lines[reason]:,}" for reason in DROP_REASONS
                        if summary.dropped_lines[reason]) or "none"
    print(f"  {kind:<9} {seconds:6.2f} s  peak {peak_mib():7.1f} MiB  {summary.sentences:,} sentences, "
          f"{summary.words:,} words; lines dropped: {dropped}; cut sentences {summary.cut_sentences:,}")


def child(kind: str, path: str) -> None:
    subprocess.run([sys.executable, __file__, "--one", kind, path], check=True)


def show(path: str, reason: str) -> None:
    def listed(why: str, lines: list[str]) -> None:
        if why == reason:
            print("  " + " | ".join(line.strip() for line in lines if line.strip()))

    list(CorpusReader(path, on_drop=listed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--show", choices=sorted(DROP_REASONS), help="list every paragraph dropped for this reason")
    parser.add_argument("--hostile", action="store_true", help="also time the generated hostile inputs")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return measure(*args.one)
    for path in args.files:
        print(f"{path} ({Path(path).stat().st_size / 1e6:.1f} MB)")
        if args.show:
            show(path, args.show)
            continue
        for kind in ("teaching", "corpus"):
            child(kind, path)
    if args.hostile:
        with tempfile.TemporaryDirectory() as tmp:
            for name, make in HOSTILE.items():
                path = Path(tmp) / "hostile.txt"
                path.write_text(make(), encoding="utf-8")
                print(f"{name}")
                for kind in ("teaching", "corpus"):
                    child(kind, str(path))


if __name__ == "__main__":
    main()
