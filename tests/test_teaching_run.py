"""The recorded run, checked on the files as written: the identities the page teaches, the schedule,
determinism, resume, and atomic writes."""

import dataclasses
import gzip
import math

import numpy as np
import orjson
import pytest
from safetensors.numpy import load_file

from backend.cli import main
from trainer.checkpoint import config_of
from trainer.errors import RunFormatError
from trainer.rounding import round_significant
from trainer.run_format import PARTIAL_PREFIX, read_all_records, read_manifest
from trainer.run_store import RunWriter
from trainer.step_chunks import decode_columns
from trainer.teaching_run import LOSS_DIGITS, ensure_default_runs, prepare, train_run
from trainer.train import initial_weights


def read(run_dir, relpath):
    data = (run_dir / relpath).read_bytes()
    return orjson.loads(gzip.decompress(data) if relpath.endswith(".gz") else data)


def all_records(run_dir):
    return read_all_records(run_dir, read_manifest(run_dir))


def files_of(run_dir):
    return {p.relative_to(run_dir).as_posix(): p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()}


def test_gradient_equals_repulsive_minus_attractive_at_every_recorded_step(small_run):
    records = all_records(small_run)
    assert len(records) > 50
    for r in records:
        grad = np.asarray(r["grad_v_c"])
        forces = np.asarray(r["push"]) - np.asarray(r["pull"])
        assert np.max(np.abs(grad - forces)) <= 1e-6, r["step"]


def test_recorded_numbers_are_consistent_with_each_other(small_run):
    vocab = read(small_run, "vocab.json")["words"]
    for r in all_records(small_run)[:60]:
        W, W_prime = np.asarray(r["W"]), np.asarray(r["W_prime"])
        probs = np.asarray(r["probabilities"])
        assert W.shape == (len(vocab), 8) and W_prime.shape == (8, len(vocab))
        assert abs(probs.sum() - 1) < 1e-3
        assert vocab[r["center_id"]] == r["center_word"] and vocab[r["context_id"]] == r["context_word"]
        assert np.allclose(r["hidden"], W[r["center_id"]], atol=1e-4)
        assert np.allclose(r["pull"], W_prime[:, r["context_id"]], atol=1e-4)
        assert math.isclose(r["loss"], -math.log(r["context_prob"]), rel_tol=1e-5)
        # rank is taken on exact probabilities; 4-digit rounding can only turn neighbors into ties
        above, tied = np.sum(probs > probs[r["context_id"]]), np.sum(probs == probs[r["context_id"]])
        assert above + 1 <= r["context_rank"] <= above + tied
        assert np.allclose(r["logits"], np.asarray(r["hidden"]) @ W_prime, atol=2e-3)


def test_first_loss_is_about_ln_v(small_run):
    V = len(read(small_run, "vocab.json")["words"])
    first = all_records(small_run)[0]
    assert first["step"] == 1
    assert abs(first["loss"] - math.log(V)) < 0.1 * math.log(V)
    assert read(small_run, "loss_curve.json")["loss"][0] == orjson.loads(orjson.dumps(round_significant(first["loss"], LOSS_DIGITS), option=orjson.OPT_SERIALIZE_NUMPY))


def corpus_loss(W, W_prime, pairs):
    """Mean softmax loss over every pair of the corpus (not only the few a short run has seen)."""
    logits = W[pairs[:, 0]] @ W_prime
    top = logits.max(axis=1, keepdims=True)
    log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(log_z - logits[np.arange(len(pairs)), pairs[:, 1]]))


def test_loss_falls_over_training(small_run, small_config):
    losses = read(small_run, "loss_curve.json")["loss"]
    assert np.mean(losses[-100:]) < np.mean(losses[:100])
    pairs = prepare(small_config).pairs
    start = initial_weights(len(read(small_run, "vocab.json")["words"]), small_config.dim, small_config.seed)
    final = load_file(str(small_run / "model.safetensors"))
    assert corpus_loss(final["W"], final["W_prime"], pairs) < corpus_loss(start["W"], start["W_prime"], pairs) - 0.2


def test_recording_schedule_dense_then_interval_then_last(small_run, small_config):
    steps = read(small_run, "step_index.json")["steps"]
    expected = list(range(1, 51)) + [s for s in range(51, 401) if s % 7 == 0] + [400]
    assert steps == expected == small_config.recorded_steps()
    assert [r["step"] for r in all_records(small_run)] == steps
    assert len(read(small_run, "loss_curve.json")["loss"]) == 400


def test_manifest_lists_every_file_and_validates(small_run):
    manifest = read_manifest(small_run)
    on_disk = {p.relative_to(small_run).as_posix() for p in small_run.rglob("*") if p.is_file()} - {"run.json"}
    assert set(manifest["files"]) == on_disk
    assert manifest["sizes"]["recorded_steps"] == len(read(small_run, "step_index.json")["steps"])
    assert len(manifest["chunks"]["steps"]) == len(manifest["chunks"]["timeline"]) > 1


def test_timeline_is_projected_on_final_axes(small_run):
    index, manifest = read(small_run, "step_index.json"), read_manifest(small_run)
    V = len(read(small_run, "vocab.json")["words"])
    last = decode_columns(read(small_run, manifest["chunks"]["timeline"][-1]))
    assert last["step"][-1] == index["steps"][-1]
    assert last["final"].shape[1] == last["global"].shape[1] == 2 * V
    pca = manifest["pca"]
    assert 0 < sum(pca["final"]["explained_variance_ratio"]) <= 1
    # the stored axes reproduce the stored positions: components · (W[w] − mean)
    record = all_records(small_run)[-1]
    components, mean = np.asarray(pca["final"]["components"]), np.asarray(pca["final"]["mean"])
    projected = (np.asarray(record["W"]) - mean) @ components.T
    assert np.allclose(projected.reshape(-1), last["final"][-1], atol=2e-3)


def test_derived_views_cover_the_vocabulary(small_run):
    vocab = read(small_run, "vocab.json")["words"]
    similarity = read(small_run, "similarity.json")
    matrix = np.asarray(similarity["matrix"])
    assert matrix.shape == (len(vocab), len(vocab)) and np.allclose(np.diag(matrix), 1, atol=1e-3)
    assert set(read(small_run, "convergence.json")["words"]) == set(vocab)
    neighbors = read(small_run, "neighbors.json")
    assert all(len(neighbors["neighbors"][w]) == len(neighbors["steps"]) for w in neighbors["words"])
    assert all(a["expected_rank"] >= 1 for a in read(small_run, "analogies.json")["analogies"])
    sentences = read(small_run, "sentences.json")["sentences"]
    for r in all_records(small_run)[:40]:
        sentence = sentences[str(r["sentence_id"])]
        assert sentence["words"][r["center_position"]] == r["center_word"]
        assert sentence["words"][r["context_position"]] == r["context_word"]
        assert sentence["dropped"][r["center_position"]] is None


def test_same_seed_gives_byte_identical_runs(tmp_path, monkeypatch, small_config):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = dataclasses.replace(small_config, steps=150)
    first = train_run(config, "a", tmp_path, progress=False, log=lambda _: None).run_dir
    second = train_run(config, "a", tmp_path / "again", progress=False, log=lambda _: None).run_dir
    assert files_of(first) == files_of(second)
    other_seed = train_run(dataclasses.replace(config, seed=7), "a", tmp_path / "seed7", progress=False,
                           log=lambda _: None).run_dir
    assert files_of(other_seed)["model.safetensors"] != files_of(first)["model.safetensors"]


def test_resume_equals_training_straight_through(tmp_path, small_config):
    straight = train_run(small_config, "straight", tmp_path, progress=False, log=lambda _: None).run_dir
    first = train_run(dataclasses.replace(small_config, steps=230), "resumed", tmp_path, progress=False,
                      log=lambda _: None).run_dir
    resumed = train_run(small_config, "resumed", tmp_path, resume_from=first, progress=False,
                        log=lambda _: None).run_dir
    a, b = load_file(str(straight / "model.safetensors")), load_file(str(resumed / "model.safetensors"))
    assert all(np.array_equal(a[k], b[k]) for k in ("W", "W_prime"))
    assert read(straight, "loss_curve.json") == read(resumed, "loss_curve.json")
    later_straight = [r for r in all_records(straight) if r["step"] > 230]
    later_resumed = [r for r in all_records(resumed) if r["step"] > 230]
    assert later_straight == later_resumed and len(later_straight) > 10
    assert read(resumed, "trainer_state.json")["step"] == 400


def test_resume_refuses_to_go_backwards(small_run, small_config, tmp_path):
    with pytest.raises(RunFormatError, match="already has 400 steps"):
        train_run(dataclasses.replace(small_config, steps=100), "x", tmp_path, resume_from=small_run,
                  progress=False, log=lambda _: None)


def test_interrupted_write_leaves_no_run_and_keeps_the_old_one(tmp_path, monkeypatch, small_config):
    config = dataclasses.replace(small_config, steps=120)
    original = train_run(config, "kept", tmp_path, progress=False, log=lambda _: None).run_dir
    before = files_of(original)
    calls = {"n": 0}
    real_json_gz = RunWriter.json_gz

    def crash_midway(self, relpath, obj):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("simulated Ctrl-C while writing")
        real_json_gz(self, relpath, obj)

    monkeypatch.setattr(RunWriter, "json_gz", crash_midway)
    for name in ("kept", "fresh"):
        calls["n"] = 0
        with pytest.raises(KeyboardInterrupt):
            train_run(config, name, tmp_path, progress=False, log=lambda _: None)
    assert files_of(original) == before
    assert not (tmp_path / "fresh").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]


def test_cli_trains_a_run_and_reports_bad_input_without_traceback(tmp_path, capsys):
    assert main(["train", "--steps", "60", "--dense-steps", "10", "--quiet", "--out", str(tmp_path),
                 "--name", "cli", "--tokenizers", str(tmp_path / "tokenizers")]) == 0
    assert (tmp_path / "tokenizers" / "default.json").exists()
    assert read_manifest(tmp_path / "cli")["config"]["steps"] == 60
    assert "wrote" in capsys.readouterr().out

    stopwords_only = tmp_path / "stop.txt"
    stopwords_only.write_text("the and of\nit is the\n" * 5, encoding="utf-8")
    cases = [(["--corpus", str(tmp_path / "missing.txt")], "not found"),
             (["--corpus", str(stopwords_only)], "no words left"),
             (["--name", "../escape"], "invalid run name"),
             (["--steps", "0"], "steps must be an integer from 1")]
    for flags, message in cases:
        assert main(["train", "--quiet", "--out", str(tmp_path), "--tokenizers", str(tmp_path / "tokenizers"),
                     *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli", "stop.txt", "tokenizers"]


def test_config_round_trips_through_the_manifest_which_holds_chunk_size_once(small_run, small_config):
    manifest = read_manifest(small_run)
    assert config_of(manifest) == small_config
    assert "chunk_size" not in manifest["config"] and "chunk_size" not in read(small_run, "step_index.json")


def test_a_write_killed_with_sigkill_leaves_nothing_served_and_is_cleaned_up_later(tmp_path, small_config):
    """A real `wordlab train` process is killed mid-write; the next write removes what it left."""
    import os
    import signal
    import subprocess
    import sys

    script = ("import signal, sys; from trainer.run_store import RunWriter; from backend.cli import main\n"
              "real = RunWriter.json_gz\n"
              "def slow(self, relpath, obj):\n"   # writes one file, then waits to be killed
              "    real(self, relpath, obj); print('WRITING', flush=True); signal.pause()\n"
              "RunWriter.json_gz = slow\n"
              "sys.exit(main(sys.argv[1:]))\n")
    process = subprocess.Popen([sys.executable, "-c", script, "train", "--steps", "60", "--quiet", "--out", str(tmp_path),
                                "--name", "victim", "--tokenizers", str(tmp_path / "tok")],
                               stdout=subprocess.PIPE, text=True)
    lines = []
    while "WRITING\n" not in lines and len(lines) < 5:      # the corpus line, then the first chunk written
        lines.append(process.stdout.readline())
    assert lines[-1] == "WRITING\n", lines
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]
    assert len(leftovers) == 1 and not (tmp_path / "victim").exists()
    train_run(dataclasses.replace(small_config, steps=60), "next", tmp_path, progress=False, log=lambda _: None)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]


def test_default_runs_are_trained_only_when_absent_or_broken(tmp_path, monkeypatch, small_run):
    import shutil

    calls = []

    def fake_train_run(config, name, out_dir):
        calls.append((config.method, name))
        shutil.rmtree(out_dir / name, ignore_errors=True)  # the real writer replaces it atomically
        shutil.copytree(small_run, out_dir / name)

        class Summary:
            run_dir = out_dir / name
        return Summary()

    monkeypatch.setattr("trainer.teaching_run.train_run", fake_train_run)
    runs = tmp_path / "runs"
    ensure_default_runs(runs, log=lambda _: None)          # no directory at all: both
    assert calls == [("softmax", "default"), ("sgns", "default-sgns")]
    ensure_default_runs(runs, log=lambda _: None)          # both valid: nothing to do
    assert len(calls) == 2
    (runs / "default-sgns" / "run.json").write_text("{", encoding="utf-8")
    ensure_default_runs(runs, log=lambda _: None)          # one broken: only that one again
    assert calls[2:] == [("sgns", "default-sgns")]


def test_closed_form_softmax_gradients_equal_torch_autograd():
    import torch

    from tests.autograd_losses import leaf, softmax_loss
    from trainer.train import softmax_step

    weights = initial_weights(30, 8, seed=3)
    step = softmax_step(weights["W"], weights["W_prime"].T, center=4, context=17)
    W, W_prime = leaf(weights["W"]), leaf(weights["W_prime"])
    loss = softmax_loss(W, W_prime, 4, 17)
    loss.backward()
    assert math.isclose(step.loss, loss.item(), rel_tol=1e-6)
    assert np.allclose(step.grad_v_c, W.grad[4].numpy(), atol=1e-6)
    assert np.allclose(step.grad_u_pos, W_prime.grad[:, 17].numpy(), atol=1e-6)
    assert torch.count_nonzero(W.grad.abs().sum(dim=1)) == 1   # only v_c has a gradient in W


def test_sgns_identity_holds_in_the_files_at_every_recorded_step(small_sgns_run, small_config):
    records = all_records(small_sgns_run)
    assert len(records) == len(small_config.recorded_steps())
    for r in records:
        push, pull, grad = (np.asarray(r[k]) for k in ("push", "pull", "grad_v_c"))
        assert np.max(np.abs(grad - (push - pull))) <= 1e-6, r["step"]
        u_pos, u_neg, v_c = np.asarray(r["u_pos"]), np.asarray(r["u_neg"]), np.asarray(r["hidden"])
        sigmas = np.asarray(r["sigmas_neg"])
        assert len(r["negative_ids"]) == len(r["negative_words"]) == small_config.negative == len(sigmas)
        assert np.allclose(pull, (1 - r["sigma_pos"]) * u_pos, atol=1e-5)
        assert np.allclose(push, sigmas @ u_neg, atol=1e-5)
        assert math.isclose(r["sigma_pos"], 1 / (1 + math.exp(-r["score_pos"])), rel_tol=1e-5)
        assert np.allclose(r["scores_neg"], u_neg @ v_c, atol=1e-5)
        assert math.isclose(r["loss"], r["loss_pos"] + sum(r["loss_neg"]), rel_tol=1e-5)
        assert np.allclose(r["update_v_c"], -r["lr"] * grad, atol=1e-7)
        assert r["context_id"] not in r["negative_ids"]


def test_one_step_record_for_both_kinds_and_one_name_for_what_softmax_shares(small_run, small_sgns_run,
                                                                              small_corpus_run):
    """A teaching run's SGNS step and a corpus run's recorded step are written by one function: the same
    fields (a teaching record adds the sentence and the weights, a corpus record its epoch); a softmax record
    names what it shares with them alike."""
    sentence = {"sentence_id", "center_position", "context_position", "window_positions", "W", "W_prime"}
    teaching, corpus = all_records(small_sgns_run)[0], all_records(small_corpus_run)[0]
    assert set(teaching) - sentence == set(corpus) - {"epoch"}
    assert {"pull", "push", "grad_u_pos", "u_pos", "update_v_c", "negative_ids", "lr"} <= set(corpus)
    softmax = all_records(small_run)[0]
    assert {"lr", "pull", "push", "grad_v_c", "grad_u_pos", "hidden", "loss"} <= set(softmax)
    assert not {"attractive_force", "repulsive_force", "grad_u_o"} & set(softmax)
    assert np.allclose(np.asarray(softmax["grad_v_c"]), np.asarray(softmax["push"]) - np.asarray(softmax["pull"]),
                       atol=1e-6)


def test_sgns_gradients_in_the_files_equal_torch_autograd(small_sgns_run):
    from tests.autograd_losses import leaf, sgns_loss

    for r in all_records(small_sgns_run)[:40]:
        v_c, u_pos, u_neg = leaf(r["hidden"]), leaf(r["u_pos"]), leaf(r["u_neg"])
        loss = sgns_loss(v_c, u_pos, u_neg)
        loss.backward()
        assert math.isclose(r["loss"], loss.item(), rel_tol=1e-5)
        assert np.allclose(r["grad_v_c"], v_c.grad.numpy(), atol=1e-5)
        assert np.allclose(r["grad_u_pos"], u_pos.grad.numpy(), atol=1e-5)
        assert np.allclose(r["grad_u_neg"], u_neg.grad.numpy(), atol=1e-5)


def test_sgns_run_sees_the_same_pairs_in_the_same_order_as_the_softmax_run(small_run, small_sgns_run):
    keys = ("step", "center_id", "context_id", "sentence_id", "center_position", "context_position",
            "window_positions")
    softmax = [tuple(str(r[k]) for k in keys) for r in all_records(small_run)]
    sgns = [tuple(str(r[k]) for k in keys) for r in all_records(small_sgns_run)]
    assert softmax == sgns
    config = read_manifest(small_sgns_run)["config"]
    assert config["method"] == "sgns" and read_manifest(small_run)["config"]["method"] == "softmax"


def test_sgns_update_is_sparse_v_c_and_k_plus_1_output_columns(small_sgns_run):
    records = all_records(small_sgns_run)
    for before, after in zip(records[:40], records[1:41], strict=True):    # dense steps: consecutive
        assert after["step"] == before["step"] + 1
        changed_rows = np.flatnonzero(np.any(np.asarray(after["W"]) != np.asarray(before["W"]), axis=1))
        changed_cols = np.flatnonzero(np.any(np.asarray(after["W_prime"]) != np.asarray(before["W_prime"]), axis=0))
        assert set(changed_rows) <= {before["center_id"]}
        assert set(changed_cols) <= {before["context_id"], *before["negative_ids"]}
        assert np.allclose(np.asarray(after["W"])[before["center_id"]],
                           np.asarray(before["hidden"]) + np.asarray(before["update_v_c"]), atol=1e-4)


def test_sgns_negatives_follow_unigram_to_the_three_quarters(small_sgns_run):
    counts = np.asarray(read(small_sgns_run, "vocab.json")["counts"], dtype=float)
    drawn = np.bincount([n for r in all_records(small_sgns_run) for n in r["negative_ids"]], minlength=len(counts))
    expected = counts ** 0.75 / (counts ** 0.75).sum()
    top = np.argsort(-expected)[:5]
    assert np.all(np.abs(drawn[top] / drawn.sum() - expected[top]) < 0.35 * expected[top] + 0.005)


def test_sgns_resume_equals_training_straight_through(tmp_path, small_sgns_run, small_config):
    config = dataclasses.replace(small_config, method="sgns")
    first = train_run(dataclasses.replace(config, steps=230), "resumed", tmp_path, progress=False,
                      log=lambda _: None).run_dir
    resumed = train_run(config, "resumed", tmp_path, resume_from=first, progress=False, log=lambda _: None).run_dir
    a, b = load_file(str(small_sgns_run / "model.safetensors")), load_file(str(resumed / "model.safetensors"))
    assert all(np.array_equal(a[k], b[k]) for k in ("W", "W_prime"))


def test_numpy_pca_equals_sklearns_including_the_sign_of_each_axis():
    from sklearn.decomposition import PCA

    from trainer.projection import project

    rng = np.random.default_rng(5)
    history = rng.normal(size=(6, 40, 8)) * np.linspace(2, 0.5, 8)
    ours = project(history, history[-1])
    theirs = PCA(n_components=2, svd_solver="full").fit(history[-1])
    assert np.allclose(ours.components, theirs.components_, atol=1e-9)
    assert np.allclose(ours.explained_variance_ratio, theirs.explained_variance_ratio_, atol=1e-9)
    assert np.allclose(ours.positions.reshape(-1, 2), theirs.transform(history.reshape(-1, 8)), atol=1e-9)
