// The walkthrough's step maths (frontend/js/stepmath.js) against sums written out by hand.
import assert from "node:assert/strict";
import test from "node:test";

import { contextAfterUpdate, contextStanding, fullSoftmax, networkNumbers, softmaxPush, uniformLoss }
  from "../../frontend/js/stepmath.js";
import { softmaxRecord as makeRecord } from "./records.mjs";

const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

const softmaxRecord = () => makeRecord({ center: 0, context: 2 });

test("the full softmax of a step's weights is the recorded softmax, and its rank rule is the trainer's", () => {
  const record = softmaxRecord();
  fullSoftmax(record.hidden, record.W_prime).forEach((p, w) => close(p, record.probabilities[w]));
  const standing = contextStanding(record);
  close(standing.prob, record.context_prob);
  assert.equal(standing.rank, 1 + record.probabilities.filter((p) => p > record.context_prob).length);
  assert.equal(standing.vocab, 4);
  softmaxPush(record.hidden, record.W_prime).forEach((v, r) => close(v, record.push[r]));
});

test("the update's effect on P(o|c) equals applying the update by hand", () => {
  const record = softmaxRecord(), lr = 0.5, p = record.probabilities, v = record.hidden;
  const W2 = record.W_prime.map((row, r) => row.map((u, w) => u - lr * (p[w] - (w === 2 ? 1 : 0)) * v[r]));
  const v2 = v.map((x, r) => x - lr * record.grad_v_c[r]);
  const { before, after, measure } = contextAfterUpdate(record, lr);
  close(before, p[2]);
  close(after, fullSoftmax(v2, W2)[2]);
  assert.equal(measure, "P(o|c)");
  assert.ok(after > before, "one SGD step on this pair raises its probability");
});

test("negative sampling: σ(u_o·v_c) after the update, a negative equal to the context moving u_o too", () => {
  const sig = (x) => 1 / (1 + Math.exp(-x));
  const hidden = [0.4, -0.2], u_pos = [0.3, 0.5], u_neg = [[0.1, -0.4], [0.3, 0.5]];
  const sigma_pos = sig(u_pos[0] * hidden[0] + u_pos[1] * hidden[1]);
  const sigmas_neg = u_neg.map((u) => sig(u[0] * hidden[0] + u[1] * hidden[1]));
  const pull = u_pos.map((x) => (1 - sigma_pos) * x);
  const push = [0, 1].map((r) => sigmas_neg.reduce((s, sg, n) => s + sg * u_neg[n][r], 0));
  const record = { step: 3, center_id: 1, context_id: 4, hidden, u_pos, u_neg, sigma_pos, sigmas_neg, negative_ids: [7, 4],
                   grad_v_c: push.map((x, r) => x - pull[r]), score_pos: 0, scores_neg: [0, 0], negative_words: ["a", "b"],
                   context_word: "o", loss: 1 };
  const lr = 0.25;
  const v2 = hidden.map((x, r) => x - lr * record.grad_v_c[r]);
  const u2 = u_pos.map((x, r) => x + lr * (1 - sigma_pos) * hidden[r] - lr * sigmas_neg[1] * hidden[r]);
  const { before, after, measure } = contextAfterUpdate(record, lr);
  close(before, sigma_pos);
  close(after, sig(u2[0] * v2[0] + u2[1] * v2[1]));
  assert.equal(measure, "σ(u_o·v_c)");
  const numbers = networkNumbers(record, 9);
  assert.deepEqual(numbers.column, u_pos);
  assert.deepEqual(numbers.scored.map((s) => [s.id, s.positive]), [[4, true], [7, false], [4, false]]);
});

test("the network panel's numbers are the record's: row of W, column of W′, scores, probability", () => {
  const record = softmaxRecord();
  const numbers = networkNumbers(record, 4);
  assert.deepEqual(numbers.row, record.hidden);
  assert.deepEqual(numbers.column, [record.W_prime[0][2], record.W_prime[1][2]]);
  assert.equal(numbers.contextScore, record.logits[2]);
  assert.equal(numbers.contextProb, record.context_prob);
  assert.equal(numbers.top, record.probabilities.indexOf(Math.max(...record.probabilities)));
  assert.equal(numbers.sgns, false);
});

test("each loss has its own uniform-guess baseline", () => {
  close(uniformLoss({ method: "softmax", vocab: 122 }), Math.log(122));
  close(uniformLoss({ method: "sgns", vocab: 122, negative: 5 }), 6 * Math.log(2));
  close(-Math.log(0.25), uniformLoss({ method: "softmax", vocab: 4 }));          // every word 1/V
  close(-6 * Math.log(0.5), uniformLoss({ method: "sgns", negative: 5 }));       // every σ ½, k + 1 terms
});
