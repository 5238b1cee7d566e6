"""The BPE tokenizers in data/tokenizers/, by name (never by a user's path). A file is untrusted:
its structure is validated in full (ids in range, merges in order) before the encoder sees it."""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from backend.registry import Registry
from trainer.bpe.tokenizer import BPETokenizer
from trainer.errors import Broken
from trainer.run_format import NAME_RE, describe


class TokenizerSettings(BaseModel):
    model_config = ConfigDict(extra="allow")
    pattern: str
    base_size: int


class TokenizerFile(BaseModel):
    """Just enough of the tokenizer format to make loading it safe: what from_dict reads, checked."""
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    meta: dict
    settings: TokenizerSettings
    vocab: list[str]
    merges: list[tuple[int, int, int, int]]

    @model_validator(mode="after")
    def ids_in_range(self) -> "TokenizerFile":
        size, base = len(self.vocab), self.settings.base_size
        if not 0 < base <= size or base + len(self.merges) != size:
            raise ValueError(f"base_size {base} and {len(self.merges)} merges do not make {size} vocabulary entries")
        for rank, (left, right, new_id, _) in enumerate(self.merges):
            if new_id != base + rank or not (0 <= left < new_id and 0 <= right < new_id):
                raise ValueError(f"merge {rank} ({left}, {right} → {new_id}) refers to ids out of order or range")
        return self


class TokenizerRegistry(Registry[BPETokenizer]):
    what = "tokenizer"

    def find(self) -> dict[str, Path]:
        if not self.root.is_dir():
            return {}
        return {p.stem: p for p in sorted(self.root.glob("*.json")) if p.is_file() and NAME_RE.fullmatch(p.stem)}

    def stamp_file(self, path: Path) -> Path:
        return path

    def load(self, name: str, path: Path) -> BPETokenizer:
        try:
            TokenizerFile.model_validate_json(path.read_bytes())
        except ValidationError as err:
            raise Broken(f"{path.name} is not a valid tokenizer file: {describe(err)}") from None
        return BPETokenizer.load(path)
