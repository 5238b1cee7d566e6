"""Step chunks column by column with weight deltas: the same values come back, bad chunks are refused."""

import gzip

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from tests.conftest import replace_run_file
from trainer.rounding import round_fixed
from trainer.run_format import read_all_records, read_manifest
from trainer.step_chunks import decode_chunk, encode_chunk


def records(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=3, size=(4, 3))
    out = []
    for step in range(1, n + 1):
        W[rng.integers(4)] += rng.normal(scale=0.1, size=3)     # one row moves, as one SGD step moves v_c
        out.append({"step": step, "center_word": f"w{step}", "W": round_fixed(W, 4),     # float32, as the recorder writes
                    "W_prime": np.ascontiguousarray(round_fixed(-W.T, 4)), "loss": float(rng.random()), "negatives": ["a", "b"]})
    return out


def test_a_chunk_gives_back_exactly_the_recorded_values():
    original = records(30)
    encoded = orjson.loads(orjson.dumps(encode_chunk(7, original), option=orjson.OPT_SERIALIZE_NUMPY))
    assert encoded["chunk"] == 7 and encoded["deltas"] == {"W": 4, "W_prime": 4}
    assert all(isinstance(v, int) for row in encoded["columns"]["W"][5] for v in row)
    # parsed the way every reader parses the old per-record JSON: the same floats
    assert decode_chunk(encoded) == orjson.loads(orjson.dumps(original, option=orjson.OPT_SERIALIZE_NUMPY))


def test_unchanged_rows_are_stored_as_zeros():
    chunk = encode_chunk(0, records(10))
    moved = (np.asarray(chunk["columns"]["W"])[1:] != 0).any(axis=2)
    assert (moved.sum(axis=1) == 1).all()


@pytest.mark.parametrize("damage", [
    lambda c: c.pop("columns"),
    lambda c: c["columns"]["loss"].pop(),
    lambda c: c["columns"]["W"].__setitem__(0, 1.5),
    lambda c: c["columns"]["W"].__setitem__(0, [[0.5, 1, 2]] * 4),
    lambda c: c["deltas"].__setitem__("W", "four"),
    lambda c: c["deltas"].__setitem__("missing", 4),
    lambda c: c.__setitem__("records", "many"),
])
def test_a_malformed_chunk_is_a_value_error(damage):
    chunk = orjson.loads(orjson.dumps(encode_chunk(0, records(5)), option=orjson.OPT_SERIALIZE_NUMPY))
    damage(chunk)
    with pytest.raises(ValueError):
        decode_chunk(chunk)


def test_records_of_different_fields_cannot_share_a_chunk():
    first, second = records(2)
    second.pop("loss")
    with pytest.raises(ValueError, match="same fields"):
        encode_chunk(0, [first, second])


def test_the_server_answers_a_malformed_chunk_with_409_and_serves_the_steps_of_a_good_one(small_run, tmp_path):
    import shutil

    run = tmp_path / "r"
    shutil.copytree(small_run, run)
    manifest = read_manifest(run)
    expected = read_all_records(run, manifest)
    client = TestClient(create_app(tmp_path, tmp_path / "none"))
    assert client.get(f"/api/runs/r/steps/{expected[-1]['step']}").json() == expected[-1]
    first = manifest["chunks"]["steps"][0]
    chunk = orjson.loads(gzip.decompress((run / first).read_bytes()))
    chunk["columns"]["W"] = [1.5] * chunk["records"]
    replace_run_file(run, first, gzip.compress(orjson.dumps(chunk)))
    client = TestClient(create_app(tmp_path, tmp_path / "none"))
    response = client.get(f"/api/runs/r/steps/{expected[0]['step']}")
    assert response.status_code == 409 and "is not a step chunk" in response.json()["detail"]["message"]
