// Predict-then-reveal questions (frontend/js/stepquestions.js): answers from the step's numbers.
import assert from "node:assert/strict";
import test from "node:test";

import { stepQuestions, verdict } from "../../frontend/js/stepquestions.js";
import { softmaxRecord } from "./records.mjs";

const words = ["king", "queen", "apple", "throne"];
const record = softmaxRecord();
const { logits } = record;
const components = [[1, 0], [0, 1]];
const finalW = { rows: 4, dim: 2, data: Float32Array.from([1, 0, 0.9, 0.1, -1, 0, 1, 0.05]) };

test("four questions of a softmax step, each answered from its numbers", () => {
  const questions = stepQuestions(record, { name: "run", words, components, finalW });
  const byTopic = Object.fromEntries(questions.map((q) => [q.topic, q]));
  assert.deepEqual(Object.keys(byTopic), ["top", "updown", "move", "nearer"]);
  assert.equal(byTopic.top.answer, String(logits.indexOf(Math.max(...logits))));
  assert.equal(byTopic.updown.answer, "up");
  const dx = -0.1 * record.grad_v_c[0], dy = -0.1 * record.grad_v_c[1];
  assert.equal(byTopic.move.answer, `${dx >= 0 ? "right" : "left"}-${dy >= 0 ? "up" : "down"}`);
  // the context queen against the word expected most after it, apple: throne (1, 0.05) is nearer queen (0.9, 0.1)
  assert.deepEqual(byTopic.nearer.choices.map((c) => c.value), ["2", "1"]);   // sorted by label: apple, queen
  assert.equal(byTopic.nearer.answer, "1");
  for (const q of questions) {
    assert.equal(q.id, `run:9:${q.topic}`);
    assert.ok(q.choices.some((c) => c.value === q.answer), q.topic);
    assert.ok(q.reason.length > 20);
  }
  assert.equal(stepQuestions(record, { name: "run", words, components }).length, 3, "no final vectors: no 'nearer'");
});

test("a verdict says right or wrong with the reason", () => {
  const question = { answer: "1", choices: [{ value: "1", label: "queen" }, { value: "2", label: "apple" }], reason: "Because." };
  assert.deepEqual(verdict(question, "1"), { right: true, text: "Right: Because." });
  assert.deepEqual(verdict(question, "2"), { right: false, text: "Not this time: the answer is queen. Because." });
});
