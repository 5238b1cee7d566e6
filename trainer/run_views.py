"""Views derived from the recorded training, computed once so pages only read them.

neighbors of key words over training, the final similarity matrix, analogy probes,
per-word convergence, and W versus W' (input vs output vectors of each word).
"""

import itertools
from concurrent.futures import Future

import numpy as np

from trainer import run_format
from trainer.clustering import kmeans, ward
from trainer.rounding import round_fixed
from trainer.similarity import analogy, analogy_scores, cosine_matrix, nearest, unit_rows
from trainer.vocab import RARE, STOPWORD, Vocab, drop_reason

# a : b :: c : d probes; only those whose four words are all in the vocabulary are evaluated.
ANALOGY_PROBES = [
    ("man", "woman", "king", "queen"), ("king", "queen", "man", "woman"),
    ("king", "queen", "prince", "princess"), ("man", "woman", "boy", "girl"),
    ("father", "mother", "son", "daughter"), ("brother", "sister", "husband", "wife"),
    ("paris", "france", "london", "england"), ("paris", "france", "rome", "italy"),
    ("berlin", "germany", "madrid", "spain"), ("france", "french", "germany", "german"),
    ("puppy", "dog", "kitten", "cat"), ("winter", "cold", "summer", "hot"),
]
KEY_WORD_COUNT = 12
SAMPLE_SENTENCES = 12                # corpus_stats.json: first sentences shown
TOP_DROPPED = 30                    # corpus_stats.json: most frequent dropped words
NEIGHBOR_CHECKPOINTS = 20
CONVERGENCE_POINTS = 100
NEIGHBORS_K = 5
CONVERGED_COSINE = 0.95
# A word has settled only if it stayed within CONVERGED_COSINE of its final vector over at least this share
# of the run's last steps: at the last checkpoint every word is trivially at its final vector.
CONVERGED_HOLD = 0.25
CONVERGED_SHARE = 0.9                # a run has converged when this share of its words has settled


Probe = tuple[str, str, str, str]  # a : b :: c : expected


def probes_in_vocab(vocab: Vocab, probes: list[Probe] = ANALOGY_PROBES) -> list[Probe]:
    """The probes whose four words are in the vocabulary (a corpus run passes the book probes of data/probes/)."""
    return [p for p in probes if all(w in vocab.index for w in p)]


def key_words(vocab: Vocab, first: list[str] = ()) -> list[str]:
    """`first` (a run's first queries, trainer/run_probes.py), then the words of the analogy probes (they tell
    the story), then the most frequent words."""
    words = dict.fromkeys(w for w in first if w in vocab.index)
    words.update(dict.fromkeys(w for probe in probes_in_vocab(vocab) for w in probe))
    words.update(dict.fromkeys(vocab.words))
    return list(words)[:KEY_WORD_COUNT]


def checkpoints(count: int, wanted: int) -> list[int]:
    """Evenly spaced indices over `count` items, first and last included."""
    return sorted(set(np.linspace(0, count - 1, min(wanted, count)).round().astype(int).tolist()))


def neighbor_evolution(vocab: Vocab, steps: list[int], history: np.ndarray, first: list[str] = ()) -> dict:
    picks = checkpoints(len(steps), NEIGHBOR_CHECKPOINTS)
    words = key_words(vocab, first)
    evolution = {
        word: [[[vocab.words[j], round(s, 4)] for j, s in nearest(history[i], vocab.index[word], NEIGHBORS_K)]
               for i in picks]
        for word in words
    }
    return {"metric": "cosine", "k": NEIGHBORS_K, "steps": [steps[i] for i in picks],
            "words": words, "neighbors": evolution}


def similarity_view(vocab: Vocab, final_W: np.ndarray) -> dict:
    return {"metric": "cosine", "words": vocab.words, "matrix": round_fixed(cosine_matrix(final_W), 3)}


def analogy_view(vocab: Vocab, final_W: np.ndarray, probes: list[Probe] = ANALOGY_PROBES) -> dict:
    results = []
    for a, b, c, expected in probes_in_vocab(vocab, probes):
        ids = [vocab.index[w] for w in (a, b, c)]
        ranked = analogy(final_W, *ids, k=len(vocab))
        order = [vocab.words[i] for i, _ in ranked]
        results.append({
            "a": a, "b": b, "c": c, "expected": expected,
            "predictions": [[vocab.words[i], round(s, 4)] for i, s in ranked[:NEIGHBORS_K]],
            "expected_rank": order.index(expected) + 1,
            "correct": order[0] == expected,
        })
    return {"method": "3CosAdd", "analogies": results}


def convergence_view(vocab: Vocab, steps: list[int], history: np.ndarray, final_W: np.ndarray) -> dict:
    """How close each word's vector is to where it ends, over training, and when it settled: the first
    checkpoint from which its cosine to the final vector stays ≥ CONVERGED_COSINE, counted only if that
    held over at least the last CONVERGED_HOLD of the run's steps (else the word was still moving) and the
    word started outside it (a word that never moved has not converged, it has not learned)."""
    unit_final = unit_rows(final_W)
    cosines = np.empty(history.shape[:2])
    distances = np.empty(history.shape[:2])
    for t in range(len(history)):          # a checkpoint at a time: history may be a snapshots file
        step = np.asarray(history[t])
        cosines[t] = np.einsum("vd,vd->v", unit_rows(step), unit_final)
        distances[t] = np.linalg.norm(step - final_W, axis=1)
    settled = np.flip(np.minimum.accumulate(np.flip(cosines, 0), 0), 0) >= CONVERGED_COSINE
    latest = steps[-1] - CONVERGED_HOLD * (steps[-1] - steps[0])   # settling after this is not yet evidence
    picks = checkpoints(len(steps), CONVERGENCE_POINTS)
    words = {}
    for v, word in enumerate(vocab.words):
        first = np.flatnonzero(settled[:, v])
        moved = first.size and first[0] > 0
        words[word] = {
            "cosine_to_final": round_fixed(cosines[picks, v], 4),
            "distance_to_final": round_fixed(distances[picks, v], 4),
            "converged_step": steps[int(first[0])] if moved and steps[int(first[0])] <= latest else None,
        }
    count = sum(w["converged_step"] is not None for w in words.values())
    unmoved = int(np.sum(settled[0]))
    return {"steps": [steps[i] for i in picks], "threshold": CONVERGED_COSINE, "hold": CONVERGED_HOLD,
            "settled_words": count, "unmoved_words": unmoved, "converged": count >= CONVERGED_SHARE * len(words),
            "message": convergence_message(count, unmoved, len(words)), "words": words}


def convergence_message(settled: int, unmoved: int, words: int) -> str:
    """The run's convergence in one sentence (the CLI and the explorer show it)."""
    rule = (f"stayed within cosine {CONVERGED_COSINE} of its final vector over at least the last "
            f"{CONVERGED_HOLD:.0%} of training, after starting outside it")
    if unmoved > words / 2:
        return (f"Not converged: {unmoved:,} of {words:,} words never left cosine {CONVERGED_COSINE} of where they "
                f"started, so they have not learned yet. Train longer (more --steps or --epochs).")
    if settled >= CONVERGED_SHARE * words:
        return f"Converged: {settled:,} of {words:,} words settled (each {rule})."
    verdict = "Mostly converged" if settled >= words / 2 else "Not converged"
    return (f"{verdict}: {settled:,} of {words:,} words settled (each {rule}); the others were still moving when "
            f"training stopped. Train longer (more --steps or --epochs) or with a lower --lr to see them settle.")


def input_output_view(vocab: Vocab, final_W: np.ndarray, final_W_prime: np.ndarray) -> dict:
    """Each word's input vector (row of W) against its output vector (column of W')."""
    outputs = final_W_prime.T
    cos = np.sum(unit_rows(final_W) * unit_rows(outputs), axis=1)
    return {
        "words": vocab.words,
        "cosine": round_fixed(cos, 4),
        "norm_W": round_fixed(np.linalg.norm(final_W, axis=1), 4),
        "norm_W_prime": round_fixed(np.linalg.norm(outputs, axis=1), 4),
    }


# ---- The explorer page's views (docs/run-format.md, "explorer/"). Any run writer calls explorer_views. ----

MAP_DECIMALS = 3
MAP_CHECKPOINTS = 20
HISTOGRAM_BINS = 40
HISTOGRAM_MAX_WORDS = 2000          # 2,000 words = 2.0M pairs: every pair counted, in well under a second
HEATMAP_THEMES = 6
HEATMAP_PER_THEME = 6               # 36 words by default
HEATMAP_POOL = 300                  # themes are found among the most frequent words
POLYSEMY_CANDIDATES = ("light", "nature", "left", "right", "spring", "bank", "fair", "play", "match", "bark",
                       "fall", "watch", "well", "mean", "kind", "present", "letter", "fire", "plant", "bat")
POLYSEMY_NEIGHBORS = 12
TSNE_PERPLEXITY = 30.0


def explorer_views(vocab: Vocab, steps: list[int], history: np.ndarray, initial_W: np.ndarray,
                   final_W: np.ndarray, final_W_prime: np.ndarray, *, tsne: bool | Future = True,
                   probes: list[Probe] = ANALOGY_PROBES, content: list[str] | None = None) -> dict[str, dict]:
    """The explorer's views as {relpath: view}; a relpath ending in .gz is meant to be written gzipped.

    `history` (checkpoints × N × d) holds the vectors of the N recorded words, which are the first N ids
    (the most frequent words, as every writer orders its vocabulary) at each of `steps`; a teaching run
    records all V. `initial_W` is W before the first update, `final_W`/`final_W_prime` the last weights.
    `tsne=False` leaves the t-SNE layout out (its cost grows fast with N: bench/explorer_map.py); a Future is a
    layout computed elsewhere (a corpus run's thread, trainer/sgns/run.py), awaited after the other views.
    `content` (trainer/run_probes.py) are the words the heatmap's themes are found among, when given.
    """
    recorded = history.shape[1]
    views = {
        run_format.EXPLORER_MAP: {},                    # last (same place in the dict): it may wait on the t-SNE
        run_format.EXPLORER_HISTOGRAM: histogram_view(initial_W, final_W),
        run_format.EXPLORER_ANALOGY_EVOLUTION: analogy_evolution_view(vocab, steps, history, probes),
        run_format.EXPLORER_POLYSEMY: polysemy_view(vocab, final_W),
        run_format.EXPLORER_HEATMAP_WORDS: heatmap_words_view(vocab, final_W, content),
        run_format.INPUT_OUTPUT: input_output_view(vocab, final_W, final_W_prime),
    }
    views[run_format.EXPLORER_MAP] = map_view(vocab, steps, history, final_W[:recorded], tsne)
    return views


def tsne_layout(vectors: np.ndarray) -> np.ndarray:
    """2-D t-SNE by cosine distance from a PCA start (reproducible): exact, compiled (trainer/tsne.py)."""
    from trainer import tsne

    return tsne.tsne(vectors, TSNE_PERPLEXITY)


def map_view(vocab: Vocab, steps: list[int], history: np.ndarray, final: np.ndarray, tsne: bool | Future) -> dict:
    """Every recorded word in 2-D: PCA of the final vectors, t-SNE, and the PCA positions at checkpoints
    (projected on the final axes, so movement on the map is real movement). No timings: the same run
    gives the same bytes (bench/explorer_map.py times the layouts)."""
    from trainer.projection import project

    picks = checkpoints(len(steps), MAP_CHECKPOINTS)
    # one projection, fit on the final vectors: the checkpoints, then the final vectors last
    positions = project(itertools.chain((history[i] for i in picks), [final]), final)  # one checkpoint at a time
    layout = tsne.result() if isinstance(tsne, Future) else tsne_layout(final) if tsne else None
    n = len(final)
    return {
        "words": vocab.words[:n], "counts": vocab.counts[:n],
        "pca": flat_xy(positions.positions[-1]),
        "pca_variance": positions.explained_variance_ratio,
        "tsne": None if layout is None else flat_xy(layout),
        "steps": [steps[i] for i in picks],
        "pca_over_training": [flat_xy(p) for p in positions.positions[:-1]],
    }


def flat_xy(points: np.ndarray) -> np.ndarray:
    """N × 2 points as [x0, y0, x1, y1, …] (the timeline chunks' layout), 3 decimals."""
    return round_fixed(np.asarray(points).reshape(-1), MAP_DECIMALS)


def histogram_view(initial_W: np.ndarray, final_W: np.ndarray) -> dict:
    """Cosine of every distinct pair among the most frequent words, at initialization and at the end.
    One-hot vectors would put every pair at exactly 0: that is the baseline the page marks."""
    n = min(len(initial_W), len(final_W), HISTOGRAM_MAX_WORDS)   # initial_W may hold only the recorded words
    edges = np.linspace(-1.0, 1.0, HISTOGRAM_BINS + 1)
    before, mean_before = pair_cosine_histogram(initial_W[:n], edges)
    after, mean_after = pair_cosine_histogram(final_W[:n], edges)
    return {"words": n, "pairs": n * (n - 1) // 2, "edges": round_fixed(edges, 3), "one_hot": 0.0,
            "initial": before, "final": after, "mean_initial": round(mean_before, 4),
            "mean_final": round(mean_after, 4)}


def pair_cosine_histogram(vectors: np.ndarray, edges: np.ndarray, block: int = 64) -> tuple[list[int], float]:
    """Histogram and mean of the cosines of every distinct pair of rows, a block of rows at a time (a block
    against the rows after it), so no n × n matrix is held (64 rows: ~5 MB of temporaries at 2,000 words,
    where 256 rows cost ~16 MB of a corpus run's peak RSS, in no less time)."""
    unit = unit_rows(vectors.astype(np.float64))
    n = len(unit)
    counts = np.zeros(len(edges) - 1, np.int64)
    total = 0.0
    for start in range(0, n, block):
        rows = unit[start:start + block]
        cos = rows @ unit[start:].T
        cos = np.clip(cos[np.triu_indices(len(rows), 1, cos.shape[1])], -1.0, 1.0)
        counts += np.histogram(cos, edges)[0]
        total += float(cos.sum())
    pairs = n * (n - 1) // 2
    return counts.tolist(), total / pairs if pairs else 0.0


def analogy_evolution_view(vocab: Vocab, steps: list[int], history: np.ndarray,
                           probes: list[Probe] = ANALOGY_PROBES) -> dict:
    """Each probe right or wrong at each checkpoint (3CosAdd among the recorded words, inputs excluded),
    all probes of a checkpoint in one matrix product."""
    picks = checkpoints(len(steps), NEIGHBOR_CHECKPOINTS)
    recorded = history.shape[1]
    probes = [p for p in probes_in_vocab(vocab, probes) if all(vocab.index[w] < recorded for w in p)]
    questions = np.array([[vocab.index[w] for w in p] for p in probes], int).reshape(-1, 4)
    answers = np.array([analogy_scores(unit_rows(history[i]), questions).argmax(axis=1) if len(questions)
                        else np.zeros(0, int) for i in picks]).reshape(len(picks), len(questions))
    rows = [{"a": a, "b": b, "c": c, "expected": expected,
             "answers": [vocab.words[j] for j in answers[:, q]],
             "correct": [vocab.words[j] == expected for j in answers[:, q]]}
            for q, (a, b, c, expected) in enumerate(probes)]
    return {"method": "3CosAdd", "steps": [steps[i] for i in picks], "analogies": rows}


def neighbor_groups(vectors: np.ndarray, groups: int = 2) -> list[int]:
    """Splits neighbor vectors into groups: Ward clustering of the unit vectors (Euclidean distance
    between unit vectors is a function of the cosine); average linkage split off single outliers."""
    if len(vectors) <= groups:
        return list(range(len(vectors)))
    return ward(unit_rows(vectors.astype(np.float64)), groups)


def polysemy_view(vocab: Vocab, final_W: np.ndarray) -> dict:
    """For words with several senses, their neighbors split into groups, so the senses show."""
    words = {}
    for word in POLYSEMY_CANDIDATES:
        if word not in vocab.index:
            continue
        found = nearest(final_W, vocab.index[word], POLYSEMY_NEIGHBORS)
        labels = neighbor_groups(final_W[[j for j, _ in found]])
        groups = [[[vocab.words[j], round(s, 4)] for (j, s), g in zip(found, labels, strict=False) if g == label]
                  for label in dict.fromkeys(labels)]
        words[word] = {"groups": groups}
    return {"candidates": list(POLYSEMY_CANDIDATES), "words": words}


def heatmap_words_view(vocab: Vocab, final_W: np.ndarray, content: list[str] | None = None) -> dict:
    """A default word set for the similarity heatmap: a few words from each of the run's themes
    (k-means clusters of the most frequent words, or of the `content` words among them: "the, of, and"
    make a theme of their own), the words nearest each centre first."""
    ids = [vocab.index[w] for w in content if vocab.index.get(w, len(final_W)) < len(final_W)] if content else []
    pool_ids = np.array(ids[:HEATMAP_POOL] if len(ids) >= HEATMAP_PER_THEME else range(min(len(vocab), HEATMAP_POOL)))
    pool = len(pool_ids)
    themes = min(HEATMAP_THEMES, max(1, pool // HEATMAP_PER_THEME))
    unit = unit_rows(final_W[pool_ids].astype(np.float64))
    labels, centres = kmeans(unit, themes)
    chosen = []
    for theme in range(themes):
        members = np.flatnonzero(labels == theme)
        closeness = unit[members] @ centres[theme]
        chosen += [vocab.words[pool_ids[i]] for i in members[np.argsort(-closeness)][:HEATMAP_PER_THEME]]
    return {"words": chosen, "themes": themes}



def corpus_stats_view(sentences: list[list[str]], vocab: Vocab, stopwords: frozenset[str], kept_words: int,
                      pairs: int) -> dict:
    """What a corpus held in memory became (a teaching run's): counts every dropped word with its reason."""
    dropped: dict[tuple[str, str], int] = {}
    for words in sentences:
        for word in words:
            reason = drop_reason(word, vocab, stopwords)
            if reason:
                dropped[(word, reason)] = dropped.get((word, reason), 0) + 1
    top = sorted(dropped.items(), key=lambda item: (-item[1], item[0]))[:TOP_DROPPED]
    return corpus_summary(
        sentences=len(sentences), words=sum(len(s) for s in sentences),
        distinct_words=len({w for s in sentences for w in s}), kept_words=kept_words, vocab=vocab, pairs=pairs,
        dropped_totals={reason: sum(c for (_, r), c in dropped.items() if r == reason) for reason in (STOPWORD, RARE)},
        top_dropped=[(w, c, r) for (w, r), c in top], first_sentences=sentences[:SAMPLE_SENTENCES])


def corpus_summary(*, sentences: int, words: int, distinct_words: int, kept_words: int, vocab: Vocab, pairs: int,
                   dropped_totals: dict[str, int], top_dropped: list[tuple[str, int, str]],
                   first_sentences: list[list[str]]) -> dict:
    """corpus_stats.json for every run kind: sizes, frequencies, the most frequent dropped words with the
    reason and the first sentences; a corpus run streams its text, so it passes counts it gathered."""
    return {
        "sentences": sentences,
        "words": words,
        "distinct_words": distinct_words,
        "kept_words": kept_words,
        "vocab_size": len(vocab),
        "dropped_stopwords": dropped_totals[STOPWORD],
        "dropped_rare": dropped_totals[RARE],
        "pairs": pairs,
        "frequencies": [[w, c] for w, c in zip(vocab.words, vocab.counts, strict=True)],
        "top_dropped": [[w, c, r] for w, c, r in top_dropped[:TOP_DROPPED]],
        "sample_sentences": [" ".join(s) for s in first_sentences[:SAMPLE_SENTENCES]],
    }


def sentences_view(sentences: list[list[str]], vocab: Vocab, stopwords: frozenset[str]) -> dict:
    """Every sentence's raw words, each marked kept or why dropped: the steps' sentences and the
    walkthrough's sliding-window panel (any sentence) read them."""
    return {"sentences": {
        str(i): {"words": words, "dropped": [drop_reason(w, vocab, stopwords) for w in words]}
        for i, words in enumerate(sentences)}}
