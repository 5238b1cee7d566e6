// The walkthrough's panels at a step, drawn from the run, the step's record and the page state: the
// network, scores and probabilities, the backward pass, the matrices, the neighbours, the sliding window
// and the side-by-side comparison. Each function draws one panel and changes nothing but its DOM; recorded
// values (even words) go in as text, never as markup.
import { chanceNearest, meanAbsCosine } from "./chance.js";
import { renderSigmaBars } from "./components/sigmabars.js";
import { droppedWord, renderSlidingWindow } from "./components/slidingwindow.js";
import { renderVector } from "./components/vector.js";
import { $ } from "./page.js";
import { contextStanding, cosine, dot, forces, networkNumbers, norm, softmaxPush, uniformLoss } from "./stepmath.js";
import { tokenLabel } from "./tokenlabel.js";

const TOP_WORDS = 8;
const NEIGHBOURS = 8;
export const fmt = (v, digits = 4) => Number(v).toFixed(digits);

/** A table row of cells built as DOM; cells: [text, numeric?]. */
export function tableRow(cells, isContext = false) {
  const tr = document.createElement("tr");
  if (isContext) tr.style.color = "var(--context)";
  for (const [text, numeric] of cells) {
    const td = tr.insertCell();
    td.textContent = text;
    if (numeric) td.className = "n";
  }
  return tr;
}

/** The uniform guess of a run, as a sentence-sized formula with its value. */
export function baselineText(run) {
  const { method, negative } = run.manifest.config, value = uniformLoss({ method, vocab: run.words.length, negative });
  return method === "sgns" ? `(k + 1)·ln 2 = ${negative + 1}·ln 2 = ${fmt(value)}` : `ln V = ln ${run.words.length} = ${fmt(value)}`;
}

const SVG = "http://www.w3.org/2000/svg";

/** A matrix's outline (rows × columns, drawn in a viewBox of that shape, at most 60 units a side) with some rows
 *  or columns lit: where the step's words sit in W and W′, so "row c" and "column o" are seen, not only read. */
function drawMatrixShape(svg, rows, columns, lit) {
  const scale = 60 / Math.max(rows, columns), w = columns * scale, h = rows * scale;
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const shape = (x, y, width, height, attrs) => {
    const rect = document.createElementNS(SVG, "rect");
    for (const [k, v] of Object.entries({ x, y, width, height, ...attrs })) rect.setAttribute(k, v);
    return rect;
  };
  svg.replaceChildren(shape(0, 0, w, h, { class: "matrix", "vector-effect": "non-scaling-stroke" }),
    ...lit.map(({ axis, index, fill }) => (axis === "row"
      ? shape(0, index * scale, w, Math.max(scale, 1.5), { fill })
      : shape(index * scale, 0, Math.max(scale, 1.5), h, { fill }))));
}

export function renderNetwork(run, record) {
  const numbers = networkNumbers(record, run.words.length), words = run.words;
  const V = numbers.vocab, d = numbers.dim;
  drawMatrixShape($("net-W-shape"), V, d, [{ axis: "row", index: record.center_id, fill: "var(--center)" }]);
  drawMatrixShape($("net-Wp-shape"), d, V, [...(numbers.sgns ? record.negative_ids : []).map((index) => ({ axis: "column", index, fill: "var(--repel)" })),
    { axis: "column", index: record.context_id, fill: "var(--context)" }]);
  $("net-x").textContent = `1 at c = ${tokenLabel(record.center_word)} (word ${record.center_id + 1} of ${numbers.vocab}), `
    + `0 for the other ${numbers.vocab - 1}`;
  const scale = Math.max(...numbers.row.map(Math.abs), ...numbers.column.map(Math.abs));
  renderVector($("net-row"), numbers.row, "var(--center)", scale);
  renderVector($("net-col"), numbers.column, "var(--context)", scale);
  if (numbers.sgns) {
    $("net-scores").replaceChildren(...numbers.scored.map((s, i) => {
      const span = document.createElement("span");
      span.className = s.positive ? "net-score context" : "net-score";
      span.textContent = `${i ? ", " : ""}z(${tokenLabel(s.word)}) = ${fmt(s.score)}`;
      return span;
    }));
    $("net-sigma").textContent = fmt(numbers.contextProb);
  } else {
    $("net-scores").textContent = `z_o = ${fmt(numbers.contextScore)} for ${tokenLabel(words[numbers.context])}; the highest, `
      + `${fmt(numbers.topScore)}, for ${tokenLabel(words[numbers.top])}`;
    $("context-prob").textContent = fmt(numbers.contextProb, 6);
    $("context-rank").textContent = numbers.rank;
  }
  $("loss").textContent = fmt(numbers.loss);
  $("net-lr").textContent = String(Number(record.lr.toPrecision(4)));
}

export function renderForward(run, record, values, probChart) {
  $("cosine").textContent = fmt(record.cosine_center_context ?? cosine(record.hidden, record.u_pos));
  if (run.isSgns) {
    const rows = [{ word: record.context_word, score: record.score_pos, sigma: record.sigma_pos, loss: record.loss_pos, positive: true },
      ...record.negative_words.map((word, n) => ({ word, score: record.scores_neg[n], sigma: record.sigmas_neg[n], loss: record.loss_neg[n], positive: false }))];
    renderSigmaBars($("sigma-bars"), rows);
    $("loss-terms").tBodies[0].replaceChildren(...rows.map((r) => tableRow(
      [[r.positive ? "context" : "negative"], [tokenLabel(r.word)], [fmt(r.score), true], [fmt(r.sigma), true],
       [r.positive ? "−log σ(u·v)" : "−log σ(−u·v)"], [fmt(r.loss), true]], r.positive)));
    $("loss-sum").textContent = `L = ${rows.map((r) => fmt(r.loss)).join(" + ")} = ${fmt(record.loss)}`;
    return;
  }
  const order = probChart.render(record.probabilities, record.context_id, run.words, record[values.bars]);
  const rows = order.slice(0, TOP_WORDS);
  if (!rows.includes(record.context_id)) rows.push(record.context_id);
  $("top-words").tBodies[0].replaceChildren(...rows.map((id) => tableRow(
    [[order.indexOf(id) + 1, true], [tokenLabel(run.words[id])], [fmt(record.logits[id]), true], [record.probabilities[id], true]],
    id === record.context_id)));
}

export function renderBackward(run, record) {
  const { attract: att, repel: rep, grad } = forces(record), hidden = record.hidden;
  const lr = record.lr;
  const scale = Math.max(...att.map(Math.abs), ...rep.map(Math.abs), ...grad.map(Math.abs));
  renderVector($("vec-attract"), att, "var(--attract)", scale);
  renderVector($("vec-repel"), rep, "var(--repel)", scale);
  renderVector($("vec-grad"), grad, "var(--update)", scale);
  const updated = hidden.map((v, i) => v - lr * grad[i]);
  renderVector($("vec-new"), updated, "var(--center)", Math.max(...updated.map(Math.abs)));
  const gap = Math.max(...grad.map((g, i) => Math.abs(g - (rep[i] - att[i]))));
  $("identity").textContent = run.isSgns ? `check: max |∇ − (push − pull)| = ${gap.toExponential(1)}`
    : `check: max |∇ − (repulsive − attractive)| = ${gap.toExponential(1)}`;
  const rate = Number(lr.toPrecision(4));
  $("update-line").textContent = `η = ${rate}:  v_c ← v_c − ${rate}·∂L/∂v_c  (|Δv_c| = ${fmt(lr * norm(grad))})`;
  if (run.isSgns && record.W_prime) {
    const full = softmaxPush(record.hidden, record.W_prime);
    renderVector($("vec-softmax-push"), full, "var(--repel)", scale);
    $("push-cosine").textContent = `cos(negatives' push, full softmax push) = ${fmt(cosine(full, record.push), 3)};  `
      + `|push| = ${fmt(norm(record.push), 3)}, |Σ P·u| = ${fmt(norm(full), 3)}`;
  }
}

/** Compares W′ with the next recorded step when that is the very next step: which columns really changed. */
function sparseCheck(run, record, next, touched) {
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

export function renderHeatmaps(run, record, next, heatW, heatWp, transpose) {
  const touched = run.isSgns ? [record.context_id, ...record.negative_ids] : [record.context_id];
  $("scale-W").textContent = `± ${fmt(heatW.draw(transpose(record.W), [record.center_id], run.words, `W transposed at step ${record.step}`), 3)}`;
  $("scale-Wp").textContent = `± ${fmt(heatWp.draw(record.W_prime, touched, run.words, `W′ at step ${record.step}`), 3)}`;
  if (run.isSgns) $("sparse-check").textContent = sparseCheck(run, record, next, new Set(touched));
}

const chanceCache = new Map();

/** The cosines random vectors have by chance in this run's d and V (simulated once per shape). */
function chanceFor(dim, vocab) {
  const key = `${dim}:${vocab}`;
  if (!chanceCache.has(key)) chanceCache.set(key, { mean: meanAbsCosine(dim), nearest: chanceNearest(dim, vocab - 1) });
  return chanceCache.get(key);
}

/** The selected word's (or the center's) nearest rows of W by cosine, and what chance alone would give. */
export function renderNeighbors(run, record, values) {
  const target = values.word !== null ? run.words.indexOf(values.word) : record.center_id;
  $("word").value = values.word ?? "";
  $("word").options[0].textContent = `center word (${tokenLabel(record.center_word)})`;
  const vector = record.W[target], length = norm(vector);
  const scored = record.W.map((row, i) => [i, dot(row, vector) / (norm(row) * length || 1)])
    .filter(([i]) => i !== target).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, NEIGHBOURS);
  $("neighbors").replaceChildren(...scored.map(([i, score]) => {
    const li = document.createElement("li");
    li.textContent = `${tokenLabel(run.words[i])}  ${fmt(score, 3)}`;
    return li;
  }));
  const dim = vector.length, chance = chanceFor(dim, run.words.length);
  $("chance-note").textContent = `Random vectors in few dimensions have large cosines by chance: in d = ${dim} dimensions two random `
    + `vectors have |cos| = ${fmt(chance.mean, 2)} on average, and a random word's nearest among ${run.words.length - 1} random words `
    + `has cos ≈ ${fmt(chance.nearest, 2)} (median of 101 simulated words). The weights start random, so early neighbors this close `
    + `mean nothing yet; here the nearest has ${fmt(scored[0]?.[1] ?? 0, 3)}.`;
}

/** The pair's sentence, with the window's kept words marked and the dropped ones struck out. */
export function renderSentence(run, record) {
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

/** The sliding-window panel: sentence `values.sentence`, the clicked center, window 1-5; onPick(position). */
export function renderWindowPanel(run, values, onPick) {
  const ids = Object.keys(run.sentences).map(Number);
  $("sw-sentence").max = Math.max(...ids);
  $("sw-sentence").value = values.sentence;
  $("sw-window").value = values.window;
  $("sw-window-size").textContent = `${values.window} kept word${values.window > 1 ? "s" : ""} each side`;
  const sentence = run.sentences[String(values.sentence)];
  const { pairs, kept } = renderSlidingWindow($("sw-words"), $("sw-pairs"), sentence, values.window, values.center, onPick);
  $("sw-summary").textContent = values.center >= 0
    ? `${kept} kept of ${sentence.words.length} words; this center makes ${pairs} pair${pairs === 1 ? "" : "s"}`
    : `${kept} kept of ${sentence.words.length} words; click a kept word`;
}

/** Side by side: the two runs at the same step, on what they share and each against its own baseline. */
export function renderComparison(runs, records) {
  const columns = runs.map((run, k) => [run, records[k]]);
  const magnitudes = (r) => { const f = forces(r); return [norm(f.attract), norm(f.repel), norm(f.grad)]; };
  const standing = columns.map(([, r]) => contextStanding(r));
  const rows = [
    ["method", ...columns.map(([run]) => (run.isSgns ? `negative sampling (k = ${run.manifest.config.negative})` : "full softmax"))],
    ["step", ...columns.map(([, r]) => r.step)],
    ["pair", ...columns.map(([, r]) => `${tokenLabel(r.center_word)} → ${tokenLabel(r.context_word)}`)],
    ["loss", ...columns.map(([, r]) => fmt(r.loss))],
    ["its uniform guess", ...columns.map(([run]) => baselineText(run))],
    ["full-softmax rank of the context", ...standing.map((s) => `${s.rank} of ${s.vocab}`)],
    ["full-softmax P(o|c)", ...standing.map((s) => s.prob.toPrecision(4))],
    ["|attract| / |pull|", ...columns.map(([, r]) => fmt(magnitudes(r)[0]))],
    ["|repel| / |push|", ...columns.map(([, r]) => fmt(magnitudes(r)[1]))],
    ["|∂L/∂v_c|", ...columns.map(([, r]) => fmt(magnitudes(r)[2]))],
    ["columns of W′ changed", ...columns.map(([run, r]) => (run.isSgns ? 1 + r.negative_ids.length : run.words.length))],
  ];
  $("side-table").tBodies[0].replaceChildren(...rows.map(([label, a, b]) => {
    const tr = tableRow([[label], [a, true], [b, true]]);
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = label;
    tr.cells[0].replaceWith(th);
    return tr;
  }));
}
