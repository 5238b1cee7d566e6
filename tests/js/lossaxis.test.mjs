// The loss chart's axis (frontend/js/lossaxis.js): it shows the change.
import assert from "node:assert/strict";
import test from "node:test";

import { lossAxis, niceStep } from "../../frontend/js/lossaxis.js";

test("a loss falling 6.3 → 5.9 gets an axis around it, not from 0", () => {
  const values = Array.from({ length: 100 }, (_, i) => 6.3 - 0.4 * (i / 99));
  const axis = lossAxis(values);
  assert.equal(axis.fromZero, false);
  assert.ok(axis.min > 5 && axis.min <= 5.9 && axis.max >= 6.3 && axis.max < 6.8, JSON.stringify(axis));
  assert.ok((6.3 - 5.9) / (axis.max - axis.min) > 0.5, "the change fills most of the axis");
  assert.equal(axis.ticks[0], axis.min);
});

test("a loss that falls most of the way to 0 keeps 0, and a baseline is always on the axis", () => {
  const axis = lossAxis([4.8, 3, 1.2, 0.9]);
  assert.equal(axis.fromZero, true);
  assert.equal(axis.min, 0);
  const withBaseline = lossAxis([5.9, 6.0], { baseline: 6.21 });
  assert.ok(withBaseline.max >= 6.21 && withBaseline.min <= 5.9);
  assert.deepEqual([niceStep(1, 4), niceStep(0.4, 4), niceStep(7, 4)], [0.5, 0.1, 2]);
});
