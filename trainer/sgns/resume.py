"""trainer_state.json of a corpus run: what it records, and reading it back (validated) to continue training.

The state holds what a later session cannot recompute: how far training went (epochs, pairs, words),
the lr schedule, the step sampler's generator state, and a fingerprint of the tokenized corpus. The
kernel's random streams need no state: a chunk's stream is seeded by (seed, chunk index), and a session
that starts at epoch e starts at chunk e × chunks_per_epoch.
"""

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import orjson
from safetensors.numpy import load_file

from trainer.config import CorpusConfig
from trainer.errors import RunFormatError
from trainer.run_format import MODEL, TRAINER_STATE, read_all_records, read_json, read_manifest
from trainer.sgns.corpus_ids import CorpusIds
from trainer.sgns.monitor import Progress
from trainer.vocab import Vocab

STATE_FORMAT = "wordlab-sgns-trainer-state"
STATE_VERSION = 1


class ResumeError(RunFormatError):
    """The run cannot be continued: its state is missing, changed or does not fit the corpus or settings."""


def corpus_fingerprint(corpus: CorpusIds, chunks_per_epoch: int) -> dict:
    """What must be equal for a later session to train on the same token stream."""
    vocab = orjson.dumps([corpus.vocab.words, corpus.vocab.counts])
    return {"words": corpus.raw_words, "sentences": corpus.sentences, "tokens": len(corpus.ids),
            "chunks_per_epoch": chunks_per_epoch, "vocab_sha256": hashlib.sha256(vocab).hexdigest()}


def trainer_state(config: CorpusConfig, progress: Progress, fingerprint: dict) -> dict:
    return {
        "format": STATE_FORMAT, "version": STATE_VERSION,
        "step": progress.pairs, "words_done": progress.words, "epochs_done": progress.epochs_done,
        "param_names": ["W", "W_prime"],
        "optimizer": {"type": "sgd", "lr": config.lr, "min_lr": config.min_lr, "schedule": "linear",
                      "schedule_epochs": config.epochs, "momentum": 0.0},
        "rng": {"seed": config.seed, "next_chunk": progress.epochs_done * fingerprint["chunks_per_epoch"],
                "step_sampler": generator_state_to_json(progress.rng_state)},
        "corpus": fingerprint,
    }


@dataclass(frozen=True)
class Checkpoint:
    """A corpus run read back for resuming."""

    config: CorpusConfig
    vocab: Vocab
    W: np.ndarray
    W_out: np.ndarray
    progress: Progress
    fingerprint: dict


def load_checkpoint(run_dir: Path) -> Checkpoint:
    """Reads and checks everything a resumed session needs; any doubt is refused with the reason."""
    name = run_dir.name
    manifest = read_manifest(run_dir)  # a broken run is refused here with its reason
    if manifest["kind"] != "corpus":
        raise ResumeError(f"{name} is a {manifest['kind']} run, not a corpus run")
    for relpath in (TRAINER_STATE, MODEL):
        if hashlib.sha256((run_dir / relpath).read_bytes()).hexdigest() != manifest["files"][relpath]["sha256"]:
            raise ResumeError(f"{name}: {relpath} was changed after the run was written (its checksum differs "
                              f"from run.json); it cannot be resumed")
    try:
        state = read_json(run_dir, TRAINER_STATE)
        check_state(state)
        config = CorpusConfig.from_dict(manifest["config"])
        weights = load_file(str(run_dir / MODEL))
        vocab = Vocab.from_dict(read_json(run_dir, "vocab.json"))
        progress = Progress(state["epochs_done"], state["step"], state["words_done"],
                            generator_state_from_json(state["rng"]["step_sampler"]),
                            read_json(run_dir, "loss_curve.json"), read_all_records(run_dir, manifest))
    except (ValueError, TypeError, KeyError) as err:
        raise ResumeError(f"{name}: {TRAINER_STATE} is not a valid corpus-run state ({err}); it cannot be "
                          f"resumed") from None
    if state["epochs_done"] != config.epochs or state["optimizer"]["schedule_epochs"] != config.epochs:
        raise ResumeError(f"{name}: {TRAINER_STATE} says {state['epochs_done']} epochs, run.json {config.epochs}")
    shape = (len(vocab), config.dim)
    if weights.get("W", np.empty(0)).shape != shape or weights.get("W_prime", np.empty(0)).shape != shape[::-1]:
        raise ResumeError(f"{name}: {MODEL} does not hold W {shape} and W_prime {shape[::-1]} for the vocabulary")
    return Checkpoint(config, vocab, weights["W"].astype(np.float32), np.ascontiguousarray(weights["W_prime"].T),
                      progress, state["corpus"])


def generator_state_to_json(state: dict) -> dict:
    """numpy's PCG64 state with its two 128-bit integers as decimal strings (JSON integers are 64-bit)."""
    return {**state, "state": {k: str(v) for k, v in state["state"].items()}}


def generator_state_from_json(data: dict) -> dict:
    state = {**data, "state": {k: int(v) for k, v in data["state"].items()}}
    np.random.PCG64().state = state  # refuses anything that is not a PCG64 state
    return state


STATE_FIELDS = {"format": str, "version": int, "step": int, "words_done": int, "epochs_done": int,
                "optimizer": dict, "rng": dict, "corpus": dict}


def check_state(state) -> None:
    if not isinstance(state, dict):
        raise ValueError("not a JSON object")
    for key, kind in STATE_FIELDS.items():
        if not isinstance(state.get(key), kind):
            raise ValueError(f"{key!r} is missing or not a {kind.__name__}")
    if state["format"] != STATE_FORMAT or state["version"] != STATE_VERSION:
        raise ValueError(f"format {state['format']!r} version {state['version']}, expected {STATE_FORMAT!r} "
                         f"version {STATE_VERSION}")
    if not isinstance(state["rng"].get("step_sampler"), dict) or not isinstance(state["optimizer"].get(
            "schedule_epochs"), int):
        raise ValueError("'rng.step_sampler' or 'optimizer.schedule_epochs' is missing")


def resumed_config(checkpoint: Checkpoint, epochs: int, **changes) -> CorpusConfig:
    """The run's own settings with the new total of epochs (and the thread count or engine, if given)."""
    done = checkpoint.progress.epochs_done
    if epochs <= done:
        raise ResumeError(f"the run already has {done} epochs; pass --epochs greater than that to continue")
    return replace(checkpoint.config, epochs=epochs, **changes)


def check_same_corpus(checkpoint: Checkpoint, fingerprint: dict, source: str) -> None:
    if fingerprint != checkpoint.fingerprint:
        differ = sorted(k for k in fingerprint if fingerprint[k] != checkpoint.fingerprint.get(k))
        raise ResumeError(f"the corpus {source} no longer gives the token stream the run was trained on "
                          f"({', '.join(differ)} differ); it cannot be resumed on it")
