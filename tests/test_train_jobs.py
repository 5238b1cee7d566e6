"""The training API's options and estimates: knobs and help come from the trainer's config, out-of-range
knobs get a 422 listing every problem, a teaching run's cost is counted from its recorded steps."""

import json
from dataclasses import fields
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.livestore import instructor_key
from backend.statestore import StateConfig
from backend.train_jobs import WAITING_PER_STUDENT, JobStore, probe_cost
from backend.train_queue import training_queue
from tests.test_live import redis_url  # noqa: F401 (the real redis-server fixture, started once per session)
from trainer.config import TeachingConfig

ANNA = {"X-Student-Key": "anna-0123456789abcdef"}
BEN = {"X-Student-Key": "ben-0123456789abcdef0"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    (root / "runs").mkdir()
    (root / "tokenizers").mkdir()
    app = create_app(root / "runs", root / "tokenizers", frontend_dir=root / "none",
                     state=StateConfig("sqlite", directory=root / "state"))
    return TestClient(app)


def take_next_job(app, job_id: str | None = None) -> None:
    """As `wordlab worker` would: the next message (through Huey's SQLite queue, as JSON), or every message
    up to the one of job_id (earlier tests leave cancelled jobs' messages, which end at once)."""
    huey = app.state.train_queue.huey
    huey.execute(huey.dequeue())
    while job_id and app.state.train_jobs.get(job_id)["state"] in ("queued", "running"):
        huey.execute(huey.dequeue())


def test_options_carry_the_cli_help_and_defaults(client):
    options = client.get("/api/train/options").json()
    teaching = {k["name"]: k for k in options["kinds"]["teaching"]}
    help_texts = {f.name: f.metadata["help"] for f in fields(TeachingConfig)}
    assert teaching["window"]["help"] == help_texts["window"]
    assert teaching["dim"]["default"] == TeachingConfig().dim
    assert teaching["lr"]["integer"] is False and teaching["steps"]["integer"] is True
    assert {"dim", "window", "epochs", "max_vocab"} <= {k["name"] for k in options["kinds"]["corpus"]}


def test_knobs_out_of_range_get_a_422_listing_every_problem(client):
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "knobs": {
        "dim": 5000, "window": 0, "lr": "fast", "colour": 3, "steps": 100.5}})
    assert answer.status_code == 422
    message = answer.json()["detail"]["message"]
    for part in ("dim: must be from 2 to 50 (got 5000)", "window: must be from 1 to 10",
                 "lr: must be a number", "colour: not a knob", "steps: must be an integer"):
        assert part in message
    assert len(answer.json()["detail"]["errors"]) == 5


def test_a_bad_kind_or_method_is_a_422(client):
    assert client.post("/api/train/estimate", json={"kind": "huge"}).status_code == 422
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "method": "cbow"})
    assert answer.status_code == 422 and "method" in answer.json()["detail"]["message"]


def test_teaching_estimate_counts_recorded_steps_and_size(client):
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "knobs": {"steps": 1000, "dim": 4}})
    assert answer.status_code == 200
    body = answer.json()
    config = TeachingConfig(steps=1000, dim=4)
    assert body["steps"] == 1000 and body["recorded_steps"] == len(config.recorded_steps())
    assert body["max_bytes"] == body["recorded_steps"] * 2 * config.max_vocab * 4 * 4
    assert body["knobs"]["window"] == TeachingConfig().window


def test_a_job_trains_a_run_with_exactly_the_knobs_asked_for(client):
    knobs = {"steps": 120, "dim": 3, "window": 2, "lr": 0.2}
    job = client.post("/api/train/jobs", headers=ANNA,
                      json={"kind": "teaching", "method": "sgns", "name": "anna-first", "knobs": knobs})
    assert job.status_code == 201, job.text
    job = job.json()
    assert job["state"] == "queued" and client.get(f"/api/train/jobs/{job['id']}", headers=ANNA).json()["place"] == 1
    app = client.app
    take_next_job(app)  # as `wordlab worker` would: the message went through Huey's SQLite queue as JSON
    manifest = json.loads((app.state.runs.root / "anna-first" / "run.json").read_text())
    config = manifest["config"]
    assert {k: config[k] for k in knobs} == knobs and config["method"] == "sgns"
    assert client.get(f"/api/train/jobs/{job['id']}", headers=ANNA).json()["state"] == "done"
    store = app.state.train_jobs
    done = store.get(job["id"])
    assert done["step"] == done["steps"] == 120 and done["loss"] > 0  # the child's last progress line
    start, per_step, per_recorded, slots = store.cost_model()  # measured from the job just done
    assert per_step > 0 and per_recorded > 0 and start >= 0 and slots == 1
    assert start + per_step * 120 + per_recorded * 120 == pytest.approx(done["finished"] - done["started"], rel=1e-6)
    waiting = store.submit("eve-0123456789abcdef", "eve-run", "teaching", "softmax", {"steps": 1000}, 400)
    assert store.get(waiting["id"])["eta_seconds"] == pytest.approx(start + 1000 * per_step + 400 * per_recorded,
                                                                    rel=0.01)
    estimate = client.post("/api/train/estimate", json={"kind": "teaching", "knobs": {"steps": 1000}}).json()
    assert estimate["expected_seconds"] == pytest.approx(store.expected_seconds(1000, estimate["recorded_steps"]))
    store.move(waiting["id"], ("queued",), "cancelled")


def test_another_student_cannot_see_or_cancel_a_job(client):
    job = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "anna-second",
                                                              "knobs": {"steps": 100}}).json()
    assert client.get(f"/api/train/jobs/{job['id']}", headers=BEN).status_code == 404
    assert client.post(f"/api/train/jobs/{job['id']}/cancel", headers=BEN).status_code == 404
    assert [j["id"] for j in client.get("/api/train/jobs", headers=BEN).json()] == []
    cancelled = client.post(f"/api/train/jobs/{job['id']}/cancel", headers=ANNA).json()
    assert cancelled["state"] == "cancelled"
    app = client.app
    take_next_job(app)
    assert client.get(f"/api/train/jobs/{job['id']}", headers=ANNA).json()["state"] == "cancelled"
    assert not (app.state.runs.root / "anna-second").exists()


def test_a_student_queue_is_bounded_and_keys_and_names_are_checked(client):
    for i in range(WAITING_PER_STUDENT):
        assert client.post("/api/train/jobs", headers=BEN, json={"kind": "teaching", "name": f"ben-{i}"}).status_code == 201
    refused = client.post("/api/train/jobs", headers=BEN, json={"kind": "teaching", "name": "ben-more"})
    assert refused.status_code == 429 and "queued or running already" in refused.json()["detail"]["message"]
    assert client.post("/api/train/jobs", headers={"X-Student-Key": "short"},
                       json={"kind": "teaching", "name": "x"}).status_code == 422
    bad_name = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "../etc"})
    assert bad_name.status_code in (400, 422) and bad_name.status_code != 500


def test_a_job_running_when_the_server_stopped_is_reported_failed(client):
    store = client.app.state.train_jobs
    job = store.submit("carl-0123456789abcdef", "carl-run", "teaching", "softmax", {"steps": 100})
    assert store.move(job["id"], ("queued",), "running")
    restarted = JobStore(store.path)  # a new process opening the same file
    assert restarted.fail_interrupted() == 1
    after = restarted.get(job["id"])
    assert after["state"] == "failed" and "worker stopped" in after["reason"]


def test_a_job_goes_through_a_real_redis_to_another_worker(request, tmp_path):
    """Two queue instances on one Redis, as a web server and a `wordlab worker` on another machine: the
    message travels as JSON and the worker trains the run into the shared runs directory."""
    state = StateConfig("redis", redis_url=request.getfixturevalue("redis_url"), prefix=f"{tmp_path.name}:")
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.submit("dana-0123456789abcdef", "via-redis", "teaching", "softmax", {"steps": 100, "dim": 2})
    web_huey, train = training_queue(state)
    web_huey.flush()
    train(job["id"], str(store.path), str(tmp_path / "runs"))
    worker_huey, _ = training_queue(state)
    message = worker_huey.dequeue()
    assert message.args == (job["id"], str(store.path), str(tmp_path / "runs"))
    worker_huey.execute(message)
    assert store.get(job["id"])["state"] == "done"
    assert json.loads((tmp_path / "runs" / "via-redis" / "run.json").read_text())["config"]["dim"] == 2


def test_whole_number_floats_count_as_integers_and_bad_names_are_refused(client):
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "knobs": {"steps": 300.0}})
    assert answer.status_code == 200 and answer.json()["knobs"]["steps"] == 300
    for name in ("a/b", "bad\x00name", ".."):
        refused = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": name})
        assert 400 <= refused.status_code < 500, name


def test_the_instructor_sees_every_job_and_turns_training_off(client):
    key = instructor_key(client.app.state.live.config)
    teacher = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/train/class/jobs", headers=ANNA).status_code == 401
    owners = {job["student"] for job in client.get("/api/train/class/jobs", headers=teacher).json()}
    assert {ANNA["X-Student-Key"], BEN["X-Student-Key"]} <= owners
    assert client.put("/api/train/enabled", headers=teacher, json={"enabled": False}).status_code == 200
    refused = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "while-off"})
    assert refused.status_code == 503 and "turned training off" in refused.json()["detail"]["message"]
    client.put("/api/train/enabled", headers=teacher, json={"enabled": True})
    job = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "while-on"}).json()
    assert client.post(f"/api/train/class/jobs/{job['id']}/cancel", headers=teacher).json()["state"] == "cancelled"


def test_a_state_directory_that_cannot_be_used_is_a_409_with_the_reason_not_a_failed_start(tmp_path):
    """The jobs table and the queue open on first use: the server starts and serves its pages; only
    training answers, with a 409 that says which file could not be used."""
    (tmp_path / "state").write_text("a file where the state directory should be")
    app = create_app(tmp_path / "runs", tmp_path / "tokenizers", frontend_dir=tmp_path / "none",
                     state=StateConfig("sqlite", directory=tmp_path / "state"))
    client = TestClient(app)
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/train/options").status_code == 200
    for answer in (client.get("/api/train/jobs", headers=ANNA),
                   client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "no-state"})):
        assert answer.status_code == 409, answer.text
        assert "training is unavailable" in answer.json()["detail"]["message"]
        assert "state" in answer.json()["detail"]["message"]


def test_a_workers_probe_gives_the_first_eta_before_any_job_is_measured(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = store.submit("finn-0123456789abcdef", "finn-run", "teaching", "softmax", {"steps": 3000}, 480)
    assert store.get(job["id"])["eta_seconds"] is None  # nothing measured: no ETA rather than a made-up one
    probe_cost(store, slots=2, steps=300)
    start, per_step, per_recorded, slots = store.cost_model()
    assert per_step > 0 and per_recorded > 0 and slots == 2
    assert store.get(job["id"])["eta_seconds"] == pytest.approx(start + 3000 * per_step + 480 * per_recorded)
    assert not list(tmp_path.glob("*probe*"))


def test_a_student_deletes_their_own_run_and_no_one_elses(client):
    runs = client.app.state.runs.root
    job = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "anna-gone",
                                                              "knobs": {"steps": 100, "dim": 2}}).json()
    take_next_job(client.app, job["id"])
    assert (runs / "anna-gone" / "run.json").exists()
    assert client.delete("/api/train/runs/anna-gone", headers=BEN).status_code == 404
    assert client.delete("/api/train/runs/default", headers=ANNA).status_code == 404  # not made from the page
    deleted = client.delete("/api/train/runs/anna-gone", headers=ANNA)
    assert deleted.status_code == 200 and deleted.json()["bytes"] > 0
    assert not (runs / "anna-gone").exists()
    assert client.get(f"/api/train/jobs/{job['id']}", headers=ANNA).json()["state"] == "deleted"
    again = client.post("/api/train/jobs", headers=ANNA, json={"kind": "teaching", "name": "anna-gone"})
    assert again.status_code == 201  # the name is free again
    client.post(f"/api/train/jobs/{again.json()['id']}/cancel", headers=ANNA)


def test_a_job_past_the_disk_quota_is_refused_saying_how_to_make_room(client, monkeypatch):
    import backend.train_jobs as train_jobs

    monkeypatch.setattr(train_jobs, "QUOTA_PER_STUDENT", 1_000_000)
    refused = client.post("/api/train/jobs", headers=BEN, json={"kind": "teaching", "name": "ben-big",
                                                                 "knobs": {"steps": 5000, "dim": 50}})
    assert refused.status_code == 413
    assert "over your 1 MB; delete one of your runs" in refused.json()["detail"]["message"]
    monkeypatch.setattr(train_jobs, "QUOTA_PER_STUDENT", 300 * 10**6)
    monkeypatch.setattr(train_jobs, "QUOTA_IN_ALL", 1_000_000)
    refused = client.post("/api/train/jobs", headers=BEN, json={"kind": "teaching", "name": "ben-big",
                                                                 "knobs": {"steps": 5000, "dim": 50}})
    assert refused.status_code == 413 and "ask your instructor" in refused.json()["detail"]["message"]


def test_one_running_job_per_student_the_next_waits_behind_it(client):
    """However many workers take jobs: a student's second job is not started while the first runs; Huey
    takes it again later (RetryTask), and it runs once the first has ended."""
    from backend.train_jobs import StudentBusy

    store = client.app.state.train_jobs
    first = store.submit("gus-0123456789abcdef", "gus-1", "teaching", "softmax", {"steps": 100})
    second = store.submit("gus-0123456789abcdef", "gus-2", "teaching", "softmax", {"steps": 100})
    other = store.submit("hal-0123456789abcdef", "hal-1", "teaching", "softmax", {"steps": 100})
    assert store.start(first["id"], "gus-0123456789abcdef")
    with pytest.raises(StudentBusy):
        store.start(second["id"], "gus-0123456789abcdef")
    assert store.get(second["id"])["state"] == "queued"
    assert store.start(other["id"], "hal-0123456789abcdef")  # another student's job is not held back
    store.move(first["id"], ("running",), "cancelled")
    assert store.start(second["id"], "gus-0123456789abcdef")
    for job in (second, other):
        store.move(job["id"], ("running",), "cancelled")


def test_a_busy_students_job_goes_back_to_the_queue_through_huey(tmp_path):
    state = StateConfig("sqlite", directory=tmp_path / "state")
    store = JobStore(tmp_path / "jobs.sqlite3")
    running = store.submit("ivy-0123456789abcdef", "ivy-1", "teaching", "softmax", {"steps": 100})
    waiting = store.submit("ivy-0123456789abcdef", "ivy-2", "teaching", "softmax", {"steps": 100})
    assert store.start(running["id"], "ivy-0123456789abcdef")
    huey, train = training_queue(state)
    train(waiting["id"], str(store.path), str(tmp_path / "runs"))
    huey.execute(huey.dequeue())
    assert store.get(waiting["id"])["state"] == "queued"
    assert [task.args[0] for task in huey.scheduled()] == [waiting["id"]]  # taken again in a moment


def test_a_run_on_a_book_or_on_pasted_text_and_the_limits_on_both(client, tmp_path, monkeypatch):
    """book:NAME is a listed file of data/corpora; pasted text is written under the state directory for its
    job only; over 500 KB is a 413, an unknown book or tokenizer a 404."""
    books_dir = tmp_path / "corpora"
    books_dir.mkdir()
    (books_dir / "fables.txt").write_text("the fox saw the crow .\nthe crow had the cheese .\n" * 60)
    monkeypatch.setattr(client.app.state, "corpora_dir", books_dir)
    assert "book:fables" in client.get("/api/train/options").json()["texts"]
    knobs = {"steps": 100, "dim": 2, "min_count": 1}
    book = client.post("/api/train/jobs", headers=BEN, json={"kind": "teaching", "name": "ben-fables",
                                                              "text": "book:fables", "knobs": knobs})
    assert book.status_code == 201, book.text
    take_next_job(client.app, book.json()["id"])
    manifest = json.loads((client.app.state.runs.root / "ben-fables" / "run.json").read_text())
    assert manifest["config"]["corpus"] == str(books_dir / "fables.txt")

    pasted_text = "a cat sat on a mat , a dog sat on a log .\n" * 40 + "odd \u202e text 🐈\r\n"
    body = json.dumps({"kind": "teaching", "name": "ben-pasted", "text": "pasted", "pasted": pasted_text, "knobs": knobs})
    pasted = client.post("/api/train/jobs", headers={**BEN, "Content-Type": "application/json"}, content=body)
    assert pasted.status_code == 201, pasted.text
    corpus = Path(pasted.json()["source"]["corpus"])
    assert corpus.is_file() and corpus.parent == client.app.state.train_jobs.path.parent / "pasted"
    take_next_job(client.app, pasted.json()["id"])
    ended = client.get(f"/api/train/jobs/{pasted.json()['id']}", headers=BEN).json()
    assert ended["state"] == "done", ended["reason"]
    assert "sat" in json.loads((client.app.state.runs.root / "ben-pasted" / "vocab.json").read_text())["words"]
    assert not corpus.exists()  # the pasted text lived as long as its job

    for body, status in (({"text": "pasted", "pasted": "x" * 500_001}, 422),
                         ({"text": "pasted", "pasted": "é" * 250_001}, 413),
                         ({"text": "book:missing"}, 404), ({"text": "book:../teaching"}, 404),
                         ({"text": "/etc/passwd"}, 400), ({"tokenizer": "nope"}, 404),
                         ({"text": "teaching", "pasted": "stray"}, 400),
                         ({"text": "pasted", "pasted": "binary \x00 file"}, 400)):
        refused = client.post("/api/train/jobs", headers=BEN, json={"kind": "teaching", "name": "ben-refused", **body})
        assert refused.status_code == status, (body.keys(), refused.text)
    lone = '{"kind": "teaching", "name": "ben-lone", "text": "pasted", "pasted": "a \\ud800 b"}'
    refused = client.post("/api/train/jobs", headers={**BEN, "Content-Type": "application/json"}, content=lone)
    assert refused.status_code == 422  # a lone surrogate is not text: refused as the body arrives, never a 500
