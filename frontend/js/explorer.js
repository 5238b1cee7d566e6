// The embedding explorer: what the vectors of a run learned (map, neighbors, analogies, similarity),
// how they got there (histogram before/after, neighbors, analogies and positions over training), and
// the same questions asked of a second run. Numbers come from the run's files or from the API.
import {
  analogy, getInputVectors, getManifest, getRunFile, getWordMap, listRuns, neighborsOf, similarity, similarityMatrix,
} from "./api.js";
import { drawHeatmap } from "./components/heatmap.js";
import { drawHistogram } from "./components/histogram.js";
import { fillTable } from "./components/table.js";
import { WordMap } from "./components/wordmap.js";
import { download } from "./figureexport.js";
import { $, promiseCache, showError, showNotice, startPage } from "./page.js";
import { labelReader, tokenLabel } from "./tokenlabel.js";
import { readState, writeState } from "./urlstate.js";

const NEIGHBORS_K = 10;
const DEFAULTS = { run: null, compare: "", layout: "pca", ck: null, q: "", a: "", b: "", c: "", s1: "", s2: "",
                   set: "", order: "cluster", evo: "", poly: "", x: null, y: null, z: null };
const HEAT_SIZE = 540;     // px: the heatmap's side, whatever the number of words

// Read by the browser tests and shown nowhere else.
const metrics = window.wordlab = { ready: false, drawTimes: [], updates: 0 };

const state = readState(DEFAULTS);
let run = null;             // {name, manifest, vocab, map, files: {name: view}}
let map;

const manifests = promiseCache((name) => getManifest(name));
const has = (r, path) => path in r.manifest.files;
const view = (r, path) => (has(r, path) ? getRunFile(r.name, r.manifest, path) : Promise.resolve(null));
const fmt = (v, digits = 4) => Number(v).toFixed(digits);
// The word boxes hold labels (tokenlabel.js: "␣the</w>"); a BPE run's tokens keep their case.
const words = (text) => text.split(/[\s,]+/).map((w) => (run?.manifest.tokenizer ? w : w.trim().toLowerCase())).filter(Boolean);

let urlTimer = null;
function syncUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => writeState(state), 200);
}

async function loadRun(name) {
  const manifest = await manifests(name);
  const r = { name, manifest };
  const [vocab, mapView, neighbors, analogies, histogram, evolution, convergence, io, poly, heatWords, stats] =
    await Promise.all([
      view(r, "vocab.json"), has(r, "explorer/map.json.gz") ? getWordMap(name, manifest) : null,
      view(r, "neighbors.json"), view(r, "analogies.json"), view(r, "explorer/histogram.json"),
      view(r, "explorer/analogy_evolution.json"), view(r, "convergence.json"), view(r, "input_output.json"),
      view(r, "explorer/polysemy.json"), view(r, "explorer/heatmap_words.json"), view(r, "corpus_stats.json")]);
  return { ...r, vocab, map: mapView, neighbors, analogies, histogram, evolution, convergence, io, poly, heatWords, stats,
           fromLabel: labelReader(vocab.words) };
}

// ---- the map ----

function mapPositions() {
  const m = run.map;
  if (state.layout === "tsne" && m.tsne) return m.tsne;
  const ck = state.ck === null ? m.steps.length : Number(state.ck);
  return ck < m.steps.length ? m.pca_over_training[ck] : m.pca;
}

function renderMap() {
  const m = run.map;
  const overTraining = state.layout === "pca" && m.steps.length > 0;
  $("checkpoint").max = m.steps.length;
  $("checkpoint").value = state.ck ?? m.steps.length;
  $("checkpoint").disabled = !overTraining;
  const ck = Number($("checkpoint").value);
  $("checkpoint-label").textContent = !overTraining ? "(t-SNE: final vectors only)"
    : ck < m.steps.length ? `step ${m.steps[ck].toLocaleString("en")}` : "final";
  document.querySelector('input[name=layout][value=tsne]').disabled = !m.tsne;
  $("map-info").textContent = `${m.words.length.toLocaleString("en")} words` +
    (m.tsne ? "" : " · this run has no t-SNE layout");
  map.setPositions(mapPositions());
}

function highlight(columns) {
  map.highlight = new Map();
  const first = columns[0];
  if (!first) return;
  const index = new Map(run.map.words.map((w, i) => [w, i]));
  for (const n of first.neighbors) if (index.has(n.word)) map.highlight.set(index.get(n.word), "neighbor");
  if (index.has(first.word)) map.highlight.set(index.get(first.word), "query");
  map.requestDraw();
}

function findWord(word) {
  const typed = run.fromLabel(run.manifest.tokenizer ? word.trim() : word.trim().toLowerCase());
  const i = run.map.words.indexOf(typed);
  if (i < 0) {
    const known = run.vocab.words.includes(typed);
    showNotice(known ? `"${word}" is in the vocabulary but not among the ${run.map.words.length} words on the map`
      : `"${word}" is not in the vocabulary of ${run.name}`);
    return;
  }
  showNotice("");
  map.flyTo(i);
  map.highlight.set(i, map.highlight.get(i) ?? "query");
}

// ---- neighbors, analogies, similarity ----

function neighborTable(table, answer) {
  const k = Math.max(...answer.columns.map((c) => c.neighbors.length));
  const rows = Array.from({ length: k }, (_, r) => [r + 1, ...answer.columns.map((c) =>
    (c.neighbors[r] ? `${tokenLabel(c.neighbors[r].word)} ${fmt(c.neighbors[r].score, 3)}` : ""))]);
  fillTable(table, ["#", ...answer.columns.map((c) => tokenLabel(c.word))], rows);
}

/** Shows the neighbors of `query` (comma-separated); the state takes the words only once they are known. */
async function renderNeighbors(query = state.q) {
  if (!words(query).length) return;
  const answer = await neighborsOf(run.name, words(query).map(run.fromLabel), NEIGHBORS_K);
  state.q = words(query).join(",");
  neighborTable($("neighbors"), answer);
  if (run.map) highlight(answer.columns);
  $("compare-neighbors").hidden = !state.compare;
  if (state.compare) {
    $("compare-name").textContent = state.compare;
    try {
      neighborTable($("neighbors-2"), await neighborsOf(state.compare, words(state.q).map(run.fromLabel), NEIGHBORS_K));
    } catch (err) {
      fillTable($("neighbors-2"), [], [[err.message]]);
    }
  }
}

async function solve(runName, a, b, c) {
  try {
    return (await analogy(runName, run.fromLabel(a), run.fromLabel(b), run.fromLabel(c), 5)).results;
  } catch (err) {
    return err.message;
  }
}

async function renderAnalogy() {
  const [a, b, c] = [state.a, state.b, state.c];
  if (!a || !b || !c) return;
  const answers = [[run.name, await solve(run.name, a, b, c)]];
  if (state.compare) answers.push([state.compare, await solve(state.compare, a, b, c)]);
  const rows = Array.from({ length: 5 }, (_, r) => [r + 1, ...answers.map(([, res]) =>
    (typeof res === "string" ? (r === 0 ? res : "") : res[r] ? `${tokenLabel(res[r].word)} ${fmt(res[r].score, 3)}` : ""))]);
  fillTable($("analogy-results"), ["#", ...answers.map(([name]) => `${a} : ${b} :: ${c} : ? in ${name}`)], rows);
}

function mark(correct) {
  const span = document.createElement("span");
  span.className = correct ? "right" : "wrong";
  span.textContent = correct ? "✓" : "✗";
  return span;
}

async function renderProbes() {
  const probes = run.analogies?.analogies ?? [];
  const other = state.compare ? await loadRun(state.compare).catch(() => null) : null;
  const otherBy = new Map((other?.analogies?.analogies ?? []).map((p) => [`${p.a}:${p.b}:${p.c}`, p]));
  const head = ["probe", "answer", "", "rank of expected", ...(other ? [`in ${other.name}`, ""] : [])];
  fillTable($("probes"), head, probes.map((p) => {
    const twin = otherBy.get(`${p.a}:${p.b}:${p.c}`);
    return [`${p.a} : ${p.b} :: ${p.c} : ${p.expected}`, p.predictions[0]?.[0] ?? "", mark(p.correct), p.expected_rank,
      ...(other ? (twin ? [twin.predictions[0]?.[0] ?? "", mark(twin.correct)] : ["not in vocabulary", ""]) : [])];
  }));
  if (!probes.length) fillTable($("probes"), [], [["none of the built-in probes has all four words in this vocabulary"]]);
}

async function renderPair() {
  if (!state.s1 || !state.s2) return;
  try {
    const s = await similarity(run.name, run.fromLabel(state.s1), run.fromLabel(state.s2));
    $("pair-cosine").textContent = fmt(s.cosine); $("pair-distance").textContent = fmt(s.euclidean); $("pair-dot").textContent = fmt(s.dot);
  } catch (err) {
    for (const id of ["pair-cosine", "pair-distance", "pair-dot"]) $(id).textContent = "–";
    showNotice(err.message);
  }
}

let heat = null;
async function renderHeatmap() {
  const set = state.set ? words(state.set) : (run.heatWords?.words ?? run.vocab.words.slice(0, 36)).map(tokenLabel);
  $("set").value = set.join(", ");
  try {
    heat = await similarityMatrix(run.name, set.map(run.fromLabel), state.order);
  } catch (err) {
    showNotice(err.message);
    return;
  }
  const cellSize = Math.max(4, Math.floor(HEAT_SIZE / heat.words.length));
  drawHeatmap($("heatmap"), heat.matrix, [], { w: cellSize, h: cellSize });
  $("heat-hover").textContent = `${heat.words.length} words, in order: ${heat.words.map(tokenLabel).join(", ")}`;
}

function bindHeatmapHover() {
  $("heatmap").addEventListener("mousemove", (e) => {
    if (!heat) return;
    const box = $("heatmap").getBoundingClientRect(), n = heat.words.length;
    const col = Math.floor(((e.clientX - box.left) / box.width) * n), row = Math.floor(((e.clientY - box.top) / box.height) * n);
    if (row < 0 || col < 0 || row >= n || col >= n) return;
    const value = heat.matrix[row][col];
    $("heat-hover").textContent = `${tokenLabel(heat.words[row])} · ${tokenLabel(heat.words[col])}: cosine ${value.toFixed(3)}`;
    $("heat-hover").dataset.row = heat.words[row]; $("heat-hover").dataset.col = heat.words[col];
    $("heat-hover").dataset.value = value;
  });
}

// ---- training history, W vs W′, polysemy, corpus ----

function renderHistogram() {
  const h = run.histogram;
  if (!h) return;
  $("hist-pairs").textContent = `${h.pairs.toLocaleString("en")} pairs among the ${h.words.toLocaleString("en")} most frequent words`;
  drawHistogram($("histogram"), h);
}

function renderEvolution() {
  const n = run.neighbors;
  if (!n) { fillTable($("evolution"), [], [["this run recorded no neighbors over training"]]); return; }
  const word = n.words.includes(state.evo) ? state.evo : n.words[0];
  $("evolution-word").replaceChildren(...n.words.map((w) => new Option(tokenLabel(w), w)));
  $("evolution-word").value = word;
  fillTable($("evolution"), ["step", "nearest neighbors (cosine)"], n.steps.map((step, i) =>
    [step, n.neighbors[word][i].map(([w, s]) => `${tokenLabel(w)} ${fmt(s, 2)}`).join(", ")]));
}

function renderAnalogyEvolution() {
  const e = run.evolution;
  if (!e || !e.analogies.length) { fillTable($("analogy-evolution"), [], [["no probe has all four words among the recorded words"]]); return; }
  const trs = fillTable($("analogy-evolution"), ["probe", ...e.steps.map(String)], e.analogies.map((p) =>
    [`${p.a}:${p.b}::${p.c}:${p.expected}`, ...p.correct.map(mark)]));
  trs.forEach((tr, r) => [...tr.cells].slice(1).forEach((td, i) => { td.title = `answer at step ${e.steps[i]}: ${e.analogies[r].answers[i]}`; }));
}

function renderConvergence() {
  const c = run.convergence;
  if (!c) return;
  $("threshold").textContent = c.threshold;
  const last = c.steps.length - 1;
  const rows = Object.entries(c.words).slice(0, 15).map(([w, v]) =>
    [tokenLabel(w), fmt(v.cosine_to_final[0], 3), fmt(v.cosine_to_final[Math.floor(last / 2)], 3), v.converged_step ?? "not yet"]);
  fillTable($("convergence"), ["word", `cos at step ${c.steps[0]}`, `at step ${c.steps[Math.floor(last / 2)]}`, "settled at step"], rows);
}

function renderInputOutput() {
  const io = run.io;
  if (!io) return;
  fillTable($("input-output"), ["word", "cos(W, W′)", "|W|", "|W′|"],
    io.words.slice(0, 20).map((w, i) => [tokenLabel(w), fmt(io.cosine[i], 3), fmt(io.norm_W[i], 3), fmt(io.norm_W_prime[i], 3)]));
}

function renderPolysemy() {
  const found = Object.keys(run.poly?.words ?? {});
  $("poly-word").replaceChildren(...found.map((w) => new Option(w, w)));
  if (!found.length) {
    $("polysemy").textContent = `None of the usual polysemous words (${(run.poly?.candidates ?? []).slice(0, 6).join(", ")}, …) is in this vocabulary: try a run on a book.`;
    return;
  }
  const word = found.includes(state.poly) ? state.poly : found[0];
  $("poly-word").value = word;
  $("polysemy").replaceChildren(...run.poly.words[word].groups.map((group, g) => {
    const box = document.createElement("div");
    const title = document.createElement("b");
    title.textContent = `group ${g + 1}`;
    const list = document.createElement("ol");
    list.append(...group.map(([w, s]) => { const li = document.createElement("li"); li.textContent = `${w} ${fmt(s, 3)}`; return li; }));
    box.append(title, list);
    return box;
  }));
}

function renderCorpus() {
  const s = run.stats;
  if (!s) return;
  const items = [["sentences", s.sentences], ["words", s.words], ["distinct words", s.distinct_words],
                 ["vocabulary", s.vocab_size], ["kept words", s.kept_words], ["dropped stopwords", s.dropped_stopwords],
                 ["dropped rare", s.dropped_rare], ["training pairs", s.pairs]];
  $("corpus-stats").replaceChildren(...items.map(([label, v]) => {
    const span = document.createElement("span"); const b = document.createElement("b");
    b.textContent = Number(v).toLocaleString("en"); span.append(`${label} `, b); return span;
  }));
  fillTable($("frequent"), [], s.frequencies.slice(0, 15).map(([w, c]) => [tokenLabel(w), c]));
  const config = run.manifest.config;
  // A corpus run keeps every word it counted at least min_count times and records no list of dropped words.
  fillTable($("dropped"), [], (s.top_dropped ?? []).slice(0, 15).map(([w, c, why]) =>
    [tokenLabel(w), c, why === "stopword" ? "stopword" : `rare (< ${config.min_count} times or beyond the ${config.max_vocab} most frequent)`]));
}

// ---- export for projector.tensorflow.org (the figures' PNG and SVG: figureexport.js) ----

async function exportTsv() {
  const vectors = await getInputVectors(run.name, run.manifest);
  const lines = [];
  for (let r = 0; r < vectors.rows; r++) lines.push(Array.from(vectors.data.subarray(r * vectors.dim, (r + 1) * vectors.dim), (v) => v.toFixed(5)).join("\t"));
  download(`${run.name}-vectors.tsv`, new Blob([lines.join("\n") + "\n"], { type: "text/tab-separated-values" }));
  download(`${run.name}-metadata.tsv`, new Blob([run.vocab.words.join("\n") + "\n"], { type: "text/tab-separated-values" }));
}

// ---- wiring ----

async function renderAll() {
  $("content").hidden = false;
  $("vocab-list").replaceChildren(...run.vocab.words.slice(0, 5000).map((w) => new Option(tokenLabel(w))));
  const key = (run.neighbors?.words ?? run.vocab.words).map(tokenLabel);
  const probe = run.analogies?.analogies?.[0];
  state.q ||= key.slice(0, 4).join(",");
  if (!state.a) Object.assign(state, probe ? { a: probe.a, b: probe.b, c: probe.c } : { a: key[0], b: key[1], c: key[2] });
  state.s1 ||= key[0]; state.s2 ||= key[1];
  for (const id of ["a", "b", "c", "s1", "s2"]) $(id).value = state[id];
  $("query").value = state.q;
  $("order").value = state.order;
  if (run.map) {
    map.setData(run.map.words.map(tokenLabel), run.map.counts, mapPositions());
    if (state.x !== null && state.z !== null) map.setView({ x: Number(state.x), y: Number(state.y), scale: Number(state.z) });
    else map.fit();
    renderMap();
  } else showNotice(`run ${run.name} was written before the explorer's map existed: retrain it to see the map`);
  renderHistogram(); renderEvolution(); renderAnalogyEvolution(); renderConvergence(); renderInputOutput();
  renderPolysemy(); renderCorpus();
  const failed = (await Promise.allSettled([renderNeighbors(), renderAnalogy(), renderProbes(), renderPair(),
                                            renderHeatmap()])).find((r) => r.status === "rejected");
  if (failed) showNotice(failed.reason?.message ?? String(failed.reason));
  syncUrl();
  metrics.updates++;
}

async function openRun(name) {
  state.run = name;
  run = await loadRun(name);
  await renderAll();
}

/** Runs an update; an API error (say an unknown word) becomes the notice, the rest of the page stays. */
function act(update) {
  return async (event) => {
    event?.preventDefault();
    try {
      showNotice("");
      await update();
      syncUrl();
      metrics.updates++;
    } catch (err) {
      showNotice(err.message);
    }
  };
}

function bindControls() {
  $("run").addEventListener("change", act(async () => {
    Object.assign(state, { q: "", a: "", s1: "", s2: "", set: "", ck: null, x: null, y: null, z: null });
    await openRun($("run").value);
  }));
  $("compare").addEventListener("change", act(async () => {
    state.compare = $("compare").value;
    await Promise.all([renderNeighbors(), renderAnalogy(), renderProbes()]);
  }));
  $("query-form").addEventListener("submit", act(() => renderNeighbors($("query").value)));
  $("analogy-form").addEventListener("submit", act(async () => {
    Object.assign(state, { a: $("a").value.trim(), b: $("b").value.trim(), c: $("c").value.trim() });
    await renderAnalogy();
  }));
  $("pair-form").addEventListener("submit", act(async () => { state.s1 = $("s1").value.trim(); state.s2 = $("s2").value.trim(); await renderPair(); }));
  $("set-form").addEventListener("submit", act(async () => {
    const typed = words($("set").value).join(",");
    state.set = typed === (run.heatWords?.words ?? []).map(tokenLabel).join(",") ? "" : typed;
    state.order = $("order").value;
    await renderHeatmap();
  }));
  $("search-form").addEventListener("submit", act(async () => findWord($("search").value)));
  for (const radio of document.querySelectorAll("input[name=layout]")) {
    radio.addEventListener("change", act(async () => { state.layout = radio.value; renderMap(); map.fit(); }));
  }
  $("checkpoint").addEventListener("input", act(async () => {
    state.ck = Number($("checkpoint").value) === run.map.steps.length ? null : $("checkpoint").value;
    renderMap();
  }));
  $("fit").addEventListener("click", () => map.fit());
  $("evolution-word").addEventListener("change", act(async () => { state.evo = $("evolution-word").value; renderEvolution(); }));
  $("poly-word").addEventListener("change", act(async () => { state.poly = $("poly-word").value; renderPolysemy(); }));
  bindHeatmapHover();
  $("export-tsv").addEventListener("click", act(exportTsv));
  $("copy-link").addEventListener("click", async () => {
    writeState(state);
    $("link-state").textContent = location.href;
    try { await navigator.clipboard.writeText(location.href); $("link-state").textContent = `copied: ${location.href}`; } catch { /* shown instead */ }
  });
}

async function main() {
  map = new WordMap($("map"), {
    onPick: (i) => {
      const picked = tokenLabel(run.map.words[i]);
      const query = [picked, ...words(state.q).filter((w) => w !== picked)].slice(0, 6).join(",");
      $("query").value = query;
      act(() => renderNeighbors(query))();
    },
    onHover: (i) => { $("map-hover").textContent = i >= 0 ? `${tokenLabel(run.map.words[i])} (${run.map.counts[i].toLocaleString("en")} occurrences)` : ""; },
    onView: (v) => { Object.assign(state, { x: v.x.toPrecision(5), y: v.y.toPrecision(5), z: v.scale.toPrecision(5) }); syncUrl(); },
    onDraw: (ms) => metrics.drawTimes.push(ms),
  });
  metrics.map = map;
  bindControls();
  const runs = (await listRuns()).runs.filter((r) => r.status === "ok");
  if (!runs.length) { showError("No recorded runs yet. Train one with: wordlab train"); return; }
  const label = (r) => `${r.name} (${r.kind}, ${r.vocab_size} words, d=${r.dim})`;
  $("run").replaceChildren(...runs.map((r) => new Option(label(r), r.name)));
  $("compare").append(...runs.map((r) => new Option(label(r), r.name)));
  const name = runs.some((r) => r.name === state.run) ? state.run : (runs.find((r) => r.name === "default") ?? runs[0]).name;
  $("run").value = name;
  if (state.compare && !runs.some((r) => r.name === state.compare)) state.compare = "";
  $("compare").value = state.compare;
  document.querySelector(`input[name=layout][value=${state.layout === "tsne" ? "tsne" : "pca"}]`).checked = true;
  await openRun(name);
  metrics.ready = true;
}

startPage(main);
