"""Skip-gram on a BPE tokenizer's tokens instead of regex words (`wordlab train --tokenizer NAME`).

The tokenizer is a name in data/tokenizers/ or a path to its file, loaded through the same validation
as the server's. A sentence becomes the tokenizer's tokens as its vocabulary spells them: the leading
space and the end-of-piece marker stay ("␣the</w>" and "the</w>" are different tokens, as "ing" inside
a word and "ing</w>" ending one are), case is kept, whitespace-only tokens are left out (an
indentation is no context). The run records the tokenizer's identity so a reader knows which cut it was.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from trainer.bpe.pretokenize import END_OF_WORD
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.tokenizer_file import load_tokenizer_file
from trainer.config import DEFAULT_TOKENIZERS_DIR, resolve_corpus
from trainer.errors import NotFound, RunFormatError
from trainer.names import NAME_RE


@dataclass(frozen=True)
class TokenSource:
    tokenizer: BPETokenizer
    path: Path

    def __post_init__(self) -> None:
        kept = [not token.removesuffix(END_OF_WORD).isspace() for token in self.tokenizer.vocab]
        object.__setattr__(self, "_kept", kept)

    def tokens(self, text: str) -> list[str]:
        """The text's tokens as vocabulary strings, whitespace-only ones left out."""
        vocab, kept = self.tokenizer.vocab, self._kept
        return [vocab[i] for i in self.tokenizer.encode(text) if kept[i]]

    def identity(self) -> dict:
        """What run.json records as `tokenizer`: enough to tell whether two runs were cut alike."""
        tok = self.tokenizer
        return {"name": tok.name, "merges_sha256": merges_sha256(tok), "merges": len(tok.merges),
                "vocab_size": tok.vocab_size}


def merges_sha256(tokenizer: BPETokenizer) -> str:
    """sha256 of the merges as compact JSON `[[left, right], …]` (token texts, in the order learned):
    the same hash means the same merge rules, whatever the ids or counts in the file."""
    vocab = tokenizer.vocab
    pairs = [[vocab[m.left], vocab[m.right]] for m in tokenizer.merges]
    return hashlib.sha256(orjson.dumps(pairs)).hexdigest()


def tokenizer_path(value: str, tokenizers_dir: Path = DEFAULT_TOKENIZERS_DIR) -> Path:
    """A bare name is data/tokenizers/NAME.json; anything with a / or a .json suffix is a path."""
    if "/" not in value and not value.endswith(".json"):
        path = Path(tokenizers_dir) / f"{value}.json"
        if NAME_RE.fullmatch(value) and path.is_file():
            return path
        there = sorted(p.stem for p in Path(tokenizers_dir).glob("*.json")) if Path(tokenizers_dir).is_dir() else []
        raise NotFound(f"no tokenizer named {value!r} in {tokenizers_dir} (there are: {', '.join(there) or 'none'}); "
                       f"train one with: wordlab tokenizer train --corpus FILE --vocab-size 1000 --name {value}")
    path = resolve_corpus(value)
    if not path.is_file():
        raise NotFound(f"tokenizer file not found: {value}")
    return path


def load_token_source(value: str) -> TokenSource:
    path = tokenizer_path(value)
    return TokenSource(load_tokenizer_file(path), path)


def check_same_tokenizer(recorded: dict, source: TokenSource, run_name: str) -> None:
    """Resuming cuts the corpus again: it must be cut by the merges the run was trained on."""
    now = merges_sha256(source.tokenizer)
    if recorded["merges_sha256"] != now:
        raise RunFormatError(f"{run_name} was trained on tokenizer {recorded['name']!r} (merges sha256 "
                             f"{recorded['merges_sha256'][:12]}…) but {source.path} now has other merges "
                             f"({now[:12]}…): resuming needs the same tokenizer")
