"""The live class in real Chromium: one instructor page and several student pages on a server run as `wordlab
serve` runs it (two uvicorn workers, the guarded protocol, state in SQLite). Students follow every kind of
page-state field, step away and rejoin, join late, come back after the workers are killed, and answer a
question whose right answer the test recomputes from the run's files.

The fields are those of tests/live_page/livetest.js, a test page with one field of each kind the app's pages
hold (run, step, playback, word, projection, zoom, token text, merge count, explorer query), and those of the
app's pages already on their PageState (the walkthrough: run, step, word, projection, frame, bars, playback,
and its own question; the token page: text, merge count, and "how many tokens?"); the page field is followed
across the app's pages. Every wait is for an event or an
attribute, never for time.
"""

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import numpy as np
import orjson
import pytest
from safetensors.numpy import load_file

from backend.app import FRONTEND_DIR
from backend.livestore import instructor_key
from backend.statestore import state_config
from tests.a11y import assert_axe_clean, horizontal_overflow
from tests.conftest import ARTIFACTS, server_process, wait_until_serving
from tests.processes import wait_for_workers, workers_of
from trainer.bpe.tokenizer import BPETokenizer
from trainer.run_format import read_all_records, read_manifest

LIVE_PAGE = Path(__file__).parent / "live_page"
WAIT = 15000  # ms: generous for a loaded machine; every wait ends as soon as its condition holds


class ClassServer:
    def __init__(self, base: str, key: str, process: subprocess.Popen, runs: Path, tokenizers: Path):
        self.base, self.key, self.process, self.runs, self.tokenizers = base, key, process, runs, tokenizers


@pytest.fixture(scope="module")
def class_server(served_data, tmp_path_factory):
    runs, tokenizers = served_data
    root = tmp_path_factory.mktemp("class")
    frontend = root / "frontend"
    shutil.copytree(FRONTEND_DIR, frontend)
    shutil.copy(LIVE_PAGE / "livetest.html", frontend / "livetest.html")
    shutil.copy(LIVE_PAGE / "livetest.js", frontend / "js" / "livetest.js")
    state = root / "state"
    key = instructor_key(state_config(str(state)))
    env = {"WORDLAB_TEST_FRONTEND": str(frontend), "WORDLAB_STATE": str(state)}
    with server_process(runs, tokenizers, workers=2, env=env, app="tests.liveapp:app") as (base, process):
        yield ClassServer(base, key, process, runs, tokenizers)


def new_page(browser, width: int = 1280, height: int = 800):
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.fixture(scope="module")
def class_pages(browser, class_server):
    """An instructor leading from the test page (by the lead link) and two students who opened the glossary,
    for the whole module: each test starts from them (`classroom`)."""
    leader = new_page(browser)
    leader.goto(f"{class_server.base}/livetest.html#lead={class_server.key}")
    leader.wait_for_selector(".live[data-mode=lead][data-stream=lead]", timeout=WAIT)
    assert "lead=" not in leader.url  # the key is taken off the address at once
    students = [new_page(browser, 390, 844) for _ in range(2)]
    for student in students:
        student.goto(f"{class_server.base}/glossary.html")
    yield leader, students
    errors = [e for p in (leader, *students) for e in p.errors]
    for p in (leader, *students):
        p.context.close()
    assert errors == []


@pytest.fixture
def classroom(class_pages, class_server):
    """The module's class, with the leader on the test page and every student following it there."""
    leader, students = class_pages
    if not leader.url.startswith(f"{class_server.base}/livetest.html"):
        leader.goto(f"{class_server.base}/livetest.html")
        leader.wait_for_selector(".live[data-mode=lead][data-stream=lead]", timeout=WAIT)
    for student in students:
        if student.locator(".live[data-mode=explore]").count():
            student.click(".live button.live-follow")
        student.wait_for_url("**/livetest.html**", timeout=WAIT)
        student.wait_for_selector(".live[data-mode=follow]", timeout=WAIT)
    return leader, students


def field(page, name):
    return json.loads(page.get_attribute("#view", f"data-{name}"))


def wait_field(page, name, value):
    page.wait_for_function("([name, value]) => document.querySelector('#view')?.dataset[name] === value",
                           arg=[name, json.dumps(value, separators=(",", ":"), ensure_ascii=False)], timeout=WAIT)


def set_on_leader(leader, patch: dict):
    leader.evaluate("(patch) => window.liveTestState.set(patch)", patch)


FIELDS = [("step", 37), ("playing", True), ("word", "king"), ("proj", "global"), ("zoom", 2.5),
          ("text", "Victor <b>felt</b> remorse — ünïcode"), ("k", 120), ("q", "king,queen"), ("run", "default-sgns")]


def test_students_follow_every_field(classroom):
    leader, students = classroom
    for name, value in FIELDS:
        set_on_leader(leader, {name: value})
        for student in students:
            wait_field(student, name, value)
            assert student.get_attribute("#view", "data-origin") == "follow"
    assert field(students[0], "playing") is True  # playback is not in any URL: it came by the stream


def test_students_follow_the_instructor_across_pages(classroom, class_server):
    leader, students = classroom
    leader.goto(f"{class_server.base}/tokens.html")
    for student in students:
        student.wait_for_url("**/tokens.html**", timeout=WAIT)
    leader.goto(f"{class_server.base}/glossary.html#softmax")
    for student in students:
        student.wait_for_url("**/glossary.html#softmax", timeout=WAIT)
        student.wait_for_selector(".live[data-mode=follow]", timeout=WAIT)
    leader.evaluate("location.hash = '#bpe-merge'")
    for student in students:
        student.wait_for_url("**/glossary.html#bpe-merge", timeout=WAIT)


def test_follow_off_then_rejoin_lands_where_the_instructor_is_now(classroom):
    leader, (explorer, follower) = classroom
    explorer.click(".live button.live-follow")  # "Following the class" → off
    explorer.wait_for_selector(".live[data-mode=explore] button.live-follow[aria-pressed=false]")
    explorer.click("#next-step")
    set_on_leader(leader, {"step": 250, "word": "queen"})
    wait_field(follower, "step", 250)
    assert field(explorer, "step") == 2 and field(explorer, "word") is None  # exploring: not moved
    explorer.click(".live button.live-follow")  # "Rejoin the class"
    wait_field(explorer, "step", 250)
    wait_field(explorer, "word", "queen")
    assert explorer.get_attribute(".live button.live-follow", "aria-pressed") == "true"


def test_a_students_own_click_steps_away_from_the_class(classroom):
    leader, (student, other) = classroom
    set_on_leader(leader, {"step": 5, "word": "cat"})
    wait_field(student, "word", "cat")
    wait_field(other, "word", "cat")
    other.evaluate("window.liveTestState.set({zoom: 1.5})")  # the page changing itself (a map fitting): still following
    assert other.get_attribute(".live", "data-mode") == "follow"  # the subscriber runs within set()
    student.click("#pick-word")
    student.wait_for_selector(".live[data-mode=explore]")
    set_on_leader(leader, {"step": 6})
    leader.wait_for_function("document.querySelector('#view').dataset.step === '6'")
    student.click(".live button.live-follow")
    wait_field(student, "step", 6)
    wait_field(student, "word", "cat")


def test_a_late_joiner_lands_on_the_current_state(browser, classroom, class_server):
    leader, _ = classroom
    set_on_leader(leader, {"step": 321, "playing": True, "proj": "global", "text": "late"})
    late = new_page(browser)
    try:
        late.goto(f"{class_server.base}/index.html")
        late.wait_for_url("**/livetest.html**", timeout=WAIT)
        for name, value in [("step", 321), ("playing", True), ("proj", "global"), ("text", "late")]:
            wait_field(late, name, value)
        assert class_server.key not in late.url and class_server.key not in leader.url  # no student gets the key
    finally:
        late.context.close()


def test_students_come_back_after_the_workers_are_killed(classroom, class_server):
    """Both workers killed with every stream open: each page reconnects by itself (a new EventSource after the
    HTTP errors of the restart) and resyncs; the steps it takes meanwhile only ever go forward."""
    leader, students = classroom
    set_on_leader(leader, {"step": 11})
    for student in students:
        wait_field(student, "step", 11)
    taken_before = [len(field(student, "followed-steps")) for student in students]
    old = wait_for_workers(class_server.process, 2)
    for pid in old:
        os.kill(pid, signal.SIGKILL)
    wait_for_workers(class_server.process, 2, not_in=tuple(old))
    wait_until_serving(class_server.base, class_server.process)
    for step in range(12, 21):  # while the pages reconnect: some steps in the ring, some in the snapshot
        set_on_leader(leader, {"step": step})
        leader.wait_for_function("(s) => document.querySelector('#view').dataset.step === String(s)", arg=step)
    for student, before in zip(students, taken_before, strict=True):
        wait_field(student, "step", 20)  # each stream reconnected by itself and took the changes
        taken = field(student, "followed-steps")[before:]
        assert taken[-1] == 20 and taken == sorted(set(taken)) and taken[0] > 11, taken  # never back, never twice
    assert workers_of(class_server.process)


def nearest_in_run_files(run_dir: Path, word: str) -> str:
    words = orjson.loads((run_dir / "vocab.json").read_bytes())["words"]
    W = load_file(str(run_dir / "model.safetensors"))["W"].astype(np.float64)
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    cosines = unit @ unit[words.index(word)]
    cosines[words.index(word)] = -np.inf
    return words[int(np.argmax(cosines))]


NICKNAME = "<img src=x onerror=p()>"  # 23 characters: an image whose error would call p(), were it markup


def test_predict_answer_histogram_reveal(classroom, class_server):
    leader, students = classroom
    set_on_leader(leader, {"run": "default", "word": "king"})
    leader.click(".live button.live-ask")
    leader.click(".live-ask-list button[data-question='nearest:default:king']", timeout=WAIT)
    for student in students:
        student.wait_for_selector("aside.live-question[data-status=open] .live-choices button", timeout=WAIT)
    choices = students[0].eval_on_selector_all(".live-choices button", "bs => bs.map(b => b.dataset.value)")
    right = nearest_in_run_files(class_server.runs / "default", "king")
    assert right in choices and len(choices) == 4
    wrong = next(c for c in choices if c != right)
    students[0].fill(".live-nickname", NICKNAME)
    students[0].click(f".live-choices button[data-value='{wrong}']")
    students[0].wait_for_selector(f".live-choices button[data-value='{wrong}'][aria-pressed=true]")
    students[0].click(f".live-choices button[data-value='{right}']")  # changed before answers close
    students[0].wait_for_selector(f".live-choices button[data-value='{right}'][aria-pressed=true]")
    students[1].click(f".live-choices button[data-value='{wrong}']")
    students[1].wait_for_selector(f".live-choices button[data-value='{wrong}'][aria-pressed=true]")
    # the projector's bars: one answer each, counted once per student
    leader.wait_for_selector(f"svg.live-answers g[data-label='{right}'][data-count='1']", timeout=WAIT)
    leader.wait_for_selector(f"svg.live-answers g[data-label='{wrong}'][data-count='1']", timeout=WAIT)
    assert leader.inner_text("aside.live-question .live-summary") == "2 answers so far"
    leader.click("aside.live-question button[data-action=close]")
    for student in students:
        student.wait_for_selector("aside.live-question[data-status=closed]", timeout=WAIT)
        assert student.is_disabled(".live-choices button >> nth=0")
    leader.click("aside.live-question button[data-action=reveal]")
    for page in (leader, *students):
        page.wait_for_selector("aside.live-question[data-status=revealed]", timeout=WAIT)
        assert page.inner_text(".live-summary") == f"The answer: {right}. 1 of 2 had it (50%)."
        assert page.get_attribute(f"svg.live-answers g[data-label='{right}']", "data-right") == "true"
    assert "right ✓" in students[0].inner_text(".live-mine")
    assert "not this time" in students[1].inner_text(".live-mine")
    for page in (leader, *students):
        assert page.inner_text(".live-names") == f"Right: {NICKNAME}"  # text, not markup
        assert page.evaluate("document.querySelectorAll('aside.live-question img').length") == 0
    assert_axe_clean(leader)
    assert_axe_clean(students[0])
    assert horizontal_overflow(students[0]) == 0  # a 390 px phone
    students[0].screenshot(path=str(ARTIFACTS / "live-student-revealed.png"))


# ---- the app's own pages (their PageState), as their engineers move them onto it ----

def wait_param(page, name: str, value: str | None):
    page.wait_for_function("([n, v]) => new URLSearchParams(location.search).get(n) === v", arg=[name, value],
                           timeout=WAIT)


def param(page, name: str) -> str | None:
    return page.evaluate("(n) => new URLSearchParams(location.search).get(n)", name)


def test_the_walkthrough_is_followed_field_by_field(classroom, class_server):
    leader, students = classroom
    leader.goto(f"{class_server.base}/walkthrough.html?run=default&step=20&proj=global")
    leader.wait_for_selector("#content:not([hidden])", timeout=WAIT)
    for student in students:
        student.wait_for_url("**/walkthrough.html**", timeout=WAIT)
        wait_param(student, "step", "20")
        wait_param(student, "proj", "global")
    leader.click("#next")  # the step
    leader.check("input[name=zoom][value=run]")  # the map's frame
    leader.check("input[name=bars][value=logits]")
    leader.select_option("#word", "king")  # the selected word
    leader.wait_for_function("new URLSearchParams(location.search).get('word') === 'king'")
    for student in students:
        for name in ("step", "zoom", "bars", "word"):
            wait_param(student, name, param(leader, name))
        student.wait_for_selector("input[name=zoom][value=run]:checked")
    before = param(leader, "step")
    leader.click("#play")  # playback: not in any link, followed by the stream
    for student in students:
        student.wait_for_function("document.querySelector('#play').textContent === 'Pause'", timeout=WAIT)
    leader.wait_for_function("(s) => new URLSearchParams(location.search).get('step') !== s", arg=before)
    leader.click("#play")
    leader.wait_for_function("document.querySelector('#play').textContent === 'Play'")
    for student in students:
        student.wait_for_function("document.querySelector('#play').textContent === 'Play'", timeout=WAIT)
        wait_param(student, "step", param(leader, "step"))


def test_the_walkthroughs_question_to_the_class(classroom, class_server):
    """walk's own question (frontend/js/stepquestions.js), asked as is; the answer checked against the step's
    logits in the run's files."""
    leader, students = classroom
    leader.goto(f"{class_server.base}/walkthrough.html?run=default&step=30")
    leader.wait_for_selector("#content:not([hidden])", timeout=WAIT)
    leader.click(".live button.live-ask")
    leader.click(".live-ask-list button[data-question='default:30:top']", timeout=WAIT)
    for student in students:
        student.wait_for_selector("aside.live-question[data-status=open] .live-choices button", timeout=WAIT)
    run_dir = class_server.runs / "default"
    record = next(r for r in read_all_records(run_dir, read_manifest(run_dir)) if r["step"] == 30)
    words = orjson.loads((run_dir / "vocab.json").read_bytes())["words"]
    right = words[int(np.argmax(record["logits"]))]
    labels = students[0].eval_on_selector_all(".live-choices button", "bs => bs.map(b => b.textContent)")
    assert right in labels
    for student in students:
        student.click(f".live-choices button:text-is('{right}')")
    leader.wait_for_selector("aside.live-question .live-summary:text('2 answers')", timeout=WAIT)
    leader.click("aside.live-question button[data-action=reveal]")
    for page in (leader, *students):
        page.wait_for_selector("aside.live-question[data-status=revealed]", timeout=WAIT)
        assert page.inner_text(".live-summary") == f"The answer: {right}. 2 of 2 had it (100%)."


TOKEN_TEXT = "Students follow the instructor's text, merge by merge."


def test_the_token_page_is_followed_and_asks_how_many_tokens(classroom, class_server):
    """The token page's own PageState (text, merge count) and its question, whose answer the test counts with the
    tokenizer file."""
    leader, students = classroom
    leader.goto(f"{class_server.base}/tokens.html")
    leader.wait_for_function("Number(document.querySelector('#side-a .merges')?.max) > 0", timeout=WAIT)  # loaded
    leader.fill("#text", TOKEN_TEXT)
    total = int(leader.get_attribute("#side-a .merges", "max"))
    k = total // 3
    leader.eval_on_selector("#side-a .merges", f"el => {{ el.value = {k}; el.dispatchEvent(new Event('input')); }}")
    for student in students:
        student.wait_for_url("**/tokens.html**", timeout=WAIT)
        student.wait_for_function("(t) => document.querySelector('#text').value === t", arg=TOKEN_TEXT, timeout=WAIT)
        student.wait_for_function("(k) => document.querySelector('#side-a .merges').value === String(k)", arg=k,
                                  timeout=WAIT)
    leader.wait_for_function("(k) => document.querySelector('#side-a .merge-label')?.textContent.startsWith(`${k} of`)",
                             arg=k)
    leader.click(".live button.live-ask")
    leader.click(".live-ask-list button[data-question^='tokens:default:']", timeout=WAIT)
    right = len(BPETokenizer.load(class_server.tokenizers / "default.json").encode(TOKEN_TEXT, merges=k))
    for student, guess in zip(students, (right, right + 3), strict=True):
        student.wait_for_selector("aside.live-question[data-status=open] .live-number", timeout=WAIT)
        student.fill("aside.live-question .live-number", str(guess))
        student.click("aside.live-question .live-number-form button[type=submit]")
        student.wait_for_selector("aside.live-question .live-mine:text('Your answer')", timeout=WAIT)
    leader.wait_for_selector("aside.live-question .live-summary:text('2 answers')", timeout=WAIT)
    leader.click("aside.live-question button[data-action=reveal]")
    for page in (leader, *students):
        page.wait_for_selector("aside.live-question[data-status=revealed]", timeout=WAIT)
        assert page.inner_text(".live-summary") == f"The answer: {right}. 1 of 2 had it (50%)."


def test_the_explorer_is_followed_and_asks_which_word_is_nearest(classroom, class_server):
    """The explorer's own PageState (section, query words, the map's view) and its nearest-word question, whose
    answer the test finds by cosine in the run's model file."""
    leader, students = classroom
    leader.goto(f"{class_server.base}/explorer.html?run=default&q=king")
    leader.wait_for_selector("main[data-ready]", state="attached", timeout=WAIT)
    for student in students:
        student.wait_for_url("**/explorer.html**", timeout=WAIT)
        student.wait_for_selector("main[data-ready]", state="attached", timeout=WAIT)
    leader.click("#tab-neighbors")
    leader.fill("#query", "cat, king")
    leader.click("#query-form button[type=submit]")  # the query: checked with the server, then set
    wait_param(leader, "q", "cat, king")
    leader.click("#tab-map")
    leader.wait_for_function("new URLSearchParams(location.search).get('tab') === null")  # map: the default
    fitted = param(leader, "z")
    leader.focus("#map")
    leader.keyboard.press("+")  # the map's zoom: its view (x, y, z) is state
    leader.wait_for_function("(z) => new URLSearchParams(location.search).get('z') !== z", arg=fitted)
    view = {name: param(leader, name) for name in ("q", "x", "y", "z")}
    for student in students:
        for name, value in view.items():
            wait_param(student, name, value)
        student.wait_for_selector("#section-map:not([hidden])", timeout=WAIT)
        drawn = json.loads(student.get_attribute("#map", "data-view"))
        assert drawn["scale"] == pytest.approx(float(view["z"]), rel=1e-3)  # the map drawn at the leader's zoom
        student.wait_for_function("document.querySelector('#map-word').textContent === 'cat'", timeout=WAIT)
    leader.click(".live button.live-ask")
    leader.click(".live-ask-list button[data-question='nearest:default:cat']", timeout=WAIT)
    right = nearest_in_run_files(class_server.runs / "default", "cat")
    for student in students:
        student.wait_for_selector("aside.live-question[data-status=open] .live-choices button", timeout=WAIT)
    choices = students[0].eval_on_selector_all(".live-choices button", "bs => bs.map(b => b.dataset.value)")
    assert right in choices and len(choices) == 4
    wrong = next(c for c in choices if c != right)
    for student, guess in zip(students, (right, wrong), strict=True):
        student.click(f".live-choices button[data-value='{guess}']")
        student.wait_for_selector(f".live-choices button[data-value='{guess}'][aria-pressed=true]", timeout=WAIT)
    leader.wait_for_selector("aside.live-question .live-summary:text('2 answers')", timeout=WAIT)
    leader.click("aside.live-question button[data-action=reveal]")
    for page in (leader, *students):
        page.wait_for_selector("aside.live-question[data-status=revealed]", timeout=WAIT)
        assert page.inner_text(".live-summary") == f"The answer: {right}. 1 of 2 had it (50%)."
