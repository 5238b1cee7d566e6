"""Real books: the shared Frankenstein and 14-book mix (never copied into the repo). The README's corpus recipe
gives vectors that are not collapsed; deliberately under-trained runs are reported by the CLI and the explorer;
on a Frankenstein teaching run, a Frankenstein corpus run, the mix and a BPE-token run the explorer opens with
no error, with first queries and probes drawn from the run's vocabulary (no stopword among the words it opens
with), probe scores equal to a count over model.safetensors, and a dimension sweep drawn as the runs' scores.

Small but real runs, trained once for the module, with settings that do not change what is tested: corpus runs
map 300 words instead of 2,000 (t-SNE of 2,000 words alone took 31 s under load, training 2.6 s), the mix
trains 1 epoch (its 5 took 10.5 s under load; the explorer's defaults and probes depend on the vocabulary,
not on the epochs), the BPE run (a corpus run on the default tokenizer's tokens) 10 epochs, the teaching runs
20,000 steps over the 300 most frequent words."""

import contextlib
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import orjson
import pytest
from safetensors.numpy import load_file

from backend.cli import main
from tests.conftest import screenshot, serving
from tests.probe_count import count_scores
from trainer.bpe.build import build_default_tokenizer
from trainer.config import DEFAULT_CORPUS, CorpusConfig, TeachingConfig, resolve_corpus
from trainer.run_format import read_json
from trainer.run_probes import is_content, plain_words
from trainer.sgns.run import train_corpus_run
from trainer.stopwords import STOPWORDS
from trainer.teaching_run import train_run
from trainer.vocab import Vocab

SHARED = Path(os.environ.get("WORDLAB_SHARED_CORPORA") or Path(__file__).resolve().parents[2] / "shared" / "corpora")
COLLAPSE_LEVEL = 0.99   # the neighbours' mean cosine of Frankenstein at word2vec's 5 epochs (0.994 measured)
SWEEP_DIMS = (4, 8, 16)


def shared_corpus(name: str) -> Path:
    """A book of the shared corpora: ../shared/corpora beside the repository (as CI has it), or the folder
    WORDLAB_SHARED_CORPORA names (tests/test_sentences.py reads them the same way)."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"EXPLORER NOT CHECKED ON REAL BOOKS: {path} is absent (CI has ../shared/corpora beside the repo; "
                    "elsewhere set WORDLAB_SHARED_CORPORA to that folder)")
    return path


def quiet(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Every run of this module in one runs directory, and what the under-trained ones printed."""
    frankenstein, mix = shared_corpus("frankenstein.txt"), shared_corpus("gutenberg-mix.txt")
    root = tmp_path_factory.mktemp("books")
    runs, tokenizers = root / "runs", root / "tokenizers"
    printed = {}
    # the README's recipe: `wordlab train --kind corpus --corpus frankenstein.txt` (epochs chosen for the book)
    train_corpus_run(CorpusConfig(corpus=str(frankenstein), snapshot_words=300), "frankenstein-sgns", runs,
                     progress=False, log=quiet)
    lines = []   # word2vec's 5 epochs on the same book: collapsed, and the run says so
    train_corpus_run(CorpusConfig(corpus=str(frankenstein), epochs=5, snapshot_words=300), "frankenstein-5", runs,
                     progress=False, log=lines.append)
    printed["frankenstein-5"] = "\n".join(lines)
    with contextlib.redirect_stdout(io.StringIO()) as out:   # a teaching run of 200 steps, through the CLI
        assert main(["train", "--corpus", str(frankenstein), "--name", "frankenstein-200", "--steps", "200",
                     "--max-vocab", "100", "--record-interval", "20", "--out", str(runs), "--quiet",
                     "--tokenizers", str(tokenizers)]) == 0
    printed["frankenstein-200"] = out.getvalue()
    teaching = TeachingConfig(corpus=str(frankenstein), min_count=5, max_vocab=300, steps=20000, record_interval=500)
    train_run(teaching, "frankenstein", runs, progress=False, log=quiet)
    tokenizer = build_default_tokenizer(tokenizers, progress=False).path   # `--tokenizer default`, a corpus run
    train_corpus_run(CorpusConfig(corpus=str(frankenstein), tokenizer=str(tokenizer), epochs=10, snapshot_words=300),
                     "bpe", runs, progress=False, log=quiet)
    train_corpus_run(CorpusConfig(corpus=str(mix), epochs=1, snapshot_words=300), "mix", runs, progress=False, log=quiet)
    for d in SWEEP_DIMS:   # what `make dims` runs (KIND=teaching), with fewer steps
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["train", "--kind", "teaching", "--corpus", str(resolve_corpus(DEFAULT_CORPUS)), "--name",
                         f"teaching-d{d}", "--dim", str(d), "--steps", "3000", "--out", str(runs), "--quiet",
                         "--tokenizers", str(tokenizers)]) == 0
    return runs, tokenizers, printed


@pytest.fixture(scope="module")
def books_server(books):
    runs, tokenizers, _ = books
    with serving(runs, tokenizers) as base:
        yield base


def weights_and_words(run_dir: Path):
    return load_file(str(run_dir / "model.safetensors"))["W"], read_json(run_dir, "vocab.json")["words"]


def test_the_readme_corpus_recipe_on_frankenstein_is_not_collapsed(books):
    runs, _, _ = books
    run = runs / "frankenstein-sgns"
    assert read_json(run, "run.json")["config"]["epochs"] == 40   # chosen for a 75,267-word book
    quality = read_json(run, "quality.json")
    assert quality["verdict"] == "ok", quality["message"]
    # counted here over the whole vocabulary: the first queries' 10 nearest neighbours
    W, words = weights_and_words(run)
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    queries = read_json(run, "explorer/probes.json")["queries"]
    cosines = []
    for word in queries:
        cos = unit @ unit[words.index(word)]
        cos[words.index(word)] = -np.inf
        cosines.append(np.sort(cos)[-10:].mean())
    assert np.mean(cosines) < 0.8 < COLLAPSE_LEVEL, cosines
    collapsed = read_json(runs / "frankenstein-5", "quality.json")
    assert collapsed["neighbor_cosine"] > 0.98 and quality["neighbor_cosine"] < collapsed["neighbor_cosine"] - 0.3


def test_undertrained_runs_are_reported_when_they_end(books):
    runs, _, printed = books
    assert read_json(runs / "frankenstein-5", "quality.json")["verdict"] == "collapsed"
    assert "WARNING, vectors: Under-trained, collapsed: any two words have cosine 0.9" in printed["frankenstein-5"]
    assert read_json(runs / "frankenstein-200", "quality.json")["verdict"] == "noise"
    assert "WARNING, vectors: Under-trained: the vectors are still where training started" in printed["frankenstein-200"]
    assert "Not converged" in printed["frankenstein-200"]


@pytest.fixture
def explorer(page, books_server):
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    def open_page(query):
        page.goto(f"{books_server}/explorer.html{query}")
        page.wait_for_selector("main[data-ready]", state="attached", timeout=60000)
        return page

    yield open_page
    assert console == [] and page.errors == []


@pytest.mark.parametrize("name, verdict", [("frankenstein-5", "collapsed"), ("frankenstein-200", "noise")])
def test_undertrained_runs_are_named_on_the_explorer(explorer, name, verdict):
    page = explorer(f"?run={name}")
    banner = page.locator("#quality")
    assert banner.is_visible() and banner.get_attribute("data-verdict") == verdict
    assert banner.text_content().startswith(f"{name}: Under-trained")


def plain(word: str, tokenized: bool) -> str:
    """The word a vocabulary entry stands for (a BPE token's letters)."""
    return word.strip().removesuffix("</w>") if tokenized else word


@pytest.mark.parametrize("name", ["frankenstein", "frankenstein-sgns", "mix", "bpe"])
def test_the_explorer_opens_a_book_with_its_own_words_and_true_scores(explorer, books, name):
    runs, _, _ = books
    run = runs / name
    tokenized = read_json(run, "run.json").get("tokenizer") is not None
    W, words = weights_and_words(run)
    vocab = set(words)
    label = {w.replace(" ", "␣"): w for w in words}   # tokenlabel.js's sign for a space (no other whitespace here)
    page = explorer(f"?run={name}&tab=neighbors")
    page.wait_for_selector("#neighbors thead th:nth-child(2)")
    assert page.locator("#error").is_hidden() and page.locator("#notice").is_hidden()
    probes = read_json(run, "explorer/probes.json")

    # the words it opens with: from this vocabulary, none of them a stopword
    shown = [label[h] for h in page.eval_on_selector_all("#neighbors thead th", "ths => ths.slice(1).map((t) => t.textContent)")]
    assert shown == probes["queries"] and len(shown) == 4
    boxes = [page.input_value(f"#{f}") for f in ("a", "b", "c", "s1", "s2")]
    assert all(boxes[3:]) and (all(boxes[:3]) or not probes["first_analogy"])   # no analogy of content words: none
    opening = shown + [label[box] for box in boxes if box]
    assert set(opening) <= vocab
    assert not {plain(w, tokenized).lower() for w in opening} & STOPWORDS
    assert all(is_content(plain(w, tokenized)) for w in opening)
    # every probe's words are in the vocabulary
    assert probes["analogies"] and probes["similarity"]
    assert {w for p in probes["analogies"] for w in (p["a"], p["b"], p["c"], p["expected"])} <= vocab
    assert {w for p in probes["similarity"] for w in (p["a"], p["b"])} <= vocab
    if tokenized:   # a token run's probes are tokens that spell whole words
        whole = set(plain_words(Vocab(words, [1] * len(words)), bpe_tokens=True).values())
        assert {p["a"] for p in probes["similarity"]} <= whole

    # the scores on the corpus panel are a count over model.safetensors
    hit10, accuracy = count_scores(words, W, [(p["a"], p["b"]) for p in probes["similarity"]],
                                   [(p["a"], p["b"], p["c"], p["expected"]) for p in probes["analogies"]])
    page.click("#tab-corpus")
    shown = dict(page.eval_on_selector_all("#probe-scores > span", "spans => spans.map((s) => "
                                           "[s.firstChild.textContent.trim(), s.querySelector('b').textContent])"))
    for key, value, total in (("similarity hit@10", hit10, len(probes["similarity"])),
                              ("analogy accuracy", accuracy, len(probes["analogies"]))):
        number, right = re.fullmatch(r"([\d.]+) \((\d+) of (\d+)\)", shown[key]).group(1, 2)
        assert float(number) == pytest.approx(value, abs=5e-4 + 1e-9) and int(right) == round(value * total)   # 3 decimals
    assert probes["scores"]["similarity_hit10"] == pytest.approx(hit10) and probes["scores"]["analogy_accuracy"] == pytest.approx(accuracy)
    # a corpus run's steps are shown formatted
    assert f"steps {read_json(run, 'run.json')['sizes']['steps']:,}" in page.text_content("#corpus-stats")
    page.click("#tab-map")
    page.wait_for_selector("#map[data-labels]", state="attached")
    if name == "mix":
        screenshot(page, "explorer-mix")


def test_the_dimension_sweep_is_one_curve_of_the_runs_scores(explorer, books):
    runs, _, _ = books
    page = explorer("?run=teaching-d8&tab=corpus")
    page.wait_for_function("document.querySelectorAll('#sweep circle.point').length === 6")
    assert json.loads(page.get_attribute("#sweep-box", "data-runs")) == [f"teaching-d{d}" for d in SWEEP_DIMS]
    drawn = page.eval_on_selector_all("#sweep circle.point", "dots => dots.map((d) => [d.dataset.series, +d.dataset.x, +d.dataset.y])")
    for d in SWEEP_DIMS:
        run = runs / f"teaching-d{d}"
        probes = orjson.loads((run / "explorer" / "probes.json").read_bytes())
        W, words = weights_and_words(run)
        hit10, accuracy = count_scores(words, W, [(p["a"], p["b"]) for p in probes["similarity"]],
                                       [(p["a"], p["b"], p["c"], p["expected"]) for p in probes["analogies"]])
        assert ["similarity_hit10", d, pytest.approx(hit10)] in drawn
        assert ["analogy_accuracy", d, pytest.approx(accuracy)] in drawn
    assert len({read_json(runs / f"teaching-d{d}", "explorer/probes.json")["probe_set"] for d in SWEEP_DIMS}) == 1


def test_the_mix_fits_a_phone_and_a_projector(explorer):
    page = explorer("?run=mix")
    page.wait_for_selector("#map[data-labels]", state="attached")
    page.click("header.top button.present")
    page.wait_for_function("document.documentElement.classList.contains('presentation')")
    screenshot(page, "explorer-mix-presentation")
    page.click("header.top button.present")
    page.set_viewport_size({"width": 390, "height": 844})
    for section in ("map", "analogies", "similarity", "training", "corpus"):
        page.click(f"#tab-{section}")
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0, section
