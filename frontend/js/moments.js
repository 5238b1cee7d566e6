// Notable moments of a recorded run, computed from its loss curve and recorded steps: where a lesson can
// jump in the walkthrough. Each is true for the run's method and kind: a loss is read against its own
// uniform-guess baseline (ln V for the full softmax, (k + 1)·ln 2 for negative sampling), a teaching run's
// curve (one noisy pair per step) is read through a trailing mean, a corpus run's (one point per chunk of
// training, already a mean over thousands of pairs) as it is, and every moment links to a recorded step.
// No DOM (tests/js/moments.test.mjs; tests/test_index_moments.py recomputes them from the files).
import { uniformLoss } from "./stepmath.js";

export const SMOOTHING = 200;  // training steps in a teaching run's trailing mean

/** The trailing mean of the loss at every step (step s is losses[s - 1]). */
export function smoothed(losses, width = SMOOTHING) {
  const out = new Array(losses.length);
  let sum = 0;
  for (let i = 0; i < losses.length; i++) {
    sum += losses[i];
    if (i >= width) sum -= losses[i - width];
    out[i] = sum / Math.min(i + 1, width);
  }
  return out;
}

/** The first recorded step at or after `step` (the walkthrough can only show recorded steps). */
export function recordedAtOrAfter(steps, step) {
  return steps.find((s) => s >= step) ?? steps[steps.length - 1];
}

const fmt = (v) => v.toFixed(2);
const count = (n) => n.toLocaleString("en");

/**
 * The curve a run's moments are read from: {at: the training step of each point, value, what(i): its words}.
 * Teaching: the trailing mean, from the first step where it spans a full window. Corpus: the chunk means.
 */
export function lossSeries({ kind, losses, chunkEnds }) {
  if (kind === "corpus") {
    return { at: chunkEnds, value: losses, what: (i) => (i ? `the mean loss of the chunk of training ending at step ${count(chunkEnds[i])}`
      : `the mean loss of the first ${count(chunkEnds[0])} steps`) };
  }
  const width = Math.min(SMOOTHING, losses.length), mean = smoothed(losses, width);
  const at = [], value = [];
  for (let i = width - 1; i < losses.length; i++) { at.push(i + 1); value.push(mean[i]); }
  return { at, value, what: (i) => `the mean loss of steps ${count(at[i] - width + 1)}-${count(at[i])}`, width };
}

/**
 * run: {kind, method, vocab, negative, losses (teaching: every step; corpus: per chunk), chunkEnds (corpus: the
 * step each chunk of training ends at, rundata.js curveSteps), steps (recorded steps)}. Returns [{step, title, detail, at}] in step order:
 * the first recorded step; when the curve starts at or above the baseline, where it first falls below it;
 * when it falls, where it is first halfway from its start to its end; the last recorded step.
 */
export function notableMoments(run) {
  const { steps } = run;
  if (!run.losses.length || !steps.length) return [];
  const series = lossSeries(run), { at, value } = series;
  if (!value.length) return [];
  const baseline = uniformLoss(run), baselineName = run.method === "sgns" ? `(k + 1)·ln 2 = ${fmt(baseline)}` : `ln ${run.vocab} = ${fmt(baseline)}`;
  const start = value[0], end = value[value.length - 1];
  const moments = [{ step: steps[0], at: at[0], title: "First recorded step",
                     detail: `${series.what(0)} is ${fmt(start)}; a uniform guess costs ${baselineName}` }];
  const crossing = (mark) => value.findIndex((v) => v < mark);
  const marks = [];
  if (start >= baseline) marks.push({ value: baseline, title: "Below a uniform guess", what: `a uniform guess, ${baselineName}` });
  if (start - end > 0.01 * start) marks.push({ value: (start + end) / 2, title: "Halfway down the loss curve", what: `halfway from ${fmt(start)} to ${fmt(end)}` });
  for (const mark of marks) {
    const i = crossing(mark.value);
    if (i < 0) continue;
    const step = recordedAtOrAfter(steps, at[i]);
    moments.push({ step, at: at[i], title: mark.title,
                   detail: `${series.what(i)} is ${fmt(value[i])}, the first below ${fmt(mark.value)} (${mark.what})`
                     + (step === at[i] ? "" : `; the link opens the next recorded step`) });
  }
  moments.push({ step: steps[steps.length - 1], at: at[at.length - 1], title: "Last recorded step",
                 detail: `${series.what(value.length - 1)} is ${fmt(end)}, from ${fmt(start)} at the start (a uniform guess: ${fmt(baseline)})` });
  return moments.sort((a, b) => a.step - b.step || a.at - b.at);
}
