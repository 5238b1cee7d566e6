// A run's step chunks in the browser (frontend/js/rundata.js): decoded, and read under one set of names.
import assert from "node:assert/strict";
import test from "node:test";

import { checkpointAt, curveSteps, decodeChunk, recordInFormat3 } from "../../frontend/js/rundata.js";

test("a chunk's columns become records, the delta-coded weights summed back", () => {
  const chunk = { records: 2, columns: { step: [1, 2], W: [[[10, -20]], [[1, 1]]] }, deltas: { W: 2 } };
  assert.deepEqual(decodeChunk(chunk), [{ step: 1, W: [[0.1, -0.2]] }, { step: 2, W: [[0.11, -0.19]] }]);
});

test("a format 2 softmax record is read under format 3's names, with its learning rate", () => {
  const old = { step: 1, attractive_force: [1, 2], repulsive_force: [3, 4], grad_v_c: [2, 2] };
  assert.deepEqual(recordInFormat3(old, { lr: 0.1 }), { step: 1, pull: [1, 2], push: [3, 4], grad_v_c: [2, 2], lr: 0.1 });
  const current = { step: 1, pull: [1], push: [2], lr: 0.025 };
  assert.equal(recordInFormat3(current, { lr: 0.1 }), current, "a format 3 record is left as it is");
});

test("a corpus run's map shows the last checkpoint at or before the step", () => {
  const checkpoints = [0, 1631, 1732, 3387];
  assert.deepEqual([1619, 1631, 1700, 9999].map((s) => checkpointAt(checkpoints, s)), [0, 1, 1, 3]);
});

test("a corpus run's curve points in step numbers: its pairs plus the steps recorded before each chunk ended", () => {
  // chunks end at 100, 200, 300 pairs; after each, two steps are recorded (numbered on from the pairs)
  const recorded = [101, 102, 203, 204, 305, 306];
  assert.deepEqual(curveSteps([100, 200, 300], recorded), [100, 202, 304]);
  assert.deepEqual(curveSteps([100, 200], []), [100, 200]);
});
