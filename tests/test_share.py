"""The share control: GET /api/share from a real `wordlab serve`, the header's dialog, and its QR code (segno,
backend/qrcode.py) read back by zbarimg (Debian's zbar-tools) as a phone would.

Servers bind 0.0.0.0 in some of these tests; every request goes to 127.0.0.1.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ARTIFACTS, free_port, wait_until_serving

ZBARIMG = shutil.which("zbarimg")


def test_qr_route_gives_the_modules_of_a_full_qr_code(served_data):
    from fastapi.testclient import TestClient

    from backend.app import create_app

    client = TestClient(create_app(*served_data))
    link = "http://192.168.1.20:8000/walkthrough.html?run=default&step=120&word=king"
    code = client.post("/api/share/qr", json={"text": link}).json()
    assert code["version"] >= 1 and code["error"] in "MQH"   # never a Micro QR; level M or better
    assert code["size"] == 17 + 4 * code["version"] == len(code["rows"])
    assert all(len(row) == code["size"] and set(row) <= {"0", "1"} for row in code["rows"])
    assert code["rows"][0].startswith("1111111") and code["rows"][6].startswith("1111111")  # a finder pattern
    too_long = client.post("/api/share/qr", json={"text": "€" * 1000})  # 3,000 bytes in UTF-8
    assert too_long.status_code == 413 and "too long for a QR code" in too_long.json()["detail"]["message"]


# ---- GET /api/share from `wordlab serve` ----

def start_serve(served_data, host: str, workers: int) -> tuple[subprocess.Popen, int]:
    runs, tokenizers = served_data
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--host", host, "--port", str(port),
                                "--workers", str(workers), "--runs", str(runs), "--tokenizers", str(tokenizers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", process, seconds=60)
    except RuntimeError:
        os.killpg(process.pid, signal.SIGTERM)
        raise
    return process, port


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def lan_server(served_data):
    """`wordlab serve --host 0.0.0.0` with two workers: the bind address must reach both processes."""
    process, port = start_serve(served_data, "0.0.0.0", workers=2)
    yield f"http://127.0.0.1:{port}", port
    stop(process)


def get_share(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/share", timeout=10) as response:
        return json.loads(response.read())


def test_share_on_all_interfaces_gives_this_machines_lan_urls(lan_server):
    base, port = lan_server
    answers = [get_share(base) for _ in range(8)]   # several connections: both workers answer
    assert all(a == answers[0] for a in answers)
    info = answers[0]
    assert info["host"] == "0.0.0.0" and info["port"] == port and info["lan"] is True
    assert info["urls"], "this machine has a LAN address (the test machine has a default route)"
    for link in info["urls"]:
        address = link.removeprefix("http://").removesuffix(f":{port}/")
        assert link == f"http://{address}:{port}/" and not address.startswith("127.")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((address, 0))   # only an address of this machine can be bound; nothing is sent
    assert "scan" in info["message"]


def test_share_on_loopback_says_how_to_restart(served_data):
    process, port = start_serve(served_data, "127.0.0.1", workers=1)
    try:
        info = get_share(f"http://127.0.0.1:{port}")
    finally:
        stop(process)
    assert info == {"host": "127.0.0.1", "port": port, "lan": False, "urls": [],
                    "message": "The server listens on 127.0.0.1 only: no other computer can open it. "
                               "To let students join, restart it with: make serve HOST=0.0.0.0"}


def test_share_on_one_lan_address_gives_that_address(served_data, monkeypatch):
    from fastapi.testclient import TestClient

    from backend import settings
    from backend.app import create_app

    monkeypatch.setenv(settings.BIND_HOST_ENV, "192.168.1.20")   # read per request; no socket is opened
    monkeypatch.setenv(settings.BIND_PORT_ENV, "8080")
    info = TestClient(create_app(*served_data)).get("/api/share").json()
    assert info["urls"] == ["http://192.168.1.20:8080/"] and info["lan"] is True and info["host"] == "192.168.1.20"


def test_share_from_a_server_not_started_by_wordlab_serve(live_server):
    info = get_share(live_server)   # plain uvicorn: the bind address never reached the app
    assert info["host"] is None and info["lan"] is False and info["urls"] == []
    assert "make serve HOST=0.0.0.0" in info["message"]


# ---- the dialog in the header ----

def open_share(page):
    page.click("header.top button.share")
    page.wait_for_selector("dialog.share-dialog[open] .share-body :is(.share-link, .share-message, .error)")


def decode_with_zbar(png: bytes) -> str:
    assert ZBARIMG, "the share tests need zbarimg: make browser installs Debian's zbar-tools"
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "share-qr.png"
    path.write_bytes(png)
    result = subprocess.run([ZBARIMG, "--quiet", "--raw", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("width", [1280, 390])
def test_dialog_links_and_encodes_the_current_view(browser, lan_server, width):
    base, port = lan_server
    lan = get_share(base)["urls"][0]
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}/explorer.html?run=default&q=king,cat&layout=pca")
        page.wait_for_selector("main[data-ready]", state="attached", timeout=30000)
        page.wait_for_function("new URL(location.href).searchParams.has('z')")   # the map's view reached the URL
        view = page.evaluate("location.pathname + location.search")
        open_share(page)
        link = page.locator("dialog .share-link")
        expected = f"{lan.rstrip('/')}{view}"
        assert link.get_attribute("href") == expected and link.inner_text() == expected
        code = page.locator("dialog svg.qr")
        assert code.get_attribute("aria-label") == f"QR code of {expected}"
        assert decode_with_zbar(code.screenshot()) == expected    # a real decoder reads what a phone would
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
        page.screenshot(path=str(ARTIFACTS / f"share-dialog-{width}.png"))
        page.keyboard.press("Escape")
        assert page.locator("dialog.share-dialog").get_attribute("open") is None
    finally:
        context.close()
    assert errors == []


def test_dialog_on_loopback_tells_the_instructor_to_restart(page, served_data):
    process, port = start_serve(served_data, "127.0.0.1", workers=1)
    try:
        page.goto(f"http://127.0.0.1:{port}/glossary.html")
        open_share(page)
        assert page.locator("dialog .share-message").inner_text().endswith("restart it with: make serve HOST=0.0.0.0")
        assert page.locator("dialog svg.qr").count() == 0
    finally:
        stop(process)
