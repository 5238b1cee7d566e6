// What the explorer says about a run (frontend/js/explorertext.js).
import assert from "node:assert/strict";
import test from "node:test";

import {
  convergenceRows, droppedReason, formatCount, histogramCaption, histogramMoments, pcaCaption, runDefaults,
} from "../../frontend/js/explorertext.js";

test("a dropped word's reason says which limit it missed", () => {
  const teaching = { min_count: 5, max_vocab: 500 }, corpus = { min_count: 5, max_vocab: null };
  assert.equal(droppedReason(3, "rare", teaching), "rare (seen 3 times, under 5)");
  assert.equal(droppedReason(40, "rare", teaching), "beyond the 500 most frequent words");
  assert.equal(droppedReason(4, "rare", corpus), "rare (seen 4 times, under 5)");
  assert.equal(droppedReason(900, "stopword", teaching), "stopword");
  assert.equal(formatCount(11486689), "11,486,689");
});

test("the histogram caption says the distribution moved when it did, and by how much", () => {
  const edges = [-1, -0.5, 0, 0.5, 1];
  const moved = { edges, pairs: 6, initial: [0, 3, 3, 0], final: [0, 0, 1, 5], mean_initial: 0.0, mean_final: 0.41 };
  assert.deepEqual(histogramMoments(edges, [0, 3, 3, 0]), { mean: 0, sd: 0.25 });
  const text = histogramCaption(moved);
  assert.match(text, /moved up, to mean 0\.41/);
  assert.match(text, /read a pair's cosine against 0\.41, not against 0/);
  assert.doesNotMatch(text, /spreads the rest/);
  const still = { ...moved, final: [1, 2, 2, 1], mean_final: -0.01 };
  assert.match(histogramCaption(still), /mean is -0\.01 and the spread wider \(standard deviation 0\.48\)/);
});

test("the PCA caption gives each axis's share of the variance", () => {
  assert.equal(pcaCaption([0.128, 0.09], 100), "PCA: the horizontal axis shows 12.8% of the variance, the vertical 9.0% "
    + "(21.8% of 100 dimensions): distances along them are real, but two words close here may differ in the other 78.2%.");
});

test("defaults come from the run's probes, else its first words", () => {
  const probes = { queries: ["man", "father"], first_analogy: { a: "man", b: "men", c: "day", expected: "days" },
                   first_pair: { a: "day", b: "days" } };
  assert.deepEqual(runDefaults({ probes, vocab: { words: [] } }),
                   { queries: ["man", "father"], analogy: ["man", "men", "day"], pair: ["day", "days"] });
  assert.deepEqual(runDefaults({ probes: null, neighbors: null, vocab: { words: ["a", "b", "c", "d", "e"] } }),
                   { queries: ["a", "b", "c", "d"], analogy: null, pair: ["a", "b"] });
});

test("convergence rows: asked words first, settled step, still moving or never moved", () => {
  const view = { threshold: 0.95, steps: [1, 50, 100], words: {
    a: { cosine_to_final: [0.1, 0.5, 1], converged_step: 50 },
    b: { cosine_to_final: [0.2, 0.99, 1], converged_step: null },
    c: { cosine_to_final: [0.97, 0.99, 1], converged_step: null } } };
  assert.deepEqual(convergenceRows(view, ["c", "zz"]), [["c", "0.970", "0.990", "never moved"], ["a", "0.100", "0.500", "50"],
                                                      ["b", "0.200", "0.990", "still moving"]]);
});
