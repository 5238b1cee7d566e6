"""The explorer's routes: neighbors of several words, the map file, the similarity matrix of a word set."""

import gzip
import shutil

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from safetensors.numpy import load_file

from backend.app import create_app
from backend.schemas import MAX_MATRIX_WORDS, MAX_QUERY_WORDS


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, small_run):
    runs = tmp_path_factory.mktemp("explorer") / "runs"
    shutil.copytree(small_run, runs / "small")
    return runs / "small"


@pytest.fixture(scope="module")
def client(run_dir):
    return TestClient(create_app(run_dir.parent, run_dir.parent / "no-tokenizers"))


def test_batch_neighbors_equal_the_single_word_route(client):
    words = ["king", "queen", "cat"]
    batch = client.get("/api/runs/small/neighbors/batch", params={"words": words, "k": 4}).json()
    assert [c["word"] for c in batch["columns"]] == words
    for column in batch["columns"]:
        single = client.get("/api/runs/small/neighbors", params={"word": column["word"], "k": 4}).json()
        assert column["neighbors"] == single["neighbors"]


def test_batch_neighbors_unknown_word_and_bounds(client):
    r = client.get("/api/runs/small/neighbors/batch", params={"words": ["king", "quen"]})
    assert r.status_code == 404 and "queen" in r.json()["detail"]["suggestions"]
    r = client.get("/api/runs/small/neighbors/batch", params={"words": ["king"] * (MAX_QUERY_WORDS + 1)})
    assert r.status_code == 422
    assert client.get("/api/runs/small/neighbors/batch").status_code == 422


def test_similarity_matrix_equals_similarity_json(client, run_dir):
    stored = orjson.loads((run_dir / "similarity.json").read_bytes())
    index = {w: i for i, w in enumerate(stored["words"])}
    words = ["king", "queen", "cat", "dog", "paris", "king"]
    for order in ("input", "cluster"):
        got = client.get("/api/runs/small/similarity/matrix", params={"words": words, "order": order}).json()
        assert sorted(got["words"]) == sorted(set(words))
        if order == "input":
            assert got["words"] == ["king", "queen", "cat", "dog", "paris"]
        for r, a in enumerate(got["words"]):
            for c, b in enumerate(got["words"]):
                assert got["matrix"][r][c] == pytest.approx(stored["matrix"][index[a]][index[b]], abs=1e-6)
    r = client.get("/api/runs/small/similarity/matrix", params={"words": ["w"] * (MAX_MATRIX_WORDS + 1)})
    assert r.status_code == 422


def test_clustered_order_puts_similar_words_together(client):
    """The leaf order keeps each word next to a word it is close to more often than the input order."""
    words = client.get("/api/runs/small/files/explorer/heatmap_words.json").json()["words"]
    got = {order: client.get("/api/runs/small/similarity/matrix", params={"words": words, "order": order}).json()
           for order in ("input", "cluster")}
    adjacent = {o: np.mean([m["matrix"][i][i + 1] for i in range(len(m["words"]) - 1)]) for o, m in got.items()}
    assert adjacent["cluster"] > adjacent["input"]


def test_map_is_served_gzipped_and_matches_the_weights(client, run_dir):
    r = client.get("/api/runs/small/map", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip" and r.headers["etag"]
    data = r.json()
    assert data == orjson.loads(gzip.decompress((run_dir / "explorer/map.json.gz").read_bytes()))
    W = load_file(str(run_dir / "model.safetensors"))["W"]
    assert data["words"] == orjson.loads((run_dir / "vocab.json").read_bytes())["words"]
    assert len(data["pca"]) == len(data["tsne"]) == 2 * len(W)
    # the PCA map is the final W on its first two principal axes: same pairwise distances up to the dropped axes
    pca = np.asarray(data["pca"]).reshape(-1, 2)
    centred = W - W.mean(0)
    _, _, axes = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    expected = centred @ axes[:2].T
    assert np.allclose(np.abs(pca), np.abs(expected), atol=2e-3)
    assert client.get("/api/runs/nope/map").status_code == 404
