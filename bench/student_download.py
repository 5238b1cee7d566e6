"""What one student's browser downloads to open a run in the walkthrough, and to scrub it end to end.

Usage: python -m bench.student_download RUNS_DIR RUN [--mbit 5] [--students 60]
Serves RUNS_DIR with `wordlab serve`, opens /walkthrough.html?run=RUN in headless Chromium, then moves
the slider through every recorded step in order (waiting for each step to render), and counts the
bytes that crossed the wire (Chrome's encodedDataLength: compressed sizes, headers included) per file.
Prints both totals, the time they take at the given link speed, and a class's total.
"""

import argparse
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

from bench.server import seconds_until, server_process

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def measure(base: str, run: str) -> tuple[dict[str, int], dict[str, int], int]:
    """(bytes per path to open, bytes per path while scrubbing, recorded steps)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(bypass_csp=True)   # for the wait predicates; the page itself is unchanged
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        urls, received = {}, defaultdict(int)
        cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished",
               lambda e: received.__setitem__(urlparse(urls.get(e["requestId"], "?")).path,
                                              received[urlparse(urls.get(e["requestId"], "?")).path]
                                              + int(e["encodedDataLength"])))
        page.goto(f"{base}/walkthrough.html?run={run}")
        page.wait_for_function("document.getElementById('step-label').textContent.includes('step 1')")
        page.wait_for_load_state("networkidle")
        opened = dict(received)
        received.clear()
        last = int(page.get_attribute("#slider", "max"))
        for index in range(1, last + 1):
            page.eval_on_selector("#slider", "(s, i) => { s.value = i; s.dispatchEvent(new Event('input')); }", index)
        page.wait_for_load_state("networkidle")
        scrubbed = dict(received)
        browser.close()
    return opened, scrubbed, last + 1


def report(what: str, sizes: dict[str, int], mbit: float, students: int) -> None:
    total = sum(sizes.values())
    print(f"{what}: {total / 1e6:.2f} MB in {len(sizes)} files, {total * 8 / (mbit * 1e6):.1f} s at {mbit:g} Mbit/s, "
          f"{total * students / 1e6:.0f} MB for {students} students")
    by_kind = defaultdict(int)
    for path, size in sizes.items():
        folder, name = path.rsplit("/", 2)[-2:]
        by_kind[f"{folder}/" if folder in ("steps", "timeline") else name] += size
    for name, size in sorted(by_kind.items(), key=lambda item: -item[1])[:8]:
        print(f"    {name:<28} {size / 1e6:7.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_dir", type=Path)
    parser.add_argument("run")
    parser.add_argument("--mbit", type=float, default=5.0)
    parser.add_argument("--students", type=int, default=60)
    args = parser.parse_args()
    with server_process(args.runs_dir, args.runs_dir / ".no-tokenizers") as (port, started, process):
        base = f"http://127.0.0.1:{port}"
        import urllib.request

        seconds_until(lambda: urllib.request.urlopen(f"{base}/api/health", timeout=1), process, started, "health")
        began = time.perf_counter()
        opened, scrubbed, steps = measure(base, args.run)
        print(f"run {args.run}: {steps} recorded steps; measured in {time.perf_counter() - began:.0f} s")
    report("open", opened, args.mbit, args.students)
    report("scrub end to end", scrubbed, args.mbit, args.students)


if __name__ == "__main__":
    main()
