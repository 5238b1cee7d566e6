"""Turns each recorded step's snapshot into the numbers the walkthrough page teaches.

Forces on the center word: the pull is u_o (the true context's output vector), the push is
Σ_w P(w|c)·u_w (the output vectors weighted by the model's belief). Their difference is exactly the
gradient of the loss with respect to v_c:
    ∂L/∂v_c = Σ_w P(w|c)·u_w − u_o = push − pull.
Vectors in that identity are written at full float32 precision so it holds in the files.
Negative sampling has the same shape with k sampled words in place of all V:
    ∂L/∂v_c = Σ_n σ(u_n·v_c)·u_n − (1 − σ(u_o·v_c))·u_o = push − pull.
"""

import numpy as np

from trainer.config import TeachingConfig
from trainer.rounding import round_fixed, round_significant
from trainer.sgns.step import sgns_record
from trainer.train import SgnsStep, SoftmaxStep
from trainer.vocab import FilteredSentence, Vocab

WEIGHT_DECIMALS = 4
LOGIT_DECIMALS = 4
PROBABILITY_DIGITS = 4


class StepRecorder:
    """Collects every step's loss and the full state of the recorded steps, in memory."""

    def __init__(self, config: TeachingConfig, vocab: Vocab, sentences: list[FilteredSentence]):
        self.config = config
        self.vocab = vocab
        self.sentences = sentences
        self.losses: list[float] = []
        self.records: list[dict] = []
        self.weight_history: list[np.ndarray] = []  # W at each recorded step, unrounded

    def __call__(self, step: int, pair: np.ndarray, loss: float, snapshot: SoftmaxStep | SgnsStep | None) -> None:
        self.losses.append(loss)
        if snapshot is not None:
            self.records.append(self._record(step, pair, loss, snapshot))
            self.weight_history.append(snapshot.W)

    def restore(self, losses: list[float], records: list[dict]) -> None:
        """Continues a resumed run: earlier steps come back from its files (at their written precision)."""
        self.losses = list(losses)
        self.records = list(records)
        self.weight_history = [np.asarray(r["W"], dtype=np.float32) for r in records]

    def _record(self, step: int, pair: np.ndarray, loss: float, snap: SoftmaxStep | SgnsStep) -> dict:
        center, context, sentence_id, center_pos, context_pos = (int(x) for x in pair)
        sentence = self.sentences[sentence_id]
        window = self.config.window
        in_window = sentence.positions[max(0, center_pos - window):center_pos + window + 1]
        shared = {
            "step": step,
            "center_id": center,
            "context_id": context,
            "center_word": self.vocab.words[center],
            "context_word": self.vocab.words[context],
            "sentence_id": sentence_id,
            "center_position": sentence.positions[center_pos],
            "context_position": sentence.positions[context_pos],
            "window_positions": in_window,
            "loss": np.float32(loss),
            "W": round_fixed(snap.W, WEIGHT_DECIMALS),
            "W_prime": round_fixed(snap.W_out.T, WEIGHT_DECIMALS),
            "hidden": snap.W[center],
        }
        if isinstance(snap, SgnsStep):
            return shared | sgns_record(step, center, context, snap.negative_ids, self.vocab.words, snap.numbers)
        return shared | self._softmax_fields(center, context, snap)

    def _softmax_fields(self, center: int, context: int, snap: SoftmaxStep) -> dict:
        probabilities = snap.probabilities
        hidden = snap.W[center]
        pull = snap.W_out[context]
        push = probabilities @ snap.W_out
        cosine = float(hidden @ pull / max(np.linalg.norm(hidden) * np.linalg.norm(pull), 1e-12))
        return {
            "lr": float(np.float32(self.config.lr)),   # as the SGNS record holds it
            "logits": round_fixed(snap.logits, LOGIT_DECIMALS),
            "probabilities": round_significant(probabilities, PROBABILITY_DIGITS),
            "grad_v_c": snap.grad_v_c,
            "grad_u_pos": snap.grad_u_pos,
            "pull": pull.copy(),
            "push": push.astype(np.float32),
            "cosine_center_context": np.float32(cosine),
            "context_rank": int(1 + np.count_nonzero(probabilities > probabilities[context])),
            "context_prob": probabilities[context],
        }
