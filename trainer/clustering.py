"""The two small clusterings the explorer's views need, in numpy.

Ward's agglomerative clustering splits a word's dozen neighbors into senses; k-means finds a run's
themes among its few hundred most frequent words. Both are tiny problems, and importing scikit-learn
or scipy.cluster for them would cost more than computing them in every teaching-run write (measured:
docs/performance.md, "Teaching runs"); tests/test_layouts.py checks both against scikit-learn.
"""

import numpy as np

KMEANS_ITERATIONS = 300


def ward(points: np.ndarray, clusters: int) -> list[int]:
    """Labels of Ward's agglomerative clustering into `clusters` groups (labels in order of first
    appearance, as a reader lists them). Merges the pair whose union grows the within-cluster sum
    of squares least, the Lance-Williams way; O(n³), for a dozen points."""
    n = len(points)
    members = [[i] for i in range(n)]
    while len(members) > clusters:
        best, pair = np.inf, (0, 1)
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                growth = ward_cost(points[members[a]], points[members[b]])
                if growth < best:
                    best, pair = growth, (a, b)
        a, b = pair
        members[a] += members.pop(b)
    labels = np.empty(n, dtype=int)
    for label, group in enumerate(sorted(members, key=min)):
        labels[group] = label
    return labels.tolist()


def ward_cost(a: np.ndarray, b: np.ndarray) -> float:
    """Increase of the within-cluster sum of squares when a and b merge: |a||b|/(|a|+|b|)·‖ā − b̄‖²."""
    gap = a.mean(axis=0) - b.mean(axis=0)
    return len(a) * len(b) / (len(a) + len(b)) * float(gap @ gap)


def kmeans(points: np.ndarray, clusters: int, restarts: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(labels, centres) of the best of `restarts` k-means++ starts by inertia; seeded, so the same
    vectors give the same themes."""
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(restarts):
        labels, centres = lloyd(points, kmeans_plus_plus(points, clusters, rng))
        inertia = float(((points - centres[labels]) ** 2).sum())
        if best is None or inertia < best[0]:
            best = (inertia, labels, centres)
    return best[1], best[2]


def kmeans_plus_plus(points: np.ndarray, clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Arthur & Vassilvitskii's start: each next centre drawn with probability ∝ squared distance."""
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, clusters):
        gaps = ((points[:, None, :] - np.array(centres)[None]) ** 2).sum(axis=2).min(axis=1)
        total = gaps.sum()
        pick = rng.choice(len(points), p=gaps / total) if total > 0 else rng.integers(len(points))
        centres.append(points[pick])
    return np.array(centres)


def lloyd(points: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assign to the nearest centre, move each centre to its members' mean, until nothing moves."""
    labels = None
    for _ in range(KMEANS_ITERATIONS):
        gaps = (points * points).sum(axis=1)[:, None] - 2 * points @ centres.T + (centres * centres).sum(axis=1)
        new_labels = np.argmin(gaps, axis=1)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for c in range(len(centres)):
            mine = points[labels == c]
            if len(mine):
                centres[c] = mine.mean(axis=0)
    return labels, centres
