"""`wordlab runs list|delete`: what an instructor tidies up with (train's help and report: test_train_report.py)."""

import shutil

from backend.cli import main


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
