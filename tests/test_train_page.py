"""The Train page in Chromium, with `wordlab worker` taking the jobs: a student trains a teaching run with
non-default knobs and opens it in the walkthrough (the run's manifest has exactly those knobs); a worker
killed while it trains leaves a failed job, with the reason, and no run."""

import re
import subprocess
import sys

import httpx
import pytest

from tests.conftest import serving


@pytest.fixture(scope="module")
def train_server(tmp_path_factory, served_data):
    """One server for the module, on runs of its own (trained runs must not show in other tests' lists),
    and one worker process taking the jobs from the same SQLite queue."""
    runs = tmp_path_factory.mktemp("train-runs")
    _, tokenizers = served_data
    workers = [start_worker()]
    try:
        with serving(runs, tokenizers) as base:
            yield base, runs, workers
    finally:
        workers[-1].terminate()
        workers[-1].wait(timeout=10)


def start_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"])


def fill_form(page, base: str, name: str, knobs: dict, selects: dict | None = None) -> None:
    """Opens the Train page and fills in the run's name, the selects (method, text, tokens) and the knobs."""
    page.goto(f"{base}/train.html")
    page.wait_for_selector("#knob-steps")
    page.fill("#run-name", name)
    for select, value in (selects or {}).items():
        page.select_option(f"#{select}", value)
    for knob, value in knobs.items():
        page.fill(f"#knob-{knob}", value)


def test_train_a_run_with_chosen_knobs_and_open_it_in_the_walkthrough(train_server, page):
    base, runs, _ = train_server
    fill_form(page, base, "page-run", {"dim": "3", "window": "2", "steps": "150"}, {"method": "sgns"})
    page.wait_for_selector("#cost:has-text('150 steps')")
    page.click("#start")
    page.wait_for_selector("#job-state:has-text('page-run: done')", timeout=120_000)  # after the worker's probe
    page.click("#open-walkthrough")
    page.wait_for_url("**/walkthrough.html?run=page-run")
    config = httpx.get(f"{base}/api/runs/page-run").json()["config"]
    assert (config["dim"], config["window"], config["steps"], config["method"]) == (3, 2, 150, "sgns")
    assert config["lr"] == 0.1 and config["min_count"] == 3  # the knobs left alone kept their defaults
    assert not page.errors


def test_a_killed_worker_gives_a_failed_job_and_no_run(train_server, page):
    base, runs, workers = train_server
    start_long_job(base, page, "killed-run")
    workers[-1].kill()
    workers[-1].wait(timeout=10)
    workers.append(start_worker())  # as `wordlab serve` does when its worker dies
    page.wait_for_selector("#job-state:has-text('killed-run: failed')", timeout=60_000)
    assert "worker stopped" in page.text_content("#job-state")
    assert not (runs / "killed-run").exists()
    assert not page.errors


def start_long_job(base: str, page, name: str) -> str:
    """Starts a 50,000-step run from the page and waits until a worker trains it; returns the job's id."""
    fill_form(page, base, name, {"steps": "50000"})
    with page.expect_response("**/api/train/jobs") as submitted:
        page.click("#start")
    page.wait_for_selector(f"#job-state:has-text('{name}: running')", timeout=60_000)
    page.wait_for_selector("#job-progress-text:has-text('loss so far')", timeout=60_000)  # the live progress bar
    assert 0 < float(page.get_attribute("#job-progress", "value")) < 50_000
    return submitted.value.json()["id"]


def test_cancel_a_running_job_and_another_student_cannot_touch_it(train_server, page, browser):
    base, runs, _ = train_server
    job_id = start_long_job(base, page, "cancelled-run")
    other = browser.new_context().new_page()  # another browser: its own localStorage, so its own student key
    other.goto(f"{base}/train.html")
    other.wait_for_selector("#knob-steps")
    statuses = other.evaluate("""async (id) => {
        const { studentHeaders } = await import("/js/student.js");
        const ask = (url, method) => fetch(url, { method, headers: studentHeaders() }).then((r) => r.status);
        return [await ask(`/api/train/jobs/${id}`, "GET"), await ask(`/api/train/jobs/${id}/cancel`, "POST")];
    }""", job_id)
    assert statuses == [404, 404]
    other.context.close()
    page.click("#cancel")
    page.wait_for_selector("#job-state:has-text('cancelled-run: cancelled')")
    assert not (runs / "cancelled-run").exists()
    assert not page.errors


def test_a_diverging_learning_rate_gives_a_run_shown_as_diverged(train_server, page):
    """lr 5 drives the loss to infinity within a few hundred steps: the run is kept up to its last sound
    recorded step, the page says where it diverged, and the walkthrough says so and lists it as this
    student's diverged run."""
    base, runs, _ = train_server
    fill_form(page, base, "too-fast", {"lr": "5", "steps": "2000"})
    page.wait_for_selector("#cost:has-text('2,000 steps')")
    page.click("#start")
    page.wait_for_selector("#job-state:has-text('too-fast: diverged at step')", timeout=90_000)
    diverged = httpx.get(f"{base}/api/runs/too-fast").json()["diverged"]
    assert diverged["lr"] == 5 and 0 < diverged["kept_steps"] < diverged["step"] <= 2000
    page.wait_for_selector("#my-runs li[data-run='too-fast']")
    page.click("#open-walkthrough")
    page.wait_for_selector("#notice:has-text('This run diverged')")
    assert re.search(r"too-fast \(\d+ words, \d+ steps\) · diverged · yours", page.text_content("#run"))
    assert not page.errors


def test_train_on_pasted_text_cut_by_a_bpe_tokenizer(train_server, page):
    """The text and tokens a lesson varies: the student's own text, cut by the class's 'small' BPE tokenizer;
    the pasted text is gone once its job has ended, and the run records both."""
    base, runs, _ = train_server
    fill_form(page, base, "my-text", {"steps": "300", "min_count": "1"}, {"text": "pasted", "tokenizer": "small"})
    page.fill("#pasted", "the cat sat on the mat and the dog sat on the log .\n" * 30)
    page.wait_for_selector("#pasted-size:has-text('1,560 of 500,000 bytes')")
    page.wait_for_selector("#cost:has-text('300 steps')")
    page.click("#start")
    page.wait_for_selector("#job-state:has-text('my-text: done')", timeout=90_000)
    manifest = httpx.get(f"{base}/api/runs/my-text").json()
    assert manifest["tokenizer"]["name"] == "small" and "/pasted/" in manifest["corpus"]["source"]
    assert not list(runs.parent.rglob("pasted/*.txt"))
    assert not page.errors


def test_the_instructor_sees_every_job_deletes_a_run_and_turns_training_off(train_server, page, state_dir):
    from backend.livestore import instructor_key
    from backend.statestore import StateConfig

    base, runs, _ = train_server
    key = instructor_key(StateConfig("sqlite", directory=state_dir))
    assert (runs / "page-run").is_dir()  # trained by another student in the first test
    page.goto(f"{base}/train.html")
    page.wait_for_selector("#knob-steps")
    page.click("#instructor summary")
    page.fill("#instructor-key", key)
    page.click("#instructor-show")
    run = page.locator("#class-jobs li", has_text="page-run: done")
    run.get_by_role("button", name="Delete run").click()
    page.wait_for_selector("#class-jobs li:has-text('page-run: deleted')")
    assert not (runs / "page-run").exists()
    page.uncheck("#training-on")
    page.wait_for_selector("#training-off", state="visible")
    refused = httpx.post(f"{base}/api/train/jobs", headers={"X-Student-Key": "someone-0123456789"},
                         json={"kind": "teaching", "name": "while-off"})
    assert refused.status_code == 503 and "turned training off" in refused.json()["detail"]["message"]
    page.check("#training-on")
    page.wait_for_selector("#training-off", state="hidden")
    assert not page.errors
