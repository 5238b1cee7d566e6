"""One skip-gram negative-sampling step, computed in full and recorded: the one both kinds of run use.

A teaching run with --method sgns trains every step through it; a corpus run trains in a compiled kernel and
records a sample of real steps through it. Both write the same record (docs/run-format.md, "the SGNS step
record"):
    L = −log σ(u_o·v_c) − Σ_n log σ(−u_n·v_c)
    ∂L/∂v_c = Σ_n σ(u_n·v_c)·u_n − (1 − σ(u_o·v_c))·u_o = push − pull
    ∂L/∂u_o = −(1 − σ(u_o·v_c))·v_c,  ∂L/∂u_n = σ(u_n·v_c)·v_c
float32 throughout, as the kernel trains; the identity grad_v_c = push − pull holds in the record by
construction, and tests check the formulas against torch autograd (tests/autograd_losses.py).
"""

import numpy as np


def sigmoid(x):
    """σ(x), stable at both ends (no overflow warning for large |x|)."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, np.float64)))


def sgns_step(v_c: np.ndarray, u_pos: np.ndarray, u_neg: np.ndarray, lr: float) -> dict:
    """The numbers of one step for center vector v_c, the true context's output vector u_pos and the
    negatives' u_neg (k×d), before the update; every field of the record but the pair's ids and words."""
    v_c, u_pos, u_neg = (np.array(a, np.float32) for a in (v_c, u_pos, u_neg))
    lr32 = np.float32(lr)
    score_pos = np.float32(u_pos @ v_c)
    scores_neg = (u_neg @ v_c).astype(np.float32)
    sigma_pos = np.float32(sigmoid(score_pos))
    sigmas_neg = sigmoid(scores_neg).astype(np.float32)
    loss_pos = np.float32(np.logaddexp(0.0, -float(score_pos)))
    loss_neg = np.logaddexp(0.0, scores_neg.astype(np.float64)).astype(np.float32)
    pull = ((np.float32(1) - sigma_pos) * u_pos).astype(np.float32)
    push = (sigmas_neg[:, None] * u_neg).sum(axis=0, dtype=np.float32)
    grad_v_c = (push - pull).astype(np.float32)
    return {
        "lr": float(lr32),
        "score_pos": float(score_pos), "sigma_pos": float(sigma_pos), "scores_neg": scores_neg,
        "sigmas_neg": sigmas_neg, "loss_pos": float(loss_pos), "loss_neg": loss_neg,
        "loss": float(loss_pos + loss_neg.sum(dtype=np.float32)),
        "hidden": v_c, "u_pos": u_pos, "u_neg": u_neg, "pull": pull, "push": push, "grad_v_c": grad_v_c,
        "grad_u_pos": (-(np.float32(1) - sigma_pos) * v_c).astype(np.float32),
        "grad_u_neg": (sigmas_neg[:, None] * v_c[None, :]).astype(np.float32),
        "update_v_c": (-lr32 * grad_v_c).astype(np.float32),
    }


def apply_step(W: np.ndarray, W_out: np.ndarray, center: int, context: int, negatives: np.ndarray,
               numbers: dict) -> None:
    """The step's SGD update on the live weights. W_out's rows are the output vectors (the columns of W′: a
    teaching run passes W_prime.T, a view); a negative drawn twice moves twice."""
    lr = np.float32(numbers["lr"])
    W_out[context] -= lr * numbers["grad_u_pos"]
    np.subtract.at(W_out, negatives, lr * numbers["grad_u_neg"])
    W[center] += numbers["update_v_c"]


def sgns_record(step: int, center: int, context: int, negatives: np.ndarray, words: list[str],
                numbers: dict) -> dict:
    """The SGNS step record both kinds write: the pair and its negatives, by id and by word, and the numbers."""
    negative_ids = [int(n) for n in negatives]
    return {"step": step, "center_id": center, "context_id": context, "center_word": words[center],
            "context_word": words[context], "negative_ids": negative_ids,
            "negative_words": [words[n] for n in negative_ids], **numbers}
