"""trainer_state.json of a corpus run: what it records, and reading it back (validated) to continue training.

The state holds what a later session cannot recompute: how far training went (epochs, pairs, words),
the lr schedule, the step sampler's generator state, and a fingerprint of the corpus as ids. The
kernel's random streams need no state: a chunk's stream is seeded by (seed, chunk index), and a session
that starts at epoch e starts at chunk e × chunks_per_epoch.
"""

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import orjson

from trainer.checkpoint import ResumeError, load_checkpoint
from trainer.config import CorpusConfig
from trainer.run_format import TRAINER_STATE
from trainer.sgns.corpus_ids import CorpusIds
from trainer.sgns.monitor import Progress
from trainer.vocab import Vocab

STATE_FORMAT = "wordlab-sgns-trainer-state"
STATE_VERSION = 1


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
class CorpusCheckpoint:
    """A corpus run read back for resuming: the saved run (trainer/checkpoint.py) and where training stood."""

    config: CorpusConfig
    vocab: Vocab
    W: np.ndarray
    W_out: np.ndarray            # V×d: the rows the engines train (W_prime's transpose)
    progress: Progress
    fingerprint: dict


def load_corpus_checkpoint(run_dir: Path) -> CorpusCheckpoint:
    """The saved corpus run with its trainer state checked; any doubt is refused with the reason."""
    saved = load_checkpoint(run_dir, "corpus")
    name, state, config = run_dir.name, saved.state, saved.config
    try:
        check_state(state)
        progress = Progress(state["epochs_done"], state["step"], state["words_done"],
                            generator_state_from_json(state["rng"]["step_sampler"]), saved.loss_curve, saved.records)
    except (ValueError, TypeError, KeyError) as err:
        raise ResumeError(f"{name}: {TRAINER_STATE} is not a valid corpus-run state ({err}); it cannot be "
                          f"resumed") from None
    if state["epochs_done"] != config.epochs or state["optimizer"]["schedule_epochs"] != config.epochs:
        raise ResumeError(f"{name}: {TRAINER_STATE} says {state['epochs_done']} epochs, run.json {config.epochs}")
    return CorpusCheckpoint(config, saved.vocab, saved.W, saved.W_out, progress, state["corpus"])


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


def resumed_config(checkpoint: CorpusCheckpoint, epochs: int, **changes) -> CorpusConfig:
    """The run's own settings with the new total of epochs (and the thread count or engine, if given)."""
    done = checkpoint.progress.epochs_done
    if epochs <= done:
        raise ResumeError(f"the run already has {done} epochs; pass --epochs greater than that to continue")
    return replace(checkpoint.config, epochs=epochs, **changes)


def check_same_corpus(checkpoint: CorpusCheckpoint, fingerprint: dict, source: str) -> None:
    if fingerprint != checkpoint.fingerprint:
        differ = sorted(k for k in fingerprint if fingerprint[k] != checkpoint.fingerprint.get(k))
        raise ResumeError(f"the corpus {source} no longer gives the token stream the run was trained on "
                          f"({', '.join(differ)} differ); it cannot be resumed on it")
