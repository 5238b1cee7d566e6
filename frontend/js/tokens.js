// The token boundary visualizer: live BPE tokenization, merge by merge, side by side.
import { decode, getTokenizer, getTokenizerAnalysis, listTokenizers, tokenize, tokenRows } from "./api.js";
import { renderBars } from "./components/hbars.js";
import { renderTokens, visible } from "./components/tokenview.js";
import { $, promiseCache, showError, startPage } from "./page.js";
import { color } from "./theme.js";
import { readState, writeState } from "./urlstate.js";

const DEBOUNCE_MS = 120;
const URL_TEXT_LIMIT = 2000;   // longer texts are not put in the URL

export const PRESETS = {
  "Seed sentence": "The monster approached with terrifying deliberation.",
  "Gothic": "Beneath the pale moon, the laboratory hummed with forbidden electricity.",
  "Creature": "The creature's eyes glimmered with an unnatural, sorrowful intelligence.",
  "Python": "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
  "Numbers": "In 1818, 3,000 copies sold for £1.50 each; 0.000314% of 95,651,223 is about 300.",
  "URL": "https://www.gutenberg.org/ebooks/84.txt.utf-8?download=1#chapter-5",
  "CJK": "東京は日本の首都です。北京是中国的首都。",
  "Emoji": "Great job! 🎉👍 Family: 👩‍👩‍👧‍👦 Flags: 🇯🇵🇫🇷",
  "Long rare word": "pneumonoultramicroscopicsilicovolcanoconiosis",
};

const metrics = window.wordlab = { roundTrips: [], updates: 0 };
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
    this.q(".stats").innerHTML = "";
    for (const [label, value] of [["tokens", s.tokens], ["characters", s.characters], ["chars per token", s.chars_per_token],
                                  ["average token length (bytes)", s.avg_token_bytes], ["tokens per word", s.tokens_per_word]]) {
      const item = document.createElement("span");
      item.innerHTML = `${label} <b></b>`;
      item.lastChild.textContent = value;
      this.q(".stats").appendChild(item);
    }
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

let sides, timer = null;

function syncUrl() {
  const text = $("text").value;
  const compare = $("compare").checked;
  writeState({
    text: text.length <= URL_TEXT_LIMIT ? text : null, tokenizer: sides[0].name, k: sides[0].merges,
    compare: compare ? 1 : null, tokenizer2: compare ? sides[1].name : null, k2: compare ? sides[1].merges : null,
  });
}

async function updateAll() {
  const text = $("text").value;
  const active = $("compare").checked ? sides : [sides[0]];
  try {
    const times = await Promise.all(active.map((side) => side.update(text)));
    showError("");
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

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(updateAll, DEBOUNCE_MS);
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
  renderBars($("efficiency"), analysis.vocab_efficiency.map((r) => ({ label: `${r.merges.toLocaleString()} merges (vocabulary ${r.vocab_size.toLocaleString()})`, value: r.tokens_per_sentence })),
             { color: color("--attract") });
  if (!analysis.vocab_efficiency.length) $("efficiency").textContent = "This tokenizer was trained without held-out lines.";
  $("pathological").tBodies[0].replaceChildren(...analysis.pathological.map((row) => {
    const tr = document.createElement("tr");
    for (const value of [row.name, row.text, row.tokens.map(visible).join(" | "), row.count]) tr.insertCell().textContent = value;
    tr.lastChild.className = "n";
    return tr;
  }));
}

async function main() {
  sides = [new Side($("side-a"), schedule), new Side($("side-b"), schedule)];
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
  $("ids").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(decodeIds, DEBOUNCE_MS); });
  sides[0].q(".tokenizer").addEventListener("change", () => renderAnalysis(sides[0].name).catch((err) => showError(err.message)));
  await Promise.all([updateAll(), renderAnalysis(first).catch((err) => showError(err.message))]);
}

startPage(main);
