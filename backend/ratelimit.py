"""Token buckets: at most `rate` requests a second on average, `burst` at once, per key (an address, a
connection). In memory, per worker process: the limits bound what one client costs a worker, which is
what they are for. At most `max_keys` keys are kept; the least recently used is forgotten first."""

import time
from collections import OrderedDict


class RateLimit:
    def __init__(self, rate: float, burst: float, max_keys: int = 20_000, clock=time.monotonic):
        self.rate, self.burst, self.max_keys, self.clock = rate, burst, max_keys, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, when)

    def allow(self, key: str) -> bool:
        """Takes a token from key's bucket if it has one."""
        now = self.clock()
        tokens, when = self.buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        allowed = tokens >= 1
        self.buckets[key] = (tokens - allowed, now)
        if len(self.buckets) > self.max_keys:
            self.buckets.popitem(last=False)
        return allowed

    def blocked(self, key: str) -> bool:
        """Whether key's bucket is empty now (takes nothing)."""
        tokens, when = self.buckets.get(key, (self.burst, self.clock()))
        return min(self.burst, tokens + (self.clock() - when) * self.rate) < 1

    def retry_after(self) -> int:
        """Whole seconds until a drained bucket holds a token again."""
        return max(1, round(1 / self.rate)) if self.rate > 0 else 60
