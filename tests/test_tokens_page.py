"""The token boundary page in headless Chromium against a real server and real tokenizers."""

import json
import statistics
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import ARTIFACTS, screenshot

PARAGRAPH = ("It was on a dreary night of November that I beheld the accomplishment of my toils. With an "
             "anxiety that almost amounted to agony, I collected the instruments of life around me, that I might "
             "infuse a spark of being into the lifeless thing that lay at my feet.")


def api_tokenize(live_server, text, tokenizer="default", merges=None):
    body = json.dumps({"text": text, "tokenizer": tokenizer, "merges": merges}).encode()
    request = urllib.request.Request(f"{live_server}/api/tokenize", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def open_tokens(page, live_server, query=""):
    page.goto(f"{live_server}/tokens.html{query}")
    page.wait_for_function("window.wordlab && window.wordlab.updates > 0", timeout=20000)


def wait_for_update(page, before: int):
    page.wait_for_function(f"window.wordlab.updates > {before}", timeout=10000)


def set_text(page, text):
    before = page.evaluate("window.wordlab.updates")
    page.fill("#text", text)
    wait_for_update(page, before)


def spans(page, side="#side-a"):
    return page.eval_on_selector_all(f"{side} .token-view .tok",
                                     "els => els.map(e => ({id: Number(e.dataset.id), text: e.dataset.text}))")


def test_typing_updates_spans_that_concatenate_to_the_input(page, live_server):
    open_tokens(page, live_server)
    page.fill("#text", "")
    page.type("#text", "The king and the queen\n  walk  home.", delay=15)
    text = page.input_value("#text")
    assert text == "The king and the queen\n  walk  home."
    page.wait_for_function("""t => [...document.querySelectorAll('#side-a .tok')].map(e => e.dataset.text).join('') === t""", arg=text)
    assert "".join(s["text"] for s in spans(page)) == text
    assert [s["id"] for s in spans(page)] == api_tokenize(live_server, text)["ids"]
    assert page.errors == []


def test_ids_and_stats_match_the_api(page, live_server):
    open_tokens(page, live_server)
    set_text(page, PARAGRAPH)
    api = api_tokenize(live_server, PARAGRAPH)
    assert [s["id"] for s in spans(page)] == api["ids"]
    stats = page.text_content("#side-a .stats")
    assert f"tokens {api['stats']['tokens']}" in stats and f"characters {len(PARAGRAPH)}" in stats


def test_merge_slider_never_increases_the_token_count(page, live_server):
    open_tokens(page, live_server)
    set_text(page, PARAGRAPH)
    total = int(page.get_attribute("#side-a .merges", "max"))
    counts = []
    for k in list(range(0, total, max(1, total // 12))) + [total]:
        before = page.evaluate("window.wordlab.updates")
        page.eval_on_selector("#side-a .merges", f"el => {{ el.value = {k}; el.dispatchEvent(new Event('input')); }}")
        wait_for_update(page, before)
        counts.append(len(spans(page)))
        assert "".join(s["text"] for s in spans(page)) == PARAGRAPH
        assert page.text_content("#side-a .merge-label") == f"{k} of {total} merges"
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    screenshot(page, "tokens-merge-slider")
    before = page.evaluate("window.wordlab.updates")
    page.click("#side-a .merge-prev")
    wait_for_update(page, before)
    assert page.text_content("#side-a .merge-label") == f"{total - 1} of {total} merges"
    assert page.text_content("#side-a .merge-info").startswith(f"merge #{total - 1}:")


def test_presets_load(page, live_server):
    open_tokens(page, live_server)
    presets = page.eval_on_selector_all("#presets button", "els => els.map(e => e.dataset.preset)")
    assert {"Seed sentence", "Python", "Numbers", "URL", "CJK", "Emoji", "Long rare word"} <= set(presets)
    for name in presets:
        before = page.evaluate("window.wordlab.updates")
        page.click(f"#presets button[data-preset='{name}']")
        wait_for_update(page, before)
        text = page.input_value("#text")
        assert text and "".join(s["text"] for s in spans(page)) == text, name
    assert page.input_value("#text") == "pneumonoultramicroscopicsilicovolcanoconiosis"


GLYPH_CHECK = """text => {
  // Draws a character and an unassigned code point (always the missing-glyph box) and compares pixels.
  const draw = (s) => { const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const x = c.getContext('2d'); x.font = '40px ' + getComputedStyle(document.querySelector('.token-view')).fontFamily;
    x.fillText(s, 4, 48); return Array.from(x.getImageData(0, 0, 64, 64).data).join(); };
  const missing = draw('\\u{10FFFD}');
  return [...text].filter(ch => ch.trim()).map(ch => [ch, draw(ch) !== missing]);
}"""


@pytest.mark.parametrize("preset", ["CJK", "Emoji"])
def test_emoji_and_cjk_render_without_broken_characters(page, live_server, preset):
    open_tokens(page, live_server)
    before = page.evaluate("window.wordlab.updates")
    page.click(f"#presets button[data-preset='{preset}']")
    wait_for_update(page, before)
    text = page.input_value("#text")
    shown = "".join(s["text"] for s in spans(page))
    assert shown == text and "\ufffd" not in page.text_content("#side-a .token-view")
    drawn = page.evaluate(GLYPH_CHECK, "東京日本北中国🎉👍👩")
    assert all(ok for _, ok in drawn), f"drawn as missing-glyph boxes: {[c for c, ok in drawn if not ok]}"
    screenshot(page, f"tokens-{preset.lower()}")


def test_paste_over_the_limit_is_refused_with_a_message(page, live_server):
    open_tokens(page, live_server)
    page.eval_on_selector("#text", "el => { el.value = 'a'.repeat(100001); el.dispatchEvent(new Event('input')); }")
    page.wait_for_selector("#error:not([hidden])")
    assert "too long" in page.text_content("#error") and "100,000" in page.text_content("#error")
    screenshot(page, "tokens-too-long")
    set_text(page, "short again")
    assert page.is_hidden("#error")


def test_state_round_trips_through_the_url(page, browser, live_server):
    open_tokens(page, live_server)
    set_text(page, "terrifying deliberation")
    before = page.evaluate("window.wordlab.updates")
    page.eval_on_selector("#side-a .merges", "el => { el.value = 40; el.dispatchEvent(new Event('input')); }")
    wait_for_update(page, before)
    page.wait_for_function("location.search.includes('k=40')")
    assert parse_qs(urlparse(page.url).query) == {"text": ["terrifying deliberation"], "tokenizer": ["default"], "k": ["40"]}
    shown = spans(page)
    other = browser.new_page(bypass_csp=True)  # see conftest.page
    open_tokens(other, live_server, urlparse(page.url).query and "?" + urlparse(page.url).query)
    assert other.input_value("#text") == "terrifying deliberation" and spans(other) == shown
    assert other.text_content("#side-a .merge-label").startswith("40 of")
    other.close()


def test_side_by_side_compares_two_tokenizers(page, live_server):
    open_tokens(page, live_server, "?compare=1&tokenizer=default&tokenizer2=small")
    set_text(page, PARAGRAPH)
    assert page.is_visible("#side-b")
    assert page.input_value("#side-b .tokenizer") == "small"
    a, b = spans(page, "#side-a"), spans(page, "#side-b")
    assert "".join(s["text"] for s in b) == PARAGRAPH and len(b) > len(a)
    assert [s["id"] for s in b] == api_tokenize(live_server, PARAGRAPH, "small")["ids"]
    screenshot(page, "tokens-side-by-side")


def test_id_view_decodes_ids(page, live_server):
    open_tokens(page, live_server)
    ids = api_tokenize(live_server, "The creature's eyes 東")["ids"]
    page.fill("#ids", ", ".join(map(str, ids)))
    page.wait_for_function("document.querySelector('#decoded').textContent.length > 0")
    assert page.text_content("#decoded") == "The creature's eyes 東"


def test_hover_shows_id_and_merge(page, live_server):
    open_tokens(page, live_server)
    set_text(page, "the kingdom")
    merged = next(i for i, s in enumerate(spans(page)) if s["id"] >= 256 + 194)
    page.hover(f"#side-a .tok >> nth={merged}")
    page.wait_for_selector("#tooltip:not([hidden])")
    tip = page.text_content("#tooltip")
    assert f"id {spans(page)[merged]['id']}" in tip and "merge #" in tip


def test_analysis_panels_show_real_numbers(page, live_server):
    open_tokens(page, live_server)
    page.wait_for_function("document.querySelectorAll('#pathological tbody tr').length >= 5")
    analysis = json.load(urllib.request.urlopen(f"{live_server}/api/tokenizers/default/analysis"))
    domains = page.text_content("#domains")
    for row in analysis["cross_domain"]:
        assert row["domain"] in domains and f"{row['tokens_per_100_chars']:.2f}" in domains
    rows = page.eval_on_selector_all("#pathological tbody tr", "rs => rs.map(r => r.lastChild.textContent)")
    assert rows == [str(r["count"]) for r in analysis["pathological"]]


def test_paragraph_round_trip_time_is_measured(page, live_server):
    """Reports request + answer + drawing time for a paragraph (Performance API); see README."""
    open_tokens(page, live_server)
    page.evaluate("window.wordlab.roundTrips = []")
    for i in range(20):
        set_text(page, PARAGRAPH + f" {i}")
    times = page.evaluate("window.wordlab.roundTrips")
    assert len(times) == 20
    figures = {"paragraph_chars": len(PARAGRAPH) + 3, "round_trip_ms_median": round(statistics.median(times), 1),
               "round_trip_ms_max": round(max(times), 1)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "tokens-performance.json").write_text(json.dumps(figures, indent=2))
    print(figures)
