"""The embedding explorer in headless Chromium, against a real server: a teaching run, a second
teaching run at another dimension (compare), and a 10,000-word corpus-shaped run (frame time)."""

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
from trainer.config import TrainConfig
from trainer.derived import explorer_views
from trainer.run_format import FORMAT_VERSION
from trainer.run_store import RunWriter
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
    config = TrainConfig(steps=300, dim=5, lr=0.3, dense_steps=20, record_interval=20, chunk_size=40)
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


@pytest.fixture
def explorer(page, server):
    """Opens the explorer with a query string; fails the test on any console error."""
    console = page.console_errors = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    def open_page(query=""):
        page.goto(f"{server}/explorer.html{query}")
        page.wait_for_function("window.wordlab && window.wordlab.ready", timeout=30000)
        return page

    yield open_page
    assert console == [] and page.errors == []


def table_rows(page, selector):
    return [[td.text_content() for td in tr.query_selector_all("th, td")] for tr in page.query_selector_all(f"{selector} tr")]


def test_neighbor_table_equals_the_api(explorer, server):
    page = explorer("?run=default&q=king,cat,paris")
    answer = api(server, "/api/runs/default/neighbors/batch", {"words": ["king", "cat", "paris"], "k": 10})
    rows = table_rows(page, "#neighbors")
    assert rows[0] == ["#", "king", "cat", "paris"]
    for r, row in enumerate(rows[1:]):
        assert row[1:] == [f"{c['neighbors'][r]['word']} {c['neighbors'][r]['score']:.3f}" for c in answer["columns"]]
    for column in answer["columns"]:  # and the batch route agrees with the one-word route
        single = api(server, "/api/runs/default/neighbors", {"word": column["word"], "k": 10})
        assert single["neighbors"] == column["neighbors"]
    highlighted = page.evaluate("[...window.wordlab.map.highlight.keys()].map((i) => window.wordlab.map.words[i])")
    assert set(highlighted) == {"king"} | {n["word"] for n in answer["columns"][0]["neighbors"]}
    screenshot(page, "explorer")


def test_analogy_answer_equals_the_api(explorer, server):
    page = explorer("?run=default")
    for field, word in zip("abc", ("man", "woman", "boy"), strict=False):
        page.fill(f"#{field}", word)
    page.click("#analogy-form button")
    page.wait_for_function("document.querySelector('#analogy-results thead th:nth-child(2)')?.textContent"
                           ".startsWith('man : woman :: boy')")
    answer = api(server, "/api/runs/default/analogy", {"a": "man", "b": "woman", "c": "boy", "k": 5})["results"]
    shown = [row[1] for row in table_rows(page, "#analogy-results tbody")]
    assert shown == [f"{r['word']} {r['score']:.3f}" for r in answer]
    assert not {"man", "woman", "boy"} & {r["word"] for r in answer}
    probes = orjson.loads(urllib.request.urlopen(f"{server}/api/runs/default/files/analogies.json").read())["analogies"]
    rows = table_rows(page, "#probes tbody")
    assert [(r[1], r[2]) for r in rows] == [(p["predictions"][0][0], "✓" if p["correct"] else "✗") for p in probes]


def test_heatmap_hover_equals_similarity_json(explorer, runs_dir):
    page = explorer("?run=default&set=king,queen,cat,dog,paris,rome,winter,summer&order=cluster")
    stored = orjson.loads((runs_dir / "default" / "similarity.json").read_bytes())
    index = {w: i for i, w in enumerate(stored["words"])}
    page.locator("#heatmap").scroll_into_view_if_needed()
    box = page.locator("#heatmap").bounding_box()
    checked = 0
    for row in range(0, 8, 3):
        for col in range(0, 8, 2):
            page.mouse.move(box["x"] + (col + 0.5) * box["width"] / 8, box["y"] + (row + 0.5) * box["height"] / 8)
            hover = page.evaluate("({...document.getElementById('heat-hover').dataset})")
            expected = stored["matrix"][index[hover["row"]]][index[hover["col"]]]
            assert float(hover["value"]) == expected
            assert page.text_content("#heat-hover") == f"{hover['row']} · {hover['col']}: cosine {expected:.3f}"
            checked += 1
    assert checked == 12


def test_histogram_counts_match_the_weights(explorer, runs_dir, small_config):
    from trainer.train import initial_weights

    page = explorer("?run=default")
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


def test_url_round_trips_the_view(explorer, server):
    query = ("?run=default&compare=dim5&layout=tsne&q=queen%2Ccat&a=paris&b=france&c=rome&s1=cat&s2=dog"
             "&set=king%2Cqueen%2Ccat%2Cdog&order=input&evo=woman&x=0.10000&y=-0.20000&z=150.00")
    page = explorer(query)
    page.wait_for_timeout(400)  # the URL follows the page 200 ms after the last change
    assert parse_qs(urlparse(page.url).query) == parse_qs(query[1:])
    assert page.input_value("#query") == "queen,cat"
    assert page.is_checked("input[name=layout][value=tsne]")
    assert page.evaluate("window.wordlab.map.view") == {"x": 0.1, "y": -0.2, "scale": 150}
    assert table_rows(page, "#neighbors")[0] == ["#", "queen", "cat"]
    assert table_rows(page, "#neighbors-2")[0] == ["#", "queen", "cat"]    # the second run, same words
    assert page.text_content("#compare-name") == "dim5"
    assert page.input_value("#evolution-word") == "woman"
    heat_words = page.text_content("#heat-hover")
    assert heat_words.endswith("in order: king, queen, cat, dog")
    assert page.input_value("#order") == "input"
    assert [page.input_value(f"#{f}") for f in ("a", "b", "c", "s1", "s2")] == ["paris", "france", "rome", "cat", "dog"]
    assert table_rows(page, "#analogy-results")[0][1:] == ["paris : france :: rome : ? in default",
                                                           "paris : france :: rome : ? in dim5"]
    pair = api(server, "/api/runs/default/similarity", {"a": "cat", "b": "dog"})
    assert page.text_content("#pair-cosine") == f"{pair['cosine']:.4f}"
    # a changed view is in the URL, and that URL reopens it
    page.fill("#query", "horse")
    page.click("#query-form button")
    page.wait_for_function("new URL(location.href).searchParams.get('q') === 'horse'")
    again = page.url
    page.goto(again)
    page.wait_for_function("window.wordlab && window.wordlab.ready", timeout=30000)
    assert table_rows(page, "#neighbors")[0] == ["#", "horse"]


def test_url_reopens_a_checkpoint_of_the_map(explorer, runs_dir):
    import gzip

    stored = orjson.loads(gzip.decompress((runs_dir / "default" / "explorer" / "map.json.gz").read_bytes()))
    page = explorer("?run=default&layout=pca&ck=1&x=0.0&y=0.0&z=90.000")
    assert page.input_value("#checkpoint") == "1"
    assert page.text_content("#checkpoint-label") == f"step {stored['steps'][1]}"
    assert page.evaluate("Array.from(window.wordlab.map.xy)") == pytest.approx(stored["pca_over_training"][1], abs=1e-6)
    assert page.evaluate("window.wordlab.map.view") == {"x": 0, "y": 0, "scale": 90}
    page.wait_for_timeout(400)
    assert parse_qs(urlparse(page.url).query)["ck"] == ["1"]


def test_find_flies_to_a_word_and_labels_never_overlap(explorer):
    page = explorer("?run=default")
    page.fill("#search", "princess")
    page.click("#search-form button")
    page.wait_for_timeout(700)
    state = page.evaluate("""(() => { const m = window.wordlab.map, i = m.words.indexOf('princess');
        return {screen: m.toScreen(i), w: m.width, h: m.height, labelled: m.labelled.map((j) => m.words[j]), boxes: m.labelBoxes}; })()""")
    assert abs(state["screen"][0] - state["w"] / 2) < 1 and abs(state["screen"][1] - state["h"] / 2) < 1
    assert "princess" in state["labelled"]
    boxes = state["boxes"]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])


def test_unknown_word_gives_a_notice_not_a_broken_page(explorer):
    page = explorer("?run=default")
    page.fill("#query", "kingg")
    page.click("#query-form button")
    page.wait_for_function("document.getElementById('notice').textContent.includes('not in the vocabulary')")
    assert "king" in page.text_content("#notice") and page.is_hidden("#error")
    assert table_rows(page, "#neighbors")[0][1] == "man"   # the last good answer stays
    page.wait_for_timeout(300)
    assert "kingg" not in page.url   # a link never reopens a failing query
    # the browser itself logs the answer's 404; nothing else may be logged
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.console_errors.clear()


def test_ten_thousand_point_map_pans_and_reports_frame_time(explorer):
    page = explorer("?run=tenk")
    assert page.evaluate("window.wordlab.map.words.length") == BIG_WORDS
    assert page.is_disabled("input[name=layout][value=tsne]")   # this run has no t-SNE layout
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate("""() => { window.wordlab.drawTimes.length = 0; window.frameGaps = [];
        let last = performance.now(); const tick = (now) => { window.frameGaps.push(now - last); last = now;
        if (window.frameGaps.length < 400) requestAnimationFrame(tick); }; requestAnimationFrame(tick); }""")
    page.mouse.move(cx, cy)
    page.mouse.down()
    for i in range(120):
        page.mouse.move(cx + 200 * np.sin(i / 12), cy + 120 * np.cos(i / 15))
    page.mouse.up()
    draws = page.evaluate("window.wordlab.drawTimes")
    gaps = page.evaluate("window.frameGaps.slice(1)")
    assert len(draws) >= 30, "panning redraws the map"
    labelled = page.evaluate("window.wordlab.map.labelled.length")
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
    assert page.evaluate("Array.from(window.wordlab.map.xy)") == pytest.approx(stored["pca"], abs=1e-6)
    page.fill("#checkpoint", "0")   # fires input: the first checkpoint
    page.wait_for_function("new URL(location.href).searchParams.get('ck') === '0'")
    assert page.evaluate("Array.from(window.wordlab.map.xy)") == pytest.approx(stored["pca_over_training"][0], abs=1e-6)
    assert page.text_content("#checkpoint-label") == f"step {stored['steps'][0]}"


def test_projector_tsv_export_holds_the_weights(explorer, runs_dir):
    page = explorer("?run=default")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("#export-tsv")
    for _ in range(50):
        if len(downloads) == 2:
            break
        page.wait_for_timeout(100)
    files = {d.suggested_filename: Path(d.path()).read_text(encoding="utf-8") for d in downloads}
    W = load_file(str(runs_dir / "default" / "model.safetensors"))["W"]
    rows = [[float(v) for v in line.split("\t")] for line in files["default-vectors.tsv"].splitlines()]
    assert np.allclose(rows, W, atol=6e-6)
    words = orjson.loads((runs_dir / "default" / "vocab.json").read_bytes())["words"]
    assert files["default-metadata.tsv"].splitlines() == words
