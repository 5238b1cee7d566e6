"""gzip inflated within a limit: a run's `.json.gz` file is untrusted, and 2 MB can inflate to 2 GiB.

Every decompression the server does goes through here with the limit of the file's kind
(backend/settings.py MAX_INFLATED_BYTES); over it, or corrupt, raises InflateError.
"""

import zlib
from collections.abc import Iterable, Iterator

GZIP_CONTAINER = 16 + zlib.MAX_WBITS
PIECE = 64 << 10  # output bytes per piece when streaming


class InflateError(ValueError):
    """The data is not one whole gzip member, or inflates past its limit."""


def inflate_pieces(blocks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The inflated data in pieces of at most PIECE bytes; InflateError past `limit` bytes in all,
    for corrupt or truncated data, or for data after the gzip member."""
    inflater, total = zlib.decompressobj(GZIP_CONTAINER), 0
    try:
        for block in blocks:
            if inflater.eof:
                if block:
                    raise InflateError("data after the end of the gzip stream")
                continue
            while block:
                piece = inflater.decompress(block, PIECE)
                total += len(piece)
                if total > limit:
                    raise InflateError(f"inflates to more than {limit:,} bytes")
                yield piece
                block = inflater.unconsumed_tail
                if inflater.eof and inflater.unused_data:
                    raise InflateError("data after the end of the gzip stream")
    except zlib.error as err:
        raise InflateError(f"not valid gzip ({err})") from None
    if not inflater.eof:
        raise InflateError("the gzip stream is truncated")


def inflate(data: bytes, limit: int) -> bytes:
    return b"".join(inflate_pieces([data], limit))


def inflated_size(blocks: Iterable[bytes], limit: int) -> int:
    """What the data inflates to, counted without keeping it (InflateError as inflate_pieces)."""
    return sum(map(len, inflate_pieces(blocks, limit)))


def file_blocks(path, block: int = 1 << 20) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(block):
            yield chunk
