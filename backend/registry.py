"""What the run and tokenizer registries share: things found on disk by name (never by a user's
path), validated and loaded once, reloaded when their file changes, listed even when broken.

A lookup answers the loaded thing, or raises NotFound (with the names there are) or Broken (with
the reason); the app maps those to 404 and 409. Whatever goes wrong reading one entry (a symlink
loop, a file that vanishes, a structure the loader did not expect) marks that entry broken: a list
always answers. A broken verdict is re-checked after BROKEN_RECHECK_SECONDS, so a run copied in while
it was listed (run.json first, as cp, rsync or unzip may) is served once the copy completes. Loading
reads disk, so it runs in the loading thread (backend/loading.py): routes call these methods through
`off_loop_when_loading`.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from backend import settings
from backend.loading import check_may_load
from trainer.errors import Broken, NotFound

Loaded = TypeVar("Loaded")
Stamp = tuple[int, int, int]  # (mtime_ns, size, inode)


def shown(name: str, limit: int = 80) -> str:
    """A name as an error message quotes it: a client's 900 KB name is not sent back whole."""
    return repr(name) if len(name) <= limit else f"{name[:limit]!r}… ({len(name):,} characters)"


@dataclass(frozen=True)
class Entry(Generic[Loaded]):
    name: str
    path: Path
    stamp: Stamp | None
    value: Loaded | None  # None when broken
    error: str | None
    checked: float = 0.0  # time.monotonic() of the check


class Registry(Generic[Loaded]):
    what = "item"  # for messages: "no run named ..."

    def __init__(self, root: Path):
        self.root = Path(root)
        self._paths: dict[str, Path] = {}
        self._entries: dict[str, Entry[Loaded]] = {}

    # What a kind of registry says.
    def find(self) -> dict[str, Path]:
        """name → path of every candidate on disk."""
        raise NotImplementedError

    def stamp_file(self, path: Path) -> Path:
        """The file whose change means the entry must be read again."""
        raise NotImplementedError

    def load(self, name: str, path: Path) -> Loaded:
        """Validates and loads; raises WordlabError (or OSError) saying why it cannot be served."""
        raise NotImplementedError

    def broken_reason(self, value: Loaded) -> str | None:
        """A loaded entry may turn out broken later (a file whose hash does not match)."""
        return None

    # The shared machinery.
    def _stamp(self, path: Path) -> Stamp | None:
        try:
            st = self.stamp_file(path).stat()
        except (OSError, ValueError):
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _entry(self, name: str, path: Path) -> Entry[Loaded]:
        stamp = self._stamp(path)
        old = self._entries.get(name)
        if old is not None and old.stamp == stamp and (
                old.error is None or time.monotonic() - old.checked < settings.BROKEN_RECHECK_SECONDS):
            return old
        check_may_load()
        try:
            entry = Entry(name, path, stamp, self.load(name, path), None, time.monotonic())
        except Exception as err:  # whatever one entry raises, the others are still served
            entry = Entry(name, path, stamp, None, str(err) or type(err).__name__, time.monotonic())
        self._entries[name] = entry
        return entry

    def _rescan(self) -> None:
        try:
            self._paths = self.find()
        except OSError:  # the directory itself is unreadable or gone: nothing to serve
            self._paths = {}
        for gone in set(self._entries) - set(self._paths):
            del self._entries[gone]

    def entries(self) -> list[Entry[Loaded]]:
        """Every candidate by name, loaded or broken (with its reason)."""
        self._rescan()
        listed = []
        for name, path in self._paths.items():
            entry = self._entry(name, path)
            reason = entry.error or self.broken_reason(entry.value)
            listed.append(entry if reason == entry.error else Entry(name, path, entry.stamp, None, reason))
        return listed

    def get(self, name: str) -> Loaded:
        if name not in self._paths:
            self._rescan()
        if name not in self._paths:
            names = list(self._paths)[:settings.MAX_ERROR_ITEMS]
            raise NotFound(f"no {self.what} named {shown(name)}", **{f"{self.what}s": names})
        entry = self._entry(name, self._paths[name])
        reason = entry.error or self.broken_reason(entry.value)
        if reason is not None:
            raise Broken(f"{self.what} {name!r} is broken and is not served: {reason}")
        return entry.value
