"""The training queue on Huey (an existing engine, not a home-made one): SqliteHuey in the state directory
when the live class keeps its state in SQLite, RedisHuey when it uses Redis, so `wordlab worker` processes on
other machines take jobs from the same queue. Messages are JSON (no pickle): a job is only its id."""

import atexit
import datetime
import json
import sqlite3
import threading
import time
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from huey.exceptions import RetryTask
from huey.registry import Message
from huey.serializer import Serializer

from backend.statestore import DEFAULT_STATE_DIR, StateConfig
from backend.train_jobs import JobStore, StateUnusable, StudentBusy, probe_cost, run_job

QUEUE_NAME = "wordlab-train"
BUSY_RETRY_SECONDS = 2  # a job whose student has another one running waits this long before it is taken again
_WHEN = ("eta", "expires_resolved")  # Message fields holding a datetime


class JSONSerializer(Serializer):
    """Huey's messages as JSON: plain fields and datetimes only (no chained tasks, no results kept)."""

    def _serialize(self, data) -> bytes:
        if not isinstance(data, Message) or data.on_complete or data.on_error or data.chord_config:
            raise TypeError("the training queue carries plain task messages only")
        fields = data._asdict()
        for name in _WHEN:
            fields[name] = fields[name].isoformat() if fields[name] else None
        return json.dumps(fields).encode()

    def _deserialize(self, data: bytes) -> Message:
        fields = json.loads(data)
        for name in _WHEN:
            fields[name] = datetime.datetime.fromisoformat(fields[name]) if fields[name] else None
        fields["args"] = tuple(fields["args"])
        return Message(**fields)


def jobs_path(state: StateConfig) -> Path:
    """The jobs table always lives in SQLite on the web server's disk (under data/state/)."""
    return (state.directory if state.kind == "sqlite" else DEFAULT_STATE_DIR) / "train_jobs.sqlite3"


def training_queue(state: StateConfig):
    """The Huey instance for this state configuration, and its one task: train(job_id, jobs_file, runs_dir)."""
    if state.kind == "redis":
        huey = RedisHuey(state.prefix + QUEUE_NAME, url=state.redis_url, results=False, serializer=JSONSerializer())
    else:
        state.directory.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(QUEUE_NAME, filename=str(state.directory / "train_queue.sqlite3"), results=False,
                          serializer=JSONSerializer())

    @huey.task(name="train")
    def train(job_id: str, jobs_file: str, runs_dir: str) -> None:
        try:
            run_job(JobStore(Path(jobs_file)), job_id, Path(runs_dir))
        except StudentBusy as busy:  # one running job per student: behind the others, tried again in a moment
            raise RetryTask(str(busy), delay=BUSY_RETRY_SECONDS) from busy

    return huey, train


def _unusable_errors() -> tuple[type[Exception], ...]:
    """What opening or writing the queue raises when its place cannot be used (redis is an optional extra)."""
    try:
        from redis import RedisError
    except ImportError:
        return OSError, sqlite3.Error
    return OSError, sqlite3.Error, RedisError


class TrainingQueue:
    """The web app's side of the queue, opened on first use (as JobStore is): a state directory or Redis
    that cannot be used makes submitting a 409 with the reason, never a failed start of the server."""

    def __init__(self, state: StateConfig) -> None:
        self.state = state
        self._queue = None

    def _opened(self):
        if self._queue is None:
            try:
                self._queue = training_queue(self.state)
            except _unusable_errors() as error:
                raise StateUnusable(f"training is unavailable: its queue cannot be opened ({error})") from error
        return self._queue

    @property
    def huey(self):
        return self._opened()[0]

    def submit(self, job_id: str, jobs_file: Path, runs_dir: Path) -> None:
        try:
            self._opened()[1](job_id, str(jobs_file), str(runs_dir))
        except _unusable_errors() as error:
            raise StateUnusable(f"training is unavailable: the job could not be queued ({error})") from error


def work(state: StateConfig, workers: int, probe: bool = True) -> None:
    """`wordlab worker`: take training jobs from the queue until stopped, `workers` at a time. Threads suffice:
    each job trains in a child process, which dies with this one (PR_SET_PDEATHSIG, backend/train_jobs.py).
    Jobs left 'running' by a runner that
    died are reported failed first: on one machine, a job marked running with no runner alive is lost. Then a
    cost probe (backend/train_jobs.py's probe_cost) so that ETAs are measured from the first job."""
    from backend.lifecycle import stop_with_supervisor

    stop_with_supervisor()  # started by `wordlab serve`: ends with it, even when it is killed (SIGKILL)
    store = JobStore(jobs_path(state))
    store.fail_interrupted()
    if probe and store.cost_model() is None:  # measured already (a restart): the finished jobs' medians serve
        probe_cost(store, workers)
    huey, _ = training_queue(state)
    huey.create_consumer(workers=workers, worker_type="thread", check_worker_health=True).run()


def keep_worker_running(restart_seconds: float = 1.0) -> threading.Thread:
    """For `wordlab serve`: one `wordlab worker` process beside the web workers, started again when it dies
    (its running job is then reported failed by the new one), stopped with the server."""
    import subprocess
    import sys

    def supervise() -> None:
        while True:
            worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"])
            atexit.register(worker.terminate)
            worker.wait()
            atexit.unregister(worker.terminate)
            print(f"wordlab: the training worker stopped (status {worker.returncode}); starting another",
                  file=sys.stderr)
            time.sleep(restart_seconds)  # a worker that dies at once must not spin

    thread = threading.Thread(target=supervise, name="training-worker", daemon=True)
    thread.start()
    return thread
