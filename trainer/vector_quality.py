"""Is a finished run's vector space worth reading? Two failures look like results on a page and teach
the wrong thing, so every run writer checks for them when training ends and says so (CLI and explorer):

- **noise**: the vectors barely left their random start (too few steps, too low a rate); their nearest
  neighbours are chance.
- **collapsed**: every vector points nearly the same way (an SGNS run on a small corpus after a few
  epochs: the frequent words' shared direction dominates), so any two words have cosine ≈ 1 and a
  word's "nearest" neighbours are barely nearer than any other word.

Measured on the words a run records (the most frequent N), pure numpy, no randomness:
- `mean_pair_cosine`: the mean cosine over all distinct pairs, exactly, as (|Σu|² − N) / (N(N − 1))
  for unit vectors u;
- `neighbor_cosine`: the mean cosine of each query word's 10 nearest neighbours (the explorer's
  question), and `neighbor_contrast` = neighbor_cosine − mean_pair_cosine: how much nearer a
  neighbour is than an average word;
- `cosine_to_start`: the mean cosine of each word's final vector to its vector when this training
  session started.

The thresholds come from measured runs (docs/run-format.md, "quality.json"): a well-trained run of the
14-book mix has pairs at 0.41 and neighbours 0.26 above them; Frankenstein at 5 epochs has pairs at
0.99 and neighbours 0.002 above them, at 40 epochs 0.24 and 0.24; a run of 50 steps or at lr 1e-4
keeps its vectors at cosine ≥ 0.998 to where they started, trained runs at 0.03-0.36.
"""

from pathlib import Path

import numpy as np

from trainer import run_format, run_probes
from trainer.similarity import unit_rows
from trainer.vocab import Vocab

NEIGHBORS = 10
COLLAPSED_PAIR_COSINE = 0.8     # two random words this close on average: the space has one direction
MIN_NEIGHBOR_CONTRAST = 0.1     # neighbours less than this nearer than an average word: nothing to read
NOISE_COSINE_TO_START = 0.9     # vectors this close to their start have not learned yet
QUERY_WORDS = 100               # content words whose neighbours are measured (trainer/run_probes.py)

OK, COLLAPSED, NOISE = "ok", "collapsed", "noise"


def mean_pair_cosine(unit: np.ndarray) -> float:
    """The mean cosine over every distinct pair of rows of `unit` (unit vectors), in O(N·d)."""
    n = len(unit)
    if n < 2:
        return 0.0
    total = unit.sum(axis=0)
    diagonal = float(np.sum(unit * unit))   # N, less any zero rows
    return float((total @ total - diagonal) / (n * (n - 1)))


def neighbor_cosines(unit: np.ndarray, queries: list[int], k: int = NEIGHBORS) -> np.ndarray:
    """queries × k: the cosines of each query row's k nearest other rows, best first."""
    k = min(k, len(unit) - 1)
    if k < 1 or not queries:
        return np.zeros((len(queries), 0))
    scores = unit[queries] @ unit.T
    scores[np.arange(len(queries)), queries] = -np.inf
    top = -np.partition(-scores, k - 1, axis=1)[:, :k]
    return -np.sort(-top, axis=1)


def vector_quality(final: np.ndarray, start: np.ndarray, queries: list[int]) -> dict:
    """quality.json: the measures above and a verdict (ok | collapsed | noise) with a sentence that says
    what it means and what to change. `final` and `start` are the recorded words' vectors (N × d) at the
    end and at the start of this training session; `queries` index the words whose neighbours the
    explorer shows first (every word when empty)."""
    final = np.asarray(final, dtype=np.float64)
    unit = unit_rows(final)
    queries = list(queries) or list(range(len(final)))
    pairs = mean_pair_cosine(unit)
    neighbors = neighbor_cosines(unit, queries)
    neighbor = float(neighbors.mean()) if neighbors.size else 0.0
    to_start = float(np.mean(np.sum(unit * unit_rows(np.asarray(start, dtype=np.float64)), axis=1)))
    measures = {"mean_pair_cosine": round(pairs, 4), "neighbor_cosine": round(neighbor, 4),
                "neighbor_contrast": round(neighbor - pairs, 4), "cosine_to_start": round(to_start, 4)}
    verdict, message = judge(**measures)
    return {"verdict": verdict, "message": message, **measures, "words": len(final), "queries": len(queries),
            "neighbors": NEIGHBORS,
            "thresholds": {"collapsed_pair_cosine": COLLAPSED_PAIR_COSINE,
                           "min_neighbor_contrast": MIN_NEIGHBOR_CONTRAST,
                           "noise_cosine_to_start": NOISE_COSINE_TO_START}}


def judge(mean_pair_cosine: float, neighbor_cosine: float, neighbor_contrast: float,
          cosine_to_start: float) -> tuple[str, str]:
    """The verdict and one sentence with the numbers: what a student may read into the neighbours."""
    if cosine_to_start >= NOISE_COSINE_TO_START:
        return NOISE, (f"Under-trained: the vectors are still where training started (mean cosine "
                       f"{cosine_to_start:.3f} to their starting vectors), so their neighbours are chance. "
                       f"Train longer: more --steps or --epochs, or a higher --lr.")
    if mean_pair_cosine >= COLLAPSED_PAIR_COSINE or neighbor_contrast < MIN_NEIGHBOR_CONTRAST:
        return COLLAPSED, (f"Under-trained, collapsed: any two words have cosine {mean_pair_cosine:.3f} on "
                           f"average and a word's {NEIGHBORS} nearest neighbours {neighbor_cosine:.3f}, barely "
                           f"nearer, so neighbours and analogies say little. Train more epochs (a small "
                           f"corpus needs many: --epochs 40 for a 75,000-word book).")
    return OK, (f"The vectors have structure: a word's {NEIGHBORS} nearest neighbours have cosine "
                f"{neighbor_cosine:.3f} on average, against {mean_pair_cosine:.3f} for any two words.")


def run_end_views(vocab: Vocab, W: np.ndarray, start: np.ndarray, probes: run_probes.RunProbes) -> dict[str, dict]:
    """quality.json and explorer/probes.json of a finished run, for any run writer: `W` is the whole final W
    (V × d), `start` the recorded words' vectors (the first N ids) when this training session started."""
    recorded = len(start)
    queries = [vocab.index[w] for w in probes.content[:QUERY_WORDS] if vocab.index[w] < recorded]
    return {run_format.QUALITY: vector_quality(W[:recorded], start, queries),
            run_format.EXPLORER_PROBES: run_probes.probes_view(vocab, W, probes)}


def report_lines(quality: dict, probes: dict | None = None, convergence: dict | None = None) -> list[str]:
    """What the CLI prints about the vectors when a run ends: the verdict, the probe scores, convergence."""
    prefix = "vectors: " if quality["verdict"] == OK else "WARNING, vectors: "
    lines = [prefix + quality["message"]]
    if probes is not None:
        lines += run_probes.report_lines(probes)
    if convergence is not None and "message" in convergence:
        lines.append(("convergence: " if convergence["converged"] else "note, convergence: ") + convergence["message"])
    return lines


def run_end_lines(run_dir: Path) -> list[str]:
    """report_lines for a written run, from its files."""
    def view(relpath: str) -> dict | None:
        return run_format.read_json(run_dir, relpath) if (run_dir / relpath).is_file() else None

    return report_lines(view(run_format.QUALITY), view(run_format.EXPLORER_PROBES), view(run_format.CONVERGENCE))
