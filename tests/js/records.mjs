// A small softmax step record as the trainer writes one (V = 4 words, d = 2), for the step-maths tests.
import { rankOf } from "../../frontend/js/stepmath.js";

/** center 3, context 1 by default; every derived field computed from W′ and v_c as the trainer does. */
export function softmaxRecord({ center = 3, context = 1 } = {}) {
  const W_prime = [[0.5, -0.2, 0.3, 0.1], [0.1, 0.4, -0.6, 0.2]];
  const hidden = [0.7, -0.3];
  const logits = [0, 1, 2, 3].map((w) => W_prime[0][w] * hidden[0] + W_prime[1][w] * hidden[1]);
  const e = logits.map(Math.exp), total = e.reduce((a, b) => a + b);
  const probabilities = e.map((v) => v / total);
  const u = (w) => [W_prime[0][w], W_prime[1][w]];
  const repel = [0, 1].map((r) => probabilities.reduce((s, p, w) => s + p * u(w)[r], 0));
  return { step: 9, center_id: center, context_id: context, hidden, W_prime, logits, probabilities,
           context_prob: probabilities[context], context_rank: rankOf(probabilities, context),
           loss: -Math.log(probabilities[context]), lr: 0.1, pull: u(context), push: repel,
           grad_v_c: repel.map((v, r) => v - u(context)[r]) };
}
