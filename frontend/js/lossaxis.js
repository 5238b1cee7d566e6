// The loss chart's vertical axis: the range of what is drawn (and of the uniform-guess baseline), so that a
// loss that falls from 6.3 to 5.9 is seen to fall instead of lying flat on an axis from 0. When the axis does
// not start at 0 the chart says so. No DOM (tests/js/lossaxis.test.mjs).

/** A round tick step (1, 2 or 5 × 10^n) near span / count. */
export function niceStep(span, count) {
  const raw = span / Math.max(1, count), power = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
}

/**
 * values: the numbers the chart draws; baseline: a line it draws too (or null).
 * Returns {min, max, ticks, fromZero}: round bounds a little outside the data, 0 when the data come near
 * it (within a third of their span), and ticks at a round step between them.
 */
export function lossAxis(values, { baseline = null, count = 4 } = {}) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } }
  if (baseline !== null) { lo = Math.min(lo, baseline); hi = Math.max(hi, baseline); }
  if (!Number.isFinite(lo)) return { min: 0, max: 1, ticks: [0, 1], fromZero: true };
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const fromZero = lo >= 0 && lo <= (hi - lo) / 3;
  if (fromZero) lo = 0;
  const step = niceStep((hi - lo) * 1.1, count);
  const round = (v) => Number(v.toFixed(10));
  const min = fromZero ? 0 : round(Math.floor((lo - 0.04 * (hi - lo)) / step) * step);
  const max = round(Math.ceil((hi + 0.04 * (hi - lo)) / step) * step);
  const ticks = [];
  for (let t = min; t <= max + step / 2; t += step) ticks.push(round(t));
  return { min, max, ticks, fromZero: min === 0 };
}
