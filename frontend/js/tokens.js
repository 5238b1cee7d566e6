// The token boundary page: live BPE tokenization, merge by merge, side by side with the tokenizers of
// GPT-2, GPT-4 and GPT-4o, and a BPE trained on a student's own text. One PageState holds everything a
// link or a live class follows; controls only call state.set(), and the renderers below subscribe and
// draw from the state they are handed. The arithmetic is in tokenmaths.js and bpereplay.js.
import {
  decode, getMerges, getTokenizerAnalysis, getTokenizerLessons, listCorpora, listTokenizers, saveBpe, tokenize,
  tokenizeMerges, tokenizePipeline, tokenRows, trainBpe,
} from "./api.js";
import { BpeReplay } from "./bpereplay.js";
import { renderBars } from "./components/hbars.js";
import { drawLengthBars } from "./components/lengthbars.js";
import { renderMergeTable } from "./components/mergetable.js";
import { renderPipeline } from "./components/pipeline.js";
import { renderTokens, tokenBody } from "./components/tokenview.js";
import { XYChart } from "./components/xychart.js";
import { $, promiseCache, showError, showNotice, startPage } from "./page.js";
import { PageState, flagField, intField } from "./pagestate.js";
import { offerQuestions } from "./questions.js";
import { namedCharacters, tokenLabel } from "./tokenlabel.js";
import {
  diminishingReturns, domainSentence, fewerTokensQuestion, histogram, mergeSentence, statsItems, tokenCountQuestion,
  tokenLengths,
} from "./tokenmaths.js";
import { PRESETS } from "./tokenpresets.js";

const THROTTLE_MS = 120;       // while typing, the tokens are redrawn at most this often, and at least this often
const DEBOUNCE_MS = 120;       // the id box decodes once typing pauses
const SECOND_VIEWS_MS = 250;   // the pipeline and the merge list redraw once typing pauses: no extra requests per key
const URL_TEXT_LIMIT = 2000;   // longer texts are not put in the URL
const PLAY_MS = 150;           // the training replay's pace
const MAX_TRAIN_MERGES = 2000;
const LAST_MERGES_SHOWN = 12;

const state = new PageState({
  text: { default: PRESETS["Seed sentence"], format: (text) => (text.length <= URL_TEXT_LIMIT ? text : null) },
  tokenizer: { default: "default" },
  k: { default: null, parse: intField(0) },              // null: all the tokenizer's merges
  compare: { default: false, ...flagField },
  tokenizer2: { default: null },                          // null: GPT-4's when installed, else the first's
  k2: { default: null, parse: intField(0) },
  ids: { default: "" },
  trainCorpus: { default: "" },                           // "": the pasted training text
  trainText: { default: "", inUrl: false },
  trainMerges: { default: 200, parse: intField(1, MAX_TRAIN_MERGES) },
  trainStep: { default: 0, parse: intField(0), inUrl: false },
  playing: { default: false, inUrl: false },
});

/** What the tests and a reader can see of the page's progress: counters as data- attributes on <main>. */
function count(name) {
  const main = $("tokens-main");
  main.dataset[name] = String(Number(main.dataset[name] ?? 0) + 1);
}

let summaries = new Map();                      // tokenizer name → its summary from /api/tokenizers
const mergeRecord = promiseCache((key) => {     // "name\u0000rank" → the merge's record
  const [name, rank] = key.split("\u0000");
  return getMerges(name, Number(rank)).then((rows) => rows[0]);
});
const recordOf = (name, rank) => mergeRecord(`${name}\u0000${rank}`);
const labelOf = (name) => summaries.get(name)?.label ?? name;
const isReference = (name) => summaries.get(name)?.kind === "reference";

class Side {
  constructor(root, keys) {
    root.replaceChildren($("side-template").content.cloneNode(true));
    Object.assign(this, { root, keys, sequence: 0, answer: null, applied: new Map() });
    this.q = (selector) => root.querySelector(selector);
    this.q(".tokenizer").addEventListener("change", () => state.set({ [keys.tokenizer]: this.q(".tokenizer").value, [keys.k]: null }));
    this.q(".merges").addEventListener("input", () => state.set({ [keys.k]: this.sliderValue() }));
    this.q(".merge-prev").addEventListener("click", () => state.set({ [keys.k]: Math.max(0, this.merges() - 1) }));
    this.q(".merge-next").addEventListener("click", () => state.set({ [keys.k]: Math.min(this.total(), this.merges() + 1) }));
    this.q(".token-view").addEventListener("mousemove", (event) => this.hover(event));
    this.q(".token-view").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  }

  name() { return state.get()[this.keys.tokenizer] ?? this.keys.fallback(); }
  total() { return summaries.get(this.name())?.merges ?? 0; }
  merges() { const k = state.get()[this.keys.k]; return k === null ? this.total() : Math.min(k, this.total()); }
  sliderValue() { const v = Number(this.q(".merges").value); return v === this.total() ? null : v; }

  setTokenizers(list) {
    const groups = [["learned here", list.filter((t) => t.kind !== "reference")],
                    ["tokenizers students meet", list.filter((t) => t.kind === "reference")]];
    this.q(".tokenizer").replaceChildren(...groups.filter(([, items]) => items.length).map(([label, items]) => {
      const group = document.createElement("optgroup");
      group.label = label;
      group.append(...items.map((t) => new Option(t.label ?? t.name, t.name)));
      return group;
    }));
  }

  /** The controls show the state (a link, a key or a live class may have changed it). */
  showState() {
    if (this.q(".tokenizer").value !== this.name()) this.q(".tokenizer").value = this.name();
    const slider = this.q(".merges");
    slider.max = this.total();
    if (Number(slider.value) !== this.merges()) slider.value = this.merges();
    this.q(".merge-label").textContent = `${this.merges().toLocaleString("en")} of ${this.total().toLocaleString("en")} merges`;
    this.describeMerge();
  }

  async describeMerge() {
    const name = this.name(), k = this.merges(), total = this.total();
    const info = this.q(".merge-info");
    if (k === 0) { info.textContent = mergeSentence(null, 0, total); return; }
    const record = await recordOf(name, k).catch(() => null);
    if (record && name === this.name() && k === this.merges()) {
      info.textContent = mergeSentence({ ...record, left: tokenLabel(record.left), right: tokenLabel(record.right),
        token: tokenLabel(record.token) }, k, total, this.applied.get(k) ?? (this.appliedKnown ? 0 : undefined), isReference(name));
    }
  }

  async update(text) {
    const sequence = ++this.sequence, started = performance.now();
    const result = await tokenize(text, this.name(), this.merges());
    if (sequence !== this.sequence) return null;  // a newer request has been sent
    this.answer = { tokenizer: this.name(), label: labelOf(this.name()), merges: this.merges(), total: this.total(),
                    stats: result.stats };
    this.tokens = tokenRows(result);
    renderTokens(this.q(".token-view"), this.tokens);
    this.q(".stats").replaceChildren(...statsItems(result.stats).map(([label, value]) => {
      const item = document.createElement("span"), number = document.createElement("b");
      number.textContent = value;
      item.append(`${label} `, number);
      return item;
    }));
    return performance.now() - started;
  }

  async hover(event) {
    const span = event.target.closest(".tok");
    const tip = $("tooltip");
    if (!span) { tip.hidden = true; return; }
    const token = this.tokens[Number(span.dataset.index)];
    const place = () => { tip.style.left = `${event.clientX + 12}px`; tip.style.top = `${event.clientY + 14}px`; tip.hidden = false; };
    const names = namedCharacters(token.text).join("\n");
    const first = `“${tokenLabel(token.text)}”  id ${token.id}  token ${tokenLabel(token.token)}${names ? `\n${names}` : ""}`;
    tip.style.whiteSpace = "pre-line";
    tip.textContent = `${first}\n${token.merge_rank ? `made by merge #${token.merge_rank}` : token.id < 256 && !isReference(this.name())
      ? "a raw UTF-8 byte (character not seen in training)" : token.id < 256 ? "a single byte (no merge)" : "a base character (no merge)"}`;
    place();
    if (!token.merge_rank) return;
    const record = await recordOf(this.name(), token.merge_rank).catch(() => null);
    if (record && !tip.hidden) {
      const counted = record.count === null ? "" : ` (${record.count.toLocaleString("en")} times in its training text)`;
      tip.textContent = `${first}\nmade by merge #${record.rank}: “${tokenLabel(record.left)}” + “${tokenLabel(record.right)}”${counted}`;
    }
  }
}

let sides, secondDefault = null;   // side B's tokenizer when the state names none: GPT-4's when installed
const charts = {};

// ---- the tokens of both sides, throttled while typing ----

/** A throttle, not a debounce: the first change is sent at once, later ones at most every THROTTLE_MS,
 *  so continuous typing keeps updating the tokens (a debounce would wait for a pause). */
let lastSent = -Infinity, pending = null;
function scheduleTokens() {
  const wait = lastSent + THROTTLE_MS - performance.now();
  if (wait <= 0) sendTokens();
  else pending ??= setTimeout(sendTokens, wait);
}

async function sendTokens() {
  clearTimeout(pending);
  pending = null;
  lastSent = performance.now();
  const { text, compare } = state.get();
  const active = compare ? sides : [sides[0]];
  const started = performance.now();
  try {
    const times = await Promise.all(active.map((side) => side.update(text)));
    showError("");
    if (times[0] !== null) drawTextLengths(sides[0].tokens);
    if (times.some((t) => t !== null)) {
      performance.measure("wordlab:tokenize", { start: started, end: performance.now() });
      $("roundtrip").textContent = `tokenized in ${(performance.now() - started).toFixed(1)} ms (request, answer and drawing)`;
      count("updates");
    }
  } catch (err) {
    showError(err.status === 413 ? `This text is too long to tokenize here: ${err.message}.` : err.message);
  }
}

// ---- the pipeline and the merges that changed the text: once typing pauses ----

let secondTimer = null, secondSequence = 0;
function scheduleSecondViews() {
  clearTimeout(secondTimer);
  secondTimer = setTimeout(showSecondViews, SECOND_VIEWS_MS);
}

async function showSecondViews() {
  const sequence = ++secondSequence, { text } = state.get(), side = sides[0];
  const name = side.name(), merges = side.merges();
  $("pattern-note").textContent = summaries.get(name)?.pattern_note ?? "";
  const [pipeline, applied] = await Promise.allSettled([tokenizePipeline(text, name, merges), tokenizeMerges(text, name, merges)]);
  if (sequence !== secondSequence) return;
  if (pipeline.status === "fulfilled") { renderPipeline($("pipeline"), pipeline.value); count("pipelines"); }
  else $("pipeline").textContent = pipeline.reason.message;
  if (applied.status === "fulfilled") renderApplied(applied.value, side);
  else $("merges-applied").textContent = applied.reason.message;
}

function renderApplied(answer, side) {
  side.applied = new Map(answer.applied.map((row) => [row.rank, row.times]));
  side.appliedKnown = true;
  side.describeMerge();
  const total = answer.merges_used;
  $("merges-summary").textContent = answer.applied_total
    ? `${answer.applied_total.toLocaleString("en")} of the ${total.toLocaleString("en")} merges in use changed this text: `
      + `${answer.base_tokens.toLocaleString("en")} base symbols became ${answer.tokens.toLocaleString("en")} tokens.`
      + (answer.applied_total > answer.applied.length ? ` The first ${answer.applied.length} are listed.` : "")
    : `None of the ${total.toLocaleString("en")} merges in use changed this text: it stays ${answer.base_tokens.toLocaleString("en")} base symbols.`;
  const table = document.createElement("table");
  table.className = "data merges applied";
  const head = table.createTHead().insertRow();
  for (const label of ["merge", "pair", "token", "times here", "tokens before → after"]) head.appendChild(Object.assign(document.createElement("th"), { textContent: label }));
  const body = table.createTBody();
  for (const row of answer.applied) {
    const tr = body.insertRow();
    tr.dataset.rank = row.rank;
    if (row.rank === side.merges()) tr.className = "current";
    const cells = [`#${row.rank.toLocaleString("en")}`, `${tokenLabel(row.left)} + ${tokenLabel(row.right)}`, tokenLabel(row.token),
                   row.times.toLocaleString("en"), `${row.tokens_before.toLocaleString("en")} → ${row.tokens_after.toLocaleString("en")}`];
    cells.forEach((text, i) => { const cell = tr.insertCell(); cell.textContent = text; if (i !== 1 && i !== 2) cell.className = "n"; });
  }
  $("merges-applied").replaceChildren(table);
  count("mergesLists");
}

// ---- the lessons of the first tokenizer ----

function drawTextLengths(tokens) {
  const lengths = tokens.map(tokenLengths);
  drawLengthBars($("lengths-text"), [
    { key: "characters", label: "in characters", colour: "--accent", counts: histogram(lengths.map((l) => l.characters).filter((n) => n !== null)) },
    { key: "bytes", label: "in bytes", colour: "--center", counts: histogram(lengths.map((l) => l.bytes)) },
  ], { description: `lengths of the ${tokens.length} tokens of the text in the box` });
}

let lessons = null;
function markSlider() {
  if (!lessons?.merge_progression.length) return;
  const k = sides[0].merges();
  charts.progression.setMarker(k, `slider: ${k.toLocaleString("en")} merges`);
  charts.efficiency.setMarker(lessons.base_size + k, `slider: vocabulary ${(lessons.base_size + k).toLocaleString("en")}`);
}

async function renderAnalysis(name) {
  const analysis = await getTokenizerAnalysis(name);
  renderBars($("domains"), analysis.cross_domain.map((r) => ({ label: r.domain, value: r.tokens_per_100_chars })));
  $("domains-note").textContent = domainSentence(analysis.cross_domain);
  $("pathological").tBodies[0].replaceChildren(...analysis.pathological.map((row) => {
    const tr = document.createElement("tr");
    for (const value of [row.name, row.text, row.tokens.map(tokenLabel).join(" | "), row.count]) tr.insertCell().textContent = value;
    tr.lastChild.className = "n";
    return tr;
  }));
}

async function renderLessons(name) {
  lessons = await getTokenizerLessons(name);
  const rows = lessons.merge_progression;
  charts.progression.setData(rows, "merges");
  charts.efficiency.setData(rows, "vocab_size");
  if (rows.length) {
    const last = rows[rows.length - 1];
    $("progression-note").textContent = `Measured on ${lessons.held_out_lines.toLocaleString("en")} held-out lines: `
      + `${rows[0].tokens_per_word} tokens per word with no merges, ${last.tokens_per_word} with all ${last.merges.toLocaleString("en")}.`;
    $("efficiency-note").textContent = diminishingReturns(rows);
  } else {
    const why = isReference(name)
      ? `${labelOf(name)}'s training text was never published, so no lines of it could be held out: no curve to draw.`
      : "This tokenizer has no held-out figures (built without held-out lines, or by an older wordlab): retrain it with wordlab tokenizer train.";
    $("progression-note").textContent = why;
    $("efficiency-note").textContent = why;
  }
  markSlider();
  drawLengthBars($("lengths-vocab"), [
    { key: "characters", label: "in characters", colour: "--accent", counts: lessons.token_lengths.characters },
    { key: "bytes", label: "in bytes", colour: "--center", counts: lessons.token_lengths.bytes },
  ], { description: `lengths of the tokens in the vocabulary of ${name}` });
  renderMergeTable($("first-merges"), lessons.first_merges);
  renderMergeTable($("frequent-subwords"), lessons.frequent_subwords, { barKey: "uses", barLabel: "uses", colour: "--attract" });
  if (!lessons.frequent_subwords.length) $("frequent-subwords").textContent = "This tokenizer has no held-out figures.";
  count("lessons");
}

function renderTokenizerPanels(name) {
  return Promise.all([renderAnalysis(name), renderLessons(name)]).catch((err) => showError(err.message));
}

// ---- the id box ----

let decodeTimer = null;
async function decodeIds() {
  const raw = state.get().ids.trim();
  if (!raw) { $("decoded").textContent = ""; return; }
  const ids = raw.split(/[\s,]+/).filter(Boolean).map(Number);
  if (ids.some((id) => !Number.isInteger(id))) { $("decoded").textContent = "Ids must be whole numbers."; return; }
  try {
    $("decoded").textContent = (await decode(ids, sides[0].name())).text;
  } catch (err) {
    $("decoded").textContent = err.message;
  }
}

// ---- training a BPE on the page ----

let replay = null, trainedWith = null, playTimer = null;

function trainSource() {
  const { trainCorpus, trainText } = state.get();
  return trainCorpus ? { corpus: trainCorpus } : { text: trainText };
}

async function train() {
  const source = trainSource(), merges = state.get().trainMerges;
  $("train-status").textContent = "training…";
  $("train-run").disabled = true;
  try {
    const answer = await trainBpe(source, merges);
    replay = new BpeReplay(answer);
    trainedWith = { source, merges };
    $("train-status").textContent = `${replay.total.toLocaleString("en")} merges learned from ${answer.training_characters.toLocaleString("en")} `
      + `characters (${answer.held_out_lines.toLocaleString("en")} lines held out) in ${answer.seconds.toFixed(2)} s on the server.`;
    $("train-result").hidden = false;
    $("train-step").max = replay.total;
    count("trainings");
    state.set({ trainStep: 0, playing: true });
    drawTraining(state.get());
  } catch (err) {
    $("train-status").textContent = err.message;
  } finally {
    $("train-run").disabled = false;
  }
}

function drawTraining(s) {
  if (!replay) return;
  const k = Math.min(s.trainStep, replay.total);
  $("train-step").value = k;
  $("train-step-label").textContent = `${k.toLocaleString("en")} of ${replay.total.toLocaleString("en")} merges`;
  $("train-play").textContent = s.playing ? "Pause" : "Play";
  $("train-play").setAttribute("aria-pressed", String(s.playing));
  const vocab = replay.vocab, text = (id) => tokenLabel(vocab[id].replace(/<\/w>$/, ""));
  const next = replay.merges[k];
  $("train-merge-info").textContent = next
    ? `Next, merge ${k + 1}: “${text(next.left)}” + “${text(next.right)}” → “${text(next.id)}”, the most frequent pair (${next.count.toLocaleString("en")} times).`
    : "Every merge asked for is learned.";
  const table = $("train-pairs");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const label of ["pair", "count"]) head.appendChild(Object.assign(document.createElement("th"), { textContent: label }));
  const body = table.createTBody();
  for (const [i, c] of (next?.candidates ?? []).entries()) {
    const row = body.insertRow();
    row.dataset.left = c.left;
    row.dataset.right = c.right;
    row.dataset.count = c.count;
    if (i === 0) row.className = "winner";
    row.insertCell().textContent = `${text(c.left)} + ${text(c.right)}`;
    Object.assign(row.insertCell(), { textContent: c.count.toLocaleString("en"), className: "n" });
  }
  const tokens = replay.cut(k).flat();
  const view = $("train-cut");
  view.replaceChildren(...tokens.map((id, i) => {
    const span = document.createElement("span");
    span.className = "tok";
    span.dataset.id = id;
    span.style.background = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff"][i % 4];
    span.append(tokenBody(vocab[id]));
    return span;
  }));
  view.dataset.tokens = tokens.length;
  const curve = replay.curve();   // drawn up to this merge, on axes fixed to the whole training: it grows
  charts.training.setData(curve.slice(0, k + 1).map((tokens, merges) => ({ merges, tokens })), "merges",
                          { xMin: 0, xMax: Math.max(1, replay.total), yMax: curve[0] });
  charts.training.setMarker(k, `${curve[k].toLocaleString("en")} tokens after ${k} merges`);
  const last = replay.merges.slice(Math.max(0, k - LAST_MERGES_SHOWN), k).reverse();
  renderMergeTable($("train-merge-list"), last.map((m) => ({ rank: m.rank, left: vocab[m.left], right: vocab[m.right], token: vocab[m.id], count: m.count })));
}

function play(s) {
  clearTimeout(playTimer);
  if (!s.playing || !replay) return;
  if (s.trainStep >= replay.total) { state.set({ playing: false }); return; }
  playTimer = setTimeout(() => state.set({ trainStep: Math.min(replay.total, state.get().trainStep + 1) }), PLAY_MS);
}

async function saveTrained() {
  const name = $("train-name").value.trim();
  if (!trainedWith) return;
  try {
    const saved = await saveBpe(trainedWith.source, trainedWith.merges, name);
    await loadTokenizers();
    $("train-saved").textContent = `Saved as ${saved.name} (${saved.merges.toLocaleString("en")} merges).`;
    $("train-compare").hidden = false;
    $("train-compare").dataset.name = saved.name;
  } catch (err) {
    $("train-saved").textContent = err.message;
  }
}

// ---- questions a live class can ask ----

offerQuestions(() => {
  const shown = (state.get().compare ? sides : [sides[0]]).map((side) => side.answer).filter(Boolean);
  const text = state.get().text;
  const questions = shown.map((answer) => tokenCountQuestion({ ...answer, text }));
  if (shown.length === 2 && shown[0].tokenizer !== shown[1].tokenizer) questions.push(fewerTokensQuestion(shown, text));
  return questions;
});

// ---- wiring: the controls set the state; the state draws the page ----

function showControls(s) {
  if ($("text").value !== s.text) $("text").value = s.text;
  $("compare").checked = s.compare;
  $("side-b").hidden = !s.compare;
  if ($("ids").value !== s.ids) $("ids").value = s.ids;
  if ($("train-text").value !== s.trainText) $("train-text").value = s.trainText;
  if ($("train-corpus").value !== s.trainCorpus) $("train-corpus").value = s.trainCorpus;
  if (Number($("train-merges").value) !== s.trainMerges) $("train-merges").value = s.trainMerges;
  $("train-text").hidden = Boolean(s.trainCorpus);
  sides.forEach((side) => side.showState());
}

function render(s, changed) {
  showControls(s);
  const has = (...names) => names.some((n) => changed.has(n));
  if (has("text", "tokenizer", "k", "compare", "tokenizer2", "k2")) {
    scheduleTokens();
    if (has("text", "tokenizer", "k")) { sides[0].appliedKnown = false; scheduleSecondViews(); }
  }
  if (has("tokenizer")) renderTokenizerPanels(s.tokenizer);
  if (has("k", "tokenizer")) markSlider();
  if (has("ids", "tokenizer")) { clearTimeout(decodeTimer); decodeTimer = setTimeout(decodeIds, DEBOUNCE_MS); }
  if (has("trainStep", "playing")) { drawTraining(s); play(s); }
}

async function loadTokenizers() {
  const listed = await listTokenizers();
  summaries = new Map(listed.tokenizers.map((t) => [t.name, t]));
  sides.forEach((side) => side.setTokenizers(listed.tokenizers));
  const missing = listed.not_installed ?? [];
  $("references-note").hidden = !missing.length;
  $("references-note").textContent = missing.length
    ? `Not installed here: ${missing.map((m) => m.name).join(", ")} (their rank files come with make references).` : "";
  return listed.tokenizers;
}

async function main() {
  sides = [new Side($("side-a"), { tokenizer: "tokenizer", k: "k", fallback: () => state.get().tokenizer }),
           new Side($("side-b"), { tokenizer: "tokenizer2", k: "k2", fallback: () => secondDefault })];
  charts.progression = new XYChart($("progression"), {
    series: [{ key: "tokens_per_word", label: "tokens per word", colour: "--accent" },
             { key: "chars_per_token", label: "characters per token", colour: "--attract", dash: "7 4" }],
    xLabel: "merges", yLabel: "held-out text", description: "tokens per word and characters per token over the number of merges",
  });
  charts.efficiency = new XYChart($("efficiency"), {
    series: [{ key: "tokens_per_sentence", label: "tokens per line", colour: "--accent" }],
    xLabel: "vocabulary size", yLabel: "tokens per held-out line", description: "tokens per held-out line over the vocabulary size",
  });
  charts.training = new XYChart($("train-curve"), {
    series: [{ key: "tokens", label: "tokens of the training text", colour: "--accent" }],
    xLabel: "merges", yLabel: "tokens", description: "tokens of the training text after each merge",
  });
  const listed = await loadTokenizers();
  if (!listed.length) { showError("No tokenizer found. Train one with: wordlab tokenizer train --corpus FILE --vocab-size 5000 --name NAME"); return; }
  const refused = [...state.refused];
  const wanted = state.get(), names = listed.map((t) => t.name);
  const first = names.includes(wanted.tokenizer) ? wanted.tokenizer : names[0];
  if (first !== wanted.tokenizer) refused.push(`There is no tokenizer named “${wanted.tokenizer}”; showing “${first}”.`);
  secondDefault = names.includes("cl100k_base") ? "cl100k_base" : first;
  const patch = { tokenizer: first };
  if (wanted.tokenizer2 !== null && !names.includes(wanted.tokenizer2)) {
    refused.push(`There is no tokenizer named “${wanted.tokenizer2}”; comparing with “${secondDefault}”.`);
    patch.tokenizer2 = null;
  }
  state.set(patch, "url");
  showNotice(refused.join(" "));
  $("presets").replaceChildren(...Object.entries(PRESETS).map(([label, text]) => {
    const button = document.createElement("button");
    button.textContent = label;
    button.dataset.preset = label;
    button.addEventListener("click", () => state.set({ text }));
    return button;
  }));
  $("text").addEventListener("input", () => state.set({ text: $("text").value }));
  $("compare").addEventListener("change", () => state.set({ compare: $("compare").checked }));
  $("ids").addEventListener("input", () => state.set({ ids: $("ids").value }));
  $("train-text").addEventListener("input", () => state.set({ trainText: $("train-text").value }));
  $("train-corpus").addEventListener("change", () => state.set({ trainCorpus: $("train-corpus").value }));
  $("train-merges").addEventListener("change", () => {
    const merges = Math.round(Number($("train-merges").value));
    state.set({ trainMerges: Number.isFinite(merges) ? Math.max(1, Math.min(MAX_TRAIN_MERGES, merges)) : 200 });
  });
  $("train-run").addEventListener("click", train);
  $("train-step").addEventListener("input", () => state.set({ trainStep: Number($("train-step").value), playing: false }));
  $("train-prev").addEventListener("click", () => state.set({ trainStep: Math.max(0, state.get().trainStep - 1), playing: false }));
  $("train-next").addEventListener("click", () => state.set({ trainStep: Math.min(replay?.total ?? 0, state.get().trainStep + 1), playing: false }));
  $("train-play").addEventListener("click", () => state.set({ playing: !state.get().playing,
    trainStep: state.get().trainStep >= (replay?.total ?? 0) ? 0 : state.get().trainStep }));
  $("train-save").addEventListener("click", saveTrained);
  $("train-compare").addEventListener("click", () => state.set({ compare: true, tokenizer2: $("train-compare").dataset.name, k2: null }));
  listCorpora().then((corpora) => {
    $("train-corpus").append(...corpora.map((c) => new Option(`${c.name} (${(c.bytes / 1024).toFixed(0)} KB; its first 100 KB)`, c.name)));
    $("train-corpus").value = state.get().trainCorpus;
  }).catch(() => {});
  state.subscribe(render);
  render(state.get(), new Set(Object.keys(state.get())));
}

startPage(main, { state });
