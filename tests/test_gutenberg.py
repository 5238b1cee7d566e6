"""Project Gutenberg licences as real files write them, in three vintages, and wrapped prose joined.

The headers and footers below are written for these tests in the shapes Gutenberg files have had:
today's (an indented END line, the full licence ending with the newsletter line), the 2000s'
("Project Gutenberg's X", "*** START OF THIS ...", "End of the Project Gutenberg EBook of X",
"*** END: FULL LICENSE ***") and the 1990s' ("**The Project Gutenberg Etext of X**", the small
print closed by "*END*THE SMALL PRINT!", "End of The Project Gutenberg Etext of X").
"""

import json

import pytest

from trainer.config import TrainConfig
from trainer.corpus import load_corpus, split_sentences, strip_gutenberg

LICENCE_WORDS = {"gutenberg", "project", "license", "licence", "electronic", "foundation", "copyright",
                 "ebook", "ebooks", "etext", "etexts", "trademark", "volunteers", "distribute", "donations",
                 "restrictions", "newsletter", "refund", "warranty"}

# The books: wrapped prose, paragraphs separated by blank lines, none of the licence's words.
BOOK = """The miller walked along the river at dawn, carrying a lantern and a
heavy sack of grain. The river was cold and grey.

The miller sang to the river. The river answered with the sound of
the mill wheel turning, slowly, slowly, under the grey morning sky.
"""

MODERN = """The Project Gutenberg eBook of The Miller
    
This ebook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this ebook or online
at www.gutenberg.org.

Title: The Miller

Author: Nobody

Release date: January 1, 2001 [eBook #99999]

Language: English



*** START OF THE PROJECT GUTENBERG EBOOK THE MILLER ***



{book}



            *** END OF THE PROJECT GUTENBERG EBOOK THE MILLER ***
        

    
Updated editions will replace the previous one—the old editions will
be renamed.

START: FULL LICENSE

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

To protect the Project Gutenberg™ mission of promoting the free
distribution of electronic works, by using or distributing this work
you agree to comply with all the terms of the Full Project Gutenberg™
License available with this file or online at www.gutenberg.org/license.

Project Gutenberg™ eBooks are often created from several printed
editions, all of which are confirmed as not protected by copyright in
the U.S. unless a copyright notice is included. Donations to the
Project Gutenberg Literary Archive Foundation are welcome. No refund,
no warranty.

This website includes information about Project Gutenberg™,
including how to make donations to the Project Gutenberg Literary
Archive Foundation, how to help produce our new eBooks, and how to
subscribe to our email newsletter to hear about new eBooks.
"""

NOUGHTIES = """Project Gutenberg's The Miller, by Nobody

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.net


Title: The Miller

Author: Nobody

*** START OF THIS PROJECT GUTENBERG EBOOK THE MILLER ***




{book}



End of the Project Gutenberg EBook of The Miller, by Nobody

*** END OF THIS PROJECT GUTENBERG EBOOK THE MILLER ***

***** This file should be named 99999.txt or 99999.zip *****

*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

Project Gutenberg-tm eBooks are often created from several printed
editions, all of which are confirmed as Public Domain in the U.S.
unless a copyright notice is included.  Donations, refund, warranty,
trademark, electronic works, Foundation.

*** END: FULL LICENSE ***
"""

NINETIES = """**The Project Gutenberg Etext of The Miller**
#1 in our series by Nobody

Copyright laws are changing all over the world, be sure to check
the copyright laws for your country before posting these files!!

**Welcome To The World of Free Plain Vanilla Electronic Texts**

**Etexts Readable By Both Humans and By Computers, Since 1971**

*****These Etexts Were Prepared By Thousands of Volunteers!*****

Project Gutenberg Etexts are usually created from multiple editions.
Donations to the Project Gutenberg Literary Archive Foundation.

**The Legal Small Print**
LIMITED WARRANTY; DISCLAIMER OF DAMAGES. You may distribute copies of
this etext electronically. Refund, trademark.

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*

{book}

End of The Project Gutenberg Etext of The Miller
"""

VINTAGES = {"modern": MODERN, "noughties": NOUGHTIES, "nineties": NINETIES}
BOOK_SENTENCES = split_sentences(BOOK)


def licence_lines(template: str) -> int:
    """The lines of a vintage that are not the book (what stripping should remove)."""
    return len(template.format(book=BOOK).split("\n")) - len(BOOK.split("\n"))


def test_the_book_text_has_none_of_the_licence_words():
    assert not {w for s in BOOK_SENTENCES for w in s} & LICENCE_WORDS


@pytest.mark.parametrize("vintage", VINTAGES)
def test_each_vintage_keeps_exactly_the_book(vintage):
    template = VINTAGES[vintage]
    stripped = strip_gutenberg(template.format(book=BOOK))
    assert split_sentences(stripped.text) == BOOK_SENTENCES
    # Every line that is not the book goes, bar the blank lines around the book (they are kept).
    blank_around = stripped.text.count("\n") - BOOK.count("\n")
    assert stripped.stripped_lines == licence_lines(template) - blank_around
    assert stripped.stripped_lines >= licence_lines(template) - 8


def test_concatenated_vintages_with_an_unmarked_book_between_keep_every_book():
    """As in a collection: text outside any header/footer (a book without markers) is kept, except
    after a footer with no licence (the 1990s' last line): that runs to the next header or the end."""
    loose = "An unmarked story about a lantern.\n\nIt ends here.\n"
    text = "\n".join([loose, MODERN.format(book=BOOK), loose, NOUGHTIES.format(book=BOOK), loose,
                      NINETIES.format(book=BOOK), loose])
    sentences = split_sentences(strip_gutenberg(text).text)
    assert not {w for s in sentences for w in s} & LICENCE_WORDS
    assert sentences.count(["an", "unmarked", "story", "about", "a", "lantern"]) == 3
    assert sentences.count(BOOK_SENTENCES[0]) == 3


def test_wrapped_prose_is_joined_and_cut_at_sentence_ends():
    assert BOOK_SENTENCES[:3] == [
        "the miller walked along the river at dawn carrying a lantern and a heavy sack of grain".split(),
        "the river was cold and grey".split(),
        "the miller sang to the river".split(),
    ]
    assert BOOK_SENTENCES[3][-4:] == ["the", "grey", "morning", "sky"]  # joined across the wrap
    assert len(BOOK_SENTENCES) == 4


def test_one_sentence_per_line_is_unchanged(tmp_path):
    """The teaching corpus (no blank lines) keeps one line, one sentence, even without full stops."""
    from trainer.config import DEFAULT_CORPUS, resolve_corpus

    text = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")
    corpus = load_corpus(resolve_corpus(DEFAULT_CORPUS))
    assert not corpus.prose and corpus.stripped_lines == 0
    assert corpus.sentences == [line.split() for line in text.splitlines() if line.split()]


def test_a_run_on_all_vintages_has_no_licence_word_in_its_vocabulary(tmp_path):
    from trainer.teaching_run import train_run

    corpus = tmp_path / "miller.txt"
    corpus.write_text("\n".join(t.format(book=BOOK) for t in VINTAGES.values()), encoding="utf-8")
    log = []
    config = TrainConfig(corpus=str(corpus), steps=60, min_count=1, dense_steps=10, chunk_size=50)
    run = train_run(config, "miller", tmp_path / "runs", progress=False, log=log.append).run_dir
    vocab = set(json.loads((run / "vocab.json").read_text())["words"])
    assert vocab and not vocab & LICENCE_WORDS
    assert {"miller", "river", "lantern"} <= vocab
    stripped = load_corpus(corpus).stripped_lines
    assert stripped > 90
    assert f"Project Gutenberg header/footer: {stripped:,} lines stripped" in "\n".join(log)
    manifest = json.loads((run / "run.json").read_text())
    assert manifest["corpus"]["gutenberg_lines_stripped"] == stripped
