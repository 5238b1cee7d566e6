"""Takes the README's screenshots: starts `wordlab serve` on the runs in data/runs, opens each page in
headless Chromium and saves a PNG under docs/img/. Run after `make serve` has trained the default runs, and
(for the explorer's pictures) a corpus run of the 14-book mix named `mix`:

    .venv/bin/wordlab train --kind corpus --corpus /work/shared/corpora/gutenberg-mix.txt --name mix
    .venv/bin/python docs/screenshots.py                      # every picture, or some by name:
    .venv/bin/python docs/screenshots.py explorer-mix explorer-mix-presentation
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server import seconds_until, server_process  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = {  # file name → (path, what must be drawn before the picture is taken)
    "walkthrough": ("/walkthrough.html?run=default&step=9000&out=1", "#step-label"),  # output vectors shown
    "walkthrough-sgns": ("/walkthrough.html?run=default-sgns&step=400", "#step-label"),
    "tokens": ("/tokens.html?text=Victor+felt+overwhelming+remorse+for+his+creation.&k=900", "#first-merges tr"),
    "explorer-mix": ("/explorer.html?run=mix", "main[data-ready]"),
}
# Taken in presentation mode (large type, dark, full width), as a projector shows them.
PRESENTATION = {"explorer-mix-presentation": ("/explorer.html?run=mix", "main[data-ready]")}
NEEDS_RUN = {"explorer-mix": "mix", "explorer-mix-presentation": "mix"}
FULL_PAGE = {"explorer-mix", "explorer-mix-presentation"}   # the map section whole, with its neighbours


def main(names: list[str]) -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with server_process(ROOT / "data" / "runs", ROOT / "data" / "tokenizers") as (port, started, process):
        import urllib.request

        seconds_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1),
                      process, started, "answer")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for shots, presentation in ((PAGES, False), (PRESENTATION, True)):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                if presentation:
                    page.add_init_script("localStorage.setItem('wordlab.presentation', '1')")
                for name, (path, ready) in shots.items():
                    if names and name not in names:
                        continue
                    if name in NEEDS_RUN and not (ROOT / "data" / "runs" / NEEDS_RUN[name] / "run.json").exists():
                        print(f"skipped {name}: no run data/runs/{NEEDS_RUN[name]} (see this script's docstring)")
                        continue
                    page.goto(f"http://127.0.0.1:{port}{path}")
                    page.wait_for_selector(ready, timeout=60000)
                    page.wait_for_timeout(800)  # animations settle
                    page.screenshot(path=str(out / f"{name}.png"), full_page=name in FULL_PAGE)
                    print(f"wrote {out / f'{name}.png'}")
                page.close()
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
