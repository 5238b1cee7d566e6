"""The compiled SGNS kernel: one call trains on one chunk of the id array, releasing the GIL.

Several threads call it on different chunks at once and update the shared W and W_out without locks
(Hogwild, as word2vec.c and gensim do): with sparse updates, collisions are rare and harmless.
The random generator is word2vec.c's 64-bit LCG, seeded per chunk, so one thread is deterministic.
"""

import math

import numpy as np
from numba import njit

SENTENCE_END = 0xFFFFFFFF
MAX_SENTENCE = 10_000  # gensim's cap: a longer "sentence" (a file without line ends) is cut here
LOSS_EVERY = 8  # the loss is summed over every 8th pair: an estimate of the mean at 1/8 of the cost
# word2vec.c's sigmoid table: σ on [-MAX_EXP, MAX_EXP] in SIGMOID_SIZE steps, saturated outside; a lookup
# instead of an exp per (pair, target) is what makes word2vec.c and gensim fast.
MAX_EXP = 6.0
SIGMOID_SIZE = 1000


def sigmoid_table() -> np.ndarray:
    x = (np.arange(SIGMOID_SIZE, dtype=np.float64) / SIGMOID_SIZE * 2 - 1) * MAX_EXP
    return (1 / (1 + np.exp(-x))).astype(np.float32)


SIGMOID = sigmoid_table()


@njit(inline="always")
def next_random(state):
    return state * np.uint64(25214903917) + np.uint64(11)


@njit(inline="always")
def uniform(state):
    return (state >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(nogil=True, fastmath=True, cache=True)
def train_chunk(ids, start, end, W, W_out, keep, table, window, negative, lr_start, lr_end, seed, stats):
    """Trains on ids[start:end] (which ends at a sentence end); stats gets [words, pairs, loss_sum, loss_pairs]."""
    dim = W.shape[1]
    state = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1)
    sentence = np.empty(MAX_SENTENCE, np.int64)
    grad = np.empty(dim, np.float32)
    table_size = np.uint64(table.shape[0])
    span = max(end - start, 1)
    pairs = 0
    loss_sum = 0.0
    loss_pairs = 0
    words = 0
    pos = start
    while pos < end:
        length = 0
        while pos < end and length < MAX_SENTENCE:
            word = ids[pos]
            pos += 1
            if word == SENTENCE_END:
                break
            words += 1
            state = next_random(state)
            if keep[word] < uniform(state):
                continue
            sentence[length] = word
            length += 1
        lr = np.float32(lr_start + (lr_end - lr_start) * (pos - start) / span)
        for i in range(length):
            center = sentence[i]
            vec = W[center]
            state = next_random(state)
            reduced = window - np.int64(state >> np.uint64(33)) % window
            for j in range(max(0, i - reduced), min(length, i + reduced + 1)):
                if j == i:
                    continue
                context = sentence[j]
                for k in range(dim):
                    grad[k] = 0.0
                measure = pairs % LOSS_EVERY == 0
                for n in range(negative + 1):
                    if n == 0:
                        target = context
                        label = 1.0
                    else:
                        state = next_random(state)
                        target = table[((state >> np.uint64(32)) * table_size) >> np.uint64(32)]  # no division
                        if target == context:
                            continue
                        label = 0.0
                    out = W_out[target]
                    score = np.float32(0.0)
                    for k in range(dim):
                        score += vec[k] * out[k]
                    if score >= MAX_EXP:
                        sigma = np.float32(1.0)
                    elif score <= -MAX_EXP:
                        sigma = np.float32(0.0)
                    else:
                        sigma = SIGMOID[int((score + MAX_EXP) * (SIGMOID_SIZE / MAX_EXP / 2))]
                    if measure:
                        # -log σ(score) for the positive, -log σ(-score) for a negative
                        margin = score if label == 1.0 else -score
                        loss_sum += math.log1p(math.exp(-margin)) if margin > -30.0 else -margin
                    g = (np.float32(label) - sigma) * lr
                    for k in range(dim):
                        grad[k] += g * out[k]
                        out[k] += g * vec[k]
                for k in range(dim):
                    vec[k] += grad[k]
                if measure:
                    loss_pairs += 1
                pairs += 1
    stats[0] = words
    stats[1] = pairs
    stats[2] = loss_sum
    stats[3] = loss_pairs
