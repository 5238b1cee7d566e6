"""Index, glossary and walkthrough in headless Chromium: axe-core clean, phone widths, presentation mode
(the notable moments: tests/test_notable_moments.py)."""

import pytest

from tests.a11y import assert_axe_clean, horizontal_overflow

GLOSSARY_TERMS = ("logit", "softmax", "gradient", "pca", "negative-sampling", "bpe-merge")
# The walkthrough in each of its forms: full softmax, negative sampling, the two side by side, and a corpus run
# with a question asked (predict, then reveal).
WALKTHROUGH = ["/walkthrough.html?run=default&step=100", "/walkthrough.html?run=default-sgns&step=100",
               "/walkthrough.html?run=default&step=100&vs=default-sgns", "/walkthrough.html?run=corpus&ask=top"]


def open_page(page, base, path):
    page.goto(f"{base}{path}")
    page.wait_for_selector("header.top button.present")
    if path == "/":
        page.wait_for_selector("#moments li a")
    if path == "/tokens.html":  # every panel drawn: tokens, pipeline, charts, tables
        page.wait_for_selector("#pipeline .piece[data-piece]")
        page.wait_for_selector("#first-merges tr")
        page.wait_for_selector("#pathological tbody tr")
    if path.startswith("/explorer.html"):   # every panel filled (selectors: the phone pages keep the CSP)
        for filled in ("#neighbors tbody tr", "#probes tbody tr", "#analogy-evolution tbody tr", "#frequent tr"):
            page.wait_for_selector(filled, state="attached", timeout=30000)   # sections in hidden tabs too
    if path.startswith("/walkthrough.html"):
        page.wait_for_function("document.querySelector('#content')?.dataset.renders > 0", timeout=20000)
    if "vs=" in path:
        page.wait_for_selector("#side-panel:not([hidden])")
        page.wait_for_function("document.querySelector('#scatter-b').getAttribute('aria-label')")


@pytest.mark.parametrize("path", ["/", "/glossary.html", "/tokens.html", "/explorer.html", *WALKTHROUGH])
def test_axe_finds_no_serious_or_critical_violation(page, live_server, path):
    """Each page loaded once and checked as it opens, then in presentation mode (dark, large type): the toggle
    restyles the page in place, so one load serves both checks."""
    open_page(page, live_server, path)
    assert_axe_clean(page)
    page.click("header.top button.present")
    assert {"presentation", "dark"} <= set(page.evaluate("document.documentElement.className").split())
    assert_axe_clean(page)
    assert page.errors == []


@pytest.mark.parametrize("path", ["/", "/glossary.html", "/tokens.html", "/explorer.html", *WALKTHROUGH])
@pytest.mark.parametrize("width", [360, 390])
def test_no_horizontal_scroll_on_a_phone(browser, live_server, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)  # see conftest.page
    page = context.new_page()
    try:
        open_page(page, live_server, path)
        assert horizontal_overflow(page) == 0
    finally:
        context.close()


def test_presentation_mode_toggles_persists_and_enlarges(page, live_server):
    open_page(page, live_server, "/glossary.html")
    button = page.locator("header.top button.present")
    assert button.get_attribute("aria-pressed") == "false"
    size = lambda: page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")  # noqa: E731
    before = size()
    button.click()
    assert button.get_attribute("aria-pressed") == "true" and size() > 1.3 * before
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(18, 22, 31)"  # --bg, dark
    page.reload()
    page.wait_for_selector("header.top button.present[aria-pressed=true]")
    page.locator("header.top button.present").click()
    assert page.evaluate("document.documentElement.classList.contains('dark')") is False


def test_system_dark_preference_gives_the_dark_theme(browser, live_server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        open_page(page, live_server, "/glossary.html")
        classes = page.evaluate("document.documentElement.className").split()
        assert "dark" in classes and "presentation" not in classes
    finally:
        context.close()


def test_glossary_has_the_terms_the_pages_use(page, live_server):
    open_page(page, live_server, "/glossary.html#softmax")
    for term in GLOSSARY_TERMS:
        assert page.locator(f"dt#{term} + dd").inner_text().strip(), term
    assert page.locator("nav a.here").inner_text() == "Glossary"
