"""The skip-gram model: center embeddings W (V×d) and output matrix W' (d×V), forward pass only.

Loss, optimizer and recording live in the training code (trainer/train.py).
"""

import torch
from torch import nn

INIT_RANGE = 0.5


class SkipGram(nn.Module):
    def __init__(self, vocab_size: int, dim: int, generator: torch.Generator | None = None):
        super().__init__()
        self.W = nn.Parameter(torch.empty(vocab_size, dim).uniform_(-INIT_RANGE, INIT_RANGE, generator=generator))
        self.W_prime = nn.Parameter(torch.empty(dim, vocab_size).uniform_(-INIT_RANGE, INIT_RANGE, generator=generator))

    def forward(self, center_ids: torch.Tensor) -> torch.Tensor:
        """Logits over the vocabulary: scores u_w · v_c for every output word w."""
        return self.W[center_ids] @ self.W_prime
