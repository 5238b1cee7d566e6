"""The walkthrough's output-vector layer, copy link, loading state, bounded chunk cache and deep links,
in headless Chromium against a real server, checked against the run's files."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from tests.conftest import free_port, screenshot, wait_until_serving
from tests.test_walkthrough_page import open_walkthrough, read_records
from trainer.run_format import read_json, read_manifest
from trainer.step_chunks import decode_columns

SCATTER_PAD = 28           # px, the scatter's margin (components/scatter.js toPixel)
PARALLEL = 1 - 1e-6        # cos between the drawn arrow and the drawn origin → u_o line: parallel, same sense


class RunFiles:
    """A run read straight from its directory: manifest, words, records by step, the timeline's bounds."""

    def __init__(self, run_dir: Path):
        self.manifest = read_manifest(run_dir)
        self.words = read_json(run_dir, "vocab.json")["words"]
        self.records, self.steps = read_records(run_dir)
        self.timeline = [decode_columns(read_json(run_dir, path)) for path in self.manifest["chunks"]["timeline"]]

    def project(self, vectors, kind="final"):
        """Points (rows) drawn as the page draws a vector: components · (v − mean)."""
        pca = self.manifest["pca"][kind]
        return (np.asarray(vectors, dtype=float) - np.asarray(pca["mean"])) @ np.asarray(pca["components"]).T

    def bounds(self, kind="final"):
        rows = np.asarray([row for chunk in self.timeline for row in chunk[kind]]).reshape(-1, 2)
        return rows.min(axis=0), rows.max(axis=0)


def to_pixel(points, bounds, width, height):
    """The scatter's mapping of 2-D positions to CSS pixels: equal scale on both axes, centred, y up."""
    (min_x, min_y), (max_x, max_y) = bounds
    s = min((width - 2 * SCATTER_PAD) / (max_x - min_x), (height - 2 * SCATTER_PAD) / (max_y - min_y))
    ox, oy = (width - s * (max_x - min_x)) / 2, (height - s * (max_y - min_y)) / 2
    points = np.atleast_2d(points)
    return np.column_stack([ox + (points[:, 0] - min_x) * s, height - (oy + (points[:, 1] - min_y) * s)])


GEOMETRY = "JSON.parse(document.querySelector('#scatter').dataset.geometry)"


def geometry(page):
    """What the map drew where (components/scatter.js writes it into the canvas's data-geometry)."""
    return page.evaluate(GEOMETRY)


def go_to_index(page, index, step):
    page.eval_on_selector("#slider", f"el => {{ el.value = {index}; el.dispatchEvent(new Event('input')); }}")
    page.wait_for_function(f"Number(document.querySelector('#content').dataset.step) === {step}")


def assert_arrow_follows_drawn_u_o(page, files, step, sgns):
    """The drawn u_o (and the negatives' u_n) are where the run's W′ puts them, and the attractive arrow from
    v_c is parallel to the drawn line from the origin to u_o, pointing the same way."""
    record = files.records[step]
    drawn = geometry(page)
    width, height = drawn["width"], drawn["height"]
    columns = np.asarray(record["W_prime"]).T                     # u_w, one row per word
    marked = [record["context_id"], *(record["negative_ids"] if sgns else [])]
    # the whole run's frame, with this step's marked output vectors and the origin: computed here from the files
    (low, high), extra = files.bounds(), np.vstack([files.project(columns[marked]), files.project(np.zeros(columns.shape[1]))])
    bounds = (np.minimum(low, extra.min(axis=0)), np.maximum(high, extra.max(axis=0)))
    assert [drawn["bounds"]["minX"], drawn["bounds"]["minY"]] == pytest.approx(list(bounds[0]), abs=1e-6)
    assert [drawn["bounds"]["maxX"], drawn["bounds"]["maxY"]] == pytest.approx(list(bounds[1]), abs=1e-6)
    expected = to_pixel(files.project(columns), bounds, width, height)
    origin = to_pixel(files.project(np.zeros(columns.shape[1])), bounds, width, height)[0]
    marked = {m["index"]: (m["x"], m["y"]) for m in drawn["outputs"]["marked"]}
    assert drawn["outputs"]["count"] == len(files.words)
    assert drawn["outputs"]["origin"] == pytest.approx(list(origin), abs=0.05)
    wanted = [record["context_id"], *(record["negative_ids"] if sgns else [])]
    assert sorted(marked) == sorted(set(wanted))
    for word in wanted:
        assert marked[word] == pytest.approx(list(expected[word]), abs=0.05)
    center = to_pixel(np.asarray(files.timeline[files.steps.index(step) // files.manifest["chunk_size"]]["final"]
                                 [files.steps.index(step) % files.manifest["chunk_size"]]).reshape(-1, 2)
                      [record["center_id"]], bounds, width, height)[0]
    attractive = drawn["arrows"][0]
    assert [attractive["x0"], attractive["y0"]] == pytest.approx(list(center), abs=0.05)
    arrow = np.array([attractive["x1"] - attractive["x0"], attractive["y1"] - attractive["y0"]])
    guide = expected[record["context_id"]] - origin
    assert arrow @ guide / (np.linalg.norm(arrow) * np.linalg.norm(guide)) >= PARALLEL


@pytest.mark.parametrize("run, sgns", [("default", False), ("default-sgns", True)])
def test_the_attractive_arrow_runs_parallel_to_the_drawn_u_o(page, live_server, softmax_files, sgns_files, run, sgns):
    files = sgns_files if sgns else softmax_files
    open_walkthrough(page, live_server, f"?run={run}&out=1&zoom=run")
    assert page.is_checked("#outputs")
    for index in range(0, len(files.steps), len(files.steps) // 12):
        go_to_index(page, index, files.steps[index])
        assert_arrow_follows_drawn_u_o(page, files, files.steps[index], sgns)
    screenshot(page, f"walkthrough-output-vectors-{run}")
    assert page.errors == []


def test_the_output_vector_layer_toggles_and_the_url_follows(page, live_server, softmax_files):
    open_walkthrough(page, live_server)
    assert not page.is_checked("#outputs") and geometry(page)["outputs"] is None
    page.check("#outputs")
    page.wait_for_function(f"{GEOMETRY}.outputs !== null")
    assert geometry(page)["outputs"]["count"] == len(softmax_files.words)
    page.wait_for_function("location.search.includes('out=1')")
    page.uncheck("#outputs")
    page.wait_for_function(f"{GEOMETRY}.outputs === null")
    page.wait_for_function("!location.search.includes('out=')")
    assert page.errors == []


def test_copy_link_gives_the_step_of_the_key_just_pressed(browser, live_server, softmax_files):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    open_walkthrough(page, live_server, "?out=1&bars=logits")
    for expected in softmax_files.steps[1:4]:
        page.keyboard.press("ArrowRight")
        page.click("#copy-link")                         # before the address bar's 250 ms catch up
        page.wait_for_function("document.querySelector('#link-status').textContent === 'link copied'")
        link = page.input_value("#link-field")
        assert page.evaluate("navigator.clipboard.readText()") == link
        assert parse_qs(urlparse(link).query) == {"run": ["default"], "step": [str(expected)], "bars": ["logits"],
                                                  "out": ["1"]}
        page.evaluate("document.querySelector('#link-status').textContent = ''")
    context.close()


def test_a_loading_chunk_shows_loading_and_never_a_label_with_other_data(page, live_server, softmax_files):
    held = []
    page.route("**/steps/000002.json.gz*", lambda route: held.append(route))  # the third chunk answers only when released
    open_walkthrough(page, live_server)
    first = softmax_files.records[1]
    index = 2 * softmax_files.manifest["chunk_size"]
    page.eval_on_selector("#slider", f"el => {{ el.value = {index}; el.dispatchEvent(new Event('input')); }}")
    page.wait_for_selector("#loading:not([hidden])")
    step = softmax_files.steps[index]
    assert page.text_content("#loading") == f"loading step {step}…"
    assert page.get_attribute("#content", "aria-busy") == "true"
    assert page.text_content("#step-label") == "step 1 of 400"         # the label stays with the data shown
    assert page.text_content("#pair-center") == first["center_word"]
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_function(f"Number(document.querySelector('#content').dataset.step) === {step}")
    record = softmax_files.records[step]
    assert page.text_content("#step-label") == f"step {step} of 400"
    assert page.text_content("#pair-center") == record["center_word"]
    assert page.text_content("#loss") == f"{record['loss']:.4f}"
    assert page.is_hidden("#loading") and page.get_attribute("#content", "aria-busy") == "false"
    assert page.errors == []


def test_the_deep_link_reopens_projection_zoom_bars_and_outputs(page, browser, live_server, softmax_files):
    files = softmax_files
    step = files.steps[60]
    open_walkthrough(page, live_server, f"?step={step}")
    page.check("input[name=pca][value=global]")
    page.check("input[name=zoom][value=step]")
    page.check("input[name=bars][value=logits]")
    page.check("#outputs")
    page.wait_for_function("location.search.includes('out=1')")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"run": ["default"], "step": [str(step)], "proj": ["global"], "zoom": ["step"], "bars": ["logits"],
                     "out": ["1"]}
    other = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    open_walkthrough(other, live_server, f"?{urlparse(page.url).query}")
    assert other.is_checked("input[name=pca][value=global]") and other.is_checked("input[name=zoom][value=step]")
    assert other.is_checked("input[name=bars][value=logits]") and other.is_checked("#outputs")
    ratios = files.manifest["pca"]["global"]["explained_variance_ratio"]
    assert other.text_content("#variance") == f"variance explained: {100 * ratios[0]:.1f}% + {100 * ratios[1]:.1f}%"
    # every word at this step: the bounds are this step's words, its output vectors and the origin, on the global axes
    record, index = files.records[step], files.steps.index(step)
    chunk = files.timeline[index // files.manifest["chunk_size"]]["global"][index % files.manifest["chunk_size"]]
    columns = np.asarray(record["W_prime"]).T
    points = np.vstack([np.asarray(chunk).reshape(-1, 2), files.project(columns, "global"),
                        files.project(np.zeros(columns.shape[1]), "global")])
    bounds = geometry(other)["bounds"]
    assert [bounds["minX"], bounds["minY"]] == pytest.approx(list(points.min(axis=0)), abs=1e-3)
    assert [bounds["maxX"], bounds["maxY"]] == pytest.approx(list(points.max(axis=0)), abs=1e-3)
    heights = np.asarray(other.evaluate(
        "[...document.querySelectorAll('#probs rect')].map(r => Number(r.getAttribute('height')))"))
    logits = np.asarray(sorted(record["logits"], reverse=True))
    low = min(0.0, logits.min())                                   # the smallest bar is drawn at a floor height
    assert heights[:-1] / heights.max() == pytest.approx(((logits - low) / (logits.max() - low))[:-1], abs=1e-3)
    assert geometry(other)["outputs"]["count"] == len(files.words)
    assert other.text_content("#step-label") == f"step {step} of 400"
    other.close()


def test_a_link_with_options_it_cannot_use_says_so(page, live_server):
    open_walkthrough(page, live_server, "?proj=sideways&out=yes&zoom=far")
    notice = page.text_content("#notice")
    assert "proj=sideways cannot be used (one of final, global); showing final" in notice
    assert "out=yes cannot be used (one of 0, 1); showing 0" in notice
    assert "zoom=far cannot be used (one of touched, step, run); showing touched" in notice
    assert page.is_checked("input[name=pca][value=final]") and not page.is_checked("#outputs")


# The chunk cache: a run of many chunks, scrubbed end to end, keeps only the chunks near the playhead.
KEPT_CHUNKS = 1 + 1 + 2    # the playhead's chunk, one behind, two prefetched ahead (rundata.js)
# The page's JS heap after scrubbing the whole 62-chunk run, garbage collected. Measured: 3.3 MB after opening it,
# 3.5 MB after the scrub; keeping every chunk (no eviction) it was 28.6 MB, so this bound fails without one.
HEAP_BOUND_MB = 12


@pytest.fixture(scope="module")
def many_chunk_server(tmp_path_factory, small_config, served_data):
    """A server over one teaching run of 62 chunks (every 2nd of 2,400 steps recorded, 20 per chunk)."""
    import dataclasses

    from trainer.teaching_run import train_run

    runs = tmp_path_factory.mktemp("many-chunks")
    config = dataclasses.replace(small_config, steps=2400, record_interval=2, chunk_size=20)
    run_dir = train_run(config, "default", runs, progress=False, log=lambda _: None).run_dir
    port = free_port()
    env = {**os.environ, "WORDLAB_RUNS_DIR": str(runs), "WORDLAB_TOKENIZERS_DIR": str(served_data[1])}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "backend.app:app_from_env", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process)
        yield base, RunFiles(run_dir)
    finally:
        process.terminate()
        process.wait(timeout=10)


def heap_mb(page, cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20


def test_scrubbing_a_whole_run_keeps_the_heap_bounded(page, many_chunk_server):
    base, files = many_chunk_server
    chunks = len(files.manifest["chunks"]["steps"])
    size = files.manifest["chunk_size"]
    open_walkthrough(page, base)
    cdp = page.context.new_cdp_session(page)
    opened = heap_mb(page, cdp)
    for index in range(0, len(files.steps), size // 2):       # two stops in every chunk, first to last
        go_to_index(page, index, files.steps[index])
        cached = page.evaluate("document.querySelector('#content').dataset.chunks.split(',').map(Number)")
        playhead = index // size
        assert len(cached) <= KEPT_CHUNKS and all(playhead - 1 <= c <= playhead + 2 for c in cached), (index, cached)
    scrubbed = heap_mb(page, cdp)
    print({"chunks": chunks, "heap_after_open_mb": round(opened, 1), "heap_after_scrub_mb": round(scrubbed, 1)})
    assert scrubbed <= HEAP_BOUND_MB, f"JS heap {scrubbed:.1f} MB after scrubbing {chunks} chunks"
    go_to_index(page, 0, files.steps[0])                         # an evicted chunk loads again
    assert page.text_content("#pair-center") == files.records[files.steps[0]]["center_word"]
    assert page.errors == []
