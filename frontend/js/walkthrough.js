// The training walkthrough: scrub through a recorded run and see what the model did at each step.
// One PageState (walkstate.js) holds everything the view shows; the controls only set it, and the page
// draws from it whenever it changes, whoever changed it (a control, a key, a link, a live class). Every
// number is read from the run's files or derived from them by plain functions (stepmath.js and friends).
import { Announcer } from "./announce.js";
import { ApiError, getInputVectors, getManifest, listRuns, myTrainingJobs } from "./api.js";
import { divergedLine, ownRuns, runTags } from "./runtags.js";
import { ProbabilityChart } from "./components/barchart.js";
import { HeatmapView, transpose } from "./components/heatmap.js";
import { LossChart } from "./components/linechart.js";
import { QuizPanel } from "./components/quizpanel.js";
import { Scatter } from "./components/scatter.js";
import { bindScatterKeys } from "./components/scatteraccess.js";
import { bindShortcuts } from "./keyboard.js";
import { $, promiseCache, showError as showBanner, showNotice, startPage } from "./page.js";
import { offerQuestions } from "./questions.js";
import { RunData } from "./rundata.js";
import { bindCopyLink } from "./sharelink.js";
import { uniformLoss } from "./stepmath.js";
import { stepQuestions } from "./stepquestions.js";
import { tokenLabel } from "./tokenlabel.js";
import { arrowNote, drawPlan, frameNote, mapDescription, mapPlan, outsideNote, sharedScale, shownProjection } from "./walkmap.js";
import { baselineText, fmt, renderBackward, renderComparison, renderForward, renderHeatmaps, renderNeighbors, renderNetwork,
  renderSentence, renderWindowPanel } from "./walkpanels.js";
import { revealed, walkState } from "./walkstate.js";

const JUMPS = { back500: -500, back100: -100, back20: -20, fwd20: 20, fwd100: 100, fwd500: 500 };
const STEP_ANIMATION_MS = 150;
const SAME_SCHEDULE = ["corpus", "seed", "steps", "dense_steps", "record_interval", "window", "min_count", "max_vocab", "remove_stopwords"];

const state = walkState();
let run = null;           // the run on screen (RunData)
let partner = null;       // side by side: a run of the same corpus and seed, trained by the other method
let runList = [];         // the server's runs (GET /api/runs), some offered as partners
let views = null;         // the page's components
let nextAnimation = 0;    // ms the next step change animates the map (a control sets it before it sets the step)
let shownKey = null;      // what is on screen, so an unchanged view is not drawn twice
let themeEpoch = 0;
let renders = 0;
const finalVectors = promiseCache((name) => getManifest(name).then((manifest) => getInputVectors(name, manifest)));
const finalLoaded = new Map();   // run name → its final vectors, once read (a redraw must not wait for them again)
let refusedShown = false;  // the link's refused values are named once, when the first run opens

function showError(message) {
  showBanner(message);
  if (message) $("content").hidden = true;
}

// ---- state changes are applied one at a time, in order (a run loads before its step is drawn) ----

let pending = new Set(), working = false;

function schedule(changed) {
  changed.forEach((name) => pending.add(name));
  if (!working) work();
}

async function work() {
  working = true;
  while (pending.size) {
    const changed = pending;
    pending = new Set();
    try {
      await apply(changed);
    } catch (err) {
      console.error(err);
      showError(err?.message ?? String(err));
    }
  }
  working = false;
}

async function apply(changed) {
  const values = state.get();
  if (changed.has("playing") || changed.has("speed")) updatePlayback(values);
  syncControls(values);
  if (changed.has("run")) { await openRun(values); return; }
  if (!run) return;
  if (changed.has("vs")) await setPartner(values.vs);
  if (["sentence", "center", "window"].some((name) => changed.has(name))) showWindowPanel();
  showStep();   // not awaited: a step whose chunk is still loading must not hold up the next one
}

/** The controls show the state (they are renderers too: a link or a live class changes them). */
function syncControls(values) {
  for (const [group, value] of [["zoom", values.zoom], ["pca", values.proj], ["bars", values.bars]]) {
    const radio = document.querySelector(`input[name=${group}][value=${value}]`);
    if (radio) radio.checked = true;
  }
  $("outputs").checked = values.out;
  $("play").textContent = values.playing ? "Pause" : "Play";
  $("speed").value = String(values.speed);
  $("ask-toggle").setAttribute("aria-pressed", String(values.ask !== null));
  if (values.ask !== null) $("ask-kind").value = values.ask;
  $("quiz-panel").hidden = values.ask === null;
  $("compare").checked = values.vs !== null;
  if (values.vs !== null && [...$("partner").options].some((o) => o.value === values.vs)) $("partner").value = values.vs;
  if (run) {
    $("slider").value = run.indexOfStep(values.step ?? run.steps[0]);
    if (values.run !== null) $("run").value = values.run;
  }
}

// ---- a run, and the run beside it ----

async function openRun(values) {
  const notices = [];
  showError("");
  run = null;
  partner = null;
  shownKey = null;
  try {
    run = await RunData.load(values.run);
  } catch (err) {
    showError(err instanceof ApiError && err.status === 404
      ? `There is no run named “${values.run}”. Pick one from the list, or train it with: wordlab train --name ${values.run}`
      : `Run “${values.run}” cannot be shown: ${err.message}`);
    return;
  }
  if (state.get().run !== values.run) return;   // another run was asked for while this one loaded
  setUpRun(run);
  if (run.manifest.diverged) notices.push(divergedLine(run.manifest.diverged));
  const patch = {};
  if (values.word !== null && !run.words.includes(values.word)) {
    notices.push(`“${tokenLabel(values.word)}” is not in this run's vocabulary; following the center word instead.`);
    patch.word = null;
  }
  const step = values.step ?? run.steps[0], index = run.indexOfStep(step);
  if (run.steps[index] !== step) {
    const { config } = run.manifest;
    notices.push(run.isCorpus
      ? `Step ${step} was not recorded in this run (a corpus run records ${run.steps.length} of its steps); showing step ${run.steps[index]}.`
      : `Step ${step} was not recorded in this run (recorded: every step up to ${config.dense_steps}, `
        + `then every ${config.record_interval}th, and the last, ${run.steps.at(-1)}); showing step ${run.steps[index]}.`);
  }
  patch.step = run.steps[index];
  if (run.isCorpus && values.proj === "global") {
    notices.push("A corpus run has only the final W's axes; showing those.");
    patch.proj = "final";
  }
  if (!run.isCorpus && !run.sentences[String(values.sentence)]) {   // a run that kept only its steps' sentences
    const ids = Object.keys(run.sentences).map(Number);
    patch.sentence = ids.find((id) => id >= values.sentence) ?? ids[0];
    patch.center = -1;
  }
  const refused = refusedShown || !state.refused.length ? [] : [`Not used from the link: ${state.refused.join("; ")}.`];
  refusedShown = true;
  showNotice([...notices, ...refused].join(" "));
  state.set(patch, "url");
  const wanted = state.get().vs;
  if (wanted) await setPartner(wanted);
  if (!run.isCorpus) showWindowPanel();
  await showStep();
}

/** The parts of the page that depend on the run, not on the step. */
function setUpRun(data) {
  const { config } = data.manifest;
  $("content").hidden = false;
  $("content").classList.toggle("corpus", data.isCorpus);
  document.querySelectorAll(".softmax-only").forEach((el) => { el.hidden = data.isSgns; });
  document.querySelectorAll(".sgns-only").forEach((el) => { el.hidden = !data.isSgns; });
  document.querySelectorAll(".teaching-only").forEach((el) => { el.hidden = data.isCorpus || (el.classList.contains("sgns-only") && !data.isSgns); });
  document.querySelectorAll(".corpus-only").forEach((el) => { el.hidden = !data.isCorpus; });
  document.querySelectorAll("a.corpus-explorer").forEach((a) => { a.href = `/explorer.html?${new URLSearchParams({ run: data.name })}`; });
  document.querySelectorAll(".vocab-size").forEach((el) => { el.textContent = data.words.length; });
  document.querySelectorAll(".dim").forEach((el) => { el.textContent = data.manifest.sizes.dim; });
  document.querySelectorAll(".negative-k").forEach((el) => { el.textContent = config.negative; });
  $("vocab-size").textContent = data.words.length;
  $("net-baseline").textContent = baselineText(data);
  $("loss-baseline").textContent = baselineText(data);
  $("label-attract").textContent = data.isSgns ? "pull (1−σ₊)·u_o" : "attractive u_o";
  $("label-repel").textContent = data.isSgns ? "push Σ σₙ·uₙ" : "repulsive Σ P·u";
  document.querySelector("input[name=pca][value=global]").disabled = data.isCorpus;
  $("slider").max = data.steps.length - 1;
  if (!data.isCorpus) $("window-size").textContent = config.window;
  $("word").replaceChildren(new Option("center word", ""), ...data.words.map((w) => new Option(tokenLabel(w), w)));
  views.scatter.setWords(data.words.slice(0, data.mapSize).map(tokenLabel));
  drawLossChart(views.lossChart, data, $("loss-axis-note"));
  $("partner").replaceChildren(...partnerChoices(data).map((n) => new Option(n, n)));
  $("run").value = data.name;
}

function drawLossChart(chart, data, note) {
  const { method, negative } = data.manifest.config;
  const baseline = uniformLoss({ method, vocab: data.words.length, negative });
  chart.setData(data.losses, { at: data.lossAt, baseline, baselineLabel: `uniform guess: ${baselineText(data)}` });
  if (note) {
    note.textContent = chart.axis.fromZero ? "The axis starts at 0."
      : `The axis runs from ${chart.axis.min} to ${chart.axis.max}: it does not start at 0, so the fall is seen.`;
  }
}

/** The runs offered beside this one, those that may pair with it (teaching runs of the same corpus, vocabulary
 *  size and length) first; setPartner checks the rest. */
function partnerChoices(data) {
  const { corpus } = data.manifest.config;
  const fits = (r) => r.kind === "teaching" && r.corpus === corpus && r.vocab_size === data.words.length && r.steps === data.manifest.sizes.steps;
  return runList.filter((r) => r.name !== data.name && r.status === "ok")
    .sort((a, b) => Number(fits(b)) - Number(fits(a)) || a.name.localeCompare(b.name)).map((r) => r.name);
}

async function setPartner(name) {
  partner = null;
  shownKey = null;
  $("side-panel").hidden = true;
  $("compare-panel").hidden = true;
  $("content").classList.remove("vs");
  if (!name || !run) return;
  let other;
  try {
    other = await RunData.load(name);
  } catch (err) {
    showNotice(`Run “${name}” cannot be shown side by side: ${err.message}`);
    state.set({ vs: null }, "url");
    return;
  }
  const a = run.manifest.config, b = other.manifest.config;
  const differs = SAME_SCHEDULE.filter((key) => a[key] !== b[key]);
  if (run.isCorpus || other.isCorpus || differs.length || other.words.join("\n") !== run.words.join("\n")) {
    showNotice(`“${name}” cannot be paired with “${run.name}”: side by side needs two teaching runs of the same corpus, seed and `
      + `schedule (they differ in ${run.isCorpus || other.isCorpus ? "kind" : differs.join(", ") || "vocabulary"}).`);
    state.set({ vs: null }, "url");
    return;
  }
  partner = other;
  $("content").classList.add("vs");
  $("side-panel").hidden = false;
  $("compare-panel").hidden = false;
  $("side-name").textContent = `${partner.name} (${partner.isSgns ? "negative sampling" : "full softmax"})`;
  $("side-a").textContent = run.name;
  $("side-b").textContent = partner.name;
  views.partnerScatter.setWords(partner.words.map(tokenLabel));
  views.partnerScatter.resize();
  drawLossChart(views.partnerLoss, partner, null);
}

// ---- the step ----

/** What the view depends on besides the step's data: drawn again only when one of these changes. */
function viewKey(values) {
  const { step, word, proj, zoom, bars, out, ask } = values;
  return JSON.stringify([run?.name, partner?.name, step, word, proj, zoom, bars, out, ask, revealed(values), themeEpoch]);
}

/** While a chunk loads: the panels keep the step they show (and its label), marked as out of date. */
function showLoading(step) {
  $("loading").textContent = step === null ? "" : `loading step ${step}…`;
  $("loading").hidden = step === null;
  $("content").classList.toggle("stale", step !== null);
  $("content").setAttribute("aria-busy", String(step !== null));
}

async function recordAt(data, index) {
  return data.loadedRecord(index) ?? data.record(index);
}

async function showStep() {
  const values = state.get(), key = viewKey(values);
  if (!run || values.step === null || key === shownKey) return;
  const index = run.indexOfStep(values.step), shownRun = run, shownPartner = partner;
  let record, other = null;
  if (!run.loadedRecord(index) || (partner && !partner.loadedRecord(index))) showLoading(run.steps[index]);
  try {
    [record, other] = await Promise.all([recordAt(run, index), partner ? recordAt(partner, index) : null]);
  } catch (err) {
    if (run !== shownRun) return;
    showLoading(null);
    showError(err.message);
    return;
  }
  if (state.get().step !== values.step || run !== shownRun || partner !== shownPartner) return;  // moved on meanwhile
  const animateMs = nextAnimation;
  nextAnimation = 0;
  render(index, record, other, values, animateMs);
  shownKey = key;
  run.prefetch(index);
  partner?.prefetch(index);
  $("content").dataset.chunks = run.cachedChunks().join(",");   // read by the browser tests of the bounded cache
}

function render(index, record, other, values, animateMs) {
  const started = performance.now();
  showLoading(null);
  const concealed = revealed(values) ? null : values.ask;
  document.querySelectorAll("[data-reveals]").forEach((el) => {
    el.classList.toggle("concealed", concealed !== null && el.dataset.reveals.split(" ").includes(concealed));
  });
  $("step-label").textContent = `step ${record.step.toLocaleString("en")} of ${run.manifest.sizes.steps.toLocaleString("en")}`;
  $("pair-center").textContent = tokenLabel(record.center_word);
  $("pair-context").textContent = tokenLabel(record.context_word);
  renderNetwork(run, record);
  renderForward(run, record, values, views.probChart);
  renderBackward(run, record);
  if (!run.isCorpus) {
    renderSentence(run, record);
    renderHeatmaps(run, record, run.loadedRecord(index + 1), views.heatW, views.heatWp, transpose);
    renderNeighbors(run, record, values);
  }
  renderMaps(index, record, other, values, concealed === "move", animateMs);
  views.lossChart.setMarker(record.step);
  if (other) {
    renderComparison([run, partner], [record, other]);
    views.partnerLoss.setMarker(other.step);
  }
  showQuiz(record, values);
  views.announcer.say(`Step ${record.step} of ${run.manifest.sizes.steps}: ${record.center_word} → ${record.context_word}, loss ${fmt(record.loss)}.`
    + (values.word !== null ? ` Selected word: ${values.word}.` : ""));
  renders += 1;
  const content = $("content");
  content.dataset.step = record.step;       // read by the browser tests (no test hook in what students load)
  content.dataset.renders = renders;
  performance.measure("walkthrough-render", { start: started });
  if (renders === 1) performance.mark("walkthrough-first-render");
  if (renders % 1000 === 0) performance.clearMeasures("walkthrough-render");   // a long lesson keeps a bounded buffer
}

function renderMaps(index, record, other, values, conceal, animateMs) {
  const plan = mapPlan(run, index, record, values, { conceal });
  let scale = null, magnification = plan.magnification, otherPlan = null;
  if (other) {
    otherPlan = mapPlan(partner, index, other, values, { conceal });
    ({ scale, magnification } = sharedScale([views.scatter, views.partnerScatter], [plan, otherPlan]));
  }
  drawPlan(views.scatter, plan, record, { scale, magnification, animateMs });
  const ratios = run.manifest.pca[plan.kind].explained_variance_ratio;
  $("variance").textContent = `variance explained: ${(100 * ratios[0]).toFixed(1)}% + ${(100 * ratios[1]).toFixed(1)}%`;
  $("arrow-scale").textContent = conceal ? "arrows hidden until you reveal" : arrowNote(magnification, scale ?? views.scatter.fittedScale(), other !== null);
  $("outputs-note").textContent = outsideNote(plan, views.scatter);
  $("frame-note").textContent = frameNote(run, index, record, plan);
  $("scatter").setAttribute("aria-label", mapDescription(run, plan, record));
  if (other) {
    drawPlan(views.partnerScatter, otherPlan, other, { scale, magnification, animateMs });
    $("side-frame-note").textContent = frameNote(partner, index, other, otherPlan);
    $("side-scale").textContent = conceal ? "" : arrowNote(magnification, scale, true);
    $("scatter-b").setAttribute("aria-label", `${partner.name}: ${mapDescription(partner, otherPlan, other)}`);
  }
}

// ---- predict, then reveal ----

/** The questions of the step on screen, for the page's quiz and for a live class. */
async function currentQuestions() {
  const values = state.get();
  if (!run || values.step === null) return [];
  const data = run, record = await data.record(data.indexOfStep(values.step));
  let finalW = null;
  try { finalW = await finalVectors(data.name); } catch { /* "nearer" needs the final vectors; the rest do not */ }
  return stepQuestions(record, { name: data.name, words: data.words.map(tokenLabel),
                                 components: data.manifest.pca[shownProjection(data, values.proj)].components, finalW });
}

function showQuiz(record, values) {
  if (values.ask === null) return;
  const build = (finalW) => stepQuestions(record, { name: run.name, words: run.words.map(tokenLabel),
                                                    components: run.manifest.pca[shownProjection(run, values.proj)].components, finalW })
    .find((q) => q.topic === values.ask) ?? null;
  if (values.ask !== "nearer") { views.quiz.show(build(null), revealed(values)); return; }
  if (finalLoaded.has(run.name)) { views.quiz.show(build(finalLoaded.get(run.name)), revealed(values)); return; }
  views.quiz.show(null, false);
  const asked = viewKey(values), name = run.name;
  finalVectors(name).then((finalW) => {
    finalLoaded.set(name, finalW);
    if (viewKey(state.get()) === asked) views.quiz.show(build(finalW), revealed(values));
  }, (err) => { views.quiz.prompt.textContent = `This question needs the run's final vectors, which cannot be read: ${err.message}`; });
}

// ---- playback ----

let timer = null;

function updatePlayback(values) {
  clearInterval(timer);
  timer = null;
  if (!values.playing) return;
  const interval = 1000 / values.speed;
  timer = setInterval(() => {
    // Paused since this tick was scheduled (the state changes at once, the timer only when apply() runs: a
    // follower paused by the leader would otherwise step once past the leader's step), or the last step is not drawn yet.
    if (!state.get().playing || !run || working || Number($("content").dataset.step) !== state.get().step) return;
    const index = run.indexOfStep(state.get().step);
    if (index >= run.steps.length - 1) { state.set({ playing: false }, "play"); return; }
    nextAnimation = Math.min(180, interval * 0.8);
    state.set({ step: run.steps[index + 1] }, "play");
  }, interval);
}

// ---- controls: each sets the state, and nothing else ----

function moveToIndex(index, animateMs = 0) {
  if (!run) return;
  const clamped = Math.max(0, Math.min(run.steps.length - 1, index));
  nextAnimation = animateMs;
  state.set({ step: run.steps[clamped] });
}

const nudge = (by) => moveToIndex(run.indexOfStep(state.get().step) + by, STEP_ANIMATION_MS);

function jumpSteps(delta) {
  const target = state.get().step + delta;
  let index = run.indexOfStep(target);                      // first recorded step at or after the target
  if (delta < 0 && run.steps[index] > target) index -= 1;   // going back: the last one at or before it
  moveToIndex(index, 200);
}

const radios = (name, handler) => document.querySelectorAll(`input[name=${name}]`)
  .forEach((radio) => radio.addEventListener("change", () => handler(radio.value)));

function bindControls() {
  window.addEventListener("themechange", () => {
    themeEpoch += 1;
    if (run) drawLossChart(views.lossChart, run, $("loss-axis-note"));
    if (partner) drawLossChart(views.partnerLoss, partner, null);
    schedule(new Set(["theme"]));
  });
  $("slider").addEventListener("input", () => moveToIndex(Number($("slider").value)));
  $("prev").addEventListener("click", () => nudge(-1));
  $("next").addEventListener("click", () => nudge(1));
  for (const [id, delta] of Object.entries(JUMPS)) $(id).addEventListener("click", () => jumpSteps(delta));
  $("play").addEventListener("click", () => state.set({ playing: !state.get().playing }));
  $("speed").addEventListener("change", () => state.set({ speed: Number($("speed").value) }));
  $("run").addEventListener("change", () => state.set({ run: $("run").value, step: null, word: null, vs: null, playing: false }));
  $("word").addEventListener("change", () => state.set({ word: $("word").value || null }));
  $("compare").addEventListener("change", () => state.set({ vs: $("compare").checked ? $("partner").value || null : null }));
  $("partner").addEventListener("change", () => { if ($("compare").checked) state.set({ vs: $("partner").value }); });
  $("sw-sentence").addEventListener("change", () => {
    const sentence = Math.trunc(Number($("sw-sentence").value));
    state.set(run?.sentences[String(sentence)] ? { sentence, center: -1 } : { sentence: state.get().sentence });
    $("sw-sentence").value = state.get().sentence;
  });
  $("sw-window").addEventListener("input", () => state.set({ window: Number($("sw-window").value) }));
  $("outputs").addEventListener("change", () => state.set({ out: $("outputs").checked }));
  radios("zoom", (zoom) => state.set({ zoom }));
  radios("pca", (proj) => state.set({ proj }));
  radios("bars", (bars) => state.set({ bars }));
  $("ask-toggle").addEventListener("click", () => state.set({ ask: state.get().ask === null ? $("ask-kind").value : null }));
  $("ask-kind").addEventListener("change", () => state.set({ ask: $("ask-kind").value }));
  bindCopyLink($("copy-link"), $("link-field"), $("link-status"), () => `${location.origin}${state.url()}`);
  bindShortcuts({  // only when no control has focus: a focused button, slider or select keeps its keys
    ArrowRight: () => { if (run) nudge(1); },
    ArrowLeft: () => { if (run) nudge(-1); },
    " ": () => { if (run) state.set({ playing: !state.get().playing }); },
  });
}

function showWindowPanel() {
  if (!run || run.isCorpus) return;
  renderWindowPanel(run, state.get(), (center) => state.set({ center }));
}

async function main() {
  const pickWord = (i) => state.set({ word: run.words[i] });
  views = {
    scatter: new Scatter($("scatter"), { onPick: pickWord, onDraw: (ms) => drawMeasured(ms) }),
    lossChart: new LossChart($("loss-chart"), { onPick: (step) => moveToIndex(run.indexOfStep(step), 200), onNudge: nudge, onJump: jumpSteps }),
    partnerLoss: new LossChart($("loss-chart-b")),
    heatW: new HeatmapView($("heat-W"), { rowName: "dimension" }),
    heatWp: new HeatmapView($("heat-Wp"), { rowName: "dimension" }),
    announcer: new Announcer(),
    probChart: new ProbabilityChart($("probs")),
    partnerScatter: new Scatter($("scatter-b")),
    quiz: new QuizPanel({ choices: $("quiz-choices"), prompt: $("quiz-prompt"), reveal: $("quiz-reveal"), verdict: $("quiz-verdict") },
                        { onReveal: () => { const v = state.get(); state.set({ reveal: `${v.step}:${v.ask}` }); } }),
  };
  bindScatterKeys($("scatter"), views.scatter, {
    current: () => (state.get().word !== null ? run.words.indexOf(state.get().word) : run.loadedRecord(run.indexOfStep(state.get().step))?.center_id ?? 0),
    onPick: pickWord,
    onClear: () => state.set({ word: null }),
    help: "Arrow keys select the nearest word in that direction, as a click on it would; Escape follows the center word again.",
  });
  bindControls();
  state.subscribe((values, changed) => schedule(changed));
  offerQuestions(currentQuestions);
  let runs;
  try {
    runs = (await listRuns()).runs;
  } catch (err) {
    showError(err.message);
    return;
  }
  if (!runs.length) { showError("No recorded runs yet. Train one with: wordlab train"); return; }
  const own = await ownRuns(myTrainingJobs);
  $("run").replaceChildren(...runs.map((r) => new Option(r.status === "ok" ? `${r.name} (${r.vocab_size} words, ${r.steps} steps)${runTags(r, own)}` : `${r.name} (broken)`, r.name)));
  runList = runs;
  const name = state.get().run ?? (runs.find((r) => r.name === "default" && r.status === "ok") ?? runs.find((r) => r.status === "ok") ?? runs[0]).name;
  if (state.set({ run: name }, "url").size === 0) schedule(new Set(["run"]));
}

/** The map's frame times, as User Timing measures (the browser tests read them; nothing global). */
let draws = 0;
function drawMeasured(ms) {
  performance.measure("walkthrough-map-draw", { start: performance.now() - ms, duration: ms });
  if (++draws % 1000 === 0) performance.clearMeasures("walkthrough-map-draw");
}

startPage(main, { state });
