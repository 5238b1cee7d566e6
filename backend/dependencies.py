"""Shared state handed to routes by FastAPI's dependency injection.

Routes and dependencies are `async def` on purpose: their work is short and CPU-bound (well under
a millisecond once a run is cached), and plain `def` would run each in a thread pool, where the
event loop and the worker threads contend for the GIL (5 ms switch interval) and stretch the
latency tail (measured: bench/load.py, README).
"""

from fastapi import Request

from backend.long_work import LongWork
from backend.runs import RunRegistry
from backend.tokenizers import ReferenceTokenizers, TokenizerRegistry


async def get_runs(request: Request) -> RunRegistry:
    return request.app.state.runs


async def get_tokenizers(request: Request) -> TokenizerRegistry:
    return request.app.state.tokenizers


async def get_references(request: Request) -> ReferenceTokenizers:
    return request.app.state.references


async def get_long_work(request: Request) -> LongWork:
    return request.app.state.long_work
