"""The fast path answers tokenize, neighbours and run files exactly as the FastAPI app would, and
leaves everything else (errors included) to the app."""

import json

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.app import create_app, serving_app
from backend.fastpath import FastPath

LONG_TEXT = "The creature's eyes opened; it breathed hard, and a convulsive motion agitated its limbs. " * 20


@pytest.fixture(scope="module")
def clients(served_data):
    """(fast, plain): the app behind the fast path, and the app alone, over the same directories."""
    return TestClient(serving_app(*served_data)), TestClient(serving_app(*served_data, fast_path=False))


class Recorder:
    """Stands in for the app behind the fast path and notes each request that reaches it."""

    def __init__(self, app):
        self.app, self.paths = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def recorded(served_data):
    fast = FastPath(create_app(*served_data))
    fast.app = recorder = Recorder(fast.app)
    return TestClient(fast), recorder


def raw(client, method, url, **kwargs):
    """Status, headers and body as sent (gzip not undone), for a byte-for-byte comparison."""
    with client.stream(method, url, **kwargs) as response:
        return response.status_code, sorted(response.headers.multi_items()), b"".join(response.iter_raw())


def same_answer(clients, method, url, **kwargs):
    fast, plain = (raw(client, method, url, **kwargs) for client in clients)
    assert fast == plain, url
    return fast


def chunk_path(clients) -> str:
    manifest = clients[1].get("/api/runs/default").json()
    return manifest["chunks"]["steps"][1]


GZIP, IDENTITY = {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "identity"}


@pytest.mark.parametrize("body", [
    {"text": "the king and the queen"},
    {"text": LONG_TEXT},                                   # over the gzip threshold
    {"text": LONG_TEXT, "merges": 20, "tokenizer": "small"},
    {"text": "東京 🍕 e\u0301", "merges": 0},
    {"text": ""},
])
@pytest.mark.parametrize("headers", [GZIP, IDENTITY])
def test_tokenize_answers_are_identical(clients, body, headers):
    status, _, _ = same_answer(clients, "POST", "/api/tokenize", content=orjson.dumps(body),
                               headers={"Content-Type": "application/json", **headers})
    assert status == 200


@pytest.mark.parametrize("query", ["word=king", "word=KING&k=3&metric=euclidean", "word=queen&step=1",
                                   "word=king&k=100"])
@pytest.mark.parametrize("headers", [GZIP, IDENTITY])
def test_neighbour_answers_are_identical(clients, query, headers):
    assert same_answer(clients, "GET", f"/api/runs/default/neighbors?{query}", headers=headers)[0] == 200


def test_run_file_answers_are_identical_cached_or_not(clients):
    chunk = chunk_path(clients)
    for headers in (GZIP, IDENTITY):
        status, answer_headers, _ = same_answer(clients, "GET", f"/api/runs/default/files/{chunk}", headers=headers)
        assert status == 200
        etag = dict(answer_headers)["etag"]
        assert same_answer(clients, "GET", f"/api/runs/default/files/vocab.json?v={etag.strip(chr(34))}",
                           headers=headers)[0] == 200
        assert same_answer(clients, "GET", f"/api/runs/default/files/{chunk}",
                           headers={"If-None-Match": etag, **headers})[0] == 304


ERRORS = [
    ("POST", "/api/tokenize", {"content": b'{"text": ', "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/tokenize", {"content": b'{"text": 5}', "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/tokenize", {"content": b'{"text": "a", "extra": 1}', "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/tokenize", {"content": b'{"text": "a", "tokenizer": "../x"}',
                               "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/tokenize", {"content": orjson.dumps({"text": "a" * 100_001}),
                               "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/tokenize", {"content": b'{"text": "a"}', "headers": {"Content-Type": "text/plain"}}),
    ("GET", "/api/runs/default/neighbors?word=kingg", {}),
    ("GET", "/api/runs/default/neighbors?word=king&k=0", {}),
    ("GET", "/api/runs/default/neighbors?word=king&metric=manhattan", {}),
    ("GET", "/api/runs/default/neighbors?word=king&step=52", {}),  # not a recorded step
    ("GET", "/api/runs/nope/neighbors?word=king", {}),
    ("GET", "/api/runs/broken/neighbors?word=king", {}),
    ("GET", "/api/runs/default/files/../../etc/passwd", {}),
    ("GET", "/api/runs/default/files/", {}),
    ("GET", "/api/runs/broken/files/vocab.json", {}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), ERRORS)
def test_errors_come_from_the_app_itself(clients, recorded, method, url, kwargs):
    status, _, body = same_answer(clients, method, url, **kwargs)
    assert status >= 400 and orjson.loads(body)["detail"]
    client, recorder = recorded
    client.request(method, url, **kwargs)
    assert recorder.paths, "an error must be answered by the app, not by the fast path"


def test_hot_requests_never_reach_the_app(clients, recorded):
    client, recorder = recorded
    chunk = chunk_path(clients)
    assert client.post("/api/tokenize", json={"text": LONG_TEXT}).status_code == 200
    assert client.post("/api/tokenize", content=orjson.dumps({"text": "a"}),
                       headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 200
    assert client.get("/api/runs/default/neighbors?word=king&k=5").status_code == 200
    assert client.get(f"/api/runs/default/files/{chunk}").status_code == 200
    assert recorder.paths == []
    assert client.get("/api/runs/default").status_code == 200  # not a hot route: the app answers
    assert recorder.paths == ["/api/runs/default"]


def test_json_only_the_app_accepts_gets_the_apps_answer(clients):
    """orjson refuses lone surrogates and NaN, which Python's json (FastAPI's parser) reads: the app answers them."""
    surrogate = same_answer(clients, "POST", "/api/tokenize", content=b'{"text": "x \\ud800 y"}',
                            headers={"Content-Type": "application/json"})
    assert surrogate[0] == 422 and b"unpaired surrogate" in surrogate[2]
    nan = same_answer(clients, "POST", "/api/tokenize", content=b'{"text": "a", "merges": NaN}',
                      headers={"Content-Type": "application/json"})
    assert nan[0] == 422


words = st.sampled_from(["king", "queen", "KING", " king ", "", "kingg", "a" * 101, "%", "man"])
numbers = st.sampled_from(["1", "5", "0", "101", "-1", "", "x", "3.0", "2", "1000000000000"])
params = st.lists(st.tuples(st.sampled_from(["word", "k", "metric", "step", "other"]),
                            st.one_of(words, numbers, st.sampled_from(["cosine", "euclidean", "dot"]))),
                  max_size=5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params, st.sampled_from(["default", "broken", "nope"]))
def test_any_neighbour_query_gets_the_same_answer(clients, pairs, run):
    query = "&".join(f"{key}={value}" for key, value in pairs)
    same_answer(clients, "GET", f"/api/runs/{run}/neighbors?{query}")


bodies = st.one_of(
    st.fixed_dictionaries({"text": st.text(max_size=300)},
                          optional={"merges": st.one_of(st.none(), st.integers(-5, 10**6)),
                                    "tokenizer": st.sampled_from(["default", "small", "nope", ""])}),
    st.dictionaries(st.sampled_from(["text", "merges", "tokenizer", "ids"]),
                    st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3)),
                    max_size=3),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies, st.sampled_from([GZIP, IDENTITY]))
def test_any_tokenize_body_gets_the_same_answer(clients, body, headers):
    # Python's json, not orjson: integers past 64 bits are valid JSON (orjson refuses them: the app answers)
    same_answer(clients, "POST", "/api/tokenize", content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", **headers})
