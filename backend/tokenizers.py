"""The BPE tokenizers in data/tokenizers/, by name (never by a user's path). A file is untrusted:
trainer/bpe/tokenizer_file.py validates it in full before the encoder sees it."""

import contextlib
import threading
from pathlib import Path

from backend.registry import Registry
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.tokenizer_file import load_tokenizer_file
from trainer.errors import WordlabError
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


def prepare_kernel_in_background(registry: TokenizerRegistry, name: str = "default") -> threading.Thread:
    """Loads the BPE kernel for a tokenizer in a daemon thread (a worker's first long text would
    otherwise take about 0.5 s more); a tokenizer that is absent or broken is left to the routes."""
    def prepare() -> None:
        with contextlib.suppress(WordlabError):
            registry.get(name).prepare_kernel()

    thread = threading.Thread(target=prepare, name="wordlab-bpe-kernel", daemon=True)
    thread.start()
    return thread
