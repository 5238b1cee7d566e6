"""What one worker process holds for the live class: the store (opened on first use, so a server nobody
leads never creates it), the feed of its event streams, the secrets, the rate limits, and the count
updates it owes after answers. backend/routes/live.py calls it; the rules are in backend/classroom.py."""

import asyncio

import orjson
from starlette.exceptions import HTTPException

from backend import settings
from backend.livefeed import Feed
from backend.livestore import LiveStore, Secrets, open_store
from backend.ratelimit import RateLimit
from backend.statestore import StateConfig


class LiveClass:
    def __init__(self, config: StateConfig):
        self.config = config
        self._store: LiveStore | None = None
        self._feed: Feed | None = None
        self._secrets: Secrets | None = None
        self.per_address = RateLimit(*settings.LIVE_RATE_PER_ADDRESS)
        self.per_connection = RateLimit(*settings.LIVE_RATE_PER_CONNECTION)
        self.joins = RateLimit(*settings.LIVE_JOINS_PER_ADDRESS)
        self.key_failures = RateLimit(*settings.LIVE_KEY_FAILURES)
        self.counting: dict[str, asyncio.Task] = {}  # ask → the pending update of its counts
        self.recounted: set[str] = set()             # answers arrived while that update was being written

    @property
    def store(self) -> LiveStore:
        if self._store is None:
            self._store = open_store(self.config)
        return self._store

    @property
    def feed(self) -> Feed:
        if self._feed is None:
            self._feed = Feed(self.store)
        return self._feed

    async def secrets(self) -> Secrets:
        if self._secrets is None:
            self._secrets = await self.store.secrets()
        return self._secrets

    async def session(self) -> dict | None:
        """The live session ({session, started}), or None."""
        found = next((e for e in await self.store.latest() if e.kind == "session"), None)
        data = orjson.loads(found.data) if found else {"session": None}
        return data if data["session"] else None

    def limit(self, address: str, connection: str) -> None:
        """A student's request: 429 past the per-address or per-connection rate."""
        for limit, key in ((self.per_connection, connection), (self.per_address, address)):
            if not limit.allow(key):
                raise too_many(limit, "too many class requests from this device; wait a moment")

    def counts_changed(self, ask: str) -> None:
        """An answer was stored: the question's counts go out within LIVE_TALLY_SECONDS, once for a burst."""
        if ask in self.counting:
            self.recounted.add(ask)
            return
        self.counting[ask] = asyncio.create_task(self._send_counts(ask))

    async def _send_counts(self, ask: str) -> None:
        try:
            while True:
                await asyncio.sleep(settings.LIVE_TALLY_SECONDS)
                self.recounted.discard(ask)
                await self.store.publish_question(ask)
                if ask not in self.recounted:
                    return
        finally:
            del self.counting[ask]


def too_many(limit: RateLimit, message: str) -> HTTPException:
    return HTTPException(429, {"message": message}, headers={"Retry-After": str(limit.retry_after())})
