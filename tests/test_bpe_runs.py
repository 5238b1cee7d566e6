"""Skip-gram on BPE tokens (`wordlab train --tokenizer`): the tokens a run trains on, its vocabulary, the
tokenizer recorded in its manifest, the identities of both teaching methods and of a corpus run, the CLI's
errors, the API with tokens that hold spaces and unicode, and both pages showing a token's space as ␣."""

import dataclasses
import hashlib
import json
import shutil
from collections import Counter
from urllib.parse import quote

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from safetensors.numpy import load_file

import tests.test_sgns as sgns_tests
import tests.test_teaching_run as teaching_tests
from backend.app import create_app
from backend.cli import main
from tests.conftest import screenshot, serving
from tests.test_walkthrough_lesson import assert_network_shows
from trainer.bpe.build import build_tokenizer
from trainer.bpe.tokenizer import BPETokenizer
from trainer.config import DEFAULT_CORPUS, resolve_corpus
from trainer.errors import NotFound, RunFormatError
from trainer.run_format import Manifest, read_manifest
from trainer.run_format import read_json as read
from trainer.sgns.run import train_corpus_run
from trainer.teaching_run import train_run
from trainer.token_source import tokenizer_path

# Unicode the tokenizer learns as characters (it is trained on this text), so tokens like " café</w>" exist.
UNICODE_LINES = ["the café serves crème brûlée to the king", "the naïve prince drinks tea in the café",
                 "東京 is the capital of 日本", "the queen smiles 🙂 at the café"]
END = "</w>"


def label(token: str) -> str:
    """What the pages must show for a token: its spaces as ␣ (this corpus's tokens hold no other whitespace)."""
    return token.replace(" ", "␣")


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    text = resolve_corpus(DEFAULT_CORPUS).read_text(encoding="utf-8") + "\n".join(UNICODE_LINES * 8) + "\n"
    path = tmp_path_factory.mktemp("bpe-corpus") / "lessons.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokenizer_file(corpus_file, tmp_path_factory):
    """A small tokenizer trained with the project's own trainer: whole common words, subwords for the rest."""
    return build_tokenizer(corpus_file, 720, "lessons", tmp_path_factory.mktemp("bpe-tokenizers"), progress=False).path


@pytest.fixture(scope="module")
def bpe_config(small_config, corpus_file, tokenizer_file):
    return dataclasses.replace(small_config, corpus=str(corpus_file), tokenizer=str(tokenizer_file))


@pytest.fixture(scope="module")
def bpe_run(bpe_config, tmp_path_factory):
    return train_run(bpe_config, "bpe", tmp_path_factory.mktemp("bpe-runs"), progress=False, log=lambda _: None).run_dir


@pytest.fixture(scope="module")
def bpe_sgns_run(bpe_config, tmp_path_factory):
    return train_run(dataclasses.replace(bpe_config, method="sgns"), "bpe-sgns", tmp_path_factory.mktemp("bpe-runs"),
                     progress=False, log=lambda _: None).run_dir


@pytest.fixture(scope="module")
def bpe_corpus_run(corpus_file, tokenizer_file, tmp_path_factory):
    config = sgns_tests.config(corpus_file, tokenizer=str(tokenizer_file))
    return train_corpus_run(config, "bpe-corpus", tmp_path_factory.mktemp("bpe-runs"), progress=False,
                            log=lambda _: None).run_dir


def corpus_lines(corpus_file) -> list[str]:
    return [line for line in corpus_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_sentences_are_the_tokenizers_tokens_with_their_spaces(bpe_run, corpus_file, tokenizer_file):
    tok = BPETokenizer.load(tokenizer_file)
    sentences = read(bpe_run, "sentences.json")["sentences"]
    lines = corpus_lines(corpus_file)
    assert len(sentences) == len(lines)
    whitespace_dropped = 0
    for i, line in enumerate(lines):
        every = [tok.vocab[t] for t in tok.encode(line)]
        assert "".join(w.removesuffix(END) for w in every) == line   # the cut loses nothing: spaces, case, unicode
        words = sentences[str(i)]["words"]
        assert words == [w for w in every if w.removesuffix(END).strip()]  # whitespace-only tokens are no context
        whitespace_dropped += len(every) - len(words)
    assert whitespace_dropped > 0                                      # the corpus has a double space
    tokens = {w for s in sentences.values() for w in s["words"]}
    assert {" the" + END, "the" + END, " café" + END} <= tokens and any("京" in w for w in tokens)
    assert any(not w.endswith(END) for w in tokens)                    # subwords inside a word


def test_vocabulary_counts_tokens_keeps_function_words_and_applies_min_count(bpe_run, bpe_config):
    manifest = read_manifest(bpe_run)
    assert manifest["config"]["tokenizer"] == bpe_config.tokenizer and manifest["config"]["remove_stopwords"] is False
    sentences = read(bpe_run, "sentences.json")["sentences"].values()
    counts = Counter(w for s in sentences for w in s["words"])
    expected = sorted(((w, c) for w, c in counts.items() if c >= bpe_config.min_count),
                      key=lambda wc: (-wc[1], wc[0]))[:bpe_config.max_vocab]
    vocab = read(bpe_run, "vocab.json")
    assert list(zip(vocab["words"], vocab["counts"], strict=True)) == expected
    assert {" the" + END, " is" + END, " of" + END} <= set(vocab["words"])   # stopwords as words, kept as tokens
    for s in sentences:
        assert [w in vocab["words"] for w in s["words"]] == [d is None for d in s["dropped"]]
        assert set(s["dropped"]) <= {None, "rare"}
    assert read(bpe_run, "corpus_stats.json")["dropped_stopwords"] == 0


def test_manifest_records_the_tokenizer_name_and_merges_hash(bpe_run, bpe_corpus_run, tokenizer_file, small_run,
                                                             tmp_path):
    data = orjson.loads(tokenizer_file.read_bytes())
    merges = [[data["vocab"][left], data["vocab"][right]] for left, right, _, _ in data["merges"]]
    identity = {"name": "lessons", "merges_sha256": hashlib.sha256(orjson.dumps(merges)).hexdigest(),
                "merges": len(data["merges"]), "vocab_size": len(data["vocab"])}
    assert read_manifest(bpe_run)["tokenizer"] == identity
    assert read_manifest(bpe_corpus_run)["tokenizer"] == identity
    assert read_manifest(small_run)["tokenizer"] is None                 # a run on regex words
    old = orjson.loads((small_run / "run.json").read_bytes())
    del old["tokenizer"]
    assert Manifest.model_validate(old).tokenizer is None                 # runs written before the field
    broken = shutil.copytree(bpe_run, tmp_path / "bpe")
    manifest = orjson.loads((broken / "run.json").read_bytes())
    manifest["tokenizer"]["merges_sha256"] = "not a hash"
    (broken / "run.json").write_bytes(orjson.dumps(manifest))
    with pytest.raises(RunFormatError, match="tokenizer.merges_sha256"):
        read_manifest(broken)


def test_softmax_identities_hold_on_tokens(bpe_run):
    from tests.autograd_losses import leaf, softmax_loss

    teaching_tests.test_gradient_equals_repulsive_minus_attractive_at_every_recorded_step(bpe_run)
    teaching_tests.test_recorded_numbers_are_consistent_with_each_other(bpe_run)
    teaching_tests.test_first_loss_is_about_ln_v(bpe_run)
    for r in teaching_tests.all_records(bpe_run)[:40]:   # autograd on the recorded (4-decimal) weights
        W, W_prime = leaf(r["W"]), leaf(r["W_prime"])
        loss = softmax_loss(W, W_prime, r["center_id"], r["context_id"])
        loss.backward()
        assert abs(loss.item() - r["loss"]) < 1e-3
        assert np.allclose(W.grad[r["center_id"]].numpy(), r["grad_v_c"], atol=1e-3)


def test_sgns_identities_hold_on_tokens(bpe_run, bpe_sgns_run, bpe_config):
    teaching_tests.test_sgns_identity_holds_in_the_files_at_every_recorded_step(bpe_sgns_run, bpe_config)
    teaching_tests.test_sgns_gradients_in_the_files_equal_torch_autograd(bpe_sgns_run)
    teaching_tests.test_sgns_run_sees_the_same_pairs_in_the_same_order_as_the_softmax_run(bpe_run, bpe_sgns_run)


def test_corpus_run_trains_on_tokens(bpe_corpus_run, tokenizer_file):
    vocab = read(bpe_corpus_run, "vocab.json")["words"]
    assert set(vocab) <= set(BPETokenizer.load(tokenizer_file).vocab)
    assert {" the" + END, " café" + END} <= set(vocab)
    sgns_tests.test_recorded_steps_hold_the_gradient_identity_and_match_autograd(bpe_corpus_run)
    curve = read(bpe_corpus_run, "loss_curve.json")["loss"]
    assert curve[-1] < curve[0]


def test_resume_refuses_a_tokenizer_whose_merges_changed(bpe_config, corpus_file, tmp_path):
    tokenizer = shutil.copy(bpe_config.tokenizer, tmp_path / "mine.json")
    config = dataclasses.replace(bpe_config, tokenizer=str(tokenizer), steps=60)
    first = train_run(config, "short", tmp_path, progress=False, log=lambda _: None).run_dir
    build_tokenizer(corpus_file, 650, "mine", tmp_path, progress=False)        # same file, fewer merges
    with pytest.raises(RunFormatError, match="resuming needs the same tokenizer"):
        train_run(dataclasses.replace(config, steps=80), "short", tmp_path, resume_from=first, progress=False,
                  log=lambda _: None)


def test_cli_trains_on_a_tokenizer_and_refuses_unknown_or_broken_ones(corpus_file, tokenizer_file, tmp_path, capsys,
                                                                     tokenizers_with_default):
    common = ["--quiet", "--out", str(tmp_path / "runs"), "--tokenizers", str(tokenizers_with_default)]
    assert main(["train", "--corpus", str(corpus_file), "--tokenizer", str(tokenizer_file), "--steps", "60",
                 "--name", "cli", *common]) == 0
    assert read_manifest(tmp_path / "runs" / "cli")["tokenizer"]["name"] == "lessons"
    capsys.readouterr()
    (tmp_path / "structure.json").write_bytes(orjson.dumps({"name": "x", "meta": {}, "settings": {
        "pattern": "", "base_size": 3}, "vocab": ["a", "b"], "merges": []}))
    (tmp_path / "truncated.json").write_text('{"name": "x", "vocab": [', encoding="utf-8")
    cases = [(["--tokenizer", "no-such-tokenizer"], "no tokenizer named 'no-such-tokenizer'"),
             (["--tokenizer", str(tmp_path / "absent.json")], "tokenizer file not found"),
             (["--tokenizer", str(tmp_path / "structure.json")], "structure.json is not a valid tokenizer file"),
             (["--tokenizer", str(tmp_path / "truncated.json")], "truncated.json is not a valid tokenizer file"),
             (["--tokenizer", str(tokenizer_file), "--remove-stopwords"], "--remove-stopwords applies to regex words")]
    for flags, message in cases:
        assert main(["train", "--corpus", str(corpus_file), "--name", "bad", *common, *flags]) == 2, flags
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1, err
    assert main(["train", "corpus", "--corpus", str(corpus_file), "--name", "bad", *common[:3],
                 "--tokenizer", "no-such-tokenizer"]) == 2
    err = capsys.readouterr().err
    assert "no tokenizer named 'no-such-tokenizer'" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["cli"]


def test_a_bare_name_is_looked_up_among_the_tokenizers(tokenizer_file):
    assert tokenizer_path("lessons", tokenizer_file.parent) == tokenizer_file
    with pytest.raises(NotFound, match=r"there are: lessons"):
        tokenizer_path("lesson", tokenizer_file.parent)


def test_api_answers_tokens_with_spaces_and_unicode(bpe_run, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(bpe_run, runs / "bpe")
    client = TestClient(create_app(runs, tmp_path / "tokenizers"))
    words = read(bpe_run, "vocab.json")["words"]
    W = load_file(str(bpe_run / "model.safetensors"))["W"].astype(np.float64)
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    cjk = next(w for w in words if "京" in w)
    for token in (" café" + END, cjk, " the" + END, "the" + END):
        answer = client.get(f"/api/runs/bpe/neighbors?word={quote(token, safe='')}&k=5")
        assert answer.status_code == 200, answer.text
        assert answer.json()["word"] == token
        i = words.index(token)
        scores = unit @ unit[i]
        expected = [words[j] for j in np.argsort(-scores, kind="stable") if j != i][:5]
        assert [n["word"] for n in answer.json()["neighbors"]] == expected
    a, b = " café" + END, " king" + END
    pair = client.get(f"/api/runs/bpe/similarity?a={quote(a)}&b={quote(b)}").json()
    assert pair["cosine"] == pytest.approx(float(unit[words.index(a)] @ unit[words.index(b)]), abs=1e-5)
    batch = client.get("/api/runs/bpe/neighbors/batch", params=[("words", a), ("words", cjk)]).json()
    assert [c["word"] for c in batch["columns"]] == [a, cjk]
    assert client.get("/api/runs/bpe/analogy", params={"a": a, "b": b, "c": " the" + END}).status_code == 200
    missing = client.get("/api/runs/bpe/neighbors", params={"word": " cafe" + END})
    assert missing.status_code == 404 and " café" + END in missing.json()["detail"]["suggestions"]


@pytest.fixture(scope="module")
def bpe_server(bpe_run, bpe_corpus_run, tmp_path_factory):
    root = tmp_path_factory.mktemp("bpe-live")
    for run in (bpe_run, bpe_corpus_run):
        shutil.copytree(run, root / "runs" / run.name)
    with serving(root / "runs", root / "tokenizers") as base:
        yield base


def test_the_label_module_makes_every_whitespace_visible_and_reads_labels_back(page, bpe_server):
    page.goto(f"{bpe_server}/explorer.html?run=bpe")
    shown = page.evaluate("""async () => { const m = await import('/js/tokenlabel.js');
      const read = m.labelReader([' the</w>', 'ing', '␣odd']);
      return [m.tokenLabel(' a\\u00a0b\\t\\n\\r\\u3000c'), m.tokenLabel('king'), read('␣the</w>'), read(' the</w>'),
              read('␣odd'), read('nope')]; }""")
    assert shown == ["␣a⍽b→↵␍⟨U+3000⟩c", "king", " the</w>", " the</w>", "␣odd", "nope"]


def test_the_pages_show_a_tokens_space_as_a_visible_sign(page, bpe_server, bpe_run):
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    records = teaching_tests.all_records(bpe_run)
    sentences = read(bpe_run, "sentences.json")["sentences"]
    first = records[0]

    page.goto(f"{bpe_server}/walkthrough.html?run=bpe&step=1")
    page.wait_for_function("document.querySelector('#content')?.dataset.renders > 0", timeout=30000)
    assert_network_shows(page, first, [label(w) for w in read(bpe_run, "vocab.json")["words"]])  # on tokens, too
    assert page.text_content("#pair-center") == label(first["center_word"])
    assert page.text_content("#pair-context") == label(first["context_word"])
    shown = [span.text_content() for span in page.query_selector_all("#sentence .w")]
    assert shown == [label(w) for w in sentences[str(first["sentence_id"])]["words"]]
    assert any(s.startswith("␣") for s in shown) and not any(" " in s for s in shown)
    options = page.eval_on_selector_all("#word option", "os => os.slice(1).map((o) => [o.value, o.textContent])")
    assert options == [[w, label(w)] for w in read(bpe_run, "vocab.json")["words"]]
    screenshot(page, "bpe-walkthrough")

    token = " café" + END                                       # a space and unicode, through the page's URL
    page.goto(f"{bpe_server}/walkthrough.html?run=bpe&word={quote(token, safe='')}")
    page.wait_for_function("document.querySelector('#content')?.dataset.renders > 0", timeout=30000)
    assert page.eval_on_selector("#word", "s => [s.value, s.selectedOptions[0].textContent]") == [token, "␣café</w>"]
    assert page.locator("#notice").text_content() == ""

    vocab = read(bpe_run, "vocab.json")["words"]
    subword = next(w for w in vocab if not w.endswith(END) and not w.startswith(" ") and len(w) > 1)
    page.goto(f"{bpe_server}/explorer.html?run=bpe")
    page.wait_for_selector("main[data-ready]", state="attached", timeout=30000)
    stored_map = read(bpe_run, "explorer/map.json.gz")["words"]
    page.wait_for_selector("#map[data-labels]", state="attached")
    drawn = [entry[0] for entry in json.loads(page.get_attribute("#map", "data-labels"))]
    assert drawn and set(drawn) <= {label(w) for w in stored_map} and not any(" " in w for w in drawn)
    page.click("#tab-neighbors")
    frequent = page.eval_on_selector_all("#frequent tr", "rows => rows.map((r) => r.cells[0].textContent)")
    assert frequent == [label(w) for w, _ in read(bpe_run, "corpus_stats.json")["frequencies"][:15]]
    page.fill("#query", f"␣café</w>, {subword}")            # what a student types: the label, ␣ for the space
    page.press("#query", "Enter")
    page.wait_for_function("document.querySelector('#neighbors thead th:nth-child(2)')?.textContent === '␣café</w>'")
    header = page.eval_on_selector_all("#neighbors thead th", "ths => ths.map((th) => th.textContent)")
    assert header == ["#", "␣café</w>", label(subword)]
    client = TestClient(create_app(bpe_run.parent, bpe_run.parent / "no-tokenizers"))
    answer = client.get("/api/runs/bpe/neighbors/batch", params=[("words", token), ("words", subword)]).json()
    cells = page.eval_on_selector_all("#neighbors tbody tr", "rows => rows.map((r) => [...r.cells].slice(1).map((c) => c.textContent))")
    assert cells == [[f"{label(c['neighbors'][r]['word'])} {c['neighbors'][r]['score']:.3f}" for c in answer["columns"]]
                     for r in range(10)]
    page.wait_for_function("(q) => new URL(location.href).searchParams.get('q') === q",   # the URL keeps labels
                           arg=f"␣café</w>, {label(subword)}")
    screenshot(page, "bpe-explorer")

    page.goto(f"{bpe_server}/explorer.html?run=bpe-corpus")
    page.wait_for_selector("main[data-ready]", state="attached", timeout=30000)
    corpus_frequent = page.eval_on_selector_all("#frequent tr", "rows => rows.map((r) => r.cells[0].textContent)")
    assert any(w.startswith("␣") for w in corpus_frequent) and not any(" " in w for w in corpus_frequent)
    assert page.errors == [] and console == []
