"""The walkthrough as a lesson (issue 24), in headless Chromium against a real server, every expected value
computed here from the run's files: the network panel's numbers, a readable first map, side by side at one
scale, the measure both methods share, a corpus run, predict-then-reveal, and the glossary's links."""

import math
import random

import numpy as np
import pytest
from safetensors.numpy import load_file

from tests.test_walkthrough_layers import geometry, go_to_index
from tests.test_walkthrough_page import open_walkthrough, page_state, read_records, shown_step
from trainer.run_format import read_json, read_manifest


def cells(page, selector):
    return [c.text_content() for c in page.query_selector_all(f"{selector} .cell span")]


def f3(values):
    return [f"{v:.3f}" for v in values]


def full_softmax(record):
    """P(w|c) of a step's own weights (W′ d×V and v_c), in float64."""
    z = np.asarray(record["hidden"], dtype=float) @ np.asarray(record["W_prime"], dtype=float)
    p = np.exp(z - z.max())
    return p / p.sum()


def first_max(values):
    """The index of the largest value, the first one on a tie (the page's rule)."""
    return int(np.argmax(np.asarray(values)))


# ---- the network panel ----

NETWORK_JS = """() => {
  const text = (id) => document.getElementById(id).textContent;
  const cells = (id) => [...document.querySelectorAll(`#${id} .cell span`)].map((s) => s.textContent);
  return { x: text('net-x'), row: cells('net-row'), column: cells('net-col'), scores: text('net-scores'), sigma: text('net-sigma'),
           loss: text('loss'), prob: text('context-prob'), rank: text('context-rank') };
}"""


def assert_network_shows(page, record, words):
    """The network panel's numbers are the step file's: the one-hot input, row c of W (= h = v_c), the
    context's column of W′, the scores, the probability of the true context and the loss."""
    vocab, center, context = len(words), record["center_id"], record["context_id"]
    shown = page.evaluate(NETWORK_JS)                                          # one read of the whole panel
    assert shown["x"] == f"1 at c = {words[center]} (word {center + 1} of {vocab}), 0 for the other {vocab - 1}"
    assert shown["row"] == f3(record["hidden"])
    assert shown["loss"] == f"{record['loss']:.4f}"
    if "sigma_pos" in record:
        assert shown["column"] == f3(record["u_pos"])
        scored = [(record["context_word"], record["score_pos"]), *zip(record["negative_words"], record["scores_neg"], strict=True)]
        assert shown["scores"] == ", ".join(f"z({w}) = {z:.4f}" for w, z in scored)
        assert shown["sigma"] == f"{record['sigma_pos']:.4f}"
        return
    assert np.allclose(record["W"][center], record["hidden"], atol=1e-4)       # h is the center's row of W
    assert shown["column"] == f3(np.asarray(record["W_prime"])[:, context])
    top = first_max(record["logits"])
    assert shown["scores"] == (f"z_o = {record['logits'][context]:.4f} for {words[context]}; "
                               f"the highest, {record['logits'][top]:.4f}, for {words[top]}")
    assert shown["prob"] == f"{record['context_prob']:.6f}" and shown["rank"] == str(record["context_rank"])


@pytest.mark.parametrize("run", ["default", "default-sgns"])
def test_the_network_panel_shows_the_step_files_numbers(page, live_server, softmax_files, sgns_files, run):
    files = sgns_files if run.endswith("sgns") else softmax_files
    open_walkthrough(page, live_server, f"?run={run}")
    for index in (0, 1, 57, len(files.steps) - 1):
        go_to_index(page, index, files.steps[index])
        assert_network_shows(page, files.records[files.steps[index]], files.words)
    shapes = page.eval_on_selector_all("#network .shape", "els => els.filter((e) => !e.closest('[hidden]')).map((e) => e.textContent.trim())")
    d = len(files.records[1]["hidden"])
    assert shapes[:4] == [f"one-hot, V = {len(files.words)}", f"V × d = {len(files.words)} × {d}", f"d = {d}",
                          f"d × V = {d} × {len(files.words)}"]
    assert page.errors == []


@pytest.mark.parametrize("query", ["?run=default-sgns", "?run=default-sgns&ask=top"])
def test_symbols_are_introduced_in_the_network_panel_before_any_other_panel_uses_them(page, live_server, query):
    """v_c, u_o, W′, η, ∂L/∂ and σ first appear, in reading order, inside the network panel (the open quiz too)."""
    open_walkthrough(page, live_server, query)
    if "ask=" in query:
        page.wait_for_selector("#quiz-panel:not([hidden])")
    first = page.evaluate("""() => {
      const text = (el) => el.innerText.replace(/\\s+/g, ' ');
      const panels = [...document.querySelectorAll('#content > section')].filter((s) => !s.hidden);
      const symbols = {'v_c': /v\\s?c\\b/, "W′": /W′/, 'u_o': /u\\s?o\\b/, 'η': /η/, '∂L': /∂\\s?L/, 'σ': /σ/};
      return Object.fromEntries(Object.entries(symbols).map(([name, re]) => [name, panels.find((p) => re.test(text(p)))?.id]));
    }""")
    assert first == {"v_c": "net-panel", "W′": "net-panel", "u_o": "net-panel", "η": "net-panel", "∂L": "net-panel",
                     "σ": "net-panel"}


# ---- a readable first map ----

def nearest_on_screen(row, target, count):
    xy = np.asarray(row, dtype=float).reshape(-1, 2)
    distance = ((xy - xy[target]) ** 2).sum(axis=1)
    order = sorted((i for i in range(len(xy)) if i != target), key=lambda i: (distance[i], i))
    return order[:count]


def overlapping(labels):
    return [(a["text"], b["text"]) for k, a in enumerate(labels) for b in labels[k + 1:]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]


@pytest.mark.parametrize("run", ["default", "default-sgns"])
def test_step_one_labels_every_touched_word_and_no_two_labels_overlap(page, live_server, softmax_files, sgns_files, run):
    files = sgns_files if run.endswith("sgns") else softmax_files
    open_walkthrough(page, live_server, f"?run={run}&step=1")
    record, row = files.records[1], files.timeline[0]["final"][0]
    drawn = geometry(page)
    labels = drawn["labels"]
    assert overlapping(labels) == [] and drawn["crowded"] == 0
    assert all(0 <= b["x"] and b["x"] + b["w"] <= drawn["width"] and 0 <= b["y"] and b["y"] + b["h"] <= drawn["height"] for b in labels)
    touched = {record["center_id"], record["context_id"], *record.get("negative_ids", [])}
    touched |= set([i for i in nearest_on_screen(row, record["center_id"], 3 + len(touched)) if i not in touched][:3])
    required = {b["text"] for b in labels if b["required"]}
    assert {files.words[i] for i in touched} <= required
    # framed: the touched words fill the map instead of a corner of the whole run's extent
    xy = np.asarray(row, dtype=float).reshape(-1, 2)[sorted(touched)]
    spread = (xy.max(axis=0) - xy.min(axis=0)) * drawn["pixelsPerUnit"]
    assert max(spread[0] / drawn["width"], spread[1] / drawn["height"]) > 0.5
    assert page.text_content("#frame-note").startswith("Shown: the words this step touches")
    assert "final W" in page.text_content("#frame-note")
    page.check("input[name=zoom][value=run]")                                  # the fixed axes stay an option
    page.wait_for_function("document.querySelector('#frame-note').textContent.includes(\"whole run's extent\")")
    assert overlapping(geometry(page)["labels"]) == []


def test_output_vectors_are_readable_on_their_own(page, live_server, softmax_files):
    """Ticking “output vectors” in the default frame shows u_o, the origin and v_c inside the map."""
    open_walkthrough(page, live_server, "?step=1")
    page.check("#outputs")
    page.wait_for_function("JSON.parse(document.querySelector('#scatter').dataset.geometry).outputs !== null")
    drawn = geometry(page)
    inside = lambda x, y: 0 <= x <= drawn["width"] and 0 <= y <= drawn["height"]  # noqa: E731
    assert all(inside(m["x"], m["y"]) for m in drawn["outputs"]["marked"]) and inside(*drawn["outputs"]["origin"])
    assert inside(*drawn["center"])
    assert any(b["text"] == f"u_o {softmax_files.records[1]['context_word']}" for b in drawn["labels"])


def test_random_vectors_have_large_cosines_and_the_page_says_by_how_much(page, live_server, softmax_files):
    open_walkthrough(page, live_server, "?step=1")
    d = len(softmax_files.records[1]["hidden"])
    mean_abs = math.gamma(d / 2) / (math.sqrt(math.pi) * math.gamma((d + 1) / 2))
    note = page.text_content("#chance-note")
    assert f"in d = {d} dimensions two random vectors have |cos| = {mean_abs:.2f} on average" in note
    rng = np.random.default_rng(0)                                     # the page's median, by an independent simulation
    others = len(softmax_files.words) - 1
    best = [max((lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True))(rng.normal(size=(others, d)))
                @ (lambda v: v / np.linalg.norm(v))(rng.normal(size=d))) for _ in range(2001)]
    shown = float(note.split("has cos ≈ ")[1].split(" ")[0])
    assert abs(shown - float(np.median(best))) < 0.04


# ---- side by side ----

def projected(files, vector, k):
    components = np.asarray(files.manifest["pca"]["final"]["components"])
    return np.linalg.norm(components @ (k * np.asarray(vector, dtype=float)))


def test_side_by_side_maps_stand_next_to_each_other_at_one_scale(page, live_server, softmax_files, sgns_files):
    open_walkthrough(page, live_server, "?run=default&vs=default-sgns")
    page.wait_for_selector("#side-panel:not([hidden])")
    a, b = page.locator("#scatter").bounding_box(), page.locator("#scatter-b").bounding_box()
    overlap = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    assert b["x"] >= a["x"] + a["width"] and overlap > 0.8 * a["height"] and abs(a["width"] - b["width"]) < 2
    other = "JSON.parse(document.querySelector('#scatter-b').dataset.geometry)"
    lr = softmax_files.manifest["config"]["lr"]
    for index in (0, 30, 90):
        step = softmax_files.steps[index]
        go_to_index(page, index, step)
        page.wait_for_function(f"document.querySelector('#scatter-b').getAttribute('aria-label').includes('at step {step}:')")
        mine, theirs = geometry(page), page.evaluate(other)
        assert mine["pixelsPerUnit"] == pytest.approx(theirs["pixelsPerUnit"]) and mine["arrowScale"] == theirs["arrowScale"]
        length = lambda arrow: math.hypot(arrow["x1"] - arrow["x0"], arrow["y1"] - arrow["y0"])  # noqa: E731
        softmax_record, sgns_record = softmax_files.records[step], sgns_files.records[step]
        for k, (field, sign) in enumerate((("pull", 1), ("push", -1))):
            drawn = length(mine["arrows"][k]) / length(theirs["arrows"][k])
            vectors = (projected(softmax_files, softmax_record[field], sign * lr)
                       / projected(sgns_files, sgns_record[field], sign * sgns_record["lr"]))
            assert drawn == pytest.approx(vectors, rel=1e-3), (step, field)
    note = page.text_content("#side-scale")
    assert f"arrows drawn ×{mine['arrowScale']} on both maps" in note or "arrows to scale on both maps" in note
    headers = page.eval_on_selector_all("#side-table thead th.n", "ths => ths.map((th) => getComputedStyle(th).textAlign)")
    assert headers == ["right", "right"]                                     # over their right-aligned values
    assert page.errors == []


def test_the_shared_measure_equals_one_computed_from_the_files(page, live_server, softmax_files, sgns_files):
    open_walkthrough(page, live_server, "?run=default&vs=default-sgns")
    page.wait_for_selector("#side-panel:not([hidden])")
    for index in (3, 95):
        step = softmax_files.steps[index]
        go_to_index(page, index, step)
        page.wait_for_function(f"document.querySelector('#side-table tbody tr:nth-child(2) td').textContent === '{step}'")
        rows = {tr.query_selector("th").text_content(): [td.text_content() for td in tr.query_selector_all("td")]
                for tr in page.query_selector_all("#side-table tbody tr")}
        shown_rank, shown_prob = [], []
        for files in (softmax_files, sgns_files):
            record = files.records[step]
            p = full_softmax(record)
            o = record["context_id"]
            shown_rank.append(f"{1 + int((p > p[o]).sum())} of {len(p)}")
            shown_prob.append(f"{p[o]:.4g}")
        assert rows["full-softmax rank of the context"] == shown_rank
        assert [float(v) for v in rows["full-softmax P(o|c)"]] == pytest.approx([float(v) for v in shown_prob], rel=1e-3)
        # the softmax run's own prediction is that very measure
        assert shown_rank[0] == f"{softmax_files.records[step]['context_rank']} of {len(softmax_files.words)}"
        k = sgns_files.manifest["config"]["negative"]
        assert rows["its uniform guess"] == [f"ln V = ln {len(softmax_files.words)} = {math.log(len(softmax_files.words)):.4f}",
                                             f"(k + 1)·ln 2 = {k + 1}·ln 2 = {(k + 1) * math.log(2):.4f}"]


# ---- a corpus run ----

@pytest.fixture(scope="module")
def corpus_files(served_data):
    run = served_data[0] / "corpus"
    records, steps = read_records(run)
    return {"records": records, "steps": steps, "words": read_json(run, "vocab.json")["words"],
            "curve": read_json(run, "loss_curve.json"), "snapshots": read_json(run, "snapshots.json.gz"),
            "manifest": read_manifest(run)}


def test_a_corpus_run_opens_in_the_walkthrough(page, live_server, corpus_files):
    open_walkthrough(page, live_server, "?run=corpus")
    steps, records = corpus_files["steps"], corpus_files["records"]
    for index in (0, 1, len(steps) - 1):
        go_to_index(page, index, steps[index])
        record = records[steps[index]]
        assert_network_shows(page, record, corpus_files["words"])
        sigmas = [e.text_content() for e in page.query_selector_all("#sigma-bars .sigma-value")]
        assert sigmas == [f"{v:.4f}" for v in [record["sigma_pos"], *record["sigmas_neg"]]]
        checkpoint = max(s for s in corpus_files["snapshots"]["steps"] if s <= record["step"])
        assert f"these were taken at step {checkpoint:,}, the last checkpoint" in page.text_content("#frame-note")
    assert page.text_content("#step-label") == f"step {steps[-1]:,} of {corpus_files['manifest']['sizes']['steps']:,}"
    # the loss curve: one point per chunk of training, on an axis that shows the change
    path = page.eval_on_selector("#loss-chart", "svg => svg.querySelector('path').getAttribute('d')")
    assert path.count("L") + 1 == len(corpus_files["curve"]["loss"])
    ticks = [float(t) for t in page.eval_on_selector_all("#loss-chart > text", "ts => ts.map((t) => t.textContent)")
             if t.replace(".", "").isdigit()]
    assert min(ticks) > 0 and "does not start at 0" in page.text_content("#loss-axis-note")
    # what cannot be shown says why, with a link that opens the run elsewhere
    for panel in ("#net-panel", "#backward-panel", "#matrices-panel", "#window-panel", "#neighbors-panel"):
        assert page.locator(f"{panel} .corpus-only").is_visible(), panel
        assert page.get_attribute(f"{panel} .corpus-only a.corpus-explorer", "href") == "/explorer.html?run=corpus", panel
    assert page.is_hidden("#heat-W") and page.is_hidden("#sw-words")
    assert page.errors == []


# ---- predict, then reveal ----

def expected_answer(kind, record, files, final_w):
    """The right answer to each question, from the files (the page's rules, written again here)."""
    sgns = "sigma_pos" in record
    lr = record.get("lr", files.manifest["config"]["lr"])
    c, o = record["center_id"], record["context_id"]
    if kind == "top":
        if sgns:
            scored = [(o, record["sigma_pos"]), *zip(record["negative_ids"], record["sigmas_neg"], strict=True)]
            return str(scored[first_max([s for _, s in scored])][0])
        return str(first_max(record["logits"]))
    if kind == "updown":
        v, grad = np.asarray(record["hidden"], dtype=float), np.asarray(record["grad_v_c"], dtype=float)
        v2 = v - lr * grad
        if sgns:
            u = np.asarray(record["u_pos"], dtype=float) + lr * (1 - record["sigma_pos"]) * v
            for n, w in enumerate(record["negative_ids"]):
                if w == o:
                    u -= lr * record["sigmas_neg"][n] * v
            before, after = 1 / (1 + math.exp(-np.dot(record["u_pos"], v))), 1 / (1 + math.exp(-u @ v2))
        else:
            p, W2 = full_softmax(record), np.asarray(record["W_prime"], dtype=float).copy()
            W2 -= lr * np.outer(v, p - np.eye(len(p))[o])
            before, after = p[o], full_softmax({"hidden": v2, "W_prime": W2})[o]
        return "up" if after > before else "down"
    if kind == "move":
        components = np.asarray(files.manifest["pca"]["final"]["components"])
        dx, dy = components @ (-lr * np.asarray(record["grad_v_c"], dtype=float))
        return f"{'right' if dx >= 0 else 'left'}-{'up' if dy >= 0 else 'down'}"
    others = record["negative_ids"] if sgns else sorted(range(len(record["logits"])), key=lambda w: (-record["logits"][w], w))
    other = next(w for w in others if w not in (c, o))
    unit = final_w / np.linalg.norm(final_w, axis=1, keepdims=True)
    return str(o if unit[c] @ unit[o] >= unit[c] @ unit[other] else other)


ANSWER_JS = """async ([step, ask, choose]) => {
  // what a student does, on the page's own controls: the step and the question are set as the slider and the
  // question menu set them (the page state), then a choice is clicked and Reveal pressed
  const until = (ok) => new Promise((done) => { const t = setInterval(() => { if (ok()) { clearInterval(t); done(); } }, 10); });
  const { currentPageState } = await import('/js/page.js');
  const run = currentPageState().get().run;
  currentPageState().set({ step, ask, reveal: null });
  await until(() => document.querySelector('#quiz-choices').dataset.question === `${run}:${step}:${ask}`
    && !document.querySelector('#quiz-reveal').disabled && document.querySelector('#quiz-verdict').dataset.right === undefined);
  const values = [...document.querySelectorAll('#quiz-choices input')].map((r) => r.value);
  const pick = choose === null ? null : document.querySelector(`#quiz-choices input[value='${choose}']`);
  pick?.click();
  document.querySelector('#quiz-reveal').click();
  await until(() => document.querySelector('#quiz-verdict').dataset.right !== undefined);
  const verdict = document.querySelector('#quiz-verdict');
  return { values, right: verdict.dataset.right, text: verdict.textContent };
}"""


def test_predict_then_reveal_gives_the_right_verdict_for_20_random_steps(page, live_server, softmax_files, sgns_files, served_data):
    final = {name: load_file(str(served_data[0] / name / "model.safetensors"))["W"].astype(float) for name in ("default", "default-sgns")}
    rng = random.Random(24)
    kinds = ["top", "updown", "move", "nearer"]
    for run, files in (("default", softmax_files), ("default-sgns", sgns_files)):
        open_walkthrough(page, live_server, f"?run={run}&ask=top")
        assert page.get_attribute("#ask-toggle", "aria-pressed") == "true"
        for k in range(10):
            step, kind = files.steps[rng.randrange(len(files.steps))], kinds[k % 4]
            answer = expected_answer(kind, files.records[step], files, final[run])
            values = page.evaluate(ANSWER_JS, [step, kind, None])["values"]     # reveal unanswered: see the choices
            assert answer in values, (run, step, kind)
            choose = answer if k % 2 == 0 else next(v for v in values if v != answer)   # half right, half wrong
            shown = page.evaluate(ANSWER_JS, [step, kind, choose])
            assert shown["right"] == str(choose == answer).lower(), (run, step, kind, shown)
            assert shown["text"].startswith("Right:" if choose == answer else "Not this time:")
    assert page.errors == []


def test_the_quiz_hides_the_outcome_until_revealed_and_works_by_keyboard(page, live_server, softmax_files):
    step = softmax_files.steps[12]
    open_walkthrough(page, live_server, f"?step={step}")
    page.focus("#ask-toggle")
    page.keyboard.press("Enter")                                               # "Predict first"
    page.wait_for_selector("#quiz-panel:not([hidden])")
    assert page.eval_on_selector("#top-words", "t => getComputedStyle(t).visibility") == "hidden"
    assert page.eval_on_selector("#net-scores", "t => getComputedStyle(t).visibility") == "hidden"
    assert page_state(page)["ask"] == "top"
    page.focus("#quiz-choices input >> nth=0")
    page.keyboard.press("ArrowDown")                                           # the radio group takes its keys
    assert shown_step(page) == step and page.is_checked("#quiz-choices input >> nth=1")
    page.focus("#quiz-reveal")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#quiz-verdict').dataset.right !== undefined")
    assert page.eval_on_selector("#top-words", "t => getComputedStyle(t).visibility") == "visible"
    assert page.get_attribute("#quiz-verdict", "aria-live") == "polite"
    assert page.locator("#quiz-choices legend").text_content() == page.text_content("#quiz-prompt")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("ArrowRight")                                          # another step: hidden again
    page.wait_for_function(f"Number(document.querySelector('#content').dataset.step) === {softmax_files.steps[13]}")
    assert page.eval_on_selector("#top-words", "t => getComputedStyle(t).visibility") == "hidden"


def test_a_live_class_gets_the_same_questions(page, live_server, softmax_files, served_data):
    step = softmax_files.steps[40]
    open_walkthrough(page, live_server, f"?step={step}")
    questions = page.evaluate("import('/js/questions.js').then((m) => m.pageQuestions())")
    assert [q["topic"] for q in questions] == ["top", "updown", "move", "nearer"]
    final_w = load_file(str(served_data[0] / "default" / "model.safetensors"))["W"].astype(float)
    for question in questions:
        assert question["id"] == f"default:{step}:{question['topic']}" and question["kind"] == "choice"
        assert question["answer"] == expected_answer(question["topic"], softmax_files.records[step], softmax_files, final_w)
        assert question["reason"] and {c["value"] for c in question["choices"]} >= {question["answer"]}


# ---- words ----

PAGES = ["/", "/walkthrough.html", "/tokens.html", "/explorer.html"]


def test_every_glossary_link_of_every_page_opens_an_entry(page, live_server):
    page.goto(f"{live_server}/glossary.html")
    entries = set(page.eval_on_selector_all("dl.glossary dt", "dts => dts.map((dt) => dt.id)"))
    for term in ("sigmoid", "learning-rate", "input-output-vectors", "one-hot", "tsne", "3cosadd", "pre-tokenizer-piece",
                 "end-of-word", "raw-byte"):
        assert term in entries, term
    logit = page.locator("#logit + dd").inner_text().replace(" ", "")
    assert "zw=uw·vc" in logit and "uo·vc" not in logit                      # any word w's score, not the context's
    linked = page.evaluate("import('/js/glossarylinks.js').then((m) => m.TERMS.map(([id]) => id))")
    assert set(linked) <= entries
    for path in PAGES:
        page.goto(f"{live_server}{path}", wait_until="commit")
        page.wait_for_selector("a.term", state="attached")
        hrefs = page.eval_on_selector_all("main a[href^='/glossary.html#']", "as => as.map((a) => a.hash.slice(1))")
        assert hrefs and set(hrefs) <= entries, (path, set(hrefs) - entries)
    page.goto(f"{live_server}/walkthrough.html")
    page.wait_for_selector("a.term", state="attached")
    net = page.eval_on_selector_all("#net-panel a.term", "as => as.map((a) => a.hash.slice(1))")
    assert {"skip-gram", "one-hot", "softmax", "loss", "gradient", "learning-rate"} <= set(net)


def test_every_page_says_the_same_true_thing_about_the_forces(page, live_server):
    for path in ("/", "/glossary.html", "/walkthrough.html"):
        page.goto(f"{live_server}{path}")
        text = page.inner_text("main")
        assert "toward its context" not in text and "pulls the center word toward" not in text, path
    page.goto(f"{live_server}/glossary.html")
    forces = page.inner_text("#attractive-repulsive + dd")
    assert "along the true context's output vector" in forces and "need not move it toward the context's own dot" in forces
    assert "stand in for all" not in page.goto(f"{live_server}/walkthrough.html").text()


def test_a_dropped_words_reason_shows_on_a_tap(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, bypass_csp=True)
    page = context.new_page()
    try:
        open_walkthrough(page, live_server)
        word = page.locator("#sentence .dropped").first
        why = page.locator(f"#{word.get_attribute('aria-describedby')}")
        assert why.bounding_box()["width"] <= 1
        word.tap()
        shown = why.bounding_box()
        assert shown["width"] > 40 and why.text_content().startswith("(dropped: ")
    finally:
        context.close()
