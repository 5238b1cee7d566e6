"""A worker's side of a live class: the event streams it holds and the events it sends them.

One feed per worker process. While it holds at least one stream it follows the store (backend/livestore.py):
the current snapshot, then every new event in seq order, kept in a ring of the last LIVE_RING_EVENTS. Each
stream has a cursor (the last seq it sent); when events arrive every stream is woken and sends what lies
after its cursor, encoded once for all. A stream that reconnects with Last-Event-ID gets the events it
missed from the ring, or, if they are older than the ring, the latest event of each kind (which together
are the whole current state): either way in seq order, never a seq twice or backwards.

A stream sends a comment every LIVE_KEEPALIVE_SECONDS while nothing happens, so no idle deadline (the
server's or a proxy's) cuts a reader, and a dead reader is found within that time.
"""

import asyncio
import contextlib
import logging
from collections import Counter, deque

import orjson

from backend import settings
from backend.livestore import ENDED, Event, LiveStore

log = logging.getLogger("wordlab.live")

KEEPALIVE = b": keep-alive\n\n"
WAKE_SLICE = 32
ENDED_DATA = orjson.dumps(ENDED)
HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
           (b"x-accel-buffering", b"no")]  # nginx: pass each event on at once


def frame(event: Event) -> bytes:
    """One server-sent event; JSON from orjson holds no raw newline, so data is one line."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (event.seq, event.kind.encode(), event.data)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Stream:
    __slots__ = ("address", "counted", "wake")

    def __init__(self, address: str, counted: bool):
        self.address = address
        self.counted = counted  # a student's page (the leader's own stream is not counted as connected)
        self.wake = asyncio.Event()


class Feed:
    def __init__(self, store: LiveStore):
        self.store = store
        self.keepalive = settings.LIVE_KEEPALIVE_SECONDS
        self.max_streams = settings.LIVE_MAX_STREAMS
        self.max_per_address = settings.LIVE_MAX_STREAMS_PER_ADDRESS
        self.streams: set[Stream] = set()
        self.per_address: Counter[str] = Counter()
        self.ring: deque[tuple[int, bytes]] = deque(maxlen=settings.LIVE_RING_EVENTS)
        self.latest: dict[str, Event] = {}
        self.head = 0
        self.complete_after = 0  # the ring holds every event after this seq
        self.ready = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.following = False  # the store's events are being followed (while any stream is open)

    # -- what the store hands in --

    def resync(self, snapshot: list[Event]) -> None:
        """Starts over from the store's snapshot (at start, or after events were lost): its newest event is the
        head of the log when it was read (LiveStore)."""
        self.latest = {event.kind: event for event in snapshot}
        self.head = max((event.seq for event in snapshot), default=0)
        self.ring.clear()
        self.complete_after = self.head
        self.ready.set()
        self.wake_all()

    def deliver(self, events: list[Event]) -> None:
        for event in events:
            if event.seq <= self.head:
                continue
            if len(self.ring) == self.ring.maxlen:
                self.complete_after = self.ring[0][0]
            self.ring.append((event.seq, frame(event)))
            self.latest[event.kind] = event
            if event.kind == "session" and event.data == ENDED_DATA:
                self.latest = {"session": event}
            self.head = event.seq
        self.wake_all()

    def wake_all(self) -> None:
        """Wakes every stream, WAKE_SLICE in each turn of the event loop: between two slices the loop reads
        the sockets, so a request that arrives during a fan-out to a thousand streams waits for one slice."""
        self.wake_slice(list(self.streams), 0)

    def wake_slice(self, streams: list[Stream], start: int) -> None:
        for stream in streams[start:start + WAKE_SLICE]:
            stream.wake.set()
        if start + WAKE_SLICE < len(streams):
            asyncio.get_running_loop().call_soon(self.wake_slice, streams, start + WAKE_SLICE)

    def after(self, cursor: int) -> tuple[bytes, int]:
        """The frames a stream that has sent `cursor` sends next, and its new cursor."""
        if cursor > self.head:  # an id from before the store was reset: start over
            cursor = 0
        if cursor >= self.complete_after:
            frames = []
            for seq, data in reversed(self.ring):
                if seq <= cursor:
                    break
                frames.append(data)
            return b"".join(reversed(frames)), self.head
        snapshot = sorted((e for e in self.latest.values() if e.seq > cursor), key=lambda e: e.seq)
        return b"".join(frame(e) for e in snapshot), self.head

    # -- streams --

    def attach(self, address: str, counted: bool) -> Stream:
        if len(self.streams) >= self.max_streams:
            raise Refused(503, f"this server holds {self.max_streams:,} class streams already; try again soon")
        if self.per_address[address] >= self.max_per_address:
            raise Refused(429, f"{self.max_per_address} class streams are open from this address already: "
                               "close some tabs")
        stream = Stream(address, counted)
        self.streams.add(stream)
        self.per_address[address] += 1
        if not self.following:
            self.following = True
            self.tasks = [asyncio.create_task(self.follow()), asyncio.create_task(self.report_presence())]
        return stream

    def detach(self, stream: Stream) -> None:
        self.streams.discard(stream)
        self.per_address[stream.address] -= 1
        if self.per_address[stream.address] <= 0:
            del self.per_address[stream.address]
        if not self.streams:  # nothing to send to: stop following until the next stream
            self.following = False
            for task in self.tasks:
                task.cancel()
            self.ready = asyncio.Event()
            self.tasks = [asyncio.create_task(self.store.report_presence(0))]  # kept: the loop holds tasks weakly

    async def follow(self) -> None:
        while True:
            try:
                await self.store.follow(self)
            except asyncio.CancelledError:
                raise
            except Exception:  # the store failed (a disk error, Redis gone): try again
                log.exception("following the live class failed; retrying")
                await asyncio.sleep(settings.LIVE_RETRY_MS / 1000)

    async def report_presence(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.store.report_presence(sum(s.counted for s in self.streams))
            await asyncio.sleep(settings.LIVE_PRESENCE_SECONDS)

    async def serve(self, stream: Stream, cursor: int, receive, send) -> None:
        """Runs one stream until its reader goes away."""
        disconnected = asyncio.ensure_future(wait_for_disconnect(receive))
        disconnected.add_done_callback(lambda _: stream.wake.set())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
            await send({"type": "http.response.body", "body": b"retry: %d\n\n" % settings.LIVE_RETRY_MS,
                        "more_body": True})
            while not self.ready.is_set():  # the first stream of this worker: the snapshot is being read
                await self.ready_or_keepalive(send, disconnected)
                if disconnected.done():
                    return
            while not disconnected.done():
                stream.wake.clear()
                data, cursor = self.after(cursor)
                if data:
                    await send({"type": "http.response.body", "body": data, "more_body": True})
                try:
                    async with asyncio.timeout(self.keepalive):
                        await stream.wake.wait()
                except TimeoutError:
                    await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})
        finally:
            disconnected.cancel()
            self.detach(stream)

    async def ready_or_keepalive(self, send, disconnected) -> None:
        ready = asyncio.ensure_future(self.ready.wait())
        done, _ = await asyncio.wait({ready, disconnected}, timeout=self.keepalive,
                                     return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not done:
            await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})


async def wait_for_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
