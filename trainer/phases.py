"""Where a corpus run's wall time went, phase by phase, and its peak memory: the CLI prints it and
bench/sgns.py reports it, so a slow phase is seen rather than guessed."""

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class Phases:
    """Seconds per named phase. A phase opened inside another counts only for itself (the outer one's
    seconds exclude it), so the phases add up to the total."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.peak_after: dict[str, float] = {}    # peak RSS (MB) when each phase ended: where memory grew
        self._inner: list[float] = []             # per open phase: seconds spent in phases opened inside it

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        self.seconds.setdefault(name, 0.0)          # listed in the order the phases began
        self._inner.append(0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            inner = self._inner.pop()
            self.seconds[name] += elapsed - inner
            self.peak_after[name] = peak_rss_mb()
            if self._inner:
                self._inner[-1] += elapsed

    def to_dict(self) -> dict:
        total = time.perf_counter() - self.started
        return {"seconds": {name: round(s, 3) for name, s in self.seconds.items()}, "total": round(total, 3),
                "peak_rss_mb": round(peak_rss_mb(), 1)}

    def lines(self) -> list[str]:
        """One line per phase, then the total and the peak RSS."""
        report = self.to_dict()
        width = max(map(len, report["seconds"]), default=5)
        lines = [f"  {name:<{width}} {s:8.2f} s  (peak RSS {self.peak_after[name]:.0f} MB at its end)"
                 for name, s in report["seconds"].items()]
        return ["time per phase:", *lines, f"  {'total':<{width}} {report['total']:8.2f} s, "
                f"peak RSS {report['peak_rss_mb']:.0f} MB"]
