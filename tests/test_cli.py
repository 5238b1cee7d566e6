"""The CLI as an instructor meets it: --help that explains, the report before training, --epochs, runs list/delete."""

import dataclasses
import json
import shutil

import pytest

from backend.cli import main
from trainer.config import TrainConfig


def test_every_config_field_has_a_help_sentence_with_its_default_and_a_range():
    for field in dataclasses.fields(TrainConfig):
        text = field.metadata.get("help", "")
        assert text.endswith("."), field.name
        assert "default" in text.lower(), field.name


def test_train_help_describes_every_flag(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for field in dataclasses.fields(TrainConfig):
        assert " ".join(field.metadata["help"].split()) in out, field.name


def test_report_before_training_and_epochs(tmp_path, capsys):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("the king rules the land\nthe queen rules the land\nthe king and the queen\n" * 4,
                      encoding="utf-8")
    code = main(["train", "--corpus", str(corpus), "--epochs", "2", "--min-count", "2", "--max-vocab", "3",
                 "--name", "tiny", "--out", str(tmp_path / "runs"), "--tokenizers", str(tmp_path / "tok"), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    # 12 lines; words: the ×24 (stopword), and ×4 (stopword); king 8, queen 8, rules 8, land 8: 3 kept.
    assert "sentences: 12; words: 60 (6 distinct)" in out
    assert "dropped as stopwords: 28 (47%)" in out
    assert "dropped past --max-vocab 3: 8 (13%)" in out
    manifest = json.loads((tmp_path / "runs" / "tiny" / "run.json").read_text())
    pairs = manifest["sizes"]["pairs"]
    assert f"pairs (window 3): {pairs:,}" in out
    assert manifest["sizes"]["steps"] == 2 * pairs and manifest["config"]["epochs"] == 2
    assert f"training {2 * pairs:,} steps = 2.00 epochs" in out and "under one epoch" not in out


def test_under_one_epoch_warns(tmp_path, capsys):
    code = main(["train", "--steps", "30", "--name", "short", "--out", str(tmp_path / "runs"),
                 "--tokenizers", str(tmp_path / "tok"), "--quiet"])
    assert code == 0
    assert "warning: under one epoch" in capsys.readouterr().out


def test_runs_list_and_delete(small_run, tmp_path, capsys):
    runs = tmp_path / "runs"
    shutil.copytree(small_run, runs / "keep")
    shutil.copytree(small_run, runs / "gone")
    (runs / "broken").mkdir()
    assert main(["runs", "list", "--runs", str(runs)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["broken", "gone", "keep"]
    assert "BROKEN" in lines[0] and "teaching" in lines[2] and "MB" in lines[2]

    assert main(["runs", "delete", "gone", "--runs", str(runs), "--yes"]) == 0
    assert "deleted gone" in capsys.readouterr().out
    assert sorted(p.name for p in runs.iterdir()) == ["broken", "keep"]

    assert main(["runs", "delete", "nope", "--runs", str(runs), "--yes"]) == 2
    assert "no run called 'nope'" in capsys.readouterr().err
    assert main(["runs", "delete", "../keep", "--runs", str(runs), "--yes"]) == 2
    assert (runs / "keep" / "run.json").is_file()
