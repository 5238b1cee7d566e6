"""The torch engine (--engine torch, --device cpu|cuda): batched SGNS with sparse updates, no Python per pair.

Pairs are built on the device for a whole chunk at once (subsampling, dynamic window, sentence edges as
tensor masks), then trained in large batches of (center, positive, k negatives) with hand-written
gradients applied by index_add_ (plain SGD on the touched rows only, as the numba kernel does).
"""

from collections.abc import Callable

import numpy as np
import torch

from trainer.config import CorpusConfig
from trainer.errors import WordlabError
from trainer.sgns.corpus_ids import SENTENCE_END
from trainer.sgns.sampling import NoiseAlias
from trainer.sgns.schedule import ChunkResult, chunk_bounds, chunk_seed, plan
from trainer.sgns.step import sgns_step

BATCH_PAIRS = {"cpu": 8192, "cuda": 1 << 20}
# A batch sums the updates of every pair that touches a row: with a small vocabulary one row would get
# thousands at once and diverge, so a batch holds at most PAIRS_PER_WORD × vocabulary pairs.
PAIRS_PER_WORD = 4
MIN_BATCH = 256


def chunk_pairs(tokens: torch.Tensor, keep: torch.Tensor, window: int,
                generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(centers, contexts) of one chunk: kept tokens, each center's window shrunk at random to 1..window."""
    is_end = tokens == int(SENTENCE_END)
    sentence = torch.cumsum(is_end.to(torch.int64), 0)
    words = ~is_end
    word_ids = tokens.clamp(max=len(keep) - 1).to(torch.int64)
    draw = torch.rand(len(tokens), generator=generator, device=tokens.device)
    kept = words & (keep[word_ids] >= draw)
    ids, sentence = word_ids[kept], sentence[kept]
    reduced = torch.randint(1, window + 1, (len(ids),), generator=generator, device=tokens.device)
    return window_pairs(ids, sentence, reduced, window)


def window_pairs(ids: torch.Tensor, sentence: torch.Tensor, reduced: torch.Tensor,
                 window: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (center, context) within each center's reduced window and the same sentence, by offset."""
    centers, contexts = [], []
    for offset in range(1, window + 1):
        for sign in (1, -1):
            lo, hi = (0, len(ids) - offset) if sign == 1 else (offset, len(ids))
            at = torch.arange(lo, hi, device=ids.device)
            other = at + sign * offset
            ok = (sentence[at] == sentence[other]) & (reduced[at] >= offset)
            centers.append(ids[at[ok]])
            contexts.append(ids[other[ok]])
    return torch.cat(centers), torch.cat(contexts)


def sgns_batch(W: torch.Tensor, W_out: torch.Tensor, centers: torch.Tensor, contexts: torch.Tensor,
               negatives: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
    """One SGD step on a batch; returns the summed loss. lr has one rate per pair."""
    v = W[centers]
    u = W_out[contexts]
    u_neg = W_out[negatives]
    score_pos = (v * u).sum(1)
    scores_neg = torch.bmm(u_neg, v.unsqueeze(2)).squeeze(2)
    valid = (negatives != contexts.unsqueeze(1)).to(v.dtype)  # a negative equal to the context is skipped
    g_pos = (1 - torch.sigmoid(score_pos)) * lr
    g_neg = -torch.sigmoid(scores_neg) * valid * lr.unsqueeze(1)
    grad_v = g_pos.unsqueeze(1) * u + torch.bmm(g_neg.unsqueeze(1), u_neg).squeeze(1)
    W_out.index_add_(0, contexts, g_pos.unsqueeze(1) * v)
    W_out.index_add_(0, negatives.reshape(-1), (g_neg.unsqueeze(2) * v.unsqueeze(1)).reshape(-1, v.shape[1]))
    W.index_add_(0, centers, grad_v)
    loss = torch.nn.functional.softplus(-score_pos) + (torch.nn.functional.softplus(scores_neg) * valid).sum(1)
    return loss.sum()


class TorchEngine:
    def __init__(self, config: CorpusConfig, W: np.ndarray, W_out: np.ndarray):
        if config.device == "cuda" and not torch.cuda.is_available():
            raise WordlabError("--device cuda: no CUDA GPU is available to torch on this machine; use --device cpu")
        self.config = config
        self.device = torch.device(config.device)
        self.W_t, self.W_out_t = torch.from_numpy(W).to(self.device), torch.from_numpy(W_out).to(self.device)

    @property
    def W(self) -> np.ndarray:
        """The live input vectors as numpy (shared memory on the CPU, a copy from a GPU)."""
        return self.W_t.cpu().numpy()

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        return self.W_t.cpu().numpy(), self.W_out_t.cpu().numpy()

    def recorded_step(self, center: int, context: int, negatives: np.ndarray, lr: float) -> dict:
        """Trains one step through trainer/sgns/step.py on the device's weights and returns its numbers."""
        negatives_t = torch.from_numpy(negatives).to(self.device)
        numbers = sgns_step(self.W_t[center].cpu().numpy(), self.W_out_t[context].cpu().numpy(),
                            self.W_out_t[negatives_t].cpu().numpy(), lr)
        as_tensor = lambda a: torch.as_tensor(np.asarray(a, np.float32), device=self.device)  # noqa: E731
        lr32 = numbers["lr"]
        self.W_out_t[context] -= lr32 * as_tensor(numbers["grad_u_pos"])
        self.W_out_t.index_add_(0, negatives_t, -lr32 * as_tensor(numbers["grad_u_neg"]))
        self.W_t[center] += as_tensor(numbers["update_v_c"])
        return numbers

    def train(self, ids: np.ndarray, keep: np.ndarray, noise: NoiseAlias, first_epoch: int,
              on_chunk: Callable[[ChunkResult], None]) -> None:
        cfg, device = self.config, self.device
        keep_t = torch.from_numpy(np.asarray(keep, np.float32)).to(device)
        accept_t = torch.from_numpy(noise.accept).to(device)
        alias_t = torch.from_numpy(noise.alias.astype(np.int64)).to(device)
        batch = int(np.clip(PAIRS_PER_WORD * len(keep), MIN_BATCH, BATCH_PAIRS[device.type]))
        generator = torch.Generator(device=device)
        for index, epoch, start, end, lr_start, lr_end in plan(chunk_bounds(ids), cfg, first_epoch):
            generator.manual_seed(chunk_seed(cfg.seed, index))
            tokens = torch.from_numpy(np.asarray(ids[start:end], np.int64)).to(device)
            centers, contexts = chunk_pairs(tokens, keep_t, cfg.window, generator)
            order = torch.randperm(len(centers), generator=generator, device=device)
            centers, contexts = centers[order], contexts[order]
            rates = torch.linspace(lr_start, lr_end, max(len(centers), 1), device=device)
            loss = torch.zeros((), device=device, dtype=torch.float64)
            for b in range(0, len(centers), batch):
                part = slice(b, b + batch)
                shape = (len(centers[part]), cfg.negative)
                slots = torch.randint(0, len(accept_t), shape, generator=generator, device=device)
                accepted = torch.rand(shape, generator=generator, device=device) < accept_t[slots]
                negatives = torch.where(accepted, slots, alias_t[slots])
                loss += sgns_batch(self.W_t, self.W_out_t, centers[part], contexts[part], negatives, rates[part])
            words = int((tokens != int(SENTENCE_END)).sum())
            pairs = len(centers)
            on_chunk(ChunkResult(index, epoch, start, end, words, pairs,
                                 float(loss) / pairs if pairs else float("nan"), lr_start))
