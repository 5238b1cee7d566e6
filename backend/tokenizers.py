"""The BPE tokenizers in data/tokenizers/, by name (never by a user's path). A file is untrusted:
trainer/bpe/tokenizer_file.py validates it in full before the encoder sees it."""

from pathlib import Path

from backend.registry import Registry
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.tokenizer_file import load_tokenizer_file
from trainer.run_format import NAME_RE


class TokenizerRegistry(Registry[BPETokenizer]):
    what = "tokenizer"

    def find(self) -> dict[str, Path]:
        if not self.root.is_dir():
            return {}
        return {p.stem: p for p in sorted(self.root.glob("*.json")) if p.is_file() and NAME_RE.fullmatch(p.stem)}

    def stamp_file(self, path: Path) -> Path:
        return path

    def load(self, name: str, path: Path) -> BPETokenizer:
        return load_tokenizer_file(path)
