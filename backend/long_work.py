"""Long texts wait their turn, so that one student's pasted chapters cannot stall the class.

A text over INLINE_TOKENIZE_BYTES is encoded in a thread: the event loop keeps answering the short
requests (encoded on the loop itself, in well under a millisecond), which therefore go first. At most
LONG_ENCODES long texts are encoded at once in a worker; the others wait in line, at most
LONG_ENCODES_WAITING in all and LONG_ENCODES_PER_CLIENT (running or waiting) from one client address.
Beyond those: 503 (the worker is busy) or 429 (this client sent too many), both with Retry-After.
"""

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool

from backend import settings
from backend.errors import Busy, TooManyRequests

Result = TypeVar("Result")


class LongWork:
    def __init__(self):
        self.running = 0
        self.by_client: Counter = Counter()
        self.waiting: deque[asyncio.Future] = deque()

    async def run(self, client: str, work: Callable[..., Result], *args) -> Result:
        if self.by_client[client] >= settings.LONG_ENCODES_PER_CLIENT:
            raise TooManyRequests(f"{settings.LONG_ENCODES_PER_CLIENT} long texts from this computer are being "
                                  "encoded already; send the next when one is done")
        if self.running >= settings.LONG_ENCODES and len(self.waiting) >= settings.LONG_ENCODES_WAITING:
            raise Busy("the server is encoding many long texts; try again in a moment")
        self.by_client[client] += 1
        try:
            await self._turn()
            try:
                return await run_in_threadpool(work, *args)
            finally:
                self.running -= 1
                self._wake()
        finally:
            self.by_client[client] -= 1
            if not self.by_client[client]:
                del self.by_client[client]

    async def _turn(self) -> None:
        if self.running < settings.LONG_ENCODES and not self.waiting:
            self.running += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            await turn  # _wake counted this request as running before waking it
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.running -= 1  # woken and cancelled at once: hand the turn on
                self._wake()
            else:
                self.waiting.remove(turn)
            raise

    def _wake(self) -> None:
        while self.waiting and self.running < settings.LONG_ENCODES:
            turn = self.waiting.popleft()
            if not turn.done():
                self.running += 1
                turn.set_result(None)
