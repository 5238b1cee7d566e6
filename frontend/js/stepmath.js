// The numbers of one recorded step that the walkthrough derives instead of reading them: the forces in
// either method, the full softmax over a step's W′ (the measure a softmax run and a negative-sampling run
// share), what the step's own update does to the context's probability, and the network's layers. Plain
// functions of a record (docs/run-format.md), no DOM: node tests them (tests/js/stepmath.test.mjs).
//
// A record holds the state before its update: hidden = v_c (the center's row of W), W_prime (d×V, a
// column u_w per word) in teaching runs; u_pos = u_o and u_neg = the negatives' u_n in negative sampling.

export const dot = (a, b) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
export const norm = (a) => Math.sqrt(dot(a, a));
export const cosine = (a, b) => dot(a, b) / (norm(a) * norm(b) || 1);
export const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** Negative sampling records σ of the context and the negatives; the full softmax records P over all words. */
export const isSgnsRecord = (record) => "sigma_pos" in record;

/** The forces on v_c, recorded alike in both methods: ∂L/∂v_c = push − pull (softmax: Σ P·u − u_o;
 *  negative sampling: Σ σ_n·u_n − (1 − σ_o)·u_o). */
export function forces(record) {
  return { attract: record.pull, repel: record.push, grad: record.grad_v_c };
}

/** Column w of a d×V matrix stored as d rows. */
export const column = (matrix, w) => matrix.map((row) => row[w]);

/** z_w = u_w·v_c for every word: hW′ with W′ stored d×V. */
export function scores(hidden, W_prime) {
  const V = W_prime[0].length, z = new Float64Array(V);
  W_prime.forEach((row, r) => { const h = hidden[r]; for (let w = 0; w < V; w++) z[w] += h * row[w]; });
  return z;
}

/** softmax(z), computed stably. */
export function softmax(z) {
  const top = Math.max(...z), p = Float64Array.from(z, (v) => Math.exp(v - top));
  const total = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / total);
}

/** The full softmax P(w|c) of a step's own weights, whatever the run was trained with. */
export const fullSoftmax = (hidden, W_prime) => softmax(scores(hidden, W_prime));

/** 1 + the number of words more probable than `id`: the recorded context_rank's rule (1 = most likely). */
export function rankOf(probabilities, id) {
  let above = 0;
  for (let w = 0; w < probabilities.length; w++) if (probabilities[w] > probabilities[id]) above += 1;
  return 1 + above;
}

/** The measure both methods share at a step: how the full softmax of the run's own W and W′ ranks the true
 *  context and what probability it gives it. For a softmax run this is its own prediction; a
 *  negative-sampling run never computes it while training, but its weights define it all the same. */
export function contextStanding(record) {
  const p = fullSoftmax(record.hidden, record.W_prime);
  return { prob: p[record.context_id], rank: rankOf(p, record.context_id), vocab: p.length };
}

/** Σ_w P(w|c)·u_w at a step's weights: what the full softmax would push v_c with. */
export function softmaxPush(hidden, W_prime) {
  const p = fullSoftmax(hidden, W_prime);
  return W_prime.map((row) => row.reduce((s, u, w) => s + u * p[w], 0));
}

/** The loss of a uniform guess: ln V for the softmax (every word 1/V); (k + 1)·ln 2 for negative sampling
 *  (every σ = ½, k + 1 binary terms). Each loss is read against its own. */
export function uniformLoss({ method, vocab, negative }) {
  return method === "sgns" ? (negative + 1) * Math.LN2 : Math.log(vocab);
}

/**
 * What this step's own update does to the context's probability: P(o|c) for the softmax, σ(u_o·v_c) for
 * negative sampling, before and after θ ← θ − η·∇θ (every gradient computed from the weights before).
 * Softmax: u_w ← u_w − η·(P(w|c) − [w = o])·v_c for every w; negative sampling: u_o ← u_o + η·(1 − σ_o)·v_c
 * and each negative u_n ← u_n − η·σ_n·v_c (a negative that is the context moves u_o too).
 */
export function contextAfterUpdate(record, lr) {
  const v = record.hidden, o = record.context_id;
  const vNew = v.map((x, i) => x - lr * record.grad_v_c[i]);
  if (isSgnsRecord(record)) {
    const u = record.u_pos.map((x, i) => x + lr * (1 - record.sigma_pos) * v[i]);
    record.negative_ids.forEach((id, n) => {
      if (id === o) for (let i = 0; i < u.length; i++) u[i] -= lr * record.sigmas_neg[n] * v[i];
    });
    return { before: sigmoid(dot(record.u_pos, v)), after: sigmoid(dot(u, vNew)), measure: "σ(u_o·v_c)" };
  }
  const p = fullSoftmax(v, record.W_prime);
  const updated = record.W_prime.map((row, r) => row.map((u, w) => u - lr * (p[w] - (w === o ? 1 : 0)) * v[r]));
  return { before: p[o], after: fullSoftmax(vNew, updated)[o], measure: "P(o|c)" };
}

/**
 * The network panel's numbers at a step: the one-hot input, the center's row of W (= h = v_c), the
 * context's column of W′ (u_o), the scores, the probability of the true context and the loss. For negative
 * sampling only the k + 1 scored words have scores and σ. `vocab`: V.
 */
export function networkNumbers(record, vocab) {
  const sgns = isSgnsRecord(record);
  const common = { center: record.center_id, context: record.context_id, vocab, dim: record.hidden.length,
                   row: record.hidden, loss: record.loss, sgns };
  if (sgns) {
    return { ...common, column: record.u_pos, contextScore: record.score_pos, contextProb: record.sigma_pos,
             scored: [{ id: record.context_id, word: record.context_word, score: record.score_pos, value: record.sigma_pos, positive: true },
               ...record.negative_ids.map((id, n) => ({ id, word: record.negative_words[n], score: record.scores_neg[n],
                                                         value: record.sigmas_neg[n], positive: false }))] };
  }
  const o = record.context_id;
  const top = record.probabilities.reduce((best, p, w) => (p > record.probabilities[best] ? w : best), 0);
  return { ...common, column: column(record.W_prime, o), contextScore: record.logits[o], contextProb: record.context_prob,
           rank: record.context_rank, top, topScore: record.logits[top], topProb: record.probabilities[top] };
}
