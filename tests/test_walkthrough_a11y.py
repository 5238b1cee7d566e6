"""The walkthrough by keyboard and screen reader, on a phone and on a projector (issue 18), in headless Chromium.

Expected values come from the run's files (records, loss curve, timeline), not from the page."""

import json

import orjson
import pytest

from tests.a11y import horizontal_overflow
from tests.conftest import screenshot
from tests.test_walkthrough_page import open_walkthrough, page_state, read_records, shown_step
from trainer.run_format import read_json, read_manifest
from trainer.step_chunks import decode_columns

LIVE_REGION = "[role=status][aria-live=polite]"


@pytest.fixture(scope="module")
def recorded(served_data):
    return read_records(served_data[0] / "default")


@pytest.fixture(scope="module")
def timeline(served_data):
    """The default run's 'final'-axes positions per recorded index, read from its timeline files."""
    run = served_data[0] / "default"
    return [row.tolist() for path in read_manifest(run)["chunks"]["timeline"]
            for row in decode_columns(read_json(run, path))["final"]]


def jumped(steps, start, delta):
    """The recorded step the walkthrough's jump buttons land on (the page's rule, from the step list)."""
    target = start + delta
    return min(s for s in steps if s >= target) if delta > 0 else max(s for s in steps if s <= target)


def wait_step(page, step):
    page.wait_for_function(f"Number(document.querySelector('#content').dataset.step) === {step}")


def blur(page):
    page.evaluate("document.activeElement && document.activeElement.blur()")


def space_starts_and_stops_playback(page):
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play').textContent === 'Pause'")
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play').textContent === 'Play'")


def test_space_and_enter_on_a_focused_button_press_that_button_only(page, live_server, recorded):
    _, steps = recorded
    start = steps[60]
    open_walkthrough(page, live_server, f"?step={start}")
    page.focus("#fwd20")
    page.keyboard.press(" ")
    after_space = jumped(steps, start, 20)
    wait_step(page, after_space)
    assert page_state(page)["playing"] is False      # Space pressed the button, it did not start playback
    assert shown_step(page) == after_space and page.text_content("#play") == "Play"
    page.keyboard.press("Enter")
    wait_step(page, jumped(steps, after_space, 20))
    page.focus("#back100")
    page.keyboard.press(" ")
    wait_step(page, jumped(steps, jumped(steps, after_space, 20), -100))
    page.focus("#play")                              # Space on a focused Play toggles it exactly once
    space_starts_and_stops_playback(page)
    assert page.errors == []


def test_focused_controls_keep_their_keys_and_the_page_keeps_its_shortcuts(page, live_server, recorded):
    _, steps = recorded
    open_walkthrough(page, live_server, f"?step={steps[30]}")
    page.focus("#speed")
    page.keyboard.press("ArrowDown")                 # the select moves to its next option, the step stays
    assert page.input_value("#speed") == "10" and shown_step(page) == steps[30]
    renders = page.evaluate("document.querySelector('#content').dataset.renders")
    page.focus("input[name=pca][value=final]")
    page.keyboard.press("ArrowRight")                # the radio group moves, the step stays
    page.wait_for_function("document.querySelector('input[name=pca][value=global]').checked")
    page.wait_for_function(f"document.querySelector('#content').dataset.renders > {renders}")   # drawn on the new axes
    assert shown_step(page) == steps[30] and page_state(page)["proj"] == "global"
    page.focus("#slider")
    page.keyboard.press("ArrowRight")                # the slider moves by one recorded step, as sliders do
    wait_step(page, steps[31])
    page.focus("#compare")
    page.keyboard.press(" ")                         # the checkbox toggles (side by side opens), no playback
    page.wait_for_selector("#side-panel:not([hidden])")
    assert page.text_content("#play") == "Play"
    page.wait_for_function("(document.querySelector('#scatter-b').getAttribute('aria-label') || '')"
                           f".startsWith('default-sgns: Embedding space at step {steps[31]}:')")
    assert page.get_attribute("#scatter-b", "role") == "img"
    page.focus("#sw-window")
    page.keyboard.press("ArrowLeft")                 # the window slider shrinks the window, the step stays
    page.wait_for_function("document.querySelector('#sw-window-size').textContent === '2 kept words each side'")
    page.focus("#sw-sentence")
    page.keyboard.press("ArrowUp")                   # the sentence number goes up, the step stays
    page.wait_for_function("document.querySelector('#sw-sentence').value === '1'")
    assert shown_step(page) == steps[31]
    page.focus("#sw-words .w:not(.dropped)")
    page.keyboard.press(" ")                         # a word of the sliding window is a button: Space picks it
    page.wait_for_selector("#sw-words .w.center")
    assert page.text_content("#play") == "Play"
    blur(page)                                       # nothing focused: the page's shortcuts work
    page.keyboard.press("ArrowRight")
    wait_step(page, steps[32])
    page.keyboard.press("ArrowLeft")
    wait_step(page, steps[31])
    space_starts_and_stops_playback(page)
    assert page.errors == []


def test_a_polite_live_region_announces_the_step_and_the_pair(page, live_server, recorded):
    records, steps = recorded
    open_walkthrough(page, live_server, f"?step={steps[40]}")
    assert page.locator(LIVE_REGION).count() == 1
    blur(page)
    page.keyboard.press("ArrowRight")
    record = records[steps[41]]
    expected = f"Step {steps[41]} of 400: {record['center_word']} → {record['context_word']}, loss {record['loss']:.4f}."
    page.wait_for_function(f"document.querySelector('{LIVE_REGION}').textContent === {json.dumps(expected)}")
    page.select_option("#word", "queen")
    page.wait_for_function(f"document.querySelector('{LIVE_REGION}').textContent.endsWith('Selected word: queen.')")
    page.select_option("#word", "")
    # Playback is announced when it settles, not at every step: a screen reader would never finish a sentence.
    page.evaluate(f"""() => {{ window.spoken = 0;
        new MutationObserver(() => window.spoken++).observe(document.querySelector('{LIVE_REGION}'),
                                                            {{childList: true, characterData: true, subtree: true}}); }}""")
    before = shown_step(page)
    page.select_option("#speed", "30")
    page.click("#play")
    page.wait_for_function(f"Number(document.querySelector('#content').dataset.step) >= {steps[steps.index(before) + 15]}", timeout=15000)
    page.click("#play")
    moved = steps.index(shown_step(page)) - steps.index(before)
    record = records[shown_step(page)]
    page.wait_for_function(f"document.querySelector('{LIVE_REGION}').textContent.startsWith('Step {record['step']} of 400')")
    assert page.evaluate("window.spoken") < moved / 3, (page.evaluate("window.spoken"), moved)


def nearest_in_direction(row, start, direction):
    """The page's arrow-key rule in data coordinates (the scatter maps them with one scale, y flipped)."""
    dx, dy = direction
    best, best_score = -1, float("inf")
    for i in range(len(row) // 2):
        x, y = row[2 * i] - row[2 * start], -(row[2 * i + 1] - row[2 * start + 1])
        along, across = x * dx + y * dy, abs(x * dy - y * dx)
        if i != start and along > 0 and across <= along and along + 2 * across < best_score:
            best, best_score = i, along + 2 * across
    return best


def nearest_words(row, target, words, count=5):
    distance = lambda i: ((row[2 * i] - row[2 * target]) ** 2 + (row[2 * i + 1] - row[2 * target + 1]) ** 2, i)  # noqa: E731
    return [words[i] for i in sorted((i for i in range(len(words)) if i != target), key=distance)[:count]]


def test_scatter_has_a_text_alternative_and_arrow_keys_pick_words(page, live_server, recorded, timeline, served_data):
    records, steps = recorded
    words = orjson.loads((served_data[0] / "default" / "vocab.json").read_bytes())["words"]
    index = 75
    record = records[steps[index]]
    open_walkthrough(page, live_server, f"?step={steps[index]}")
    scatter = page.locator("#scatter")
    assert scatter.get_attribute("role") == "application" and scatter.get_attribute("tabindex") == "0"
    label = scatter.get_attribute("aria-label")
    center = record["center_id"]
    assert label.startswith(f"Embedding space at step {steps[index]}: {len(words)} words")
    assert f"Center word {record['center_word']}, context word {record['context_word']}." in label
    assert f"Nearest on screen to {record['center_word']}: {', '.join(nearest_words(timeline[index], center, words))}." in label
    assert "Arrow keys" in page.text_content(f"#{scatter.get_attribute('aria-describedby')}")
    scatter.focus()
    picked = center
    for key, direction in (("ArrowUp", (0, -1)), ("ArrowRight", (1, 0)), ("ArrowDown", (0, 1)), ("ArrowLeft", (-1, 0))):
        expected = nearest_in_direction(timeline[index], picked, direction)
        if expected < 0:
            continue
        page.keyboard.press(key)
        page.wait_for_function(f"document.querySelector('#word').value === {json.dumps(words[expected])}")
        picked = expected
        assert f"Selected word {words[picked]}." in scatter.get_attribute("aria-label") or picked == center
    assert picked != center, "no arrow key found a word to pick"
    assert shown_step(page) == steps[index]          # picking words does not move the step
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#word').value === ''")
    blur(page)
    page.keyboard.press("ArrowRight")                # the text alternative follows the step
    wait_step(page, steps[index + 1])
    nxt = records[steps[index + 1]]
    assert f"at step {nxt['step']}:" in scatter.get_attribute("aria-label")
    assert f"Center word {nxt['center_word']}" in scatter.get_attribute("aria-label")
    assert page.errors == []


def test_heatmaps_have_a_text_alternative_word_labels_and_hover(page, live_server, recorded, served_data):
    records, steps = recorded
    words = orjson.loads((served_data[0] / "default" / "vocab.json").read_bytes())["words"]
    record = records[steps[20]]
    open_walkthrough(page, live_server, f"?step={steps[20]}")
    d, V = len(record["W"][0]), len(words)
    for canvas, outlined in (("#heat-W", record["center_word"]), ("#heat-Wp", record["context_word"])):
        assert page.get_attribute(canvas, "role") == "application" and page.get_attribute(canvas, "tabindex") == "0"
        label = page.get_attribute(canvas, "aria-label")
        assert f"at step {record['step']}: {d} dimensions by {V} words" in label and label.endswith(f"outlined: {outlined}.")
        labels = page.eval_on_selector_all(f"{canvas} + .heat-labels span",
                                           "spans => spans.map(s => [s.textContent, parseFloat(s.style.left), s.parentElement.className])")
        assert [text for text, _, layer in labels if layer == "marks"] == [outlined]
        assert len(labels) >= V // 8
        for text, left, _ in labels:                 # each label sits over its word's column
            assert left == pytest.approx((words.index(text) + 0.5) / V * 100, abs=1e-4), text
    page.locator("#heat-W").scroll_into_view_if_needed()
    box = page.locator("#heat-W").bounding_box()
    column, row = 37, 5
    page.mouse.move(box["x"] + (column + 0.5) * box["width"] / V, box["y"] + (row + 0.5) * box["height"] / d)
    expected = f"{words[column]} (column {column + 1} of {V}), dimension {row + 1}: {record['W'][column][row]:.4f}"
    page.wait_for_function(f"document.querySelector('#heat-W + .heat-labels + .heat-readout').textContent === {json.dumps(expected)}")
    readout = "document.querySelector('#heat-Wp + .heat-labels + .heat-readout')"
    assert page.get_attribute("#heat-Wp + .heat-labels + .heat-readout", "aria-live") == "polite"
    page.focus("#heat-Wp")                           # the keyboard's cursor starts on the outlined column
    context = record["context_id"]
    for key, (row, column) in (("ArrowDown", (0, context)), ("ArrowDown", (1, context)), ("ArrowRight", (1, context + 1)),
                               ("End", (1, V - 1))):
        page.keyboard.press(key)
        expected = f"{words[column]} (column {column + 1} of {V}), dimension {row + 1}: {record['W_prime'][row][column]:.4f}"
        page.wait_for_function(f"{readout}.textContent === {json.dumps(expected)}")
    assert shown_step(page) == steps[20]             # the heatmap keeps its arrow keys
    blur(page)
    page.keyboard.press("ArrowRight")
    wait_step(page, steps[21])
    assert f"at step {steps[21]}:" in page.get_attribute("#heat-Wp", "aria-label")
    assert page.text_content("#heat-W + .heat-labels .marks") == records[steps[21]]["center_word"]


def test_loss_curve_is_a_slider_for_the_keyboard(page, live_server, recorded, served_data):
    _, steps = recorded
    losses = orjson.loads((served_data[0] / "default" / "loss_curve.json").read_bytes())["loss"]
    open_walkthrough(page, live_server, f"?step={steps[10]}")
    chart = page.locator("#loss-chart")
    assert chart.get_attribute("role") == "slider" and chart.get_attribute("aria-valuemax") == str(len(losses))
    assert chart.get_attribute("aria-valuenow") == str(steps[10])
    assert chart.get_attribute("aria-valuetext").startswith(f"step {steps[10]} of 400: loss {losses[steps[10] - 1]:.4f}")
    chart.focus()
    page.keyboard.press("End")
    wait_step(page, steps[-1])
    page.keyboard.press("PageDown")
    wait_step(page, jumped(steps, steps[-1], -40))
    page.keyboard.press("ArrowLeft")
    previous = steps[steps.index(jumped(steps, steps[-1], -40)) - 1]
    wait_step(page, previous)
    page.keyboard.press("ArrowRight")
    wait_step(page, jumped(steps, steps[-1], -40))
    page.keyboard.press("Home")
    wait_step(page, 1)
    page.keyboard.press("PageUp")
    wait_step(page, jumped(steps, 1, 40))
    assert chart.get_attribute("aria-valuenow") == str(jumped(steps, 1, 40))
    assert page.text_content("#play") == "Play"
    assert page.errors == []


@pytest.mark.parametrize("box, reason", [("#sentence", "dropped: stopword"), ("#sw-words", "dropped: stopword")])
def test_why_a_word_was_dropped_shows_on_focus_and_is_read_by_screen_readers(page, live_server, box, reason):
    open_walkthrough(page, live_server)
    word = page.locator(f"{box} .dropped[title='{reason}']").first
    why = page.locator(f"#{word.get_attribute('aria-describedby')}")
    assert why.text_content() == f"({reason})"
    assert why.bounding_box()["width"] <= 1          # visually hidden until the word has focus
    assert f"({reason})" in page.locator(box).aria_snapshot()  # but in the accessibility tree all along
    word.focus()
    shown = why.bounding_box()
    assert shown["width"] > 40 and shown["height"] > 8
    assert page.evaluate("document.activeElement.classList.contains('dropped')")
    blur(page)
    assert why.bounding_box()["width"] <= 1


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("query", ["?run=default&step=100", "?run=default-sgns&step=100"])
def test_phone_has_no_horizontal_scroll_and_nothing_cut_off(browser, live_server, width, query):
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    try:
        open_walkthrough(page, live_server, query)
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        assert horizontal_overflow(page) == 0
        truncated = page.eval_on_selector_all(".vec .cell span", "spans => spans.filter(s => s.offsetParent)"
                                              ".filter(s => s.getBoundingClientRect().width > s.parentElement.clientWidth).length")
        assert truncated == 0, "vector numbers cut off"
        rows = page.evaluate("['#prev', '#slider', '#next'].map(s => document.querySelector(s).getBoundingClientRect())"
                             ".map(r => [r.top + r.height / 2, r.right])")
        assert max(r[0] for r in rows) - min(r[0] for r in rows) < 4, "◀ slider ▶ are not on one line"
        api = page.locator("header.top a[href='/docs']").bounding_box()
        assert api["x"] >= 0 and api["x"] + api["width"] <= width
        if width == 390 and "sgns" not in query:
            screenshot(page, "walkthrough-phone-390")
    finally:
        context.close()


def test_presentation_mode_fills_a_1920x1080_projector_with_the_scatter(browser, live_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    page = context.new_page()
    try:
        open_walkthrough(page, live_server, "?step=100")
        light_marker = page.get_attribute("#loss-chart line[stroke-width='2']", "stroke")
        page.click("header.top button.present")
        page.wait_for_function("document.documentElement.classList.contains('presentation')")
        page.locator("#scatter").scroll_into_view_if_needed()
        page.evaluate("document.querySelector('#scatter').scrollIntoView({block: 'start'})")
        canvas = page.locator("#scatter").bounding_box()
        legend = page.locator("#scatter ~ .legend").bounding_box()
        assert 0.85 * 1080 <= canvas["height"] <= 1080, canvas
        assert canvas["width"] >= 0.5 * 1920, canvas
        assert legend["y"] + legend["height"] <= 1080, "the projection choices under the scatter fall below the screen"
        drawn = page.evaluate("[document.querySelector('#scatter').width, document.querySelector('#scatter').height]")
        ratio = page.evaluate("devicePixelRatio")
        assert drawn == [round(canvas["width"] * ratio), round(canvas["height"] * ratio)]  # drawn at its new size
        assert horizontal_overflow(page) == 0
        marker = page.get_attribute("#loss-chart line[stroke-width='2']", "stroke")  # redrawn in the dark theme
        assert marker == page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--center').trim()")
        assert marker != light_marker
        context_colour = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--context').trim()")
        assert page.get_attribute("#probs text", "fill") == context_colour  # the bar chart's label too
        page.evaluate("scrollTo(0, 0)")
        screenshot(page, "walkthrough-presentation-1920")
    finally:
        context.close()


def test_bar_charts_say_what_they_show(page, live_server, recorded, served_data):
    records, steps = recorded
    words = orjson.loads((served_data[0] / "default" / "vocab.json").read_bytes())["words"]
    record = records[steps[33]]
    open_walkthrough(page, live_server, f"?step={steps[33]}")
    p = record["probabilities"]
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    context = record["context_id"]
    assert page.get_attribute("#probs", "aria-label") == (
        f"{len(p)} words sorted by P(w|c): the highest is {words[order[0]]}, {p[order[0]]:g}; "
        f"the context {words[context]} is rank {order.index(context) + 1}, {p[context]:g}")
    open_walkthrough(page, live_server, f"?run=default-sgns&step={steps[33]}")
    assert page.get_attribute("#sigma-bars", "role") == "group" and page.get_attribute("#sigma-bars", "aria-label")


def test_clicking_the_map_or_the_curve_leaves_the_page_its_keys(page, live_server, recorded):
    _, steps = recorded
    open_walkthrough(page, live_server, f"?step={steps[50]}")
    box = page.locator("#loss-chart").bounding_box()
    page.locator("#loss-chart").click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})
    page.wait_for_function(f"Number(document.querySelector('#content').dataset.step) !== {steps[50]}")
    here = shown_step(page)
    page.locator("#scatter").click(position={"x": 5, "y": 5})
    assert page.evaluate("document.activeElement === document.body")
    page.keyboard.press("ArrowRight")                # steps, as before the click
    wait_step(page, steps[steps.index(here) + 1])
