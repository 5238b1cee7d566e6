"""Shared fixtures: small real runs written once per session into temporary directories."""

from pathlib import Path

import pytest

from trainer.config import TrainConfig

SMALL_STEPS = 400


@pytest.fixture(scope="session")
def small_config() -> TrainConfig:
    """The built-in teaching corpus, few steps, small chunks so that several chunks are written."""
    return TrainConfig(steps=SMALL_STEPS, lr=0.3, dense_steps=50, record_interval=7, chunk_size=40)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, small_config) -> Path:
    from trainer.teaching_run import train_run

    out = tmp_path_factory.mktemp("runs")
    return train_run(small_config, "small", out, progress=False, log=lambda _: None).run_dir


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
