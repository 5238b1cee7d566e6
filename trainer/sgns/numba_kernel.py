"""The compiled SGNS kernel: one call trains on one chunk of the id array, releasing the GIL.

Several threads call it on different chunks at once and update the shared W and W_out without locks
(Hogwild, as word2vec.c and gensim do): with sparse updates, collisions are rare and harmless.
What keeps it at word2vec.c's speed: float32 rows updated in place (vectorized loops over d), σ and
−log σ from tables instead of exp/log per (pair, target), word2vec.c's 64-bit LCG inlined (no numpy RNG
calls), the negatives from a V-sized alias table that stays in cache, and no Python inside a chunk.
One thread is deterministic: the generator is seeded per chunk.
"""

import numpy as np
from numba import njit

SENTENCE_END = 0xFFFFFFFF
MAX_SENTENCE = 10_000  # gensim's cap: a longer "sentence" (a file without line ends) is cut here
# σ and −log σ at TABLE_STEPS + 1 points over [-MAX_EXP, MAX_EXP], read at the nearest point (0 is one),
# saturated outside, as word2vec.c's EXP_TABLE; the loss outside is ≈0 (beyond +MAX_EXP) or −margin.
MAX_EXP = 6.0
TABLE_STEPS = 1000
CELLS_PER_UNIT = TABLE_STEPS / (2 * MAX_EXP)
STATS = 3  # a chunk's stats: [words read, pairs trained, summed loss of those pairs]
# fastmath without nnan/ninf: reductions vectorize, and a NaN score still fails the table-range test
# (it must not index the table) and reaches the loss, where the recorder sees the divergence.
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}


def tables() -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(TABLE_STEPS + 1, dtype=np.float64) / CELLS_PER_UNIT - MAX_EXP
    return (1 / (1 + np.exp(-x))).astype(np.float32), np.log1p(np.exp(-x)).astype(np.float32)


SIGMOID, NEG_LOG_SIGMOID = tables()
LCG_MUL, LCG_ADD = np.uint64(25214903917), np.uint64(11)  # word2vec.c's next_random


@njit(nogil=True, fastmath=FASTMATH, cache=True)
def train_chunk(ids, start, end, W, W_out, keep, accept, alias, window, negative, lr_start, lr_end, seed, stats):
    """Trains on ids[start:end] (which ends at a sentence end); fills stats (see STATS)."""
    dim = W.shape[1]
    vocab = np.uint64(accept.shape[0])
    state = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1)
    sentence = np.empty(MAX_SENTENCE, np.int32)
    grad = np.empty(dim, np.float32)
    span = max(end - start, 1)
    pairs = 0
    loss_sum = 0.0
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
            if keep[word] < 1.0:
                state = state * LCG_MUL + LCG_ADD
                if keep[word] < (state >> np.uint64(40)) * (1.0 / 16777216.0):
                    continue
            sentence[length] = word
            length += 1
        lr = np.float32(lr_start + (lr_end - lr_start) * (pos - start) / span)
        for i in range(length):
            vec = W[sentence[i]]
            state = state * LCG_MUL + LCG_ADD
            reduced = window - np.int64((state >> np.uint64(33)) % np.uint64(window))  # word2vec's shrink
            for j in range(max(0, i - reduced), min(length, i + reduced + 1)):
                if j == i:
                    continue
                context = np.int64(sentence[j])
                grad[:] = 0.0
                for n in range(negative + 1):
                    target = context
                    if n > 0:
                        state = state * LCG_MUL + LCG_ADD
                        slot = np.int64(((state >> np.uint64(32)) * vocab) >> np.uint64(32))  # uniform in [0, V)
                        state = state * LCG_MUL + LCG_ADD
                        if accept[slot] < (state >> np.uint64(40)) * (1.0 / 16777216.0):
                            target = np.int64(alias[slot])
                        else:
                            target = slot
                        if target == context:
                            continue
                    out = W_out[target]
                    score = np.float32(0.0)
                    for k in range(dim):
                        score += vec[k] * out[k]
                    margin = score if n == 0 else -score  # the positive wants σ(score) → 1, a negative → 0
                    if margin > -MAX_EXP and margin < MAX_EXP:
                        cell = int((margin + MAX_EXP) * CELLS_PER_UNIT + 0.5)
                        pull = np.float32(1.0) - SIGMOID[cell]
                        loss_sum += NEG_LOG_SIGMOID[cell]
                    elif margin >= MAX_EXP:
                        continue  # σ saturated the right way: no gradient (gensim skips these too)
                    else:  # below −MAX_EXP, or NaN: −log σ(margin) ≈ −margin carries it to the loss
                        pull = np.float32(1.0)
                        loss_sum -= margin
                    g = pull * lr if n == 0 else -pull * lr  # (label − σ(score))·lr
                    for k in range(dim):
                        grad[k] += g * out[k]
                        out[k] += g * vec[k]
                for k in range(dim):
                    vec[k] += grad[k]
                pairs += 1
    stats[0] = words
    stats[1] = pairs
    stats[2] = loss_sum
