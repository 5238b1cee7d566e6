"""The BPE tokenizers in data/tokenizers/, by name (never by a user's path). A file is untrusted:
trainer/bpe/tokenizer_file.py validates it in full before the encoder sees it."""

import contextlib
import threading
from pathlib import Path

from fastapi.concurrency import run_in_threadpool

from backend.registry import Registry
from trainer.bpe.bytelevel import ByteLevelBPE
from trainer.bpe.gpt_tokenizers import REFERENCES, installed, load_reference
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


class ReferenceTokenizers:
    """GPT-2, GPT-4 and GPT-4o's tokenizers (trainer/bpe/gpt_tokenizers.py): each loaded on first use, once per
    worker, in a thread (o200k_base's 200,000 ranks take about 0.2 s and 25 MB), then kept."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._loaded: dict[str, ByteLevelBPE] = {}
        self._lock = threading.Lock()

    @staticmethod
    def handles(name: str) -> bool:
        return name in REFERENCES

    def installed(self) -> list[str]:
        return installed(self.directory)

    def loaded(self) -> list[ByteLevelBPE]:
        return list(self._loaded.values())

    def _load(self, name: str) -> ByteLevelBPE:
        with self._lock:   # two first requests at once load it once
            if name not in self._loaded:
                self._loaded[name] = load_reference(name, self.directory)
            return self._loaded[name]

    async def get(self, name: str) -> ByteLevelBPE:
        found = self._loaded.get(name)
        return found if found is not None else await run_in_threadpool(self._load, name)
