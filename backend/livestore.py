"""Where a live class is kept: its session, the leader's view, questions and answers, and the numbered
events every page follows. Two stores behind one interface (connections from backend/statestore.py):

- SqliteLiveStore (the default): one file under data/state/ that every worker of the machine opens. Each
  change is one transaction that also appends its event to a log; a worker with event streams open reads
  the log for new events every LIVE_POLL_SECONDS (at once for its own writes).
- RedisLiveStore: keys under `wordlab:live:`, each change one Lua script (atomic, so events are numbered
  and published in one order), events fanned out by pub/sub to every worker of every server.

Events are (seq, kind, data): seq counts up by one across all kinds; kind is "session", "state" or
"question"; data is JSON. An event of a kind replaces the previous one of that kind, so the latest of
each kind is the whole current state (a late joiner's snapshot). Whatever is committed survives a
worker crash or a server restart.
"""

import asyncio
import contextlib
import os
import secrets
import socket
import sqlite3
import time
from typing import NamedTuple

import orjson

from backend import settings
from backend.classroom import ClassConflict, new_instructor_key, question_event
from backend.statestore import SqliteWriter, StateConfig, redis_client, sqlite_connection
from trainer.errors import Broken, NotFound

FEATURE = "live"
WORKER = f"{socket.gethostname()}:{os.getpid()}"


class Event(NamedTuple):
    seq: int
    kind: str
    data: bytes  # JSON


class Secrets(NamedTuple):
    instructor_key: str
    signing: str  # signs anonymous students' tokens


NOT_LIVE = "no class is live: the instructor starts one with “Lead this class”"
ENDED = {"session": None}


def no_question(ask: str) -> NotFound:
    return NotFound(f"no question {ask!r} is being asked in this class")


class LiveStore:
    """The operations a live class needs, each atomic. `follow(feed)` delivers every event to a worker's
    feed (backend/livefeed.py): first the current snapshot, then each new event in seq order.

    The newest event is always the latest of its kind (ending a class drops the others, then publishes the
    session's end), so a snapshot's highest seq is the head of the log at the moment it was read: the feed
    takes its head from the snapshot itself. Reading the head in a second query lost any event committed
    between the two reads (the live class tests caught one in ~1 run in 5 under load)."""

    async def secrets(self) -> Secrets: raise NotImplementedError
    async def latest(self) -> list[Event]: raise NotImplementedError
    async def follow(self, feed) -> None: raise NotImplementedError
    async def question(self, ask: str) -> dict: raise NotImplementedError
    async def start_session(self) -> dict: raise NotImplementedError
    async def end_session(self) -> None: raise NotImplementedError
    async def publish_state(self, view: dict) -> int: raise NotImplementedError
    async def ask(self, question: dict) -> str: raise NotImplementedError
    async def set_status(self, ask: str, status: str) -> None: raise NotImplementedError
    async def answer(self, ask: str, student: str, value: str, nickname: str | None) -> None:
        raise NotImplementedError
    async def publish_question(self, ask: str) -> None: raise NotImplementedError
    async def report_presence(self, streams: int) -> None: raise NotImplementedError
    async def connected(self) -> int: raise NotImplementedError
    async def close(self) -> None: raise NotImplementedError


def new_session() -> dict:
    return {"session": secrets.token_hex(6), "started": round(time.time(), 3)}


STATUS_CHANGES = {("open", "closed"), ("open", "revealed"), ("closed", "revealed"), ("closed", "open")}


def check_change(status: str, wanted: str) -> None:
    if (status, wanted) not in STATUS_CHANGES and status != wanted:
        raise ClassConflict(f"a question that is {status} cannot be {wanted}")


def fresh_presence(rows: list[tuple[int, float]]) -> int:
    """Streams held by the workers that reported within three presence periods (a dead worker drops out)."""
    recent = time.time() - 3 * settings.LIVE_PRESENCE_SECONDS
    return sum(streams for streams, at in rows if at >= recent)


# ---- SQLite ----

SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS latest(kind TEXT PRIMARY KEY, seq INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS current(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions(ask TEXT PRIMARY KEY, body BLOB NOT NULL, status TEXT NOT NULL,
                                     version INTEGER NOT NULL DEFAULT 0, published INTEGER NOT NULL DEFAULT -1);
CREATE TABLE IF NOT EXISTS answers(ask TEXT NOT NULL, student TEXT NOT NULL, value TEXT NOT NULL, nickname TEXT,
                                   PRIMARY KEY(ask, student));
CREATE TABLE IF NOT EXISTS presence(worker TEXT PRIMARY KEY, streams INTEGER NOT NULL, at REAL NOT NULL);
"""


def sqlite_secrets(db: sqlite3.Connection) -> Secrets:
    """The instructor key and the signing secret, made on first use and kept (a restart keeps the key)."""
    for name, make in (("instructor_key", new_instructor_key), ("signing", lambda: secrets.token_urlsafe(32))):
        db.execute("INSERT OR IGNORE INTO secrets VALUES (?, ?)", (name, make()))
    found = dict(db.execute("SELECT name, value FROM secrets"))
    return Secrets(found["instructor_key"], found["signing"])


class SqliteLiveStore(LiveStore):
    """Writes go through statestore's SqliteWriter (a thread of their own, grouped into transactions);
    reads (the poll, the snapshot) run on the loop, which WAL never makes wait."""

    def __init__(self, config: StateConfig):
        self.config = config
        self.database = SqliteWriter(config, FEATURE, SCHEMA, on_commit=self.committed)
        self.written: asyncio.Event | None = None  # set after this worker's own writes: the poll runs at once
        self.questions: dict[str, dict] = {}  # asked questions never change: read each once

    def read(self) -> sqlite3.Connection:
        return self.database.reader()

    async def write(self, work, *args):
        return await self.database.write(work, *args)

    def committed(self) -> None:
        if self.written is not None:
            self.written.set()

    async def secrets(self) -> Secrets:
        return await self.write(sqlite_secrets)

    async def latest(self) -> list[Event]:
        rows = self.read().execute("SELECT seq, kind, data FROM latest ORDER BY seq").fetchall()
        return [Event(*row) for row in rows]

    async def follow(self, feed) -> None:
        self.written = asyncio.Event()
        feed.resync(await self.latest())
        while True:
            rows = self.read().execute("SELECT seq, kind, data FROM events WHERE seq > ? ORDER BY seq LIMIT 1000",
                                       (feed.head,)).fetchall()
            if rows and rows[0][0] != feed.head + 1:  # the log was trimmed past this worker: start again
                feed.resync(await self.latest())
            elif rows:
                feed.deliver([Event(*row) for row in rows])
                if len(rows) == 1000:
                    continue
            self.written.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.LIVE_POLL_SECONDS):
                    await self.written.wait()

    async def question(self, ask: str) -> dict:
        if ask not in self.questions:
            row = self.read().execute("SELECT body FROM questions WHERE ask = ?", (ask,)).fetchone()
            if row is None:
                raise no_question(ask)
            self.questions[ask] = orjson.loads(row[0])
        return self.questions[ask]

    # -- the operations, each one transaction --

    @staticmethod
    def _publish(db: sqlite3.Connection, kind: str, data: dict) -> int:
        blob = orjson.dumps(data)
        seq = db.execute("INSERT INTO events(kind, data) VALUES (?, ?)", (kind, blob)).lastrowid
        db.execute("INSERT OR REPLACE INTO latest VALUES (?, ?, ?)", (kind, seq, blob))
        if seq % 256 == 0:
            db.execute("DELETE FROM events WHERE seq <= ?", (seq - settings.LIVE_LOG_EVENTS,))
        return seq

    @staticmethod
    def _current(db: sqlite3.Connection, name: str) -> str | None:
        row = db.execute("SELECT value FROM current WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    async def start_session(self) -> dict:
        def work(db):
            found = db.execute("SELECT data FROM latest WHERE kind = 'session'").fetchone()
            if self._current(db, "session") is not None and found:
                return orjson.loads(found[0])
            session = new_session()
            db.execute("INSERT OR REPLACE INTO current VALUES ('session', ?)", (session["session"],))
            self._publish(db, "session", session)
            return session
        return await self.write(work)

    async def end_session(self) -> None:
        def work(db):
            if self._current(db, "session") is None:
                return
            db.execute("DELETE FROM current")
            db.execute("DELETE FROM latest WHERE kind != 'session'")
            self._publish(db, "session", ENDED)
        await self.write(work)

    async def publish_state(self, view: dict) -> int:
        def work(db):
            if self._current(db, "session") is None:
                raise ClassConflict(NOT_LIVE)
            return self._publish(db, "state", view)
        return await self.write(work)

    async def ask(self, question: dict) -> str:
        ask = secrets.token_hex(4)

        def work(db):
            if self._current(db, "session") is None:
                raise ClassConflict(NOT_LIVE)
            db.execute("INSERT INTO questions(ask, body, status) VALUES (?, ?, 'open')", (ask, orjson.dumps(question)))
            db.execute("INSERT OR REPLACE INTO current VALUES ('ask', ?)", (ask,))
            self._publish(db, "question", question_event(ask, question, "open", []))
            return ask
        return await self.write(work)

    def _asked(self, db, ask: str) -> tuple[dict, str, int, int]:
        row = db.execute("SELECT body, status, version, published FROM questions WHERE ask = ?", (ask,)).fetchone()
        if row is None or self._current(db, "ask") != ask:
            raise no_question(ask)
        return orjson.loads(row[0]), row[1], row[2], row[3]

    @staticmethod
    def _answers(db, ask: str) -> list[tuple[str, str | None]]:
        return db.execute("SELECT value, nickname FROM answers WHERE ask = ?", (ask,)).fetchall()

    async def set_status(self, ask: str, status: str) -> None:
        def work(db):
            question, was, version, _ = self._asked(db, ask)
            check_change(was, status)
            db.execute("UPDATE questions SET status = ?, version = ?, published = ? WHERE ask = ?",
                       (status, version + 1, version + 1, ask))
            self._publish(db, "question", question_event(ask, question, status, self._answers(db, ask)))
        await self.write(work)

    async def answer(self, ask: str, student: str, value: str, nickname: str | None) -> None:
        def work(db):
            _, status, _, _ = self._asked(db, ask)
            if status != "open":
                raise ClassConflict("answers to this question are closed")
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", (ask, student, value, nickname))
            db.execute("UPDATE questions SET version = version + 1 WHERE ask = ?", (ask,))
        await self.write(work)

    async def publish_question(self, ask: str) -> None:
        def work(db):
            try:
                question, status, version, published = self._asked(db, ask)
            except NotFound:
                return  # another question was asked since: its own events count it
            if version > published:
                db.execute("UPDATE questions SET published = ? WHERE ask = ?", (version, ask))
                self._publish(db, "question", question_event(ask, question, status, self._answers(db, ask)))
        await self.write(work)

    async def report_presence(self, streams: int) -> None:
        def work(db):
            db.execute("INSERT OR REPLACE INTO presence VALUES (?, ?, ?)", (WORKER, streams, time.time()))
        await self.write(work)

    async def connected(self) -> int:
        return fresh_presence(self.read().execute("SELECT streams, at FROM presence").fetchall())

    async def close(self) -> None:
        self.database.close()


# ---- Redis ----

# Every script starts with this: P is the key prefix (ARGV[1]); publish() numbers an event, keeps it as the
# latest of its kind and publishes it, inside the script, so that seq order is publication order.
LUA_PUBLISH = """
local P = ARGV[1]
local function publish(kind, data)
  local seq = redis.call('INCR', P .. 'seq')
  local frame = seq .. '\\n' .. kind .. '\\n' .. data
  redis.call('HSET', P .. 'latest', kind, frame)
  redis.call('PUBLISH', P .. 'events', frame)
  return seq
end
"""
LUA = {
    # ARGV: prefix, session id, session json → the live session's json
    "start": """
if redis.call('HGET', P .. 'current', 'session') then
  local frame = redis.call('HGET', P .. 'latest', 'session')
  return string.sub(frame, string.find(frame, '\\n', string.find(frame, '\\n') + 1) + 1)
end
redis.call('HSET', P .. 'current', 'session', ARGV[2])
publish('session', ARGV[3])
return ARGV[3]""",
    # ARGV: prefix, ended json
    "end": """
if not redis.call('HGET', P .. 'current', 'session') then return 0 end
redis.call('DEL', P .. 'current')
redis.call('HDEL', P .. 'latest', 'state', 'question')
return publish('session', ARGV[2])""",
    # ARGV: prefix, view json → seq, or -1 when no class is live
    "state": """
if not redis.call('HGET', P .. 'current', 'session') then return -1 end
return publish('state', ARGV[2])""",
    # ARGV: prefix, ask, question json, event json
    "ask": """
if not redis.call('HGET', P .. 'current', 'session') then return -1 end
redis.call('HSET', P .. 'q:' .. ARGV[2], 'body', ARGV[3], 'status', 'open', 'version', 0, 'published', -1)
redis.call('HSET', P .. 'current', 'ask', ARGV[2])
return publish('question', ARGV[4])""",
    # ARGV: prefix, ask, student, [value, nickname] json → 'ok' | 'missing' | the status that refuses it
    "answer": """
if redis.call('HGET', P .. 'current', 'ask') ~= ARGV[2] then return 'missing' end
local q = P .. 'q:' .. ARGV[2]
local status = redis.call('HGET', q, 'status')
if status ~= 'open' then return status end
redis.call('HSET', P .. 'a:' .. ARGV[2], ARGV[3], ARGV[4])
redis.call('HINCRBY', q, 'version', 1)
return 'ok'""",
    # ARGV: prefix, ask, version read, new status ('' keeps it), event json → 'ok' | 'missing' | 'stale' | 'same'
    # The event was built from what was read at that version: it is published only if nothing changed since.
    "question": """
if redis.call('HGET', P .. 'current', 'ask') ~= ARGV[2] then return 'missing' end
local q = P .. 'q:' .. ARGV[2]
local version = tonumber(redis.call('HGET', q, 'version'))
if version ~= tonumber(ARGV[3]) then return 'stale' end
if ARGV[4] ~= '' then
  version = version + 1
  redis.call('HSET', q, 'status', ARGV[4], 'version', version)
elseif version <= tonumber(redis.call('HGET', q, 'published')) then
  return 'same'
end
redis.call('HSET', q, 'published', version)
publish('question', ARGV[5])
return 'ok'""",
}


def parse_frame(frame: bytes) -> Event:
    seq, kind, data = frame.split(b"\n", 2)
    return Event(int(seq), kind.decode(), data)


def redis_secrets_sync(client, config: StateConfig) -> Secrets:
    key = config.prefix + FEATURE + ":secrets"
    client.hsetnx(key, "instructor_key", new_instructor_key())
    client.hsetnx(key, "signing", secrets.token_urlsafe(32))
    found = client.hmget(key, "instructor_key", "signing")
    return Secrets(found[0].decode(), found[1].decode())


class RedisLiveStore(LiveStore):
    def __init__(self, config: StateConfig):
        self.config = config
        self.prefix = config.prefix + FEATURE + ":"
        self.client = redis_client(config)
        self.scripts = {name: self.client.register_script(LUA_PUBLISH + body) for name, body in LUA.items()}
        self.questions: dict[str, dict] = {}  # asked questions never change: read each once

    async def run(self, name: str, *args):
        return await self.scripts[name](args=[self.prefix, *args])

    async def secrets(self) -> Secrets:
        key = self.prefix + "secrets"
        await self.client.hsetnx(key, "instructor_key", new_instructor_key())
        await self.client.hsetnx(key, "signing", secrets.token_urlsafe(32))
        found = await self.client.hmget(key, "instructor_key", "signing")
        return Secrets(found[0].decode(), found[1].decode())

    async def latest(self) -> list[Event]:
        frames = await self.client.hvals(self.prefix + "latest")
        return sorted((parse_frame(f) for f in frames), key=lambda e: e.seq)

    async def follow(self, feed) -> None:
        import redis.exceptions

        while True:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(self.prefix + "events")  # before the snapshot: nothing falls in between
                feed.resync(await self.latest())
                async for message in pubsub.listen():
                    if message["type"] != "message":
                        continue
                    event = parse_frame(message["data"])
                    if event.seq > feed.head + 1:  # a message lost (a reconnect): start from the snapshot again
                        break
                    feed.deliver([event])
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
                await asyncio.sleep(settings.LIVE_RETRY_MS / 1000)
            finally:
                await pubsub.aclose()

    async def question(self, ask: str) -> dict:
        if ask not in self.questions:
            body = await self.client.hget(self.prefix + "q:" + ask, "body")
            if body is None:
                raise no_question(ask)
            self.questions[ask] = orjson.loads(body)
        return self.questions[ask]

    async def start_session(self) -> dict:
        session = new_session()
        return orjson.loads(await self.run("start", session["session"], orjson.dumps(session)))

    async def end_session(self) -> None:
        await self.run("end", orjson.dumps(ENDED))

    async def publish_state(self, view: dict) -> int:
        seq = await self.run("state", orjson.dumps(view))
        if seq < 0:
            raise ClassConflict(NOT_LIVE)
        return seq

    async def ask(self, question: dict) -> str:
        ask = secrets.token_hex(4)
        event = question_event(ask, question, "open", [])
        if await self.run("ask", ask, orjson.dumps(question), orjson.dumps(event)) < 0:
            raise ClassConflict(NOT_LIVE)
        return ask

    async def _read(self, ask: str) -> tuple[dict, str, int, list[tuple[str, str | None]]]:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hget(self.prefix + "current", "ask")
            pipe.hgetall(self.prefix + "q:" + ask)
            pipe.hvals(self.prefix + "a:" + ask)
            current, fields, entries = await pipe.execute()
        if current is None or current.decode() != ask or not fields:
            raise no_question(ask)
        answers = [tuple(orjson.loads(entry)) for entry in entries]
        return orjson.loads(fields[b"body"]), fields[b"status"].decode(), int(fields[b"version"]), answers

    async def _publish_question(self, ask: str, status: str | None) -> str:
        question, was, version, answers = await self._read(ask)
        if status is not None:
            check_change(was, status)
        event = question_event(ask, question, status or was, answers)
        outcome = (await self.run("question", ask, version, status or "", orjson.dumps(event))).decode()
        if outcome == "missing":
            raise no_question(ask)
        return outcome

    async def set_status(self, ask: str, status: str) -> None:
        while await self._publish_question(ask, status) == "stale":
            pass  # an answer arrived between the read and the change: read again

    async def answer(self, ask: str, student: str, value: str, nickname: str | None) -> None:
        outcome = (await self.run("answer", ask, student, orjson.dumps([value, nickname]))).decode()
        if outcome == "missing":
            raise no_question(ask)
        if outcome != "ok":
            raise ClassConflict("answers to this question are closed")

    async def publish_question(self, ask: str) -> None:
        with contextlib.suppress(NotFound):  # another question was asked since: its own events count it
            await self._publish_question(ask, None)  # 'stale': a newer answer's worker publishes after it

    async def report_presence(self, streams: int) -> None:
        await self.client.hset(self.prefix + "presence", WORKER, orjson.dumps([streams, time.time()]))

    async def connected(self) -> int:
        rows = await self.client.hvals(self.prefix + "presence")
        return fresh_presence([tuple(orjson.loads(row)) for row in rows])

    async def close(self) -> None:
        await self.client.aclose()
        await self.client.connection_pool.disconnect()


class Guarded:
    """A store whose failures (a state directory that cannot be written, a disk error, Redis gone) reach the
    routes as Broken (409) with the reason, never as a 500."""

    def __init__(self, store: LiveStore):
        self.store = store
        self.failures: tuple[type[BaseException], ...] = (OSError, sqlite3.Error)
        if isinstance(store, RedisLiveStore):
            import redis.exceptions

            self.failures += (redis.exceptions.RedisError,)

    def __getattr__(self, name: str):
        found = getattr(self.store, name)
        if not asyncio.iscoroutinefunction(found):
            return found

        async def guarded(*args, **kwargs):
            try:
                return await found(*args, **kwargs)
            except self.failures as err:
                raise Broken(f"the live class's state ({self.store.config.describe()}) cannot be used: {err}") from None
        return guarded


def open_store(config: StateConfig) -> LiveStore:
    return Guarded(RedisLiveStore(config) if config.kind == "redis" else SqliteLiveStore(config))


def instructor_key(config: StateConfig) -> str:
    """The key that lets a browser lead the class (made on first use and kept), for `wordlab serve` to print."""
    if config.kind == "redis":
        client = redis_client(config, asynchronous=False)
        try:
            return redis_secrets_sync(client, config)[0]
        finally:
            client.close()
    db = sqlite_connection(config, FEATURE)
    try:
        db.executescript(SCHEMA)
        db.execute("BEGIN IMMEDIATE")
        found = sqlite_secrets(db)
        db.execute("COMMIT")
        return found.instructor_key
    finally:
        db.close()
