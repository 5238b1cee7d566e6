"""Corpus (SGNS) runs end to end on small corpora the tests write: run files, identity, exports, CLI, errors."""

import random

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from gensim.models import KeyedVectors
from safetensors.numpy import load_file

from backend.app import create_app
from backend.cli import main
from tests.conftest import write_text
from trainer.config import CorpusConfig
from trainer.errors import Diverged, WordlabError
from trainer.run_format import read_all_records, read_manifest
from trainer.run_format import read_json as read
from trainer.sgns.export import export_run, load_vectors
from trainer.sgns.run import train_corpus_run
from trainer.similarity import unit_rows

TOPICS = {
    "sea": "ship sail wave harbour captain anchor tide deck mast sailor".split(),
    "farm": "cow barn hay plough field farmer wheat sheep orchard tractor".split(),
}


def write_topics(path, lines=3000, seed=0):
    """Two disjoint topics: every line uses the words of one topic only."""
    rng = random.Random(seed)
    text = [" ".join(rng.choices(TOPICS[rng.choice(list(TOPICS))], k=rng.randint(5, 12))) for _ in range(lines)]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def topics_file(tmp_path_factory):
    return write_topics(tmp_path_factory.mktemp("corpus") / "topics.txt")


def config(corpus, **overrides):
    settings = {"dim": 16, "epochs": 3, "min_count": 2, "workers": 1, "checkpoints": 8, "recorded_steps": 40,
                "sample": 0.0, **overrides}
    return CorpusConfig(corpus=str(corpus), **settings)


@pytest.fixture(scope="module")
def run_dir(topics_file, tmp_path_factory):
    return train_corpus_run(config(topics_file), "topics", tmp_path_factory.mktemp("runs"), progress=False,
                            log=lambda _: None).run_dir


def records(run_dir):
    return read_all_records(run_dir, read_manifest(run_dir))


def test_run_directory_is_a_complete_corpus_run(run_dir):
    manifest = read_manifest(run_dir)
    assert manifest["kind"] == "corpus" and manifest["config"]["method"] == "sgns"
    vocab = read(run_dir, "vocab.json")
    assert sorted(vocab["words"]) == sorted(TOPICS["sea"] + TOPICS["farm"])
    weights = load_file(str(run_dir / "model.safetensors"))
    W, W_prime = weights["W"], weights["W_prime"]
    assert W.shape == (20, 16) and W_prime.shape == (16, 20)
    curve = read(run_dir, "loss_curve.json")
    assert len(curve["loss"]) >= 10 and curve["loss"][-1] < curve["loss"][0] and curve["words_per_second"] > 0
    snapshots = read(run_dir, "snapshots.json.gz")
    assert len(snapshots["steps"]) == manifest["sizes"]["checkpoints"] and len(snapshots["positions"][0]) == 20
    evolution = read(run_dir, "neighbors.json")
    assert set(evolution["words"]) <= set(vocab["words"])
    histogram = read(run_dir, "explorer/histogram.json")
    assert sum(histogram["initial"]) == sum(histogram["final"]) == 20 * 19 // 2
    assert read(run_dir, "explorer/map.json.gz")["words"] == vocab["words"]


def test_recorded_steps_hold_the_gradient_identity_and_match_autograd(run_dir):
    steps = records(run_dir)
    assert len(steps) >= 30
    for r in steps:
        push, pull, grad = (np.asarray(r[k], np.float64) for k in ("push", "pull", "grad_v_c"))
        assert np.max(np.abs(grad - (push - pull))) <= 1e-6
        v = torch.tensor(r["hidden"], dtype=torch.float64, requires_grad=True)
        u, neg = torch.tensor(r["u_pos"], dtype=torch.float64), torch.tensor(r["u_neg"], dtype=torch.float64)
        loss = -torch.nn.functional.logsigmoid(u @ v) - torch.nn.functional.logsigmoid(-(neg @ v)).sum()
        loss.backward()
        assert np.max(np.abs(grad - v.grad.numpy())) <= 1e-6
        assert abs(r["loss"] - (r["loss_pos"] + sum(r["loss_neg"]))) <= 1e-5
        assert len(r["negative_ids"]) == len(r["negative_words"]) == len(r["u_neg"]) == 5
        np.testing.assert_allclose(r["update_v_c"], -np.float32(r["lr"]) * np.float32(grad), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("engine", ["numba", "torch"])
def test_two_disjoint_topics_become_two_clusters(topics_file, tmp_path, engine):
    run = train_corpus_run(config(topics_file, engine=engine, epochs=5), engine, tmp_path, progress=False,
                           log=lambda _: None).run_dir
    words, W = load_vectors(run)
    unit = unit_rows(W)
    topic = np.array([w in TOPICS["sea"] for w in words])
    cos = unit @ unit.T
    np.fill_diagonal(cos, np.nan)
    same = np.nanmean(np.where(topic[:, None] == topic[None, :], cos, np.nan), axis=1)
    other = np.nanmean(np.where(topic[:, None] != topic[None, :], cos, np.nan), axis=1)
    assert np.all(same > other + 0.3), (same, other)


def test_one_thread_is_deterministic(topics_file, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    runs = [train_corpus_run(config(topics_file), f"r{i}", tmp_path, progress=False, log=lambda _: None).run_dir
            for i in range(2)]
    first, second = ((r / "model.safetensors").read_bytes() for r in runs)
    assert first == second
    assert records(runs[0]) == records(runs[1])


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary"])
def test_exports_round_trip_through_gensim(run_dir, tmp_path, fmt):
    [path] = export_run(run_dir, fmt, tmp_path / "vectors")
    loaded = KeyedVectors.load_word2vec_format(str(path), binary=fmt == "word2vec-binary")
    words, W = load_vectors(run_dir)
    assert loaded.index_to_key == words
    np.testing.assert_array_equal(loaded.vectors, W)
    ours = unit_rows(W) @ unit_rows(W)[words.index("ship")]
    expected = [words[i] for i in np.argsort(-ours)[1:6]]
    assert [w for w, _ in loaded.most_similar("ship", topn=5)] == expected


def test_projector_export_has_vectors_and_metadata(run_dir, tmp_path):
    vectors, metadata = export_run(run_dir, "projector", tmp_path / "projector")
    words, W = load_vectors(run_dir)
    assert metadata.read_text().split("\n")[:-1] == words
    np.testing.assert_allclose(np.loadtxt(vectors, delimiter="\t"), W, atol=1e-5)


def test_backend_lists_and_answers_on_a_corpus_run(run_dir, tmp_path):
    import shutil

    runs = tmp_path / "runs"
    shutil.copytree(run_dir, runs / "topics")
    client = TestClient(create_app(runs, tmp_path / "tokenizers"))
    listed = {r["name"]: r for r in client.get("/api/runs").json()["runs"]}
    assert listed["topics"]["kind"] == "corpus" and listed["topics"]["status"] == "ok"
    answer = client.get("/api/runs/topics/neighbors", params={"word": "ship", "k": 3})
    assert answer.status_code == 200
    assert all(n["word"] in TOPICS["sea"] for n in answer.json()["neighbors"])


def test_cli_trains_and_exports(topics_file, tmp_path, capsys):
    assert main(["train", "--kind", "corpus", "--corpus", str(topics_file), "--name", "cli", "--out", str(tmp_path),
                 "--dim", "8", "--epochs", "1", "--min-count", "2", "--workers", "1", "--quiet"]) == 0
    assert read_manifest(tmp_path / "cli")["config"]["dim"] == 8
    assert main(["export", str(tmp_path / "cli"), "--format", "word2vec", "--output", str(tmp_path / "v.txt")]) == 0
    assert (tmp_path / "v.txt").read_text().startswith("20 8\n")


@pytest.mark.parametrize("flags, message", [
    (["--negative", "0"], "negative must be an integer from 1 to 50"),
    (["--window", "100"], "window must be an integer from 1 to 50"),
    (["--dim", "1"], "dim must be an integer from 2 to 1000"),
    (["--lr", "-1"], "lr must be in (0, 1]"),
    (["--epochs", "0"], "epochs must be an integer from 1 to 1000"),
    (["--min-count", "100000"], "min_count=100000"),
])
def test_bad_flags_get_a_message_not_a_traceback(topics_file, tmp_path, capsys, flags, message):
    code = main(["train", "--kind", "corpus", "--corpus", str(topics_file), "--out", str(tmp_path), "--quiet", *flags])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_empty_and_missing_corpora_get_a_message(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("  ...  \n\n", encoding="utf-8")
    assert main(["train", "--kind", "corpus", "--corpus", str(empty), "--out", str(tmp_path / "runs")]) == 2
    assert "has no words" in capsys.readouterr().err
    assert main(["train", "--kind", "corpus", "--corpus", str(tmp_path / "nope.txt")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["train", "--kind", "corpus", "--out", str(tmp_path)]) == 2
    assert "a corpus run needs --corpus FILE" in capsys.readouterr().err


def test_a_diverging_loss_stops_with_the_learning_rate_and_writes_nothing(topics_file, tmp_path, monkeypatch):
    """The kernel really trains; from the 4th chunk on its loss reads NaN, as a diverged run's would."""
    import trainer.sgns.numba_engine as engine

    real, calls = engine.train_chunk, []

    def diverging(*args):
        real(*args)
        calls.append(1)
        if len(calls) > 4:
            args[-1][2] = float("nan")  # stats: [words, pairs, loss]

    monkeypatch.setattr(engine, "train_chunk", diverging)
    expected = r"training diverged \(a loss of nan\) at learning rate 0\.0\d+ \(--lr 0\.05\)"
    with pytest.raises(Diverged, match=expected):
        train_corpus_run(config(topics_file, lr=0.05), "diverged", tmp_path, progress=False, log=lambda _: None)
    assert list(tmp_path.iterdir()) == []


def test_gutenberg_licence_is_stripped_and_cp1252_falls_back(tmp_path):
    from trainer.sgns.corpus_ids import read_corpus_ids

    text = ("The Project Gutenberg eBook of X\r\nlicence words here\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n"
            + "caf\xe9 book text\r\n" * 5 + "*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\nlicence again\r\n")
    path = tmp_path / "book.txt"
    path.write_bytes(text.encode("cp1252"))
    with read_corpus_ids(path, 1) as corpus:
        assert sorted(corpus.vocab.words) == ["book", "café", "text"]
        assert corpus.raw_words == 15 and corpus.sentences == 5 and corpus.summary.warning
        assert corpus.summary.encoding == "cp1252" and corpus.summary.dropped_lines == {"gutenberg": 5}


def test_config_refuses_numba_on_cuda():
    with pytest.raises(WordlabError, match="needs --engine torch"):
        CorpusConfig(corpus="x", device="cuda")


def streamed_sentences(corpus) -> list[list[str]]:
    """A corpus run's id stream back as the words of each sentence (every word kept: min_count 1)."""
    ids, vocab = np.asarray(corpus.ids), corpus.vocab.words
    ends = np.flatnonzero(ids == 0xFFFFFFFF)
    return [[vocab[i] for i in ids[a + 1:b]] for a, b in zip(np.r_[-1, ends[:-1]], ends, strict=True)]


def test_both_kinds_read_a_gutenberg_book_alike(tmp_path):
    """One reader: a corpus run streams exactly the sentences a teaching run holds, with the same report."""
    from tests.test_corpus import BOOK, MODERN, NINETIES, OLDER
    from trainer.corpus import read_corpus
    from trainer.sgns.corpus_ids import read_corpus_ids

    text = ("Chapter 1\n\n" + BOOK.format("otter") + MODERN.format("heron") + "CONTENTS\n\n Letter 1\n Chapter 1\n\n"
            + BOOK.format("badger") + OLDER.format("crane") + NINETIES.format("swan"))
    path = write_text(tmp_path / "books.txt", text)
    held = read_corpus(path)
    with read_corpus_ids(path, 1) as streamed:
        assert streamed_sentences(streamed) == held.sentences
        assert streamed.summary == held.summary
    assert {w for s in held.sentences for w in s} >= {"otter", "heron", "badger", "crane", "swan"}
    assert held.summary.dropped_lines["heading"] == 2 and held.summary.dropped_lines["contents"] == 2


def test_the_pages_open_a_corpus_run(run_dir, browser, tokenizers_dir_for_pages):
    """The explorer and the walkthrough show a corpus run without a console error."""
    import os
    import subprocess
    import sys

    from tests.conftest import free_port, wait_until_serving

    port = free_port()
    env = {**os.environ, "WORDLAB_RUNS_DIR": str(run_dir.parent), "WORDLAB_TOKENIZERS_DIR": str(tokenizers_dir_for_pages)}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "backend.app:app_from_env", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, server)
        page = browser.new_page(bypass_csp=True)  # string predicates need eval; see conftest.page
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/explorer.html?run=topics")
        page.wait_for_function("document.querySelectorAll('#frequent tr').length > 0")
        assert errors == [] and page.locator("#error").is_hidden()
        page.goto(f"{base}/walkthrough.html?run=topics")      # its recorded steps (tests/test_walkthrough_lesson.py)
        page.wait_for_function("document.querySelector('#content')?.dataset.renders > 0")
        assert page.locator("#error").is_hidden() and errors == []
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def tokenizers_dir_for_pages(tmp_path_factory):
    from trainer.bpe.build import build_tokenizer
    from trainer.config import DEFAULT_CORPUS, resolve_corpus

    out = tmp_path_factory.mktemp("tokenizers")
    build_tokenizer(resolve_corpus(DEFAULT_CORPUS), 500, "default", out, progress=False)
    return out


def test_corpus_stats_names_the_dropped_words_and_the_first_sentences(tmp_path):
    """The same corpus_stats view as a teaching run's, counted while streaming: checked against a Counter."""
    from collections import Counter

    lines = ["the cat sat", "the dog sat", "a rare word", "the cat ran", "an odd odd one"]
    corpus = tmp_path / "small.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = train_corpus_run(config(corpus, epochs=1, checkpoints=2, recorded_steps=2), "small", tmp_path / "runs",
                           progress=False, log=lambda _: None).run_dir
    stats = read(run, "corpus_stats.json")
    counts = Counter(w for line in lines for w in line.split())
    rare = sorted(((w, c) for w, c in counts.items() if c < 2), key=lambda wc: (-wc[1], wc[0]))
    assert stats["top_dropped"] == [[w, c, "rare"] for w, c in rare]
    assert stats["dropped_rare"] == sum(c for _, c in rare) and stats["dropped_stopwords"] == 0
    assert stats["sample_sentences"] == lines
    assert stats["words"] == sum(counts.values()) and stats["kept_words"] == stats["words"] - stats["dropped_rare"]


def resume(run, epochs, name, out, **changes):
    from trainer.sgns.run import resume_corpus_run

    return resume_corpus_run(run, epochs, name, out, changes=changes, progress=False, log=lambda _: None).run_dir


def weights(run):
    return load_file(str(run / "model.safetensors"))


def test_resume_with_one_thread_is_deterministic_and_continues_the_run(topics_file, tmp_path):
    first = train_corpus_run(config(topics_file, epochs=2), "first", tmp_path, progress=False,
                             log=lambda _: None).run_dir
    again = [resume(first, 4, f"resumed{i}", tmp_path) for i in range(2)]
    assert (again[0] / "model.safetensors").read_bytes() == (again[1] / "model.safetensors").read_bytes()
    assert records(again[0]) == records(again[1])
    assert not np.array_equal(weights(first)["W"], weights(again[0])["W"])
    state, before = read(again[0], "trainer_state.json"), read(first, "trainer_state.json")
    assert state["epochs_done"] == 4 and state["optimizer"]["schedule_epochs"] == 4
    assert state["rng"]["next_chunk"] == 2 * before["rng"]["next_chunk"]
    assert state["words_done"] == 2 * before["words_done"] == 4 * read_manifest(first)["sizes"]["words"]
    curve, earlier = read(again[0], "loss_curve.json"), read(first, "loss_curve.json")
    n = len(earlier["loss"])
    assert len(curve["loss"]) == 2 * n and curve["loss"][:n] == earlier["loss"]
    assert curve["words"][-1] == state["words_done"]
    # the resumed epochs follow the 4-epoch schedule: epoch 3 starts at lr − (lr − min_lr)·2/4
    cfg = config(topics_file)
    assert curve["lr"][n] == pytest.approx(cfg.lr - (cfg.lr - cfg.min_lr) / 2, rel=1e-6)
    steps = [r["step"] for r in records(again[0])]
    assert steps[:len(records(first))] == [r["step"] for r in records(first)] and steps == sorted(set(steps))
    assert read_manifest(again[0])["training"]["first_epoch"] == 3


def test_resume_at_a_constant_rate_equals_training_straight_through(topics_file, tmp_path):
    """With lr = min_lr the schedule does not depend on the planned length, and no recorded steps touch the
    weights: 2 epochs then 2 more must give exactly the weights of 4 straight (same random streams)."""
    flat_rate = {"lr": 0.01, "min_lr": 0.01, "recorded_steps": 0}
    straight = train_corpus_run(config(topics_file, epochs=4, **flat_rate), "straight", tmp_path, progress=False,
                                log=lambda _: None).run_dir
    half = train_corpus_run(config(topics_file, epochs=2, **flat_rate), "half", tmp_path, progress=False,
                            log=lambda _: None).run_dir
    resumed = resume(half, 4, "resumed", tmp_path)
    for name in ("W", "W_prime"):
        np.testing.assert_array_equal(weights(resumed)[name], weights(straight)[name])
    assert read(resumed, "loss_curve.json")["loss"] == read(straight, "loss_curve.json")["loss"]


def test_resume_through_the_cli(topics_file, tmp_path, capsys):
    run = train_corpus_run(config(topics_file, epochs=1), "cli", tmp_path, progress=False, log=lambda _: None).run_dir
    assert main(["train", "--resume", str(run), "--out", str(tmp_path), "--quiet"]) == 2
    assert "needs --epochs TOTAL" in capsys.readouterr().err
    assert main(["train", "--resume", str(run), "--epochs", "1", "--out", str(tmp_path), "--quiet"]) == 2
    assert "already has 1 epochs; pass --epochs greater than that" in capsys.readouterr().err
    assert main(["train", "--resume", str(run), "--epochs", "2", "--out", str(tmp_path), "--quiet"]) == 0
    assert read(tmp_path / "cli", "trainer_state.json")["epochs_done"] == 2  # the run itself, written again
    assert read_manifest(tmp_path / "cli")["sizes"]["epochs"] == 2


def test_a_resume_without_name_or_out_writes_the_resumed_run_beside_itself(topics_file, tmp_path):
    runs = tmp_path / "runs"
    run = train_corpus_run(config(topics_file, epochs=1), "mine", runs, progress=False, log=lambda _: None).run_dir
    train_corpus_run(config(topics_file, epochs=1), "default", runs, progress=False, log=lambda _: None)
    default_manifest = (runs / "default" / "run.json").read_bytes()
    assert main(["train", "--resume", str(run), "--epochs", "2", "--quiet"]) == 0
    assert read(runs / "mine", "trainer_state.json")["epochs_done"] == 2
    assert (runs / "default" / "run.json").read_bytes() == default_manifest


def rewrite(run, relpath, data: bytes):
    """Replaces a run file and makes run.json agree, as a careless edit by hand would."""
    import hashlib

    import orjson

    (run / relpath).write_bytes(data)
    manifest = orjson.loads((run / "run.json").read_bytes())
    manifest["files"][relpath] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (run / "run.json").write_bytes(orjson.dumps(manifest))


def test_a_changed_or_mismatched_state_is_refused_with_the_reason(tmp_path):
    import orjson

    from trainer.checkpoint import ResumeError

    corpus = write_topics(tmp_path / "book.txt", lines=400)
    run = train_corpus_run(config(corpus, epochs=1), "run", tmp_path, progress=False, log=lambda _: None).run_dir
    state_file = run / "trainer_state.json"
    good = state_file.read_bytes()
    state_file.write_bytes(good.replace(b'"epochs_done":1', b'"epochs_done":7'))  # same size, other bytes
    with pytest.raises(ResumeError, match="trainer_state.json was changed after the run was written"):
        resume(run, 2, "x", tmp_path)
    state = orjson.loads(good)
    for broken, reason in [({**state, "format": "other"}, "format 'other' version 1"),
                           ({k: v for k, v in state.items() if k != "rng"}, "'rng' is missing"),
                           ({**state, "rng": {**state["rng"], "step_sampler": {"bit_generator": "MT19937"}}},
                            "is not a valid corpus-run state"),
                           ({**state, "epochs_done": 3}, "says 3 epochs, run.json 1")]:
        rewrite(run, "trainer_state.json", orjson.dumps(broken))
        with pytest.raises(ResumeError, match=reason):
            resume(run, 2, "x", tmp_path)
    rewrite(run, "trainer_state.json", good)
    write_topics(corpus, lines=400, seed=1)  # the book changed since the run was trained
    with pytest.raises(ResumeError, match="no longer gives the token stream the run was trained on"):
        resume(run, 2, "x", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.txt", "run"]  # nothing else was written


@pytest.mark.parametrize("mode", ["prose", "lines", "auto"])
def test_streamed_sentences_are_the_teaching_runs_sentences(tmp_path, mode):
    """Corpus runs cut sentences as teaching runs do (wrapped prose joined, cut at . ! ?, never across a
    paragraph), while streaming the file."""
    from trainer.corpus import read_corpus
    from trainer.sgns.corpus_ids import read_corpus_ids

    rng = random.Random(3)
    words = "the ship sailed mr fowler said it was late and dark over the sea".split()
    paragraphs = []
    for _ in range(40):
        text = " ".join(rng.choice(words) + rng.choice(["", "", "", ".", "!", "?", ",", '."']) for _ in range(60))
        paragraphs.append("\n".join(text[i:i + 70] for i in range(0, len(text), 70)))
    book = "\n\n".join(paragraphs) + "\n   \n" + "last line without a stop\n"
    path = tmp_path / "wrapped.txt"
    path.write_text(book, encoding="utf-8")
    with read_corpus_ids(path, 1, sentences=mode) as corpus:
        streamed = streamed_sentences(corpus)
    assert streamed == read_corpus(path, sentences=mode).sentences
    assert len(streamed) > len(paragraphs) * (4 if mode != "lines" else 1)
