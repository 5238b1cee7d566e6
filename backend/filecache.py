"""What a worker keeps in memory (run files, parsed chunks), least recently used first out, within a
byte budget, so that its memory does not grow with every run a class looks through."""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class FileCache(Generic[Value]):
    def __init__(self, budget: int, size: Callable[[Value], int] = len):
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
