// Notable moments of a recorded run, computed from its loss curve and recorded steps: where a
// lesson can jump in the walkthrough. A single step's loss is one pair's and very noisy, so the
// marks are crossed by a trailing mean.

export const SMOOTHING = 200;  // training steps in the trailing mean

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
function recordedAtOrAfter(steps, step) {
  return steps.find((s) => s >= step) ?? steps[steps.length - 1];
}

/**
 * [{step, title, detail}] in step order: the first step; the first time the trailing mean falls
 * below ln V (a uniform guess) and below the halfway mark between the start and the end; the last step.
 */
export function notableMoments(losses, steps, vocabSize) {
  if (!losses.length || !steps.length) return [];
  const mean = smoothed(losses);
  const start = mean[Math.min(mean.length, SMOOTHING) - 1];
  const end = mean[mean.length - 1];
  const moments = [{ step: steps[0], title: "First step", detail: `loss ${losses[0].toFixed(2)}: the random start` }];
  const marks = [
    { value: Math.log(vocabSize), title: "Better than a uniform guess", what: `ln ${vocabSize}` },
    { value: (start + end) / 2, title: "Halfway down the loss curve", what: "halfway from start to end" },
  ];
  for (const mark of marks) {
    const i = mean.findIndex((v, k) => k >= SMOOTHING - 1 && v < mark.value);
    if (i < 0) continue;
    const step = recordedAtOrAfter(steps, i + 1);
    moments.push({ step, title: mark.title,
                   detail: `mean loss of the last ${SMOOTHING} steps first below ${mark.value.toFixed(2)} (${mark.what}) at step ${i + 1}` });
  }
  moments.push({ step: steps[steps.length - 1], title: "Last step", detail: `mean loss ${end.toFixed(2)}` });
  return moments.sort((a, b) => a.step - b.step);
}
