"""The SGNS building blocks against their formulas: subsampling, noise, pair building, recorded steps."""

import numpy as np
import pytest
import torch

from tests.autograd_losses import leaf, sgns_loss
from trainer.sgns.corpus_ids import SENTENCE_END
from trainer.sgns.numba_kernel import STATS, train_chunk
from trainer.sgns.sampling import NOISE_POWER, NoiseAlias, keep_probabilities, noise_distribution
from trainer.sgns.schedule import chunk_bounds
from trainer.sgns.step import sgns_step
from trainer.sgns.torch_engine import window_pairs

END = int(SENTENCE_END)


def flat(sentences: list[list[int]]) -> np.ndarray:
    ids = [w for s in sentences for w in (*s, END)]
    out = np.asarray(ids, np.uint32)
    out.flags.writeable = False
    return out


def run_kernel(ids, vocab, keep, window=5, negative=3, seed=7, dim=8, lr=(0.025, 0.0001)):
    rng = np.random.default_rng(0)
    W = ((rng.random((vocab, dim)) - 0.5) / dim).astype(np.float32)
    W_out = np.zeros((vocab, dim), np.float32)
    stats = np.zeros(STATS)
    noise = NoiseAlias(np.ones(vocab))
    train_chunk(ids, 0, len(ids), W, W_out, keep.astype(np.float32), noise.accept, noise.alias, window, negative,
                *lr, seed, stats)
    return stats, W, W_out


def test_keep_probability_is_word2vecs_formula():
    counts = np.array([100_000, 10_000, 1_000, 100, 10])
    sample = 1e-3
    threshold = sample * counts.sum()
    expected = [min(1.0, (np.sqrt(c / threshold) + 1) * threshold / c) for c in counts]
    np.testing.assert_allclose(keep_probabilities(counts, sample), expected, rtol=1e-6)
    assert keep_probabilities(counts, 0).tolist() == [1.0] * 5


def test_kernel_keeps_tokens_at_the_keep_probability():
    """Sentences 'a b' with window 1: a pair survives iff a is kept (b always is): 2·keep(a) pairs each."""
    n = 20_000
    stats, _, _ = run_kernel(flat([[0, 1]] * n), 2, np.array([0.3, 1.0]), window=1)
    observed = stats[1] / (2 * n)
    assert abs(observed - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)
    assert stats[0] == 2 * n  # words read are counted before subsampling, as gensim counts them


def test_noise_alias_table_follows_unigram_to_the_three_quarters():
    counts = np.array([5000, 1200, 300, 40, 7, 5, 5, 1])
    expected = counts ** NOISE_POWER / (counts ** NOISE_POWER).sum()
    np.testing.assert_allclose(noise_distribution(counts), expected)
    noise = NoiseAlias(counts)
    np.testing.assert_allclose(noise.probabilities(), expected, rtol=1e-6)  # exact up to float32 acceptances
    draws = noise.draw(np.random.default_rng(3), 200_000)
    observed = np.bincount(draws, minlength=len(counts)) / len(draws)
    assert np.all(np.abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / len(draws)))


def test_kernel_loss_is_the_sgns_loss_at_the_start():
    """With lr 0 and W_out = 0 every score is 0: each pair costs −log σ(0) for the positive and for each of
    the k negatives (one the context is skipped), i.e. about (1 + k)·log 2 with 1,000 words."""
    rng = np.random.default_rng(9)
    stats, _, _ = run_kernel(flat([rng.integers(0, 1000, 8).tolist() for _ in range(300)]), 1000, np.ones(1000),
                             negative=5, lr=(0.0, 0.0))
    assert stats[2] / stats[1] == pytest.approx(6 * np.log(2), rel=5e-3)


def naive_pairs(sentences, reduced, window):
    pairs, k = [], 0
    for sentence in sentences:
        for i, center in enumerate(sentence):
            for j, context in enumerate(sentence):
                if j != i and abs(i - j) <= min(reduced[k], window):
                    pairs.append((center, context))
            k += 1
    return sorted(pairs)


def test_vectorized_pair_builder_equals_naive_reference():
    rng = np.random.default_rng(11)
    for _ in range(20):
        window = int(rng.integers(1, 6))
        sentences = [rng.integers(0, 30, rng.integers(1, 12)).tolist() for _ in range(rng.integers(1, 8))]
        ids = torch.tensor([w for s in sentences for w in s])
        sentence = torch.tensor([i for i, s in enumerate(sentences) for _ in s])
        reduced = rng.integers(1, window + 1, len(ids))
        centers, contexts = window_pairs(ids, sentence, torch.from_numpy(reduced), window)
        assert sorted(zip(centers.tolist(), contexts.tolist(), strict=True)) == naive_pairs(sentences, reduced, window)


def test_compiled_kernel_builds_every_pair_of_the_naive_reference():
    """Window 1 (never shrunk), nothing subsampled: the kernel's pair count is the naive count."""
    rng = np.random.default_rng(5)
    sentences = [rng.integers(0, 20, rng.integers(1, 15)).tolist() for _ in range(300)]
    stats, _, _ = run_kernel(flat(sentences), 20, np.ones(20), window=1)
    assert stats[1] == len(naive_pairs(sentences, [1] * sum(map(len, sentences)), 1))


def test_kernel_is_deterministic_for_a_seed():
    rng = np.random.default_rng(2)
    ids = flat([rng.integers(0, 50, 10).tolist() for _ in range(200)])
    first, second = run_kernel(ids, 50, np.full(50, 0.8)), run_kernel(ids, 50, np.full(50, 0.8))
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not np.array_equal(first[1], run_kernel(ids, 50, np.full(50, 0.8), seed=8)[1])


def test_chunks_end_at_sentence_ends_and_cover_everything():
    rng = np.random.default_rng(4)
    ids = flat([rng.integers(0, 9, rng.integers(1, 30)).tolist() for _ in range(5000)])
    bounds = chunk_bounds(ids)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(ids)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(ids[end - 1] == END for _, end in bounds)


@pytest.mark.parametrize("seed", range(5))
def test_step_record_gradient_equals_autograd(seed):
    rng = np.random.default_rng(seed)
    v, u, neg = (rng.normal(0, 0.5, shape).astype(np.float32) for shape in ((16,), (16,), (5, 16)))
    record = sgns_step(v, u, neg, 0.025)
    v_t, u_t, neg_t = leaf(v), leaf(u), leaf(neg)
    loss = sgns_loss(v_t, u_t, neg_t)
    loss.backward()
    assert np.max(np.abs(record["grad_v_c"] - v_t.grad.numpy())) <= 1e-6
    assert abs(record["loss"] - loss.item()) <= 1e-5
    np.testing.assert_allclose(record["update_v_c"], -np.float32(0.025) * record["grad_v_c"], rtol=1e-6)
