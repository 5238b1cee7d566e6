"""The default tokenizer's training text: English prose the project writes at first start.

BPE never looks across a piece (a word with its leading space, a number, a run of punctuation): what it
learns depends only on how often each piece occurs. So a text whose words occur as often as they do in
English teaches the merges English prose would teach, whatever order the words come in. This module
writes such a text: words drawn with the frequencies of wordfreq's English list (books, subtitles,
news, Wikipedia and web text, counted by its authors), in sentences that start with a capital and end
with a full stop, with commas, a few questions and exclamations, contractions and numbers as the list
has them. Nothing is copied from any text; the same seed gives the same text (numpy's seeded generator).
"""

import re
from dataclasses import dataclass
from importlib import metadata

import numpy as np

WORDS = 1_000_000              # words written: English words down to about 1 in 2,000,000 occur at least once
SEED = 26
SENTENCE_WORDS = (5, 24)       # words per sentence, drawn uniformly
SENTENCES_PER_LINE = (2, 6)    # a line is a paragraph: held-out lines are whole paragraphs
COMMA_EVERY = 11               # about one comma per this many words
ENDINGS = (".",) * 18 + ("?", "!")
# Letters, with one apostrophe inside (don't, o'clock); or digits, which wordfreq writes as zeros (any
# number of that length): they become numbers here.
KEPT_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?|0+")
LETTERS_KEPT_ALONE = frozenset("ai")   # other single letters in the list are fragments (the s of it's)


@dataclass(frozen=True)
class WordList:
    words: list[str]
    weights: list[float]
    source: str


def english_words(words: int = WORDS) -> WordList:
    """English words (lowercase) and their frequencies, those that occur at least once in `words` words."""
    import wordfreq  # only when the default tokenizer is built: its import reads a few MB of tables

    frequencies = wordfreq.get_frequency_dict("en", wordlist="large")
    kept = [(w, f) for w, f in frequencies.items()
            if KEPT_WORD_RE.fullmatch(w) and (len(w) > 1 or w in LETTERS_KEPT_ALONE)]
    total = sum(f for _, f in kept)
    kept = [(w, f) for w, f in kept if f / total * words >= 0.5]
    source = f"wordfreq {metadata.version('wordfreq')}'s English word list ('large')"
    return WordList([w for w, _ in kept], [f for _, f in kept], source)


def english_text(words: int = WORDS, seed: int = SEED, word_list: WordList | None = None) -> str:
    """`words` words drawn by English frequency, as capitalised sentences in paragraph lines. numpy's seeded
    generator draws everything at once (the same on every machine), so a million words take a second."""
    word_list = word_list or english_words(words)
    rng = np.random.default_rng(seed)
    weights = np.asarray(word_list.weights, dtype=np.float64)
    drawn = rng.choice(len(word_list.words), size=words, p=weights / weights.sum())
    shown = [written(w) for w in word_list.words]
    tokens = [shown[i] for i in drawn.tolist()]
    for i in np.flatnonzero([w[0] == "0" for w in tokens]).tolist():   # wordfreq's zeros: any number that long
        tokens[i] = str(rng.integers(10 ** (len(tokens[i]) - 1), 10 ** len(tokens[i])))
    for i in np.flatnonzero(rng.random(words) < 1 / COMMA_EVERY).tolist():
        tokens[i] += ","
    lengths = rng.integers(SENTENCE_WORDS[0], SENTENCE_WORDS[1] + 1, size=words // SENTENCE_WORDS[0] + 1)
    endings = rng.choice(len(ENDINGS), size=len(lengths))
    sentences, at = [], 0
    for length, ending in zip(lengths.tolist(), endings.tolist(), strict=True):
        if at >= words:
            break
        sentence = tokens[at:at + length]
        at += length
        first, last = sentence[0], sentence[-1].rstrip(",")
        sentence[0] = first[0].upper() + first[1:]
        sentence[-1] = (sentence[0] if len(sentence) == 1 else last) + ENDINGS[ending]
        sentences.append(" ".join(sentence))
    per_line = rng.integers(SENTENCES_PER_LINE[0], SENTENCES_PER_LINE[1] + 1, size=len(sentences))
    lines, at = [], 0
    for count in per_line.tolist():
        if at >= len(sentences):
            break
        lines.append(" ".join(sentences[at:at + count]))
        at += count
    return "\n".join(lines) + "\n"


def written(word: str) -> str:
    """A word as prose writes it: "i" as "I" (wordfreq's zeros stay zeros, to become numbers)."""
    return "I" + word[1:] if word == "i" or word.startswith("i'") else word
