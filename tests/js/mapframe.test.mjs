// The map's frame and arrow scale (frontend/js/mapframe.js).
import assert from "node:assert/strict";
import test from "node:test";

import { arrowMagnification, frameAround, nearestPoints, pixelsPerUnit, touchedWords } from "../../frontend/js/mapframe.js";

test("the touched words come first, each once, then the center's nearest on screen", () => {
  const positions = [0, 0, 1, 0, 0.1, 0, 5, 5, 0.2, 0.1, 0, 0.3, 9, 9];
  assert.deepEqual(nearestPoints(positions, 0, 3), [2, 4, 5]);
  assert.deepEqual(touchedWords({ center: 0, context: 3, negatives: [3, 6], selected: -1 }, positions), [0, 3, 6, 2, 4, 5]);
  assert.deepEqual(touchedWords({ center: 40, context: 1 }, positions), [1], "a center off the map (a corpus run's rare word)");
});

test("a frame is padded, centred, and never narrower than its share of the run", () => {
  const run = { minX: -10, maxX: 10, minY: -5, maxY: 5 };
  const frame = frameAround([[0, 0], [1, 1]], run, { pad: 0.1, minShare: 0.3 });
  assert.deepEqual(frame, { minX: -2.5, maxX: 3.5, minY: -1, maxY: 2 });
  const wide = frameAround([[-8, -4], [8, 4]], run, { pad: 0.1 });
  assert.ok(Math.abs(wide.maxX - wide.minX - 16 * 1.2) < 1e-12 && Math.abs(wide.minY + 4.8) < 1e-12);
});

test("arrows are magnified by 1, 2 or 5 × 10^n up to a share of the frame", () => {
  assert.equal(arrowMagnification(0.01, 10), 100);
  assert.equal(arrowMagnification(0.003, 10), 500);
  assert.equal(arrowMagnification(0.006, 10), 200);
  assert.equal(arrowMagnification(2, 10), 1);
  assert.equal(arrowMagnification(0, 10), 1);
  assert.equal(pixelsPerUnit({ minX: 0, maxX: 2, minY: 0, maxY: 1 }, 256, 256, 28), 100);
});
