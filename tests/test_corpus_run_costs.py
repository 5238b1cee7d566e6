"""What a corpus run costs beyond training: the views' memory (no V×V matrix) and the phases it reports."""

import tracemalloc

import numpy as np

from trainer.run_views import HISTOGRAM_BINS, histogram_view, pair_cosine_histogram
from trainer.similarity import cosine_matrix


def test_pair_cosine_histogram_counts_every_distinct_pair_as_the_full_matrix_does():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(700, 16)) + rng.normal(size=16)          # a shared direction: cosines skewed
    edges = np.linspace(-1.0, 1.0, HISTOGRAM_BINS + 1)
    counts, mean = pair_cosine_histogram(vectors, edges, block=64)
    full = np.clip(cosine_matrix(vectors)[np.triu_indices(700, 1)], -1.0, 1.0)
    assert counts == np.histogram(full, edges)[0].tolist()
    assert sum(counts) == 700 * 699 // 2 and abs(mean - full.mean()) < 1e-9


def test_histogram_view_never_holds_a_words_by_words_matrix():
    rng = np.random.default_rng(1)
    words = 2000
    initial, final = (rng.normal(size=(words, 8)).astype(np.float32) for _ in range(2))
    tracemalloc.start()
    view = histogram_view(initial, final)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert view["pairs"] == words * (words - 1) // 2 == sum(view["final"]) == sum(view["initial"])
    assert peak < words * words * 8 / 2          # a 2,000² float64 matrix is 32 MB; the blocks stay far below


def test_a_corpus_run_prints_its_phases_and_they_add_up_to_the_total(tmp_path):
    from tests.test_sgns import config, write_topics
    from trainer.sgns.run import train_corpus_run

    printed = []
    summary = train_corpus_run(config(write_topics(tmp_path / "topics.txt", lines=600), epochs=1), "phases",
                               tmp_path / "runs", progress=False, log=printed.append)
    phases = summary.phases
    assert list(phases["seconds"]) == ["read + vocabulary", "setup", "train (recording)", "write", "views", "check"]
    assert all(s >= 0 for s in phases["seconds"].values())
    assert abs(sum(phases["seconds"].values()) - phases["total"]) < 0.05 * phases["total"] + 0.05
    assert phases["peak_rss_mb"] > 0
    start = printed.index("time per phase:")
    assert [line.split()[0] for line in printed[start + 1:start + 7]] == ["read", "setup", "train", "write", "views",
                                                                          "check"]
    assert printed[start + 7].split()[0] == "total" and "peak RSS" in printed[start + 7]


def test_phases_nested_count_only_for_themselves():
    from trainer.phases import Phases

    phases = Phases()
    with phases.phase("outer"):
        with phases.phase("inner"):
            sum(range(200_000))
    seconds = phases.to_dict()["seconds"]
    assert seconds["inner"] > 0 and seconds["outer"] < seconds["inner"]
