"""The FastAPI application: API routers, errors mapped to HTTP once, gzip, security headers, the pages."""

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend import settings
from backend.compression import NegotiatedGZipMiddleware
from backend.docs import add_offline_docs
from backend.errors import add_error_handlers
from backend.lifecycle import stop_with_supervisor
from backend.liveclass import LiveClass
from backend.long_work import LongWork
from backend.middleware import SecurityHeadersMiddleware
from backend.routes import bpe as bpe_routes
from backend.routes import explorer as explorer_routes
from backend.routes import live as live_routes
from backend.routes import runs as runs_routes
from backend.routes import share as share_routes
from backend.routes import tokenize as tokenize_routes
from backend.routes import train as train_routes
from backend.runs import RunRegistry
from backend.statestore import StateConfig, state_config
from backend.tokenizers import ReferenceTokenizers, TokenizerRegistry, prepare_kernel_in_background
from backend.train_jobs import JobStore
from backend.train_queue import TrainingQueue, jobs_path
from backend.training_pool import TrainingPool
from trainer.bpe.gpt_tokenizers import REFERENCE_DIR, REFERENCE_DIR_ENV
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, PROJECT_ROOT

FRONTEND_DIR = PROJECT_ROOT / "frontend"


def create_app(runs_dir: Path = DEFAULT_RUNS_DIR, tokenizers_dir: Path = DEFAULT_TOKENIZERS_DIR,
               frontend_dir: Path = FRONTEND_DIR, state: StateConfig | None = None) -> FastAPI:
    # No OpenTelemetry: the app runs offline, and FastAPI's check for a configured provider costs time on every request.
    # max_body_size: FastAPI counts body bytes as they arrive (chunked bodies too) and stops at the limit.
    app = FastAPI(title="wordlab", version="1.0", telemetry={"tracing": False, "metrics": False, "logs": False},
                  description="Recorded skip-gram runs, live BPE tokenization, and embedding queries.",
                  docs_url=None, redoc_url=None,  # add_offline_docs: FastAPI's pages need CDNs
                  max_body_size=settings.MAX_BODY_BYTES)
    app.state.runs = RunRegistry(Path(runs_dir))
    app.state.tokenizers = TokenizerRegistry(Path(tokenizers_dir))
    app.state.references = ReferenceTokenizers(Path(os.environ.get(REFERENCE_DIR_ENV, REFERENCE_DIR)))
    app.state.corpora_dir = PROJECT_ROOT / "data" / "corpora"
    app.state.training_pool = TrainingPool()
    app.router.on_shutdown.append(app.state.training_pool.close)
    app.state.long_work = LongWork()  # long texts to encode wait their turn (backend/long_work.py)
    app.state.live = LiveClass(state or state_config())  # the live class: WORDLAB_STATE, else data/state/
    app.state.train_jobs = JobStore(jobs_path(app.state.live.config))  # runs trained from the page (opened lazily)
    app.state.train_queue = TrainingQueue(app.state.live.config)  # Huey: `wordlab worker` takes the jobs (lazily)

    app.add_middleware(NegotiatedGZipMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    add_error_handlers(app)

    @app.get("/api/health", tags=["meta"])
    async def health() -> dict:
        return {"status": "ok"}

    app.include_router(explorer_routes.router)
    app.include_router(runs_routes.router)
    app.include_router(tokenize_routes.router)
    app.include_router(bpe_routes.router)
    app.include_router(share_routes.router)
    app.include_router(live_routes.router)
    app.include_router(train_routes.router)
    add_offline_docs(app)
    if Path(frontend_dir).is_dir():
        app.mount("/", StaticFiles(directory=frontend_dir, html=True), name="frontend")
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (each worker builds its own app): directories from the environment."""
    stop_with_supervisor()
    app = create_app(Path(os.environ.get("WORDLAB_RUNS_DIR", DEFAULT_RUNS_DIR)),
                     Path(os.environ.get("WORDLAB_TOKENIZERS_DIR", DEFAULT_TOKENIZERS_DIR)))
    prepare_kernel_in_background(app.state.tokenizers)
    return app
