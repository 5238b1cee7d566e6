"""HTTP responses for run files: ETag revalidation, long caching for versioned URLs, gzip passthrough.

Run files never change once written. A URL carrying `?v=<etag>` (the pages build them from the
manifest's hashes) is cached for a year as immutable; a bare URL is revalidated with its ETag.
Pre-compressed `.json.gz` files go out as they are with Content-Encoding: gzip.
"""

import gzip

from fastapi import Request, Response

from backend.runs import RunFile

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def media_type(relpath: str) -> str:
    return "application/json" if relpath.endswith((".json", ".json.gz")) else "application/octet-stream"


def file_response(request: Request, relpath: str, f: RunFile) -> Response:
    etag = f'"{f.etag}"'
    headers = {"ETag": etag, "Vary": "Accept-Encoding",
               "Cache-Control": IMMUTABLE if request.query_params.get("v") == f.etag else REVALIDATE}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    body = f.data
    if f.gzipped:
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
        else:
            body = gzip.decompress(body)
    return Response(body, media_type=media_type(relpath), headers=headers)
