// Glossary terms in a page's text (frontend/js/glossarylinks.js).
import assert from "node:assert/strict";
import test from "node:test";

import { findTerms, TERMS } from "../../frontend/js/glossarylinks.js";

const terms = (text, seen) => findTerms(text, seen).map(({ start, end, id }) => [text.slice(start, end), id]);

test("each term's first occurrence, whole words, the longer name first", () => {
  assert.deepEqual(terms("With negative sampling the softmax is not computed; softmax again. Logits, then a loss."),
    [["negative sampling", "negative-sampling"], ["softmax", "softmax"], ["Logits", "logit"], ["loss", "loss"]]);
  assert.deepEqual(terms("tokens end with </w>; pre-tokenizer pieces"), [["tokens", "token"], ["</w>", "end-of-word"],
    ["pre-tokenizer pieces", "pre-tokenizer-piece"]]);
  assert.deepEqual(terms("lossless windows"), [], "not inside other words");
  assert.deepEqual(terms("the output vectors and the loss", new Set(["loss"])), [["output vectors", "input-output-vectors"]]);
});

test("every id is unique", () => {
  assert.equal(new Set(TERMS.map(([id]) => id)).size, TERMS.length);
});
