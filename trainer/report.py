"""What the trainer tells the user before it trains: what the corpus became and how long a run is.

A run that covers less than one pass over its pairs learns little that a student can see (the loss
stays flat, the neighbors are noise), so that is said before the minutes are spent.
"""

from collections import Counter

from trainer.config import TrainConfig


def corpus_report(sentences: list[list[str]], vocab_words: list[str], stopwords: frozenset[str],
                  config: TrainConfig, pairs: int, gutenberg_lines: int = 0) -> list[str]:
    """Lines for the terminal: sentences, words kept and dropped (and why), pairs, epochs."""
    counts = Counter(w for s in sentences for w in s)
    kept = set(vocab_words)
    stop = sum(c for w, c in counts.items() if w in stopwords)
    rare = sum(c for w, c in counts.items() if w not in stopwords and w not in kept and c < config.min_count)
    cut = sum(c for w, c in counts.items() if w not in stopwords and w not in kept and c >= config.min_count)
    cut_types = sum(1 for w, c in counts.items() if w not in stopwords and w not in kept and c >= config.min_count)
    total = sum(counts.values())
    lines = []
    if gutenberg_lines:
        lines.append(f"removed {gutenberg_lines:,} lines of Project Gutenberg header and licence")
    lines += [
        f"corpus: {len(sentences):,} sentences, {total:,} words ({len(counts):,} distinct)",
        f"  kept {total - stop - rare - cut:,} words of {len(kept):,} types; dropped {stop:,} stopwords, "
        f"{rare:,} rare (seen under {config.min_count} times), {cut:,} of {cut_types:,} more types past "
        f"--max-vocab {config.max_vocab:,}",
        f"  {pairs:,} (center, context) pairs with window {config.window}: {config.steps:,} steps are "
        f"{config.steps / pairs:.2f} epochs",
    ]
    if config.steps < pairs:
        lines.append(f"warning: {config.steps:,} steps do not cover the pairs once; the loss will barely move. "
                     f"Pass --epochs 5 (or --steps {5 * pairs:,}) for a run that learns visibly.")
    return lines
