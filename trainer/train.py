"""Full-softmax skip-gram training, one (center, context) pair per step, plain SGD.

The update is written out (θ ← θ − η·∇θ) rather than taken from torch.optim: it is what the
walkthrough teaches, plain SGD keeps no per-parameter state, and torch.optim.SGD would add
~90 µs of hooks per step and 1.8 s of imports to a run that takes a few seconds.
Resumable at any step: the pair order of an epoch depends only on (seed, epoch), so the
weights and the step count are the whole remaining state.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from trainer.config import TrainConfig
from trainer.model import SkipGram
from trainer.pairs import epoch_order


@dataclass(frozen=True)
class StepSnapshot:
    """What the model saw and computed at one step, before its update (float32 copies)."""

    W: np.ndarray
    W_prime: np.ndarray
    logits: np.ndarray
    probabilities: np.ndarray
    grad_v_c: np.ndarray
    grad_u_o: np.ndarray


# on_step(step, pair_row, loss, snapshot or None)
StepCallback = Callable[[int, np.ndarray, float, StepSnapshot | None], None]


class SkipGramTrainer:
    def __init__(self, config: TrainConfig, vocab_size: int, pairs: np.ndarray,
                 weights: dict[str, torch.Tensor] | None = None, step: int = 0):
        torch.set_num_threads(1)  # tiny matrices: threads only add overhead and nondeterminism
        self.config = config
        self.pairs = pairs
        self.step = step
        self.model = SkipGram(vocab_size, config.dim, torch.Generator().manual_seed(config.seed))
        if weights is not None:
            self.model.load_state_dict(weights)
        self._pair_tensor = torch.from_numpy(pairs[:, :2].copy())
        self._order_epoch = -1
        self._order: np.ndarray | None = None

    def _pair_index(self, step: int) -> int:
        epoch, position = divmod(step - 1, len(self.pairs))
        if epoch != self._order_epoch:
            self._order = epoch_order(len(self.pairs), self.config.seed, epoch)
            self._order_epoch = epoch
        return int(self._order[position])

    def train_until(self, last_step: int, on_step: StepCallback, progress: bool = True) -> None:
        model, lr = self.model, self.config.lr
        parameters = list(model.parameters())
        bar = tqdm(total=last_step, initial=self.step, desc="training", unit="step",
                   disable=not progress, mininterval=0.25)
        while self.step < last_step:
            step = self.step + 1
            index = self._pair_index(step)
            center, context = self._pair_tensor[index]
            for p in parameters:
                p.grad = None
            logits = model(center)
            loss = F.cross_entropy(logits.unsqueeze(0), context.unsqueeze(0))
            loss.backward()
            snapshot = self._snapshot(int(center), int(context), logits) if self.config.is_recorded(step) else None
            with torch.no_grad():
                for p in parameters:
                    p.add_(p.grad, alpha=-lr)
            self.step = step
            on_step(step, self.pairs[index], loss.item(), snapshot)
            bar.update()
        bar.close()

    def _snapshot(self, center: int, context: int, logits: torch.Tensor) -> StepSnapshot:
        W, W_prime = self.model.W, self.model.W_prime
        logits = logits.detach()
        return StepSnapshot(
            W=W.detach().numpy().copy(),
            W_prime=W_prime.detach().numpy().copy(),
            logits=logits.numpy().copy(),
            probabilities=torch.softmax(logits, dim=0).numpy(),
            grad_v_c=W.grad[center].numpy().copy(),
            grad_u_o=W_prime.grad[:, context].numpy().copy(),
        )

    def weights(self) -> dict[str, torch.Tensor]:
        return {name: p.detach().clone().contiguous() for name, p in self.model.state_dict().items()}
