// The explorer's word boxes (frontend/js/wordlist.js).
import assert from "node:assert/strict";
import test from "node:test";

import { formatWords, parseWords } from "../../frontend/js/wordlist.js";

test("commas and whitespace separate words, each word once", () => {
  assert.deepEqual(parseWords(" king, queen  cat,,dog king "), ["king", "queen", "cat", "dog"]);
  assert.deepEqual(parseWords(""), []);
});

test("a token that holds a comma stays one word when the run knows it", () => {
  const known = new Set([",</w>", ",", "␣the</w>"]);
  assert.deepEqual(parseWords(",</w> ␣the</w> , king,queen", (w) => known.has(w)), [",</w>", "␣the</w>", ",", "king", "queen"]);
  // without the vocabulary the same text is cut at its commas: the old bug ("'</w>' is not in the vocabulary")
  assert.deepEqual(parseWords(",</w> ␣the</w>"), ["</w>", "␣the</w>"]);
});

test("formatting reads back to the same words", () => {
  const known = new Set([",</w>"]);
  for (const words of [["king", "queen"], [",</w>", "␣the</w>"], ["one"]]) {
    assert.deepEqual(parseWords(formatWords(words), (w) => known.has(w)), words);
  }
  assert.equal(formatWords(["king", "queen"]), "king, queen");
  assert.equal(formatWords([",</w>", "x"]), ",</w> x");
});
