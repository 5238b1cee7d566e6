"""orjson-encoded responses for raw dicts (recorded steps, errors): numpy-aware and fast."""

import orjson
from fastapi import Response


class OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
