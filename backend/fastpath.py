"""The three requests a classroom sends most (tokenize, neighbours, run files), answered in front of
the FastAPI app, without its middleware stack, routing, dependency solving and body parsing.

Measured on 2 cores (README): that machinery cost about 0.15 ms a request, as much as the work of a
neighbours query, and it is what made 50 clients queue. This layer parses the request with the same
pydantic models and calls the same route functions, so a successful answer is the one the app
would send, byte for byte, gzip included. Everything else goes to the app untouched: other routes,
odd content types, a body over the limit, invalid JSON, validation errors, an unknown run or word,
any exception. This layer never answers an error itself. tests/test_fastpath.py checks both halves.
"""

from urllib.parse import parse_qsl

import orjson
from fastapi import FastAPI, Request

from backend.compression import first_header, gzip_response
from backend.limits import MAX_BODY_BYTES
from backend.routes.runs import neighbors, run_file
from backend.routes.tokenize import tokenize
from backend.schemas import NeighboursQuery, TokenizeRequest

RUNS_PREFIX = "/api/runs/"


def plain_json_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """A JSON body with a length within the limit: what FastAPI would parse as JSON and accept."""
    content_type, length = first_header(headers, b"content-type"), first_header(headers, b"content-length")
    return (content_type is not None and content_type.split(b";", 1)[0].strip().lower() == b"application/json"
            and length is not None and length.isdigit() and int(length) <= MAX_BODY_BYTES)


async def read_body(receive) -> bytes | None:
    """The whole request body, or None when the client went away before sending it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive):
    """A receive callable that hands the already-read body to the app again, then the real messages."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replayed


def single_values(query_string: bytes) -> dict[str, str] | None:
    """Query parameters as Starlette parses them; None when one is repeated (left to FastAPI's rules)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    params = dict(pairs)
    return params if len(params) == len(pairs) else None


class FastPath:
    """ASGI app in front of the FastAPI app; `app.state` gives it the same run and tokenizer registries."""

    def __init__(self, app: FastAPI):
        self.app = app
        self.runs = app.state.runs
        self.tokenizers = app.state.tokenizers

    async def __call__(self, scope, receive, send):
        response = None
        if scope["type"] == "http" and not scope.get("root_path"):
            method, path = scope["method"], scope["path"]
            if method == "POST" and path == "/api/tokenize" and plain_json_body(scope["headers"]):
                body = await read_body(receive)
                if body is None:
                    return
                receive = replay(body, receive)
                response = await self.answer(self.tokenize, body)
            elif method == "GET" and path.startswith(RUNS_PREFIX):
                response = await self.answer(self.run_get, scope, path[len(RUNS_PREFIX):])
        if response is None:
            await self.app(scope, receive, send)
        else:
            await gzip_response(response, scope["headers"])(scope, receive, send)

    @staticmethod
    async def answer(handler, *args):
        """The handler's response, or None for the app to answer (errors included: it knows how)."""
        try:
            return await handler(*args)
        except Exception:
            return None

    async def tokenize(self, body: bytes):
        return await tokenize(TokenizeRequest.model_validate(orjson.loads(body)), self.tokenizers)

    async def run_get(self, scope, rest: str):
        """`{run}/neighbors` and `{run}/files/{path}`, matched as Starlette's `{run}` and `{path:path}` are."""
        run, _, tail = rest.partition("/")
        if not run:
            return None
        if tail == "neighbors":
            params = single_values(scope["query_string"])
            return None if params is None else await neighbors(run, NeighboursQuery.model_validate(params), self.runs)
        if tail.startswith("files/"):
            return await run_file(run, tail[len("files/"):], self.runs, Request(scope))
        return None
