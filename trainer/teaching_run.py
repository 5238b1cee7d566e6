"""The teaching run end to end: corpus → vocabulary → pairs → training (full softmax or negative sampling)
→ recorded run directory."""

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from trainer import run_format, run_views, vector_quality
from trainer.checkpoint import ResumeError, load_checkpoint
from trainer.config import TeachingConfig, resolve_corpus
from trainer.corpus import Corpus, read_corpus, regex_words
from trainer.corpus_report import corpus_report, count_vocabulary, schedule_report
from trainer.errors import Diverged
from trainer.names import check_name
from trainer.pairs import build_pairs
from trainer.projection import final_and_global
from trainer.recorder import StepRecorder
from trainer.rounding import round_fixed, round_significant
from trainer.run_format import WEIGHT_LIMIT, check_run, chunk_path
from trainer.run_probes import choose_probes
from trainer.run_store import RunWriter, manifest
from trainer.sgns.probes import built_in
from trainer.step_chunks import TIMELINE_DELTA_FIELDS, encode_chunk
from trainer.stopwords import STOPWORDS
from trainer.token_source import TokenSource, check_same_tokenizer, load_token_source
from trainer.train import SkipGramTrainer, StepCallback
from trainer.vocab import FilteredSentence, Vocab, build_vocab, filter_sentences

POSITION_DECIMALS = 3
LOSS_DIGITS = 4     # loss_curve.json: what a chart can show (each recorded step keeps its float32 loss)


@dataclass(frozen=True)
class PreparedCorpus:
    corpus: Corpus
    stopwords: frozenset[str]
    vocab: Vocab
    sentences: list[FilteredSentence]
    pairs: np.ndarray
    tokens: TokenSource | None  # the BPE tokenizer that cut the sentences, or None for regex words


@dataclass(frozen=True)
class RunSummary:
    run_dir: Path
    train_seconds: float
    write_seconds: float
    total_bytes: int


def prepare(config: TeachingConfig, encoding: str | None = None) -> PreparedCorpus:
    tokens = load_token_source(config.tokenizer) if config.tokenizer else None
    corpus = read_corpus(resolve_corpus(config.corpus), encoding, config.sentences,
                         tokens.tokens if tokens else regex_words)
    stopwords = STOPWORDS if config.remove_stopwords else frozenset()
    vocab = build_vocab(corpus.sentences, config.min_count, stopwords, config.max_vocab)
    sentences = filter_sentences(corpus.sentences, vocab)
    return PreparedCorpus(corpus, stopwords, vocab, sentences, build_pairs(sentences, config.window), tokens)


def train_run(config: TeachingConfig, name: str, out_dir: Path, *, encoding: str | None = None,
              resume_from: Path | None = None, progress: bool = True,
              log: Callable[[str], None] = print, report: Callable[[int, float], None] | None = None,
              keep_diverged: bool = False) -> RunSummary:
    """Trains (or resumes) and writes the run; returns where it went and what it cost.
    report(step, loss) is called after every step (the Train page's progress, backend/train_child.py).
    keep_diverged: a run whose loss stops being finite is written anyway, up to its last finite step, with
    the weights of its last recorded step and `diverged` in its manifest: a diverged run is a lesson too
    (without it, Diverged is raised and nothing is written, as the CLI wants)."""
    check_name(name)
    checkpoint = load_checkpoint(resume_from, "teaching") if resume_from else None
    if checkpoint:
        done = checkpoint.state.get("step")
        if not isinstance(done, int) or not 0 < done <= checkpoint.manifest["sizes"]["steps"]:
            raise ResumeError(f"{resume_from.name}: trainer_state.json's step {done!r} does not fit the run")
        config = dataclasses.replace(checkpoint.config, steps=config.steps, epochs=None)
        if config.steps <= done:
            raise ResumeError(f"{resume_from.name} already has {done} steps; pass --steps greater than that to "
                              f"continue")
    prepared = prepare(config, encoding)
    if checkpoint and prepared.tokens:
        check_same_tokenizer(checkpoint.manifest.get("tokenizer"), prepared.tokens, resume_from.name)
    if prepared.tokens:
        log(f"tokens of BPE tokenizer {prepared.tokens.tokenizer.name!r} ({prepared.tokens.path}): "
            f"no stopword removal, --min-count and --max-vocab count tokens")
    if checkpoint and checkpoint.vocab != prepared.vocab:
        raise ResumeError(f"the corpus {config.corpus} no longer gives the vocabulary of {resume_from.name}")
    if config.epochs is not None:
        config = dataclasses.replace(config, steps=max(1, round(config.epochs * len(prepared.pairs))))
    counts = count_vocabulary(prepared.corpus.sentences, prepared.vocab.words, prepared.stopwords, config.min_count,
                              config.remove_stopwords)
    for line in (corpus_report(prepared.corpus.summary, counts, config.min_count, config.max_vocab)
                 + schedule_report(config, len(prepared.pairs))):
        log(line)

    recorder = StepRecorder(config, prepared.vocab, prepared.sentences)
    trainer = SkipGramTrainer(config, prepared.vocab.counts, prepared.pairs)
    if checkpoint:
        trainer.restore(checkpoint.W, checkpoint.W_out, checkpoint.state["step"])
        recorder.restore(checkpoint.loss_curve["loss"], checkpoint.records)
    started = time.perf_counter()
    on_step = recorder if report is None else _reporting(recorder, report)
    try:
        trainer.train_until(config.steps, on_step, progress)
        diverged = None
    except Diverged as error:
        if not keep_diverged or not recorder.records:
            raise
        diverged = kept_diverged(trainer, recorder, config, error)
        log(f"diverged at step {diverged['step']:,}: the run is kept up to step {trainer.step:,}")
    trained = time.perf_counter()
    run_dir = write_run(config, name, Path(out_dir), prepared, recorder, trainer, progress, diverged)
    written = time.perf_counter()
    for line in vector_quality.run_end_lines(run_dir):
        log(line)
    total = sum(f.stat().st_size for f in run_dir.rglob("*") if f.is_file())
    return RunSummary(run_dir, trained - started, written - trained, total)


def _reporting(recorder: StepRecorder, report: Callable[[int, float], None]) -> StepCallback:
    def on_step(step, pair, loss, detail) -> None:
        recorder(step, pair, loss, detail)
        report(step, loss)
    return on_step


def kept_diverged(trainer: SkipGramTrainer, recorder: StepRecorder, config: TeachingConfig, error: Diverged) -> dict:
    """A diverged run's state made writable: its last steps drove the weights to inf, NaN or beyond what a
    reader serves (run_format.WEIGHT_LIMIT), so the run ends at its last recorded step whose weights are
    within it, with the weights that step saw; the manifest's `diverged` says where the loss broke."""
    broke_at = trainer.step + 1
    keep = len(recorder.records)
    while keep and not all(np.abs(np.asarray(recorder.records[keep - 1][w])).max() <= WEIGHT_LIMIT
                           for w in ("W", "W_prime")):
        keep -= 1
    if not keep:
        raise error
    del recorder.records[keep:], recorder.weight_history[keep:]
    last = recorder.records[-1]
    del recorder.losses[last["step"]:]
    trainer.restore(recorder.weight_history[-1], np.asarray(last["W_prime"], dtype=np.float32).T, last["step"])
    return {"step": broke_at, "lr": config.lr, "kept_loss": recorder.losses[-1],
            "kept_steps": last["step"], "message": error.what}


def write_run(config: TeachingConfig, name: str, out_dir: Path, prepared: PreparedCorpus,
              recorder: StepRecorder, trainer: SkipGramTrainer, progress: bool, diverged: dict | None = None) -> Path:
    vocab, records = prepared.vocab, recorder.records
    steps = [r["step"] for r in records]
    history = np.stack(recorder.weight_history)
    weights = trainer.weights()
    final_W, final_W_prime = weights["W"], weights["W_prime"]
    probes = choose_probes(vocab, bpe_tokens=prepared.tokens is not None, **built_in())
    projections = final_and_global(history, final_W)
    chunk_size = config.chunk_size
    n_chunks = -(-len(records) // chunk_size)
    step_chunks = [chunk_path("steps", i) for i in range(n_chunks)]
    timeline_chunks = [chunk_path("timeline", i) for i in range(n_chunks)]

    with RunWriter(out_dir, name) as writer:
        bar = tqdm(total=2 * n_chunks + 17, desc="writing run", unit="file", disable=not progress)
        for i in range(n_chunks):
            part = slice(i * chunk_size, (i + 1) * chunk_size)
            writer.json_gz(step_chunks[i], encode_chunk(i, records[part]))
            positions = {kind: round_fixed(p.positions[part].reshape(len(steps[part]), -1), POSITION_DECIMALS)
                         for kind, p in projections.items()}
            writer.json_gz(timeline_chunks[i], encode_chunk(i, [
                {"step": step, **{kind: rows[j] for kind, rows in positions.items()}}
                for j, step in enumerate(steps[part])], TIMELINE_DELTA_FIELDS))
            bar.update(2)
        views = {
            "vocab.json": vocab.to_dict(),
            "corpus_stats.json": run_views.corpus_stats_view(prepared.corpus.sentences, vocab, prepared.stopwords,
                                                           sum(len(x.ids) for x in prepared.sentences),
                                                           len(prepared.pairs)),
            "sentences.json": run_views.sentences_view(prepared.corpus.sentences, vocab, prepared.stopwords),
            "loss_curve.json": {"loss": round_significant(recorder.losses, LOSS_DIGITS)},
            run_format.STEP_INDEX: {run_format.STEPS_FIELD: steps},
            run_format.NEIGHBORS: run_views.neighbor_evolution(vocab, steps, history, probes.queries),
            run_format.SIMILARITY: run_views.similarity_view(vocab, final_W),
            run_format.ANALOGIES: run_views.analogy_view(vocab, final_W, probes.analogy_tuples()),
            run_format.CONVERGENCE: run_views.convergence_view(vocab, steps, history, final_W),
            run_format.INPUT_OUTPUT: run_views.input_output_view(vocab, final_W, final_W_prime),
        }
        views.update(run_views.explorer_views(vocab, steps, history, history[0], final_W, final_W_prime,
                                            probes=probes.analogy_tuples(), content=probes.content))
        views.update(vector_quality.run_end_views(vocab, final_W, history[0], probes))
        for relpath, view in views.items():
            (writer.json_gz if relpath.endswith(".gz") else writer.json)(relpath, view)
            bar.update()
        writer.safetensors("model.safetensors", weights)
        # Plain SGD keeps no per-parameter tensors: its whole state is the rule and the rate.
        writer.json("trainer_state.json", {"step": trainer.step, "param_names": list(weights),
                                           "optimizer": {"type": "sgd", "lr": config.lr, "momentum": 0.0}})
        bar.close()
        return writer.commit(manifest(
            config, prepared.corpus.summary, prepared.tokens,
            {"vocab": len(vocab), "dim": config.dim, "sentences": len(prepared.sentences),
             "pairs": len(prepared.pairs), "steps": trainer.step, "recorded_steps": len(records),
             "epochs": round(trainer.step / len(prepared.pairs), 3)},
            chunk_size, {"steps": step_chunks, "timeline": timeline_chunks}, projections,
            float(np.mean(recorder.losses[-min(len(recorder.losses), 500):])),
            **({"diverged": diverged} if diverged else {})))


DEFAULT_RUNS = {"default": "softmax", "default-sgns": "sgns"}  # run name → method, same corpus and seed


def ensure_default_runs(runs_dir: Path, log: Callable[[str], None] = print) -> None:
    """Trains each default teaching run (full softmax and negative sampling) that is absent or broken."""
    for name, method in DEFAULT_RUNS.items():
        if check_run(Path(runs_dir) / name)[0] is not None:
            continue
        log(f"no valid run {name!r} in {runs_dir}: training it first (a few seconds)")
        summary = train_run(TeachingConfig(method=method), name, Path(runs_dir))
        log(f"wrote {summary.run_dir}")
