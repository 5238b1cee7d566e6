"""Takes the README's screenshots: starts `wordlab serve` on the runs in data/runs, opens each page in
headless Chromium and saves a PNG under docs/img/. Run after `make serve` has trained the default runs:

    .venv/bin/python docs/screenshots.py
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
    "explorer": ("/explorer.html?run=default", "canvas"),
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
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            for name, (path, ready) in PAGES.items():
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.wait_for_selector(ready, timeout=15000)
                page.wait_for_timeout(800)  # animations settle
                page.screenshot(path=str(out / f"{name}.png"))
                print(f"wrote {out / f'{name}.png'}")
            browser.close()


if __name__ == "__main__":
    main()
