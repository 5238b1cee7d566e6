"""Where a run trained from the page takes its text and its tokens: the teaching corpus, a book in data/corpora
("book:NAME", a listed file, never a path from the request) or text the student pasted (at most PASTED_BYTES,
written under the state directory in data/, removed when its job ends); words (the regex) or a BPE tokenizer
of the server's list. The result is what the job's child passes to the trainer's config: paths the server chose."""

import uuid
from pathlib import Path

from backend.errors import TooLarge
from trainer.errors import NotFound, WordlabError

PASTED_BYTES = 500_000   # a pasted text's limit in UTF-8 bytes (the request body's own limit counts as it arrives)
TEACHING = "teaching"
PASTED = "pasted"
BOOK = "book:"
WORDS = "words"


def books(corpora_dir: Path) -> dict[str, Path]:
    """The books a run may read: data/corpora/*.txt by name (without .txt), the teaching corpus left out."""
    if not corpora_dir.is_dir():
        return {}
    return {p.stem: p for p in sorted(corpora_dir.glob("*.txt")) if p.is_file() and p.stem != TEACHING}


def job_source(text: str, pasted: str | None, tokenizer: str, corpora_dir: Path, tokenizers: dict[str, Path],
               pasted_dir: Path) -> dict:
    """{"text": what the student chose, "corpus": a path or None (the teaching corpus), "tokenizer": a path or
    None (words), "pasted": whether corpus is a pasted text's file, to write with write_pasted}."""
    source = {"text": text, "corpus": None, "tokenizer": None, "pasted": False}
    if text == PASTED:
        if not pasted or not pasted.strip():
            raise WordlabError("text: paste some text to train on, or choose the teaching corpus or a book")
        size = len(pasted.encode("utf-8", "surrogatepass"))
        if size > PASTED_BYTES:
            raise TooLarge(f"the pasted text is {size:,} bytes; the limit is {PASTED_BYTES:,} (about 500 KB)")
        if "\x00" in pasted:  # the corpus reader's rule: a NUL byte marks a binary file, not text
            raise WordlabError("the pasted text holds a NUL character: that is a binary file, not text")
        source.update(corpus=str(pasted_dir / f"{uuid.uuid4().hex}.txt"), pasted=True)
    elif text.startswith(BOOK):
        book = books(corpora_dir).get(text[len(BOOK):])
        if book is None:
            raise NotFound(f"no book {text[len(BOOK):][:60]!r} in data/corpora (there are: "
                           f"{', '.join(books(corpora_dir)) or 'none'})")
        source["corpus"] = str(book)
    elif text != TEACHING:
        raise WordlabError(f"text must be 'teaching', 'pasted' or 'book:NAME' (got {text[:60]!r})")
    if pasted and text != PASTED:
        raise WordlabError("pasted text is sent only with text 'pasted'")
    if tokenizer != WORDS:
        path = tokenizers.get(tokenizer)
        if path is None:
            raise NotFound(f"no tokenizer {tokenizer[:60]!r} (there are: words, {', '.join(tokenizers) or 'none'})")
        source["tokenizer"] = str(path)
    return source


def write_pasted(source: dict, pasted: str) -> None:
    """The pasted text as the corpus reader reads a file: UTF-8, a lone surrogate replaced (any text is safe)."""
    path = Path(source["corpus"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pasted.encode("utf-8", "replace"))


def remove_pasted(source: dict | None) -> None:
    if source and source.get("pasted"):
        Path(source["corpus"]).unlink(missing_ok=True)
