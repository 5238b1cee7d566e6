"""The share control: GET /api/share from a real `wordlab serve`, the header's dialog, and the QR encoder
(frontend/js/qr.js) checked against independent references: python-qrcode's module matrices, segno's
mask penalty, and zbarimg (Debian's zbar-tools) reading the code drawn on the page.

Servers bind 0.0.0.0 in some of these tests; every request goes to 127.0.0.1.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest
import qrcode
from qrcode.util import MODE_8BIT_BYTE, QRData
from segno.encoder import evaluate_mask

from tests.conftest import ARTIFACTS, free_port, wait_until_serving

LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}
ZBARIMG = shutil.which("zbarimg")


def sample_texts() -> list[str]:
    """Links like the share control's (up to ~300 bytes, so versions 1-13 at M) and non-ASCII text."""
    rng = random.Random(18)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789?=&,%-._"
    links = [f"http://192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}:8000/explorer.html?"
             + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 260))) for _ in range(18)]
    return ["hello", "é€😀 ünïcödé", "http://10.0.0.5:8000/", *links]


@pytest.fixture(scope="module")
def qr_page(browser, live_server):
    """A page of the app where qr.js is imported (window.qr), for the encoder's tests."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/glossary.html")
    page.evaluate("import('/js/qr.js').then((m) => { window.qr = m; })")
    page.wait_for_function("window.qr")
    yield page
    context.close()


def encode(page, text, **options) -> dict:
    return page.evaluate("([t, o]) => { const q = window.qr.encodeQR(t, o);"
                         " return {...q, modules: q.modules.map((r) => Array.from(r))}; }", [text, options])


def python_qrcode(text: str, ecc: str, version: int | None = None, mask: int | None = None):
    code = qrcode.QRCode(version=version, error_correction=LEVELS[ecc], border=0, mask_pattern=mask)
    code.add_data(QRData(text.encode("utf-8"), mode=MODE_8BIT_BYTE))
    code.make(fit=version is None)
    return code


def test_qr_matrices_equal_python_qrcode(qr_page):
    checked = set()
    for text in sample_texts():
        for ecc in "LM":
            ours = encode(qr_page, text, ecc=ecc)
            reference = python_qrcode(text, ecc)
            assert ours["version"] == reference.version, (text, ecc)   # the smallest version that holds it
            matrix = [[int(v) for v in row] for row in python_qrcode(text, ecc, ours["version"], ours["mask"]).get_matrix()]
            assert ours["modules"] == matrix, (text, ecc, ours["version"], ours["mask"])
            checked.add((ours["version"], ecc))
    assert {v for v, _ in checked} >= set(range(1, 12)), checked   # with and without version information


@pytest.mark.parametrize("mask", range(8))
def test_every_forced_mask_equals_python_qrcode(qr_page, mask):
    text = "http://192.168.1.20:8000/walkthrough.html?run=default&step=120&word=king"
    ours = encode(qr_page, text, ecc="M", mask=mask)
    assert ours["mask"] == mask
    reference = python_qrcode(text, "M", ours["version"], mask).get_matrix()
    assert ours["modules"] == [[int(v) for v in row] for row in reference]


def format_and_version_cleared(matrix: list[list[int]], version: int) -> tuple[bytearray, ...]:
    """The symbol as the standard scores it (ISO/IEC 18004:2015, 7.8.3): format and version areas still light."""
    n = len(matrix)
    m = [row[:] for row in matrix]
    cells = [(8, i) for i in range(9) if i != 6] + [(i, 8) for i in range(9) if i != 6]
    cells += [(8, n - 1 - i) for i in range(8)] + [(n - 1 - i, 8) for i in range(8)]
    if version >= 7:
        cells += [(n - 11 + i % 3, i // 3) for i in range(18)] + [(i // 3, n - 11 + i % 3) for i in range(18)]
    for r, c in cells:
        m[r][c] = 0
    return tuple(bytearray(row) for row in m)


def test_chosen_mask_has_the_lowest_penalty_by_segno(qr_page):
    for text in sample_texts():
        for ecc in "LM":
            ours = encode(qr_page, text, ecc=ecc)
            n = ours["size"]
            scores = [evaluate_mask(format_and_version_cleared(encode(qr_page, text, ecc=ecc, mask=k)["modules"],
                                                               ours["version"]), n, n) for k in range(8)]
            assert ours["mask"] == scores.index(min(scores)), (text, ecc, scores)


def test_qr_refuses_what_it_cannot_encode(qr_page):
    error = qr_page.evaluate("""() => { const out = [];
        for (const call of [() => window.qr.encodeQR('x'.repeat(2400)), () => window.qr.encodeQR('hello', {ecc: 'H'}),
                            () => window.qr.encodeQR('x'.repeat(30), {version: 1}), () => window.qr.encodeQR('x', {mask: 8})]) {
          try { call(); out.push(null); } catch (e) { out.push(e.message); } }
        return out; }""")
    assert error == ["2400 bytes do not fit in a QR code at level M",
                     "QR error correction level H is not supported (L or M)",
                     "30 bytes do not fit in a version 1 QR code at level M", "QR mask 8 does not exist (0-7)"]


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
