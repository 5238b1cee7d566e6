// The embedding explorer: what the vectors of a run learned (map, neighbours, analogies, similarity, the
// run's probe scores and its dimension sweep), how they got there (histogram before/after, neighbours,
// analogies and convergence over training), and the same questions asked of a second run.
//
// One PageState holds every piece of view state a class would follow (run, section, layout, checkpoint,
// map view, query words, analogy, pair, word set, compare-with run, ...): controls call state.set(), the
// renderers below subscribe and draw from the state they are handed, so a click, a link and a live
// class change the page the same way. The maths lives in plain modules (wordlist, mapview, dimsweep,
// explorertext, nearestquestion), tested by node. Numbers come from the run's files or from the API.
import {
  analogy, getInputVectors, getManifest, getRunFile, getWordMap, listRuns, myTrainingJobs, neighborsOf, similarity,
  similarityMatrix,
} from "./api.js";
import { Announcer } from "./announce.js";
import { HeatmapView } from "./components/heatmap.js";
import { drawHistogram } from "./components/histogram.js";
import { bindScatterKeys, nearestOnScreen } from "./components/scatteraccess.js";
import { fillTable } from "./components/table.js";
import { Tabs } from "./components/tabs.js";
import { WordMap } from "./components/wordmap.js";
import { XYChart } from "./components/xychart.js";
import { sweepCandidates, sweepCurve, sweepMembers } from "./dimsweep.js";
import {
  convergenceRows, droppedReason, formatCount, histogramCaption, pcaCaption, runDefaults,
} from "./explorertext.js";
import { download } from "./figureexport.js";
import { distractors, nearestQuestion } from "./nearestquestion.js";
import { $, promiseCache, showError, showNotice, startPage } from "./page.js";
import { PageState, RefusedValue, intField, oneOf } from "./pagestate.js";
import { offerQuestions } from "./questions.js";
import { ownRuns, runTags } from "./runtags.js";
import { bindCopyLink } from "./sharelink.js";
import { labelReader, tokenLabel } from "./tokenlabel.js";
import { formatWords, parseWords } from "./wordlist.js";

const NEIGHBORS_K = 10;
const HEAT_SIZE = 560;     // px: the heatmap's side, whatever the number of words
const SECTIONS = ["map", "neighbors", "analogies", "similarity", "training", "vectors", "corpus"];
const RESET_ON_RUN = { q: "", a: "", b: "", c: "", s1: "", s2: "", set: "", ck: null, x: null, y: null, z: null, evo: "", poly: "" };

function finite(text) {
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) throw new RefusedValue("a number");
  return value;
}
function positive(text) {
  const value = finite(text);
  if (value <= 0) throw new RefusedValue("a number above 0");
  return value;
}
const text = { default: "" };
const state = new PageState({
  run: text, compare: text,
  tab: { default: "map", parse: oneOf(...SECTIONS) },
  layout: { default: "pca", parse: oneOf("pca", "tsne") },
  ck: { default: null, parse: intField(0) },
  q: text, a: text, b: text, c: text, s1: text, s2: text, set: text,
  order: { default: "cluster", parse: oneOf("cluster", "input") },
  evo: text, poly: text,
  x: { default: null, parse: finite }, y: { default: null, parse: finite }, z: { default: null, parse: positive },
});

let run = null;             // the run on screen: its manifest, files and helpers (loadRun)
let listed = [];            // /api/runs, the runs that are not broken
let map, heat, tabs, announcer, sweepChart;
let runTicket = 0;          // drops a run that finished loading after another was asked for

const manifests = promiseCache((name) => getManifest(name));
const has = (r, path) => path in r.manifest.files;
const view = (r, path) => (has(r, path) ? getRunFile(r.name, r.manifest, path) : Promise.resolve(null));
const fmt = (v, digits = 4) => Number(v).toFixed(digits);

/** A run's files and what the page derives from them once: labels, the words it opens with. */
const loadRun = promiseCache(async (name) => {
  const manifest = await manifests(name);
  const r = { name, manifest };
  const files = ["vocab.json", "neighbors.json", "explorer/histogram.json", "explorer/analogy_evolution.json",
                 "convergence.json", "input_output.json", "explorer/polysemy.json", "explorer/heatmap_words.json",
                 "corpus_stats.json", "explorer/probes.json", "quality.json"];
  const [mapView, vocab, neighbors, histogram, evolution, convergence, io, poly, heatWords, stats, probes, quality] =
    await Promise.all([has(r, "explorer/map.json.gz") ? getWordMap(name, manifest) : null, ...files.map((f) => view(r, f))]);
  const labels = new Set(vocab.words.map(tokenLabel));
  const loaded = { ...r, vocab, map: mapView, neighbors, histogram, evolution, convergence, io, poly, heatWords, stats,
                   probes, quality, fromLabel: labelReader(vocab.words), known: (w) => labels.has(w) };
  loaded.defaults = runDefaults(loaded);
  return loaded;
});

/** The words of a box or of the state, as the run's words (a BPE run keeps case; regex words are lowercase). */
function wordsOf(r, typed) {
  return parseWords(typed, r.known).map((w) => (r.manifest.tokenizer || r.known(w) ? w : w.toLowerCase())).map(r.fromLabel);
}
const labels = (words) => formatWords(words.map(tokenLabel));

/** What the state asks for, or the run's defaults where it says nothing. */
function effective(s) {
  const d = run.defaults;
  const queries = s.q ? wordsOf(run, s.q) : d.queries;
  const abc = s.a && s.b && s.c ? [s.a, s.b, s.c].map((w) => run.fromLabel(w.trim())) : d.analogy;
  const pair = s.s1 && s.s2 ? [run.fromLabel(s.s1.trim()), run.fromLabel(s.s2.trim())] : d.pair;
  return { queries, abc, pair };
}

// Answers are cached per run and words, so a form can check its words before it changes the state.
const neighborAnswers = promiseCache((key) => { const [name, ...words] = JSON.parse(key); return neighborsOf(name, words, NEIGHBORS_K); });
const neighborsFor = (name, words) => neighborAnswers(JSON.stringify([name, ...words]));

// ---- the map ----

function mapPositions(s) {
  const m = run.map;
  if (s.layout === "tsne" && m.tsne) return m.tsne;
  const ck = s.ck === null ? m.steps.length : Math.min(s.ck, m.steps.length);
  return ck < m.steps.length ? m.pca_over_training[ck] : m.pca;
}

function renderMap(s) {
  const m = run.map;
  const overTraining = s.layout === "pca" && m.steps.length > 0;
  $("checkpoint").max = m.steps.length;
  $("checkpoint").value = s.ck ?? m.steps.length;
  $("checkpoint").disabled = !overTraining;
  const ck = Number($("checkpoint").value);
  $("checkpoint-label").textContent = !overTraining ? "(t-SNE: final vectors only)"
    : ck < m.steps.length ? `step ${formatCount(m.steps[ck])}` : "final";
  for (const radio of document.querySelectorAll("input[name=layout]")) radio.checked = radio.value === (s.layout === "tsne" && m.tsne ? "tsne" : "pca");
  document.querySelector("input[name=layout][value=tsne]").disabled = !m.tsne;
  $("map-info").textContent = `${formatCount(m.words.length)} words` + (m.tsne ? "" : " · this run has no t-SNE layout");
  $("pca-variance").textContent = m.pca_variance ? pcaCaption(m.pca_variance, run.manifest.sizes.dim) : "";
  map.setPositions(mapPositions(s));
  describeMap();
}

/** The map's text alternative: what is shown and the words nearest on screen to the first query word. */
function describeMap() {
  const m = run.map, s = state.get();
  const first = effective(s).queries[0], i = m.words.indexOf(first);
  const layout = s.layout === "tsne" && m.tsne ? "t-SNE" : $("checkpoint-label").textContent === "final" ? "PCA of the final vectors" : `PCA at ${$("checkpoint-label").textContent}`;
  const near = i >= 0 ? ` Query word ${tokenLabel(first)}; nearest on screen: ${nearestOnScreen(map.xy, i).map((j) => tokenLabel(m.words[j])).join(", ")}.` : "";
  $("map").setAttribute("aria-label", `Vocabulary map, ${layout}: ${formatCount(m.words.length)} words.${near}`);
}

function applyView(s) {
  if (s.x === null || s.y === null || s.z === null) return;
  const v = map.view, same = (a, b) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
  if (!(same(v.x, s.x) && same(v.y, s.y) && same(v.scale, s.z))) map.setView({ x: s.x, y: s.y, scale: s.z });
}

function highlight(columns) {
  map.highlight = new Map();
  const first = columns[0];
  const index = new Map(run.map.words.map((w, i) => [w, i]));
  if (first) {   // the query first: its label is placed before its neighbours'
    if (index.has(first.word)) map.highlight.set(index.get(first.word), "query");
    for (const n of first.neighbors) if (index.has(n.word)) map.highlight.set(index.get(n.word), "neighbor");
  }
  map.requestDraw();
}

/** The side list beside the map: the first query word's neighbours, each a button that queries it. */
function renderMapNeighbors(column) {
  $("map-word").textContent = column ? tokenLabel(column.word) : "";
  $("map-neighbors").replaceChildren(...(column?.neighbors ?? []).map((n) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "linklike";
    button.textContent = tokenLabel(n.word);
    button.addEventListener("click", () => queryFirst(n.word));
    item.append(button, ` ${fmt(n.score, 3)}`);
    return item;
  }));
}

/** Puts a word first in the neighbour query (a click on the map or its list). */
function queryFirst(word) {
  const current = effective(state.get()).queries.filter((w) => w !== word);
  state.set({ q: labels([word, ...current].slice(0, 6)) });
}

function findWord(typed) {
  const word = wordsOf(run, typed)[0] ?? "";
  const i = run.map ? run.map.words.indexOf(word) : -1;
  if (i < 0) {
    const known = run.vocab.words.includes(word);
    showNotice(known ? `"${typed}" is in the vocabulary but not among the ${run.map?.words.length ?? 0} words on the map`
      : `"${typed}" is not in the vocabulary of ${run.name}`);
    return;
  }
  showNotice("");
  state.set({ tab: "map" });
  map.flyTo(i);
  map.highlight.set(i, map.highlight.get(i) ?? "query");
}

// ---- neighbours, analogies, similarity ----

function neighborTable(table, answer) {
  const k = Math.max(...answer.columns.map((c) => c.neighbors.length));
  const rows = Array.from({ length: k }, (_, r) => [r + 1, ...answer.columns.map((c) =>
    (c.neighbors[r] ? `${tokenLabel(c.neighbors[r].word)} ${fmt(c.neighbors[r].score, 3)}` : ""))]);
  fillTable(table, ["#", ...answer.columns.map((c) => tokenLabel(c.word))], rows);
}

async function renderNeighbors(s) {
  const { queries } = effective(s);
  $("query").value = labels(queries);
  if (!queries.length) return;
  const answer = await neighborsFor(run.name, queries);
  neighborTable($("neighbors"), answer);
  if (run.map) { highlight(answer.columns); describeMap(); }
  renderMapNeighbors(answer.columns[0]);
  const first = answer.columns[0];
  announcer.say(`Nearest to ${tokenLabel(first.word)}: ${first.neighbors.slice(0, 5).map((n) => tokenLabel(n.word)).join(", ")}.`);
  $("compare-neighbors").hidden = !s.compare;
  if (s.compare) {
    $("compare-name").textContent = s.compare;
    try {
      neighborTable($("neighbors-2"), await neighborsFor(s.compare, queries));
    } catch (err) {
      fillTable($("neighbors-2"), [], [[err.message]]);
    }
  }
}

async function solve(runName, [a, b, c]) {
  try {
    return (await analogy(runName, a, b, c, 5)).results;
  } catch (err) {
    return err.message;
  }
}

async function renderAnalogy(s) {
  const { abc } = effective(s);
  ["a", "b", "c"].forEach((id, i) => { $(id).value = abc ? tokenLabel(abc[i]) : ""; });
  if (!abc) { fillTable($("analogy-results"), [], [["type three words of this run: a : b :: c : ?"]]); return; }
  const answers = [[run.name, await solve(run.name, abc)]];
  if (s.compare) answers.push([s.compare, await solve(s.compare, abc)]);
  const rows = Array.from({ length: 5 }, (_, r) => [r + 1, ...answers.map(([, res]) =>
    (typeof res === "string" ? (r === 0 ? res : "") : res[r] ? `${tokenLabel(res[r].word)} ${fmt(res[r].score, 3)}` : ""))]);
  const [a, b, c] = abc.map(tokenLabel);
  fillTable($("analogy-results"), ["#", ...answers.map(([name]) => `${a} : ${b} :: ${c} : ? in ${name}`)], rows);
}

function mark(correct) {
  const span = document.createElement("span");
  span.className = correct ? "right" : "wrong";
  span.textContent = correct ? "✓" : "✗";
  return span;
}

const probeKey = (p) => JSON.stringify([p.a, p.b, p.c, p.expected]);

async function renderProbes(s) {
  const probes = run.probes;
  if (!probes) {
    fillTable($("probes"), [], [["this run was written before runs chose their own probes: retrain it to see them"]]);
    fillTable($("similarity-probes"), [], [["this run was written before runs chose their own probes"]]);
    return;
  }
  const other = s.compare ? await loadRun(s.compare).catch(() => null) : null;
  const twins = new Map((other?.probes?.analogies ?? []).map((p) => [probeKey(p), p]));
  $("probes-explain").textContent = `${probes.analogies.length} analogies whose words are all in this vocabulary: the `
    + "built-in probes (data/probes/) that fit, and pairs of one relation found in it (he/she, a word and its -s, -ed "
    + "or possessive form), each with the next two of its relation. Chosen from the vocabulary, never from the vectors.";
  const head = ["relation", "probe", "answer", "", "rank of expected", "from", ...(other ? [`in ${other.name}`, ""] : [])];
  fillTable($("probes"), head, probes.analogies.map((p) => {
    const twin = twins.get(probeKey(p));
    const [a, b, c, d] = [p.a, p.b, p.c, p.expected].map(tokenLabel);
    return [p.relation, `${a} : ${b} :: ${c} : ${d}`,
      tokenLabel(p.answer), mark(p.correct), p.expected_rank, p.source,
      ...(other ? (twin ? [tokenLabel(twin.answer), mark(twin.correct)] : ["not among its probes", ""]) : [])];
  }));
  if (!probes.analogies.length) fillTable($("probes"), [], [["no analogy probe has all four words in this vocabulary"]]);
  $("similarity-probes-explain").textContent = `Is b among a's ${probes.neighbors} nearest words (a itself excluded)? `
    + `${probes.similarity.length} pairs: the built-in ones that fit, and pairs of one relation found in this vocabulary.`;
  fillTable($("similarity-probes"), ["a", "b", `rank of b among a's neighbours`, "", "from"],
            probes.similarity.map((p) => [tokenLabel(p.a), tokenLabel(p.b), p.rank, mark(p.hit), p.source]));
}

async function renderPair(s) {
  const [w1, w2] = effective(s).pair;
  $("s1").value = tokenLabel(w1 ?? ""); $("s2").value = tokenLabel(w2 ?? "");
  if (!w1 || !w2) return;
  const answer = await similarity(run.name, w1, w2);
  $("pair-cosine").textContent = fmt(answer.cosine); $("pair-distance").textContent = fmt(answer.euclidean); $("pair-dot").textContent = fmt(answer.dot);
}

async function renderHeatmap(s) {
  const set = s.set ? wordsOf(run, s.set) : (run.heatWords?.words ?? run.vocab.words.slice(0, 36));
  $("set").value = labels(set);
  $("order").value = s.order;
  const answer = await similarityMatrix(run.name, set, s.order);
  const side = Math.max(6, Math.floor(HEAT_SIZE / answer.words.length));
  heat.cell = { w: side, h: side };
  heat.draw(answer.matrix, [], answer.words.map(tokenLabel), "Cosine similarity of a word set");
}

// ---- training history, W vs W′, polysemy ----

function renderHistogram() {
  const h = run.histogram;
  if (!h) return;
  $("hist-caption").textContent = `Cosine similarity of every pair among the ${formatCount(h.words)} most frequent words. `
    + histogramCaption(h);
  drawHistogram($("histogram"), h);
}

function renderEvolution(s) {
  const n = run.neighbors;
  if (!n) { fillTable($("evolution"), [], [["this run recorded no neighbours over training"]]); return; }
  const word = n.words.includes(s.evo) ? s.evo : n.words[0];
  $("evolution-word").replaceChildren(...n.words.map((w) => new Option(tokenLabel(w), w)));
  $("evolution-word").value = word;
  fillTable($("evolution"), ["step", "nearest neighbours (cosine)"], n.steps.map((step, i) =>
    [formatCount(step), n.neighbors[word][i].map(([w, v]) => `${tokenLabel(w)} ${fmt(v, 2)}`).join(", ")]));
}

function renderAnalogyEvolution() {
  const e = run.evolution;
  if (!e || !e.analogies.length) { fillTable($("analogy-evolution"), [], [["no probe has all four words among the recorded words"]]); return; }
  const share = e.steps.map((_, i) => e.analogies.filter((p) => p.correct[i]).length / e.analogies.length);
  const trs = fillTable($("analogy-evolution"), ["probe", ...e.steps.map(formatCount)], [
    ["share right", ...share.map((v) => v.toFixed(2))],
    ...e.analogies.map((p) => [[p.a, p.b, p.c, p.expected].map(tokenLabel).join(":"), ...p.correct.map(mark)])]);
  trs[0].className = "total";
  trs.slice(1).forEach((tr, r) => [...tr.cells].slice(1).forEach((td, i) => {
    td.title = `answer at step ${formatCount(e.steps[i])}: ${tokenLabel(e.analogies[r].answers[i])}`;
  }));
}

function renderConvergence() {
  const c = run.convergence;
  if (!c) return;
  const hold = c.hold ?? 0;
  $("convergence-explain").textContent = `Cosine of each word's vector to its final vector. A word has settled at the step `
    + `from which it stays ≥ ${c.threshold} to the end` + (hold ? `, if that held over at least the last ${Math.round(hold * 100)}% `
    + "of training and the word started farther away; else it was still moving (or never moved)." : ".");
  $("convergence-verdict").textContent = c.message ?? "";
  const middle = Math.floor((c.steps.length - 1) / 2);
  fillTable($("convergence"), ["word", `cos at step ${formatCount(c.steps[0])}`, `at step ${formatCount(c.steps[middle])}`, "settled at step"],
            convergenceRows(c, run.defaults.queries).map(([w, ...rest]) => [tokenLabel(w), ...rest]));
}

function renderInputOutput() {
  const io = run.io;
  if (!io) return;
  fillTable($("input-output"), ["word", "cos(W, W′)", "|W|", "|W′|"],
    io.words.slice(0, 20).map((w, i) => [tokenLabel(w), fmt(io.cosine[i], 3), fmt(io.norm_W[i], 3), fmt(io.norm_W_prime[i], 3)]));
}

function renderPolysemy(s) {
  const found = Object.keys(run.poly?.words ?? {});
  $("poly-word").replaceChildren(...found.map((w) => new Option(w, w)));
  if (!found.length) {
    $("polysemy").textContent = `None of the usual polysemous words (${(run.poly?.candidates ?? []).slice(0, 6).join(", ")}, …) is in this vocabulary: try a run on a book.`;
    return;
  }
  const word = found.includes(s.poly) ? s.poly : found[0];
  $("poly-word").value = word;
  $("polysemy").replaceChildren(...run.poly.words[word].groups.map((group, g) => {
    const box = document.createElement("div");
    const title = document.createElement("b");
    title.textContent = `group ${g + 1}`;
    const list = document.createElement("ol");
    list.append(...group.map(([w, v]) => { const li = document.createElement("li"); li.textContent = `${tokenLabel(w)} ${fmt(v, 3)}`; return li; }));
    box.append(title, list);
    return box;
  }));
}

// ---- what the run learned: quality, probe scores, the dimension sweep; the corpus ----

function statItems(element, items) {
  element.replaceChildren(...items.map(([label, value]) => {
    const span = document.createElement("span"); const b = document.createElement("b");
    b.textContent = value; span.append(`${label} `, b); return span;
  }));
}

function renderQuality() {
  const q = run.quality;
  $("quality").hidden = !q || q.verdict === "ok";
  $("quality").textContent = q && q.verdict !== "ok" ? `${run.name}: ${q.message}` : "";
  $("quality").dataset.verdict = q?.verdict ?? "";
  $("quality-verdict").textContent = q ? q.message : "This run was written before runs checked their vectors: retrain it to see the check.";
  $("quality-verdict").dataset.verdict = q?.verdict ?? "";
  statItems($("quality-stats"), q ? [
    ["mean cosine of two words", fmt(q.mean_pair_cosine, 3)], [`of a word's ${q.neighbors} nearest`, fmt(q.neighbor_cosine, 3)],
    ["contrast", fmt(q.neighbor_contrast, 3)], ["cosine to the start", fmt(q.cosine_to_start, 3)]] : []);
  const p = run.probes;
  const score = (value, right, of) => (of ? `${fmt(value, 3)} (${right} of ${of})` : "no probe");
  $("scores-explain").textContent = p ? `This run's probes (Analogies and Similarity tabs): similarity hit@${p.neighbors} `
    + `is the share of pairs whose b is among a's ${p.neighbors} nearest words; analogy accuracy the share whose `
    + "3CosAdd answer over the whole vocabulary is right. Chance is about 10 in the vocabulary size." : "";
  statItems($("probe-scores"), p ? [
    [`similarity hit@${p.neighbors}`, score(p.scores.similarity_hit10, p.similarity.filter((r) => r.hit).length, p.scores.similarity_pairs)],
    ["analogy accuracy", score(p.scores.analogy_accuracy, p.analogies.filter((r) => r.correct).length, p.scores.analogies)]] : []);
}

async function renderSweep() {
  const box = $("sweep-box");
  const others = sweepCandidates(run.manifest, listed).filter((r) => r.name !== run.name);
  const found = await Promise.all(others.map((r) => manifests(r.name).catch(() => null)));
  const members = sweepMembers(run.manifest, found.filter(Boolean));
  const probes = Object.fromEntries(await Promise.all(members.map(async (m) => [m.name, m.name === run.name ? run.probes
    : await getRunFile(m.name, m, "explorer/probes.json").catch(() => null)])));
  const rows = run.probes ? sweepCurve(members, probes, run.probes.probe_set) : [];
  box.dataset.runs = JSON.stringify(rows.map((r) => r.run));
  if (rows.length < 2) {
    $("sweep-explain").textContent = "No dimension sweep of this run: make dims CORPUS=… NAME=… trains the same corpus "
      + "at several d, and their scores show here as one curve.";
    $("sweep-chart").hidden = true;
    return;
  }
  $("sweep-chart").hidden = false;
  $("sweep-explain").textContent = `The same corpus and settings at ${rows.length} dimensions (${rows.map((r) => r.run).join(", ")}), `
    + "scored on the same probes: more dimensions hold more distinctions, until the corpus runs out of evidence for them.";
  sweepChart.setData(rows, "dim");
}

function renderCorpus() {
  const s = run.stats;
  if (!s) return;
  statItems($("corpus-stats"), [["sentences", s.sentences], ["words", s.words], ["distinct words", s.distinct_words],
    ["vocabulary", s.vocab_size], ["kept words", s.kept_words], ["dropped stopwords", s.dropped_stopwords],
    ["dropped rare", s.dropped_rare], ["training pairs", s.pairs], ["steps", run.manifest.sizes.steps]]
    .map(([label, v]) => [label, formatCount(v)]));
  fillTable($("frequent"), [], s.frequencies.slice(0, 15).map(([w, c]) => [tokenLabel(w), c]));
  fillTable($("dropped"), [], (s.top_dropped ?? []).slice(0, 15).map(([w, c, why]) =>
    [tokenLabel(w), c, droppedReason(c, why, run.manifest.config)]));
}

// ---- export for projector.tensorflow.org (the figures' PNG and SVG: figureexport.js) ----

async function exportTsv() {
  const vectors = await getInputVectors(run.name, run.manifest);
  const lines = [];
  for (let r = 0; r < vectors.rows; r++) lines.push(Array.from(vectors.data.subarray(r * vectors.dim, (r + 1) * vectors.dim), (v) => v.toFixed(5)).join("\t"));
  download(`${run.name}-vectors.tsv`, new Blob([lines.join("\n") + "\n"], { type: "text/tab-separated-values" }));
  download(`${run.name}-metadata.tsv`, new Blob([run.vocab.words.join("\n") + "\n"], { type: "text/tab-separated-values" }));
}

// ---- the question a class can be asked ----

/** "Which word is nearest to X?" for the first query word on screen (questions.js). */
async function nearestWordQuestions() {
  if (!run) return [];
  const word = effective(state.get()).queries[0];
  if (!word) return [];
  const answer = await neighborsFor(run.name, [word]);
  const near = answer.columns[0].neighbors.map((n) => n.word);
  const pool = run.probes?.content_words ?? run.vocab.words.slice(0, 300);
  const others = distractors(word, near, pool);
  if (!near.length || !others.length) return [];
  const matrix = await similarityMatrix(run.name, [word, near[0], ...others], "input");
  const cosines = Object.fromEntries(matrix.words.map((w, i) => [w, matrix.matrix[0][i]]));
  return [nearestQuestion({ run: run.name, word, nearest: near[0], others, cosines, label: tokenLabel })];
}

// ---- the state's subscriber: every change redraws what it touches ----

/** Runs a renderer; an API error (an unknown word) becomes the notice, the rest of the page stays. */
async function guarded(render, s) {
  try {
    await render(s);
  } catch (err) {
    showNotice(err.message);
  }
}

async function showRun(s) {
  const ticket = ++runTicket;
  const loaded = await loadRun(s.run);
  if (ticket !== runTicket) return;
  run = loaded;
  $("content").hidden = false;
  $("vocab-list").replaceChildren(...run.vocab.words.slice(0, 5000).map((w) => new Option(tokenLabel(w))));
  if (run.map) {
    map.setData(run.map.words.map(tokenLabel), run.map.counts, mapPositions(s));
    if (s.x !== null && s.y !== null && s.z !== null) applyView(s); else map.fit();
    renderMap(s);
  } else showNotice(`run ${run.name} was written before the explorer's map existed: retrain it to see the map`);
  renderQuality(); renderHistogram(); renderEvolution(s); renderAnalogyEvolution(); renderConvergence(); renderInputOutput();
  renderPolysemy(s); renderCorpus();
  await Promise.all([renderNeighbors, renderAnalogy, renderProbes, renderPair, renderHeatmap, renderSweep].map((r) => guarded(r, s)));
  if (ticket !== runTicket) return;
  const main = document.querySelector("main");
  main.dataset.run = run.name;
  main.dataset.ready = "1";
  performance.mark("explorer ready", { detail: run.name });
}

const touches = (changed, ...names) => names.some((n) => changed.has(n));

async function update(s, changed) {
  if (touches(changed, "tab")) tabs.show(s.tab);
  if (touches(changed, "run") || run?.name !== s.run) { await showRun(s); finish(); return; }
  const work = [];
  if (run.map && touches(changed, "layout", "ck")) renderMap(s);
  if (run.map && touches(changed, "x", "y", "z")) applyView(s);
  if (touches(changed, "q", "compare")) work.push(renderNeighbors);
  if (touches(changed, "a", "b", "c", "compare")) work.push(renderAnalogy);
  if (touches(changed, "compare")) work.push(renderProbes);
  if (touches(changed, "s1", "s2")) work.push(renderPair);
  if (touches(changed, "set", "order")) work.push(renderHeatmap);
  if (touches(changed, "evo")) renderEvolution(s);
  if (touches(changed, "poly")) renderPolysemy(s);
  await Promise.all(work.map((render) => guarded(render, s)));
  finish();
}

let renders = 0;
/** Counts the changes drawn, on <main> (tests wait for it; nothing else reads it). */
function finish() {
  document.querySelector("main").dataset.renders = String(++renders);
}

// ---- controls: each one only sets the state ----

/** Checks typed words against the server before the state takes them, so a link never holds a failing query. */
async function checked(ask, patch) {
  try {
    await ask();
    showNotice("");
    state.set(patch);
  } catch (err) {
    showNotice(err.message);
  }
}

function bindControls() {
  const submit = (id, handler) => $(id).addEventListener("submit", (event) => { event.preventDefault(); handler(); });
  $("run").addEventListener("change", () => state.set({ run: $("run").value, ...RESET_ON_RUN }));
  $("compare").addEventListener("change", () => state.set({ compare: $("compare").value }));
  submit("query-form", () => {
    const words = wordsOf(run, $("query").value);
    if (words.length) checked(() => neighborsFor(run.name, words), { q: labels(words) });
  });
  submit("analogy-form", () => {
    const abc = ["a", "b", "c"].map((id) => $(id).value.trim());
    if (abc.every(Boolean)) checked(() => analogy(run.name, ...abc.map(run.fromLabel), 1), { a: abc[0], b: abc[1], c: abc[2] });
  });
  submit("pair-form", () => {
    const [s1, s2] = [$("s1").value.trim(), $("s2").value.trim()];
    if (s1 && s2) checked(() => similarity(run.name, run.fromLabel(s1), run.fromLabel(s2)), { s1, s2 });
  });
  submit("set-form", () => {
    const words = wordsOf(run, $("set").value);
    const typed = labels(words) === labels(run.heatWords?.words ?? []) ? "" : labels(words);
    checked(() => similarityMatrix(run.name, words, $("order").value), { set: typed, order: $("order").value });
  });
  submit("search-form", () => findWord($("search").value));
  for (const radio of document.querySelectorAll("input[name=layout]")) {
    radio.addEventListener("change", () => { state.set({ layout: radio.value }); map.fit(); });
  }
  $("checkpoint").addEventListener("input", () => {
    const ck = Number($("checkpoint").value);
    state.set({ ck: ck === run.map.steps.length ? null : ck });
  });
  $("fit").addEventListener("click", () => map.fit(0));
  $("evolution-word").addEventListener("change", () => state.set({ evo: $("evolution-word").value }));
  $("poly-word").addEventListener("change", () => state.set({ poly: $("poly-word").value }));
  $("export-tsv").addEventListener("click", () => exportTsv().catch((err) => showNotice(err.message)));
  bindCopyLink($("copy-link"), $("link-field"), $("link-state"), () => `${location.origin}${state.url()}`);
}

function bindMap() {
  map = new WordMap($("map"), {
    onPick: (i) => queryFirst(run.map.words[i]),
    onHover: (i) => { $("map-hover").textContent = i >= 0 ? `${tokenLabel(run.map.words[i])} (${formatCount(run.map.counts[i])} occurrences)` : ""; },
    onView: (v) => state.set({ x: Number(v.x.toPrecision(5)), y: Number(v.y.toPrecision(5)), z: Number(v.scale.toPrecision(5)) }),
  });
  bindScatterKeys($("map"), map, {
    current: () => Math.max(0, run?.map?.words.indexOf(effective(state.get()).queries[0]) ?? 0),
    onPick: (i) => { queryFirst(run.map.words[i]); if (!visible(i)) map.flyTo(i); },
    onClear: () => map.fit(0),
    help: "Arrow keys pick the nearest word in that direction and show its neighbours; + and − zoom; Escape shows all words.",
  });
  $("map").addEventListener("keydown", (event) => {
    const factor = { "+": 1.25, "=": 1.25, "-": 0.8 }[event.key];
    if (factor) { event.preventDefault(); map.zoom(factor); }
  });
  window.addEventListener("themechange", () => { map.setData(map.words, run?.map?.counts ?? [], map.xy); if (run) guarded(renderHeatmap, state.get()); });
}

const visible = (i) => { const [x, y] = map.toScreen(i); return x >= 0 && y >= 0 && x <= map.width && y <= map.height; };

async function main() {
  bindMap();
  heat = new HeatmapView($("heatmap"), { rowName: "word", square: true });
  tabs = new Tabs(document.querySelector("[role=tablist]"), { onSelect: (tab) => state.set({ tab }) });
  announcer = new Announcer();
  sweepChart = new XYChart($("sweep"), {
    series: [{ key: "similarity_hit10", label: "similarity hit@10", colour: "--accent" },
             { key: "analogy_accuracy", label: "analogy accuracy", colour: "--center", dash: "6 4" }],
    xLabel: "dimension d", yLabel: "score", description: "probe scores against the dimension d",
  });
  bindControls();
  offerQuestions(nearestWordQuestions);
  if (state.refused.length) showNotice(state.refused.join("; "));
  listed = (await listRuns()).runs.filter((r) => r.status === "ok");
  if (!listed.length) { showError("No recorded runs yet. Train one with: wordlab train"); return; }
  const own = await ownRuns(myTrainingJobs);
  const label = (r) => `${r.name} (${r.kind}, ${formatCount(r.vocab_size)} words, d=${r.dim})${runTags(r, own)}`;
  $("run").replaceChildren(...listed.map((r) => new Option(label(r), r.name)));
  $("compare").append(...listed.map((r) => new Option(label(r), r.name)));
  const s = state.get();
  const name = listed.some((r) => r.name === s.run) ? s.run : (listed.find((r) => r.name === "default") ?? listed[0]).name;
  if (s.compare && !listed.some((r) => r.name === s.compare)) state.set({ compare: "" }, "url");
  $("run").value = name;
  $("compare").value = state.get().compare;
  state.subscribe((values, changed) => {
    if (changed.has("run")) $("run").value = values.run;
    if (changed.has("compare")) $("compare").value = values.compare;
    update(values, changed);
  });
  tabs.show(s.tab);
  if (name !== s.run) state.set({ run: name }, "url"); else await update(state.get(), new Set(["run"]));
}

startPage(main, { state });
