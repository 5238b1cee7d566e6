// The word map's view maths, apart from any canvas: a view is {x, y, scale}, the data point at the
// canvas centre and the pixels per data unit; screen y grows downward, data y upward.

/** The screen position of data point (px, py) in a width × height canvas. */
export function toScreen(view, width, height, px, py) {
  return [width / 2 + (px - view.x) * view.scale, height / 2 - (py - view.y) * view.scale];
}

/** The data point under screen position (sx, sy). */
export function toData(view, width, height, sx, sy) {
  return [view.x + (sx - width / 2) / view.scale, view.y - (sy - height / 2) / view.scale];
}

/** The value below which a share q of the sorted numbers lie (nearest rank). */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** The view that shows the points (flat [x0, y0, x1, y1, …]) as large as the canvas allows, one scale for
 *  both axes (PCA distances stay true). `trim` leaves that share of outliers out at each end of each axis,
 *  so that one far word does not squeeze the others into a corner ("Show all" uses trim 0). */
export function fitView(xy, width, height, { trim = 0.01, pad = 24 } = {}) {
  const n = xy.length / 2;
  if (!n) return { x: 0, y: 0, scale: 1 };
  const xs = Float64Array.from({ length: n }, (_, i) => xy[2 * i]).sort();
  const ys = Float64Array.from({ length: n }, (_, i) => xy[2 * i + 1]).sort();
  const [x0, x1, y0, y1] = [quantile(xs, trim), quantile(xs, 1 - trim), quantile(ys, trim), quantile(ys, 1 - trim)];
  const scale = Math.min((width - 2 * pad) / (x1 - x0 || 1), (height - 2 * pad) / (y1 - y0 || 1));
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, scale: Math.max(scale, 1e-9) };
}

/** The view zoomed by `factor` around screen point (sx, sy): the data point under it stays under it. */
export function zoomAt(view, width, height, sx, sy, factor) {
  const [mx, my] = toData(view, width, height, sx, sy);
  const scale = view.scale * factor;
  return { x: mx - (sx - width / 2) / scale, y: my + (sy - height / 2) / scale, scale };
}

/** Two fingers: the view that keeps the data points under both fingers at their start under them now, as
 *  far as one scale can (scale by the change in their distance, pan by the move of their midpoint).
 *  start: [[sx, sy], [sx, sy]] when the pinch began, with the view then; now: the fingers' positions now. */
export function pinchView(startView, start, now, width, height) {
  const distance = ([a, b]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const middle = ([a, b]) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const factor = distance(now) / (distance(start) || 1);
  const [mx, my] = toData(startView, width, height, ...middle(start));   // the data point between the fingers
  const [sx, sy] = middle(now);
  const scale = startView.scale * factor;
  return { x: mx - (sx - width / 2) / scale, y: my + (sy - height / 2) / scale, scale };
}
