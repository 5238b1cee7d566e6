"""`wordlab serve`'s start-up: train the default run only when no valid run exists; LAN addresses."""

import shutil

from backend import serve


def test_trains_the_default_run_only_when_no_valid_run_exists(tmp_path, monkeypatch, small_run):
    calls = []

    def fake_train_run(config, name, out_dir):
        calls.append((config.steps, name, out_dir))
        shutil.rmtree(out_dir / name, ignore_errors=True)  # the real writer replaces it atomically
        shutil.copytree(small_run, out_dir / name)

        class Summary:
            run_dir = out_dir / name
        return Summary()

    monkeypatch.setattr("trainer.teaching_run.train_run", fake_train_run)
    runs = tmp_path / "runs"
    serve.ensure_default_run(runs)                       # no directory at all
    assert calls == [(15000, "default", runs)]
    serve.ensure_default_run(runs)                       # a valid run exists now: nothing to do
    assert len(calls) == 1
    (runs / "default" / "run.json").write_text("{", encoding="utf-8")
    serve.ensure_default_run(runs)                       # only a broken run: train again
    assert len(calls) == 2


def test_lan_addresses_are_not_loopback():
    assert all(not address.startswith("127.") for address in serve.lan_addresses())
