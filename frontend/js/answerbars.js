// The bars of a class's answers to one question, and the share that had it right. A choice question has a
// bar per choice, in the question's order. A number question has a bar per value given when there are at
// most MAX_VALUE_BARS of them, else one per equal range (1, 2 or 5 × 10^k wide); once revealed, the right
// answer always has its bar, even if nobody gave it. Plain maths: node tests it.

export const MAX_VALUE_BARS = 10;
const TARGET_RANGES = 8;

/** counts: { answer key: how many }, as the server counts them; answer: the right key once revealed, else null.
 *  Returns [{ label, count, right }]. */
export function answerBars(question, counts, answer = null) {
  if (question.kind === "choice") {
    return question.choices.map((c) => ({ label: c.label, count: counts[c.value] ?? 0, right: c.value === answer }));
  }
  const given = Object.keys(counts).map(Number);
  const values = [...new Set(answer === null ? given : [...given, Number(answer)])].sort((a, b) => a - b);
  if (values.length <= MAX_VALUE_BARS) {
    return values.map((v) => ({ label: String(v), count: counts[String(v)] ?? 0, right: answer !== null && v === Number(answer) }));
  }
  return ranges(values, counts, answer === null ? null : Number(answer));
}

/** 1, 2 or 5 × 10^k: the smallest such step that is at least `rough`. */
export function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough * (1 - 1e-12));
}

function ranges(values, counts, answer) {
  const lo = values[0], hi = values[values.length - 1];
  const whole = values.every(Number.isInteger);
  let width = niceStep((hi - lo) / TARGET_RANGES);
  if (whole) width = Math.max(1, Math.ceil(width));
  const start = Math.floor(lo / width) * width;
  const n = Math.floor((hi - start) / width) + 1;
  const bars = Array.from({ length: n }, (_, i) => {
    const from = start + i * width;
    const to = whole ? from + width - 1 : from + width;
    return { label: whole ? (width === 1 ? `${from}` : `${from}–${to}`) : `${round(from)}–${round(to)}`, count: 0,
             right: answer !== null && answer >= from && (whole ? answer <= to : answer < from + width) };
  });
  for (const [key, count] of Object.entries(counts)) {
    bars[Math.min(n - 1, Math.floor((Number(key) - start) / width))].count += count;
  }
  return bars;
}

const round = (x) => Number(x.toPrecision(6));

/** How many had the right answer, of how many, and the share (0 when nobody answered). */
export function shareRight(counts, total, answer) {
  const right = counts[answer] ?? 0;
  return { right, total, share: total ? right / total : 0 };
}
