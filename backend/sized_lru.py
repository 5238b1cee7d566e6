"""A least-recently-used cache bounded by the bytes its values hold, as their loader measured them.

Every cache a worker keeps (run files, parsed step chunks, vocabularies and weights, tokenizer answers)
is one of these, so that its memory does not grow with what a class (or one hostile student) asks for.
A value is loaded once however many callers miss it at the same time (the others wait for it), and a
miss on the event loop's first try raises backend.loading.Cold: the load then runs in the loading
thread, never on the loop.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from backend.loading import check_may_load

Value = TypeVar("Value")


class SizedLRU(Generic[Value]):
    def __init__(self, budget: int):
        self.budget = budget  # bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._lock = threading.Lock()  # the event loop and the loading thread share the cache
        self._loading: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, load: Callable[[], tuple[Value, int]]) -> Value:
        """The cached value, else the value of load(), which returns (value, bytes it holds); kept unless
        it alone is over the budget, the least recently used values leaving to make room."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            check_may_load()
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._items:
                    return self._items[key][0]
            try:
                value, size = load()
            finally:
                with self._lock:
                    self._loading.pop(key, None)
            with self._lock:
                self._keep(key, value, size)
        return value

    def peek(self, key: Hashable) -> Value | None:
        """The cached value (now the most recently used), or None: nothing is loaded."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def _keep(self, key: Hashable, value: Value, size: int) -> None:
        if size > self.budget:
            return
        self._items[key] = (value, size)
        self.bytes += size
        while self.bytes > self.budget:
            _, (_, evicted) = self._items.popitem(last=False)
            self.bytes -= evicted

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0
