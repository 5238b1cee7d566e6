"""HTTP responses for run files: ETag revalidation, long caching for versioned URLs, gzip passthrough.

Run files never change once written. A URL carrying `?v=<etag>` (the pages build them from the
manifest's hashes) is cached for a year as immutable; a bare URL is revalidated with its ETag
(If-None-Match as RFC 9110 reads it: `*`, a list, weak tags). Pre-compressed `.json.gz` files go out
as they are with Content-Encoding: gzip; a client that does not accept gzip gets them inflated as a
stream (within the file's limit), never whole in memory. Files too large to keep in memory are
streamed from disk.
"""

from fastapi import Request, Response
from fastapi.responses import FileResponse, StreamingResponse

from backend.compression import accepts_gzip
from backend.inflate import PIECE, file_blocks, inflate_pieces
from backend.runs import RunFile, inflate_limit

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def media_type(relpath: str) -> str:
    return "application/json" if relpath.endswith((".json", ".json.gz")) else "application/octet-stream"


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names this (strong, quoted) ETag: `*`, or any tag of its list compared
    weakly (`W/"x"` matches `"x"`), as RFC 9110 §13.1.2 says for GET."""
    if if_none_match is None:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def file_response(request: Request, relpath: str, f: RunFile) -> Response:
    etag = f'"{f.etag}"'
    headers = {"ETag": etag, "Vary": "Accept-Encoding",
               "Cache-Control": IMMUTABLE if request.query_params.get("v") == f.etag else REVALIDATE}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    kind = media_type(relpath)
    if f.gzipped and not accepts_gzip(request.headers.get("accept-encoding", "")):
        blocks = [f.data] if f.data is not None else file_blocks(f.path, PIECE)
        return StreamingResponse(inflate_pieces(blocks, inflate_limit(relpath)), media_type=kind, headers=headers)
    if f.gzipped:
        headers["Content-Encoding"] = "gzip"
    if f.data is None:
        return FileResponse(f.path, media_type=kind, headers=headers)
    return Response(f.data, media_type=kind, headers=headers)
