"""The run directory contract as untrusted input: every validation branch, paths that lead outside the
run, files that change after they were written, lists that survive broken entries, and RunWriter's
crash-safe replacement and disk-full message."""

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.runs import RunRegistry
from trainer.errors import Broken, RunFormatError, WordlabError
from trainer.run_format import check_run, read_manifest
from trainer.run_store import RunWriter
from trainer.step_chunks import decode_chunk, encode_chunk


@pytest.fixture
def run(tmp_path, small_run) -> Path:
    target = tmp_path / "runs" / "r"
    shutil.copytree(small_run, target)
    return target


def edit_manifest(run: Path, change) -> None:
    manifest = orjson.loads((run / "run.json").read_bytes())
    change(manifest)
    (run / "run.json").write_bytes(orjson.dumps(manifest))


def delete(key):
    return lambda m: m.pop(key)


def set_key(path, value):
    def change(m):
        target = m
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def list_outside(key):
    def change(m):
        m["files"][key] = {"bytes": len(Path("/etc/hostname").read_bytes()), "sha256": "0" * 64}
    return change


@pytest.mark.parametrize("change, reason", [
    (set_key(["format_version"], 99), "format_version 99 is not supported"),
    (set_key(["kind"], "mystery"), "unknown kind 'mystery'"),
    (delete("files"), "files: Field required"),
    (delete("chunk_size"), "chunk_size: Field required"),
    (set_key(["sizes"], {"dim": 8, "steps": 1, "recorded_steps": 1}), "sizes.vocab: Field required"),
    (set_key(["files"], ["vocab.json"]), "files: Input should be a valid dictionary"),
    (set_key(["files", "vocab.json", "sha256"], "not-a-hash"), "files.vocab.json.sha256"),
    (lambda m: m["files"].pop("corpus_stats.json"), "manifest lists no corpus_stats.json"),
    (set_key(["files", "vocab.json", "bytes"], 1), "vocab.json has"),
    (list_outside("/etc/hostname"), "'/etc/hostname' is not a plain relative path"),
    (list_outside("../../../../etc/hostname"), "is not a plain relative path"),
    (lambda m: m["chunks"]["steps"].append("steps/999999.json.gz"), "chunk steps/999999.json.gz is not in"),
])
def test_each_validation_error_names_its_reason(run, change, reason):
    edit_manifest(run, change)
    manifest, error = check_run(run)
    assert manifest is None and reason in error, error


def test_a_run_of_an_older_format_is_refused_with_the_sentence_the_server_shows(run):
    """Format 2 named a softmax step's forces attractive_force/repulsive_force: no reader translates them any
    more; the run is listed broken with what to do, and none of its files is served."""
    edit_manifest(run, set_key(["format_version"], 2))
    sentence = "format_version 2 is not supported (this version reads 3); retrain the run"
    assert sentence in check_run(run)[1]
    client = TestClient(create_app(run.parent, run.parent / "none"))
    listed = {r["name"]: r for r in client.get("/api/runs").json()["runs"]}
    assert listed["r"]["status"] == "broken" and sentence in str(listed["r"]), listed["r"]
    answer = client.get("/api/runs/r/files/vocab.json")
    assert answer.status_code in (404, 409) and sentence in answer.text, answer.text


@pytest.mark.parametrize("content, reason", [(b"{", "is not valid JSON"), (b"null", "is not a JSON object"),
                                             (b"[1, 2]", "is not a JSON object")])
def test_a_manifest_that_is_not_an_object_is_broken(run, content, reason):
    (run / "run.json").write_bytes(content)
    assert reason in check_run(run)[1]


def test_missing_manifest_and_missing_file(run):
    (run / "steps" / "000001.json.gz").unlink()
    assert "steps/000001.json.gz is missing" in check_run(run)[1]
    (run / "run.json").unlink()
    assert "no run.json" in check_run(run)[1]


def test_a_symlink_out_of_the_run_is_refused(run):
    """A key that looks plain but is a link to a file outside: the resolved path is checked too."""
    outside = run.parent.parent / "secret.json"
    outside.write_bytes((run / "vocab.json").read_bytes())
    (run / "vocab.json").unlink()
    (run / "vocab.json").symlink_to(outside)
    assert "vocab.json leads outside the run" in check_run(run)[1]


def test_the_api_never_serves_a_file_outside_the_run(run):
    client = TestClient(create_app(run.parent, run.parent / "none"))
    for path in ["/api/runs/r/files//etc/passwd", "/api/runs/r/files/../../../../etc/passwd",
                 "/api/runs/r/files/%2e%2e/%2e%2e/etc/passwd"]:
        response = client.get(path)
        assert response.status_code == 404 and b"root:" not in response.content


def test_broken_runs_and_tokenizers_are_listed_with_their_reason_never_a_500(tmp_path, small_run):
    runs, tokenizers = tmp_path / "runs", tmp_path / "tokenizers"
    for name, change in [("list-files", set_key(["files"], [])), ("no-vocab-size", lambda m: m["sizes"].pop("vocab"))]:
        shutil.copytree(small_run, runs / name)
        edit_manifest(runs / name, change)
    tokenizers.mkdir()
    good = orjson.loads(subprocess_tokenizer(tokenizers))
    files = {"array": ["a", "b"], "null": None,
             "int-in-vocab": {**good, "vocab": [1, *good["vocab"][1:]]},
             "merge-id-out-of-range": {**good, "merges": [[0, 999999, good["merges"][0][2], 5], *good["merges"][1:]]}}
    for name, content in files.items():
        (tokenizers / f"{name}.json").write_bytes(orjson.dumps(content))
    client = TestClient(create_app(runs, tokenizers))

    listed = client.get("/api/runs")
    assert listed.status_code == 200
    runs_listed = {r["name"]: r for r in listed.json()["runs"]}
    assert {name: r["status"] for name, r in runs_listed.items()} == {"list-files": "broken", "no-vocab-size": "broken"}
    assert "sizes.vocab: Field required" in runs_listed["no-vocab-size"]["error"]

    listed = client.get("/api/tokenizers")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()["tokenizers"] if t["kind"] == "learned"] == ["good"]
    broken = {b["name"]: b["error"] for b in listed.json()["broken"]}
    assert set(broken) == set(files)
    assert "out of order or range" in broken["merge-id-out-of-range"] and "vocab.0" in broken["int-in-vocab"]
    for name in files:
        response = client.post("/api/tokenize", json={"text": "hello", "tokenizer": name})
        assert response.status_code == 409 and "is broken" in response.json()["detail"]["message"]


def subprocess_tokenizer(tokenizers: Path) -> bytes:
    from trainer.bpe.build import build_tokenizer
    from trainer.config import DEFAULT_CORPUS, resolve_corpus

    build_tokenizer(resolve_corpus(DEFAULT_CORPUS), 500, "good", tokenizers, progress=False)
    return (tokenizers / "good.json").read_bytes()


def overwrite(path: Path, offset: int, data: bytes) -> None:
    """Changes bytes in place: the size stays the same, so only the hash can tell."""
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def test_a_chunk_changed_on_disk_marks_the_run_broken_and_is_never_served(run):
    client = TestClient(create_app(run.parent, run.parent / "none"))
    manifest = orjson.loads((run / "run.json").read_bytes())
    chunk = manifest["chunks"]["steps"][1]
    overwrite(run / chunk, 20, b"\xff" * 16)
    first_in_chunk = orjson.loads((run / "step_index.json").read_bytes())["steps"][manifest["chunk_size"]]
    for path in [f"/api/runs/r/files/{chunk}", f"/api/runs/r/steps/{first_in_chunk}"]:
        response = client.get(path)
        assert response.status_code == 409, path
        assert f"{chunk} does not match the sha256" in response.json()["detail"]["message"]
    listed = client.get("/api/runs").json()["runs"]
    assert listed == [{**listed[0], "status": "broken"}] and "does not match the sha256" in listed[0]["error"]


def test_a_chunk_deleted_while_serving_gives_409_not_500(run):
    client = TestClient(create_app(run.parent, run.parent / "none"))
    assert client.get("/api/runs/r").status_code == 200  # validated and loaded
    chunk = orjson.loads((run / "run.json").read_bytes())["chunks"]["steps"][0]
    (run / chunk).unlink()
    response = client.get("/api/runs/r/steps/1")
    assert response.status_code == 409 and f"{chunk} cannot be read" in response.json()["detail"]["message"]


def test_changed_weights_never_give_numbers(run):
    """16 overwritten bytes of model.safetensors, or W's bytes set to 0xFF (NaN): 409, not 500 or null scores."""
    weights = run / "model.safetensors"
    header = int.from_bytes(weights.read_bytes()[:8], "little")
    overwrite(weights, 8 + header + 4, b"\xff" * 16)
    client = TestClient(create_app(run.parent, run.parent / "none"))
    word = orjson.loads((run / "vocab.json").read_bytes())["words"][0]
    for path in [f"/api/runs/r/neighbors?word={word}", f"/api/runs/r/similarity?a={word}&b={word}"]:
        response = client.get(path)
        assert response.status_code == 409 and "model.safetensors" in response.json()["detail"]["message"]


def test_nan_weights_with_a_matching_hash_are_refused(run):
    """Even a file whose hash was recomputed (rewritten by hand) must not answer `score: null`."""
    weights = run / "model.safetensors"
    header = int.from_bytes(weights.read_bytes()[:8], "little")
    overwrite(weights, 8 + header, b"\xff" * 64)
    data = weights.read_bytes()
    edit_manifest(run, set_key(["files", "model.safetensors", "sha256"], hashlib.sha256(data).hexdigest()))
    client = TestClient(create_app(run.parent, run.parent / "none"))
    word = orjson.loads((run / "vocab.json").read_bytes())["words"][0]
    response = client.get(f"/api/runs/r/neighbors?word={word}")
    assert response.status_code == 409 and "not a finite" in response.json()["detail"]["message"]


def test_a_corpus_run_without_per_step_weights_answers_409_for_step_queries(run):
    """A corpus run's step records carry no full W: asking for neighbors at a step is a clear 409."""
    manifest = orjson.loads((run / "run.json").read_bytes())
    import gzip

    for chunk in manifest["chunks"]["steps"]:
        records = decode_chunk(orjson.loads(gzip.decompress((run / chunk).read_bytes())))
        for record in records:
            record.pop("W"), record.pop("W_prime")
        data = gzip.compress(orjson.dumps(encode_chunk(0, records)), mtime=0)
        (run / chunk).write_bytes(data)
        manifest["files"][chunk] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest["kind"] = "corpus"
    (run / "run.json").write_bytes(orjson.dumps(manifest))
    client = TestClient(create_app(run.parent, run.parent / "none"))
    word = orjson.loads((run / "vocab.json").read_bytes())["words"][0]
    response = client.get(f"/api/runs/r/neighbors?word={word}&step=1")
    assert response.status_code == 409 and "does not record the whole W" in response.json()["detail"]["message"]
    assert client.get(f"/api/runs/r/neighbors?word={word}").status_code == 200


def test_the_parsed_chunk_cache_is_bounded_in_bytes(run):
    registry = RunRegistry(run.parent)
    loaded = registry.get("r")
    manifest = loaded.manifest
    loaded.record(loaded.recorded_steps[0])
    registry.chunks.budget = int(registry.chunks.bytes * 1.5)  # room for one chunk, not two
    for step in loaded.recorded_steps[::manifest["chunk_size"]]:
        loaded.record(step)
        assert registry.chunks.bytes <= registry.chunks.budget
    assert len(registry.chunks) == 1


def test_broken_raised_by_the_registry_is_a_domain_error(run):
    (run / "vocab.json").write_bytes(b"{}")
    with pytest.raises(Broken, match="vocab.json has"):
        RunRegistry(run.parent).get("r")


# RunWriter.commit: a kill at each of its steps leaves a complete run under the name at the next start.

COMMIT_SCRIPT = """
import os, sys
from pathlib import Path
from trainer.run_store import RunWriter
import trainer.run_store as store

out, label, die_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
renames = 0
real_rename = Path.rename

def rename(self, target):
    global renames
    if renames == die_at:
        os._exit(9)  # as SIGKILL: no cleanup, no finally
    renames += 1
    return real_rename(self, target)

Path.rename = rename
with RunWriter(out, "r") as writer:
    writer.json("vocab.json", {"words": [label]})
    for name in ("corpus_stats.json", "loss_curve.json", "step_index.json", "trainer_state.json"):
        writer.json(name, {})
    writer.safetensors("model.safetensors", {"W": __import__("numpy").zeros((1, 1), dtype="float32")})
    writer.commit({"format_version": __import__("trainer.run_format").run_format.FORMAT_VERSION, "kind": "teaching", "created": "now", "config": {},
                   "sizes": {"vocab": 1, "dim": 1, "steps": 1, "recorded_steps": 1}, "chunk_size": 1,
                   "chunks": {"steps": []}})
"""


def write_in_process(out: Path, label: str, die_at: int) -> int:
    return subprocess.run([sys.executable, "-c", COMMIT_SCRIPT, str(out), label, str(die_at)], check=False,
                          cwd=Path(__file__).resolve().parents[1]).returncode


@pytest.mark.parametrize("die_at", [0, 1])  # before the old run is moved aside; between the two renames
def test_a_kill_inside_commit_never_loses_the_run(tmp_path, die_at):
    assert write_in_process(tmp_path, "old", die_at=99) == 0
    assert write_in_process(tmp_path, "new", die_at=die_at) == 9
    with RunWriter(tmp_path, "other"):  # the next writer repairs what the crash left, then cleans up
        pass
    words = orjson.loads((tmp_path / "r" / "vocab.json").read_bytes())["words"]
    assert words == (["old"] if die_at == 0 else ["new"])
    read_manifest(tmp_path / "r")
    assert not list(tmp_path.glob(".partial-*"))


def test_a_full_disk_gives_one_line_naming_where(tmp_path, monkeypatch):
    def full(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(WordlabError) as caught, RunWriter(tmp_path, "r") as writer:
        writer.json("vocab.json", {})
    message = str(caught.value)
    assert "disk is full" in message and str(tmp_path.resolve()) in message and "\n" not in message
    monkeypatch.undo()
    assert not list(tmp_path.iterdir())  # nothing half-written left


def test_run_format_error_is_what_read_manifest_raises(run):
    (run / "run.json").write_bytes(b"[]")
    with pytest.raises(RunFormatError):
        read_manifest(run)
