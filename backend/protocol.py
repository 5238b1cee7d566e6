"""uvicorn's httptools protocol with the bounds a server open to a classroom LAN needs.

uvicorn bounds neither the size of a request's head nor the time it may take to arrive, never closes a
connection that has sent part of a request or that stopped reading its answer, and keeps whatever a
client pipelines or sends as chunk trailers: one client could hold a worker's memory or all its file
descriptors. This protocol (given to uvicorn as its `http` class) adds what uvicorn lacks, every limit
read from backend/settings.py when it applies:

- a head (request line and headers) over MAX_HEADER_BYTES → 431, connection closed;
- deadlines on what the client sends: IDLE_SECONDS for a new connection's first byte, HEADER_SECONDS
  once a head has started, BODY_SECONDS once the head is in and its body is still coming → closed.
  Between requests uvicorn's own keep-alive timeout (IDLE_SECONDS, set by backend/serve.py) closes an
  idle connection. While the app works on a complete request no deadline runs: a long answer or an
  event stream may take as long as it needs;
- a deadline on what the client takes: the kernel queues at most SEND_BUFFER_BYTES a connection; when
  more of an answer piles up (the transport asks to pause writing), the client must take at least
  WRITE_MIN_BYTES of it every WRITE_SECONDS, else the connection is reset and its buffers freed. A
  connection closed with answers still unread (an idle close) is reset too, rather than left to
  linger. A stream whose client reads never meets this (docs/architecture.md, "Connections");
- the raw bytes after a head (body, chunk framing, trailers) over 2 × MAX_BODY_BYTES + MAX_HEADER_BYTES
  → 413, closed: trailers are counted, and never kept;
- request bodies held by the worker at once over BODY_BYTES_HELD, or over CLIENT_BODY_BYTES_HELD from
  one client address → 503 with Retry-After, closed: many half-sent bodies cannot add up;
- more than MAX_PIPELINED requests queued behind the one being answered → the connection is reset;
- one client address's next request gets 429 with Retry-After, written here before anything of it is
  parsed and before the app runs, and its connection is closed, while in this worker that address has
  CLIENT_UNREAD_ANSWERS connections whose answers wait here for it to read them, or CLIENT_UNSENT_BYTES of
  such answers: 300 clients that never read their answers cost a canned line each, not an app's request,
  and what their answers hold is bounded in bytes (a pipelined request past a limit resets its connection);
- one address's requests whose answers have not started are at most CLIENT_REQUESTS_AT_ONCE in this
  worker: its next one waits, unparsed and with reading paused on its connection (the bytes already read
  counted with the bodies held, above), until one of them starts its answer, so other addresses' requests
  go first (a burst of 300 from one computer reached the app at once, ~5 ms each). An event stream has
  started its answer: it does not count. A request left waiting IDLE_SECONDS is closed;
- an answer sent before its request's body has all arrived (a 413) closes the connection.

FastAPI counts the body's own bytes (max_body_size) and answers 413 above MAX_BODY_BYTES.
tests/test_hostile.py fails if a uvicorn upgrade renames or removes what this class overrides or reads.
"""

import asyncio
import contextlib
import fcntl
import socket
import struct
import termios
from collections import Counter, defaultdict, deque

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from backend import settings


def count_of(counter: Counter, key: str, change: int) -> None:
    """Adds `change` to counter[key], forgetting keys that reach zero (the counters live as long as the worker)."""
    if change:
        counter[key] += change
        if counter[key] <= 0:
            del counter[key]


class TooManyPipelined(Exception):
    """Raised from a parser callback to stop parsing a connection that was cut (uvicorn then closes it)."""


REASONS = {413: "Content Too Large", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
           503: "Service Unavailable"}


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    # Request bodies this worker holds, over all its connections and by client address (bytes).
    held_total = 0
    held_by_client: Counter = Counter()
    # By client address: requests being answered (head in, answer not complete); connections whose answers
    # wait in this process for the client to read (writing paused), and those answers' bytes.
    in_flight_by_client: Counter = Counter()
    parked_by_client: dict[str, deque] = defaultdict(deque)  # connections whose next request waits its turn
    paused_by_client: Counter = Counter()
    unsent_by_client: Counter = Counter()

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self.head_bytes = 0
        self.reading_head = True
        self.request_bytes = 0  # raw bytes after the current head: body, chunk framing, trailers
        self.held = 0           # this connection's share of held_total
        self.in_flight = 0      # this connection's share of in_flight_by_client
        self.unsent_held = 0    # this connection's share of unsent_by_client (paused_by_client: whether > 0)
        self.parked: bytes | None = None  # what was read of a request waiting its turn (counted in held_*)
        self.unparking = False
        self.deadline: asyncio.TimerHandle | None = None
        self.write_deadline: asyncio.TimerHandle | None = None
        self.set_deadline(settings.IDLE_SECONDS)
        # The kernel would otherwise queue up to 4 MB for a client that does not read; bounded, the rest of an
        # answer waits in the transport, where the write deadline sees it.
        with contextlib.suppress(OSError, AttributeError):
            self.socket().setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, settings.SEND_BUFFER_BYTES)

    def socket(self):
        return self.transport.get_extra_info("socket")

    def unsent(self) -> int:
        """Bytes of answers the client has not taken yet: in this process and in the kernel."""
        queued = self.transport.get_write_buffer_size()
        with contextlib.suppress(OSError, AttributeError, TypeError, ValueError):  # ValueError: a closed socket
            queued += struct.unpack("i", fcntl.ioctl(self.socket().fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        return queued

    # -- deadlines --------------------------------------------------------------------------
    def set_deadline(self, seconds: float | None) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline = None if seconds is None else self.loop.call_later(seconds, self.deadline_passed)

    def deadline_passed(self) -> None:
        self.deadline = None
        self.close_or_cut()

    def timeout_keep_alive_handler(self) -> None:  # uvicorn's idle close between requests
        self.close_or_cut()

    def close_or_cut(self) -> None:
        """Closes; cuts instead when the client left answers unread: a close would wait for it to read."""
        if self.transport.is_closing():
            return
        if self.unsent():
            self.cut()
        else:
            self.close()

    def pause_writing(self) -> None:
        super().pause_writing()
        self.drained()
        queued = self.transport.get_write_buffer_size()  # writers wait now: nothing is added until resumed
        cls, client = GuardedHttpToolsProtocol, self.client_address()
        count_of(cls.paused_by_client, client, 1)
        count_of(cls.unsent_by_client, client, queued or 1)
        self.unsent_held = queued or 1
        if self.write_deadline is None:
            self.watch_writes(self.unsent())

    def watch_writes(self, unsent_before: int) -> None:
        """While answers wait for the client, it must take WRITE_MIN_BYTES of them every WRITE_SECONDS."""
        def check() -> None:
            unsent = self.unsent()
            if unsent_before - unsent < settings.WRITE_MIN_BYTES:
                self.cut()
            else:
                self.watch_writes(unsent)
        self.write_deadline = self.loop.call_later(settings.WRITE_SECONDS, check)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.write_deadline is not None:
            self.write_deadline.cancel()
            self.write_deadline = None
        self.drained()

    def close(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def cut(self) -> None:
        """Drops the connection and what is queued for it, in this process and in the kernel (a reset):
        a client that stopped reading gets nothing more and holds nothing."""
        with contextlib.suppress(OSError, AttributeError):
            self.socket().setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.set_deadline(None)
        if self.write_deadline is not None:
            self.write_deadline.cancel()
            self.write_deadline = None
        self.release()
        self.drained()
        if self.parked is not None:
            self.keep(-len(self.parked))
            self.parked = None
            with contextlib.suppress(ValueError):
                GuardedHttpToolsProtocol.parked_by_client[self.client_address()].remove(self)
        self.answered(self.in_flight)
        super().connection_lost(exc)

    # -- what arrives -----------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.parked is not None:  # read before reading paused (or resumed by uvicorn): waits with the rest
            self.park(data)
            return
        body = len(data)
        if self.reading_head:
            if self.head_bytes == 0 and self.busy_client():
                self.refuse(429, "this computer has many answers it has not read; "
                                 "send the next when you have read them")
                return
            if (self.head_bytes == 0 and not self.unparking and GuardedHttpToolsProtocol.in_flight_by_client[
                    self.client_address()] >= settings.CLIENT_REQUESTS_AT_ONCE):
                self.park(data)
                return
            if self.head_bytes == 0:
                self.set_deadline(settings.HEADER_SECONDS)
                self.request_bytes = 0
            end = data.find(b"\r\n\r\n")  # a read may hold the end of the head and the start of a body
            self.head_bytes += len(data) if end < 0 else end + 4
            if self.head_bytes > settings.MAX_HEADER_BYTES:
                self.refuse(431, f"request head over {settings.MAX_HEADER_BYTES:,} bytes")
                return
            body = 0 if end < 0 else len(data) - end - 4
        if body and not self.hold(body):
            return
        super().data_received(data)

    def hold(self, count: int) -> bool:
        """Counts `count` more bytes of this request's body; False (and the connection refused) when they
        pass the request's own limit or what the worker may hold for all connections or for this client."""
        self.request_bytes += count
        if self.request_bytes > 2 * settings.MAX_BODY_BYTES + settings.MAX_HEADER_BYTES:
            self.refuse(413, f"request body over the limit of {settings.MAX_BODY_BYTES:,} bytes")
            return False
        if not self.keep(count):
            return False
        self.held += count
        return True

    def keep(self, count: int) -> bool:
        """Counts `count` more bytes (fewer, when negative) held for this client; False (and the connection
        refused) when that passes what the worker may hold for all connections or for this client."""
        cls, client = GuardedHttpToolsProtocol, self.client_address()
        if count > 0 and (cls.held_total + count > settings.BODY_BYTES_HELD
                          or cls.held_by_client[client] + count > settings.CLIENT_BODY_BYTES_HELD):
            self.refuse(503, "the server is receiving too many request bodies at once; try again in a moment")
            return False
        cls.held_total += count
        count_of(cls.held_by_client, client, count)
        return True

    def park(self, data: bytes) -> None:
        """This connection's next request waits until one of its client's requests starts its answer."""
        if not self.keep(len(data)):
            return
        if self.parked is None:
            self.parked = data
            self.flow.pause_reading()
            GuardedHttpToolsProtocol.parked_by_client[self.client_address()].append(self)
        else:
            self.parked += data

    def unpark(self) -> None:
        if self.parked is None or self.transport.is_closing():
            return
        data, self.parked = self.parked, None
        self.keep(-len(data))
        self.flow.resume_reading()
        self.unparking = True
        try:
            self.data_received(data)
        finally:
            self.unparking = False

    def release(self) -> None:
        if self.held:
            cls, client = GuardedHttpToolsProtocol, self.client_address()
            cls.held_total -= self.held
            count_of(cls.held_by_client, client, -self.held)
            self.held = 0

    def busy_client(self) -> bool:
        """Whether this connection's client address is at one of its limits in this worker."""
        cls, client = GuardedHttpToolsProtocol, self.client_address()
        return (cls.paused_by_client[client] >= settings.CLIENT_UNREAD_ANSWERS
                or cls.unsent_by_client[client] >= settings.CLIENT_UNSENT_BYTES)

    def answered(self, requests: int) -> None:
        """`requests` of this connection's requests have started their answers (or never will): as many of
        its client's waiting requests may go on."""
        requests = min(requests, self.in_flight)  # an answer starting after its connection was lost
        self.in_flight -= requests
        cls, client = GuardedHttpToolsProtocol, self.client_address()
        count_of(cls.in_flight_by_client, client, -requests)
        parked = cls.parked_by_client.get(client)
        while parked and requests:
            waiting = parked.popleft()
            if waiting.parked is not None and not waiting.transport.is_closing():
                self.loop.call_soon(waiting.unpark)
                requests -= 1
        if parked is not None and not parked:
            del cls.parked_by_client[client]

    def drained(self) -> None:
        """What this connection had waiting in this process has gone (to the kernel, or with the connection)."""
        if self.unsent_held:
            cls, client = GuardedHttpToolsProtocol, self.client_address()
            count_of(cls.paused_by_client, client, -1)
            count_of(cls.unsent_by_client, client, -self.unsent_held)
            self.unsent_held = 0

    def client_address(self) -> str:
        return self.client[0] if self.client else ""

    def refuse(self, status: int, message: str) -> None:
        """Answers `status` with `message` and closes, unless an answer has started (then only closes)."""
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            text = message.encode()
            retry = b"retry-after: 1\r\n" if status in (429, 503) else b""
            self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                 b"content-length: %d\r\nconnection: close\r\n%s\r\n%s"
                                 % (status, REASONS[status].encode(), len(text), retry, text))
        self.close()

    # -- parser callbacks ---------------------------------------------------------------------
    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.set_deadline(settings.BODY_SECONDS)
        pipelined = self.cycle is not None and not self.cycle.response_complete
        if len(self.pipeline) >= settings.MAX_PIPELINED or (pipelined and self.busy_client()):
            # browsers never pipeline; this client queued more than a worker should hold (a request that
            # starts a read was checked in data_received, with a readable 429)
            self.cut()
            raise TooManyPipelined  # stops the parser: the rest of what was read is not parsed
        before = self.cycle
        super().on_headers_complete()
        if self.cycle is not before:  # a request to answer (started or queued), not an upgrade
            self.watch_start(self.cycle)

    def watch_start(self, cycle) -> None:
        """Counts the request until its answer starts (uvicorn has no callback for that: its send is wrapped)."""
        self.in_flight += 1
        count_of(GuardedHttpToolsProtocol.in_flight_by_client, self.client_address(), 1)
        send = cycle.send

        async def send_and_count(message) -> None:
            if message["type"] == "http.response.start":
                self.answered(1)
            await send(message)
        cycle.send = send_and_count

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.reading_head:  # after the head: a chunked body's trailers, counted above and not kept
            super().on_header(name, value)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.set_deadline(None)  # the app has the whole request; the next head starts a new count
        self.reading_head = True
        self.head_bytes = 0

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.reading_head:
            self.close()  # answered (413, say) before the body ended: the rest is not worth reading
        elif not self.pipeline:
            self.release()
