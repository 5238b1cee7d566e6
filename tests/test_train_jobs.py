"""The training API's options and estimates: knobs and help come from the trainer's config, out-of-range
knobs get a 422 listing every problem, a teaching run's cost is counted from its recorded steps."""

from dataclasses import fields

import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from trainer.config import TrainConfig


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    (root / "runs").mkdir()
    (root / "tokenizers").mkdir()
    return TestClient(create_app(root / "runs", root / "tokenizers", frontend_dir=root / "none"))


def test_options_carry_the_cli_help_and_defaults(client):
    options = client.get("/api/train/options").json()
    teaching = {k["name"]: k for k in options["kinds"]["teaching"]}
    help_texts = {f.name: f.metadata["help"] for f in fields(TrainConfig)}
    assert teaching["window"]["help"] == help_texts["window"]
    assert teaching["dim"]["default"] == TrainConfig().dim
    assert teaching["lr"]["integer"] is False and teaching["steps"]["integer"] is True
    assert {"dim", "window", "epochs", "max_vocab"} <= {k["name"] for k in options["kinds"]["corpus"]}


def test_knobs_out_of_range_get_a_422_listing_every_problem(client):
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "knobs": {
        "dim": 5000, "window": 0, "lr": "fast", "colour": 3, "steps": 100.5}})
    assert answer.status_code == 422
    message = answer.json()["detail"]["message"]
    for part in ("dim: must be from 2 to 50 (got 5000)", "window: must be from 1 to 10",
                 "lr: must be a number", "colour: not a knob", "steps: must be an integer"):
        assert part in message
    assert len(answer.json()["detail"]["errors"]) == 5


def test_a_bad_kind_or_method_is_a_422(client):
    assert client.post("/api/train/estimate", json={"kind": "huge"}).status_code == 422
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "method": "cbow"})
    assert answer.status_code == 422 and "method" in answer.json()["detail"]["message"]


def test_teaching_estimate_counts_recorded_steps_and_size(client):
    answer = client.post("/api/train/estimate", json={"kind": "teaching", "knobs": {"steps": 1000, "dim": 4}})
    assert answer.status_code == 200
    body = answer.json()
    config = TrainConfig(steps=1000, dim=4)
    assert body["steps"] == 1000 and body["recorded_steps"] == len(config.recorded_steps())
    assert body["max_bytes"] == body["recorded_steps"] * 2 * config.max_vocab * 4 * 4
    assert body["knobs"]["window"] == TrainConfig().window
