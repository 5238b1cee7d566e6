"""What of a book's lines is prose to train on. Project Gutenberg's header and licence, illustration notes,
headings, contents lists and title lines are not: each rule hands the lines it drops to `drop(reason, lines)`,
so the reader (trainer/corpus.py) counts them and a caller can list them.

Every rule looks at each line a bounded number of times and holds a bounded number of lines, so no file,
however hostile (a marker every other line, an unclosed note), costs more than its length.
"""

import re
from collections.abc import Callable, Iterator

# Why a line is not trained on: the report and run.json name these.
GUTENBERG, ILLUSTRATION, HEADING, CONTENTS, TITLE = "gutenberg", "illustration", "heading", "contents", "title"
DROP_REASONS = {
    GUTENBERG: "Project Gutenberg header and licence",
    ILLUSTRATION: "illustration notes",
    HEADING: "chapter and section headings",
    CONTENTS: "contents and lists of illustrations",
    TITLE: "title lines and other lines that are not sentences",
}

Drop = Callable[[str, list[str]], None]   # (reason, the lines dropped for it)


def text_lines(lines: list[str]) -> int:
    """How many of the lines hold text: what the report counts (blank lines are no loss)."""
    return sum(1 for line in lines if line.strip())


# ---- Project Gutenberg's header and licence ---------------------------------------------------------

# Project Gutenberg's markers as files of several vintages write them: indented or not, "THE" or
# "THIS", "EBOOK" or "E-BOOK"; old files end their header with "*END*THE SMALL PRINT!" and start their
# footer with "End of the Project Gutenberg EBook of ..." / "End of Project Gutenberg's ...".
GUTENBERG_START_RE = re.compile(r"[ \t]*(?:\*{3}[ \t]*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
                                r"|\*END\*THE SMALL PRINT)", re.I)
GUTENBERG_END_RE = re.compile(r"[ \t]*(?:\*{3}[ \t]*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
                              r"|End of (?:the )?Project Gutenberg(?:'s|’s)?[ \t])", re.I)
# The first line of a header ("The Project Gutenberg eBook of X", "Project Gutenberg's X, by Y") and
# the last line of the licence footer ("... to hear about new eBooks.").
GUTENBERG_HEADER_RE = re.compile(r"[ \t]*\ufeff?(?:(?:The )?Project Gutenberg[ \t]+(?:E-?Book|Etext)"
                                 r"|Project Gutenberg(?:'s|’s)[ \t])", re.I)
GUTENBERG_FOOTER_LAST_RE = re.compile(r"to hear about new e-?books\.?[ \t]*$", re.I)
# A header, old "small print" included, is shorter than these; a longer "header" was book text.
HEADER_LINES, HEADER_CHARS = 1000, 100_000


def without_gutenberg(lines: Iterator[str], drop: Drop) -> Iterator[str]:
    """The lines without Project Gutenberg headers and licence footers, each line looked at once.

    A header runs from its title line to the START marker (the lines after a title are held back until
    the marker, or given back past HEADER_LINES or HEADER_CHARS); a footer from the END marker to the
    licence's last line, or else to the next header or START marker, or the end. Every other line is
    kept, so a file that concatenates books, some without markers, keeps them all.
    """
    held: list[str] = []   # lines since a header's title line, kept unless a START marker follows
    held_chars = 0
    in_footer = False
    for line in lines:
        if GUTENBERG_START_RE.match(line):
            drop(GUTENBERG, [*held, line])
            held, in_footer = [], False
        elif GUTENBERG_HEADER_RE.match(line) and not held:
            held, held_chars, in_footer = [line], len(line), False
        elif in_footer:
            drop(GUTENBERG, [line])
            in_footer = not GUTENBERG_FOOTER_LAST_RE.search(line)
        elif GUTENBERG_END_RE.match(line):
            yield from held
            drop(GUTENBERG, [line])
            held, in_footer = [], True
        elif held:
            held.append(line)
            held_chars += len(line)
            if len(held) > HEADER_LINES or held_chars > HEADER_CHARS:
                yield from held
                held = []
        else:
            yield line
    yield from held


# ---- what is not prose: illustration notes, headings, contents, title lines --------------------------

ILLUSTRATION_START_RE = re.compile(r"\s*\[(?:Illustration|Frontispiece)\b", re.I)
ILLUSTRATION_CHARS = 4000  # a note is shorter; an unclosed "[Illustration" is given back as text


def without_illustrations(lines: Iterator[str], drop: Drop) -> Iterator[str]:
    """The lines without "[Illustration: ...]" notes, which may span blank lines and nest brackets."""
    held: list[str] = []
    depth = chars = 0
    for line in lines:
        if not held and not ILLUSTRATION_START_RE.match(line):
            yield line
            continue
        held.append(line)
        chars += len(line)
        if chars > ILLUSTRATION_CHARS:
            yield from held
            held, depth, chars = [], 0, 0
            continue
        for position, char in enumerate(line):
            depth += (char == "[") - (char == "]")
            if depth == 0 and char == "]":
                drop(ILLUSTRATION, held)
                if line[position + 1:].strip():
                    yield line[position + 1:]   # text after the note, on its last line
                held, chars = [], 0
                break
    yield from held


ROMAN = r"(?=[MDCLXVI])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})(?<=[MDCLXVI])"
NUMBER = (rf"(?:\d+|{ROMAN}|(?i:the\s+\w+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
          r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final))\b")
SECTION_WORDS = "chapter|chap|letter|book|part|volume|vol|stave|canto|section|act|scene|appendix|article|lecture"
ALONE_WORDS = ("preface|prologue|epilogue|introduction|contents|table of contents|conclusion|afterword|foreword"
               "|dedication|appendix|notes|glossary|index|finis|the end|etymology|extracts|list of illustrations")
# A heading's first line: "Chapter 1", "CHAPTER XXI.", "Letter 4", "PART ONE", "Chapter the Last",
# "XXVII. LITERARY LESSONS" (a numeral's title on its line, a few words: "M. Krempe had now..." is prose),
# "II", "Preface", "THE END". A capital first and a stop or a capital after the number, so prose is not
# ("chapter 3 of it", "Chapter two was found").
HEADING_LINE_RE = re.compile(rf"\s*[_*]*(?=[A-Z])(?:(?i:{SECTION_WORDS})\.?\s+{NUMBER}(?:[.:—-]|\s*$|\s+[A-Z\"“'‘(_])"
                             rf"|{ROMAN}(?:\.\s*(?:\S+\s+){{0,6}}\S*|\s*)$|(?i:{ALONE_WORDS})[.:]?[_*]*\s*$)")
# A contents line that ends with its page number: "Heading to Preface        ix", "“Piling up the fire”   69".
LETTER_OR_DIGIT_RE = re.compile(r"[^\W_]")
PAGE_NUMBER_RE = re.compile(r"(?:\d+|[ivxlcdm]+|[IVXLCDM]+)$")
SENTENCE_MARK_RE = re.compile(r"[.!?]")
EXCLAIMS_RE = re.compile(r"[!?]\W*$")
QUOTED_RE = re.compile(r"[_*(]*[\"'“‘]")    # dialogue: "No, Wendy." stays
CAPITALISED_RE = re.compile(r"[\W_]*(?:[A-Z0-9]|[\W_]*$)")   # "Mrs.", "_To", "11th", "17—." (no letter: "&c")
# A sentence end: . ! ? and any closing quotes, brackets or emphasis marks, at the end of the text.
ENDS_SENTENCE_RE = re.compile(r"[.!?][\"'’”)\]_*]*\s*$")
# What introduces what follows (a letter's "Dear Madam,--", "he said:"): a part of the prose, kept.
INTRODUCES_RE = re.compile(r"(?:[:,]|--|—|–)[\"'’”)\]_*]*\s*$")


def page_line(line: str) -> bool:
    """Text, then two spaces or more (or dot leaders), then a page number, looking only at the end."""
    text = line.rstrip()
    number = PAGE_NUMBER_RE.search(text[-12:])
    if number is None:
        return False
    before = text[:len(text) - len(number.group())]
    return len(before) - len(before.rstrip(" \t.")) >= 2 and before.strip(" \t.") != ""


HEADING_WORDS = 40   # "Chapter VI" and its title over three lines; longer is prose that starts with one
TITLE_WORDS = 12     # a paragraph this short that does not end as a sentence is a title, a caption, a byline
FRONT_MATTER_CHARS = 20_000  # a longer paragraph is prose, whatever its first line


def front_matter(lines: list[str]) -> str | None:
    """Why a paragraph (its non-blank lines) is not prose to train on, or None when it is.

    'contents': lines that end with a page number, or two or more lines each a heading or one of those
    (a row of stars has no words and is no loss). 'heading': a paragraph that opens with a heading line
    ("Chapter 1", "XXVII. LITERARY LESSONS"), at most HEADING_WORDS long. 'title': what neither ends a
    sentence nor introduces what follows ("he said:--"), at most TITLE_WORDS long or in lines of a few
    words (a title page); or a few words all capitalised, not in quotes, which do not exclaim or ask
    ("LITTLE WOMEN.", "To Mrs. Saville, England.", "Dec. 11th, 17—."). Dialogue ends with . ! ? (a
    closing quote may follow) or opens with a quote, so "No, Wendy." stays.
    """
    if sum(map(len, lines)) >= FRONT_MATTER_CHARS:
        return None   # a long paragraph is prose, whatever its first line
    text = " ".join(" ".join(lines).split())
    if not LETTER_OR_DIGIT_RE.search(text):
        return None   # a row of stars: no words to train on, nothing to count
    if all(map(page_line, lines)) or len(lines) >= 2 and all(
            HEADING_LINE_RE.match(line) or page_line(line) for line in lines):
        return CONTENTS
    if HEADING_LINE_RE.match(lines[0]) and len(text.split()) <= HEADING_WORDS:
        return HEADING
    words = text.split() if len(text) < 40 * TITLE_WORDS else None   # None: over TITLE_WORDS anyway
    short = words is not None and len(words) <= TITLE_WORDS
    tail = text[-12:]
    if not ENDS_SENTENCE_RE.search(tail) and not INTRODUCES_RE.search(tail):
        if short or all(len(line.split()) <= 8 and not SENTENCE_MARK_RE.search(line) for line in lines):
            return TITLE
    if short and not EXCLAIMS_RE.search(tail) and not QUOTED_RE.match(text) and (
            text.upper() == text != text.lower() or len(words) >= 2 and all(CAPITALISED_RE.match(w) for w in words)):
        return TITLE
    return None


RUN_IN_HEADING_RE = re.compile(r"[^—]{1,160}?(?:—|--)")
RUN_IN_HEADING_WORDS = 12


def without_run_in_heading(paragraph: list[str], drop: Drop) -> list[str]:
    """The paragraph without a heading run into its first line before a dash ("BOOK I. (Folio), CHAPTER I.
    (Sperm Whale).—This whale..."); the heading counts as a heading line."""
    run_in = RUN_IN_HEADING_RE.match(paragraph[0]) if HEADING_LINE_RE.match(paragraph[0]) else None
    if run_in is None or len(run_in.group().split()) > RUN_IN_HEADING_WORDS:
        return paragraph
    drop(HEADING, [run_in.group()])
    return [paragraph[0][run_in.end():], *paragraph[1:]]
