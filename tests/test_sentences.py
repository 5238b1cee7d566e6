"""What becomes a training sentence (#25): no heading, contents list, title line or illustration note, on the
shared Gutenberg books and on a small Gutenberg-style book written here; the report says what went and why,
for both run kinds; one apostrophe."""

import os
import re
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from tests.conftest import write_text
from trainer.book_text import CONTENTS, GUTENBERG, HEADING, ILLUSTRATION, TITLE
from trainer.corpus import CorpusReader, read_corpus, regex_words

SHARED = Path(os.environ.get("WORDLAB_SHARED_CORPORA") or Path(__file__).resolve().parents[2] / "shared" / "corpora")

# A small book shaped like Project Gutenberg's (written here, no Gutenberg text copied): licence, title page,
# a contents list, letter and chapter headings, an illustration note over blank lines, datelines,
# signatures, and the prose around them: dialogue, a letter that introduces a quote, curly apostrophes.
BOOK = """The Project Gutenberg eBook of The Heron

This ebook is for the use of anyone anywhere.

*** START OF THE PROJECT GUTENBERG EBOOK THE HERON ***




The Heron;

or, the Patient Bird

by A. N. Author


 CONTENTS

 Letter 1
 Letter 2
 Chapter 1
 Chapter 2



Letter 1

_To Mrs. Crane, Norfolk._

Marsh House, Dec. 11th, 18—.

You will be glad to hear that the heron has come back to the river. It
stood in the reeds all morning and did not move.

“No, Wendy.”

He answered me gravely:--

“The heron doesn’t wait for anyone, and it don't hurry.”

Your loving brother,
Robert

Letter 2

The second letter was shorter than the first, and the heron was in it again.


Chapter 1

                            [Illustration:

                   _The heron in the reeds._
                                   ]

The heron waited by the river while the water ran cold and grey past the
stones. Mr. Grey watched it from the old bridge. “Oh, the heron!”


CHAPTER 2. The Return of the Heron.

When the spring came the heron returned and the river was full of fish.

*** END OF THE PROJECT GUTENBERG EBOOK THE HERON ***

Updated editions will replace the previous one. Subscribe to our email
newsletter to hear about new eBooks.
"""
# Every line with text that is not trained on, by reason.
BOOK_DROPPED = {GUTENBERG: 6, TITLE: 7, CONTENTS: 4, HEADING: 5, ILLUSTRATION: 3}


def test_a_gutenberg_style_book_trains_on_its_prose_only(tmp_path):
    dropped = defaultdict(list)
    reader = CorpusReader(write_text(tmp_path / "heron.txt", BOOK), on_drop=lambda why, lines: dropped[why].append(
        " | ".join(line.strip() for line in lines if line.strip())))
    sentences = list(reader)
    assert dropped == {
        GUTENBERG: ["The Project Gutenberg eBook of The Heron | This ebook is for the use of anyone anywhere. | "
                    "*** START OF THE PROJECT GUTENBERG EBOOK THE HERON ***",
                    "*** END OF THE PROJECT GUTENBERG EBOOK THE HERON ***",
                    "Updated editions will replace the previous one. Subscribe to our email",
                    "newsletter to hear about new eBooks."],
        TITLE: ["The Heron;", "or, the Patient Bird", "by A. N. Author", "_To Mrs. Crane, Norfolk._",
                "Marsh House, Dec. 11th, 18—.", "Your loving brother, | Robert"],
        CONTENTS: ["Letter 1 | Letter 2 | Chapter 1 | Chapter 2"],
        HEADING: ["CONTENTS", "Letter 1", "Letter 2", "Chapter 1", "CHAPTER 2. The Return of the Heron."],
        ILLUSTRATION: ["[Illustration: | _The heron in the reeds._ | ]"],
    }
    assert reader.summary.dropped_lines == BOOK_DROPPED
    assert [" ".join(s) for s in sentences] == [
        "you will be glad to hear that the heron has come back to the river",
        "it stood in the reeds all morning and did not move",
        "no wendy",                                              # dialogue stays, however short
        "he answered me gravely",                               # it introduces what follows
        "the heron doesn't wait for anyone and it don't hurry",  # ’ and ' are one apostrophe
        "the second letter was shorter than the first and the heron was in it again",
        "the heron waited by the river while the water ran cold and grey past the stones",
        "mr grey watched it from the old bridge",
        "oh the heron",
        "when the spring came the heron returned and the river was full of fish",
    ]


def test_curly_and_straight_apostrophes_are_one():
    assert regex_words("Don’t, don't, DON‘T; the king’s crown; the boys’ dogs") == [
        "don't", "don't", "don't", "the", "king's", "crown", "the", "boys", "dogs"]


@pytest.mark.parametrize("kind", ["teaching", "corpus"])
def test_both_kinds_report_the_lines_they_dropped_and_why(tmp_path, kind):
    path = str(write_text(tmp_path / "heron.txt", BOOK * 3))   # three copies, so words reach min_count
    printed = []
    if kind == "corpus":
        from trainer.config import CorpusConfig
        from trainer.sgns.run import train_corpus_run

        config = CorpusConfig(corpus=path, epochs=1, dim=4, min_count=2)
        train_corpus_run(config, "heron", tmp_path / "runs", progress=False, log=printed.append)
    else:
        from trainer.config import TeachingConfig
        from trainer.teaching_run import train_run

        config = TeachingConfig(corpus=path, steps=20, dense_steps=5, chunk_size=10, min_count=2)
        train_run(config, "heron", tmp_path / "runs", progress=False, log=printed.append)
    total = 3 * sum(BOOK_DROPPED.values())
    at = printed.index(f"removed {total} lines that are not sentences:")
    assert printed[at + 1:at + 6] == [f"  {3 * BOOK_DROPPED[GUTENBERG]:>2} Project Gutenberg header and licence",
                                      f"  {3 * BOOK_DROPPED[ILLUSTRATION]:>2} illustration notes",
                                      f"  {3 * BOOK_DROPPED[HEADING]:>2} chapter and section headings",
                                      f"  {3 * BOOK_DROPPED[CONTENTS]:>2} contents and lists of illustrations",
                                      f"  {3 * BOOK_DROPPED[TITLE]:>2} title lines and other lines that are not "
                                      "sentences"]
    assert printed[at + 6].startswith("corpus: 30 sentences, ")
    manifest = orjson.loads((tmp_path / "runs" / "heron" / "run.json").read_bytes())
    assert manifest["corpus"]["dropped_lines"] == {reason: 3 * n for reason, n in BOOK_DROPPED.items()}
    assert manifest["corpus"]["sentence_mode"] == "prose"


def shared_book(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"NOT CHECKED ON REAL BOOKS: {path} is absent (CI has ../shared/corpora beside the repo; "
                    "elsewhere set WORDLAB_SHARED_CORPORA to that folder)")
    return path


SECTION = {"chapter", "letter", "book", "part", "volume", "stave", "canto", "adventure"}
NUMERAL = re.compile(r"\d+|[ivxlcdm]+")   # spelled-out numbers are prose too ("“Chapter two,” said Cecil")


def heading_like(words: list[str]) -> bool:
    """A sentence that is a heading: a section word and a numeral, with at most a short title after them."""
    return len(words) <= 14 and len(words) >= 2 and words[0] in SECTION and NUMERAL.fullmatch(words[1]) is not None


def numbered_sections(words: list[str]) -> int:
    return sum(1 for a, b in zip(words, words[1:], strict=False) if a in SECTION and NUMERAL.fullmatch(b))


# Lines with text not trained on, by reason, in the shared books (what each rule removed: the
# paragraphs are listed by `python bench/corpus_read.py --show REASON FILE`).
SHARED_DROPPED = {
    "frankenstein.txt": {GUTENBERG: 310, HEADING: 29, CONTENTS: 28, TITLE: 24},
    "gutenberg-mix.txt": {GUTENBERG: 1854, ILLUSTRATION: 529, HEADING: 669, CONTENTS: 161, TITLE: 552},
}


@pytest.mark.parametrize("name", sorted(SHARED_DROPPED))
def test_no_training_sentence_of_a_shared_book_is_a_heading_or_a_contents_line(name):
    dropped = defaultdict(list)
    reader = CorpusReader(shared_book(name), on_drop=lambda why, lines: dropped[why].append(lines))
    sentences = list(reader)
    headings = [" ".join(s) for s in sentences if heading_like(s)]
    assert not headings, headings[:20]
    contents = [" ".join(s) for s in sentences if numbered_sections(s) >= 3]   # a contents list, joined
    assert not contents, contents[:5]
    assert reader.summary.dropped_lines == SHARED_DROPPED[name]
    # What the rules removed is what they say: headings are short and open with a capital, contents lines
    # are short or end with a page number, and no title is a quoted sentence (dialogue).
    assert not [lines for lines in dropped[HEADING] if len(" ".join(lines).split()) > 40
                or not re.match(r"[\s_*]*[A-Z]", lines[0])]
    assert not [line for lines in dropped[CONTENTS] for line in lines
                if len(line.split()) > 12 and not re.search(r"\s{2}\w+\s*$", line)
                and not re.match(r"\s*Chapter", line)]
    assert not [lines for lines in dropped[TITLE] if re.match(r"\s*[\"“].*[.!?][\"”]\s*$", " ".join(lines))]


def test_frankenstein_starts_with_its_first_sentence_and_has_no_chapter_word():
    """The issue's symptoms: sentence 0 was the title; the contents list was one 56-word sentence; "chapter"
    (only ever a heading in this book) became an outlier word of the map."""
    sentences = read_corpus(shared_book("frankenstein.txt")).sentences
    assert "frankenstein" not in sentences[0] and len(sentences[0]) >= 10
    assert not [s for s in sentences if "chapter" in s or "letter" in s[:1] and len(s) < 4]
    assert max(len(s) for s in sentences) < 200


def test_a_file_of_short_unpunctuated_stanzas_is_warned_about(tmp_path):
    """Verse without stops would be taken for title lines: the report says so and how to keep them."""
    from trainer.corpus_report import reading_report

    verse = "the heron waits\nthe river runs\n\nthe night is long\nthe reeds are still\n\n" * 10 + "and so to sleep.\n"
    corpus = read_corpus(write_text(tmp_path / "verse.txt", verse))
    assert corpus.summary.dropped_lines == {TITLE: 40} and corpus.summary.lines == 41
    assert reading_report(corpus.summary)[-1] == ("warning: 40 of the 41 lines of text were taken for title lines "
                                                  "(short, not ending a sentence); if each line of the file is a "
                                                  "sentence, pass --sentences lines")
    assert len(read_corpus(tmp_path / "verse.txt", sentences="lines").sentences) == 41
    assert not any(line.startswith("warning") for line in reading_report(read_corpus(
        write_text(tmp_path / "heron.txt", BOOK)).summary))
