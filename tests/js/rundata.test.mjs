// A run's step chunks in the browser (frontend/js/rundata.js): decoded.
import assert from "node:assert/strict";
import test from "node:test";

import { checkpointAt, curveSteps, decodeChunk } from "../../frontend/js/rundata.js";

test("a chunk's columns become records, the delta-coded weights summed back", () => {
  const chunk = { records: 2, columns: { step: [1, 2], W: [[[10, -20]], [[1, 1]]] }, deltas: { W: 2 } };
  assert.deepEqual(decodeChunk(chunk), [{ step: 1, W: [[0.1, -0.2]] }, { step: 2, W: [[0.11, -0.19]] }]);
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
