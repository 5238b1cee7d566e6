// What a run selector says after a run's name: "· diverged" for a teaching run kept after its loss stopped
// being finite (a lesson too), "· yours" for one this browser trained from the Train page. Pure, but for
// ownRuns, which asks the server for this browser's jobs (none when training is unavailable).

/** The names of the runs this browser's finished jobs made. */
export const ownRunNames = (jobs) => new Set(jobs.filter((j) => j.state === "done").map((j) => j.name));

/** " · diverged · yours", or less, or "" for a run that is neither. */
export function runTags(run, own) {
  return [run.diverged ? "diverged" : null, own.has(run.name) ? "yours" : null]
    .filter(Boolean).map((tag) => ` · ${tag}`).join("");
}

/** One sentence for a diverged run's manifest: where the loss broke, at which rate, what was kept. */
export function divergedLine(diverged) {
  return `This run diverged: at step ${diverged.step.toLocaleString("en")} with learning rate ${diverged.lr} ` +
    "its loss stopped being a finite number (watch the loss curve climb). It is kept up to step " +
    `${diverged.kept_steps.toLocaleString("en")}, the last recorded step with weights a computer can still ` +
    "compare; a smaller learning rate (0.025 to 0.3) learns.";
}

/** This browser's runs, asked with the given fetch of its jobs (api.js's myTrainingJobs). */
export async function ownRuns(fetchJobs) {
  try { return ownRunNames(await fetchJobs()); } catch { return new Set(); }
}
