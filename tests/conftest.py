"""Shared fixtures: small real runs written once per session into temporary directories.

Under pytest-xdist (`make test` runs several worker processes) an expensive artefact is built once for the
whole session by the first worker that needs it (built_once), and every worker works on its own copy."""

import os
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest

# Before numpy, numba or torch load their thread pools (here, in xdist workers and in the servers and CLIs tests
# start, which inherit it): an OpenMP thread that waits for work sleeps instead of spinning. Spinning threads of
# one test fought the browser and the other xdist worker for the machine's cores and made both slower.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from trainer.config import TeachingConfig  # noqa: E402

SMALL_STEPS = 400


@pytest.fixture(scope="session")
def small_config() -> TeachingConfig:
    """The built-in teaching corpus, few steps, small chunks so that several chunks are written."""
    return TeachingConfig(steps=SMALL_STEPS, lr=0.3, dense_steps=50, record_interval=7, chunk_size=40)


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> Path:
    """A folder `build(folder)` fills, built once per session under a lock the xdist workers share, and
    copied into this worker's own temporary directory (a test that changes its copy changes no one else's)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base   # xdist: the workers' common parent
    built = shared / "built-once" / name
    built.parent.mkdir(exist_ok=True)
    with FileLock(str(built) + ".lock"):
        if not built.is_dir():
            partial = built.with_name(name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            build(partial)
            partial.rename(built)   # whole or absent: a worker never copies half an artefact
    copy = tmp_path_factory.mktemp(name)
    shutil.copytree(built, copy, dirs_exist_ok=True)
    return copy


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, small_config) -> Path:
    from trainer.teaching_run import train_run

    out = built_once(tmp_path_factory, "runs",
                     lambda out: train_run(small_config, "small", out, progress=False, log=lambda _: None))
    return out / "small"


@pytest.fixture(scope="session")
def small_sgns_run(tmp_path_factory, small_config) -> Path:
    """The same corpus, seed and schedule as small_run, trained with negative sampling."""
    import dataclasses

    from trainer.teaching_run import train_run

    out = built_once(tmp_path_factory, "sgns-runs",
                     lambda out: train_run(dataclasses.replace(small_config, method="sgns"), "small-sgns", out,
                                           progress=False, log=lambda _: None))
    return out / "small-sgns"


@pytest.fixture(scope="session")
def small_corpus_run(tmp_path_factory) -> Path:
    """A corpus run (negative sampling, recorded steps and snapshots) of the built-in teaching corpus."""
    from trainer.config import DEFAULT_CORPUS, CorpusConfig, resolve_corpus
    from trainer.sgns.run import train_corpus_run

    config = CorpusConfig(corpus=str(resolve_corpus(DEFAULT_CORPUS)), dim=16, epochs=4, min_count=3, workers=1,
                        checkpoints=8, recorded_steps=60, sample=0.0)
    out = built_once(tmp_path_factory, "corpus-runs",
                     lambda out: train_corpus_run(config, "corpus", out, progress=False, log=lambda _: None))
    return out / "corpus"


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def state_dir(tmp_path_factory) -> Path:
    """Server-side state (backend/statestore.py: the live class) goes to a temporary directory for the whole
    session, in this process and the servers it starts, never to the project's data/state/."""
    from backend import settings

    path = tmp_path_factory.mktemp("state")
    os.environ[settings.STATE_ENV] = str(path)
    return path


# Debian's chromium-headless-shell (the headless-only build: no window system, starts faster and lighter than
# the full browser) when installed, as `make browser` installs it; else the full chromium, run headless.
CHROMIUM = next((path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
                "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, process, seconds: float = 30) -> None:
    """Polls /api/health until it answers; RuntimeError if the server exits or stays silent."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited during start-up (code {process.returncode})") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {seconds:g} s") from None
            time.sleep(0.1)   # a poll, not a wait on time: the server's first answer is the event (no log line to read)


def replace_run_file(run_dir: Path, relpath: str, data: bytes) -> None:
    """Rewrites one file of a run and its manifest entry, so the run stays valid (for hostile-data tests)."""
    import hashlib

    import orjson

    (run_dir / relpath).write_bytes(data)
    manifest = orjson.loads((run_dir / "run.json").read_bytes())
    manifest["files"][relpath].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    (run_dir / "run.json").write_bytes(orjson.dumps(manifest))


HOSTILE_VALUE = '<img src=x onerror="window.pwned=1">'


def add_hostile_run(small_run: Path, runs: Path) -> None:
    """'hostile': small_run with step 1's probabilities and first word replaced by markup."""
    import gzip
    import shutil

    import orjson

    target = runs / "hostile"
    shutil.copytree(small_run, target)
    first_chunk = orjson.loads((target / "run.json").read_bytes())["chunks"]["steps"][0]
    chunk = orjson.loads(gzip.decompress((target / first_chunk).read_bytes()))
    columns = chunk["columns"]
    columns["probabilities"][0] = [HOSTILE_VALUE] * len(columns["probabilities"][0])
    replace_run_file(target, first_chunk, gzip.compress(orjson.dumps(chunk)))
    vocab = orjson.loads((target / "vocab.json").read_bytes())
    vocab["words"][columns["context_id"][0]] = HOSTILE_VALUE
    replace_run_file(target, "vocab.json", orjson.dumps(vocab))


@pytest.fixture(scope="session")
def served_data(tmp_path_factory, small_run, small_sgns_run, small_corpus_run):
    """A runs directory with a valid 'default' run, its negative-sampling twin 'default-sgns', a 'hostile'
    one whose recorded values hold markup, a 'broken' one and a corpus run 'corpus'; and a tokenizers directory."""
    import shutil

    from trainer.bpe.build import build_tokenizer
    from trainer.config import DEFAULT_CORPUS, resolve_corpus

    root = tmp_path_factory.mktemp("live")
    shutil.copytree(small_run, root / "runs" / "default")
    shutil.copytree(small_sgns_run, root / "runs" / "default-sgns")
    shutil.copytree(small_corpus_run, root / "runs" / "corpus")
    add_hostile_run(small_run, root / "runs")
    shutil.copytree(small_run, root / "runs" / "broken")
    (root / "runs" / "broken" / "vocab.json").write_text("{}", encoding="utf-8")
    build_tokenizer(resolve_corpus(DEFAULT_CORPUS), 1000, "default", root / "tokenizers", progress=False)
    build_tokenizer(resolve_corpus(DEFAULT_CORPUS), 520, "small", root / "tokenizers", progress=False)
    return root / "runs", root / "tokenizers"


@pytest.fixture(scope="session")
def softmax_files(served_data):
    """The served 'default' run read straight from its files (tests/test_walkthrough_layers.py RunFiles)."""
    from tests.test_walkthrough_layers import RunFiles

    return RunFiles(served_data[0] / "default")


@pytest.fixture(scope="session")
def sgns_files(served_data):
    """The served 'default-sgns' run read straight from its files."""
    from tests.test_walkthrough_layers import RunFiles

    return RunFiles(served_data[0] / "default-sgns")


# The server `wordlab serve` runs (backend/serve.py): its app, its uvicorn options (the guarded protocol,
# its deadlines, no proxy headers, no access log) and its environment, without its start-up work (training
# default runs, building the default tokenizer, printing the class's link) that the tests' folders do not want,
# and without its bind address (test_share.py serves the app as another launcher would; env= adds it).
# An optional fourth argument names another app factory (tests/liveapp.py: the app with a test page added).
SERVE_LIKE_PRODUCTION = """import os, sys, uvicorn
from backend.lifecycle import SUPERVISOR_ENV, raise_open_files_limit
from backend.serve import APP, UVICORN_OPTIONS
host, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raise_open_files_limit()
os.environ[SUPERVISOR_ENV] = str(os.getpid())
uvicorn.run(sys.argv[4] if len(sys.argv) > 4 else APP, host=host, port=port, workers=workers, **UVICORN_OPTIONS)
"""


@contextmanager
def server_process(runs: Path, tokenizers: Path, workers: int = 1, env: dict | None = None, app: str | None = None):
    """A real server process on loopback, configured as `wordlab serve` configures it, serving these runs and
    tokenizers; yields its base URL and its process (the leader of a session of its own: stopped as a whole).
    env: variables added to the server's environment; app: another app factory than the production one."""
    import signal
    import subprocess
    import sys

    port = free_port()
    server_env = {**os.environ, "WORDLAB_RUNS_DIR": str(Path(runs).resolve()),
                  "WORDLAB_TOKENIZERS_DIR": str(Path(tokenizers).resolve()), **(env or {})}
    process = subprocess.Popen([sys.executable, "-c", SERVE_LIKE_PRODUCTION, "127.0.0.1", str(port), str(workers),
                                *([app] if app else [])], env=server_env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, seconds=60)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:   # a loaded machine: what was served has been tested, just end it
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def serving(runs: Path, tokenizers: Path, workers: int = 1, env: dict | None = None):
    """server_process's base URL: the production app serving these runs and tokenizers."""
    with server_process(runs, tokenizers, workers, env) as (base, _):
        yield base


@contextmanager
def serving_in_thread(app, http):
    """uvicorn in a thread of this process with the given protocol class (short deadlines, say); yields its port."""
    import threading

    import uvicorn

    started = threading.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets)
            started.set()  # listening (or failed: should_exit is then set)

    port = free_port()
    server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=http, log_level="warning",
                                   lifespan="off", backlog=4096))
    thread = threading.Thread(target=lambda: (server.run(), started.set()), daemon=True)
    thread.start()
    started.wait(timeout=60)
    assert server.started, "the server did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(served_data):
    """The app serving served_data's runs and tokenizers; yields its base URL."""
    with serving(*served_data) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if os.environ.get("WORDLAB_NO_BROWSER"):
        pytest.skip("BROWSER TESTS SKIPPED: chromium could not be installed (make test needs root for apt-get)")
    assert Path(CHROMIUM).exists(), "browser tests need Debian's chromium-headless-shell or chromium (make browser installs it)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # bypass_csp: Playwright's string predicates (wait_for_function) are eval'd in the page, which the app's
    # Content-Security-Policy forbids; tests/test_hostile.py loads the pages with the policy in force.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def project_default(tmp_path_factory):
    """The default tokenizer `make serve` writes (English prose from word frequencies, 32,000 merges), built
    once per session (it takes seconds) and read back as build_default_tokenizer returns it."""
    import json

    from trainer.bpe.build import BuiltTokenizer, build_default_tokenizer
    from trainer.bpe.tokenizer import BPETokenizer

    def build(out: Path) -> None:
        built = build_default_tokenizer(out, progress=False)
        (out / "built.json").write_text(json.dumps({"seconds": built.seconds, "warning": built.warning}))

    folder = built_once(tmp_path_factory, "project-default", build)
    path, built = folder / "default.json", json.loads((folder / "built.json").read_text())
    return BuiltTokenizer(BPETokenizer.load(path), path, built["seconds"], built["warning"])


@pytest.fixture
def tokenizers_with_default(tmp_path, project_default) -> Path:
    """A tokenizers folder holding the default tokenizer already, for CLI tests that train a run: `wordlab train`
    writes the default tokenizer where it is absent, and that build (seconds) is not what they test."""
    folder = tmp_path / "tokenizers"
    folder.mkdir()
    shutil.copyfile(project_default.path, folder / "default.json")
    return folder


@pytest.fixture(scope="session")
def default_training_text() -> str:
    """The text the default tokenizer is trained on (and holds its held-out lines)."""
    from trainer.bpe.english_text import english_text

    return english_text()


def node_module_export(path: str, name: str):
    """A constant exported by one of the pages' plain modules, read by node (the same values the page uses)."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    assert node, "this test reads a page module with node (Debian's nodejs; `make test` installs it)"
    root = Path(__file__).resolve().parents[1]
    script = f"import({json.dumps((root / path).as_uri())}).then(m => console.log(JSON.stringify(m.{name})))"
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60,
                          check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def tiktoken_encodings(tmp_path_factory):
    """tiktoken's GPT-2, GPT-4 and GPT-4o encodings, read from a cache holding the shipped rank files under
    tiktoken's own names: it checks each file's SHA-256 against OpenAI's and, finding them, downloads nothing."""
    import hashlib

    from trainer.bpe.gpt_tokenizers import REFERENCES, tiktoken_path

    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name in REFERENCES:
        path = tiktoken_path(name)
        assert path.is_file(), f"{path} is missing: `make references` installs it"
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(path.read_bytes())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    return {name: tiktoken.get_encoding(name) for name in REFERENCES}
