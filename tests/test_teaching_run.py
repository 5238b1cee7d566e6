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
from trainer.config import TrainConfig
from trainer.errors import RunFormatError
from trainer.run_format import PARTIAL_PREFIX, read_manifest
from trainer.run_store import RunWriter
from trainer.teaching_run import train_run


def read(run_dir, relpath):
    data = (run_dir / relpath).read_bytes()
    return orjson.loads(gzip.decompress(data) if relpath.endswith(".gz") else data)


def all_records(run_dir):
    return [r for chunk in read(run_dir, "step_index.json")["chunks"] for r in read(run_dir, chunk)["steps"]]


def files_of(run_dir):
    return {p.relative_to(run_dir).as_posix(): p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()}


def test_gradient_equals_repulsive_minus_attractive_at_every_recorded_step(small_run):
    records = all_records(small_run)
    assert len(records) > 50
    for r in records:
        grad = np.asarray(r["grad_v_c"])
        forces = np.asarray(r["repulsive_force"]) - np.asarray(r["attractive_force"])
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
        assert np.allclose(r["attractive_force"], W_prime[:, r["context_id"]], atol=1e-4)
        assert math.isclose(r["loss"], -math.log(r["context_prob"]), rel_tol=1e-5)
        # rank is taken on exact probabilities; 4-digit rounding can only turn neighbours into ties
        above, tied = np.sum(probs > probs[r["context_id"]]), np.sum(probs == probs[r["context_id"]])
        assert above + 1 <= r["context_rank"] <= above + tied
        assert np.allclose(r["logits"], np.asarray(r["hidden"]) @ W_prime, atol=2e-3)


def test_first_loss_is_about_ln_v(small_run):
    V = len(read(small_run, "vocab.json")["words"])
    first = all_records(small_run)[0]
    assert first["step"] == 1
    assert abs(first["loss"] - math.log(V)) < 0.1 * math.log(V)
    assert read(small_run, "loss_curve.json")["loss"][0] == first["loss"]


def test_loss_falls_over_training(small_run):
    losses = read(small_run, "loss_curve.json")["loss"]
    assert np.mean(losses[-100:]) < np.mean(losses[:100]) - 0.2


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
    index = read(small_run, "step_index.json")
    V = len(read(small_run, "vocab.json")["words"])
    last = read(small_run, index["timeline_chunks"][-1])
    assert last["steps"][-1] == index["steps"][-1]
    assert all(len(row) == 2 * V for row in last["final"] + last["global"])
    pca = read_manifest(small_run)["pca"]
    assert 0 < sum(pca["final"]["explained_variance_ratio"]) <= 1
    # the stored axes reproduce the stored positions: components · (W[w] − mean)
    record = read(small_run, index["chunks"][-1])["steps"][-1]
    components, mean = np.asarray(pca["final"]["components"]), np.asarray(pca["final"]["mean"])
    projected = (np.asarray(record["W"]) - mean) @ components.T
    assert np.allclose(projected.reshape(-1), last["final"][-1], atol=2e-3)


def test_derived_views_cover_the_vocabulary(small_run):
    vocab = read(small_run, "vocab.json")["words"]
    similarity = read(small_run, "similarity.json")
    matrix = np.asarray(similarity["matrix"])
    assert matrix.shape == (len(vocab), len(vocab)) and np.allclose(np.diag(matrix), 1, atol=1e-3)
    assert set(read(small_run, "convergence.json")["words"]) == set(vocab)
    neighbours = read(small_run, "neighbors.json")
    assert all(len(neighbours["neighbors"][w]) == len(neighbours["steps"]) for w in neighbours["words"])
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
             (["--steps", "0"], "steps must be at least 1")]
    for flags, message in cases:
        assert main(["train", "--quiet", "--out", str(tmp_path), "--tokenizers", str(tmp_path / "tokenizers"),
                     *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli", "stop.txt", "tokenizers"]


def test_config_round_trips_through_the_manifest(small_run, small_config):
    assert TrainConfig.from_dict(read_manifest(small_run)["config"]) == small_config


def test_a_write_killed_with_sigkill_leaves_nothing_served_and_is_cleaned_up_later(tmp_path, small_config):
    """A real `wordlab train` process is killed mid-write; the next write removes what it left."""
    import os
    import signal
    import subprocess
    import sys

    script = ("import sys, time; from trainer.run_store import RunWriter; from backend.cli import main\n"
              "real = RunWriter.json_gz\n"
              "def slow(self, relpath, obj):\n"
              "    real(self, relpath, obj); print('WRITING', flush=True); time.sleep(30)\n"
              "RunWriter.json_gz = slow\n"
              "sys.exit(main(sys.argv[1:]))\n")
    process = subprocess.Popen([sys.executable, "-c", script, "train", "--steps", "60", "--quiet", "--out", str(tmp_path),
                                "--name", "victim", "--tokenizers", str(tmp_path / "tok")],
                               stdout=subprocess.PIPE, text=True)
    lines = []
    while "WRITING\n" not in lines and len(lines) < 20:     # the corpus report, then the first chunk written
        lines.append(process.stdout.readline())
    assert lines[-1] == "WRITING\n", lines
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]
    assert len(leftovers) == 1 and not (tmp_path / "victim").exists()
    train_run(dataclasses.replace(small_config, steps=60), "next", tmp_path, progress=False, log=lambda _: None)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]
