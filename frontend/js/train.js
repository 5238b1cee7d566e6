// The Train page: the knobs from /api/train/options (ranges and the CLI's help), the cost before starting,
// the job's state while it waits and trains, and links to the finished run. One state object, drawn by render().

import { $, showError, startPage } from "./page.js";
import { studentHeaders } from "./student.js";
import { changedKnobs, costLine, jobLine, knobProblems, progressLine } from "./trainplan.js";
import { runTags } from "./runtags.js";
import { setUpInstructorPanel } from "./traininstructor.js";

const POLL_MS = 1000;  // how often a queued or running job's state is asked for
const state = { schema: [], knobs: {}, job: null };

async function call(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { "Content-Type": "application/json",
    ...studentHeaders(), ...(options.headers ?? {}) } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail?.message ?? body?.detail ?? `${response.status}`);
  return body;
}

function knobInput({ name, default: value, min, max, integer, help }) {
  const row = document.createElement("p");
  const label = document.createElement("label");
  const input = document.createElement("input");
  input.type = "number";
  input.id = `knob-${name}`;
  Object.assign(input, { min, max, step: integer ? 1 : "any", value });
  input.addEventListener("input", () => { state.knobs[name] = Number(input.value); estimate(); });
  const why = document.createElement("small");
  why.textContent = ` ${help} (${min} to ${max})`;
  label.append(`${name} `, input);
  row.append(label, why);
  return row;
}

let asked = 0;  // estimates answer out of order under load: only the newest question's answer is shown

async function estimate() {
  const mine = ++asked;
  const problems = knobProblems(state.schema, state.knobs);
  $("problems").textContent = problems.join("; ");
  $("problems").hidden = !problems.length;
  $("start").disabled = problems.length > 0;
  if (problems.length) return;
  try {
    const answer = await call("/api/train/estimate", { method: "POST", body: JSON.stringify(request()) });
    if (mine === asked) $("cost").textContent = costLine(answer);
  } catch (err) { if (mine === asked) $("cost").textContent = err.message; }
}

const request = () => ({ kind: "teaching", method: $("method").value,
  knobs: changedKnobs(state.schema, state.knobs) });

/** The text and tokens a job reads (the estimate does not depend on them). */
const source = () => ({ text: $("text").value, tokenizer: $("tokenizer").value,
  ...($("text").value === "pasted" ? { pasted: $("pasted").value } : {}) });

const TEXT_LABELS = { teaching: "the teaching corpus", pasted: "my own text (paste it below)" };

function setUpSource(options) {
  $("text").replaceChildren(...options.texts.map((t) => new Option(TEXT_LABELS[t] ?? t.replace(/^book:/, "book: "), t)));
  $("tokenizer").replaceChildren(...options.tokenizers.map((t) => new Option(t === "words" ? "words" : `BPE: ${t}`, t)));
  const limit = options.pasted_bytes;
  const sized = () => {
    const bytes = new TextEncoder().encode($("pasted").value).length;
    $("pasted-size").textContent = `${bytes.toLocaleString("en")} of ${limit.toLocaleString("en")} bytes`;
    $("start").disabled = bytes > limit;
  };
  $("text").addEventListener("change", () => { $("pasted-row").hidden = $("text").value !== "pasted"; });
  $("pasted").addEventListener("input", sized);
  sized();
}

function renderJob() {
  const job = state.job;
  $("job").hidden = !job;
  if (!job) return;
  $("job-state").textContent = jobLine(job);
  $("job-running").hidden = job.state !== "running";
  $("job-progress").max = job.steps || 1;
  $("job-progress").value = job.step || 0;
  $("job-progress-text").textContent = progressLine(job);
  $("cancel").hidden = !["queued", "running"].includes(job.state);
  $("job-links").hidden = job.state !== "done";
  $("open-walkthrough").href = `/walkthrough.html?run=${encodeURIComponent(job.name)}`;
  $("open-explorer").href = `/explorer.html?run=${encodeURIComponent(job.name)}`;
}

async function follow() {
  state.job = await call(`/api/train/jobs/${state.job.id}`);
  renderJob();
  if (["queued", "running"].includes(state.job.state)) setTimeout(() => follow().catch((e) => showError(e.message)), POLL_MS);
  else await listMine();
}

/** This browser's finished runs: open, compare with another run (the explorer's two-run view), delete. */
async function listMine() {
  const [jobs, { runs }] = await Promise.all([call("/api/train/jobs"), call("/api/runs")]);
  const own = new Set(jobs.filter((j) => j.state === "done").map((j) => j.name));
  const mine = runs.filter((r) => own.has(r.name));
  const others = runs.filter((r) => r.status === "ok");
  $("mine").hidden = !mine.length;
  $("my-runs").replaceChildren(...mine.map((r) => myRun(r, own, others)));
}

function myRun(run, own, others) {
  const item = document.createElement("li");
  const link = (text, href) => Object.assign(document.createElement("a"), { textContent: text, href });
  const q = (params) => new URLSearchParams(params).toString();
  const compare = document.createElement("select");
  compare.setAttribute("aria-label", `compare ${run.name} with`);
  compare.append(new Option("compare with…", ""), ...others.filter((r) => r.name !== run.name)
    .map((r) => new Option(`${r.name}${runTags(r, own)}`, r.name)));
  compare.addEventListener("change", () => {
    if (compare.value) location.href = `/explorer.html?${q({ run: run.name, compare: compare.value })}`;
  });
  const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "Delete" });
  remove.addEventListener("click", async () => {
    try {
      await call(`/api/train/runs/${encodeURIComponent(run.name)}`, { method: "DELETE" });
      await listMine();
    } catch (err) { showError(err.message); }
  });
  item.append(`${run.name}${runTags(run, new Set())} `, link("walkthrough", `/walkthrough.html?${q({ run: run.name })}`),
    " · ", link("explorer", `/explorer.html?${q({ run: run.name })}`), " ", compare, " ", remove);
  item.dataset.run = run.name;
  return item;
}

async function main() {
  const options = await call("/api/train/options");
  state.schema = options.kinds.teaching;
  setUpSource(options);
  state.knobs = Object.fromEntries(state.schema.map((k) => [k.name, k.default]));
  $("knobs").replaceChildren(...state.schema.map(knobInput));
  $("method").addEventListener("change", estimate);
  $("train-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      state.job = await call("/api/train/jobs", { method: "POST",
        body: JSON.stringify({ ...request(), ...source(), name: $("run-name").value }) });
      showError("");
      renderJob();
      await follow();
    } catch (err) { showError(err.message); }
  });
  $("cancel").addEventListener("click", async () => {
    state.job = await call(`/api/train/jobs/${state.job.id}/cancel`, { method: "POST" });
    renderJob();
  });
  await estimate();
  const { enabled } = await call("/api/train/enabled");
  $("training-off").hidden = enabled;
  setUpInstructorPanel(enabled);
  await listMine();
}

startPage(main);
