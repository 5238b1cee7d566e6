"""Loading a tokenizer file safely. A file is untrusted input (it may be copied from anyone): its
structure is validated in full (ids in range, merges in order, and every token the text it decodes
to, so that decode(encode(s)) == s) before the encoder sees it. The server's tokenizer registry and
`wordlab train --tokenizer` both load through here."""

from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from trainer.bpe.pretokenize import END_OF_WORD
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import BYTE_TOKENS
from trainer.errors import Broken
from trainer.run_format import describe


class TokenizerSettings(BaseModel):
    model_config = ConfigDict(extra="allow")
    pattern: str
    base_size: int


class TokenizerFile(BaseModel):
    """Just enough of the tokenizer format to make loading it safe: what from_dict reads, checked.

    The two long lists are checked item by item in Python rather than by pydantic's compiled core, which
    holds the GIL for the whole list: a server's event loop waits while a 200,000-merge file loads in a
    thread beside it, but not for a Python loop."""
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    meta: dict
    settings: TokenizerSettings
    vocab: list
    merges: list

    @model_validator(mode="after")
    def entries_of_their_type(self) -> "TokenizerFile":
        bad = next((i for i, token in enumerate(self.vocab) if type(token) is not str), None)
        if bad is not None:
            raise ValueError(f"vocab.{bad} is not a string")
        bad = next((i for i, m in enumerate(self.merges)
                    if type(m) is not list or len(m) != 4 or any(type(x) is not int for x in m)), None)
        if bad is not None:
            raise ValueError(f"merges.{bad} is not [left, right, id, count] as integers")
        return self

    @model_validator(mode="after")
    def ids_in_range(self) -> "TokenizerFile":
        size, base = len(self.vocab), self.settings.base_size
        if not 0 < base <= size or base + len(self.merges) != size:
            raise ValueError(f"base_size {base} and {len(self.merges)} merges do not make {size} vocabulary entries")
        for rank, (left, right, new_id, _) in enumerate(self.merges):
            if new_id != base + rank or not (0 <= left < new_id and 0 <= right < new_id):
                raise ValueError(f"merge {rank} ({left}, {right} → {new_id}) refers to ids out of order or range")
        return self

    @model_validator(mode="after")
    def tokens_spell_what_they_decode_to(self) -> "TokenizerFile":
        """Decoding writes ids 0-255 as bytes and any other id as its text: the encoder's base symbols must
        be single characters (a piece's last may carry the end-of-word marker), and a merge's token the
        text of its two parts, or decode(encode(s)) would not give s back."""
        base, vocab = self.settings.base_size, self.vocab
        if vocab[:len(BYTE_TOKENS)] != BYTE_TOKENS:
            raise ValueError("ids 0-255 are not the byte tokens <0x00> … <0xFF>")
        symbols = vocab[len(BYTE_TOKENS):base]
        if len(set(symbols)) != len(symbols) or any(len(s.removesuffix(END_OF_WORD)) != 1 for s in symbols):
            raise ValueError("the base symbols are not distinct single characters")
        for rank, (left, right, new_id, _) in enumerate(self.merges):
            if (left < len(BYTE_TOKENS) or right < len(BYTE_TOKENS) or vocab[left].endswith(END_OF_WORD)
                    or vocab[new_id] != vocab[left] + vocab[right]):
                raise ValueError(f"merge {rank}: {vocab[left][:40]!r} + {vocab[right][:40]!r} does not make "
                                 f"{vocab[new_id][:40]!r}")
        return self


def load_tokenizer_file(path: Path) -> BPETokenizer:
    """The tokenizer in the file, or Broken saying in one line what is wrong with it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise Broken(f"{path.name} cannot be read ({err.strerror})") from None
    try:
        parsed = orjson.loads(data)
        TokenizerFile.model_validate(parsed)
    except orjson.JSONDecodeError as err:
        raise Broken(f"{path.name} is not a valid tokenizer file: not valid JSON ({err})") from None
    except ValidationError as err:
        raise Broken(f"{path.name} is not a valid tokenizer file: {describe(err)}") from None
    return BPETokenizer.from_dict(parsed)
