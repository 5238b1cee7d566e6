// The live class's plain modules, without a browser: the view a leader publishes and how a follower takes it
// (follow.js), the event stream's order and reconnects (livestream.js), the answer bars (answerbars.js).
import assert from "node:assert/strict";
import test from "node:test";

import { answerBars, niceStep, shareRight } from "../../frontend/js/answerbars.js";
import { followPlan, viewOf } from "../../frontend/js/follow.js";
import { contractQuestion } from "../../frontend/js/live.js";
import { ClassStream } from "../../frontend/js/livestream.js";
import { PageState, intField } from "../../frontend/js/pagestate.js";

const FIELDS = {
  run: { default: "default" }, step: { default: 1, parse: intField(1) },
  playing: { default: false, inUrl: false }, words: { default: [] },
};
const makeState = (search = "") => new PageState(FIELDS, { search, writeUrl: () => {}, schedule: () => 0, cancel: () => {} });
const at = (pathname, search = "", hash = "") => ({ pathname, search, hash });

test("a leader's view holds its page, every field (playback too) and a link's query", () => {
  const state = makeState("?step=5");
  state.set({ playing: true, words: ["king", "queen"] });
  assert.deepEqual(viewOf(state, at("/walkthrough.html", "?ignored", "#x")), {
    path: "/walkthrough.html", query: "?step=5&words=king%2Cqueen", hash: "#x",
    state: { run: "default", step: 5, playing: true, words: ["king", "queen"] },
  });
  assert.deepEqual(viewOf(null, at("/glossary.html", "?a=1", "#softmax")),
                   { path: "/glossary.html", query: "?a=1", hash: "#softmax", state: null });
});

test("a follower on the same page sets only the fields it has that differ; on another page it navigates", () => {
  const leader = makeState("?step=9");
  leader.set({ playing: true, words: ["king"] });
  const view = viewOf(leader, at("/walkthrough.html"));
  const follower = makeState("?step=2");
  follower.set({ words: ["king"] });
  assert.deepEqual(followPlan(view, follower, at("/walkthrough.html", "?step=2")),
                   { patch: { step: 9, playing: true }, hash: null });  // equal arrays are not "changed"
  assert.deepEqual(followPlan({ ...view, state: { ...view.state, newer: 1 } }, follower, at("/walkthrough.html")).patch,
                   { step: 9, playing: true });  // a field this page does not have (another version) is skipped
  assert.deepEqual(followPlan(view, follower, at("/tokens.html")), { navigate: "/walkthrough.html?step=9&words=king" });
  assert.deepEqual(followPlan({ ...view, hash: "#top" }, follower, at("/walkthrough.html")).hash, "#top");
});

test("a page without a state object follows by its address", () => {
  const view = { path: "/glossary.html", query: "", hash: "#bpe-merge", state: null };
  assert.deepEqual(followPlan(view, null, at("/glossary.html", "", "#token")), { patch: {}, hash: "#bpe-merge" });
  assert.deepEqual(followPlan({ ...view, query: "?q=1" }, makeState(), at("/glossary.html")),
                   { navigate: "/glossary.html?q=1#bpe-merge" });
});

/** A fake EventSource: the test dispatches its events. */
class FakeSource {
  constructor(url) { this.url = url; this.readyState = 0; this.listeners = {}; this.closedByClient = false; }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  emit(type, event = {}) { for (const fn of this.listeners[type] ?? []) fn(event); }
  message(kind, seq, data) { this.emit(kind, { lastEventId: String(seq), data: JSON.stringify(data) }); }
  close() { this.readyState = 2; this.closedByClient = true; }
}

function makeStream({ stillWanted = async () => true } = {}) {
  const sources = [], got = [], timers = [];
  const stream = new ClassStream("/api/live/events?role=follow", {
    session: (d, seq) => got.push(["session", seq, d]), state: (d, seq) => got.push(["state", seq, d]),
    question: (d, seq) => got.push(["question", seq, d]),
  }, { stillWanted, open: (url) => { const s = new FakeSource(url); sources.push(s); return s; },
       schedule: (fn, ms) => { timers.push([fn, ms]); return timers.length; }, cancel: () => {} });
  return { stream, sources, got, timers };
}

test("events are handed on in seq order; a repeated or older seq on the same connection is dropped", () => {
  const { stream, sources, got } = makeStream();
  stream.start();
  const source = sources[0];
  source.emit("open");
  source.message("session", 1, { session: "a" });
  source.message("state", 3, { step: 2 });
  source.message("state", 2, { step: 1 });
  source.message("state", 3, { step: 2 });
  source.message("question", 4, { ask: "x" });
  assert.deepEqual(got.map(([kind, seq]) => [kind, seq]), [["session", 1], ["state", 3], ["question", 4]]);
});

test("a stream the browser gave up on is opened again after a growing pause, from the current state", async () => {
  const { stream, sources, got, timers } = makeStream();
  stream.start();
  sources[0].message("state", 40, { step: 1 });
  for (const pause of [300, 1000]) {
    const source = sources.at(-1);
    source.readyState = 2;  // an HTTP error (a 503 while a worker restarts): EventSource stops retrying
    source.emit("error");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(timers.at(-1)[1], pause);
    timers.at(-1)[0]();
  }
  assert.equal(sources.length, 3);
  sources[2].emit("open");
  sources[2].message("state", 7, { step: 2 });  // a new connection: seqs from the store as it is now
  assert.deepEqual(got.at(-1), ["state", 7, { step: 2 }]);
  sources[2].readyState = 2;
  sources[2].emit("error");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(timers.at(-1)[1], 300);  // an open connection resets the pause
});

test("a stream is not reopened once the class has ended, nor after stop()", async () => {
  const { stream, sources, timers } = makeStream({ stillWanted: async () => false });
  stream.start();
  sources[0].readyState = 2;
  sources[0].emit("error");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(timers.length, 0);
  const other = makeStream();
  other.stream.start();
  other.stream.stop();
  assert.equal(other.sources[0].closedByClient, true);
  other.stream.wake();
  assert.equal(other.sources.length, 1);
});

test("a choice question has a bar per choice, in order; the right one is marked only at the reveal", () => {
  const question = { kind: "choice", choices: [{ value: "q", label: "queen" }, { value: "c", label: "cat" }] };
  assert.deepEqual(answerBars(question, { c: 3 }), [{ label: "queen", count: 0, right: false }, { label: "cat", count: 3, right: false }]);
  assert.deepEqual(answerBars(question, { c: 3, q: 1 }, "q").map((b) => b.right), [true, false]);
  assert.deepEqual(shareRight({ c: 3, q: 1 }, 4, "q"), { right: 1, total: 4, share: 0.25 });
  assert.deepEqual(shareRight({}, 0, "q"), { right: 0, total: 0, share: 0 });
});

test("a number question: a bar per value when few, equal ranges when many, the answer's always there", () => {
  const question = { kind: "number" };
  assert.deepEqual(answerBars(question, { 12: 2, 9: 1 }, "14").map((b) => [b.label, b.count, b.right]),
                   [["9", 1, false], ["12", 2, false], ["14", 0, true]]);
  const counts = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [String(100 + 3 * i), 1]));
  const bars = answerBars(question, counts, "150");
  assert.equal(bars.reduce((sum, b) => sum + b.count, 0), 40);
  assert.deepEqual(bars.map((b) => b.label), ["100–119", "120–139", "140–159", "160–179", "180–199", "200–219"]);
  assert.deepEqual(bars.filter((b) => b.right).map((b) => b.label), ["140–159"]);
  const fractions = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i / 10), 1]));
  assert.equal(answerBars(question, fractions).reduce((sum, b) => sum + b.count, 0), 12);
  assert.deepEqual([0.3, 7, 12.5, 1000].map(niceStep), [0.5, 10, 20, 1000]);
});

test("a page's question goes to the class with the contract's fields only, choice values as text", () => {
  const walk = { id: "default:30:top", topic: "softmax", prompt: "Which word?", kind: "choice", answer: 7, reason: "P = 0.2",
                 choices: [{ value: 7, label: "cat", hint: "x" }, { value: 9, label: "dog" }] };
  assert.deepEqual(contractQuestion(walk), { id: "default:30:top", prompt: "Which word?", kind: "choice", answer: "7",
    reason: "P = 0.2", choices: [{ value: "7", label: "cat" }, { value: "9", label: "dog" }] });
  assert.deepEqual(contractQuestion({ id: "n", prompt: "How many tokens?", kind: "number", answer: 12 }),
                   { id: "n", prompt: "How many tokens?", kind: "number", answer: 12, reason: "" });
});
