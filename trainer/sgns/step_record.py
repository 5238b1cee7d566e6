"""One SGNS step computed in full and recorded: every number the walkthrough shows, then the update.

float32 throughout, as the kernel trains; the identity grad_v_c = push − pull holds in the record by
construction and a test checks it against autograd.
"""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)


def sgns_step(v_c: np.ndarray, u_pos: np.ndarray, u_neg: np.ndarray, lr: float) -> dict:
    """The numbers of one step for center vector v_c, positive output u_pos and negatives u_neg (k×d)."""
    v_c, u_pos, u_neg = (np.asarray(a, np.float32) for a in (v_c, u_pos, u_neg))
    lr32 = np.float32(lr)
    score_pos = np.float32(u_pos @ v_c)
    scores_neg = (u_neg @ v_c).astype(np.float32)
    sigma_pos = sigmoid(np.array([score_pos]))[0]
    sigmas_neg = sigmoid(scores_neg)
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
               record: dict) -> None:
    """Applies the recorded step's SGD update to the live weights (W_out rows are the columns of W_prime)."""
    lr = np.float32(record["lr"])
    W_out[context] -= lr * record["grad_u_pos"]
    np.subtract.at(W_out, negatives, lr * record["grad_u_neg"])
    W[center] += record["update_v_c"]
