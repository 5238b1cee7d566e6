// The explorer's "which word is nearest to X?" question (frontend/js/nearestquestion.js).
import assert from "node:assert/strict";
import test from "node:test";

import { distractors, nearestQuestion } from "../../frontend/js/nearestquestion.js";

test("distractors are spread over the pool and never the word or one of its neighbours", () => {
  const pool = ["man", "time", "king", "day", "house", "night", "water", "town", "road"];
  assert.deepEqual(distractors("man", ["king", "day"], pool), ["house", "water", "road"]);
  assert.deepEqual(distractors("a", ["b"], ["a", "b", "c"]), ["c"]);
});

test("the question names the answer and every choice's cosine", () => {
  const q = nearestQuestion({ run: "mix", word: "king", nearest: "queen", others: ["road", "day", "night"],
                              cosines: { queen: 0.7123, road: 0.1, day: -0.05, night: 0.2 } });
  assert.equal(q.id, "nearest:mix:king");
  assert.equal(q.kind, "choice");
  assert.deepEqual(q.choices.map((c) => c.value), ["day", "night", "queen", "road"]);
  assert.equal(q.answer, "queen");
  assert.equal(q.reason, "queen is nearest to king (cosine 0.712); road 0.100, day -0.050, night 0.200.");
  assert.ok(q.choices.some((c) => c.value === q.answer));
});

test("labels show a token's space", () => {
  const label = (w) => w.replace(/ /g, "␣");
  const q = nearestQuestion({ run: "bpe", word: " the</w>", nearest: " a</w>", others: ["b"], cosines: { " a</w>": 0.5, b: 0.1 }, label });
  assert.equal(q.prompt, 'Which word is nearest to "␣the</w>" in bpe?');
  assert.deepEqual(q.choices, [{ value: "b", label: "b" }, { value: " a</w>", label: "␣a</w>" }]);
});
