"""uvicorn's httptools protocol with the limits a server open to a classroom LAN needs.

uvicorn bounds neither the size of a request's head nor the time it may take to arrive, and a
connection that has sent part of a request is never closed: one client could hold a worker's
memory or all its file descriptors. This protocol (given to uvicorn as its `http` class) adds:

- a head (request line and headers) over MAX_HEADER_BYTES → 431, connection closed;
- one deadline per connection: IDLE_SECONDS while no request is coming, HEADER_SECONDS once a
  head has started, BODY_SECONDS once the head is in and its body is still coming; when it passes
  the connection is closed. While the app works on a complete request no deadline runs;
- an answer sent before its request's body has all arrived (a 413) closes the connection.

Body size is the app's to bound (backend/middleware.py counts bytes as they arrive).
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from backend import settings


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    header_bytes_limit = settings.MAX_HEADER_BYTES
    idle_seconds = settings.IDLE_SECONDS
    header_seconds = settings.HEADER_SECONDS
    body_seconds = settings.BODY_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self.head_bytes = 0
        self.reading_head = True
        self.deadline: asyncio.TimerHandle | None = None
        self.set_deadline(self.idle_seconds)

    def set_deadline(self, seconds: float | None) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline = None if seconds is None else self.loop.call_later(seconds, self.deadline_passed)

    def deadline_passed(self) -> None:
        self.deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.set_deadline(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.reading_head:
            if self.head_bytes == 0:
                self.set_deadline(self.header_seconds)
            end = data.find(b"\r\n\r\n")  # a read may hold the end of the head and the start of a body
            self.head_bytes += len(data) if end < 0 else end + 4
            if self.head_bytes > self.header_bytes_limit:
                self.refuse_head()
                return
        super().data_received(data)

    def refuse_head(self) -> None:
        message = f"request head over {self.header_bytes_limit:,} bytes".encode()
        head = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n" % len(message))
        self.transport.write(head + message)
        self.transport.close()

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.set_deadline(self.body_seconds)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.set_deadline(None)  # the app has the whole request; the next head starts a new count
        self.reading_head = True
        self.head_bytes = 0

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.reading_head and not self.transport.is_closing():
            self.transport.close()  # answered (413, say) before the body ended: the rest is not worth reading
        if not self.transport.is_closing() and self.reading_head and self.head_bytes == 0 and self.deadline is None:
            self.set_deadline(self.idle_seconds)
