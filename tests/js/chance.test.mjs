// Cosines of random vectors (frontend/js/chance.js): the closed form against a simulation.
import assert from "node:assert/strict";
import test from "node:test";

import { chanceNearest, meanAbsCosine } from "../../frontend/js/chance.js";

test("E|cos| of random directions: 2/π in 2-D, 1/2 in 3-D, ≈ sqrt(2/(πd)) in many dimensions", () => {
  assert.ok(Math.abs(meanAbsCosine(2) - 2 / Math.PI) < 1e-12);
  assert.ok(Math.abs(meanAbsCosine(3) - 0.5) < 1e-12);
  assert.ok(Math.abs(meanAbsCosine(400) - Math.sqrt(2 / (Math.PI * 400))) < 1e-3);
});

test("a random word's nearest of many random words is close in 8 dimensions and not in 100", () => {
  const few = chanceNearest(8, 121), many = chanceNearest(100, 121);
  assert.ok(few > 0.55 && few < 0.85, few);
  assert.ok(many > 0.2 && many < 0.4, many);
  assert.equal(chanceNearest(8, 121), few, "seeded: the same on every screen");
  assert.ok(chanceNearest(8, 1, { trials: 2001 }) < 0.05 && chanceNearest(8, 1, { trials: 2001 }) > -0.05, "one other word: median 0");
});
