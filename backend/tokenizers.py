"""Finds and lazily loads the BPE tokenizers in data/tokenizers/ by name (never by a user's path)."""

from dataclasses import dataclass, field
from pathlib import Path

from backend.errors import conflict, not_found
from trainer.bpe.tokenizer import BPETokenizer
from trainer.errors import WordlabError
from trainer.run_format import NAME_RE


@dataclass
class TokenizerRegistry:
    tokenizers_dir: Path
    _paths: dict[str, Path] = field(default_factory=dict)
    _loaded: dict[str, tuple[tuple[int, int], BPETokenizer]] = field(default_factory=dict)

    def names(self) -> list[str]:
        if not self.tokenizers_dir.is_dir():
            self._paths = {}
            return []
        self._paths = {p.stem: p for p in sorted(self.tokenizers_dir.glob("*.json"))
                       if p.is_file() and NAME_RE.fullmatch(p.stem)}
        return list(self._paths)

    def get(self, name: str) -> BPETokenizer:
        if name not in self._paths:
            self.names()
        if name not in self._paths:
            raise not_found(f"no tokenizer named {name!r}", tokenizers=list(self._paths))
        path = self._paths[name]
        try:
            st = path.stat()
        except OSError:
            raise not_found(f"tokenizer {name!r} was removed") from None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._loaded.get(name)
        if cached is None or cached[0] != stamp:
            try:
                cached = self._loaded[name] = (stamp, BPETokenizer.load(path))
            except WordlabError as err:
                raise conflict(f"tokenizer {name!r} cannot be loaded: {err}") from None
        return cached[1]
