"""The skip-gram losses in torch, for tests only: autograd checks the closed-form gradients that
trainer/train.py computes in numpy (and the walkthrough teaches)."""

import torch
import torch.nn.functional as F


def leaf(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def softmax_loss(W: torch.Tensor, W_prime: torch.Tensor, center: int, context: int) -> torch.Tensor:
    """−log P(context | center) with P = softmax(v_c · W′)."""
    return F.cross_entropy((W[center] @ W_prime).unsqueeze(0), torch.tensor([context]))


def sgns_loss(v_c: torch.Tensor, u_pos: torch.Tensor, u_neg: torch.Tensor) -> torch.Tensor:
    """−log σ(u_o·v_c) − Σ_n log σ(−u_n·v_c); u_neg is k × d."""
    return -F.logsigmoid(u_pos @ v_c) - F.logsigmoid(-(u_neg @ v_c)).sum()
