"""A saved run read back to continue training, for both kinds: the one checkpoint loader.

A run is untrusted input: its manifest is validated (trainer/run_format.py), the weights and the trainer state
must still match the checksums run.json holds, and the weights must fit the vocabulary and the config. What
each kind adds (a corpus run's random streams and corpus fingerprint: trainer/sgns/resume.py) builds on this.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

from trainer.config import CONFIGS, RunConfig
from trainer.errors import RunFormatError
from trainer.run_format import MODEL, TRAINER_STATE, read_all_records, read_json, read_manifest
from trainer.vocab import Vocab


class ResumeError(RunFormatError):
    """The run cannot be continued: its state is missing, changed or does not fit the corpus or settings."""


@dataclass(frozen=True)
class Checkpoint:
    """Everything a saved run holds that training goes on from."""

    manifest: dict
    config: RunConfig
    vocab: Vocab
    W: np.ndarray                # V×d
    W_out: np.ndarray            # V×d: the output vectors as rows, as both kinds train them (the file's W_prime
                                 # transposed)
    state: dict                  # trainer_state.json, as read (each kind checks its own fields)
    loss_curve: dict
    records: list[dict]          # every recorded step, in order


def config_of(manifest: dict) -> RunConfig:
    """The config a run was trained with: its manifest's config, plus chunk_size, which the manifest holds
    once at its top level for every reader (a corpus run's config has no such field and ignores it)."""
    return CONFIGS[manifest["kind"]].from_dict({**manifest["config"], "chunk_size": manifest["chunk_size"]})


def load_checkpoint(run_dir: Path, kind: str) -> Checkpoint:
    """Reads and checks a saved run of this kind; any doubt is refused with the reason, before any training."""
    name = run_dir.name
    manifest = read_manifest(run_dir)  # a broken run is refused here with its reason
    if manifest["kind"] != kind:
        raise ResumeError(f"{name} is a {manifest['kind']} run, not a {kind} run")
    for relpath in (TRAINER_STATE, MODEL):
        if hashlib.sha256((run_dir / relpath).read_bytes()).hexdigest() != manifest["files"][relpath]["sha256"]:
            raise ResumeError(f"{name}: {relpath} was changed after the run was written (its checksum differs "
                              f"from run.json); it cannot be resumed")
    try:
        config = config_of(manifest)
        vocab = Vocab.from_dict(read_json(run_dir, "vocab.json"))
        weights = load_file(str(run_dir / MODEL))
        state, curve = read_json(run_dir, TRAINER_STATE), read_json(run_dir, "loss_curve.json")
        records = read_all_records(run_dir, manifest)
    except (ValueError, TypeError, KeyError) as err:
        raise ResumeError(f"{name} cannot be resumed: {err}") from None
    if not isinstance(state, dict):
        raise ResumeError(f"{name}: {TRAINER_STATE} is not a JSON object; it cannot be resumed")
    shape = (len(vocab), config.dim)
    if weights.get("W", np.empty(0)).shape != shape or weights.get("W_prime", np.empty(0)).shape != shape[::-1]:
        raise ResumeError(f"{name}: {MODEL} does not hold W {shape} and W_prime {shape[::-1]} for the vocabulary")
    return Checkpoint(manifest, config, vocab, weights["W"].astype(np.float32),
                      np.ascontiguousarray(weights["W_prime"].T, dtype=np.float32), state, curve, records)
