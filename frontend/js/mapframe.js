// What part of the word map a step shows and how long its arrows are drawn. The first image of the lesson
// must be readable: by default the map frames the words the step touches (center, context, negatives,
// the selected word, the center's nearest words on screen) instead of the whole run's extent, where at
// step 1 every word sits in a blob. No DOM (tests/js/mapframe.test.mjs).

export const FRAMES = ["touched", "step", "run"];  // the words of this step; every word at this step; the whole run
export const NEIGHBOURS_FRAMED = 3;                 // the center's nearest words on screen, framed and labelled

/** Indices of the `count` points nearest to point `target` (flat [x0, y0, x1, y1, …]), nearest first. */
export function nearestPoints(positions, target, count) {
  const x = positions[2 * target], y = positions[2 * target + 1], order = [];
  for (let i = 0; i < positions.length / 2; i++) {
    if (i !== target) order.push([i, (positions[2 * i] - x) ** 2 + (positions[2 * i + 1] - y) ** 2]);
  }
  return order.sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, count).map(([i]) => i);
}

/** The words a step touches, most important first and each once: center, context, the negatives, the
 *  selected word, then the center's nearest words on screen. Only words drawn on the map (index < points). */
export function touchedWords({ center, context, negatives = [], selected = -1 }, positions) {
  const points = positions.length / 2, onMap = (i) => i >= 0 && i < points;
  const ids = new Set([center, context, ...negatives, selected].filter(onMap));
  if (onMap(center)) {
    const near = nearestPoints(positions, center, NEIGHBOURS_FRAMED + ids.size).filter((i) => !ids.has(i));
    near.slice(0, NEIGHBOURS_FRAMED).forEach((i) => ids.add(i));
  }
  return [...ids];
}

/** Bounds of points given as [x, y] pairs. */
export function boundsOfPairs(pairs) {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const [x, y] of pairs) {
    if (x < minX) minX = x; if (x > maxX) maxX = x;
    if (y < minY) minY = y; if (y > maxY) maxY = y;
  }
  return { minX, maxX, minY, maxY };
}

/** The frame around some points: padded by `pad` of its span, and never narrower than `minShare` of the
 *  whole run's span (a frame around two nearby words would magnify noise). Centred on the points. */
export function frameAround(pairs, runBounds, { pad = 0.15, minShare = 0.3 } = {}) {
  const b = boundsOfPairs(pairs);
  const grow = (lo, hi, runSpan) => {
    const mid = (lo + hi) / 2, half = Math.max((hi - lo) * (1 + 2 * pad), minShare * runSpan) / 2;
    return [mid - half, mid + half];
  };
  const [minX, maxX] = grow(b.minX, b.maxX, runBounds.maxX - runBounds.minX);
  const [minY, maxY] = grow(b.minY, b.maxY, runBounds.maxY - runBounds.minY);
  return { minX, maxX, minY, maxY };
}

/** Bounds that hold both. */
export const unionBounds = (a, b) => ({ minX: Math.min(a.minX, b.minX), maxX: Math.max(a.maxX, b.maxX),
                                        minY: Math.min(a.minY, b.minY), maxY: Math.max(a.maxY, b.maxY) });

/** The magnification (1, 2 or 5 × 10^n) the arrows are drawn at so that the longest is between 40% and all
 *  of `share` of the frame's width (×1 when they are already that long): a step's arrows are tiny next to
 *  the spread of the words, and a round factor is one a class can read off the map. */
export function arrowMagnification(longest, span, share = 0.18) {
  if (!(longest > 0) || !(span > 0)) return 1;
  const wanted = (share * span) / longest;
  if (wanted <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(wanted));
  return [5, 2, 1].map((m) => m * power).find((m) => m <= wanted);
}

/** Pixels per unit of a frame drawn in a width×height box with `pad` px margins, equal on both axes. */
export function pixelsPerUnit(bounds, width, height, pad) {
  return Math.min((width - 2 * pad) / (bounds.maxX - bounds.minX || 1), (height - 2 * pad) / (bounds.maxY - bounds.minY || 1));
}
