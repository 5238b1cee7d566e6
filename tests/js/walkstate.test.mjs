// The walkthrough's state fields (frontend/js/walkstate.js): what a link carries and what it refuses.
import assert from "node:assert/strict";
import test from "node:test";

import { revealed, walkState } from "../../frontend/js/walkstate.js";

const quiet = (search) => walkState({ search, writeUrl: () => {}, schedule: () => 0, cancel: () => {} });

test("a link reopens run, step, word, side by side, the view options and the sliding window", () => {
  const state = quiet("?run=default&step=40&word=queen&vs=default-sgns&proj=global&zoom=run&bars=logits&out=1&sentence=3&center=2&window=5&ask=move");
  assert.deepEqual({ ...state.get() }, { run: "default", step: 40, vs: "default-sgns", word: "queen", proj: "global", zoom: "run",
    bars: "logits", out: true, sentence: 3, center: 2, window: 5, ask: "move", reveal: null, playing: false, speed: 5 });
  assert.equal(state.query(), "?run=default&step=40&vs=default-sgns&word=queen&proj=global&zoom=run&bars=logits&out=1&sentence=3&center=2&window=5&ask=move");
});

test("old links keep their frame; playback and the revealed answer stay out of links", () => {
  assert.equal(quiet("?zoom=1").get().zoom, "step");
  assert.equal(quiet("?zoom=0").get().zoom, "run");
  const state = quiet("?playing=1&reveal=1:top");
  assert.equal(state.get().playing, false);
  state.set({ playing: true, reveal: "1:top", step: 1, ask: "top" });
  assert.equal(state.query(), "?step=1&ask=top");
  assert.equal(revealed(state.get()), true);
  state.set({ step: 2 });
  assert.equal(revealed(state.get()), false, "another step hides the answer again");
});

test("values the page cannot use are refused with a sentence", () => {
  const state = quiet("?proj=sideways&out=yes&window=9&step=0&ask=why");
  assert.equal(state.refused.length, 5);
  assert.match(state.refused.join(" "), /proj=sideways cannot be used \(one of final, global\); showing final/);
  assert.equal(state.get().window, 3);
});
