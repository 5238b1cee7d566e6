// The Train page's arithmetic, without the DOM: which knobs are out of range (the same ranges the server
// checks, from /api/train/options), and how a run's cost reads.

/** Every knob outside its range or not a number, as sentences (empty: the knobs may be sent). */
export function knobProblems(schema, knobs) {
  const problems = [];
  for (const { name, min, max, integer } of schema) {
    const value = knobs[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      problems.push(`${name}: must be ${integer ? "an integer" : "a number"}`);
    } else if (value < min || value > max) {
      problems.push(`${name}: must be from ${min} to ${max} (got ${value})`);
    }
  }
  return problems;
}

/** Only the knobs that differ from their defaults: what the run's manifest will show was chosen. */
export function changedKnobs(schema, knobs) {
  return Object.fromEntries(schema.filter(({ name, default: d }) => knobs[name] !== undefined && knobs[name] !== d)
    .map(({ name }) => [name, knobs[name]]));
}

/** Bytes as a person reads them: 950 B, 12.3 KB, 4.5 MB. */
export function readableBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line of what the run costs, from /api/train/estimate's answer (expected seconds once measured). */
export function costLine(estimate) {
  const seconds = estimate.expected_seconds == null ? ""
    : `, about ${seconds_(estimate.expected_seconds)} on this server once it starts`;
  return `${estimate.steps.toLocaleString("en")} steps, ${estimate.recorded_steps.toLocaleString("en")} recorded, ` +
    `at most ${readableBytes(estimate.max_bytes)} on disk${seconds}`;
}

const seconds_ = (s) => s < 90 ? `${Math.max(1, Math.ceil(s))} s` : `${Math.round(s / 60)} min`;

/** The job's state as a sentence: its place in the queue, the ETA, a diverged run's step, a failure's reason. */
export function jobLine(job) {
  const eta = job.eta_seconds == null ? "" : `, about ${seconds_(job.eta_seconds)} to go`;
  if (job.state === "queued") return `${job.name}: queued, number ${job.place} in the queue${eta}`;
  if (job.state === "running") return `${job.name}: running${eta}`;
  if (job.state === "done" && job.diverged) {
    return `${job.name}: diverged at step ${job.diverged.step.toLocaleString("en")} with learning rate ` +
      `${job.diverged.lr}; kept up to step ${job.diverged.kept_steps.toLocaleString("en")}, open it to see the loss climb`;
  }
  return `${job.name}: ${job.state}${job.reason ? ` (${job.reason})` : ""}`;
}

/** How far a running job is: "step 1,200 of 15,000, loss so far 3.21" ("" before its first step). */
export function progressLine(job) {
  if (!job.step || !job.steps) return "";
  const loss = job.loss == null ? "" : `, loss so far ${job.loss.toPrecision(3)}`;
  return `step ${job.step.toLocaleString("en")} of ${job.steps.toLocaleString("en")}${loss}`;
}
