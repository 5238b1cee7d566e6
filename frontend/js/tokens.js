// The token boundary visualizer: live BPE tokenization, merge by merge, side by side.
import {
  decode, getTokenizer, getTokenizerAnalysis, getTokenizerLessons, listTokenizers, tokenize, tokenizePipeline, tokenRows,
} from "./api.js";
import { renderBars } from "./components/hbars.js";
import { drawLengthBars } from "./components/lengthbars.js";
import { renderMergeTable } from "./components/mergetable.js";
import { renderPipeline } from "./components/pipeline.js";
import { renderTokens, visible } from "./components/tokenview.js";
import { XYChart } from "./components/xychart.js";
import { $, promiseCache, showError, startPage } from "./page.js";
import { readState, writeState } from "./urlstate.js";

const THROTTLE_MS = 120;       // while typing, the tokens are redrawn at most this often, and at least this often
const DEBOUNCE_MS = 120;       // the id box decodes once typing pauses
const PIPELINE_DEBOUNCE_MS = 250;  // the pipeline view redraws once typing pauses: no second request per keystroke
const URL_TEXT_LIMIT = 2000;   // longer texts are not put in the URL
const END_OF_WORD = "</w>";

export const PRESETS = {
  "Seed sentence": "The monster approached with terrifying deliberation.",
  "Victor": "Victor felt overwhelming remorse for his creation.",
  "Landscape": "The desolate landscape stretched endlessly before them.",
  "Gothic": "Beneath the pale moon, the laboratory hummed with forbidden electricity.",
  "Creature": "The creature's eyes glimmered with an unnatural, sorrowful intelligence.",
  "Python": "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
  "Numbers": "In 1818, 3,000 copies sold for £1.50 each; 0.000314% of 95,651,223 is about 300.",
  "URL": "https://www.gutenberg.org/ebooks/84.txt.utf-8?download=1#chapter-5",
  "CJK": "東京は日本の首都です。北京是中国的首都。",
  "Emoji": "Great job! 🎉👍 Family: 👩‍👩‍👧‍👦 Flags: 🇯🇵🇫🇷",
  "Long rare word": "pneumonoultramicroscopicsilicovolcanoconiosis",
};

const metrics = window.wordlab = { roundTrips: [], updates: 0, pipelines: 0, lessons: 0 };
const tokenizerDetail = promiseCache(getTokenizer);   // tokenizer name → Promise of its detail (merge history)

class Side {
  constructor(root, onChange) {
    root.replaceChildren($("side-template").content.cloneNode(true));
    this.root = root;
    this.q = (selector) => root.querySelector(selector);
    this.sequence = 0;
    this.q(".tokenizer").addEventListener("change", async () => { await this.useTokenizer(this.q(".tokenizer").value, null); onChange(); });
    this.q(".merges").addEventListener("input", onChange);
    this.q(".merge-prev").addEventListener("click", () => { this.q(".merges").stepDown(); onChange(); });
    this.q(".merge-next").addEventListener("click", () => { this.q(".merges").stepUp(); onChange(); });
    this.q(".token-view").addEventListener("mousemove", (event) => this.hover(event));
    this.q(".token-view").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  }

  get name() { return this.q(".tokenizer").value; }
  get merges() { return Number(this.q(".merges").value); }

  setTokenizers(names) { this.q(".tokenizer").replaceChildren(...names.map((n) => new Option(n, n))); }

  async useTokenizer(name, merges) {
    this.q(".tokenizer").value = name;
    this.detail = await tokenizerDetail(name);
    const slider = this.q(".merges");
    slider.max = this.detail.merges;
    const k = merges === null || merges === undefined || merges === "" ? this.detail.merges : Number(merges);
    slider.value = Math.max(0, Math.min(this.detail.merges, Number.isFinite(k) ? k : this.detail.merges));
  }

  describeMerge() {
    const k = this.merges, total = this.detail.merges;
    this.q(".merge-label").textContent = `${k} of ${total} merges`;
    if (k === 0) {
      this.q(".merge-info").textContent = "No merges: single characters (and bytes for unseen characters).";
      return;
    }
    const m = this.detail.merge_history[k - 1];
    this.q(".merge-info").textContent =
      `merge #${k}: “${visible(m.left)}” + “${visible(m.right)}” → “${visible(m.token)}”: merge ${k} of the tokenizer's ${this.detail.merges}, `
      + `learned from a pair seen ${m.count.toLocaleString()} time${m.count === 1 ? "" : "s"} in its training text (not in this text)`;
  }

  async update(text) {
    const sequence = ++this.sequence, started = performance.now();
    const result = await tokenize(text, this.name, this.merges);
    if (sequence !== this.sequence) return null;  // a newer request has been sent
    this.tokens = tokenRows(result);
    renderTokens(this.q(".token-view"), this.tokens);
    const s = result.stats;
    this.q(".stats").replaceChildren(...[["tokens", s.tokens], ["characters", s.characters], ["chars per token", s.chars_per_token],
                                         ["average token length (bytes)", s.avg_token_bytes], ["tokens per word", s.tokens_per_word]]
      .map(([label, value]) => {
        const item = document.createElement("span"), number = document.createElement("b");
        number.textContent = value;
        item.append(`${label} `, number);
        return item;
      }));
    this.describeMerge();
    return performance.now() - started;
  }

  hover(event) {
    const span = event.target.closest(".tok");
    const tip = $("tooltip");
    if (!span) { tip.hidden = true; return; }
    const token = this.tokens[Number(span.dataset.index)];
    const merge = token.merge_rank ? this.detail.merge_history[token.merge_rank - 1] : null;
    tip.textContent = `“${visible(token.text)}”  id ${token.id}  token ${visible(token.token)}\n`
      + (merge ? `made by merge #${merge.rank}: “${visible(merge.left)}” + “${visible(merge.right)}” (${merge.count.toLocaleString()} time${merge.count === 1 ? "" : "s"})`
               : token.id < 256 ? "a raw UTF-8 byte (character not seen in training)" : "a base character (no merge)");
    tip.style.whiteSpace = "pre-line";
    tip.style.left = `${event.clientX + 12}px`;
    tip.style.top = `${event.clientY + 14}px`;
    tip.hidden = false;
  }
}

let sides, decodeTimer = null, pipelineTimer = null, lessons = null, pipelineSequence = 0;
const charts = {};

function syncUrl() {
  const text = $("text").value;
  const compare = $("compare").checked;
  writeState({
    text: text.length <= URL_TEXT_LIMIT ? text : null, tokenizer: sides[0].name, k: sides[0].merges,
    compare: compare ? 1 : null, tokenizer2: compare ? sides[1].name : null, k2: compare ? sides[1].merges : null,
  });
}

/** The pipeline view for the first tokenizer; an answer overtaken by a newer request is dropped, and an
 *  error is shown in the view (the banner already says what is wrong with the text). */
async function showPipeline(text, side) {
  const sequence = ++pipelineSequence;
  try {
    const answer = await tokenizePipeline(text, side.name, side.merges);
    if (sequence !== pipelineSequence) return;
    renderPipeline($("pipeline"), answer);
    metrics.pipelines += 1;
  } catch (err) {
    if (sequence === pipelineSequence) $("pipeline").textContent = err.message;
  }
}

function schedulePipeline(text) {
  clearTimeout(pipelineTimer);
  pipelineTimer = setTimeout(() => showPipeline(text, sides[0]), PIPELINE_DEBOUNCE_MS);
}

/** A token's length in characters (code points; none for a raw byte) and in UTF-8 bytes. */
function tokenLengths(token) {
  if (token.id < 256) return { characters: null, bytes: 1 };
  const text = token.token.endsWith(END_OF_WORD) ? token.token.slice(0, -END_OF_WORD.length) : token.token;
  return { characters: [...text].length, bytes: new TextEncoder().encode(text).length };
}

function histogram(lengths) {
  const counts = new Array(Math.max(0, ...lengths) + 1).fill(0);
  for (const n of lengths) counts[n] += 1;
  return counts;
}

function drawTextLengths(tokens) {
  const lengths = tokens.map(tokenLengths);
  drawLengthBars($("lengths-text"), [
    { key: "characters", label: "in characters", colour: "--accent", counts: histogram(lengths.map((l) => l.characters).filter((n) => n !== null)) },
    { key: "bytes", label: "in bytes", colour: "--center", counts: histogram(lengths.map((l) => l.bytes)) },
  ], { description: `lengths of the ${tokens.length} tokens of the text in the box` });
}

function markSlider() {
  if (!lessons?.merge_progression.length) return;
  const k = sides[0].merges;
  charts.progression.setMarker(k, `slider: ${k.toLocaleString("en")} merges`);
  charts.efficiency.setMarker(lessons.base_size + k, `slider: vocabulary ${(lessons.base_size + k).toLocaleString("en")}`);
}

async function updateAll() {
  const text = $("text").value;
  const active = $("compare").checked ? sides : [sides[0]];
  markSlider();
  schedulePipeline(text);
  try {
    const times = await Promise.all(active.map((side) => side.update(text)));
    showError("");
    if (times[0] !== null) drawTextLengths(sides[0].tokens);
    const measured = times.filter((t) => t !== null);
    if (measured.length) {
      metrics.roundTrips.push(Math.max(...measured));
      metrics.updates += 1;
      $("roundtrip").textContent = `tokenized in ${Math.max(...measured).toFixed(1)} ms (request, answer and drawing)`;
    }
  } catch (err) {
    showError(err.status === 413 ? `This text is too long to tokenize here: ${err.message}.` : err.message);
  }
  syncUrl();
}

/** A throttle, not a debounce: the first change is sent at once, later ones at most every THROTTLE_MS,
 *  so continuous typing keeps updating the tokens (a debounce would wait for a pause). */
let lastSent = -Infinity, pending = null;
function schedule() {
  const wait = lastSent + THROTTLE_MS - performance.now();
  if (wait <= 0) send();
  else pending ??= setTimeout(send, wait);
}

function send() {
  clearTimeout(pending);
  pending = null;
  lastSent = performance.now();
  updateAll();
}

async function decodeIds() {
  const raw = $("ids").value.trim();
  if (!raw) { $("decoded").textContent = ""; return; }
  const ids = raw.split(/[\s,]+/).filter(Boolean).map(Number);
  if (ids.some((id) => !Number.isInteger(id))) { $("decoded").textContent = "Ids must be whole numbers."; return; }
  try {
    $("decoded").textContent = (await decode(ids, sides[0].name)).text;
  } catch (err) {
    $("decoded").textContent = err.message;
  }
}

async function renderAnalysis(name) {
  const analysis = await getTokenizerAnalysis(name);
  renderBars($("domains"), analysis.cross_domain.map((r) => ({ label: r.domain, value: r.tokens_per_100_chars })));
  $("pathological").tBodies[0].replaceChildren(...analysis.pathological.map((row) => {
    const tr = document.createElement("tr");
    for (const value of [row.name, row.text, row.tokens.map(visible).join(" | "), row.count]) tr.insertCell().textContent = value;
    tr.lastChild.className = "n";
    return tr;
  }));
}

/** Tokens per held-out line saved by the first tenth of the merges and by the last tenth. */
function diminishingReturns(rows) {
  const at = (k) => rows.reduce((best, r) => (Math.abs(r.merges - k) < Math.abs(best.merges - k) ? r : best));
  const total = rows[rows.length - 1].merges, tenth = at(total / 10), last = at(total * 0.9);
  const first = rows[0].tokens_per_sentence - tenth.tokens_per_sentence;
  const final = last.tokens_per_sentence - rows[rows.length - 1].tokens_per_sentence;
  return `The first ${tenth.merges.toLocaleString("en")} merges save ${first.toFixed(1)} tokens per line; `
    + `the last ${(total - last.merges).toLocaleString("en")} save ${final.toFixed(1)}.`;
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
    const why = "This tokenizer has no held-out figures (built without held-out lines, or by an older wordlab): retrain it with wordlab tokenizer train.";
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
  metrics.lessons += 1;
}

function renderTokenizerPanels(name) {
  return Promise.all([renderAnalysis(name), renderLessons(name)]).catch((err) => showError(err.message));
}

async function main() {
  sides = [new Side($("side-a"), schedule), new Side($("side-b"), schedule)];
  charts.progression = new XYChart($("progression"), {
    series: [{ key: "tokens_per_word", label: "tokens per word", colour: "--accent" },
             { key: "chars_per_token", label: "characters per token", colour: "--attract", dash: "7 4" }],
    xLabel: "merges", yLabel: "held-out text", description: "tokens per word and characters per token over the number of merges",
  });
  charts.efficiency = new XYChart($("efficiency"), {
    series: [{ key: "tokens_per_sentence", label: "tokens per line", colour: "--accent" }],
    xLabel: "vocabulary size", yLabel: "tokens per held-out line", description: "tokens per held-out line over the vocabulary size",
  });
  const wanted = readState({ text: PRESETS["Seed sentence"], tokenizer: "default", k: null, compare: null, tokenizer2: null, k2: null });
  let names;
  try {
    names = (await listTokenizers()).tokenizers.map((t) => t.name);
  } catch (err) {
    showError(err.message);
    return;
  }
  if (!names.length) { showError("No tokenizer found. Train one with: wordlab tokenizer train --corpus FILE --vocab-size 5000 --name NAME"); return; }
  sides.forEach((side) => side.setTokenizers(names));
  const first = names.includes(wanted.tokenizer) ? wanted.tokenizer : names[0];
  if (first !== wanted.tokenizer) showError(`There is no tokenizer named “${wanted.tokenizer}”; showing “${first}”.`);
  await sides[0].useTokenizer(first, wanted.k);
  await sides[1].useTokenizer(names.includes(wanted.tokenizer2) ? wanted.tokenizer2 : first, wanted.k2 ?? (wanted.tokenizer2 ? null : Math.floor(sides[0].detail.merges / 4)));
  $("compare").checked = wanted.compare === "1";
  $("side-b").hidden = !$("compare").checked;
  $("text").value = wanted.text;
  $("presets").replaceChildren(...Object.entries(PRESETS).map(([label, text]) => {
    const button = document.createElement("button");
    button.textContent = label;
    button.dataset.preset = label;
    button.addEventListener("click", () => { $("text").value = text; updateAll(); });
    return button;
  }));
  $("text").addEventListener("input", schedule);
  $("compare").addEventListener("change", () => { $("side-b").hidden = !$("compare").checked; updateAll(); });
  $("ids").addEventListener("input", () => { clearTimeout(decodeTimer); decodeTimer = setTimeout(decodeIds, DEBOUNCE_MS); });
  sides[0].q(".tokenizer").addEventListener("change", () => renderTokenizerPanels(sides[0].name));
  await Promise.all([updateAll(), renderTokenizerPanels(first)]);
}

startPage(main);
