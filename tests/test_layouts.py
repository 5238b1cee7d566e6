"""The explorer's numpy t-SNE and clusterings against scikit-learn, the reference they replace in small runs."""

import numpy as np
import pytest

from trainer.clustering import kmeans, ward
from trainer.tsne import cosine_distances, joint_probabilities, tsne


def planted(n: int, clusters: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)) * 3
    labels = rng.integers(0, clusters, n)
    return centres[labels] + rng.normal(size=(n, dim)), labels


def same_partition(a, b) -> bool:
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len(set(a)) == len(set(b))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("clusters", [2, 3])
def test_ward_makes_sklearns_partition(seed, clusters):
    from sklearn.cluster import AgglomerativeClustering

    points = np.random.default_rng(seed).normal(size=(12, 5))
    expected = AgglomerativeClustering(n_clusters=clusters, linkage="ward").fit_predict(points)
    labels = ward(points, clusters)
    assert same_partition(labels, expected.tolist())
    assert labels[0] == 0 and sorted(set(labels)) == list(range(clusters))   # labels by first appearance


@pytest.mark.parametrize("seed", range(4))
def test_kmeans_finds_planted_themes_as_well_as_sklearn(seed):
    from sklearn.cluster import KMeans

    points, truth = planted(300, 6, 10, seed)
    labels, centres = kmeans(points, 6, seed=seed)
    assert same_partition(labels.tolist(), truth.tolist())
    reference = KMeans(n_clusters=6, n_init=4, random_state=seed).fit(points)
    assert ((points - centres[labels]) ** 2).sum() <= reference.inertia_ * (1 + 1e-9)
    assert np.array_equal(kmeans(points, 6, seed=seed)[0], labels)                  # seeded: same themes


def test_joint_probabilities_reach_the_perplexity_in_every_row():
    points, _ = planted(80, 4, 8, 0)
    distances = cosine_distances(points)
    joint = joint_probabilities(distances, 10.0)
    assert np.allclose(joint, joint.T) and abs(joint.sum() - 1) < 1e-6 and np.all(np.diag(joint) == 0)
    from sklearn.manifold._t_sne import _joint_probabilities

    reference = _joint_probabilities(distances, 10.0, 0)     # sklearn's condensed upper triangle
    assert np.allclose(joint[np.triu_indices(80, 1)], reference, rtol=1e-3, atol=1e-9)


def trustworthiness_of_both(points: np.ndarray, layout: np.ndarray) -> tuple[float, float]:
    """How well `layout` and sklearn's t-SNE of `points` (its defaults, PCA start) keep the 10 nearest."""
    from sklearn.manifold import TSNE, trustworthiness

    reference = TSNE(2, perplexity=30, metric="cosine", init="pca", random_state=0,
                     learning_rate="auto").fit_transform(points)
    return (trustworthiness(points, layout, n_neighbors=10, metric="cosine"),
            trustworthiness(points, reference, n_neighbors=10, metric="cosine"))


def test_tsne_keeps_neighborhoods_as_well_as_sklearn_and_separates_planted_clusters():
    points, truth = planted(150, 5, 20, 1)
    layout = tsne(points)
    ours, theirs = trustworthiness_of_both(points, layout)
    assert ours >= theirs - 0.01
    centres = np.array([layout[truth == c].mean(axis=0) for c in range(5)])
    nearest_centre = np.argmin(((layout[:, None] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert np.mean(nearest_centre == truth) >= 0.98
    assert np.array_equal(tsne(points), layout)                                     # no random start


def test_tsne_of_fewer_than_four_points_is_a_point():
    assert tsne(np.ones((3, 4))).tolist() == [[0.0, 0.0]] * 3


def test_tsne_of_a_corpus_run_sized_map_keeps_neighborhoods_as_well_as_sklearns_barnes_hut():
    """The explorer's map of a corpus run (up to 2,000 words) used sklearn's Barnes-Hut; the compiled exact
    t-SNE replaced it, so it must keep neighbourhoods at least as well on more points than a teaching run."""
    points, _ = planted(600, 12, 50, 2)
    layout = tsne(points)
    ours, theirs = trustworthiness_of_both(points, layout)
    assert ours >= theirs - 0.01
    assert np.isfinite(layout).all() and layout.shape == (600, 2)


def test_joint_probabilities_of_many_points_match_sklearns():
    points, _ = planted(400, 8, 20, 3)
    distances = cosine_distances(points)
    joint = joint_probabilities(distances, 30.0)
    from sklearn.manifold._t_sne import _joint_probabilities

    reference = _joint_probabilities(distances, 30.0, 0)
    assert np.allclose(joint[np.triu_indices(400, 1)], reference, rtol=1e-3, atol=1e-9)


def test_nearest_neighbour_p_is_the_exact_p_when_every_point_is_a_neighbour_and_sparse_otherwise():
    """tsne() uses sklearn's Barnes-Hut P (3×perplexity neighbours per row): with k ≥ N − 1 it must be the
    exact P; with fewer, each row keeps at most 2k entries (its own k and the rows that chose it)."""
    from trainer.tsne import nearest_neighbour_p

    points, _ = planted(80, 4, 8, 4)
    exact = joint_probabilities(cosine_distances(points), 30.0)        # k = 91 ≥ 79: every other point
    sparse = nearest_neighbour_p(points, 30.0)
    assert np.allclose(sparse.dense(), exact, rtol=1e-4, atol=1e-9)
    points, _ = planted(400, 8, 20, 5)
    sparse = nearest_neighbour_p(points, 10.0)                         # k = 31
    dense = sparse.dense()
    assert np.allclose(dense, dense.T) and abs(dense.sum() - 1) < 1e-5 and np.all(np.diag(dense) == 0)
    assert np.diff(sparse.indptr).max() <= 2 * 31 and np.diff(sparse.indptr).min() >= 31
