"""Takes the README's screenshots: starts `wordlab serve` on the runs in data/runs, opens each page in
headless Chromium and saves a PNG under docs/img/. Run after `make serve` has trained the default runs, and
(for the explorer's pictures) a corpus run of the 14-book mix named `mix`:

    .venv/bin/wordlab train --kind corpus --corpus /work/shared/corpora/gutenberg-mix.txt --name mix

    .venv/bin/python docs/screenshots.py              # every picture
    .venv/bin/python docs/screenshots.py walkthrough  # the pictures whose name starts with that

The live class's picture (live-class.png) is the projector of an instructor who asked "which word is nearest
to king?" (the answer computed here from the run's files), after 24 simulated students answered and the
answer was revealed; the class's state goes to a temporary directory.
"""

import http.client
import os
import random
import socket
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np
import orjson
from playwright.sync_api import sync_playwright
from safetensors.numpy import load_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import settings  # noqa: E402
from backend.livestore import instructor_key  # noqa: E402
from backend.statestore import state_config  # noqa: E402
from bench.server import seconds_until, server_process  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WALKTHROUGH_READY = "#content[data-renders]"
SCREEN, PROJECTOR = (1280, 800), (1920, 1080)
PAGES = {  # file name → (path, what must be drawn before the picture is taken, viewport, presentation mode)
    # the first screen a student sees: the network with step 1's numbers and the framed, labelled map
    "walkthrough": ("/walkthrough.html?run=default&step=1", WALKTHROUGH_READY, SCREEN, False),
    "walkthrough-presentation": ("/walkthrough.html?run=default&step=1", WALKTHROUGH_READY, PROJECTOR, True),
    "walkthrough-side-by-side": ("/walkthrough.html?run=default&step=150&vs=default-sgns&out=1", WALKTHROUGH_READY,
                                 SCREEN, False),
    "walkthrough-predict": ("/walkthrough.html?run=default-sgns&step=40&ask=top", WALKTHROUGH_READY, SCREEN, False),
    "tokens": ("/tokens.html?text=Victor+felt+overwhelming+remorse+for+his+creation.&k=900", "#first-merges tr",
               SCREEN, False),
    # the explorer on the 14-book mix, its map section whole (with the first word's neighbours)
    "explorer-mix": ("/explorer.html?run=mix", "#map[data-labels]", SCREEN, False),
    "explorer-mix-presentation": ("/explorer.html?run=mix", "#map[data-labels]", SCREEN, True),
}
NEEDS_RUN = {"explorer-mix": "mix", "explorer-mix-presentation": "mix"}   # pictures of a run make serve does not train
FULL_PAGE = {"explorer-mix", "explorer-mix-presentation"}


def call(base: str, method: str, path: str, body: dict | None = None, key: str | None = None,
         source: str = "127.0.0.1"):
    """One request from a loopback address of its own (each simulated student is a phone of its own)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=orjson.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        assert response.status < 300, (path, response.status, response.read())
        return orjson.loads(response.read() or b"null")
    finally:
        connection.close()


def nearest_question(run_dir: Path, word: str) -> dict:
    """Which word is nearest to `word` in the run's final W (cosine), against three farther ones."""
    words = orjson.loads((run_dir / "vocab.json").read_bytes())["words"]
    W = load_file(str(run_dir / "model.safetensors"))["W"].astype(np.float64)
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    cosines = unit @ unit[words.index(word)]
    ranked = [i for i in np.argsort(-cosines) if words[i] != word]
    options = sorted(words[i] for i in (ranked[0], ranked[6], ranked[20], ranked[40]))
    return {"id": f"nearest:default:{word}", "prompt": f"Which word is nearest to “{word}” after training?",
            "kind": "choice", "choices": [{"value": w, "label": w} for w in options], "answer": words[ranked[0]],
            "reason": f"cos({word}, {words[ranked[0]]}) = {cosines[ranked[0]]:.3f}, the highest in the final W."}


def live_class(browser, base: str, out: Path) -> None:
    """The projector after a question to 24 simulated students, revealed."""
    key = instructor_key(state_config())
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script("localStorage.setItem('wordlab.presentation', '1')")
    page.goto(f"{base}/explorer.html?run=default&q=king#lead={key}")
    page.wait_for_selector(".live[data-mode=lead][data-stream=lead]", timeout=15000)
    question = nearest_question(ROOT / "data" / "runs" / "default", "king")
    ask = call(base, "POST", "/api/live/questions", {"question": question}, key)["ask"]
    phones = []  # 24 event streams, one per simulated phone, so the header counts them
    port = int(base.rsplit(":", 1)[1])
    for i in range(24):
        phone = socket.create_connection(("127.0.0.1", port), source_address=(f"127.0.7.{i + 1}", 0))
        phone.sendall(b"GET /api/live/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        phones.append(phone)
    page.wait_for_selector(".live-count:text('24 connected')", timeout=30000)
    rng = random.Random(24)
    values = [c["value"] for c in question["choices"]]
    weights = [5 if v == question["answer"] else 1 for v in values]
    for i in range(24):
        phone = f"127.0.7.{i + 1}"
        student = call(base, "POST", "/api/live/join", {}, source=phone)["student"]
        answer = {"ask": ask, "student": student, "value": rng.choices(values, weights)[0]}
        call(base, "POST", "/api/live/answers", answer, source=phone)
    page.wait_for_selector("aside.live-question .live-summary:text('24 answers')", timeout=15000)
    call(base, "POST", f"/api/live/questions/{ask}/reveal", {}, key)
    page.wait_for_selector("aside.live-question[data-status=revealed]", timeout=15000)
    page.wait_for_timeout(500)  # the bars' redraw settles
    page.screenshot(path=str(out / "live-class.png"))
    print(f"wrote {out / 'live-class.png'}")
    call(base, "DELETE", "/api/live/session", None, key)
    for phone in phones:
        phone.close()
    page.close()


def chosen(name: str) -> bool:
    """Whether the command line asks for this picture (no names: every picture)."""
    return not sys.argv[1:] or any(name.startswith(w) for w in sys.argv[1:])


def main() -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    os.environ[settings.STATE_ENV] = tempfile.mkdtemp(prefix="wordlab-state-")  # the demo class leaves nothing
    with server_process(ROOT / "data" / "runs", ROOT / "data" / "tokenizers") as (port, started, process):
        seconds_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1),
                      process, started, "answer")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, (path, ready, (width, height), presentation) in PAGES.items():
                if not chosen(name):
                    continue
                if name in NEEDS_RUN and not (ROOT / "data" / "runs" / NEEDS_RUN[name] / "run.json").exists():
                    print(f"skipped {name}: no run data/runs/{NEEDS_RUN[name]} (see this script's docstring)")
                    continue
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.wait_for_selector(ready, state="attached", timeout=60000)
                if presentation:
                    page.click("header.top button.present")
                    page.wait_for_selector("html.presentation")
                page.wait_for_timeout(800)  # animations settle
                page.screenshot(path=str(out / f"{name}.png"), full_page=name in FULL_PAGE)
                print(f"wrote {out / f'{name}.png'}")
                page.close()
            if chosen("live-class"):
                live_class(browser, f"http://127.0.0.1:{port}", out)
            browser.close()


if __name__ == "__main__":
    main()
