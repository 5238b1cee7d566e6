// Predict, then reveal: the questions a recorded step can ask before its outcome is shown, each with its
// answer computed from the step's numbers and a one-sentence reason. The walkthrough's own quiz shows one at
// a time; a live class (questions.js, offerQuestions) asks the same ones. No DOM (tests/js/stepquestions.test.mjs).
import { contextAfterUpdate, cosine, dot, isSgnsRecord, rankOf } from "./stepmath.js";

export const KINDS = ["top", "updown", "move", "nearer"];
export const KIND_NAMES = { top: "the most likely word", updown: "up or down after the update",
                            move: "where v_c moves", nearer: "which word ends up nearer" };

const f4 = (v) => Number(v).toFixed(4);
const signed = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(4)}`;
const byLabel = (a, b) => a.label.localeCompare(b.label);

/** The word the full softmax ranks first (logits order the words as the probabilities do, at more digits). */
const topWord = (record) => record.logits.reduce((best, z, w) => (z > record.logits[best] ? w : best), 0);

function topQuestion(record, words, id) {
  if (isSgnsRecord(record)) {
    const scored = [[record.context_id, record.sigma_pos], ...record.negative_ids.map((w, n) => [w, record.sigmas_neg[n]])];
    const best = scored.reduce((a, b) => (b[1] > a[1] ? b : a));
    const choices = [...new Map(scored.map(([w]) => [w, { value: String(w), label: words[w] }])).values()].sort(byLabel);
    return { id, kind: "choice", prompt: `Of the ${scored.length} words scored at this step (the context ${words[record.context_id]} `
      + `and ${scored.length - 1} negatives), which gets the highest σ(u·v_c)?`, choices, answer: String(best[0]),
             reason: `σ(u·v_c) of ${words[best[0]]} is ${f4(best[1])}, the highest of the ${scored.length}; `
               + `the context ${words[record.context_id]} has ${f4(record.sigma_pos)}.` };
  }
  const p = record.probabilities, top = topWord(record), o = record.context_id;
  const second = record.logits.reduce((best, z, w) => (w !== top && (best < 0 || z > record.logits[best]) ? w : best), -1);
  const lowest = record.logits.reduce((best, z, w) => (z < record.logits[best] ? w : best), 0);
  const ids = [...new Set([top, second, o, lowest])];
  return { id, kind: "choice", prompt: `Which word does the model give the highest probability P(w|${words[record.center_id]}) at this step?`,
           choices: ids.map((w) => ({ value: String(w), label: words[w] })).sort(byLabel), answer: String(top),
           reason: `P(${words[top]}|${words[record.center_id]}) = ${p[top]} is the highest of ${p.length} words; `
             + `the context ${words[o]} has ${p[o]} (rank ${rankOf(p, o)}).` };
}

function updownQuestion(record, words, lr, id) {
  const { before, after, measure } = contextAfterUpdate(record, lr);
  const up = after > before;
  return { id, kind: "choice", prompt: `After this step's update (η = ${lr}), does ${measure} of the context ${words[record.context_id]} go up or down?`,
           choices: [{ value: "up", label: "up" }, { value: "down", label: "down" }], answer: up ? "up" : "down",
           reason: `${measure} goes from ${before.toPrecision(4)} to ${after.toPrecision(4)}: the update moves v_c along u_o and u_o along v_c, `
             + `so u_o·v_c ${up ? "grows" : "does not grow"}.` };
}

const DIRECTIONS = [["right-up", "right and up"], ["right-down", "right and down"], ["left-up", "left and up"], ["left-down", "left and down"]];

function moveQuestion(record, words, lr, components, id) {
  const step = record.grad_v_c.map((g) => -lr * g);
  const dx = dot(components[0], step), dy = dot(components[1], step);
  const answer = `${dx >= 0 ? "right" : "left"}-${dy >= 0 ? "up" : "down"}`;
  return { id, kind: "choice", prompt: `Roughly where does ${words[record.center_id]}'s vector v_c move on the map at this step?`,
           choices: DIRECTIONS.map(([value, label]) => ({ value, label })), answer,
           reason: `On the map's axes the update −η·∇ is (${signed(dx)}, ${signed(dy)}): ${DIRECTIONS.find(([v]) => v === answer)[1]}.` };
}

/** finalW: {rows, dim, data} (the run's final input vectors, model.safetensors). */
function nearerQuestion(record, words, finalW, id) {
  const c = record.center_id, o = record.context_id;
  const others = isSgnsRecord(record) ? record.negative_ids : [...record.logits.keys()].sort((a, b) => record.logits[b] - record.logits[a] || a - b);
  const other = others.find((w) => w !== c && w !== o);
  if (other === undefined) return null;
  const row = (w) => finalW.data.subarray(w * finalW.dim, (w + 1) * finalW.dim);
  const cosO = cosine(row(c), row(o)), cosOther = cosine(row(c), row(other));
  const nearer = cosO >= cosOther ? o : other;
  return { id, kind: "choice", prompt: `At the end of training, which is nearer to ${words[c]}: the context ${words[o]} or `
    + `${words[other]} (${isSgnsRecord(record) ? "a negative of this step" : "the word the model expects most now, after the context"})?`,
           choices: [o, other].map((w) => ({ value: String(w), label: words[w] })).sort(byLabel), answer: String(nearer),
           reason: `In the final W, cos(${words[c]}, ${words[o]}) = ${cosO.toFixed(3)} and cos(${words[c]}, ${words[other]}) = ${cosOther.toFixed(3)}.` };
}

/**
 * The questions of a step (its record carries its learning rate). name: the run's; words: labels; components:
 * the map's 2×d axes;
 * finalW: the final input vectors or null (then "nearer" is left out).
 */
export function stepQuestions(record, { name, words, components, finalW = null }) {
  const lr = record.lr, id = (kind) => `${name}:${record.step}:${kind}`;
  const questions = { top: topQuestion(record, words, id("top")), updown: updownQuestion(record, words, lr, id("updown")),
                      move: moveQuestion(record, words, lr, components, id("move")) };
  if (finalW) questions.nearer = nearerQuestion(record, words, finalW, id("nearer"));
  return KINDS.map((kind) => questions[kind] && { ...questions[kind], topic: kind }).filter(Boolean);
}

/** Right or wrong, and what to say. */
export function verdict(question, value) {
  const right = String(value) === String(question.answer);
  const answer = question.choices?.find((c) => c.value === String(question.answer))?.label ?? question.answer;
  return { right, text: right ? `Right: ${question.reason}` : `Not this time: the answer is ${answer}. ${question.reason}` };
}
