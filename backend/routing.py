"""The route class every API router uses: JSON bodies parsed by orjson.

Python's json module reads invalid UTF-8 or a deeply nested body as an exception FastAPI answers
with a bare 400 "There was an error parsing the body". orjson refuses both with a JSONDecodeError
(its subclass of json's), which FastAPI turns into a 422 that says what is wrong; it is also faster.
"""

from collections.abc import Callable

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute


class OrjsonRequest(Request):
    async def json(self):
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class OrjsonRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def with_orjson_request(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive))
        return with_orjson_request
