"""gzip for answers: Starlette's middleware, with the choice of who gets gzip made by `accepts_gzip`
(Accept-Encoding read with its q-values; Starlette tests for the substring "gzip", so `gzip;q=0` and
`notgzip` got gzip)."""

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware, GZipResponder, IdentityResponder

from backend import settings

# Weights (safetensors) barely compress: gzip would cost CPU for a few percent.
EXCLUDED_CONTENT_TYPES = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/octet-stream")


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value (RFC 9110 §12.5.3) accepts gzip: `gzip` or `x-gzip` with a
    quality above 0, else `*` with a quality above 0. A quality that is not a number counts as 0."""
    wildcard = False
    for item in accept_encoding.split(","):
        coding, *params = (part.strip().lower() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding in ("gzip", "x-gzip"):
            return quality > 0
        if coding == "*":
            wildcard = quality > 0
    return wildcard


def accept_encoding(headers: list[tuple[bytes, bytes]]) -> str:
    """Every Accept-Encoding header of an ASGI scope, joined as one list."""
    return ",".join(value.decode("latin-1") for name, value in headers if name == b"accept-encoding")


class NegotiatedGZipMiddleware(GZipMiddleware):
    """Starlette's gzip middleware (content-type exclusions, streaming, large bodies compressed in a
    thread, Vary) for the clients that accept gzip; the others get the same answer uncompressed."""

    def __init__(self, app):
        super().__init__(app, minimum_size=settings.GZIP_MINIMUM_SIZE, compresslevel=settings.GZIP_LEVEL,
                         exclude_content_types=EXCLUDED_CONTENT_TYPES)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if accepts_gzip(accept_encoding(scope["headers"])):
            responder = GZipResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                      thread_minimum_size=self.thread_minimum_size,
                                      exclude_content_types=self.exclude_content_types)
        else:
            responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=self.exclude_content_types)
        await responder(scope, receive, send)
