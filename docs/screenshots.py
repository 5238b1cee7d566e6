"""Takes the README's screenshots: starts `wordlab serve` on the runs in data/runs, opens each page in
headless Chromium and saves a PNG under docs/img/. Run after `make serve` has trained the default runs, and
(for the explorer's pictures) a corpus run of the 14-book mix named `mix`:

    .venv/bin/wordlab train --kind corpus --corpus /work/shared/corpora/gutenberg-mix.txt --name mix

    .venv/bin/python docs/screenshots.py              # every picture
    .venv/bin/python docs/screenshots.py walkthrough  # the pictures whose name starts with that
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


def main() -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with server_process(ROOT / "data" / "runs", ROOT / "data" / "tokenizers") as (port, started, process):
        import urllib.request

        seconds_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1),
                      process, started, "answer")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            wanted = sys.argv[1:]
            for name, (path, ready, (width, height), presentation) in PAGES.items():
                if wanted and not any(name.startswith(w) for w in wanted):
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
            browser.close()


if __name__ == "__main__":
    main()
