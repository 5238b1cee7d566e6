import assert from "node:assert/strict";
import { test } from "node:test";

import { divergedLine, ownRunNames, ownRuns, runTags } from "../../frontend/js/runtags.js";

test("a selector marks diverged runs and this browser's own", () => {
  const own = ownRunNames([{ name: "mine", state: "done" }, { name: "queued", state: "queued" }]);
  assert.deepEqual([...own], ["mine"]);
  assert.equal(runTags({ name: "mine", diverged: true }, own), " · diverged · yours");
  assert.equal(runTags({ name: "default", diverged: false }, own), "");
});

test("a diverged run's sentence names its step, rate and what was kept", () => {
  assert.match(divergedLine({ step: 1218, lr: 5, kept_steps: 1165 }), /step 1,218 with learning rate 5.*step 1,165/);
});

test("no own runs when training is unavailable", async () => {
  assert.equal((await ownRuns(async () => { throw new Error("409"); })).size, 0);
});
