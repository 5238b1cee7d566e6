"""The teaching run end to end: corpus → vocabulary → pairs → full-softmax training → recorded run directory."""

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import orjson
from safetensors.torch import load_file
from tqdm import tqdm

from trainer import derived
from trainer.config import TrainConfig, resolve_corpus
from trainer.corpus import Corpus, load_corpus
from trainer.corpus_report import corpus_report
from trainer.errors import RunFormatError
from trainer.numbers import round_fixed
from trainer.pairs import build_pairs
from trainer.projection import final_and_global
from trainer.recorder import StepRecorder
from trainer.run_format import FORMAT_VERSION, check_name, chunk_path, read_manifest
from trainer.run_store import RunWriter, created_timestamp, read_all_records, read_json
from trainer.stopwords import STOPWORDS
from trainer.train import SkipGramTrainer
from trainer.vocab import FilteredSentence, Vocab, build_vocab, count_words, drop_reason, filter_sentences

POSITION_DECIMALS = 3
SAMPLE_SENTENCES = 12
TOP_DROPPED = 30


@dataclass(frozen=True)
class PreparedCorpus:
    corpus: Corpus
    stopwords: frozenset[str]
    vocab: Vocab
    sentences: list[FilteredSentence]
    pairs: np.ndarray


@dataclass(frozen=True)
class RunSummary:
    run_dir: Path
    train_seconds: float
    write_seconds: float
    total_bytes: int


def prepare(config: TrainConfig, encoding: str | None = None) -> PreparedCorpus:
    corpus = load_corpus(resolve_corpus(config.corpus), encoding)
    stopwords = STOPWORDS if config.remove_stopwords else frozenset()
    vocab = build_vocab(corpus.sentences, config.min_count, stopwords, config.max_vocab)
    sentences = filter_sentences(corpus.sentences, vocab)
    return PreparedCorpus(corpus, stopwords, vocab, sentences, build_pairs(sentences, config.window))


def train_run(config: TrainConfig, name: str, out_dir: Path, *, encoding: str | None = None,
              resume_from: Path | None = None, progress: bool = True,
              log: Callable[[str], None] = print) -> RunSummary:
    """Trains (or resumes) and writes the run; returns where it went and what it cost."""
    check_name(name)
    checkpoint = load_checkpoint(resume_from) if resume_from else None
    if checkpoint:
        config = dataclasses.replace(checkpoint["config"], steps=config.steps, epochs=config.epochs)
    prepared = prepare(config, encoding)
    config = config.with_steps_for(len(prepared.pairs))
    if checkpoint and config.steps <= checkpoint["step"]:
        raise RunFormatError(f"{resume_from.name} already has {checkpoint['step']} steps; "
                             f"pass --steps (or --epochs) for more than that to continue")
    if prepared.corpus.warning:
        log(f"warning: {prepared.corpus.warning}")
    if checkpoint and checkpoint["vocab"] != prepared.vocab:
        raise RunFormatError(f"the corpus {config.corpus} no longer gives the vocabulary of {resume_from.name}")
    counts = count_words(prepared.corpus.sentences, prepared.vocab, prepared.stopwords, config.min_count)
    for line in corpus_report(config, prepared.corpus, prepared.vocab, counts, len(prepared.pairs)):
        log(line)

    recorder = StepRecorder(config, prepared.vocab, prepared.sentences)
    trainer = SkipGramTrainer(config, len(prepared.vocab), prepared.pairs,
                              **({k: checkpoint[k] for k in ("weights", "step")} if checkpoint else {}))
    if checkpoint:
        recorder.restore(checkpoint["losses"], checkpoint["records"])
    started = time.perf_counter()
    trainer.train_until(config.steps, recorder, progress)
    trained = time.perf_counter()
    run_dir = write_run(config, name, Path(out_dir), prepared, recorder, trainer, progress)
    written = time.perf_counter()
    total = sum(f.stat().st_size for f in run_dir.rglob("*") if f.is_file())
    return RunSummary(run_dir, trained - started, written - trained, total)


def load_checkpoint(run_dir: Path) -> dict:
    """Everything needed to continue a run: config, vocabulary, weights, optimizer, step, history."""
    manifest = read_manifest(run_dir)
    state = read_json(run_dir, "trainer_state.json")
    return {
        "config": TrainConfig.from_dict(manifest["config"]),
        "vocab": Vocab.from_dict(read_json(run_dir, "vocab.json")),
        "weights": load_file(str(run_dir / "model.safetensors")),
        "step": state["step"],
        "losses": read_json(run_dir, "loss_curve.json")["loss"],
        "records": read_all_records(run_dir, manifest),
    }


def write_run(config: TrainConfig, name: str, out_dir: Path, prepared: PreparedCorpus,
              recorder: StepRecorder, trainer: SkipGramTrainer, progress: bool) -> Path:
    vocab, records = prepared.vocab, recorder.records
    steps = [r["step"] for r in records]
    history = np.stack(recorder.weight_history)
    weights = {k: v.numpy() for k, v in trainer.weights().items()}
    final_W, final_W_prime = weights["W"], weights["W_prime"]
    projections = final_and_global(history, final_W)
    chunk_size = config.chunk_size
    n_chunks = -(-len(records) // chunk_size)
    step_chunks = [chunk_path("steps", i) for i in range(n_chunks)]
    timeline_chunks = [chunk_path("timeline", i) for i in range(n_chunks)]

    with RunWriter(out_dir, name) as writer:
        bar = tqdm(total=2 * n_chunks + 10, desc="writing run", unit="file", disable=not progress)
        for i in range(n_chunks):
            part = slice(i * chunk_size, (i + 1) * chunk_size)
            writer.json_gz(step_chunks[i], {"chunk": i, "steps": records[part]})
            writer.json_gz(timeline_chunks[i], {
                "chunk": i, "steps": steps[part],
                **{kind: round_fixed(p.positions[part].reshape(len(steps[part]), -1), POSITION_DECIMALS)
                   for kind, p in projections.items()},
            })
            bar.update(2)
        views = {
            "vocab.json": vocab.to_dict(),
            "corpus_stats.json": corpus_stats(prepared),
            "sentences.json": recorded_sentences(prepared, records),
            "loss_curve.json": {"loss": np.asarray(recorder.losses, dtype=np.float32)},
            "step_index.json": {"chunk_size": chunk_size, "steps": steps, "chunks": step_chunks,
                                "timeline_chunks": timeline_chunks},
            "neighbors.json": derived.neighbour_evolution(vocab, steps, history),
            "similarity.json": derived.similarity_view(vocab, final_W),
            "analogies.json": derived.analogy_view(vocab, final_W),
            "convergence.json": derived.convergence_view(vocab, steps, history, final_W),
            "input_output.json": derived.input_output_view(vocab, final_W, final_W_prime),
        }
        for relpath, view in views.items():
            writer.json(relpath, view)
            bar.update()
        writer.safetensors("model.safetensors", weights)
        # Plain SGD keeps no per-parameter tensors: its whole state is the rule and the rate.
        writer.json("trainer_state.json", {"step": trainer.step, "param_names": list(weights),
                                           "optimizer": {"type": "sgd", "lr": config.lr, "momentum": 0.0}})
        bar.close()
        return writer.commit({
            "format_version": FORMAT_VERSION,
            "kind": "teaching",
            "created": created_timestamp(),
            "config": config.to_dict(),
            "corpus": {"source": config.corpus, "encoding": prepared.corpus.encoding,
                       "warning": prepared.corpus.warning, "gutenberg_lines_stripped": prepared.corpus.stripped_lines,
                       "units": "sentences of prose" if prepared.corpus.prose else "lines"},
            "sizes": {"vocab": len(vocab), "dim": config.dim, "sentences": len(prepared.sentences),
                      "pairs": len(prepared.pairs), "steps": trainer.step, "recorded_steps": len(records),
                      "epochs": round(trainer.step / len(prepared.pairs), 3)},
            "chunk_size": chunk_size,
            "chunks": {"steps": step_chunks, "timeline": timeline_chunks},
            "pca": {kind: {"explained_variance_ratio": p.explained_variance_ratio,
                           "components": p.components, "mean": p.mean}
                    for kind, p in projections.items()},
            "final_loss": float(np.mean(recorder.losses[-min(len(recorder.losses), 500):])),
        })


def corpus_stats(prepared: PreparedCorpus) -> dict:
    corpus, vocab, stopwords = prepared.corpus, prepared.vocab, prepared.stopwords
    dropped: dict[tuple[str, str], int] = {}
    for words in corpus.sentences:
        for word in words:
            reason = drop_reason(word, vocab, stopwords)
            if reason:
                dropped[(word, reason)] = dropped.get((word, reason), 0) + 1
    by_reason = {reason: sum(c for (_, r), c in dropped.items() if r == reason) for reason in ("stopword", "rare")}
    top = sorted(dropped.items(), key=lambda item: (-item[1], item[0]))[:TOP_DROPPED]
    return {
        "sentences": len(corpus.sentences),
        "words": corpus.word_count,
        "distinct_words": len({w for s in corpus.sentences for w in s}),
        "kept_words": sum(len(s.ids) for s in prepared.sentences),
        "vocab_size": len(vocab),
        "dropped_stopwords": by_reason["stopword"],
        "dropped_rare": by_reason["rare"],
        "pairs": len(prepared.pairs),
        "frequencies": [[w, c] for w, c in zip(vocab.words, vocab.counts)],
        "top_dropped": [[w, c, r] for (w, r), c in top],
        "sample_sentences": [" ".join(s) for s in corpus.sentences[:SAMPLE_SENTENCES]],
    }


def recorded_sentences(prepared: PreparedCorpus, records: list[dict]) -> dict:
    """The raw words of every sentence a recorded step came from, each marked kept or why dropped."""
    ids = sorted({r["sentence_id"] for r in records})
    return {"sentences": {
        str(i): {"words": prepared.corpus.sentences[i],
                 "dropped": [drop_reason(w, prepared.vocab, prepared.stopwords) for w in prepared.corpus.sentences[i]]}
        for i in ids}}
