"""Run and tokenizer files from someone else (a shared folder, a USB stick): a worker reads no more of them
than its limits allow, answers what is broken with a reason (409, or listed as broken), never a 500 or a
null, and never lets one bad entry spoil the list. Limits are backend/settings.py's, made small here."""

import gzip
import hashlib
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from safetensors.numpy import save

from backend import settings
from backend.app import create_app
from backend.run_admin import delete_run, list_runs
from backend.runs import RunRegistry
from backend.schemas import TokenizerDetail
from backend.tokenizers import TokenizerRegistry
from trainer.bpe.tokenizer import BPETokenizer
from trainer.run_store import PARTIAL_PREFIX

ACCEPTS = [("gzip", True), ("gzip, deflate, br", True), ("*", True), ("br;q=1, gzip;q=0.5", True),
           ("gzip;q=0", False), ("notgzip", False), ("identity", False), ("gzip;q=0.000", False), ("", False),
           ("*;q=0", False), ("gzip;q=x", False), ("deflate, *", True)]


@pytest.fixture
def runs(tmp_path, small_run) -> Path:
    shutil.copytree(small_run, tmp_path / "runs" / "r")
    return tmp_path / "runs"


@pytest.fixture
def client(runs) -> TestClient:
    return TestClient(create_app(runs, runs.parent / "none"))


def edit_manifest(run: Path, change) -> None:
    manifest = orjson.loads((run / "run.json").read_bytes())
    change(manifest)
    (run / "run.json").write_bytes(orjson.dumps(manifest))


def replace(run: Path, relpath: str, data: bytes) -> None:
    """A file rewritten with its hash in the manifest: the run looks as its writer left it."""
    (run / relpath).write_bytes(data)
    edit_manifest(run, lambda m: m["files"][relpath].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest()))


def rewrite_chunk(run: Path, index: int, change) -> str:
    relpath = orjson.loads((run / "run.json").read_bytes())["chunks"]["steps"][index]
    chunk = orjson.loads(gzip.decompress((run / relpath).read_bytes()))
    change(chunk)
    replace(run, relpath, gzip.compress(orjson.dumps(chunk, option=orjson.OPT_SERIALIZE_NUMPY), mtime=0))
    return relpath


def listed(client) -> dict[str, dict]:
    response = client.get("/api/runs")
    assert response.status_code == 200
    return {r["name"]: r for r in response.json()["runs"]}


def first_word(run: Path) -> str:
    return orjson.loads((run / "vocab.json").read_bytes())["words"][0]


# -- the list always answers ---------------------------------------------------------------------

def test_a_symlink_loop_inside_one_run_breaks_that_run_only(runs, client, small_run):
    shutil.copytree(small_run, runs / "loop")
    (runs / "loop" / "vocab.json").unlink()
    (runs / "loop" / "a").symlink_to(runs / "loop" / "vocab.json")
    (runs / "loop" / "vocab.json").symlink_to(runs / "loop" / "a")
    found = listed(client)
    assert found["r"]["status"] == "ok" and found["loop"]["status"] == "broken"
    assert "vocab.json" in found["loop"]["error"]
    assert client.get("/api/runs/loop/files/vocab.json").status_code == 409


def test_a_run_copied_in_manifest_first_is_served_once_the_copy_completes(runs, client, small_run, monkeypatch):
    monkeypatch.setattr(settings, "BROKEN_RECHECK_SECONDS", 0)  # a real server looks again after 2 s
    (runs / "late").mkdir()
    shutil.copy(small_run / "run.json", runs / "late" / "run.json")
    assert listed(client)["late"]["status"] == "broken"
    for item in small_run.iterdir():
        if item.name != "run.json":
            (shutil.copytree if item.is_dir() else shutil.copy)(item, runs / "late" / item.name)
    assert listed(client)["late"]["status"] == "ok"
    assert client.get("/api/runs/late/neighbors", params={"word": first_word(small_run)}).status_code == 200


def test_a_manifest_that_leads_outside_its_run_is_broken(runs, client, small_run):
    """run.json linked to a valid manifest elsewhere was listed ok, then answered 409."""
    shutil.copytree(small_run, runs / "linked")
    (runs / "linked" / "run.json").unlink()
    (runs / "linked" / "run.json").symlink_to(small_run / "run.json")
    found = listed(client)["linked"]
    assert found["status"] == "broken" and "leads outside the run" in found["error"]


def test_runs_list_does_not_walk_where_a_linked_run_directory_points(tmp_path):
    """A run directory that is a link to / was walked (and `wordlab runs list` crashed); delete removes the link."""
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "big.bin").write_bytes(b"x" * 2_000_000)
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "linked").symlink_to(target)
    [listing] = list_runs(runs)
    assert listing.manifest is None and listing.megabytes == 0
    assert delete_run(runs, "linked") == 0
    assert not (runs / "linked").exists() and (target / "big.bin").exists()


def test_runs_list_counts_a_valid_run_by_its_manifest(runs):
    [listing] = list_runs(runs)
    on_disk = sum(f.stat().st_size for f in (runs / "r").rglob("*") if f.is_file())
    assert listing.error is None and listing.megabytes * 1e6 == pytest.approx(on_disk)


# -- weights that are not what they claim ------------------------------------------------------

def weights_file(run: Path, w: np.ndarray) -> None:
    manifest = orjson.loads((run / "run.json").read_bytes())
    vocab, dim = manifest["sizes"]["vocab"], manifest["sizes"]["dim"]
    replace(run, "model.safetensors", save({"W": w, "W_prime": np.zeros((dim, vocab), np.float32)}))


@pytest.mark.parametrize("make, says", [
    (lambda v, d: np.ones((v, d), dtype=bool), "bool"),
    (lambda v, d: np.full((v, d), 3e38, dtype=np.float32), "within ±1e15"),
    (lambda v, d: np.ones((v + 1, d), dtype=np.float32), f"{'×'}"),
], ids=["bool", "3e38", "shape"])
def test_weights_of_the_wrong_type_size_or_magnitude_are_refused(runs, client, make, says):
    """A bool W gave 500 on similarity; values of 3e38 gave `cosine: null`."""
    manifest = orjson.loads((runs / "r" / "run.json").read_bytes())
    weights_file(runs / "r", make(manifest["sizes"]["vocab"], manifest["sizes"]["dim"]))
    word = first_word(runs / "r")
    for path in [f"/api/runs/r/similarity?a={word}&b={word}", f"/api/runs/r/neighbors?word={word}"]:
        response = client.get(path)
        assert response.status_code == 409, response.text
        assert "model.safetensors" in response.json()["detail"]["message"] and says in response.json()["detail"]["message"]


def test_float64_weights_are_read_as_float32(runs, client):
    manifest = orjson.loads((runs / "r" / "run.json").read_bytes())
    vocab, dim = manifest["sizes"]["vocab"], manifest["sizes"]["dim"]
    weights_file(runs / "r", np.random.default_rng(0).normal(size=(vocab, dim)))
    word = first_word(runs / "r")
    assert client.get(f"/api/runs/r/similarity?a={word}&b={word}").json()["cosine"] == pytest.approx(1.0)


def test_a_wrongly_shaped_w_in_a_chunk_is_a_409_at_its_steps(runs, client):
    """Every record's W one row long: the last word's row did not exist (500, IndexError)."""
    dim = orjson.loads((runs / "r" / "run.json").read_bytes())["sizes"]["dim"]
    rewrite_chunk(runs / "r", 0, lambda c: c["columns"].update(W=[[[0] * dim]] * c["records"]))
    word = orjson.loads((runs / "r" / "vocab.json").read_bytes())["words"][-1]
    response = client.get(f"/api/runs/r/neighbors?word={word}&step=1")
    assert response.status_code == 409 and "is not a" in response.json()["detail"]["message"]


def test_steps_beyond_the_listed_chunks_are_a_409(runs, client):
    run = runs / "r"
    steps = orjson.loads((run / "step_index.json").read_bytes())["steps"]
    replace(run, "step_index.json", orjson.dumps({"steps": steps + list(range(steps[-1] + 1, steps[-1] + 500))}))
    response = client.get(f"/api/runs/r/steps/{steps[-1] + 499}")
    assert response.status_code == 409 and "step chunks" in response.json()["detail"]["message"]


# -- bounded reading ----------------------------------------------------------------------------

def test_a_gzip_bomb_is_broken_however_the_client_asks(runs, client, monkeypatch):
    """A chunk whose hash matches but which inflates past its kind's limit (a 2 MB file inflating to 2 GiB
    was listed ok, and one request without gzip took 7 s and 4 GB)."""
    relpath = rewrite_chunk(runs / "r", 0, lambda c: c["columns"].update(padding=[[0] * 20_000] * c["records"]))
    monkeypatch.setattr(settings, "MAX_INFLATED_BYTES", {"steps/": 1_000_000, "": 16 << 20})
    for encoding in ("gzip", "identity"):
        response = client.get(f"/api/runs/r/files/{relpath}", headers={"Accept-Encoding": encoding})
        assert response.status_code == 409, encoding
        assert "inflates to more than 1,000,000 bytes" in response.json()["detail"]["message"]
    assert listed(client)["r"]["status"] == "broken"


@pytest.mark.parametrize("limit, value, says", [
    ("MAX_RUN_FILES", 10, "at most 10 are read"),
    ("MAX_MANIFEST_BYTES", 1_000, "reads manifests up to 1,000"),
    ("MAX_PARSED_JSON_BYTES", 100, "(MAX_PARSED_JSON_BYTES)"),
    ("MAX_WEIGHT_NUMBERS", 10, "numbers; this server reads at most 10"),
    ("MAX_RUN_FILE_BYTES", 1_000, "for it (MAX_RUN_FILE_BYTES)"),
])
def test_a_run_over_a_limit_is_listed_broken_with_the_limit(client, monkeypatch, limit, value, says):
    """A manifest listing 100,000 files blocked a worker 5.5 s on its first listing: refused before any is read."""
    monkeypatch.setattr(settings, limit, value)
    found = listed(client)["r"]
    assert found["status"] == "broken" and says in found["error"], found["error"]


def test_a_file_above_the_memory_threshold_is_hashed_once_and_streamed(runs, monkeypatch):
    """A 160 MB model.safetensors above the cache budget was re-read, hashed and gzipped on the loop per request."""
    calls = []
    real = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(settings, "CACHED_FILE_BYTES", 1_000)
    monkeypatch.setattr(settings, "FILE_CACHE_BYTES", 1_000)
    client = TestClient(create_app(runs, runs.parent / "none"))
    expected = (runs / "r" / "similarity.json").read_bytes()
    calls.clear()
    for _ in range(3):
        response = client.get("/api/runs/r/files/similarity.json", headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200 and response.content == expected
    assert len(calls) == 1


def test_the_chunk_cache_counts_what_a_chunk_holds_not_its_file_size(runs):
    """A compressible extra column (a few KB gzipped, megabytes parsed) is counted at its size in memory:
    the cache estimated 24 times the gzipped size, and one scrub held 1.6-1.9 GB under a '64 MB' budget."""
    numbers = 20_000
    relpath = rewrite_chunk(runs / "r", 0, lambda c: c["columns"].update(padding=[[0] * numbers] * c["records"]))
    registry = RunRegistry(runs)
    loaded = registry.get("r")
    held = loaded.manifest["chunk_size"] * numbers * 8
    assert (runs / "r" / relpath).stat().st_size * 24 < held  # what was estimated
    loaded.record(int(loaded.recorded_steps[0]))
    assert registry.chunks.bytes >= held
    registry.chunks.clear()
    registry.chunks.budget = held // 2  # over the whole budget: answered, not kept
    assert loaded.record(int(loaded.recorded_steps[0]))["step"] == loaded.recorded_steps[0]
    assert len(registry.chunks) == 0


# -- small ones -----------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, gzipped", ACCEPTS)
def test_accept_encoding_is_read_with_its_q_values(client, runs, accept, gzipped):
    chunk = orjson.loads((runs / "r" / "run.json").read_bytes())["chunks"]["steps"][0]
    for path in [f"/api/runs/r/files/{chunk}", "/api/runs/r/files/similarity.json"]:
        response = client.get(path, headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert (response.headers.get("content-encoding") == "gzip") == gzipped, (path, accept)
        assert response.json()


@pytest.mark.parametrize("header", ['*', 'W/"{etag}"', '"nope", "{etag}"', '"nope",W/"{etag}" , "x"'])
def test_if_none_match_in_every_form_gives_304(client, header):
    etag = client.get("/api/runs/r/files/vocab.json").headers["etag"].strip('"')
    response = client.get("/api/runs/r/files/vocab.json", headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304
    assert client.get("/api/runs/r/files/vocab.json", headers={"If-None-Match": '"other"'}).status_code == 200


def test_error_answers_never_echo_a_huge_input(client):
    response = client.post("/api/tokenize", json={"text": "a", "tokenizer": "x" * 900_000})
    assert response.status_code == 404 and len(response.content) < 2_000
    response = client.get("/api/runs/r/files/" + "a" * 30_000)
    assert response.status_code == 404 and len(response.content) < 2_000


def test_abandoned_partial_runs_are_removed_when_the_server_starts(tmp_path, small_run, served_data, capsys):
    from backend.serve import get_ready

    runs = tmp_path / "runs"
    for name in ("default", "default-sgns"):
        shutil.copytree(small_run, runs / name)
    partial = runs / f"{PARTIAL_PREFIX}{2**22 + 7}-half-1234abcd"  # a PID no process has
    partial.mkdir()
    (partial / "vocab.json").write_text("{}")
    get_ready("127.0.0.1", 8000, runs, served_data[1])
    assert not partial.exists() and {p.name for p in runs.iterdir()} == {"default", "default-sgns"}


# -- tokenizer files ------------------------------------------------------------------------------

@pytest.fixture
def tokenizers(tmp_path, served_data) -> Path:
    shutil.copytree(served_data[1], tmp_path / "tokenizers")
    return tmp_path / "tokenizers"


def test_a_tokenizer_whose_merge_does_not_spell_its_parts_is_refused(tokenizers, runs):
    """A merge's token must be its two parts' text, or decode(encode(s)) would not give s back."""
    data = orjson.loads((tokenizers / "small.json").read_bytes())
    left, right, new_id, _ = data["merges"][0]
    data["vocab"][new_id] = data["vocab"][left] + data["vocab"][right] + "x"
    (tokenizers / "small.json").write_bytes(orjson.dumps(data))
    client = TestClient(create_app(runs, tokenizers))
    broken = {b["name"]: b["error"] for b in client.get("/api/tokenizers").json()["broken"]}
    assert "merge 0" in broken["small"] and "does not make" in broken["small"]
    assert client.post("/api/tokenize", json={"text": "the", "tokenizer": "small"}).status_code == 409


def test_a_tokenizer_file_over_the_stated_size_is_listed_broken_unread(tokenizers, runs, monkeypatch):
    monkeypatch.setattr(settings, "MAX_TOKENIZER_FILE_BYTES", 16_000)
    client = TestClient(create_app(runs, tokenizers))
    answer = client.get("/api/tokenizers").json()
    learned = [t["name"] for t in answer["tokenizers"] if t.get("kind") != "reference"]
    assert learned == ["small"]  # 12 KB; the default is 23 KB
    assert "MAX_TOKENIZER_FILE_BYTES" in {b["name"]: b["error"] for b in answer["broken"]}["default"]


def test_tokenizers_load_in_the_loading_thread_and_answers_are_built_once(tokenizers, runs, monkeypatch):
    """A 100,000-merge tokenizer's merges went through pydantic on the event loop for every request; a
    5M-merge file made every listing load 210 MB on the loop."""
    threads, built = set(), []
    real_load, real_record = BPETokenizer.from_dict, BPETokenizer.merge_record

    def from_dict(cls, data):
        threads.add(threading.current_thread().name)
        return real_load.__func__(cls, data)
    monkeypatch.setattr(BPETokenizer, "from_dict", classmethod(from_dict))
    monkeypatch.setattr(BPETokenizer, "merge_record", lambda self, i: built.append(i) or real_record(self, i))
    client = TestClient(create_app(runs, tokenizers))
    assert client.get("/api/tokenizers").status_code == 200
    first, second = client.get("/api/tokenizers/small"), client.get("/api/tokenizers/small")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert len(first.json()["merge_history"]) == len(built) == first.json()["merges"] > 0
    TokenizerDetail.model_validate_json(first.content)
    assert threads and all(name.startswith("wordlab-loading") for name in threads), threads


def test_a_tokenizer_answer_is_gzipped_once_not_for_every_request(tokenizers, runs, monkeypatch):
    """Four clients asking for a 200,000-merge tokenizer's 8.8 MB detail with gzip had the middleware
    compress it for every request: now it is compressed once per version of the file, and sent as it is."""
    from starlette.middleware.gzip import GZipResponder
    compressed, real = [], GZipResponder.apply_compression

    async def apply_compression(self, body, *, more_body):
        compressed.append(len(body))
        return await real(self, body, more_body=more_body)
    monkeypatch.setattr(GZipResponder, "apply_compression", apply_compression)
    client = TestClient(create_app(runs, tokenizers))
    plain = client.get("/api/tokenizers/default/lessons", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers and len(plain.content) > 1000
    for _ in range(3):
        answer = client.get("/api/tokenizers/default/lessons", headers={"Accept-Encoding": "gzip"})
        assert answer.headers["content-encoding"] == "gzip" and answer.headers["vary"] == "Accept-Encoding"
        assert answer.content == plain.content  # inflated by the client
    assert compressed == []
    assert len(client.app.state.tokenizers.answers) == 2  # the answer and its gzip, each built once


def test_listing_tokenizers_keeps_only_what_fits_the_budget(tokenizers, monkeypatch):
    monkeypatch.setattr(settings, "TOKENIZER_CACHE_BYTES", 1_000)
    registry = TokenizerRegistry(tokenizers)
    assert [e.error for e in registry.entries()] == [None, None]
    assert registry.loaded.bytes <= 1_000 and len(registry.loaded) == 0
    assert registry.get("small").vocab_size == registry.header("small").vocab_size == 520


def test_the_unit_caches_are_bounded_in_bytes_and_keep_no_long_unit(served_data):
    """2,500 distinct 99 KB texts grew a worker by 2.3 GB (caches bounded at 500,000 entries, not bytes)."""
    tok = BPETokenizer.load(served_data[1] / "small.json")
    tok.limit_cache(200_000)
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    for _ in range(3):
        text = ",".join("".join(rng.choice(letters, 5)) for _ in range(400))  # one unit (no space) of 2,399 characters
        assert tok.decode(tok.encode(text)) == text
        assert text not in tok._cache
    words = [" " + "".join(rng.choice(letters, 8)) for _ in range(3_000)]
    assert tok.decode(tok.encode("".join(words))) == "".join(words)
    assert 0 < tok._cache.bytes <= tok._cache.budget == 100_000


def test_suggestions_examine_a_bounded_number_of_words(runs, client, monkeypatch):
    """An unknown word ran difflib over the whole vocabulary on the event loop (200k words: 0.4-1.1 s);
    here 5,000 words, of which difflib may see at most CANDIDATES."""
    import difflib

    from backend.word_index import CANDIDATES

    run, rng = runs / "r", np.random.default_rng(1)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = ["king", "kingdom", "queen"] + sorted({"".join(rng.choice(letters, 6)) for _ in range(5_000)})[:4_997]
    dim = orjson.loads((run / "run.json").read_bytes())["sizes"]["dim"]
    edit_manifest(run, lambda m: m["sizes"].update(vocab=len(words)))
    replace(run, "vocab.json", orjson.dumps({"words": words, "counts": [1] * len(words)}))
    weights_file(run, rng.normal(size=(len(words), dim)).astype(np.float32))
    examined = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda w, c, n=3, cutoff=0.6: examined.append(len(c)) or real(w, c, n, cutoff))
    response = client.get("/api/runs/r/neighbors", params={"word": "kingg"})
    assert response.status_code == 404 and response.json()["detail"]["suggestions"][0] == "king"
    assert examined and max(examined) <= CANDIDATES


def test_suggestions_match_difflibs_on_a_small_vocabulary():
    import difflib

    from backend.word_index import WordIndex

    words = ["king", "kings", "kingdom", "queen", "queens", "thing", "ring", "knight", "the", "The"]
    index = WordIndex(words)
    for word in ["kingg", "quen", "thinh", "nigh", "the"]:
        assert set(index.close_matches(word)) <= set(words)
        assert index.close_matches(word)[:1] == difflib.get_close_matches(word, words, 5, 0.6)[:1]


# -- long texts wait their turn -------------------------------------------------------------------

def test_long_encodes_run_one_at_a_time_and_a_client_cannot_queue_many(monkeypatch):
    """100 distinct 99 KB texts at once from one client made new connections wait 2.1-2.4 s."""
    import asyncio

    from backend.errors import TooManyRequests
    from backend.long_work import LongWork

    monkeypatch.setattr(settings, "LONG_ENCODES", 1)
    monkeypatch.setattr(settings, "LONG_ENCODES_PER_CLIENT", 3)
    running, most = [0], [0]
    gate = threading.Event()

    def work(_):
        running[0] += 1
        most[0] = max(most[0], running[0])
        gate.wait(5)
        running[0] -= 1
        return _

    async def scenario():
        long_work = LongWork()
        tasks = [asyncio.ensure_future(long_work.run("10.0.0.1", work, i)) for i in range(5)]
        other = asyncio.ensure_future(long_work.run("10.0.0.2", work, "other"))
        await asyncio.sleep(0)
        while long_work.running == 0:
            await asyncio.sleep(0.01)
        gate.set()
        results = await asyncio.gather(*tasks, other, return_exceptions=True)
        return long_work, results

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's may be running in this thread
        long_work, results = thread.submit(asyncio.run, scenario()).result()
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert len(refused) == 2 and results[-1] == "other" and most[0] == 1
    assert long_work.running == 0 and not long_work.waiting and not long_work.by_client


def test_busy_and_too_many_answers_say_when_to_retry(runs, tokenizers, monkeypatch):
    monkeypatch.setattr(settings, "LONG_ENCODES_PER_CLIENT", 0)
    client = TestClient(create_app(runs, tokenizers))
    response = client.post("/api/tokenize", json={"text": "ab " * 8_000, "tokenizer": "small"})
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
