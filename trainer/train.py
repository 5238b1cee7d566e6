"""Skip-gram training, one (center, context) pair per step, plain SGD, with the closed-form gradients.

Two methods share the pair order, the initial weights and the update rule θ ← θ − η·∇θ:
  softmax: P(w|c) = softmax(v_c·W′); ∂L/∂v_c = Σ_w P(w|c)·u_w − u_o; ∂L/∂W′ = v_c ⊗ (P − onehot(o)).
  sgns:    L = −log σ(u_o·v_c) − Σ_n log σ(−u_n·v_c) over k negatives drawn from unigram^0.75;
           ∂L/∂v_c = Σ_n σ(u_n·v_c)·u_n − (1 − σ(u_o·v_c))·u_o; only v_c and k + 1 columns of W′ change.
The gradients are the formulas the walkthrough teaches, written in numpy: on V×8 matrices torch's
import and autograd cost far more than the arithmetic (docs/performance.md). tests/ checks these
formulas against torch autograd (tests/autograd_losses.py).
Resumable at any step: the pair order and the negatives of an epoch depend only on (seed, epoch),
so the weights and the step count are the whole remaining state.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from trainer.config import TeachingConfig
from trainer.errors import Diverged
from trainer.pairs import epoch_order
from trainer.sgns.sampling import noise_distribution
from trainer.sgns.step import apply_step, sgns_step

INIT_RANGE = 0.5
NEGATIVE_STREAM = 1  # keeps the negatives' random stream apart from the pair order's


def initial_weights(vocab_size: int, dim: int, seed: int) -> dict[str, np.ndarray]:
    """W (V×d) and W′ (d×V), uniform in ±INIT_RANGE; the same for both methods at the same seed. (A corpus run
    starts as word2vec does, W′ at zero: trainer/sgns/numba_engine.py; a teaching run's output vectors start
    random so that the walkthrough's first steps have forces to show.)"""
    rng = np.random.default_rng(seed)
    W = rng.uniform(-INIT_RANGE, INIT_RANGE, (vocab_size, dim)).astype(np.float32)
    W_prime = rng.uniform(-INIT_RANGE, INIT_RANGE, (dim, vocab_size)).astype(np.float32)
    return {"W": W, "W_prime": W_prime}


def epoch_negatives(contexts: np.ndarray, noise: np.ndarray, k: int, seed: int, epoch: int) -> np.ndarray:
    """k negatives for each position of an epoch (n × k); a draw equal to its step's context is redrawn."""
    rng = np.random.default_rng([seed, epoch, NEGATIVE_STREAM])
    negatives = rng.choice(len(noise), size=(len(contexts), k), p=noise)
    clash = negatives == contexts[:, None]
    while clash.any():
        negatives[clash] = rng.choice(len(noise), size=int(clash.sum()), p=noise)
        clash = negatives == contexts[:, None]
    return negatives


@dataclass(frozen=True)
class SoftmaxStep:
    """What the model saw and computed at one softmax step, before its update."""

    W: np.ndarray
    W_out: np.ndarray           # V×d: the output vectors u_w as rows (W′ transposed)
    logits: np.ndarray
    probabilities: np.ndarray
    grad_v_c: np.ndarray
    grad_u_pos: np.ndarray      # ∂L/∂u_o, the true context's output vector (named as in the SGNS record)
    loss: float


@dataclass(frozen=True)
class SgnsStep:
    """The weights one negative-sampling step saw and its numbers (trainer/sgns/step.py), before its update."""

    W: np.ndarray
    W_out: np.ndarray           # V×d
    negative_ids: np.ndarray    # k
    numbers: dict

    @property
    def loss(self) -> float:
        return self.numbers["loss"]


def softmax_step(W: np.ndarray, W_out: np.ndarray, center: int, context: int) -> SoftmaxStep:
    """One full-softmax step's numbers; W_out holds the output vectors as rows (V×d)."""
    v_c = W[center]
    logits = W_out @ v_c
    top = logits.max()
    shifted = np.exp(logits - top)
    total = shifted.sum()
    probabilities = shifted / total
    push = probabilities @ W_out
    pull = W_out[context]
    loss = math.log(total) - float(logits[context] - top)
    return SoftmaxStep(W, W_out, logits, probabilities, push - pull, v_c * (probabilities[context] - 1), loss)


# on_step(step, pair_row, loss, step detail or None); the detail is given only on recorded steps
StepCallback = Callable[[int, np.ndarray, float, "SoftmaxStep | SgnsStep | None"], None]


def diverged(step: int, lr: float, last_loss: float | None) -> Diverged:
    last = f"; the last finite loss was {last_loss:.4g}" if last_loss is not None else ""
    what = f"training diverged at step {step:,} with --lr {lr:g}: the loss is no longer a finite number{last}"
    return Diverged(f"{what}. Nothing was written; try a smaller --lr (0.025-0.3 learns here).", what)


class SkipGramTrainer:
    """A teaching run's weights and its training loop. Output vectors are held as rows, W_out (V×d), as a
    corpus run's engines hold them; the run's files carry W′ = W_outᵀ (d×V), the contract's W_prime."""

    def __init__(self, config: TeachingConfig, vocab_counts, pairs: np.ndarray):
        self.config = config
        self.pairs = pairs
        self.step = 0
        start = initial_weights(len(vocab_counts), config.dim, config.seed)
        self.restore(start["W"], start["W_prime"].T, 0)
        self.noise = noise_distribution(vocab_counts) if config.method == "sgns" else None
        self._epoch = -1
        self._order: np.ndarray | None = None
        self._negatives: np.ndarray | None = None

    def restore(self, W: np.ndarray, W_out: np.ndarray, step: int) -> None:
        """Continues from these weights after `step` steps: the pair order and negatives depend only on
        (seed, epoch), so nothing else is needed."""
        self.W = np.array(W, dtype=np.float32)
        self.W_out = np.array(W_out, dtype=np.float32, order="C")
        self.step = step

    def _position(self, step: int) -> tuple[int, int]:
        """(pair index, position in its epoch) of a step; draws the epoch's order and negatives once."""
        epoch, position = divmod(step - 1, len(self.pairs))
        if epoch != self._epoch:
            self._order = epoch_order(len(self.pairs), self.config.seed, epoch)
            if self.noise is not None:
                contexts = self.pairs[self._order, 1]
                self._negatives = epoch_negatives(contexts, self.noise, self.config.negative, self.config.seed, epoch)
            self._epoch = epoch
        return int(self._order[position]), position

    _last_loss: float | None = None

    @np.errstate(over="ignore", invalid="ignore")  # overflow is detected below and reported in one line
    def train_until(self, last_step: int, on_step: StepCallback, progress: bool = True) -> None:
        """Trains up to last_step; raises Diverged (nothing is written) when the loss or v_c stops being finite."""
        lr, sgns = self.config.lr, self.config.method == "sgns"
        bar = tqdm(total=last_step, initial=self.step, desc="training", unit="step",
                   disable=not progress, mininterval=0.25)
        while self.step < last_step:
            step = self.step + 1
            index, position = self._position(step)
            center, context = int(self.pairs[index, 0]), int(self.pairs[index, 1])
            recorded = self.config.is_recorded(step)
            W, W_out = (self.W.copy(), self.W_out.copy()) if recorded else (self.W, self.W_out)
            if sgns:
                negatives = self._negatives[position]
                numbers = sgns_step(W[center], W_out[context], W_out[negatives], lr)
                detail = SgnsStep(W, W_out, negatives, numbers)
                apply_step(self.W, self.W_out, center, context, negatives, numbers)
            else:
                detail = softmax_step(W, W_out, center, context)
                self._softmax_update(center, context, detail, lr)
            loss = detail.loss
            if not math.isfinite(loss) or not math.isfinite(float(self.W[center].sum())):
                bar.close()
                raise diverged(step, lr, self._last_loss)
            self._last_loss = loss
            self.step = step
            on_step(step, self.pairs[index], loss, detail if recorded else None)
            bar.update()
        bar.close()

    def _softmax_update(self, center: int, context: int, s: SoftmaxStep, lr: float) -> None:
        error = s.probabilities.copy()
        error[context] -= 1
        v_c = self.W[center].copy()
        self.W[center] -= lr * s.grad_v_c
        self.W_out -= error[:, None] * (lr * v_c)

    def weights(self) -> dict[str, np.ndarray]:
        """The run's weights as the files hold them: W (V×d) and W_prime (d×V)."""
        return {"W": self.W.copy(), "W_prime": np.ascontiguousarray(self.W_out.T)}
