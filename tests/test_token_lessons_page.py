"""The token page's lessons of #26 in headless Chromium: GPT-2/GPT-4/GPT-4o beside the tokenizer learned here
(ids equal tiktoken's), the merges that changed a text, invisible characters by name, presentation sizes, the
questions a live class can ask, and a BPE trained in the page (its pair tables equal a naive recount, its
merges those of `wordlab tokenizer train`)."""

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import Counter

import orjson
import pytest

from tests.conftest import screenshot
from tests.test_reference_tokenizers import STRINGS
from tests.test_tokens_page import COUNTER, api_tokenize, counter, open_tokens, set_text, spans, wait_for_update
from trainer.bpe.build import split_held_out
from trainer.bpe.pretokenize import split_pieces
from trainer.bpe.replay import PREVIEW_PIECES
from trainer.bpe.tokenizer import BPETokenizer
from trainer.bpe.train import base_symbols, merge_pair, piece_symbols
from trainer.config import DEFAULT_CORPUS, resolve_corpus

REFERENCE_NAMES = ["r50k_base", "cl100k_base", "o200k_base"]


def post(live_server, path, body):
    request = urllib.request.Request(f"{live_server}{path}", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_the_page_shows_tiktokens_ids_for_the_reference_tokenizers(page, live_server, tiktoken_encodings, name):
    """Every test string (at least 300) in the page for each tokenizer, as three 9 KB texts (a page draws at most
    5,000 chips), and a few alone."""
    open_tokens(page, live_server, f"?tokenizer={name}")
    assert page.input_value("#side-a .tokenizer") == name and len(STRINGS) >= 300
    third = REFERENCE_NAMES.index(name)
    for text in ["\n".join(STRINGS[part::3]) for part in range(3)] + STRINGS[third::90]:
        set_text(page, text)
        text = page.input_value("#text")   # a textarea keeps "\r\n" as "\n" (the API tests send them as they are)
        page.wait_for_function("t => [...document.querySelectorAll('#side-a .tok')].map(e => e.dataset.text).join('') === t", arg=text)
        assert [s["id"] for s in spans(page)] == tiktoken_encodings[name].encode(text, disallowed_special=())
    assert page.errors == [] and page.console_errors == []


def test_the_merges_that_changed_the_text_are_listed_for_the_slider(page, live_server):
    text = "the king and the queen walk home to the kingdom"
    open_tokens(page, live_server, "?" + urllib.parse.urlencode({"text": text}))
    page.wait_for_function(f"{COUNTER}('mergesLists') > 0")
    answer = post(live_server, "/api/tokenize/merges", {"text": text, "tokenizer": "default"})
    rows = page.eval_on_selector_all("#merges-applied tbody tr", "rs => rs.map(r => [Number(r.dataset.rank), ...[...r.cells].map(c => c.textContent)])")
    assert [r[0] for r in rows] == [a["rank"] for a in answer["applied"]] and rows
    first = answer["applied"][0]
    assert rows[0][4] == str(first["times"]) and rows[0][5] == f"{first['tokens_before']} → {first['tokens_after']}"
    assert f"became {answer['tokens']} tokens" in page.text_content("#merges-summary")
    # The slider on a merge that applied: its row is outlined and the sentence says how often it joined here.
    used = answer["applied"][len(answer["applied"]) // 2]
    before = counter(page, "mergesLists")
    page.eval_on_selector("#side-a .merges", f"el => {{ el.value = {used['rank']}; el.dispatchEvent(new Event('input')); }}")
    wait_for_update(page, before, "mergesLists")
    assert page.get_attribute(f"#merges-applied tr[data-rank='{used['rank']}']", "class") == "current"
    page.wait_for_function("n => document.querySelector('#side-a .merge-info').textContent.includes(n)",
                           arg=f"In the text above it joins {used['times']} time")
    info = page.text_content("#side-a .merge-info")
    assert "most frequent pair left in its training text" in info and "(not in this text)" not in info
    # A merge that did not apply here says so.
    unused = next(r for r in range(1, 400) if r not in {a["rank"] for a in answer["applied"]})
    page.eval_on_selector("#side-a .merges", f"el => {{ el.value = {unused}; el.dispatchEvent(new Event('input')); }}")
    page.wait_for_function("() => document.querySelector('#side-a .merge-info').textContent.includes('does not occur in the text above')")
    assert page.errors == [] and page.console_errors == []


def test_invisible_characters_are_named_in_chips_pieces_and_hover(page, live_server):
    text = "👩\u200d👧 \u0301x \ufe0f 🇯 ok"
    open_tokens(page, live_server, "?tokenizer=o200k_base&" + urllib.parse.urlencode({"text": text}))
    page.wait_for_function(f"{COUNTER}('pipelines') > 0")
    chips = page.eval_on_selector_all("#side-a .tok .t", "els => els.map(e => e.textContent)")
    assert {"⟨ZWJ⟩", "⟨combining acute ◌\u0301⟩", "⟨VS16⟩"} <= set(chips), chips
    assert "␣⟨regional indicator J⟩" in page.eval_on_selector_all("#pipeline .stage.text", "els => els.map(e => e.textContent)")
    flag = next(i for i, s in enumerate(spans(page)) if s["text"].strip() == "🇯")
    page.hover(f"#side-a .tok >> nth={flag}")
    page.wait_for_selector("#tooltip:not([hidden])")
    assert "regional indicator J (U+1F1EF)" in page.text_content("#tooltip")
    screenshot(page, "tokens-invisible-characters")


def test_chips_and_ids_grow_in_presentation_mode(page, live_server):
    open_tokens(page, live_server)
    size = "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)"
    before = [page.evaluate(size, s) for s in ("#side-a .tok .t", "#side-a .tok .id")]
    page.click("header.top button.present")
    page.wait_for_function("document.documentElement.classList.contains('presentation')")
    after = [page.evaluate(size, s) for s in ("#side-a .tok .t", "#side-a .tok .id")]
    assert after[0] >= 1.5 * before[0] and after[1] >= 1.5 * before[1], (before, after)
    assert after[1] >= 16   # an id readable from the back of a room
    screenshot(page, "tokens-presentation")


def test_the_page_offers_how_many_tokens_questions_with_the_servers_answer(page, live_server):
    open_tokens(page, live_server, "?compare=1&tokenizer2=small")
    questions = page.evaluate("import('/js/questions.js').then(m => m.pageQuestions())")
    text = page.input_value("#text")
    counts = {q["id"].split(":")[1]: q for q in questions if q["kind"] == "number"}
    assert counts["default"]["answer"] == len(api_tokenize(live_server, text)["ids"])
    assert counts["small"]["answer"] == len(api_tokenize(live_server, text, "small")["ids"])
    assert f"into {counts['default']['answer']} tokens" in counts["default"]["reason"]
    fewer = next(q for q in questions if q["kind"] == "choice")
    assert fewer["answer"] == min(("default", "small"), key=lambda n: counts[n]["answer"])


def test_unspaced_text_is_measured_per_character(page, live_server):
    open_tokens(page, live_server)
    before = counter(page)
    page.click("#presets button[data-preset='CJK']")
    wait_for_update(page, before)
    stats = page.text_content("#side-a .stats")
    assert "tokens per character (no spaces between words)" in stats and "tokens per word" not in stats


def test_the_domain_sentence_agrees_with_its_bars(page, live_server, project_default, served_data):
    (served_data[1] / "prose.json").write_bytes(project_default.path.read_bytes())
    open_tokens(page, live_server, "?tokenizer=prose")
    page.wait_for_function("document.querySelector('#domains-note').textContent.length > 0")
    bars = page.eval_on_selector_all("#domains tr", "rs => rs.map(r => [r.cells[0].textContent, Number(r.cells[2].textContent)])")
    sentence = page.text_content("#domains-note")
    listed = sentence.removeprefix("Tokens per 100 characters, cheapest first: ").split(". ")[0].split(", ")
    said = [(item.rsplit(" ", 1)[0], float(item.rsplit(" ", 1)[1])) for item in listed]
    assert [name for name, _ in said] == [name for name, _ in sorted(bars, key=lambda b: b[1])]
    assert all(abs(value - dict(bars)[name]) <= 0.051 for name, value in said)   # the bars' values, to one decimal
    assert min(bars, key=lambda b: b[1])[0] == "English prose" and "Prose is the cheapest" in sentence


TRAIN_TEXT = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8")[:9000] + "Ünïcode: naïve café, 東京 🎉\n" * 3
TRAIN_MERGES = 60


def naive_candidates(text: str, merges: list[list[int]], k: int, top: int = 8) -> list[tuple[int, int, int]]:
    """The pairs of highest count after the first k merges, recounted from scratch over the training lines."""
    pieces = Counter(split_pieces(split_held_out(text)[0]))
    ids = {s: i for i, s in enumerate(base_symbols(pieces))}
    words = [piece_symbols(p, ids) for p in pieces]
    for left, right, new_id, _ in merges[:k]:
        words = [merge_pair(w, left, right, new_id) for w in words]
    counts = Counter()
    for w, n in zip(words, pieces.values(), strict=True):
        for pair in zip(w, w[1:], strict=False):
            counts[pair] += n
    return [(a, b, n) for (a, b), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def test_a_bpe_trained_in_the_page_replays_the_clis_merges_with_recounted_pairs(page, live_server, served_data, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TRAIN_TEXT, encoding="utf-8")
    cli_dir = tmp_path / "cli"
    base = len(base_symbols(Counter(split_pieces(split_held_out(TRAIN_TEXT)[0]))))
    subprocess.run([sys.executable, "-m", "backend.cli", "tokenizer", "train", "--corpus", str(corpus), "--vocab-size",
                    str(base + TRAIN_MERGES), "--name", "cli", "--out", str(cli_dir), "--quiet"], check=True, capture_output=True)
    cli = orjson.loads((cli_dir / "cli.json").read_bytes())

    open_tokens(page, live_server)
    page.fill("#train-text", TRAIN_TEXT)
    page.fill("#train-merges", str(TRAIN_MERGES))
    page.dispatch_event("#train-merges", "change")
    page.click("#train-run")
    page.wait_for_function(f"{COUNTER}('trainings') > 0", timeout=30000)
    assert page.get_attribute("#train-step", "max") == str(TRAIN_MERGES)
    tokenizer = BPETokenizer.from_dict(cli)
    preview = split_pieces(split_held_out(TRAIN_TEXT)[0])[:PREVIEW_PIECES]
    for k in (0, 1, 17, TRAIN_MERGES - 1, TRAIN_MERGES):
        page.eval_on_selector("#train-step", f"el => {{ el.value = {k}; el.dispatchEvent(new Event('input')); }}")
        page.wait_for_function(f"document.querySelector('#train-step-label').textContent.startsWith('{k} of')")
        shown = page.eval_on_selector_all("#train-pairs tbody tr", "rs => rs.map(r => [Number(r.dataset.left), Number(r.dataset.right), Number(r.dataset.count), r.className])")
        if k < TRAIN_MERGES:
            assert [tuple(r[:3]) for r in shown] == naive_candidates(TRAIN_TEXT, cli["merges"], k)
            assert shown[0][3] == "winner" and tuple(shown[0][:2]) == tuple(cli["merges"][k][:2])
        else:
            assert shown == []
        cut = int(page.get_attribute("#train-cut", "data-tokens"))
        assert cut == sum(len(tokenizer.encode(piece, k)) for piece in preview)
    # The last merge learned, as the page lists it, is the CLI's last merge.
    newest = page.eval_on_selector("#train-merge-list tbody tr", "r => r.cells[2].textContent")
    assert newest == cli["vocab"][cli["merges"][-1][2]].replace(" ", "␣")
    curve = page.eval_on_selector_all("#train-curve circle.point", "els => els.map(e => Number(e.dataset.y))")
    assert curve == sorted(curve, reverse=True) and curve[0] > curve[-1]
    screenshot(page, "tokens-train-bpe")
    # Saved under a name, it is the CLI's tokenizer and can be compared side by side.
    page.fill("#train-name", "page-bpe")
    page.click("#train-save")
    page.wait_for_selector("#train-compare:not([hidden])")
    assert orjson.loads((served_data[1] / "page-bpe.json").read_bytes())["merges"] == cli["merges"]
    page.click("#train-compare")
    page.wait_for_function("document.querySelector('#side-b .tokenizer').value === 'page-bpe' && !document.querySelector('#side-b').hidden")
    page.wait_for_function("() => location.search.includes('tokenizer2=page-bpe')")
    page.fill("#train-name", "../escape")
    page.click("#train-save")
    page.wait_for_function("document.querySelector('#train-saved').textContent.includes('invalid tokenizer name')")
    assert page.errors == [] and all("status of 400" in e for e in page.console_errors)   # the refused name
