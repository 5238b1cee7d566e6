// The word map's view maths (frontend/js/mapview.js).
import assert from "node:assert/strict";
import test from "node:test";

import { fitView, pinchView, toData, toScreen, zoomAt } from "../../frontend/js/mapview.js";

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test("screen and data positions are inverse maps", () => {
  const view = { x: 1.5, y: -2, scale: 40 };
  const [sx, sy] = toScreen(view, 800, 600, 3, 1);
  assert.deepEqual([sx, sy], [460, 180]);
  const [x, y] = toData(view, 800, 600, sx, sy);
  close(x, 3); close(y, 1);
});

test("fitting fills the canvas along the tighter axis and centres the points", () => {
  const xy = [0, 0, 10, 0, 10, 5, 0, 5];
  const view = fitView(xy, 1000, 400, { trim: 0, pad: 20 });
  assert.deepEqual(view, { x: 5, y: 2.5, scale: 72 });   // (400 − 40) / 5 = 72 < (1000 − 40) / 10 = 96
  const [left] = toScreen(view, 1000, 400, 0, 0);
  const [, top] = toScreen(view, 1000, 400, 0, 5);
  close(left, 500 - 5 * 72); close(top, 20);
});

test("one outlier does not shrink the map: the trimmed fit ignores it", () => {
  const xy = [];
  for (let i = 0; i < 200; i++) xy.push(Math.cos(i), Math.sin(i));
  xy.push(100, 100);
  const trimmed = fitView(xy, 600, 600);
  const whole = fitView(xy, 600, 600, { trim: 0 });
  assert.ok(trimmed.scale > 20 * whole.scale, `${trimmed.scale} vs ${whole.scale}`);
  close(trimmed.x, 0, 0.1); close(trimmed.y, 0, 0.1);
});

test("zooming keeps the point under the cursor", () => {
  const view = { x: 0, y: 0, scale: 10 };
  const before = toData(view, 500, 300, 120, 40);
  const zoomed = zoomAt(view, 500, 300, 120, 40, 2.5);
  close(zoomed.scale, 25);
  const after = toData(zoomed, 500, 300, 120, 40);
  close(after[0], before[0]); close(after[1], before[1]);
});

test("a pinch scales by the fingers' spread and pans with their midpoint", () => {
  const view = { x: 2, y: 1, scale: 30 };
  const start = [[100, 100], [200, 100]];
  const grabbed = toData(view, 400, 400, 150, 100);
  const spread = pinchView(view, start, [[50, 100], [250, 100]], 400, 400);   // twice as far apart, same midpoint
  close(spread.scale, 60);
  const held = toData(spread, 400, 400, 150, 100);
  close(held[0], grabbed[0]); close(held[1], grabbed[1]);
  const moved = pinchView(view, start, [[130, 160], [230, 160]], 400, 400);  // same spread, moved by (30, 60)
  close(moved.scale, 30);
  const under = toData(moved, 400, 400, 180, 160);
  close(under[0], grabbed[0]); close(under[1], grabbed[1]);
});
