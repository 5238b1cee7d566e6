"""The run files a worker keeps in memory, least recently used first out, within a byte budget.

Every worker used to keep every file it had served, for good, so its memory grew with every run a
class looked through (the two runs here are 7.9 and 44 MB on disk). Files are immutable and
browsers cache them (ETag, `?v=`), so the server's copy only saves re-reading a hot chunk from the
page cache; a budget keeps that and bounds the rest.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

FILE_CACHE_BYTES = 64 << 20  # per worker
Value = TypeVar("Value")


class FileCache(Generic[Value]):
    def __init__(self, budget: int = FILE_CACHE_BYTES, size: Callable[[Value], int] = len):
        self.budget = budget
        self.size = size
        self.bytes = 0
        self._items: OrderedDict[Hashable, Value] = OrderedDict()

    def get(self, key: Hashable, load: Callable[[], Value]) -> Value:
        """The cached value, or load()'s, kept unless it alone is over the budget."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
            return value
        value = load()
        size = self.size(value)
        if size <= self.budget:
            self._items[key] = value
            self.bytes += size
            while self.bytes > self.budget:
                _, evicted = self._items.popitem(last=False)
                self.bytes -= self.size(evicted)
        return value

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items
