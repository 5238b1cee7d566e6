"""The run-end check of a run's vectors (trainer/vector_quality.py) on vectors whose answer is known, and the
teaching run's convergence rule (trainer/run_views.py) on histories whose answer is known."""

import numpy as np
import pytest

from backend.cli import main
from trainer import vector_quality as vq
from trainer.run_views import convergence_view
from trainer.similarity import unit_rows
from trainer.vocab import Vocab


def clusters(rng, words=400, dim=32, themes=8, spread=0.3):
    centres = rng.normal(size=(themes, dim))
    return centres[np.arange(words) % themes] + spread * rng.normal(size=(words, dim))


def test_mean_pair_cosine_and_neighbor_cosines_equal_a_brute_force_count():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 7)) + 0.4
    unit = unit_rows(vectors)
    cos = unit @ unit.T
    assert vq.mean_pair_cosine(unit) == pytest.approx(cos[~np.eye(60, dtype=bool)].mean(), abs=1e-12)
    queries = [0, 5, 59]
    expected = [sorted(np.delete(cos[q], q), reverse=True)[:vq.NEIGHBORS] for q in queries]
    assert np.allclose(vq.neighbor_cosines(unit, queries), expected)


def test_learned_clusters_are_ok():
    rng = np.random.default_rng(1)
    start = rng.uniform(-0.5, 0.5, size=(400, 32))
    quality = vq.vector_quality(clusters(rng), start, list(range(50)))
    assert quality["verdict"] == vq.OK
    assert quality["neighbor_contrast"] > 0.5 and quality["cosine_to_start"] < 0.5
    assert vq.report_lines(quality)[0].startswith("vectors: The vectors have structure")


def test_one_shared_direction_is_collapsed():
    rng = np.random.default_rng(2)
    shared = rng.normal(size=32) * 10
    final = shared + clusters(rng, spread=0.3) * 0.5   # structure, drowned in one common direction
    quality = vq.vector_quality(final, rng.normal(size=(400, 32)), list(range(50)))
    assert quality["mean_pair_cosine"] > vq.COLLAPSED_PAIR_COSINE
    assert quality["verdict"] == vq.COLLAPSED
    assert vq.report_lines(quality)[0].startswith("WARNING, vectors: Under-trained, collapsed")


def test_vectors_that_barely_moved_are_noise():
    rng = np.random.default_rng(3)
    start = rng.normal(size=(400, 32))
    quality = vq.vector_quality(start + 0.01 * rng.normal(size=start.shape), start, list(range(50)))
    assert quality["cosine_to_start"] > 0.99 and quality["verdict"] == vq.NOISE
    assert "Under-trained" in quality["message"] and "still where training started" in quality["message"]


def test_a_deliberately_undertrained_teaching_run_is_reported_by_the_cli(tmp_path, capsys, tokenizers_with_default):
    assert main(["train", "--steps", "60", "--name", "under", "--out", str(tmp_path), "--quiet",
                 "--tokenizers", str(tokenizers_with_default)]) == 0
    out = capsys.readouterr().out
    assert "WARNING, vectors: Under-trained: the vectors are still where training started" in out
    assert "Not converged" in out


def history_of(paths):
    """checkpoints × words × 2: each word's 2-D vector at each checkpoint, from its path of angles (degrees)."""
    angles = np.radians(np.array(paths, dtype=float)).T
    return np.stack([np.cos(angles), np.sin(angles)], axis=-1)


def test_a_word_settles_only_after_holding_for_a_quarter_of_the_run():
    steps = list(range(0, 101, 10))                    # 11 checkpoints, steps 0..100
    history = history_of([
        [90, 60, 30, 10, 0, 0, 0, 0, 0, 0, 0],           # within 18° (cos 0.95) of its end from step 30 on: settled
        [90, 80, 70, 60, 50, 40, 30, 20, 10, 5, 0],      # within 18° (cos 0.95) only from step 80: still moving
        [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],               # never left its end: it did not move, it did not learn
    ])
    view = convergence_view(Vocab(["a", "b", "c"], [3, 2, 1]), steps, history, history[-1])
    assert [view["words"][w]["converged_step"] for w in "abc"] == [30, None, None]
    assert (view["settled_words"], view["unmoved_words"], view["converged"]) == (1, 1, False)
    assert view["message"].startswith("Not converged: 1 of 3 words settled")
