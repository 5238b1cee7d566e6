"""What a training run is about to learn from, in words an instructor can act on (printed before training).

The common surprise is a run that is a fraction of an epoch: it never sees most pairs and its
neighbours are noise. The report says how many epochs the steps make and warns under one.
"""

from trainer.config import TrainConfig
from trainer.corpus import Corpus
from trainer.vocab import Vocab, WordCounts


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def corpus_report(config: TrainConfig, corpus: Corpus, vocab: Vocab, counts: WordCounts, n_pairs: int) -> list[str]:
    total = counts.kept + counts.stopwords + counts.under_min_count + counts.past_max_vocab
    units = ("prose: wrapped lines joined into paragraphs, cut at sentence ends" if corpus.prose
             else "one sentence per line")
    lines = [f"corpus: {corpus.source} ({units})"]
    if corpus.stripped_lines:
        lines.append(f"  Project Gutenberg header/footer: {corpus.stripped_lines:,} lines stripped")
    lines += [
        f"  sentences: {len(corpus.sentences):,}; words: {total:,} ({counts.types:,} distinct)",
        f"  kept: {counts.kept:,} words ({percent(counts.kept, total)}), vocabulary {len(vocab):,}",
        f"  dropped as stopwords: {counts.stopwords:,} ({percent(counts.stopwords, total)})",
        f"  dropped as rare (seen < --min-count {config.min_count}): {counts.under_min_count:,} "
        f"({percent(counts.under_min_count, total)})",
        f"  dropped past --max-vocab {config.max_vocab}: {counts.past_max_vocab:,} "
        f"({percent(counts.past_max_vocab, total)})",
        f"  pairs (window {config.window}): {n_pairs:,}",
        f"training {config.steps:,} steps = {config.steps / n_pairs:.2f} epochs",
    ]
    if config.steps < n_pairs:
        lines.append(f"warning: under one epoch: most pairs are never seen and the neighbours stay noise; "
                     f"pass --epochs 3 (= {3 * n_pairs:,} steps) or more")
    return lines
