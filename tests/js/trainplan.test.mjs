import assert from "node:assert/strict";
import { test } from "node:test";

import { changedKnobs, costLine, knobProblems, readableBytes } from "../../frontend/js/trainplan.js";

const schema = [
  { name: "dim", default: 8, min: 2, max: 50, integer: true },
  { name: "lr", default: 0.1, min: 0.001, max: 5, integer: false },
];

test("knobs out of range or not numbers are each named", () => {
  assert.deepEqual(knobProblems(schema, { dim: 60, lr: 0.5 }), ["dim: must be from 2 to 50 (got 60)"]);
  assert.deepEqual(knobProblems(schema, { dim: 2.5, lr: Number.NaN }),
    ["dim: must be an integer", "lr: must be a number"]);
  assert.deepEqual(knobProblems(schema, { dim: 2 }), []);
});

test("only knobs that differ from the defaults are sent", () => {
  assert.deepEqual(changedKnobs(schema, { dim: 8, lr: 0.3 }), { lr: 0.3 });
});

test("cost reads in steps and bytes", () => {
  assert.equal(readableBytes(950), "950 B");
  assert.equal(readableBytes(4_500_000), "4.5 MB");
  assert.equal(costLine({ steps: 1500, recorded_steps: 330, max_bytes: 12_300 }),
    "1,500 steps, 330 recorded, at most 12.3 KB on disk");
});
