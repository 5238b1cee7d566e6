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

test("a job reads as its place, ETA, progress, or where it diverged", async () => {
  const { jobLine, progressLine } = await import("../../frontend/js/trainplan.js");
  assert.equal(jobLine({ name: "r", state: "queued", place: 3, eta_seconds: 41.2 }),
    "r: queued, number 3 in the queue, about 42 s to go");
  assert.equal(jobLine({ name: "r", state: "running", eta_seconds: 600 }), "r: running, about 10 min to go");
  assert.equal(jobLine({ name: "r", state: "failed", reason: "killed" }), "r: failed (killed)");
  assert.match(jobLine({ name: "r", state: "done", diverged: { step: 218, lr: 5, kept_steps: 165 } }),
    /^r: diverged at step 218 with learning rate 5; kept up to step 165/);
  assert.equal(progressLine({ step: 1200, steps: 15000, loss: 3.2149 }), "step 1,200 of 15,000, loss so far 3.21");
  assert.equal(progressLine({ step: 0, steps: 15000, loss: null }), "");
  assert.equal(costLine({ steps: 10, recorded_steps: 10, max_bytes: 2000, expected_seconds: 3.2 }),
    "10 steps, 10 recorded, at most 2.0 KB on disk, about 4 s on this server once it starts");
});
