"""The token boundary page in headless Chromium against a real server and real tokenizers."""

import json
import shutil
import statistics
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest

from tests.a11y import horizontal_overflow
from tests.conftest import ARTIFACTS, screenshot
from trainer.bpe.analysis import FIRST_MERGES, FREQUENT_SUBWORDS
from trainer.bpe.pretokenize import END_OF_WORD, split_pieces
from trainer.bpe.tokenizer import BPETokenizer

PARAGRAPH = ("It was on a dreary night of November that I beheld the accomplishment of my toils. With an "
             "anxiety that almost amounted to agony, I collected the instruments of life around me, that I might "
             "infuse a spark of being into the lifeless thing that lay at my feet.")


LEARNING_PROJECT_SENTENCES = ("The monster approached with terrifying deliberation.",
                              "Victor felt overwhelming remorse for his creation.",
                              "The desolate landscape stretched endlessly before them.")


def api_tokenize(live_server, text, tokenizer="default", merges=None):
    body = json.dumps({"text": text, "tokenizer": tokenizer, "merges": merges}).encode()
    request = urllib.request.Request(f"{live_server}/api/tokenize", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def open_tokens(page, live_server, query=""):
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.goto(f"{live_server}/tokens.html{query}")
    page.wait_for_function(f"{COUNTER}('updates') > 0", timeout=20000)


# The page's progress, as it shows it: counters in data- attributes of <main> (no test hook in the page).
COUNTER = "(name => Number(document.getElementById('tokens-main').dataset[name] ?? 0))"


def counter(page, name="updates") -> int:
    return page.evaluate(f"{COUNTER}('{name}')")


def wait_for_update(page, before: int, name="updates"):
    page.wait_for_function(f"{COUNTER}('{name}') > {before}", timeout=10000)


def set_text(page, text):
    before = counter(page)
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
        before = counter(page)
        page.eval_on_selector("#side-a .merges", f"el => {{ el.value = {k}; el.dispatchEvent(new Event('input')); }}")
        wait_for_update(page, before)
        counts.append(len(spans(page)))
        assert "".join(s["text"] for s in spans(page)) == PARAGRAPH
        assert page.text_content("#side-a .merge-label") == f"{k} of {total} merges"
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    screenshot(page, "tokens-merge-slider")
    before = counter(page)
    page.click("#side-a .merge-prev")
    wait_for_update(page, before)
    assert page.text_content("#side-a .merge-label") == f"{total - 1} of {total} merges"
    assert page.text_content("#side-a .merge-info").startswith(f"Merge {total - 1:,} of {total:,}:")


def test_presets_load(page, live_server):
    open_tokens(page, live_server)
    presets = page.eval_on_selector_all("#presets button", "els => els.map(e => e.dataset.preset)")
    loaded = []
    assert {"Seed sentence", "Victor", "Landscape", "Python", "Numbers", "URL", "CJK", "Emoji", "Long rare word"} <= set(presets)
    for name in presets:
        set_text(page, "x")   # a preset equal to the text in the box changes nothing, and draws nothing
        before = counter(page)
        page.click(f"#presets button[data-preset='{name}']")
        wait_for_update(page, before)
        text = page.input_value("#text")
        assert text and "".join(s["text"] for s in spans(page)) == text, name
        loaded.append(text)
    assert page.input_value("#text") == "pneumonoultramicroscopicsilicovolcanoconiosis"
    assert set(LEARNING_PROJECT_SENTENCES) <= set(loaded)


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
    before = counter(page)
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
    before = counter(page)
    page.eval_on_selector("#side-a .merges", "el => { el.value = 40; el.dispatchEvent(new Event('input')); }")
    wait_for_update(page, before)
    page.wait_for_function("location.search.includes('k=40')")
    assert parse_qs(urlparse(page.url).query) == {"text": ["terrifying deliberation"], "k": ["40"]}   # defaults left out
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


def test_paragraph_round_trips_are_measured_with_the_performance_api(page, live_server):
    """Each update's request + answer + drawing is a User Timing measure (no test hook in the page); the
    figures go to test-artifacts/tokens-performance.json (bench/ holds the timed checks)."""
    open_tokens(page, live_server)
    page.evaluate("performance.clearMeasures('wordlab:tokenize')")
    for i in range(20):
        set_text(page, PARAGRAPH + f" {i}")
    times = page.evaluate("performance.getEntriesByName('wordlab:tokenize').map(e => e.duration)")
    assert len(times) == 20 and all(t > 0 for t in times)
    figures = {"paragraph_chars": len(PARAGRAPH) + 3, "round_trip_ms_median": round(statistics.median(times), 1),
               "round_trip_ms_max": round(max(times), 1)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "tokens-performance.json").write_text(json.dumps(figures, indent=2))


# ---- the lessons: charts from the API and the tokenizer file, the pipeline, typing, the phone ----

@pytest.fixture(scope="module")
def project(project_default, served_data):
    """The default tokenizer `make serve` writes (English prose from word frequencies), served as "project"."""
    path = served_data[1] / "project.json"
    shutil.copyfile(project_default.path, path)
    return json.loads(path.read_text(encoding="utf-8"))


def api_get(live_server, path):
    with urllib.request.urlopen(f"{live_server}{path}") as response:
        return json.load(response)


def open_lessons(page, live_server, query="?tokenizer=project"):
    open_tokens(page, live_server, query)
    page.wait_for_function(f"{COUNTER}('lessons') > 0 && {COUNTER}('pipelines') > 0", timeout=20000)


def points(page, chart, series):
    return page.eval_on_selector_all(f"#{chart} circle.point[data-series={series}]",
                                     "els => els.map(e => [Number(e.dataset.x), Number(e.dataset.y)])")


def move_slider(page, k):
    before = counter(page)
    page.eval_on_selector("#side-a .merges", f"el => {{ el.value = {k}; el.dispatchEvent(new Event('input')); }}")
    wait_for_update(page, before)


def visible(text):
    """The page's labels (tokenlabel.js) for the characters these texts hold: whitespace signs, ⟨ZWJ⟩."""
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "→").replace("\r", "␍").replace("\u200d", "⟨ZWJ⟩")


def test_merge_progression_and_efficiency_curves_plot_the_apis_points(page, live_server, project):
    lessons = api_get(live_server, "/api/tokenizers/project/lessons")
    rows = lessons["merge_progression"]
    assert rows == project["meta"]["merge_progression"] and len(rows) >= 20
    assert rows[0]["merges"] == 0 and rows[-1]["merges"] == len(project["merges"])
    open_lessons(page, live_server)
    assert points(page, "progression", "tokens_per_word") == [[r["merges"], r["tokens_per_word"]] for r in rows]
    assert points(page, "progression", "chars_per_token") == [[r["merges"], r["chars_per_token"]] for r in rows]
    assert points(page, "efficiency", "tokens_per_sentence") == [[r["vocab_size"], r["tokens_per_sentence"]] for r in rows]
    total = len(project["merges"])
    assert page.get_attribute("#progression .marker", "data-x") == str(total)
    move_slider(page, 700)
    assert page.get_attribute("#progression .marker", "data-x") == "700"
    assert page.get_attribute("#efficiency .marker", "data-x") == str(lessons["base_size"] + 700)
    # Diminishing returns, as the note says: the first tenth of the merges saves more than the last tenth.
    per_line = {r["merges"]: r["tokens_per_sentence"] for r in rows}
    nearest = lambda k: min(per_line, key=lambda m: abs(m - k))  # noqa: E731
    first, last = nearest(total / 10), nearest(total * 0.9)
    assert per_line[0] - per_line[first] > per_line[last] - per_line[total]
    assert f"save {per_line[0] - per_line[first]:.1f} tokens per line" in page.text_content("#efficiency-note")
    assert page.errors == [] and page.console_errors == []


def grouped(counts, longest=16):
    """What the chart draws: lengths 1 to longest-1 as they are, the rest in one last group."""
    return [counts[n] if n < len(counts) else 0 for n in range(1, longest)] + [sum(counts[longest:])]


def bars(page, chart, series):
    return page.eval_on_selector_all(f"#{chart} rect[data-series={series}]", "els => els.map(e => Number(e.dataset.count))")


def test_token_length_histograms_count_the_vocabulary_and_the_text(page, live_server, project):
    texts = [t.removesuffix(END_OF_WORD) for t in project["vocab"][256:]]
    by_chars, by_bytes = [0] * 64, [0] * 64
    for t in texts:
        by_chars[len(t)] += 1
        by_bytes[len(t.encode())] += 1
    lessons = api_get(live_server, "/api/tokenizers/project/lessons")
    assert lessons["token_lengths"]["characters"] == by_chars[:len(lessons["token_lengths"]["characters"])]
    assert sum(lessons["token_lengths"]["bytes"]) == len(texts) and max(len(t.encode()) for t in texts) < 64
    open_lessons(page, live_server)
    assert bars(page, "lengths-vocab", "characters") == grouped(by_chars)
    assert bars(page, "lengths-vocab", "bytes") == grouped(by_bytes)
    text = "Victor felt overwhelming remorse for his creation. 東京 🎉"
    set_text(page, text)
    tokens = api_tokenize(live_server, text, "project")
    used_chars, used_bytes = [0] * 64, [0] * 64
    for i, token in zip(tokens["ids"], tokens["tokens"], strict=True):
        used_bytes[1 if i < 256 else len(token.removesuffix(END_OF_WORD).encode())] += 1
        if i >= 256:
            used_chars[len(token.removesuffix(END_OF_WORD))] += 1
    longest = max(n for n in range(64) if used_chars[n] or used_bytes[n])
    assert bars(page, "lengths-text", "characters") == grouped(used_chars, longest)
    assert bars(page, "lengths-text", "bytes") == grouped(used_bytes, longest)
    assert page.errors == [] and page.console_errors == []


def merge_rows(page, container):
    return page.eval_on_selector_all(f"#{container} tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))")


def test_what_bpe_learned_first_shows_the_files_merges_and_the_most_used_subwords(page, live_server, project):
    open_lessons(page, live_server)
    vocab, merges = project["vocab"], project["merges"]
    pair = lambda left, right: f"{visible(vocab[left])} + {visible(vocab[right])}"  # noqa: E731
    first = merge_rows(page, "first-merges")
    assert len(first) == FIRST_MERGES
    for rank, row in enumerate(first):
        left, right, new_id, pair_count = merges[rank]
        assert row == [f"#{rank + 1}", pair(left, right), visible(vocab[new_id]), f"{pair_count:,}"]
    usage = project["meta"]["subword_usage"]
    frequent = merge_rows(page, "frequent-subwords")
    assert len(frequent) == len(usage) == FREQUENT_SUBWORDS
    base = project["settings"]["base_size"]
    for row, used in zip(frequent, usage, strict=True):
        left, right, new_id, pair_count = merges[used["id"] - base]
        assert new_id == used["id"]
        assert row == [f"#{new_id - base + 1}", pair(left, right), visible(vocab[new_id]), f"{pair_count:,}",
                       f"{used['uses']:,}"]
    assert page.errors == [] and page.console_errors == []


PIPELINE_TEXTS = [
    "The monster approached with terrifying deliberation.",
    "Two  spaces,\tthen a tab\n\n   and an indented line   ",
    "東京は日本の首都です。北京是中国的首都。",
    "I love 🍕 and 🎉🎉! 👩‍👩‍👧‍👦 Flags: 🇯🇵",
    "def f(x):\n    return x**2  # it's 1,000.5",
]


@pytest.mark.parametrize("text", PIPELINE_TEXTS, ids=["prose", "whitespace", "cjk", "emoji", "code"])
def test_pipeline_pieces_are_the_pretokenizers_and_tokens_never_cross_them(page, live_server, project, text):
    tokenizer = BPETokenizer.from_dict(project)
    open_lessons(page, live_server)
    page.fill("#text", text)
    page.wait_for_function("""t => [...document.querySelectorAll('#pipeline .piece[data-piece]')]
                                     .map(e => e.dataset.piece).join('') === t""", arg=text)
    shown = page.eval_on_selector_all("#pipeline .piece[data-piece]", """els => els.map(e => ({
        piece: e.dataset.piece, text: e.querySelector('.stage.text').textContent,
        symbols: [...e.querySelectorAll('.stage.symbols .sym')].map(s => s.textContent),
        tokens: [...e.querySelectorAll('.stage.tokens .sym')].map(s => s.textContent)}))""")
    pieces = split_pieces(text)
    assert [s["piece"] for s in shown] == pieces
    assert [s["text"] for s in shown] == [visible(p) for p in pieces]
    assert [s["symbols"] for s in shown] == [[visible(t) for t in tokenizer.encode_detailed(p, 0).tokens] for p in pieces]
    # Each box's tokens, box after box, are the whole text's tokens: no token spans two pieces.
    whole = api_tokenize(live_server, text, "project")["tokens"]
    assert [t for s in shown for t in s["tokens"]] == [visible(t) for t in whole]
    assert page.errors == [] and page.console_errors == []


def test_tokens_update_while_typing_continuously(page, live_server):
    """At 60 ms a character for about 3 s the tokens are redrawn many times before the typing stops (a
    debounce that restarts on every key would draw them once, after the last key)."""
    open_tokens(page, live_server)
    page.fill("#text", "")
    page.evaluate("""() => {
      window.drawn = [];
      new MutationObserver(() => window.drawn.push({
        typed: document.querySelector('#text').value,
        shown: [...document.querySelectorAll('#side-a .tok')].map(e => e.dataset.text).join('')}))
        .observe(document.querySelector('#side-a .token-view'), { childList: true });
    }""")
    text = "the cat sits on the mat and the dog walks home now"
    page.type("#text", text, delay=60)
    during = page.evaluate("window.drawn")
    mid_typing = [d for d in during if len(d["typed"]) < len(text)]
    assert len(mid_typing) >= 8, f"only {len(mid_typing)} redraws while typing"
    assert all(text.startswith(d["shown"]) for d in during)
    page.wait_for_function("t => [...document.querySelectorAll('#side-a .tok')].map(e => e.dataset.text).join('') === t",
                           arg=text)
    assert page.errors == [] and page.console_errors == []


@pytest.mark.parametrize("width", [360, 390])
def test_no_horizontal_scroll_on_a_phone(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.errors = []
    try:
        open_lessons(page, live_server, "")
        page.wait_for_selector("#pathological tbody tr")
        assert horizontal_overflow(page) == 0
        count_cells = page.eval_on_selector_all("#pathological tr > :last-child",
                                                "cs => cs.map(c => c.getBoundingClientRect().right)")
        assert count_cells and max(count_cells) <= width
        set_text(page, PARAGRAPH)
        assert horizontal_overflow(page) == 0
    finally:
        context.close()
