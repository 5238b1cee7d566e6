// Notable moments (frontend/js/moments.js): true for the run's method and kind.
import assert from "node:assert/strict";
import test from "node:test";

import { notableMoments } from "../../frontend/js/moments.js";

const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

test("a softmax run that starts below ln V gets no 'below a uniform guess' moment", () => {
  const losses = range(1000).map((s) => 4.7 - 1.5 * (s / 1000));   // V = 122: ln V = 4.80, already below
  const moments = notableMoments({ kind: "teaching", method: "softmax", vocab: 122, losses, steps: range(1000) });
  assert.deepEqual(moments.map((m) => m.title), ["First recorded step", "Halfway down the loss curve", "Last recorded step"]);
  assert.match(moments[0].detail, /ln 122 = 4\.80/);
});

test("negative sampling is read against (k + 1)·ln 2, and every moment links to a recorded step", () => {
  const losses = range(3000).map((s) => 4.3 - 1.2 * (s / 3000));  // (5 + 1)·ln 2 = 4.16: starts above
  const steps = [...range(200), ...range(280).map((i) => 200 + 10 * i)];
  const moments = notableMoments({ kind: "teaching", method: "sgns", vocab: 122, negative: 5, losses, steps });
  assert.deepEqual(moments.map((m) => m.title), ["First recorded step", "Below a uniform guess", "Halfway down the loss curve", "Last recorded step"]);
  const below = moments[1];
  assert.ok(steps.includes(below.step) && below.step >= below.at && below.step - below.at < 10);
  assert.match(below.detail, /\(k \+ 1\)·ln 2 = 4\.16/);
  for (const m of moments) assert.ok(steps.includes(m.step), m.title);
});

test("a corpus run's moments are read from its chunk means, at the steps the chunks end", () => {
  const pairs = [1000, 2000, 3000, 4000, 5000], losses = [4.2, 4.0, 3.4, 3.0, 2.9];
  const steps = [...range(20).map((i) => 1000 + i), ...range(20).map((i) => 3000 + i), ...range(20).map((i) => 5000 + i)];
  const moments = notableMoments({ kind: "corpus", method: "sgns", vocab: 140, negative: 5, losses, chunkEnds: pairs, steps });
  assert.deepEqual(moments.map((m) => [m.title, m.at, m.step]), [["First recorded step", 1000, 1001],
    ["Below a uniform guess", 2000, 3001], ["Halfway down the loss curve", 3000, 3001], ["Last recorded step", 5000, 5020]]);
  assert.match(moments[0].detail, /first 1,000 steps is 4\.20/);
});
