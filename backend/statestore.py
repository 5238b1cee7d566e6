"""Where the server keeps state that every worker process must see, and how to connect to it.

One place for the choice, so that each feature that needs shared, durable server-side state (the live
classroom, backend/livestore.py; a training job queue later) connects the same way and is configured once:

- default, no setup: SQLite files under data/state/ in WAL mode. Every uvicorn worker of one machine opens
  the same file; a committed write survives a worker crash or a server restart (synchronous=NORMAL: only a
  power cut may lose the last transactions). One file per feature (`sqlite_connection(config, "live")` is
  data/state/live.sqlite3), so one feature's writes never wait on another's lock.
- `WORDLAB_STATE=redis://host:6379/0`: a Redis server, for a class served by several machines behind a load
  balancer. Each feature keeps its keys under `config.prefix + feature + ":"` and may use pub/sub.
- `WORDLAB_STATE=/some/dir`: SQLite files in that directory (tests, or a disk other than the project's).

A feature builds its own tables or keys on these connections; nothing else here knows about them. For
SQLite, `SqliteWriter` runs a feature's writes off the event loop and commits the writes that arrive
together in one transaction (a worker never blocks on another's lock, and a burst costs few commits).
"""

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from backend import settings
from trainer.config import PROJECT_ROOT

DEFAULT_STATE_DIR = PROJECT_ROOT / "data" / "state"


@dataclass(frozen=True)
class StateConfig:
    kind: str                    # "sqlite" | "redis"
    directory: Path | None = None
    redis_url: str | None = None
    prefix: str = "wordlab:"     # Redis keys and channels start with this

    def describe(self) -> str:
        return f"Redis at {self.redis_url}" if self.kind == "redis" else f"SQLite under {self.directory}"


def state_config(value: str | None = None) -> StateConfig:
    """The configuration WORDLAB_STATE (or `value`) names; data/state/ when it names none."""
    value = os.environ.get(settings.STATE_ENV) if value is None else value
    if not value:
        return StateConfig("sqlite", directory=DEFAULT_STATE_DIR)
    if value.startswith(("redis://", "rediss://", "unix://")):
        return StateConfig("redis", redis_url=value)
    return StateConfig("sqlite", directory=Path(value))


def sqlite_connection(config: StateConfig, feature: str, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection to `feature`'s SQLite file, created readable by this user only, in WAL mode (readers never
    wait for the writer, and each worker sees the others' commits), waiting up to STATE_BUSY_SECONDS for a lock."""
    config.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = config.directory / f"{feature}.sqlite3"
    if not path.exists():
        path.touch(mode=0o600)
    connection = sqlite3.connect(path, timeout=settings.STATE_BUSY_SECONDS, isolation_level=None,
                                 check_same_thread=check_same_thread)
    wal_mode(connection)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def wal_mode(connection: sqlite3.Connection) -> None:
    """Switches the file to WAL, trying again for up to STATE_BUSY_SECONDS: the switch takes a lock SQLite
    does not wait for (no busy timeout), so two connections opening a new file at once (a worker's reader and
    its writer thread, or two workers) failed with "database is locked" in 2-20% of tries under load."""
    deadline = time.monotonic() + settings.STATE_BUSY_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                connection.close()
                raise
            time.sleep(0.005)  # only while another connection switches the same new file (milliseconds)


def redis_client(config: StateConfig, *, asynchronous: bool = True):
    """A Redis client for the configured URL (redis.asyncio's for the server, the blocking one for the CLI).
    The `redis` package is imported here only, so a server on SQLite never loads it."""
    try:
        import redis
        import redis.asyncio
    except ImportError:  # pragma: no cover - redis is a dependency; a broken install says so
        raise RuntimeError("WORDLAB_STATE names a Redis server, but the redis package is not installed "
                           "(pip install redis)") from None
    module = redis.asyncio if asynchronous else redis
    # A bounded pool that waits for a free connection: a burst of requests queues instead of failing.
    pool = module.BlockingConnectionPool.from_url(config.redis_url, max_connections=settings.STATE_REDIS_CONNECTIONS,
                                                  timeout=settings.STATE_BUSY_SECONDS,
                                                  socket_connect_timeout=settings.STATE_BUSY_SECONDS)
    return module.Redis(connection_pool=pool)


class SqliteWriter:
    """A feature's SQLite file for one worker process: `reader()`, a connection for the event loop (WAL: reads
    never wait), and `await write(work, *args)`, which runs work(db, *args) on a thread of its own inside a
    transaction. The writes that arrive while one transaction runs go together in the next (group commit),
    each in a savepoint of its own: one that raises is rolled back alone and its caller gets the exception.
    on_commit() runs on the event loop after each transaction."""

    def __init__(self, config: StateConfig, feature: str, schema: str, on_commit: Callable[[], None] = lambda: None):
        self.config, self.feature, self.schema, self.on_commit = config, feature, schema, on_commit
        self.executor = ThreadPoolExecutor(1, thread_name_prefix=f"{feature}-writer")
        self.writer: sqlite3.Connection | None = None
        self.read_connection: sqlite3.Connection | None = None
        self.pending: list[tuple] = []   # (work, args, future) waiting for the next transaction
        self.pending_lock = threading.Lock()
        self.draining = False            # a batch is queued on the writer thread

    def reader(self) -> sqlite3.Connection:
        if self.read_connection is None:
            db = sqlite_connection(self.config, self.feature)
            db.executescript(self.schema)
            self.read_connection = db
        return self.read_connection

    async def write(self, work, *args):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self.pending_lock:
            self.pending.append((work, args, future))
            start = not self.draining
            self.draining = True
        if start:
            loop.run_in_executor(self.executor, self._drain, loop)
        return await future

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            with self.pending_lock:
                batch, self.pending = self.pending, []
                if not batch:
                    self.draining = False
                    return
            try:
                if self.writer is None:
                    self.writer = sqlite_connection(self.config, self.feature, check_same_thread=False)
                    self.writer.executescript(self.schema)
                outcomes = self._commit(self.writer, batch)
            except (OSError, sqlite3.Error) as err:  # the file cannot be opened: every write waiting fails
                self.writer = None
                outcomes = [(future, None, err) for _, _, future in batch]
            loop.call_soon_threadsafe(self._settle, outcomes)

    @staticmethod
    def _commit(db: sqlite3.Connection, batch: list[tuple]) -> list[tuple]:
        outcomes = []
        try:
            db.execute("BEGIN IMMEDIATE")
            for work, args, future in batch:
                db.execute("SAVEPOINT one")
                try:
                    outcomes.append((future, work(db, *args), None))
                    db.execute("RELEASE one")
                except Exception as err:
                    db.execute("ROLLBACK TO one")
                    db.execute("RELEASE one")
                    outcomes.append((future, None, err))
            db.execute("COMMIT")
        except sqlite3.Error as err:  # the transaction itself failed (a lock held too long, a full disk)
            if db.in_transaction:
                db.execute("ROLLBACK")
            return [(future, None, err) for _, _, future in batch]
        return outcomes

    def _settle(self, outcomes: list[tuple]) -> None:
        for future, result, err in outcomes:
            if future.done():
                continue
            if err is None:
                future.set_result(result)
            else:
                future.set_exception(err)
        self.on_commit()

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for db in (self.read_connection, self.writer):
            if db is not None:
                db.close()
