"""The index's notable moments, recomputed here from each run's loss_curve.json for a softmax, a
negative-sampling and a corpus run: each true for the run's method and kind, each link opening its step."""

import math

import pytest

from trainer.run_format import read_json, read_manifest

SMOOTHING = 200


def chunk_ends(pairs, recorded):
    """A corpus run's chunks end at their pairs plus the steps recorded between chunks before them."""
    ends, before = [], 0
    for p in pairs:
        while before < len(recorded) and recorded[before] <= p + before:
            before += 1
        ends.append(p + before)
    return ends


def series(manifest, curve, steps):
    """(at, value): a teaching run's trailing mean once it spans a full window; a corpus run's chunk means."""
    if manifest["kind"] == "corpus":
        return chunk_ends(curve["pairs"], steps), curve["loss"]
    losses = curve["loss"]
    width, total, at, value = min(SMOOTHING, len(losses)), 0.0, [], []
    for i, loss in enumerate(losses):
        total += loss
        if i >= width:
            total -= losses[i - width]
        if i >= width - 1:
            at.append(i + 1)
            value.append(total / width)
    return at, value


def expected_moments(run_dir):
    manifest, curve = read_manifest(run_dir), read_json(run_dir, "loss_curve.json")
    steps = read_json(run_dir, "step_index.json")["steps"]
    config = manifest["config"]
    baseline = (config["negative"] + 1) * math.log(2) if config["method"] == "sgns" else math.log(manifest["sizes"]["vocab"])
    at, value = series(manifest, curve, steps)
    start, end = value[0], value[-1]
    moments = [("First recorded step", steps[0], at[0])]
    marks = []
    if start >= baseline:
        marks.append(("Below a uniform guess", baseline))
    if start - end > 0.01 * start:
        marks.append(("Halfway down the loss curve", (start + end) / 2))
    for title, mark in marks:
        first = next((i for i, v in enumerate(value) if v < mark), None)
        if first is None:
            continue
        assert all(v >= mark for v in value[:first]) and value[first] < mark      # what the moment claims
        moments.append((title, next((s for s in steps if s >= at[first]), steps[-1]), at[first]))
    moments.append(("Last recorded step", steps[-1], at[-1]))
    return sorted(moments, key=lambda m: (m[1], m[2])), baseline, start


@pytest.mark.parametrize("run", ["default", "default-sgns", "corpus"])
def test_notable_moments_are_true_for_the_runs_method_and_kind_and_open_their_step(page, live_server, served_data, run):
    moments, baseline, start = expected_moments(served_data[0] / run)
    page.goto(f"{live_server}/")
    page.wait_for_selector("#moments li a")
    page.select_option("#run", run)
    page.wait_for_function(f"document.querySelector('#moments li a').href.includes('run={run}&')")
    links = page.locator("#moments li a")
    shown = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())]
    assert shown == [(f"{title}, step {step:,}", f"/walkthrough.html?run={run}&step={step}") for title, step, _ in moments]
    if start < baseline:                          # a run below its uniform guess from the start gets no such moment
        assert all(title != "Below a uniform guess" for title, _, _ in moments)
    formula = "(k + 1)·ln 2" if run != "default" else "ln "
    assert formula in page.text_content("#moments li")
    for _, href in shown:                          # every link opens the walkthrough at its step
        page.goto(f"{live_server}{href}")
        step = href.rsplit("=", 1)[1]
        page.wait_for_function(f"document.querySelector('#content')?.dataset.step === '{step}'")
        assert page.locator("#error").is_hidden()
    assert page.errors == []
