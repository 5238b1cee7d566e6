"""The BPE tokenizers in data/tokenizers/, by name (never by a user's path). A file is untrusted:
trainer/bpe/tokenizer_file.py validates it in full before the encoder sees it.

What a worker keeps, each bounded: per file, its header (name, sizes, corpus: what the list shows),
read once per change of the file in the loading thread; the tokenizers themselves, least recently used
out within TOKENIZER_CACHE_BYTES (a 200,000-merge tokenizer holds about 100 MB of Python objects, so
listing a folder must not load them all); and the answers that depend only on the file (its merges,
analysis, lessons), serialized once, within TOKENIZER_ANSWERS_BYTES. A file over
MAX_TOKENIZER_FILE_BYTES is listed as broken with the limit, never parsed.
"""

import contextlib
import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi.concurrency import run_in_threadpool

from backend import settings
from backend.loading import check_may_load
from backend.registry import Registry
from backend.runs import held_bytes
from backend.sized_lru import SizedLRU
from trainer.bpe.bytelevel import ByteLevelBPE
from trainer.bpe.gpt_tokenizers import REFERENCES, installed, load_reference
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.tokenizer_file import load_tokenizer_file
from trainer.errors import Broken, WordlabError
from trainer.names import NAME_RE


@dataclass(frozen=True)
class TokenizerHeader:
    """What the list shows of a valid tokenizer file, kept without the tokenizer itself."""
    name: str
    vocab_size: int
    base_size: int
    merges: int
    corpus: str | None

    @classmethod
    def of(cls, tok: BPETokenizer) -> "TokenizerHeader":
        corpus = tok.meta.get("corpus")  # the file's meta, which nothing else validates
        return cls(tok.name, tok.vocab_size, tok.base_size, len(tok.merges),
                   corpus if isinstance(corpus, str) else None)


class TokenizerRegistry(Registry[TokenizerHeader]):
    what = "tokenizer"

    def __init__(self, root: Path):
        super().__init__(root)
        self.loaded: SizedLRU[BPETokenizer] = SizedLRU(settings.TOKENIZER_CACHE_BYTES)
        self.answers: SizedLRU[bytes] = SizedLRU(settings.TOKENIZER_ANSWERS_BYTES)

    def find(self) -> dict[str, Path]:
        if not self.root.is_dir():
            return {}
        return {p.stem: p for p in sorted(self.root.glob("*.json")) if p.is_file() and NAME_RE.fullmatch(p.stem)}

    def stamp_file(self, path: Path) -> Path:
        return path

    def load(self, name: str, path: Path) -> TokenizerHeader:
        tok = self._parse(name, path)
        self.loaded.get((name, self._stamp(path), "tokenizer"), lambda: (tok, held_bytes(vars(tok))))  # parsed once
        return TokenizerHeader.of(tok)

    def _parse(self, name: str, path: Path) -> BPETokenizer:
        size = path.stat().st_size
        if size > settings.MAX_TOKENIZER_FILE_BYTES:
            raise Broken(f"{path.name} is {size:,} bytes; this server reads tokenizer files up to "
                         f"{settings.MAX_TOKENIZER_FILE_BYTES:,} (MAX_TOKENIZER_FILE_BYTES in backend/settings.py)")
        check_may_load()
        tok = load_tokenizer_file(path)
        tok.limit_cache(settings.TOKENIZER_UNIT_CACHE_BYTES)
        return tok

    def _key(self, name: str, what: str) -> tuple:
        self.header(name)  # NotFound or Broken, and the entry's current stamp
        return (name, self._entries[name].stamp, what)

    def header(self, name: str) -> TokenizerHeader:
        return super().get(name)

    def get(self, name: str) -> BPETokenizer:
        """The tokenizer, built from its file when it is not in memory (in the loading thread)."""
        key = self._key(name, "tokenizer")

        def parse() -> tuple[BPETokenizer, int]:
            tok = self._parse(name, self._paths[name])
            return tok, held_bytes(vars(tok))
        return self.loaded.get(key, parse)

    def answer(self, name: str, what: str, build: Callable[[BPETokenizer], bytes], gzipped: bool = False) -> bytes:
        """An answer that depends only on the tokenizer file, built once per version of the file; `gzipped`:
        the same, gzip-compressed once too (four clients asking for a 200,000-merge tokenizer's 8.8 MB
        detail had the gzip middleware compress it for every request)."""
        if not gzipped:
            return self.answers.get(self._key(name, what), lambda: (data := build(self.get(name)), len(data)))

        def packed() -> tuple[bytes, int]:
            data = gzip.compress(self.answer(name, what, build), settings.GZIP_LEVEL, mtime=0)
            return data, len(data)
        return self.answers.get(self._key(name, what + ".gz"), packed)


def prepare_kernel_in_background(registry: TokenizerRegistry, name: str = "default") -> threading.Thread:
    """Loads the BPE kernel for a tokenizer in a daemon thread (a worker's first long text would otherwise
    wait for it); a tokenizer that is absent or broken is left to the routes."""
    def prepare() -> None:
        with contextlib.suppress(WordlabError):
            registry.get(name).prepare_kernel()

    thread = threading.Thread(target=prepare, name="wordlab-bpe-kernel", daemon=True)
    thread.start()
    return thread


class ReferenceTokenizers:
    """GPT-2, GPT-4 and GPT-4o's tokenizers (trainer/bpe/gpt_tokenizers.py): each loaded on first use, once per
    worker, in a thread (o200k_base's 200,000 ranks are slow to load and large: docs/performance.md), then kept."""

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
