// A test page (tests/test_live_page.py serves it beside the app's pages, never shipped): a PageState with a field
// of each kind the pages' states hold (run, step, playback, word, projection, zoom, token text, merge count,
// explorer query), drawn into data- attributes, and a question provider whose answers come from the run's files.
import { getInputVectors, getManifest, getRunFile } from "./api.js";
import { $, startPage } from "./page.js";
import { intField, oneOf, PageState } from "./pagestate.js";
import { offerQuestions } from "./questions.js";

const state = new PageState({
  run: { default: "default" },
  step: { default: 1, parse: intField(1) },
  playing: { default: false, inUrl: false },
  word: { default: null },
  proj: { default: "final", parse: oneOf("final", "global") },
  zoom: { default: 1, parse: Number },
  text: { default: "" },
  k: { default: null, parse: intField(0) },
  q: { default: "" },
});

const followedSteps = [];  // every step this page took from the class, in the order it took them

function draw(values, changed, origin) {
  const view = $("view");
  if (origin === "follow" && changed.has("step")) followedSteps.push(values.step);
  view.dataset.followedSteps = JSON.stringify(followedSteps);
  for (const [name, value] of Object.entries(values)) view.dataset[name] = JSON.stringify(value);
  view.dataset.origin = origin;
  view.textContent = Object.entries(values).map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(" · ");
}
state.subscribe(draw);
$("next-step").addEventListener("click", () => state.set({ step: state.get().step + 1 }));
$("pick-word").addEventListener("click", () => state.set({ word: "king" }));

/** "Which word is nearest to W?" from the run's final W (cosine), and "how often is W in the corpus?" from vocab.json. */
offerQuestions(async () => {
  const { run, word } = state.get();
  const target = word ?? "king";
  const manifest = await getManifest(run);
  const [{ words, counts }, vectors] = await Promise.all([getRunFile(run, manifest, "vocab.json"), getInputVectors(run, manifest)]);
  const id = words.indexOf(target);
  const row = (i) => vectors.data.subarray(i * vectors.dim, (i + 1) * vectors.dim);
  const norm = (v) => Math.hypot(...v);
  const cosine = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0) / (norm(a) * norm(b));
  const ranked = words.map((w, i) => [w, i === id ? -Infinity : cosine(row(id), row(i))]).sort((a, b) => b[1] - a[1]);
  const options = [ranked[0], ranked[4], ranked[9], ranked[19]].map(([w]) => w).sort();
  return [
    { id: `nearest:${run}:${target}`, prompt: `Which word is nearest to “${target}” after training?`, kind: "choice",
      choices: options.map((w) => ({ value: w, label: w })), answer: ranked[0][0],
      reason: `cosine(${target}, ${ranked[0][0]}) = ${ranked[0][1].toFixed(3)}, the highest in the final W.` },
    { id: `count:${run}:${target}`, prompt: `How many times is “${target}” in the corpus?`, kind: "number",
      answer: counts[id], reason: `vocab.json counts ${counts[id]}.` },
  ];
});

window.liveTestState = state;  // a test page: the tests set the leader's fields through it
startPage(() => draw(state.get(), new Set(), "start"), { state });
