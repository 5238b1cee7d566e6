"""A corpus run end to end: the corpus as ids → train (numba or torch engine) → write the run directory atomically."""

import ctypes
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from trainer import run_format, run_views, vector_quality
from trainer.config import AUTO_EPOCH_WORDS, CorpusConfig, resolve_corpus
from trainer.corpus import regex_words
from trainer.corpus_report import corpus_report
from trainer.names import check_name
from trainer.phases import Phases
from trainer.projection import project
from trainer.rounding import round_fixed
from trainer.run_format import chunk_path
from trainer.run_probes import choose_probes
from trainer.run_store import RunWriter, manifest
from trainer.sgns.corpus_ids import CorpusIds, read_corpus_ids
from trainer.sgns.monitor import Progress, TrainingMonitor
from trainer.sgns.numba_engine import init_weights
from trainer.sgns.probes import built_in
from trainer.sgns.resume import (
    CorpusCheckpoint,
    check_same_corpus,
    corpus_fingerprint,
    load_corpus_checkpoint,
    resumed_config,
    trainer_state,
)
from trainer.sgns.sampling import NoiseAlias, keep_probabilities
from trainer.sgns.schedule import chunk_bounds
from trainer.sgns.snapshots import Snapshots
from trainer.step_chunks import encode_chunk
from trainer.token_source import TokenSource, load_token_source
from trainer.vocab import RARE, STOPWORD, Vocab

RECORDS_PER_CHUNK = 20
POSITION_DECIMALS = 3
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8           # glibc's mallopt parameters (malloc.h)
SIMILARITY_WORDS = 200  # the V×V similarity view is over the 200 most frequent words: 2,000² would be 25 MB


@dataclass(frozen=True)
class CorpusRunSummary:
    run_dir: Path
    train_seconds: float
    words_per_second: float
    total_bytes: int
    phases: dict                            # trainer/phases.py: seconds per phase, total, peak RSS


def bounded_heap() -> None:
    """glibc's malloc, told to keep a corpus run's peak RSS near what it holds: one arena (the kernel's and the
    t-SNE's threads allocate little; a heap per thread kept freed blocks no other thread reused), and blocks
    over 64 KiB mapped and unmapped on their own (its default threshold grows to 32 MB as large arrays are
    freed, after which freed views' arrays stayed in the heap). Measured: peak RSS 242 → 233 MB (bench/sgns.py's
    wordlab run, 1 epoch, under load). No-op where the C library is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_ARENA_MAX, 1)
        libc.mallopt(M_MMAP_THRESHOLD, 64 * 1024)
    except (OSError, AttributeError):
        pass


def make_engine(config: CorpusConfig, W: np.ndarray, W_out: np.ndarray):
    if config.engine == "numba":
        from trainer.sgns.numba_engine import NumbaEngine

        return NumbaEngine(config, W, W_out)
    from trainer.sgns.torch_engine import TorchEngine

    return TorchEngine(config, W, W_out)


def train_corpus_run(config: CorpusConfig, name: str, out_dir: Path, *, encoding: str | None = None,
                     progress: bool = True, log: Callable[[str], None] = print,
                     checkpoint: CorpusCheckpoint | None = None) -> CorpusRunSummary:
    """Trains a new run, or continues `checkpoint` (see resume_corpus_run) up to config.epochs."""
    check_name(name)
    bounded_heap()
    phases = Phases()
    source = load_token_source(config.tokenizer) if config.tokenizer else None
    split = source.tokens if source else regex_words
    with phases.phase("read + vocabulary"):
        corpus = read_corpus_ids(resolve_corpus(config.corpus), config.min_count, config.max_vocab, encoding,
                                 split, config.sentences, run_views.SAMPLE_SENTENCES)
    with corpus, phases.phase("setup"):
        vocabulary = corpus.vocabulary_counts(config.min_count)
        for line in corpus_report(corpus.summary, vocabulary, config.min_count, config.max_vocab):
            log(line)
        if config.epochs is None:
            config = config.with_epochs_for(corpus.raw_words)
            log(f"  epochs: {config.epochs}, chosen for a corpus of {corpus.raw_words:,} words (about "
                f"{AUTO_EPOCH_WORDS:,} words of training; a small corpus needs many epochs); --epochs N to choose")
        chunks_per_epoch = len(chunk_bounds(corpus.ids))
        fingerprint = corpus_fingerprint(corpus, chunks_per_epoch)
        start = checkpoint.progress if checkpoint else Progress()
        if checkpoint:
            check_same_corpus(checkpoint, fingerprint, config.corpus)
        log(f"  epochs {start.epochs_done + 1}-{config.epochs}, {config.engine} engine on {config.device}")
        counts = np.asarray(corpus.vocab.counts)
        noise = NoiseAlias(counts)
        weights = (checkpoint.W, checkpoint.W_out) if checkpoint else init_weights(len(counts), config.dim, config.seed)
        engine = make_engine(config, *weights)
        monitor = TrainingMonitor(config, corpus.vocab, corpus.ids, noise, engine, chunks_per_epoch,
                                    corpus.raw_words / corpus.kept_words, progress, start)
        with monitor.snapshots:                     # the scratch file goes when the run is written (or fails)
            try:
                with phases.phase("train (recording)"):
                    engine.train(corpus.ids, keep_probabilities(counts, config.sample), noise, start.epochs_done,
                                 monitor)
            finally:
                seconds = monitor.close()
            W, W_out = engine.weights()
            if not (np.isfinite(W).all() and np.isfinite(W_out).all()):
                raise monitor.diverged("non-finite weights", config.lr)
            curve = monitor.loss_curve(seconds)
            state = trainer_state(config, monitor.progress(), fingerprint)
            with phases.phase("write"):
                run_dir = write_corpus_run(config, name, Path(out_dir), corpus, monitor, W, W_out, curve, state,
                                           source, phases)
    with phases.phase("check"):
        for line in vector_quality.run_end_lines(run_dir):
            log(line)
    total = sum(f.stat().st_size for f in run_dir.rglob("*") if f.is_file())
    for line in phases.lines():
        log(line)
    return CorpusRunSummary(run_dir, seconds, curve["words_per_second"] or 0.0, total, phases.to_dict())


def resume_corpus_run(run_dir: Path, epochs: int, name: str, out_dir: Path, *, changes: dict | None = None,
                      encoding: str | None = None, progress: bool = True,
                      log: Callable[[str], None] = print) -> CorpusRunSummary:
    """Continues a corpus run from its saved weights and state up to `epochs` in all (see resume.py);
    `changes` may set workers, device or engine."""
    checkpoint = load_corpus_checkpoint(Path(run_dir))
    config = resumed_config(checkpoint, epochs, **(changes or {}))
    return train_corpus_run(config, name, out_dir, encoding=encoding, progress=progress, log=log,
                            checkpoint=checkpoint)


def corpus_stats(corpus: CorpusIds, pairs: int) -> dict:
    return run_views.corpus_summary(
        sentences=corpus.sentences, words=corpus.raw_words, distinct_words=corpus.distinct_words,
        kept_words=corpus.kept_words, vocab=corpus.vocab, pairs=pairs,
        dropped_totals={STOPWORD: 0, RARE: corpus.raw_words - corpus.kept_words},
        top_dropped=[(w, c, RARE) for w, c in corpus.most_frequent_dropped(run_views.TOP_DROPPED)],
        first_sentences=corpus.first_sentences)


def write_views(writer: RunWriter, vocab: Vocab, steps: list[int], history: Snapshots, W: np.ndarray,
                W_prime: np.ndarray, bpe_tokens: bool, layout: Future) -> None:
    """The derived views over the recorded (most frequent) words, the explorer's among them; one place
    so that new views join here. Probes: the run's own (trainer/run_probes.py), scored over the whole W.
    `layout`: the map's t-SNE, computing in a thread (write_corpus_run)."""
    top = Vocab(vocab.words[:history.shape[1]], vocab.counts[:history.shape[1]])
    final = W[:len(top)]
    similar = Vocab(top.words[:SIMILARITY_WORDS], top.counts[:SIMILARITY_WORDS])
    probes = choose_probes(vocab, bpe_tokens=bpe_tokens, **built_in())
    analogies = probes.analogy_tuples()
    views = {
        run_format.NEIGHBORS: run_views.neighbor_evolution(top, steps, history, probes.queries),
        run_format.SIMILARITY: run_views.similarity_view(similar, final[:len(similar)]),
        run_format.ANALOGIES: run_views.analogy_view(top, final, analogies),
        run_format.CONVERGENCE: run_views.convergence_view(top, steps, history, final),
        **vector_quality.run_end_views(vocab, W, history[0], probes),
        **run_views.explorer_views(top, steps, history, history[0], final, W_prime[:, :len(top)], probes=analogies,
                                 content=probes.content, tsne=layout),
    }
    for relpath, view in views.items():
        (writer.json_gz if relpath.endswith(".gz") else writer.json)(relpath, view)


def write_corpus_run(config: CorpusConfig, name: str, out_dir: Path, corpus: CorpusIds,
                     monitor: TrainingMonitor, W: np.ndarray, W_out: np.ndarray, curve: dict,
                     state: dict, source: TokenSource | None, phases: Phases | None = None) -> Path:
    """The run directory. The map's t-SNE (the largest single cost after training) runs in a thread from the
    start, its compiled loop without the GIL, while this thread encodes and writes everything else; numpy's
    BLAS is held to one thread meanwhile, so the two share the cores instead of fighting over them."""
    history = monitor.snapshots                        # a scratch file, read a checkpoint at a time
    with ThreadPoolExecutor(1, thread_name_prefix="tsne") as pool, threadpool_limits(1, user_api="blas"):
        layout = pool.submit(run_views.tsne_layout, W[:history.shape[1]])
        return _write_corpus_run(config, name, out_dir, corpus, monitor, history, W, W_out, curve, state, source,
                                 phases or Phases(), layout)


def _write_corpus_run(config: CorpusConfig, name: str, out_dir: Path, corpus: CorpusIds, monitor: TrainingMonitor,
                      history: Snapshots, W: np.ndarray, W_out: np.ndarray, curve: dict, state: dict,
                      source: TokenSource | None, phases: Phases, layout: Future) -> Path:
    vocab, records, steps = corpus.vocab, monitor.records, monitor.snapshot_steps
    W_prime = np.ascontiguousarray(W_out.T)
    projection = project(history, W[:history.shape[1]])
    step_chunks = [chunk_path("steps", i) for i in range(-(-len(records) // RECORDS_PER_CHUNK))]
    with RunWriter(out_dir, name) as writer:
        for i, relpath in enumerate(step_chunks):
            writer.json_gz(relpath, encode_chunk(i, records[i * RECORDS_PER_CHUNK:(i + 1) * RECORDS_PER_CHUNK]))
        writer.json_gz("snapshots.json.gz", {
            "words": vocab.words[:history.shape[1]], "steps": steps,
            "positions": [round_fixed(p, POSITION_DECIMALS) for p in projection.positions],
        })
        writer.json("vocab.json", vocab.to_dict())
        writer.json("corpus_stats.json", corpus_stats(corpus, monitor.pairs))
        writer.json("loss_curve.json", curve)
        writer.json(run_format.STEP_INDEX, {run_format.STEPS_FIELD: [r["step"] for r in records]})
        with phases.phase("views"):
            write_views(writer, vocab, steps, history, W, W_prime, source is not None, layout)
        writer.safetensors("model.safetensors", {"W": W, "W_prime": W_prime})
        writer.json("trainer_state.json", state)
        return writer.commit(manifest(
            config, corpus.summary, source,
            {"vocab": len(vocab), "dim": config.dim, "sentences": corpus.sentences, "words": corpus.raw_words,
             "pairs": monitor.pairs, "steps": monitor.pairs, "recorded_steps": len(records), "epochs": config.epochs,
             "snapshot_words": history.shape[1], "checkpoints": len(steps)},
            RECORDS_PER_CHUNK, {"steps": step_chunks}, {"final": projection}, float(np.nanmean(curve["loss"][-10:])),
            training={"seconds": curve["seconds"], "words_per_second": curve["words_per_second"],
                      "engine": config.engine, "device": config.device,
                      "first_epoch": monitor.start.epochs_done + 1}))
