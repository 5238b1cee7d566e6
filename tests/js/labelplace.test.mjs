// The map's label placement (frontend/js/labelplace.js): no overlaps, every required label placed.
import assert from "node:assert/strict";
import test from "node:test";

import { overlaps, placeLabels } from "../../frontend/js/labelplace.js";

function seeded(seed) {
  let a = seed;
  return () => { a = (a * 1103515245 + 12345) % 2147483648; return a / 2147483648; };
}

test("a dense blob: required labels all placed, no two labels overlap, none off the drawing", () => {
  const random = seeded(7), width = 640, height = 430;
  const items = Array.from({ length: 300 }, (_, i) => ({
    x: 300 + 60 * random(), y: 200 + 40 * random(), width: 30 + 40 * random(), height: 14, required: i < 12,
  }));
  const dots = items.slice(0, 12).map(({ x, y }) => ({ x: x - 5.5, y: y - 5.5, w: 11, h: 11 }));
  const { boxes, crowded } = placeLabels(items, { width, height, obstacles: dots });
  assert.equal(crowded, 0);
  assert.ok(boxes.slice(0, 12).every(Boolean), "a required label is missing");
  const placed = boxes.filter(Boolean);
  assert.ok(placed.length < items.length, "optional labels in a blob are left out");
  for (let i = 0; i < placed.length; i++) {
    const b = placed[i];
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= width && b.y + b.h <= height);
    for (let j = i + 1; j < placed.length; j++) assert.ok(!overlaps(b, placed[j]), `${i} overlaps ${j}`);
    for (const dot of dots) assert.ok(!overlaps(b, dot), "a label covers a marked dot");
  }
});

test("a label with room sits right beside its point, without a leader", () => {
  const { boxes } = placeLabels([{ x: 100, y: 100, width: 40, height: 14, required: true }], { width: 400, height: 300 });
  assert.equal(boxes[0].leader, false);
  assert.ok(boxes[0].x > 100 && boxes[0].x < 110 && boxes[0].y < 100);
});
