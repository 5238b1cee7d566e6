// The training walkthrough: scrub through a recorded run and see what the model did at each step.
// Every number on the page is read from the run's recorded chunks; nothing is recomputed except
// what is derived on screen (sorting, the identity check, cosine neighbors of the recorded W).
import { Announcer } from "./announce.js";
import { ApiError, listRuns } from "./api.js";
import { ProbabilityChart } from "./components/barchart.js";
import { HeatmapView, transpose } from "./components/heatmap.js";
import { LossChart } from "./components/linechart.js";
import { boundsOf, Scatter } from "./components/scatter.js";
import { bindScatterKeys, describeScatter } from "./components/scatteraccess.js";
import { renderSigmaBars } from "./components/sigmabars.js";
import { droppedWord, renderSlidingWindow } from "./components/slidingwindow.js";
import { renderVector } from "./components/vector.js";
import { countOutside, outputLayer } from "./outputvectors.js";
import { bindShortcuts } from "./keyboard.js";
import { $, showError as showBanner, showNotice, startPage } from "./page.js";
import { RunData } from "./rundata.js";
import { bindCopyLink } from "./sharelink.js";
import { color } from "./theme.js";
import { tokenLabel } from "./tokenlabel.js";
import { readState, stateUrl, writeState } from "./urlstate.js";
import { applyViewParams, shownProjection, VIEW_DEFAULTS, viewParams } from "./viewoptions.js";

const TRAIL = 40;          // recorded steps of the center word's trail
const TOP_WORDS = 8;
const DEFAULT_WINDOW = 3;  // the sliding-window panel's starting size
const JUMPS = { back500: -500, back100: -100, back20: -20, fwd20: 20, fwd100: 100, fwd500: 500 };

// Measurements read by the browser tests and shown nowhere else.
const metrics = window.wordlab = { renders: 0, renderTimes: [], drawTimes: [], firstRenderAt: null };

const state = { run: null, index: 0, word: null, projection: "final", playing: null, vs: null,
                sentence: 0, center: -1, window: DEFAULT_WINDOW };  // the sliding-window panel's sentence, center, size
let run = null;
let partner = null;       // side by side: a run of the same corpus and seed, trained by the other method
let scatter, partnerScatter, lossChart, probChart, heatW, heatWp, announcer;
let runNames = [];        // the valid runs, offered as partners

function showError(message) {
  showBanner(message);
  if (message) $("content").hidden = true;
}

const fmt = (v, digits = 4) => Number(v).toFixed(digits);
const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a) => Math.sqrt(dot(a, a));
const isSgns = (data = run) => data.manifest.config.method === "sgns";

/** A table row of cells built as DOM: recorded values (even a word) never become markup. */
function tableRow(cells, isContext = false) {
  const tr = document.createElement("tr");
  if (isContext) tr.style.color = "var(--context)";
  for (const [text, numeric] of cells) {
    const td = tr.insertCell();
    td.textContent = text;
    if (numeric) td.className = "n";
  }
  return tr;
}

/** The forces on v_c in either method: ∂L/∂v_c = repel − attract (softmax: Σ P·u − u_o; SGNS: push − pull). */
function forces(record, data = run) {
  return isSgns(data)
    ? { attract: record.pull, repel: record.push, grad: record.grad_v_c }
    : { attract: record.attractive_force, repel: record.repulsive_force, grad: record.grad_v_c };
}

function project(vector) {
  const { components } = run.manifest.pca[state.projection];
  return [dot(components[0], vector), dot(components[1], vector)];
}

/** Everything the view shows, as URL parameters (defaults left out): what a link reopens. */
function linkState() {
  return { run: state.run, step: run?.steps[state.index], word: state.word, vs: state.vs, ...viewParams(),
           sentence: state.sentence || null, center: state.center >= 0 ? state.center : null,
           window: state.window === DEFAULT_WINDOW ? null : state.window };
}

/** The link to the current view, built now (the address bar may be up to 250 ms behind). */
const currentLink = () => `${location.origin}${stateUrl(linkState())}`;

// The URL follows the page at most every 250 ms (replaceState per step was a measurable cost).
let urlTimer = null;
function syncUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => writeState(linkState()), 250);
}

function renderSentence(record) {
  const sentence = run.sentences[String(record.sentence_id)];
  const window = new Set(record.window_positions);
  $("sentence").replaceChildren(...sentence.words.flatMap((word, i) => {
    if (sentence.dropped[i]) {
      const { min_count: minCount, max_vocab: maxVocab } = run.manifest.config;
      return droppedWord(word, sentence.dropped[i] === "stopword" ? "stopword"
        : `rare (fewer than ${minCount} occurrences, or not among the ${maxVocab} most frequent words)`, `sentence-why-${i}`);
    }
    const span = document.createElement("span");
    span.textContent = tokenLabel(word);
    span.className = "w";
    if (i === record.center_position) span.classList.add("center");
    else if (i === record.context_position) span.classList.add("context");
    else if (window.has(i)) span.classList.add("in-window");
    return [span];
  }));
}

function renderForward(record) {
  renderVector($("vec-hidden"), record.hidden, "var(--center)", Math.max(...record.hidden.map(Math.abs)));
  $("loss").textContent = fmt(record.loss);
  if (isSgns()) { renderSgnsForward(record); return; }
  $("context-prob").textContent = fmt(record.context_prob, 6);
  $("context-rank").textContent = record.context_rank;
  $("cosine").textContent = fmt(record.cosine_center_context);
  const bars = document.querySelector("input[name=bars]:checked").value;
  const order = probChart.render(record.probabilities, record.context_id, run.words, record[bars]);
  const rows = order.slice(0, TOP_WORDS);
  if (!rows.includes(record.context_id)) rows.push(record.context_id);
  $("top-words").tBodies[0].replaceChildren(...rows.map((id) => tableRow(
    [[order.indexOf(id) + 1, true], [tokenLabel(run.words[id])], [fmt(record.logits[id]), true], [record.probabilities[id], true]],
    id === record.context_id)));
}

/** Negative sampling: σ(u·v_c) of the true context and of each negative, and the loss term of each. */
function renderSgnsForward(record) {
  const rows = [{ word: record.context_word, score: record.score_pos, sigma: record.sigma_pos, loss: record.loss_pos, positive: true },
    ...record.negative_words.map((word, n) => ({ word, score: record.scores_neg[n], sigma: record.sigmas_neg[n], loss: record.loss_neg[n], positive: false }))];
  renderSigmaBars($("sigma-bars"), rows);
  $("loss-terms").tBodies[0].replaceChildren(...rows.map((r) => tableRow(
    [[r.positive ? "context" : "negative"], [tokenLabel(r.word)], [fmt(r.score), true], [fmt(r.sigma), true],
     [r.positive ? "−log σ(u·v)" : "−log σ(−u·v)"], [fmt(r.loss), true]], r.positive)));
  $("loss-sum").textContent = `L = ${rows.map((r) => fmt(r.loss)).join(" + ")} = ${fmt(record.loss)}`;
}

function renderBackward(record) {
  const { attract: att, repel: rep, grad } = forces(record), hidden = record.hidden;
  const lr = run.manifest.config.lr;
  const scale = Math.max(...att.map(Math.abs), ...rep.map(Math.abs), ...grad.map(Math.abs));
  renderVector($("vec-attract"), att, "var(--attract)", scale);
  renderVector($("vec-repel"), rep, "var(--repel)", scale);
  renderVector($("vec-grad"), grad, "var(--update)", scale);
  const updated = hidden.map((v, i) => v - lr * grad[i]);
  renderVector($("vec-new"), updated, "var(--center)", Math.max(...updated.map(Math.abs)));
  const gap = Math.max(...grad.map((g, i) => Math.abs(g - (rep[i] - att[i]))));
  $("identity").textContent = isSgns() ? `check: max |∇ − (push − pull)| = ${gap.toExponential(1)}`
    : `check: max |∇ − (repulsive − attractive)| = ${gap.toExponential(1)}`;
  $("update-line").textContent = `η = ${lr}:  v_c ← v_c − ${lr}·∇  (|Δv_c| = ${fmt(lr * norm(grad))})`;
  if (isSgns()) renderSoftmaxPush(record, scale);
}

/** What the full softmax would push with at this step's weights: Σ_w P(w|c)·u_w from the recorded W′. */
function softmaxPush(hidden, W_prime) {
  const V = W_prime[0].length;
  const logits = Array.from({ length: V }, (_, w) => W_prime.reduce((s, row, r) => s + row[w] * hidden[r], 0));
  const top = Math.max(...logits), weights = logits.map((z) => Math.exp(z - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return W_prime.map((row) => row.reduce((s, u, w) => s + (u * weights[w]) / total, 0));
}

function renderSoftmaxPush(record, scale) {
  const full = softmaxPush(record.hidden, record.W_prime);
  renderVector($("vec-softmax-push"), full, "var(--repel)", scale);
  const cosine = dot(full, record.push) / (norm(full) * norm(record.push) || 1);
  $("push-cosine").textContent = `cos(negatives' push, full softmax push) = ${fmt(cosine, 3)};  `
    + `|push| = ${fmt(norm(record.push), 3)}, |Σ P·u| = ${fmt(norm(full), 3)}`;
}

function renderHeatmaps(record) {
  const touched = isSgns() ? [record.context_id, ...record.negative_ids] : [record.context_id];
  $("scale-W").textContent = `± ${fmt(heatW.draw(transpose(record.W), [record.center_id], run.words, `W transposed at step ${record.step}`), 3)}`;
  $("scale-Wp").textContent = `± ${fmt(heatWp.draw(record.W_prime, touched, run.words, `W′ at step ${record.step}`), 3)}`;
  if (isSgns()) $("sparse-check").textContent = sparseCheck(record, new Set(touched));
}

/** Compares W′ with the next recorded step when that is the very next step: which columns really changed. */
function sparseCheck(record, touched) {
  const next = run.loadedRecord(state.index + 1);
  const planned = `this step changes v_c and ${touched.size} of ${run.words.length} columns of W′ (outlined)`;
  if (!next || next.step !== record.step + 1) return `${planned}; the next recorded step is not the next step, so no check here.`;
  const changed = [];
  for (let w = 0; w < run.words.length; w++) {
    if (record.W_prime.some((row, r) => row[w] !== next.W_prime[r][w])) changed.push(w);
  }
  const outside = changed.filter((w) => !touched.has(w)).length;
  return `${planned}; compared with step ${next.step}: ${changed.length} columns changed, ${outside} outside the outlined ones, `
    + `${run.words.length - changed.length} exactly as they were.`;
}

function renderNeighbors(record) {
  const target = state.word !== null ? run.words.indexOf(state.word) : record.center_id;
  $("word").value = state.word ?? "";
  $("word").options[0].textContent = `center word (${tokenLabel(record.center_word)})`;
  const vector = record.W[target], length = norm(vector);
  const scored = record.W.map((row, i) => [i, dot(row, vector) / (norm(row) * length || 1)])
    .filter(([i]) => i !== target).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 8);
  $("neighbors").replaceChildren(...scored.map(([i, score]) => {
    const li = document.createElement("li");
    li.textContent = `${tokenLabel(run.words[i])}  ${fmt(score, 3)}`;
    return li;
  }));
  return target;
}

function renderScatter(record, selected, animateMs) {
  const i = state.index, kind = state.projection;
  const lr = run.manifest.config.lr;
  const trail = [];
  for (let k = Math.max(0, i - TRAIL); k <= i; k++) {
    const row = run.positions(k, kind);
    trail.push([row[2 * record.center_id], row[2 * record.center_id + 1]]);
  }
  const { attract, repel, grad } = forces(record);
  const arrows = [
    { vec: attract.map((v) => lr * v), color: color("--attract") },
    { vec: repel.map((v) => -lr * v), color: color("--repel") },
    { vec: grad.map((v) => -lr * v), color: color("--update") },
  ].map(({ vec, color }) => { const [dx, dy] = project(vec); return { dx, dy, color }; });
  const longest = Math.max(...arrows.map((a) => Math.hypot(a.dx, a.dy)), 1e-12);
  const { minX, maxX } = scatter.bounds;
  const magnify = 10 ** Math.max(0, Math.floor(Math.log10((0.18 * (maxX - minX)) / longest)));
  $("arrow-scale").textContent = magnify > 1 ? `arrows drawn ×${magnify}` : "arrows to scale";
  const outputs = $("outputs").checked ? outputLayer(record, run.manifest.pca[kind], isSgns()) : null;
  if ($("zoom").checked) {
    scatter.setBounds(boundsOf([{ [kind]: outputs ? [run.positions(i, kind), outputs.positions] : [run.positions(i, kind)] }], kind));
  }
  $("outputs-note").textContent = outputs ? outsideNote(outputs.positions) : "";
  scatter.render({ positions: run.positions(i, kind), center: record.center_id, context: record.context_id,
                   selected, trail, arrows, scale: magnify, outputs }, animateMs);
  $("scatter").setAttribute("aria-label", describeScatter(run.words, run.positions(i, kind),
    { step: record.step, center: record.center_id, context: record.context_id, selected }));
}

/** The fixed axes fit the words: says how many output vectors lie beyond them (zoom to this step shows all). */
function outsideNote(positions) {
  const outside = countOutside(positions, scatter.bounds);
  return outside ? `${outside} of ${positions.length / 2} output vectors lie outside the view (zoom to this step shows them)` : "";
}

/** While a chunk loads: the panels keep the step they show (and its label), marked as out of date, and the
 *  control bar says which step is coming. */
function showLoading(step) {
  $("loading").textContent = step === null ? "" : `loading step ${step}…`;
  $("loading").hidden = step === null;
  $("content").classList.toggle("stale", step !== null);
  $("content").setAttribute("aria-busy", String(step !== null));
}

function render(record, animateMs) {
  const started = performance.now();
  showLoading(null);
  const step = record.step;
  $("step-label").textContent = `step ${step} of ${run.manifest.sizes.steps}`;
  $("pair-center").textContent = tokenLabel(record.center_word);
  $("pair-context").textContent = tokenLabel(record.context_word);
  renderSentence(record);
  renderForward(record);
  renderBackward(record);
  renderHeatmaps(record);
  const selected = renderNeighbors(record);
  renderScatter(record, state.word !== null ? selected : -1, animateMs);
  lossChart.setMarker(step);
  announcer.say(`Step ${step} of ${run.manifest.sizes.steps}: ${record.center_word} → ${record.context_word}, loss ${fmt(record.loss)}.`
    + (state.word !== null ? ` Selected word: ${state.word}.` : ""));
  const elapsed = performance.now() - started;
  metrics.renders += 1;
  metrics.renderTimes.push(elapsed);
  metrics.step = step;
  if (metrics.firstRenderAt === null) metrics.firstRenderAt = performance.now();
}

async function goTo(index, { animateMs = 0 } = {}) {
  if (!run) return;
  index = Math.max(0, Math.min(run.steps.length - 1, index));
  state.index = index;
  $("slider").value = index;
  let record = run.loadedRecord(index);
  if (!record) {
    showLoading(run.steps[index]);
    try {
      record = await run.record(index);
    } catch (err) {
      showLoading(null);
      showError(err.message);
      return;
    }
    if (state.index !== index) return;  // the user moved on while this chunk loaded
  }
  render(record, animateMs);
  run.prefetch(index);
  if (partner) await renderPartner(record, index, animateMs);
  syncUrl();
}

/** Side by side: the partner run's record at the same recorded index (the same step and pair). */
async function renderPartner(record, index, animateMs) {
  const shown = partner;
  let other = shown.loadedRecord(index);
  if (!other) {
    try { other = await shown.record(index); } catch (err) { showError(err.message); return; }
    if (state.index !== index || partner !== shown) return;
  }
  shown.prefetch(index);
  const columns = [[run, record], [partner, other]];
  const magnitudes = (data, r) => { const f = forces(r, data); return [norm(f.attract), norm(f.repel), norm(f.grad)]; };
  const rows = [
    ["method", ...columns.map(([data]) => (isSgns(data) ? `negative sampling (k = ${data.manifest.config.negative})` : "full softmax"))],
    ["step", ...columns.map(([, r]) => r.step)],
    ["pair", ...columns.map(([, r]) => `${tokenLabel(r.center_word)} → ${tokenLabel(r.context_word)}`)],
    ["loss", ...columns.map(([, r]) => fmt(r.loss))],
    ["|attract| / |pull|", ...columns.map(([data, r]) => fmt(magnitudes(data, r)[0]))],
    ["|repel| / |push|", ...columns.map(([data, r]) => fmt(magnitudes(data, r)[1]))],
    ["|∂L/∂v_c|", ...columns.map(([data, r]) => fmt(magnitudes(data, r)[2]))],
    ["columns of W′ changed", ...columns.map(([data, r]) => (isSgns(data) ? 1 + r.negative_ids.length : data.words.length))],
  ];
  $("side-table").tBodies[0].replaceChildren(...rows.map(([label, a, b]) => tableRow([[label], [a, true], [b, true]])));
  const kind = state.projection, lr = partner.manifest.config.lr;
  const { attract, repel, grad } = forces(other, partner);
  const { components } = partner.manifest.pca[kind];
  const arrows = [[attract, lr, "--attract"], [repel, -lr, "--repel"], [grad, -lr, "--update"]].map(([vec, k, name]) => {
    const scaled = vec.map((v) => k * v);
    return { dx: dot(components[0], scaled), dy: dot(components[1], scaled), color: color(name) };
  });
  partnerScatter.render({ positions: partner.positions(index, kind), center: other.center_id, context: other.context_id,
                          selected: -1, trail: [], arrows, scale: 1 }, animateMs);
  $("scatter-b").setAttribute("aria-label", `${partner.name}: ${describeScatter(partner.words, partner.positions(index, kind),
    { step: other.step, center: other.center_id, context: other.context_id })}`);
}

async function setPartner(name) {
  partner = null;
  state.vs = null;
  $("side-panel").hidden = true;
  lossChart.setOverlay(null);
  if (!name || !run) { $("compare").checked = false; syncUrl(); return; }
  let other;
  try {
    other = await RunData.load(name);
  } catch (err) {
    $("compare").checked = false;
    showNotice(`Run “${name}” cannot be shown side by side: ${err.message}`);
    return;
  }
  const a = run.manifest.config, b = other.manifest.config;
  const same = ["corpus", "seed", "steps", "dense_steps", "record_interval", "window", "min_count", "max_vocab", "remove_stopwords"];
  const differs = same.filter((key) => a[key] !== b[key]);
  if (differs.length || other.words.join("\n") !== run.words.join("\n")) {
    $("compare").checked = false;
    showNotice(`“${name}” cannot be paired with “${run.name}”: side by side needs the same corpus, seed and schedule `
      + `(they differ in ${differs.join(", ") || "vocabulary"}).`);
    return;
  }
  partner = other;
  state.vs = name;
  $("compare").checked = true;
  $("partner").value = name;
  $("side-panel").hidden = false;
  $("side-a").textContent = run.name;
  $("side-b").textContent = partner.name;
  partnerScatter.setWords(partner.words.map(tokenLabel));
  partnerScatter.setBounds(boundsOf(partner.timeline, state.projection));
  partnerScatter.resize();
  lossChart.setOverlay(partner.losses);
  await goTo(state.index);
}

function jumpSteps(delta) {
  const target = run.steps[state.index] + delta;
  let index = run.indexOfStep(target);           // first recorded step at or after the target
  if (delta < 0 && run.steps[index] > target) index -= 1;  // going back: the last one at or before it
  goTo(index, { animateMs: 200 });
}

function setPlaying(on) {
  clearInterval(state.playing);
  state.playing = null;
  $("play").textContent = on ? "Pause" : "Play";
  if (!on) return;
  const perSecond = Number($("speed").value), interval = 1000 / perSecond;
  let busy = false;
  state.playing = setInterval(async () => {
    if (busy) return;
    if (state.index >= run.steps.length - 1) { setPlaying(false); return; }
    busy = true;
    await goTo(state.index + 1, { animateMs: Math.min(180, interval * 0.8) });
    busy = false;
  }, interval);
}

async function openRun(name, requestedStep, requestedPartner = null) {
  setPlaying(false);
  showError("");
  showNotice("");
  state.run = name;
  try {
    run = await RunData.load(name);
  } catch (err) {
    run = null;
    showError(err instanceof ApiError && err.status === 404
      ? `There is no run named “${name}”. Pick one from the list, or train it with: wordlab train --name ${name}`
      : `Run “${name}” cannot be shown: ${err.message}`);
    return;
  }
  $("content").hidden = false;
  showMethod(run.manifest.config.method === "sgns");
  $("slider").max = run.steps.length - 1;
  $("window-size").textContent = run.manifest.config.window;
  $("vocab-size").textContent = run.words.length;
  $("ln-v").textContent = fmt(Math.log(run.words.length), 3);
  $("word").replaceChildren(new Option("center word", ""), ...run.words.map((w) => new Option(tokenLabel(w), w)));
  if (state.word !== null && !run.words.includes(state.word)) {
    showNotice(`“${tokenLabel(state.word)}” is not in this run's vocabulary; following the center word instead.`);
    state.word = null;
  }
  scatter.setWords(run.words.map(tokenLabel));
  applyProjection();
  lossChart.setData(run.losses);
  $("partner").replaceChildren(...runNames.filter((n) => n !== name).map((n) => new Option(n, n)));
  let index = 0;
  if (requestedStep !== null) {
    const step = Number(requestedStep);
    index = run.indexOfStep(step);
    if (!Number.isInteger(step) || run.steps[index] !== step) {
      showNotice(`Step ${requestedStep} was not recorded in this run (recorded: every step up to ${run.manifest.config.dense_steps}, `
        + `then every ${run.manifest.config.record_interval}th, and the last, ${run.steps.at(-1)}); showing step ${run.steps[index]}.`);
    }
  }
  renderWindowPanel();
  await goTo(index);
  if (requestedPartner) await setPartner(requestedPartner);
  else if (partner) await setPartner(null);
}

/** The sliding-window panel: any sentence of the run's corpus, the clicked center, window 1-5. */
function renderWindowPanel() {
  const ids = Object.keys(run.sentences).map(Number);
  const last = Math.max(...ids);
  if (!run.sentences[String(state.sentence)]) {   // out of range, or a run that kept only its steps' sentences
    state.sentence = ids.find((id) => id >= state.sentence) ?? ids[0];
    state.center = -1;
  }
  $("sw-sentence").max = last;
  $("sw-sentence").value = state.sentence;
  $("sw-window").value = state.window;
  $("sw-window-size").textContent = `${state.window} kept word${state.window > 1 ? "s" : ""} each side`;
  const sentence = run.sentences[String(state.sentence)];
  const { pairs, kept } = renderSlidingWindow($("sw-words"), $("sw-pairs"), sentence, state.window, state.center, (i) => {
    state.center = i;
    renderWindowPanel();
    syncUrl();
  });
  $("sw-summary").textContent = state.center >= 0
    ? `${kept} kept of ${sentence.words.length} words; this center makes ${pairs} pair${pairs === 1 ? "" : "s"}`
    : `${kept} kept of ${sentence.words.length} words; click a kept word`;
}

/** Softmax-only and negative-sampling-only parts of the page, and the names of the two forces. */
function showMethod(sgns) {
  document.querySelectorAll(".softmax-only").forEach((el) => { el.hidden = sgns; });
  document.querySelectorAll(".sgns-only").forEach((el) => { el.hidden = !sgns; });
  if (sgns) $("negative-k").textContent = run.manifest.config.negative;
  $("label-attract").textContent = sgns ? "pull (1−σ₊)·u_o" : "attractive u_o";
  $("label-repel").textContent = sgns ? "push Σ σₙ·uₙ" : "repulsive Σ P·u";
}

function applyProjection() {
  const ratios = run.manifest.pca[state.projection].explained_variance_ratio;
  $("variance").textContent = `variance explained: ${(100 * ratios[0]).toFixed(1)}% + ${(100 * ratios[1]).toFixed(1)}%`;
  scatter.setBounds(boundsOf(run.timeline, state.projection));
  if (partner) partnerScatter.setBounds(boundsOf(partner.timeline, state.projection));
}

/** Presentation mode and the dark theme change the colours: the loss chart's SVG is redrawn, and the step. */
function redrawInTheme() {
  if (!run) return;
  lossChart.setData(run.losses);
  if (partner) lossChart.setOverlay(partner.losses);
  goTo(state.index);
}

function bindControls() {
  window.addEventListener("themechange", redrawInTheme);
  $("slider").addEventListener("input", () => goTo(Number($("slider").value)));
  $("prev").addEventListener("click", () => goTo(state.index - 1, { animateMs: 150 }));
  $("next").addEventListener("click", () => goTo(state.index + 1, { animateMs: 150 }));
  for (const [id, delta] of Object.entries(JUMPS)) $(id).addEventListener("click", () => jumpSteps(delta));
  $("play").addEventListener("click", () => setPlaying(state.playing === null));
  $("speed").addEventListener("change", () => { if (state.playing !== null) setPlaying(true); });
  $("run").addEventListener("change", () => { state.word = null; openRun($("run").value, null); });
  $("word").addEventListener("change", () => { state.word = $("word").value || null; goTo(state.index); });
  $("compare").addEventListener("change", () => setPartner($("compare").checked ? $("partner").value : null));
  $("partner").addEventListener("change", () => { if ($("compare").checked) setPartner($("partner").value); });
  $("sw-sentence").addEventListener("change", () => {
    state.sentence = Math.trunc(Number($("sw-sentence").value)) || 0; state.center = -1; renderWindowPanel(); syncUrl();
  });
  $("sw-window").addEventListener("input", () => { state.window = Number($("sw-window").value); renderWindowPanel(); syncUrl(); });
  $("zoom").addEventListener("change", () => { applyProjection(); goTo(state.index); });
  $("outputs").addEventListener("change", () => goTo(state.index));
  bindCopyLink($("copy-link"), $("link-field"), $("link-status"), currentLink);
  document.querySelectorAll("input[name=bars]").forEach((radio) => radio.addEventListener("change", () => goTo(state.index)));
  document.querySelectorAll("input[name=pca]").forEach((radio) => radio.addEventListener("change", () => {
    state.projection = radio.value;
    applyProjection();
    goTo(state.index);
  }));
  bindShortcuts({  // only when no control has focus: a focused button, slider or select keeps its keys
    ArrowRight: () => goTo(state.index + 1, { animateMs: 150 }),
    ArrowLeft: () => goTo(state.index - 1, { animateMs: 150 }),
    " ": () => { if (run) setPlaying(state.playing === null); },
  });
}

async function main() {
  const pickWord = (i) => { state.word = run.words[i]; goTo(state.index); };
  scatter = new Scatter($("scatter"), { onPick: pickWord, onDraw: (ms) => metrics.drawTimes.push(ms) });
  lossChart = new LossChart($("loss-chart"), { onPick: (step) => goTo(run.indexOfStep(step), { animateMs: 200 }),
                                              onNudge: (by) => goTo(state.index + by, { animateMs: 150 }), onJump: jumpSteps });
  bindScatterKeys($("scatter"), scatter, {
    current: () => (state.word !== null ? run.words.indexOf(state.word) : run.loadedRecord(state.index)?.center_id ?? 0),
    onPick: pickWord,
    onClear: () => { state.word = null; goTo(state.index); },
    help: "Arrow keys select the nearest word in that direction, as a click on it would; Escape follows the center word again.",
  });
  heatW = new HeatmapView($("heat-W"), { rowName: "dimension" });
  heatWp = new HeatmapView($("heat-Wp"), { rowName: "dimension" });
  announcer = new Announcer();
  probChart = new ProbabilityChart($("probs"));
  partnerScatter = new Scatter($("scatter-b"));
  metrics.scatter = scatter;
  metrics.run = () => run;   // the run on screen, for the browser tests of its chunk cache
  bindControls();
  const wanted = readState({ run: null, step: null, word: null, vs: null, sentence: "0", center: "-1", window: String(DEFAULT_WINDOW),
                             ...VIEW_DEFAULTS });
  const refused = applyViewParams(wanted);
  state.projection = shownProjection();
  state.word = wanted.word;
  state.sentence = Math.trunc(Number(wanted.sentence)) || 0;
  state.center = Math.trunc(Number(wanted.center));
  if (!Number.isInteger(state.center)) state.center = -1;
  state.window = Math.max(1, Math.min(5, Math.trunc(Number(wanted.window)) || DEFAULT_WINDOW));
  let runs;
  try {
    runs = (await listRuns()).runs;
  } catch (err) {
    showError(err.message);
    return;
  }
  if (!runs.length) { showError("No recorded runs yet. Train one with: wordlab train"); return; }
  $("run").replaceChildren(...runs.map((r) => new Option(r.status === "ok" ? `${r.name} (${r.vocab_size} words, ${r.steps} steps)` : `${r.name} (broken)`, r.name)));
  const name = wanted.run ?? (runs.find((r) => r.name === "default" && r.status === "ok") ?? runs.find((r) => r.status === "ok") ?? runs[0]).name;
  $("run").value = name;
  runNames = runs.filter((r) => r.status === "ok").map((r) => r.name);
  await openRun(name, wanted.step, wanted.vs);
  if (refused.length) {
    const before = $("notice").hidden ? "" : `${$("notice").textContent} `;
    showNotice(`${before}Not used from the link: ${refused.join("; ")}.`);
  }
}

startPage(main);
