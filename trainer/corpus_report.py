"""What the trainer prints before it trains, the same for every run kind: what reading the file dropped
and why, what the vocabulary kept and dropped, and for a teaching run how many epochs its steps make.

A run that covers less than one pass over its pairs learns little that a student can see (the loss
stays flat, the neighbors are noise), so that is said before the minutes are spent.
"""

from collections import Counter
from dataclasses import dataclass

from trainer.book_text import DROP_REASONS, GUTENBERG, TITLE
from trainer.config import TeachingConfig
from trainer.corpus import MAX_LINE_CHARS, MAX_SENTENCE_WORDS, ReadSummary

# Past this share of a book's lines, "title lines" are more likely a file of short unpunctuated lines
# (verse, lyrics, a list) than front matter: the report says how to keep them.
SUSPICIOUS_SHARE = 0.25


def reading_report(summary: ReadSummary) -> list[str]:
    """The decoding warning, the lines that were not trained on (by reason) and what was cut."""
    lines = [f"warning: {summary.warning}"] if summary.warning else []
    dropped = {reason: summary.dropped_lines[reason] for reason in DROP_REASONS if summary.dropped_lines[reason]}
    if dropped:
        width = len(f"{max(dropped.values()):,}")
        lines.append(f"removed {sum(dropped.values()):,} lines that are not sentences:")
        lines += [f"  {count:>{width},} {DROP_REASONS[reason]}" for reason, count in dropped.items()]
    book, titles = summary.lines - summary.dropped_lines[GUTENBERG], summary.dropped_lines[TITLE]
    if titles > SUSPICIOUS_SHARE * book:
        lines.append(f"warning: {titles:,} of the {book:,} lines of text were taken for title lines (short, not "
                     "ending a sentence); if each line of the file is a sentence, pass --sentences lines")
    if summary.cut_lines:
        lines.append(f"cut {summary.cut_lines:,} pieces off lines longer than {MAX_LINE_CHARS:,} characters")
    if summary.cut_sentences:
        lines.append(f"cut {summary.cut_sentences:,} sentences longer than {MAX_SENTENCE_WORDS:,} words into pieces "
                     f"of {MAX_SENTENCE_WORDS:,}")
    return lines


@dataclass(frozen=True)
class VocabularyCounts:
    """Word occurrences: read, kept, and dropped by reason (stopwords None: no stopword list applied)."""

    sentences: int
    words: int
    distinct: int
    vocab_size: int
    stopwords: int | None
    rare: int
    past_max_vocab: int
    past_max_vocab_types: int

    @property
    def kept(self) -> int:
        return self.words - (self.stopwords or 0) - self.rare - self.past_max_vocab


def count_vocabulary(sentences: list[list[str]], vocab_words: list[str], stopwords: frozenset[str],
                     min_count: int, remove_stopwords: bool = True) -> VocabularyCounts:
    """The counts of a corpus held in memory (a teaching run's)."""
    counts = Counter(w for s in sentences for w in s)
    kept = set(vocab_words)
    dropped = [(w, c) for w, c in counts.items() if w not in stopwords and w not in kept]
    return VocabularyCounts(
        sentences=len(sentences), words=sum(counts.values()), distinct=len(counts), vocab_size=len(kept),
        stopwords=sum(c for w, c in counts.items() if w in stopwords) if remove_stopwords else None,
        rare=sum(c for _, c in dropped if c < min_count),
        past_max_vocab=sum(c for _, c in dropped if c >= min_count),
        past_max_vocab_types=sum(1 for _, c in dropped if c >= min_count))


def vocabulary_report(counts: VocabularyCounts, min_count: int, max_vocab: int | None) -> list[str]:
    """Sentences and words read, and which words the vocabulary kept and dropped, and why."""
    dropped = [f"{counts.stopwords:,} stopwords"] if counts.stopwords is not None else []
    dropped.append(f"{counts.rare:,} rare (seen under {min_count} times)")
    if max_vocab is not None:
        dropped.append(f"{counts.past_max_vocab:,} of {counts.past_max_vocab_types:,} more types past "
                       f"--max-vocab {max_vocab:,}")
    return [f"corpus: {counts.sentences:,} sentences, {counts.words:,} words ({counts.distinct:,} distinct)",
            f"  kept {counts.kept:,} words of {counts.vocab_size:,} types; dropped {', '.join(dropped)}"]


def corpus_report(summary: ReadSummary, counts: VocabularyCounts, min_count: int, max_vocab: int | None) -> list[str]:
    """The report every run kind prints: reading, then the vocabulary."""
    return reading_report(summary) + vocabulary_report(counts, min_count, max_vocab)


def schedule_report(config: TeachingConfig, pairs: int) -> list[str]:
    """A teaching run's pairs and the epochs its steps make, with a warning under one epoch."""
    lines = [f"  {pairs:,} (center, context) pairs with window {config.window}: {config.steps:,} steps are "
             f"{config.steps / pairs:.2f} epochs"]
    if config.steps < pairs:
        lines.append(f"warning: {config.steps:,} steps do not cover the pairs once; the loss will barely move. "
                     f"Pass --epochs 5 (or --steps {5 * pairs:,}) for a run that learns visibly.")
    return lines
