"""Reading from disk never happens on the event loop: a query is first tried on the loop with whatever
is in memory, and if it needs anything loaded (a cache miss, a registry entry to read) it runs again,
whole, in the worker's loading thread.

One loading thread per worker: loads are serialized, so the transient memory of parsing untrusted
files (bounded per file by backend/settings.py) is counted once, and the loop competes for the GIL
with one thread at most. Queries must be safe to run twice: they only read.
"""

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")

_ON_LOOP = contextvars.ContextVar("wordlab_on_loop", default=False)
_LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wordlab-loading")


class Cold(Exception):
    """Something the query needs is not in memory (raised only while it is tried on the loop)."""


def check_may_load() -> None:
    """Called before anything is read from disk: raises Cold during a query's try on the event loop."""
    if _ON_LOOP.get():
        raise Cold


async def off_loop_when_loading(query: Callable[..., Result], *args) -> Result:
    """query(*args), on the event loop when it reads only what is in memory, else in the loading thread."""
    token = _ON_LOOP.set(True)
    try:
        return query(*args)
    except Cold:
        pass
    finally:
        _ON_LOOP.reset(token)
    return await asyncio.get_running_loop().run_in_executor(_LOADER, functools.partial(query, *args))
