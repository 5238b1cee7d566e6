"""The one place where errors become HTTP answers: domain errors by kind, validation errors bounded."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from backend import settings
from backend.jsonresponse import OrjsonResponse
from trainer.errors import Broken, NotFound, WordlabError


class Unsupported(WordlabError):
    """The thing exists, but this question cannot be asked of it (e.g. a step's W in a corpus run)."""


class TooLarge(WordlabError):
    """The request is over one of the server's limits."""


class TooManyRequests(WordlabError):
    """This client has too much work in progress already (answered with Retry-After)."""


class Busy(WordlabError):
    """The worker has too much work waiting (answered with Retry-After)."""


class Exists(WordlabError):
    """Something by that name exists already and is not replaced (a saved tokenizer)."""


STATUS = {NotFound: 404, Broken: 409, Unsupported: 409, TooLarge: 413, TooManyRequests: 429, Busy: 503, Exists: 409}


def clipped(text: str, limit: int | None = None) -> str:
    limit = limit or settings.MAX_ERROR_TEXT
    return text if len(text) <= limit else text[:limit] + "…"


def validation_detail(errors: list[dict]) -> dict:
    """At most MAX_ERROR_ITEMS problems, each clipped, and how many were left out: a body of 70,000 bad
    ids must not get an answer of megabytes."""
    shown = [{"loc": [clipped(str(p)) for p in e.get("loc", ())][:8],
              "msg": clipped(str(e.get("msg", "invalid")) + (f": {e['ctx']['error']}" if "error" in e.get("ctx", {})
                                                            else ""))}
             for e in errors[:settings.MAX_ERROR_ITEMS]]
    parts = [f"{'.'.join(item['loc'])}: {item['msg']}" if item["loc"] else item["msg"] for item in shown]
    left_out = len(errors) - len(shown)
    if left_out:
        parts.append(f"and {left_out:,} more")
    return {"message": "; ".join(parts), "errors": shown, "left_out": left_out}


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return OrjsonResponse(status_code=422, content={"detail": validation_detail(exc.errors())})

    @app.exception_handler(WordlabError)
    async def domain_error(request: Request, exc: WordlabError):
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        message = clipped(str(exc), settings.MAX_ERROR_MESSAGE)  # names are clipped where they are quoted too
        retry = {"Retry-After": "1"} if status in (429, 503) else None
        return OrjsonResponse(status_code=status, content={"detail": {"message": message, **exc.extra}}, headers=retry)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        if exc.status_code == 413:
            detail = {"message": f"request body over the limit of {settings.MAX_BODY_BYTES:,} bytes"}
        return OrjsonResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return OrjsonResponse(status_code=500, content={"detail": {
            "message": f"internal error ({type(exc).__name__}); please report it"}})
