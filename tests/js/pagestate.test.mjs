// The page-state contract every page builds on (frontend/js/pagestate.js), without a browser.
import assert from "node:assert/strict";
import test from "node:test";

import { PageState, flagField, intField, oneOf } from "../../frontend/js/pagestate.js";

const FIELDS = {
  run: { default: "default" },
  step: { default: 1, parse: intField(1) },
  proj: { default: "final", parse: oneOf("final", "global") },
  out: { default: false, ...flagField },
  playing: { default: false, inUrl: false },
};

/** A state whose URL writes are collected and whose timer runs only when the test says so. */
function makeState(search = "") {
  const written = [];
  const timers = [];
  const state = new PageState(FIELDS, {
    search, writeUrl: (query) => written.push(query),
    schedule: (fn) => { timers.push(fn); return timers.length; }, cancel: () => {},
  });
  return { state, written, timers };
}

test("a query gives typed values, defaults where it is silent", () => {
  const { state } = makeState("?run=mix&step=42&out=1&playing=1&other=x");
  assert.deepEqual(state.get(), { run: "mix", step: 42, proj: "final", out: true, playing: false });
  assert.deepEqual(state.refused, []);
});

test("values a page cannot use are refused with a sentence and the default is shown", () => {
  const { state } = makeState("?step=-3&proj=tsne&out=yes");
  assert.deepEqual(state.get(), { run: "default", step: 1, proj: "final", out: false, playing: false });
  assert.equal(state.refused.length, 3);
  assert.match(state.refused[0], /^step=-3 cannot be used \(a whole number from 1\); showing 1$/);
  assert.match(state.refused[1], /proj=tsne .*one of final, global/);
});

test("set notifies once with the changed names and the origin; equal values change nothing", () => {
  const { state } = makeState();
  const heard = [];
  state.subscribe((values, changed, origin) => heard.push([values.step, [...changed], origin]));
  assert.equal(state.set({ step: 1 }).size, 0);
  state.set({ step: 5, run: "default" }, "follow");
  state.set({ playing: true });
  assert.deepEqual(heard, [[5, ["step"], "follow"], [5, ["playing"], "user"]]);
  assert.throws(() => state.set({ nope: 1 }), /no field nope/);
});

test("the URL leaves defaults and non-URL fields out and is written once per burst", () => {
  const { state, written, timers } = makeState();
  state.set({ step: 2 });
  state.set({ step: 3, out: true });
  state.set({ playing: true });
  assert.equal(timers.length, 1);
  timers[0]();
  assert.deepEqual(written, ["?step=3&out=1"]);
  assert.equal(state.url("/walkthrough.html"), "/walkthrough.html?step=3&out=1");
  state.set({ step: 1, out: false });
  state.flushUrl();
  assert.equal(written.at(-1), "");
});

test("the snapshot handed out cannot be changed behind set()", () => {
  const { state } = makeState();
  assert.throws(() => { "use strict"; state.get().step = 9; }, TypeError);
  assert.equal(state.get().step, 1);
});
