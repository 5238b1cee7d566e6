"""Training jobs from the browser: who asked for what (SQLite under data/state/, so jobs survive a restart),
and running one as the CLI would, in a child process under nice, a memory limit and a time limit.

`trainer_command` is the ONE place that builds the trainer's command line (backend/train_child.py, which
reports progress as JSON lines). The run is written by the trainer's atomic run store: a killed job leaves none."""

import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from backend.errors import Busy, TooLarge, TooManyRequests, Unsupported
from backend.train_sources import remove_pasted
from trainer.errors import NotFound, WordlabError
from trainer.names import check_name

JOB_SECONDS = 600                 # a job running longer is killed and reported failed
JOB_MEMORY_BYTES = 4 << 30        # RLIMIT_AS of the trainer's process
WAITING_PER_STUDENT = 2           # queued or running jobs one student may have
WAITING_IN_ALL = 120              # queued or running jobs of the whole class
QUOTA_PER_STUDENT = 300 * 10**6  # bytes of runs one student's jobs may hold
QUOTA_IN_ALL = 4 * 10**9          # bytes of runs all the class's jobs may hold
ACTIVE = ("queued", "running")
PROBE_STEPS = None                # a worker's cost probe at its start: the default teaching run (what most
                                  # students train first; a 2,000-step probe overestimated it 2× on writing)
COST_JOBS = 20                    # the cost model's medians are over this many last finished jobs
INTERRUPTED = "the training worker stopped (killed or restarted) while this job ran"

SCHEMA = """CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, student TEXT NOT NULL, name TEXT NOT NULL,
kind TEXT NOT NULL, method TEXT NOT NULL, knobs TEXT NOT NULL, state TEXT NOT NULL, created REAL NOT NULL,
started REAL, finished REAL, reason TEXT, step INTEGER, steps INTEGER, loss REAL, diverged TEXT, train_seconds REAL,
write_seconds REAL, recorded INTEGER, bytes INTEGER, source TEXT);
CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, steps INTEGER NOT NULL, recorded INTEGER NOT NULL,
train_seconds REAL NOT NULL, write_seconds REAL NOT NULL, total_seconds REAL NOT NULL, slots INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS switches (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"""
COLUMNS = ("id", "student", "name", "kind", "method", "knobs", "state", "created", "started", "finished", "reason",
           "step", "steps", "loss", "diverged", "train_seconds", "write_seconds", "recorded", "bytes", "source")


class StateUnusable(Unsupported):
    """The state directory cannot hold the jobs (not a directory, not writable): training is off, with the
    reason, and every other page works (answered 409, never 500 nor a server that does not start)."""


class StudentBusy(Exception):
    """A job taken while its student's other job runs: the queue takes it again a little later."""


class JobStore:
    """The jobs table. Each call opens its own connection: web workers and job runners share the file.
    Opened on first use, not when the app is made: a state directory that cannot be used costs the
    Train page only."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path, timeout=10) as db:
                db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise StateUnusable(f"training is unavailable: the jobs file {self.path} cannot be used ({error})") \
                from error
        self._ready = True

    def _db(self) -> sqlite3.Connection:
        if not self._ready:
            self._open()
        db = sqlite3.connect(self.path, timeout=10, isolation_level="IMMEDIATE")
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def enabled(self) -> bool:
        """Whether the class may train (the instructor turns it off and on)."""
        with self._db() as db:
            row = db.execute("SELECT value FROM switches WHERE name='training'").fetchone()
        return row is None or bool(row[0])

    def set_enabled(self, on: bool) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO switches VALUES ('training', ?)", (int(on),))

    def submit(self, student: str, name: str, kind: str, method: str, knobs: dict, recorded: int | None = None,
               max_bytes: int = 0, source: dict | None = None) -> dict:
        """Queue a job within the per-student and class bounds and disk quotas. recorded: its recorded steps
        (the cost model); max_bytes: its run's largest size, counted against the quotas until it is written;
        source: its text and tokenizer (backend/train_sources.py), None for the teaching corpus in words."""
        check_name(name)
        if not self.enabled():
            raise Busy("the instructor has turned training off for this class")
        job = {"id": uuid.uuid4().hex, "student": student, "name": name, "kind": kind, "method": method,
               "knobs": json.dumps(knobs), "state": "queued", "created": time.time(), "started": None,
               "finished": None, "reason": None, "step": 0, "steps": knobs.get("steps"), "loss": None,
               "diverged": None, "train_seconds": None, "write_seconds": None,
               "recorded": recorded, "bytes": max_bytes, "source": json.dumps(source)}
        with self._db() as db:
            mine = db.execute("SELECT COUNT(*) FROM jobs WHERE student=? AND state IN (?,?)", (student, *ACTIVE))
            if mine.fetchone()[0] >= WAITING_PER_STUDENT:
                raise TooManyRequests(f"you have {WAITING_PER_STUDENT} jobs queued or running already; wait for "
                                      "one to finish or cancel it")
            if db.execute("SELECT COUNT(*) FROM jobs WHERE state IN (?,?)", ACTIVE).fetchone()[0] >= WAITING_IN_ALL:
                raise TooManyRequests(f"the class has {WAITING_IN_ALL} jobs waiting already; try again later")
            self._check_quota(db, student, max_bytes)
            if db.execute("SELECT 1 FROM jobs WHERE name=? AND state IN (?,?,?)", (name, *ACTIVE, "done")).fetchone():
                raise WordlabError(f"a run or job named {name!r} exists already; choose another name")
            db.execute(f"INSERT INTO jobs VALUES ({','.join('?' * len(COLUMNS))})", [job[c] for c in COLUMNS])
        return self._public(job)

    def _public(self, job: dict) -> dict:
        def parsed(value):
            return json.loads(value) if isinstance(value, str) else value
        return {**job, "knobs": parsed(job["knobs"]), "diverged": parsed(job["diverged"]),
                "source": parsed(job["source"])}

    def progress(self, job_id: str, step: int, steps: int, loss: float | None) -> None:
        """How far a running job is (from its child's progress lines): the page's bar and loss so far."""
        with self._db() as db:
            db.execute("UPDATE jobs SET step=?, steps=?, loss=COALESCE(?, loss) WHERE id=? AND state='running'",
                       (step, steps, loss, job_id))

    def _check_quota(self, db: sqlite3.Connection, student: str, max_bytes: int) -> None:
        """The disk a student's runs and jobs hold (written runs at their size, waiting ones at their largest),
        and the class's: a job that would pass either quota is refused, saying how to make room."""
        held = "SELECT COALESCE(SUM(bytes), 0) FROM jobs WHERE state IN ('queued', 'running', 'done')"
        mine = db.execute(held + " AND student=?", (student,)).fetchone()[0]
        if mine + max_bytes > QUOTA_PER_STUDENT:
            raise TooLarge(f"your runs hold {mine / 1e6:.0f} MB and this one may take {max_bytes / 1e6:.0f} MB, over "
                           f"your {QUOTA_PER_STUDENT / 1e6:.0f} MB; delete one of your runs or train a smaller one")
        everyone = db.execute(held).fetchone()[0]
        if everyone + max_bytes > QUOTA_IN_ALL:
            raise TooLarge(f"the class's runs hold {everyone / 1e9:.1f} GB, near the {QUOTA_IN_ALL / 1e9:.0f} GB they "
                           "may; ask your instructor to delete some")

    def set_bytes(self, job_id: str, size: int) -> None:
        with self._db() as db:
            db.execute("UPDATE jobs SET bytes=? WHERE id=?", (size, job_id))

    def owned_run(self, name: str, student: str | None) -> dict:
        """The finished job that made the run `name` (a student's own only, with a key): else not found."""
        with self._db() as db:
            row = db.execute("SELECT id, student FROM jobs WHERE name=? AND state='done'", (name,)).fetchone()
        if row is None or (student is not None and row[1] != student):
            raise NotFound(f"no run {name[:40]!r} of yours")
        return self.get(row[0])

    def mark_diverged(self, job_id: str, diverged: dict) -> None:
        with self._db() as db:
            db.execute("UPDATE jobs SET diverged=? WHERE id=?", (json.dumps(diverged), job_id))

    def get(self, job_id: str, student: str | None = None) -> dict:
        """One job; with a student key, only that student's (another's is 'not found', not 'forbidden')."""
        with self._db() as db:
            row = db.execute(f"SELECT {','.join(COLUMNS)} FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None or (student is not None and row[1] != student):
            raise NotFound(f"no job {job_id[:40]!r}")
        job = self._public(dict(zip(COLUMNS, row, strict=True)))
        job["place"] = self.place(job) if job["state"] == "queued" else 0
        job["eta_seconds"] = self.eta(job) if job["state"] in ACTIVE else None
        return job

    def record_cost(self, job_id: str, train_seconds: float, write_seconds: float) -> None:
        """The seconds the job's training loop and its run's writing took (its child says): the rest of its
        wall time is starting the process and reading the corpus."""
        with self._db() as db:
            db.execute("UPDATE jobs SET train_seconds=?, write_seconds=? WHERE id=?",
                       (train_seconds, write_seconds, job_id))

    def record_probe(self, steps: int, recorded: int, train_seconds: float, write_seconds: float,
                     total_seconds: float, slots: int) -> None:
        """A worker's probe at its start (a small run trained as a job is): the cost before any job is measured,
        and how many jobs it trains at once."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO probe VALUES (1, ?, ?, ?, ?, ?, ?)",
                       (steps, recorded, train_seconds, write_seconds, total_seconds, slots))

    def cost_model(self) -> tuple[float, float, float, int] | None:
        """(seconds to start, seconds per step, seconds per recorded step to write, jobs at once), measured:
        medians over the last COST_JOBS finished jobs, else the worker's probe; None before either. Three
        parts because they scale differently: a 100-step and a 50,000-step run start alike, and writing
        grows with the recorded steps, not the steps."""
        with self._db() as db:
            rows = db.execute("SELECT step, recorded, train_seconds, write_seconds, finished - started FROM jobs "
                              "WHERE state='done' AND train_seconds IS NOT NULL AND step > 0 AND diverged IS NULL "
                              "ORDER BY finished DESC LIMIT ?", (COST_JOBS,)).fetchall()
            probe = db.execute("SELECT steps, recorded, train_seconds, write_seconds, total_seconds, slots "
                               "FROM probe").fetchone()
        slots = probe[5] if probe else 1
        rows = rows or ([probe[:5]] if probe else [])
        if not rows:
            return None
        start = statistics.median(max(0.0, total - train - write) for _, _, train, write, total in rows)
        per_step = statistics.median(train / steps for steps, _, train, _, _ in rows)
        per_recorded = statistics.median(write / max(1, recorded) for _, recorded, _, write, _ in rows)
        return start, per_step, per_recorded, slots

    def _cost(self, model: tuple[float, float, float, int], steps: int, recorded: int | None) -> float:
        start, per_step, per_recorded, _ = model
        return start + per_step * steps + per_recorded * (recorded or 0)

    def expected_seconds(self, steps: int, recorded: int) -> float | None:
        """What one job of this size costs on this server, by the measured model."""
        model = self.cost_model()
        return None if model is None else self._cost(model, steps, recorded)

    def eta(self, job: dict) -> float | None:
        """Seconds until this job ends: the measured cost of the jobs running (less what they have run) and of
        those queued before it, and its own, shared among the worker's slots; None until a cost is measured."""
        model = self.cost_model()
        if model is None:
            return None
        with self._db() as db:
            ahead = db.execute("SELECT steps, recorded, state, started FROM jobs WHERE (state='running' OR "
                               "(state='queued' AND created<?)) AND id!=?", (job["created"], job["id"])).fetchall()
        now = time.time()

        def left(steps: int, recorded: int | None, state: str, started: float | None) -> float:
            ran = now - started if state == "running" and started else 0.0
            return max(0.0, self._cost(model, steps, recorded) - ran)

        others = sum(left(*row) for row in ahead)
        return others / model[3] + left(job["steps"], job["recorded"], job["state"], job["started"])

    def place(self, job: dict) -> int:
        """1 for the next job to start: queued jobs created before it, plus one."""
        with self._db() as db:
            return 1 + db.execute("SELECT COUNT(*) FROM jobs WHERE state='queued' AND created<?",
                                  (job["created"],)).fetchone()[0]

    def all(self, student: str | None = None) -> list[dict]:
        query = f"SELECT {','.join(COLUMNS)} FROM jobs" + (" WHERE student=?" if student else "") + " ORDER BY created"
        with self._db() as db:
            rows = db.execute(query, (student,) if student else ()).fetchall()
        return [self._public(dict(zip(COLUMNS, row, strict=True))) for row in rows]

    def move(self, job_id: str, frm: tuple[str, ...], to: str, reason: str | None = None) -> bool:
        """Change a job's state only from one of `frm` (so a cancel and a finish cannot both win)."""
        stamp = {"running": "started", "done": "finished", "failed": "finished", "cancelled": "finished",
                 "deleted": "finished"}[to]
        with self._db() as db:
            done = db.execute(f"UPDATE jobs SET state=?, {stamp}=?, reason=COALESCE(?, reason) WHERE id=? AND "
                              f"state IN ({','.join('?' * len(frm))})", (to, time.time(), reason, job_id, *frm))
            return done.rowcount == 1

    def start(self, job_id: str, student: str) -> bool:
        """queued → running, unless it was cancelled (False) or its student has a job running already
        (StudentBusy: at most one running job per student, however many workers take jobs)."""
        with self._db() as db:
            moved = db.execute("UPDATE jobs SET state='running', started=? WHERE id=? AND state='queued' AND NOT "
                               "EXISTS (SELECT 1 FROM jobs WHERE student=? AND state='running')",
                               (time.time(), job_id, student)).rowcount
            if moved:
                return True
            state = db.execute("SELECT state FROM jobs WHERE id=?", (job_id,)).fetchone()
        if state and state[0] == "queued":
            raise StudentBusy(f"job {job_id}: its student has a job running; it waits for that one")
        return False

    def fail_interrupted(self) -> int:
        """Jobs that were running when the runner stopped are failed, with that reason, not silently lost."""
        with self._db() as db:
            return db.execute("UPDATE jobs SET state='failed', finished=?, reason=? WHERE state='running'",
                              (time.time(), INTERRUPTED)).rowcount


def trainer_command(job: dict, runs_dir: Path) -> list[str]:
    """The one place that builds the trainer's command line: a child that trains the job in-process and
    reports its progress as JSON lines (backend/train_child.py)."""
    fields = {name: job.get(name) for name in ("name", "kind", "method", "knobs", "source")}
    return [sys.executable, "-m", "backend.train_child", json.dumps(fields), str(runs_dir)]


def _limits() -> None:
    """In the trainer's child, before exec: lower priority, bounded memory, and killed if its runner dies
    (a killed worker leaves no trainer behind to write a run for a job reported failed)."""
    import ctypes
    import os
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.nice(10)
    resource.setrlimit(resource.RLIMIT_AS, (JOB_MEMORY_BYTES, JOB_MEMORY_BYTES))


def _follow_progress(store: JobStore | None, job_id: str, lines, ended: dict) -> None:
    """Reads the child's JSON lines as they come: progress into the jobs table, the last 'done' kept."""
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a stray print from a library: not ours
        if not isinstance(event, dict):
            continue
        if event.get("event") == "progress" and store is not None:
            store.progress(job_id, int(event["step"]), int(event["steps"]), event.get("loss"))
        elif event.get("event") == "done":
            ended.update(event)


def probe_cost(store: JobStore, slots: int, steps: int | None = PROBE_STEPS) -> None:
    """At a worker's start: a default teaching run (or one of `steps`) trained as a job is (the same child, into
    a directory that is then removed), so the first students see an ETA measured on this machine, not a guess.
    It is measured at that moment: other work on the machine later (a class, other programs) moves it, and
    the medians of the finished jobs take over as they come."""
    from trainer.config import TeachingConfig

    steps = steps or TeachingConfig().steps
    for warm_up in (True, False):  # the first child compiles what numba caches on disk: a cost paid once, not per job
        with tempfile.TemporaryDirectory(prefix="wordlab-probe-") as runs:
            job = {"name": "probe", "kind": "teaching", "method": "softmax",
                   "knobs": {"steps": min(steps, 200) if warm_up else steps}}
            started = time.monotonic()
            child = subprocess.run(trainer_command(job, Path(runs)), capture_output=True, text=True,
                                   timeout=JOB_SECONDS, preexec_fn=_limits, errors="replace")
            total = time.monotonic() - started
        done: dict = {}
        _follow_progress(None, "", child.stdout.splitlines(), done)
        if child.returncode != 0 or "train_seconds" not in done:
            print(f"wordlab worker: the cost probe failed ({child.stderr.strip()[-300:]}); ETAs wait for a first "
                  "job", file=sys.stderr)
            return
    recorded = len(TeachingConfig(steps=steps).recorded_steps())
    store.record_probe(steps, recorded, done["train_seconds"], done["write_seconds"], total, slots)


def run_job(store: JobStore, job_id: str, runs_dir: Path, poll_seconds: float = 0.5) -> str:
    """Run one queued job to its end state: done (perhaps diverged, its run kept and marked), failed (with the
    trainer's last words) or cancelled."""
    job = store.get(job_id)
    if not store.start(job_id, job["student"]):
        if store.get(job_id)["state"] != "queued":
            remove_pasted(job["source"])
        return store.get(job_id)["state"]  # cancelled while it waited
    try:
        return _run_started(store, job, runs_dir, poll_seconds)
    finally:
        remove_pasted(job["source"])  # a pasted text lives only as long as its job


def _run_started(store: JobStore, job: dict, runs_dir: Path, poll_seconds: float) -> str:
    job_id = job["id"]
    with tempfile.TemporaryFile("w+", errors="replace") as errors:
        child = subprocess.Popen(trainer_command(job, runs_dir), stdout=subprocess.PIPE, stderr=errors,
                                 preexec_fn=_limits, text=True, errors="replace")
        ended: dict = {}
        reader = threading.Thread(target=_follow_progress, args=(store, job_id, child.stdout, ended), daemon=True)
        reader.start()
        deadline = time.monotonic() + JOB_SECONDS
        while child.poll() is None:
            try:
                child.wait(timeout=poll_seconds)
            except subprocess.TimeoutExpired:
                state = store.get(job_id)["state"]
                if state == "cancelled" or time.monotonic() > deadline:
                    child.kill()
                    child.wait()
                    reader.join()
                    if state != "cancelled":
                        store.move(job_id, ("running",), "failed", f"stopped after {JOB_SECONDS} s, the time limit")
                    return store.get(job_id)["state"]
        reader.join()
        errors.seek(0)
        last = errors.read().strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
    if child.returncode == 0 and "event" in ended:
        if isinstance(ended.get("bytes"), int):
            store.set_bytes(job_id, ended["bytes"])
        if ended.get("diverged"):
            store.mark_diverged(job_id, ended["diverged"])
        if all(isinstance(ended.get(k), int | float) for k in ("train_seconds", "write_seconds")):
            store.record_cost(job_id, float(ended["train_seconds"]), float(ended["write_seconds"]))
        store.move(job_id, ("running",), "done")
    else:
        store.move(job_id, ("running",), "failed", f"the trainer stopped: {last[0][:300]}")
    return store.get(job_id)["state"]
