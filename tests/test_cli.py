"""`wordlab runs list|delete`, and `wordlab train teaching|corpus`: each kind's flags, refusals and help (the
report before training: test_train_report.py)."""

import dataclasses
import shutil

import orjson
import pytest

from backend.cli import main
from trainer.config import CONFIGS, KINDS, absent_settings, settings_schema
from trainer.errors import WordlabError
from trainer.run_format import read_manifest


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


def test_a_resume_continues_the_run_it_resumes_and_never_touches_default(small_run, tmp_path, tokenizers_with_default):
    """`train --resume runs/OTHER --steps N` with no --name or --out writes OTHER again, beside itself."""
    from trainer.run_format import read_json

    runs = tmp_path / "runs"
    shutil.copytree(small_run, runs / "other")
    shutil.copytree(small_run, runs / "default")
    default_manifest = (runs / "default" / "run.json").read_bytes()
    steps = read_json(small_run, "trainer_state.json")["step"] + 20
    assert main(["train", "--resume", str(runs / "other"), "--steps", str(steps), "--quiet",
                 "--tokenizers", str(tokenizers_with_default)]) == 0
    assert read_json(runs / "other", "trainer_state.json")["step"] == steps
    assert (runs / "default" / "run.json").read_bytes() == default_manifest
    assert sorted(p.name for p in runs.iterdir() if not p.name.startswith(".")) == ["default", "other"]


# `wordlab train teaching|corpus`: each kind's flags come from its config's fields (trainer/config.py).
REFUSED = [(kind, name) for kind in KINDS for name in absent_settings(kind)]
VALUES = {bool: [], int: ["5"], float: ["0.5"], str: ["x"]}


def test_every_setting_of_one_kind_is_absent_from_the_other_or_shared():
    teaching = {k["name"] for k in settings_schema("teaching")}
    corpus = {k["name"] for k in settings_schema("corpus")}
    assert set(absent_settings("corpus")) == teaching - corpus and "steps" in teaching - corpus
    assert set(absent_settings("teaching")) == corpus - teaching and "workers" in corpus - teaching


@pytest.mark.parametrize("kind, name", REFUSED)
def test_a_flag_of_the_other_kind_is_refused_with_the_reason(kind, name, tmp_path, capsys):
    other = {"teaching": "corpus", "corpus": "teaching"}[kind]
    knob = next(k for k in settings_schema(other) if k["name"] == name)
    value = VALUES[{"bool": bool, "int": int, "float": float, "str": str}[knob["type"]]]
    if knob["choices"]:
        value = [knob["choices"][-1]]
    flag = "--" + name.replace("_", "-")
    for argv in (["train", kind], ["train", "--kind", kind]):
        code = main([*argv, "--corpus", str(tmp_path / "c.txt"), "--out", str(tmp_path / "runs"), "--quiet",
                     flag, *value])
        err = capsys.readouterr().err
        assert code == 2 and f"{flag} applies to {other} runs" in err
        assert err.startswith("error: ") and err.count("\n") == 1 and len(err) > 60, err
    assert not (tmp_path / "runs").exists()


def test_the_example_of_the_issue_is_refused_with_its_reason(capsys):
    assert main(["train", "--kind", "corpus", "--corpus", "x.txt", "--steps", "5", "--method", "softmax"]) == 2
    assert "a corpus run trains for --epochs; --steps applies to teaching runs" in capsys.readouterr().err


@pytest.mark.parametrize("kind, dim, lr", [("teaching", "8", "0.1"), ("corpus", "100", "0.025")])
def test_help_shows_each_kinds_own_defaults_and_no_flag_of_the_other(kind, dim, lr, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", kind, "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())    # argparse wraps lines
    assert "--dim DIM embedding dimensions d" in text and f"(default: {dim})" in text
    assert f"(default: {lr})" in text
    for knob in settings_schema(kind):
        assert "--" + knob["name"].replace("_", "-") in text
    for name in absent_settings(kind):
        assert "--" + name.replace("_", "-") + " " not in text


def test_train_without_a_kind_is_a_teaching_run_and_its_help_names_both_kinds(capsys):
    from backend.cli import with_train_kind

    assert with_train_kind(["train", "--steps", "5"]) == ["train", "teaching", "--steps", "5"]
    assert with_train_kind(["train", "--kind=corpus", "--dim", "5"]) == ["train", "corpus", "--dim", "5"]
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "teaching" in out and "corpus" in out and "KIND --help" in " ".join(out.split())


def test_settings_schema_is_json_and_matches_the_configs():
    for kind, config in CONFIGS.items():
        schema = orjson.loads(orjson.dumps(settings_schema(kind)))
        fields = {f.name: f for f in dataclasses.fields(config)}
        for knob in schema:
            assert knob["default"] == fields[knob["name"]].default and len(knob["help"]) > 15, knob
            if knob["type"] in ("int", "float") and knob["default"] is not None:
                assert knob["low"] <= knob["default"] <= knob["high"], knob
    assert {k["name"]: k["default"] for k in settings_schema("corpus")}["dim"] == 100
    assert {k["name"]: k["default"] for k in settings_schema("teaching")}["dim"] == 8


@pytest.mark.parametrize("kind, settings, message", [
    ("teaching", {"steps": 0}, "steps must be an integer from 1 to"),
    ("teaching", {"lr": 0.0}, "lr must be in (0, 100]"),
    ("teaching", {"method": "cbow"}, "method must be one of softmax, sgns"),
    ("corpus", {"corpus": "c.txt", "lr": 2.0}, "lr must be in (0, 1]"),
    ("corpus", {"corpus": "c.txt", "sample": -1.0}, "sample must be in [0, 0.999]"),
    ("corpus", {"corpus": "c.txt", "epochs": 1.5}, "epochs must be an integer from 1 to 1000"),
    ("corpus", {}, "a corpus run needs --corpus FILE"),
])
def test_a_setting_out_of_range_is_refused_by_the_config(kind, settings, message):
    with pytest.raises(WordlabError) as err:
        CONFIGS[kind](**settings)
    assert message in str(err.value)


def test_a_corpus_run_may_be_named_default_and_resumes_only_as_itself(tmp_path, capsys):
    corpus = tmp_path / "topics.txt"
    corpus.write_text("ship sea wave sail boat harbour\nbread oven flour bake loaf crust\n" * 40, encoding="utf-8")
    runs = tmp_path / "runs"
    common = ["--corpus", str(corpus), "--out", str(runs), "--quiet", "--dim", "4", "--epochs", "1",
              "--min-count", "1", "--workers", "1", "--recorded-steps", "2", "--snapshot-words", "12"]
    assert main(["train", "corpus", "--name", "default", *common]) == 0
    assert read_manifest(runs / "default")["kind"] == "corpus"
    assert main(["train", "corpus", *common]) == 0          # no --name: the corpus file's name
    assert read_manifest(runs / "topics")["kind"] == "corpus"
    capsys.readouterr()
    assert main(["train", "teaching", "--resume", str(runs / "default"), "--steps", "99"]) == 2
    assert "default is a corpus run: resume it with `wordlab train corpus" in capsys.readouterr().err
    assert main(["train", "--resume", str(runs / "default"), "--epochs", "2", "--dim", "8"]) == 2
    assert "keeps its own settings: --dim cannot change" in capsys.readouterr().err
    assert main(["train", "--resume", str(runs / "default"), "--epochs", "2", "--quiet"]) == 0
    assert read_manifest(runs / "default")["sizes"]["epochs"] == 2   # the kind came from the resumed run
