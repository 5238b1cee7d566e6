// The dimension sweep's choice of runs and its curve (frontend/js/dimsweep.js).
import assert from "node:assert/strict";
import test from "node:test";

import { sweepCandidates, sweepCurve, sweepMembers } from "../../frontend/js/dimsweep.js";

const run = (name, dim, overrides = {}) => ({
  name, kind: "teaching", corpus: { source: "book.txt" }, tokenizer: null, sizes: { dim, vocab: 500 },
  config: { corpus: "book.txt", dim, lr: 0.1, seed: 42, workers: 2, ...overrides.config },
  ...overrides.top,
});

test("members share everything but d, each d once, sorted", () => {
  const current = run("book-d50", 50);
  const others = [run("book-d10", 10), run("book-d100", 100, { config: { workers: 8 } }), run("copy-d50", 50),
                  run("other-lr", 10, { config: { lr: 0.2 } }), run("other-book", 10, { top: { corpus: { source: "x.txt" } } }),
                  run("corpus-kind", 25, { top: { kind: "corpus" } })];
  assert.deepEqual(sweepMembers(current, others).map((m) => m.name), ["book-d10", "book-d50", "book-d100"]);
  assert.deepEqual(sweepMembers(current, [run("other-lr", 10, { config: { lr: 0.2 } })]), []);   // one d is no curve
});

test("candidates: the same kind and vocabulary size, runs that are not broken", () => {
  const current = run("a", 8);
  const listed = [{ name: "b", kind: "teaching", vocab_size: 500, status: "ok" }, { name: "c", kind: "corpus", vocab_size: 500, status: "ok" },
                  { name: "d", kind: "teaching", vocab_size: 499, status: "ok" }, { name: "e", kind: "teaching", vocab_size: 500, status: "broken" }];
  assert.deepEqual(sweepCandidates(current, listed).map((r) => r.name), ["b"]);
});

test("the curve holds each member's own scores, on the same probe set only", () => {
  const members = [run("d10", 10), run("d50", 50), run("d100", 100)];
  const probes = {
    d10: { probe_set: "p", scores: { similarity_hit10: 0.25, analogy_accuracy: 0.1 } },
    d50: { probe_set: "p", scores: { similarity_hit10: 0.5, analogy_accuracy: null } },
    d100: { probe_set: "q", scores: { similarity_hit10: 0.9, analogy_accuracy: 0.9 } },
  };
  assert.deepEqual(sweepCurve(members, probes, "p"), [
    { dim: 10, run: "d10", similarity_hit10: 0.25, analogy_accuracy: 0.1 },
    { dim: 50, run: "d50", similarity_hit10: 0.5, analogy_accuracy: 0 },
  ]);
});
