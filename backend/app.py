"""The FastAPI application: API routers, JSON errors for every failure, gzip, and the static pages."""

import os
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from backend.compression import IsalGZipMiddleware
from backend.docs import add_offline_docs
from backend.fastpath import FastPath
from backend.jsonresponse import OrjsonResponse
from backend.limits import MAX_BODY_BYTES, BodyLimitMiddleware
from backend.routes import explorer as explorer_routes
from backend.routes import runs as runs_routes
from backend.routes import tokenize as tokenize_routes
from backend.runs import RunRegistry
from backend.tokenizers import TokenizerRegistry
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, PROJECT_ROOT

FRONTEND_DIR = PROJECT_ROOT / "frontend"


def readable(errors: list[dict]) -> str:
    """'body.text: Field required; query.k: Input should be less than or equal to 100'."""
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", "invalid"))
    return "; ".join(parts)


def create_app(runs_dir: Path = DEFAULT_RUNS_DIR, tokenizers_dir: Path = DEFAULT_TOKENIZERS_DIR,
               frontend_dir: Path = FRONTEND_DIR) -> FastAPI:
    # No OpenTelemetry: the app runs offline, and FastAPI's check for a configured provider costs ~15 µs a request.
    app = FastAPI(title="wordlab", version="1.0", telemetry={"tracing": False, "metrics": False, "logs": False},
                  description="Recorded skip-gram runs, live BPE tokenization, and embedding queries.",
                  docs_url=None, redoc_url=None)  # add_offline_docs: FastAPI's pages need CDNs
    app.state.runs = RunRegistry(Path(runs_dir))
    app.state.tokenizers = TokenizerRegistry(Path(tokenizers_dir))

    app.add_middleware(IsalGZipMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        return OrjsonResponse(status_code=422, content={"detail": {
            "message": readable(errors),
            "errors": [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors]}})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        return OrjsonResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return OrjsonResponse(status_code=500, content={"detail": {
            "message": f"internal error ({type(exc).__name__}); please report it"}})

    @app.get("/api/health", tags=["meta"])
    async def health() -> dict:
        return {"status": "ok"}

    app.include_router(explorer_routes.router)
    app.include_router(runs_routes.router)
    app.include_router(tokenize_routes.router)
    add_offline_docs(app)
    if Path(frontend_dir).is_dir():
        app.mount("/", StaticFiles(directory=frontend_dir, html=True), name="frontend")
    return app


def serving_app(runs_dir: Path = DEFAULT_RUNS_DIR, tokenizers_dir: Path = DEFAULT_TOKENIZERS_DIR,
                fast_path: bool = True):
    """What the server runs: the app behind the fast path (`fast_path=False`: the app alone, for the
    equivalence tests and bench/load.py's comparison)."""
    app = create_app(runs_dir, tokenizers_dir)
    return FastPath(app) if fast_path else app


def app_from_env():
    """Factory for `uvicorn --factory` with several workers: directories come from the environment;
    WORDLAB_FAST_PATH=0 turns the fast path off (for benchmarks)."""
    return serving_app(Path(os.environ.get("WORDLAB_RUNS_DIR", DEFAULT_RUNS_DIR)),
                       Path(os.environ.get("WORDLAB_TOKENIZERS_DIR", DEFAULT_TOKENIZERS_DIR)),
                       fast_path=os.environ.get("WORDLAB_FAST_PATH", "1") != "0")
