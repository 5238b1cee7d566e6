"""The default tokenizer's training text: English prose the project writes at first start.

BPE never looks across a piece (a word with its leading space, a number, a run of punctuation): what it
learns depends only on how often each piece occurs. So a text whose words occur as often as they do in
English teaches the merges English prose would teach, whatever order the words come in. This module
writes such a text: words drawn with the frequencies of wordfreq's English list (books, subtitles,
news, Wikipedia and web text, counted by its authors), in sentences that start with a capital and end
with a full stop, with commas, a few questions and exclamations, contractions and numbers as the list
has them. Nothing is copied from any text; the same seed gives the same text on every machine.
"""

import random
import re
from dataclasses import dataclass
from importlib import metadata

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
    """`words` words drawn by English frequency, as capitalised sentences in paragraph lines."""
    word_list = word_list or english_words(words)
    rng = random.Random(seed)
    drawn = rng.choices(word_list.words, weights=word_list.weights, k=words)
    lines, sentences, at = [], [], 0
    line_length = rng.randint(*SENTENCES_PER_LINE)
    while at < len(drawn):
        length = rng.randint(*SENTENCE_WORDS)
        sentence = [written(w, rng) for w in drawn[at:at + length]]
        at += length
        for i in range(len(sentence) - 1):
            if rng.randrange(COMMA_EVERY) == 0:
                sentence[i] += ","
        sentence[0] = sentence[0][0].upper() + sentence[0][1:]
        sentences.append(" ".join(sentence) + rng.choice(ENDINGS))
        if len(sentences) == line_length:
            lines.append(" ".join(sentences))
            sentences, line_length = [], rng.randint(*SENTENCES_PER_LINE)
    if sentences:
        lines.append(" ".join(sentences))
    return "\n".join(lines) + "\n"


def written(word: str, rng: random.Random) -> str:
    """A word as prose writes it: "i" as "I", wordfreq's zeros as a number of that many digits."""
    if word == "i" or word.startswith("i'"):
        return "I" + word[1:]
    if word[0] == "0":
        return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in word[1:])
    return word
