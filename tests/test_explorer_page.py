"""The embedding explorer in headless Chromium, against a real server: a teaching run, a second
teaching run at another dimension (compare), and a 10,000-word corpus-shaped run (frame time).
The page exposes what tests read on the DOM (data- attributes) and as performance measures; nothing on window."""

import json
import shutil
import statistics
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import numpy as np
import orjson
import pytest
from safetensors.numpy import load_file

from tests.conftest import ARTIFACTS, screenshot, serving
from trainer.config import TeachingConfig
from trainer.run_format import FORMAT_VERSION
from trainer.run_store import RunWriter
from trainer.run_views import explorer_views
from trainer.similarity import cosine_matrix
from trainer.vocab import Vocab

BIG_WORDS = 10_000


def write_big_run(out: Path, words: int = BIG_WORDS, dim: int = 16) -> Path:
    """A corpus-shaped run (kind corpus, method sgns) with `words` words in 40 clusters: no step records,
    only what the contract requires plus the explorer's views (t-SNE left out: bench/explorer_map.py times it)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, dim))
    final = (centres[rng.integers(0, 40, words)] + 0.35 * rng.normal(size=(words, dim))).astype(np.float32)
    initial = rng.uniform(-0.5, 0.5, size=(words, dim)).astype(np.float32)
    history = np.stack([initial, (initial + final) / 2, final])
    vocab = Vocab([f"w{i:05d}" for i in range(words)], sorted(rng.integers(5, 50_000, words).tolist(), reverse=True))
    W_prime = rng.normal(size=(dim, words)).astype(np.float32)
    with RunWriter(out, "tenk") as writer:
        writer.json("vocab.json", vocab.to_dict())
        writer.json("corpus_stats.json", {"sentences": 1, "words": sum(vocab.counts), "distinct_words": words,
                                          "kept_words": sum(vocab.counts), "vocab_size": words, "dropped_stopwords": 0,
                                          "dropped_rare": 0, "pairs": 0, "frequencies": [[w, c] for w, c in
                                                                                         zip(vocab.words, vocab.counts, strict=False)],
                                          "top_dropped": [], "sample_sentences": []})
        writer.json("loss_curve.json", {"loss": [1.0, 0.5]})
        writer.json("step_index.json", {"steps": []})
        writer.json("trainer_state.json", {"step": 2000})
        for relpath, view in explorer_views(vocab, [1, 1000, 2000], history, initial, final, W_prime, tsne=False).items():
            (writer.json_gz if relpath.endswith(".gz") else writer.json)(relpath, view)
        writer.safetensors("model.safetensors", {"W": final, "W_prime": W_prime})
        return writer.commit({
            "format_version": FORMAT_VERSION, "kind": "corpus", "created": "2026-11-24T00:00:00Z",
            "config": {"method": "sgns", "dim": dim, "min_count": 5, "max_vocab": words},
            "corpus": {"source": "synthetic"},
            "sizes": {"vocab": words, "dim": dim, "steps": 2000, "recorded_steps": 0},
            "chunk_size": 1, "chunks": {"steps": [], "timeline": []},
        })


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory, small_run):
    from trainer.teaching_run import train_run

    runs = tmp_path_factory.mktemp("explorer-live") / "runs"
    shutil.copytree(small_run, runs / "default")
    config = TeachingConfig(steps=300, dim=5, lr=0.3, dense_steps=20, record_interval=20, chunk_size=40)
    train_run(config, "dim5", runs, progress=False, log=lambda _: None)
    write_big_run(runs)
    return runs


@pytest.fixture(scope="module")
def server(runs_dir):
    with serving(runs_dir, runs_dir.parent / "tok") as base:
        yield base


def api(base: str, path: str, params: dict | list) -> dict:
    with urllib.request.urlopen(f"{base}{path}?{urlencode(params, doseq=True)}") as response:
        return json.loads(response.read())



READY = "main[data-ready]"


@pytest.fixture
def explorer(page, server):
    """Opens the explorer with a query string; fails the test on any console error."""
    console = page.console_errors = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    def open_page(query=""):
        page.goto(f"{server}/explorer.html{query}")
        page.wait_for_selector(READY, state="attached", timeout=30000)
        return page

    yield open_page
    assert console == [] and page.errors == []


def table_rows(page, selector):
    return [[td.text_content() for td in tr.query_selector_all("th, td")] for tr in page.query_selector_all(f"{selector} tr")]


def canvas_data(page, name):
    """A JSON data- attribute of the map's canvas: view, highlight or labels."""
    return json.loads(page.get_attribute("#map", f"data-{name}"))


def tab(page, name):
    page.click(f"#tab-{name}")
    page.wait_for_selector(f"#section-{name}:not([hidden])")


def test_neighbor_table_equals_the_api(explorer, server):
    page = explorer("?run=default&q=king,cat,paris&tab=neighbors")
    page.wait_for_selector("#neighbors thead th:nth-child(4)")
    answer = api(server, "/api/runs/default/neighbors/batch", {"words": ["king", "cat", "paris"], "k": 10})
    rows = table_rows(page, "#neighbors")
    assert rows[0] == ["#", "king", "cat", "paris"]
    for r, row in enumerate(rows[1:]):
        assert row[1:] == [f"{c['neighbors'][r]['word']} {c['neighbors'][r]['score']:.3f}" for c in answer["columns"]]
    for column in answer["columns"]:  # and the batch route agrees with the one-word route
        single = api(server, "/api/runs/default/neighbors", {"word": column["word"], "k": 10})
        assert single["neighbors"] == column["neighbors"]
    tab(page, "map")
    expected = {"king"} | {n["word"] for n in answer["columns"][0]["neighbors"]}
    page.wait_for_function("(n) => JSON.parse(document.getElementById('map').dataset.highlight || '[]').length === n",
                           arg=len(expected))
    assert set(canvas_data(page, "highlight")) == expected
    side = page.eval_on_selector_all("#map-neighbors li", "items => items.map((li) => li.textContent)")
    assert side == [f"{n['word']} {n['score']:.3f}" for n in answer["columns"][0]["neighbors"]]
    assert page.evaluate("window.wordlab") is None    # no test hook in what students load
    screenshot(page, "explorer")


def test_analogy_answer_and_the_runs_probes_equal_the_api_and_the_files(explorer, server):
    page = explorer("?run=default&tab=analogies")
    for field, word in zip("abc", ("man", "woman", "boy"), strict=False):
        page.fill(f"#{field}", word)
    page.click("#analogy-form button")
    page.wait_for_function("document.querySelector('#analogy-results thead th:nth-child(2)')?.textContent"
                           ".startsWith('man : woman :: boy')")
    answer = api(server, "/api/runs/default/analogy", {"a": "man", "b": "woman", "c": "boy", "k": 5})["results"]
    shown = [row[1] for row in table_rows(page, "#analogy-results tbody")]
    assert shown == [f"{r['word']} {r['score']:.3f}" for r in answer]
    assert not {"man", "woman", "boy"} & {r["word"] for r in answer}
    probes = orjson.loads(urllib.request.urlopen(f"{server}/api/runs/default/files/explorer/probes.json").read())
    rows = table_rows(page, "#probes tbody")
    assert [(r[1], r[2], r[3], int(r[4])) for r in rows] == [
        (f"{p['a']} : {p['b']} :: {p['c']} : {p['expected']}", p["answer"], "✓" if p["correct"] else "✗", p["expected_rank"])
        for p in probes["analogies"]]
    page.wait_for_function("new URL(location.href).searchParams.get('a') === 'man'")


def test_heatmap_hover_and_keys_read_the_similarity_of_the_pair(explorer, runs_dir):
    page = explorer("?run=default&set=king,queen,cat,dog,paris,rome,winter,summer&order=cluster&tab=similarity")
    page.wait_for_function("document.querySelectorAll('.heat-rows span').length === 8")
    stored = orjson.loads((runs_dir / "default" / "similarity.json").read_bytes())
    index = {w: i for i, w in enumerate(stored["words"])}
    order = page.eval_on_selector_all(".heat-rows span", "spans => spans.map((s) => s.textContent)")
    assert sorted(order) == sorted(["king", "queen", "cat", "dog", "paris", "rome", "winter", "summer"])
    assert page.eval_on_selector_all(".heat-square .heat-labels span", "spans => spans.map((s) => s.textContent)")[:8] == order
    page.locator("#heatmap").scroll_into_view_if_needed()
    box = page.locator("#heatmap").bounding_box()
    for row in range(0, 8, 3):
        for col in range(0, 8, 2):
            page.mouse.move(box["x"] + (col + 0.5) * box["width"] / 8, box["y"] + (row + 0.5) * box["height"] / 8)
            readout = page.locator(".heat-readout")
            assert readout.get_attribute("data-row") == str(row) and readout.get_attribute("data-column") == str(col)
            expected = stored["matrix"][index[order[row]]][index[order[col]]]
            assert float(readout.get_attribute("data-value")) == pytest.approx(expected, abs=6e-4)
            assert readout.text_content() == f"{order[row]} · {order[col]}: cosine {float(readout.get_attribute('data-value')):.3f}"
    page.focus("#heatmap")          # the keyboard reads the same cells: a first key puts the cursor on (0, 0)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    readout = page.locator(".heat-readout")
    assert (readout.get_attribute("data-row"), readout.get_attribute("data-column")) == ("1", "2")
    assert readout.text_content().startswith(f"{order[1]} · {order[2]}: cosine")
    assert "in order: " + ", ".join(order) in page.get_attribute("#heatmap", "aria-label")


def test_histogram_counts_match_the_weights_and_the_caption_says_what_moved(explorer, runs_dir, small_config):
    from trainer.train import initial_weights

    page = explorer("?run=default&tab=training")
    shown = {series: [int(r.get_attribute("data-count"))
                      for r in page.query_selector_all(f"#histogram rect[data-series={series}]")]
             for series in ("initial", "final")}
    final = load_file(str(runs_dir / "default" / "model.safetensors"))["W"]
    initial = initial_weights(len(final), small_config.dim, small_config.seed)["W"]
    edges = np.linspace(-1, 1, 41)
    upper = np.triu_indices(len(final), 1)
    for series, weights in (("initial", initial), ("final", final)):
        cosines = np.clip(cosine_matrix(weights.astype(np.float64))[upper], -1, 1)
        assert shown[series] == np.histogram(cosines, edges)[0].tolist()
    assert sum(shown["final"]) == len(upper[0])
    assert page.locator("#histogram line.one-hot").count() == 1
    mean_final = float(np.mean(np.clip(cosine_matrix(final.astype(np.float64))[upper], -1, 1)))
    caption = page.text_content("#hist-caption")
    assert f"mean is {mean_final:.2f}" in caption or f"to mean {mean_final:.2f}" in caption
    assert "spreads the rest" not in caption


def test_url_round_trips_the_view(explorer, server):
    query = ("?run=default&compare=dim5&tab=neighbors&layout=tsne&q=queen%2C+cat&a=paris&b=france&c=rome&s1=cat&s2=dog"
             "&set=king%2C+queen%2C+cat%2C+dog&order=input&evo=woman&x=0.1&y=-0.2&z=150")
    page = explorer(query)
    page.wait_for_selector("#neighbors-2 thead th:nth-child(3)")
    assert parse_qs(urlparse(page.url).query) == parse_qs(query[1:])
    assert page.input_value("#query") == "queen, cat"
    assert page.is_checked("input[name=layout][value=tsne]")
    assert table_rows(page, "#neighbors")[0] == ["#", "queen", "cat"]
    assert table_rows(page, "#neighbors-2")[0] == ["#", "queen", "cat"]    # the second run, same words
    assert page.text_content("#compare-name") == "dim5"
    assert page.input_value("#evolution-word") == "woman"
    assert page.get_attribute("#tab-neighbors", "aria-selected") == "true" and page.is_hidden("#section-map")
    assert page.eval_on_selector_all(".heat-rows span", "s => s.map((x) => x.textContent)") == ["king", "queen", "cat", "dog"]
    assert page.input_value("#order") == "input"
    assert [page.input_value(f"#{f}") for f in ("a", "b", "c", "s1", "s2")] == ["paris", "france", "rome", "cat", "dog"]
    page.wait_for_selector("#analogy-results thead th:nth-child(3)", state="attached")
    assert table_rows(page, "#analogy-results")[0][1:] == ["paris : france :: rome : ? in default",
                                                           "paris : france :: rome : ? in dim5"]
    pair = api(server, "/api/runs/default/similarity", {"a": "cat", "b": "dog"})
    assert page.text_content("#pair-cosine") == f"{pair['cosine']:.4f}"
    tab(page, "map")   # the map, drawn once its section is shown, has the view of the link
    page.wait_for_function("document.getElementById('map').dataset.view !== undefined")
    assert canvas_data(page, "view") == {"x": 0.1, "y": -0.2, "scale": 150}
    # a changed view is in the URL, and that URL reopens it
    tab(page, "neighbors")
    page.fill("#query", "horse")
    page.click("#query-form button")
    page.wait_for_function("new URL(location.href).searchParams.get('q') === 'horse'")
    page.goto(page.url)
    page.wait_for_selector(READY, state="attached", timeout=30000)
    assert table_rows(page, "#neighbors")[0] == ["#", "horse"]


def test_refused_url_values_are_named_and_defaults_shown(explorer):
    page = explorer("?run=default&tab=nope&layout=umap&z=-3")
    notice = page.text_content("#notice")
    assert "tab=nope cannot be used" in notice and "layout=umap cannot be used" in notice and "z=-3 cannot be used" in notice
    assert page.get_attribute("#tab-map", "aria-selected") == "true"
    page.console_errors.clear()


def drawn_positions(page):
    """word → the screen position its label was drawn at, from the canvas's data-labels."""
    return {word: (x, y) for word, x, y, *_ in canvas_data(page, "labels")}


def assert_drawn_at(page, stored_xy, words):
    """Every labelled word is drawn where its stored 2-D position falls under the canvas's view."""
    view, box = canvas_data(page, "view"), page.locator("#map").bounding_box()
    w, h = page.evaluate("[document.getElementById('map').clientWidth, document.getElementById('map').clientHeight]")
    drawn = drawn_positions(page)
    assert len(drawn) >= 10 and box["width"] > 0
    for word, (x, y) in drawn.items():
        i = words.index(word)
        assert x == pytest.approx(w / 2 + (stored_xy[2 * i] - view["x"]) * view["scale"], abs=0.2)
        assert y == pytest.approx(h / 2 - (stored_xy[2 * i + 1] - view["y"]) * view["scale"], abs=0.2)


def test_url_reopens_a_checkpoint_of_the_map(explorer, runs_dir):
    import gzip

    stored = orjson.loads(gzip.decompress((runs_dir / "default" / "explorer" / "map.json.gz").read_bytes()))
    page = explorer("?run=default&layout=pca&ck=1&x=0.0&y=0.0&z=90")
    assert page.input_value("#checkpoint") == "1"
    assert page.text_content("#checkpoint-label") == f"step {stored['steps'][1]:,}"
    page.wait_for_function("JSON.parse(document.getElementById('map').dataset.view || '{}').scale === 90")
    assert canvas_data(page, "view") == {"x": 0, "y": 0, "scale": 90}
    assert_drawn_at(page, stored["pca_over_training"][1], stored["words"])
    page.wait_for_function("new URL(location.href).searchParams.get('ck') === '1'")


def test_find_flies_to_a_word_and_labels_never_overlap(explorer):
    page = explorer("?run=default")
    page.fill("#search", "princess")
    page.click("#search-form button")
    page.wait_for_function("""(() => { const c = document.getElementById('map');
        const at = JSON.parse(c.dataset.labels || '[]').find((l) => l[0] === 'princess');
        return at && Math.abs(at[1] - c.clientWidth / 2) < 1 && Math.abs(at[2] - c.clientHeight / 2) < 1; })()""")
    boxes = [label[3:] for label in canvas_data(page, "labels")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])


def test_unknown_word_gives_a_notice_not_a_broken_page(explorer):
    page = explorer("?run=default&tab=neighbors")
    first = table_rows(page, "#neighbors")[0]
    page.fill("#query", "kingg")
    page.click("#query-form button")
    page.wait_for_function("document.getElementById('notice').textContent.includes('not in the vocabulary')")
    assert "king" in page.text_content("#notice") and page.is_hidden("#error")
    assert table_rows(page, "#neighbors")[0] == first   # the last good answer stays
    assert "kingg" not in page.url                     # a link never reopens a failing query
    # the browser itself logs the answer's 404; nothing else may be logged
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.console_errors.clear()


def test_ten_thousand_point_map_pans_and_reports_frame_time(explorer):
    page = explorer("?run=tenk")
    assert page.is_disabled("input[name=layout][value=tsne]")   # this run has no t-SNE layout
    assert page.text_content("#map-info").startswith(f"{BIG_WORDS:,} words")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate("""() => { performance.clearMeasures('wordmap draw'); window.frameGaps = [];
        let last = performance.now(); const tick = (now) => { window.frameGaps.push(now - last); last = now;
        if (window.frameGaps.length < 400) requestAnimationFrame(tick); }; requestAnimationFrame(tick); }""")
    page.mouse.move(cx, cy)
    page.mouse.down()
    for i in range(120):
        page.mouse.move(cx + 200 * np.sin(i / 12), cy + 120 * np.cos(i / 15))
    page.mouse.up()
    draws = page.evaluate("performance.getEntriesByName('wordmap draw').map((m) => m.duration)")
    gaps = page.evaluate("window.frameGaps.slice(1)")
    assert len(draws) >= 30, "panning redraws the map"
    labelled = len(canvas_data(page, "labels"))
    assert 0 < labelled <= 220
    figures = {"points": BIG_WORDS, "frames_drawn": len(draws),
               "draw_ms": {"median": round(statistics.median(draws), 2), "p95": round(float(np.percentile(draws, 95)), 2),
                           "max": round(max(draws), 2)},
               "frame_interval_ms": {"median": round(statistics.median(gaps), 2),
                                     "p95": round(float(np.percentile(gaps, 95)), 2), "max": round(max(gaps), 2)},
               "labels_in_view": labelled}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "explorer-performance.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"\n10k-point map, panning: {figures}")
    screenshot(page, "explorer-10k")


def test_checkpoint_slider_moves_the_map_to_the_recorded_positions(explorer, runs_dir):
    import gzip

    stored = orjson.loads(gzip.decompress((runs_dir / "default" / "explorer" / "map.json.gz").read_bytes()))
    page = explorer("?run=default")
    assert_drawn_at(page, stored["pca"], stored["words"])
    page.fill("#checkpoint", "0")   # fires input: the first checkpoint
    page.wait_for_function("new URL(location.href).searchParams.get('ck') === '0'")
    page.wait_for_function("(t) => document.getElementById('checkpoint-label').textContent === t",
                           arg=f"step {stored['steps'][0]:,}")
    page.wait_for_function("document.getElementById('map').dataset.labels !== undefined")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert_drawn_at(page, stored["pca_over_training"][0], stored["words"])


def test_projector_tsv_export_holds_the_weights(explorer, runs_dir):
    page = explorer("?run=default")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    with page.expect_download():
        page.click("#export-tsv")
    if len(downloads) < 2:   # the sync API hands events over only inside its calls: no event is missed here
        page.wait_for_event("download")
    files = {d.suggested_filename: Path(d.path()).read_text(encoding="utf-8") for d in downloads}
    W = load_file(str(runs_dir / "default" / "model.safetensors"))["W"]
    rows = [[float(v) for v in line.split("\t")] for line in files["default-vectors.tsv"].splitlines()]
    assert np.allclose(rows, W, atol=6e-6)
    words = orjson.loads((runs_dir / "default" / "vocab.json").read_bytes())["words"]
    assert files["default-metadata.tsv"].splitlines() == words


def test_tabs_and_the_map_work_from_the_keyboard(explorer, server):
    page = explorer("?run=default&q=king")
    page.focus("#tab-map")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#section-neighbors:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "tab-neighbors"
    page.keyboard.press("End")
    page.wait_for_function("new URL(location.href).searchParams.get('tab') === 'corpus'")
    page.keyboard.press("Home")
    page.wait_for_selector("#section-map:not([hidden])")
    # the map: focusable, described, and an arrow key picks the nearest word in that direction as a click would
    label = page.get_attribute("#map", "aria-label")
    assert label.startswith("Vocabulary map, PCA of the final vectors: 122 words. Query word king; nearest on screen: ")
    assert page.get_attribute("#map", "role") == "application" and page.get_attribute("#map", "tabindex") == "0"
    page.focus("#map")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("new URL(location.href).searchParams.get('q')?.split(', ').length === 2")
    picked = parse_qs(urlparse(page.url).query)["q"][0].split(", ")[0]
    assert picked != "king"
    drawn = drawn_positions(page)
    if picked in drawn and "king" in drawn:   # it lies left of king on screen (within ±45°)
        assert drawn[picked][0] < drawn["king"][0]
    page.wait_for_function("(w) => document.getElementById('map-word').textContent === w", arg=picked)
    scale = canvas_data(page, "view")["scale"]
    page.keyboard.press("+")
    page.wait_for_function("(s) => JSON.parse(document.getElementById('map').dataset.view).scale > s * 1.2", arg=scale)


def test_two_fingers_pinch_the_map(explorer):
    page = explorer("?run=default&x=0&y=0&z=100")
    page.wait_for_function("JSON.parse(document.getElementById('map').dataset.view || '{}').scale === 100")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = page.context.new_cdp_session(page)   # real touch points, as a phone's browser receives them

    def fingers(kind, spread):
        points = [] if kind == "touchEnd" else [{"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    fingers("touchStart", 50)
    for spread in (60, 80, 100):
        fingers("touchMove", spread)
    fingers("touchEnd", 0)
    page.wait_for_function("Math.abs(JSON.parse(document.getElementById('map').dataset.view).scale - 200) < 1")
    view = canvas_data(page, "view")
    assert view["x"] == pytest.approx(0, abs=1e-3) and view["y"] == pytest.approx(0, abs=1e-3)


def test_presentation_mode_draws_larger_labels_in_ink(explorer):
    page = explorer("?run=default")
    heights = []
    for _ in range(2):
        labels = canvas_data(page, "labels")
        heights.append(statistics.median(b[6] - b[4] for b in labels))
        page.click("header.top button.present")
        page.wait_for_function("(h) => { const l = JSON.parse(document.getElementById('map').dataset.labels || '[]');"
                               " return l.length && l[0][6] - l[0][4] !== h; }", arg=labels[0][6] - labels[0][4])
    assert heights[1] > 1.25 * heights[0]
    page.click("header.top button.present")   # back to normal for the next test's browser context


def test_the_class_can_be_asked_which_word_is_nearest(explorer, server):
    page = explorer("?run=default&q=king")
    questions = page.evaluate("import('/js/questions.js').then((m) => m.pageQuestions())")
    nearest = api(server, "/api/runs/default/neighbors", {"word": "king", "k": 10})["neighbors"]
    [question] = [q for q in questions if q["id"] == "nearest:default:king"]
    assert question["kind"] == "choice" and question["answer"] == nearest[0]["word"]
    choices = [c["value"] for c in question["choices"]]
    assert len(choices) == 4 and nearest[0]["word"] in choices
    assert not set(choices) - {nearest[0]["word"]} & {n["word"] for n in nearest}   # the others are not near king
    for word in choices:   # every cosine in the reason is the server's
        cosine = api(server, "/api/runs/default/similarity", {"a": "king", "b": word})["cosine"]
        assert f"{word} {cosine:.3f}" in question["reason"] or f"cosine {cosine:.3f}" in question["reason"]


def test_wide_tables_scroll_in_their_own_focusable_region(explorer):
    page = explorer("?run=default&tab=training")
    page.set_viewport_size({"width": 700, "height": 800})
    region = page.locator("#analogy-evolution").locator("xpath=..")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert page.evaluate("(() => { const r = document.getElementById('analogy-evolution').parentElement;"
                         " return r.scrollWidth > r.clientWidth; })()")
    assert "Scroll sideways" in page.text_content("#section-training")
    steps = table_rows(page, "#analogy-evolution")[0][1:]
    assert [int(s.replace(",", "")) for s in steps] == sorted(int(s.replace(",", "")) for s in steps)


def test_every_section_is_axe_clean_in_presentation_mode(explorer):
    """axe-core checks what is shown: each tab in turn, dark theme and large type as on a projector."""
    from tests.a11y import assert_axe_clean

    page = explorer("?run=default&compare=dim5")
    page.click("header.top button.present")
    for section in ("map", "neighbors", "analogies", "similarity", "training", "vectors", "corpus"):
        tab(page, section)
        assert_axe_clean(page)
    page.click("header.top button.present")
