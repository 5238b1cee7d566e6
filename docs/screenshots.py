"""Takes the README's screenshots: starts `wordlab serve` on the runs in data/runs, opens each page in
headless Chromium and saves a PNG under docs/img/. Run after `make serve` has trained the default runs:

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
    "explorer": ("/explorer.html?run=default", "canvas", SCREEN, False),
}


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
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.wait_for_selector(ready, state="attached", timeout=15000)
                if presentation:
                    page.click("header.top button.present")
                    page.wait_for_selector("html.presentation")
                page.wait_for_timeout(800)  # animations settle
                page.screenshot(path=str(out / f"{name}.png"))
                print(f"wrote {out / f'{name}.png'}")
                page.close()
            browser.close()


if __name__ == "__main__":
    main()
