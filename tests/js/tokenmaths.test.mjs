// The token page's plain modules without a browser: labels of invisible characters, token lengths, the
// sentences read from the charts, the questions, and the in-browser BPE replay against a naive one.
import assert from "node:assert/strict";
import test from "node:test";

import { BpeReplay } from "../../frontend/js/bpereplay.js";
import { namedCharacters, tokenLabel } from "../../frontend/js/tokenlabel.js";
import { domainSentence, fewerTokensQuestion, statsItems, tokenCountQuestion, tokenLengths } from "../../frontend/js/tokenmaths.js";

test("invisible characters are drawn with a name; visible ones as themselves", () => {
  assert.equal(tokenLabel(" the</w>"), "␣the</w>");
  assert.equal(tokenLabel("\u200d"), "⟨ZWJ⟩");
  assert.equal(tokenLabel("👩\u200d👧"), "👩⟨ZWJ⟩👧");
  assert.equal(tokenLabel("❤\ufe0f"), "❤⟨VS16⟩");
  assert.equal(tokenLabel("🇯"), "⟨regional indicator J⟩");
  assert.equal(tokenLabel("🇯🇵"), "🇯🇵");                           // a whole flag shows as the flag
  assert.equal(tokenLabel("\u0301"), "⟨combining acute ◌\u0301⟩");   // a mark with nothing to sit on
  assert.equal(tokenLabel("e\u0301"), "e\u0301");                    // on its letter it is drawn
  assert.equal(tokenLabel("a\u00a0b\u2003"), "a⍽b⟨U+2003⟩");
  assert.equal(tokenLabel("नमस्ते café"), "नमस्ते␣café");
  assert.deepEqual(namedCharacters("a\u200db\u200d"), ["⟨ZWJ⟩ zero width joiner (U+200D)"]);
});

test("token lengths in characters and bytes for both kinds of token text", () => {
  assert.deepEqual(tokenLengths({ token: "ing</w>" }), { characters: 3, bytes: 3 });
  assert.deepEqual(tokenLengths({ token: "<0xE4>" }), { characters: null, bytes: 1 });
  assert.deepEqual(tokenLengths({ token: " <0xF0><0x9F>" }), { characters: null, bytes: 3 });
  assert.deepEqual(tokenLengths({ token: "東京" }), { characters: 2, bytes: 6 });
});

test("a text without spaces between words is measured per character, and says so", () => {
  const base = { tokens: 10, characters: 20, chars_per_token: 2, avg_token_bytes: 3, tokens_per_word: 5, tokens_per_char: 0.5 };
  assert.deepEqual(statsItems({ ...base, words_spaced: true }).at(-1), ["tokens per word", 5]);
  assert.deepEqual(statsItems({ ...base, words_spaced: false }).at(-1), ["tokens per character (no spaces between words)", 0.5]);
});

test("the domain sentence reads the bars it sits under", () => {
  const rows = [{ domain: "English prose", tokens_per_100_chars: 22.5 }, { domain: "Python code", tokens_per_100_chars: 41 },
                { domain: "URLs", tokens_per_100_chars: 50.25 }];
  assert.match(domainSentence(rows), /^Tokens per 100 characters, cheapest first: English prose 22\.5, Python code 41\.0, URLs 50\.3\. Prose is the cheapest/);
  rows[1].tokens_per_100_chars = 10;
  assert.match(domainSentence(rows), /Python code 10\.0, English prose 22\.5.*Python code is the cheapest here/);
});

test("questions carry their answer and a reason with the numbers, and a stable id", () => {
  const stats = { tokens: 9, characters: 52, chars_per_token: 5.78, tokens_per_word: 1.5, words_spaced: true };
  const q = tokenCountQuestion({ tokenizer: "default", label: "default", merges: 100, total: 200, text: "The monster.", stats });
  assert.equal(q.kind, "number");
  assert.equal(q.answer, 9);
  assert.match(q.prompt, /default with only its first 100 merges/);
  assert.match(q.reason, /52 characters into 9 tokens/);
  assert.equal(q.id, tokenCountQuestion({ tokenizer: "default", label: "x", merges: 100, total: 200, text: "The monster.", stats }).id);
  const sides = [{ tokenizer: "a", label: "A", merges: 1, stats: { tokens: 5 } }, { tokenizer: "b", label: "B", merges: 1, stats: { tokens: 3 } }];
  const fewer = fewerTokensQuestion(sides, "text");
  assert.equal(fewer.answer, "b");
  assert.deepEqual(fewer.choices.map((c) => c.value), ["a", "b"]);
});

/** A tiny trained answer, as /api/bpe/train gives it: symbols a=0 b=1 c=2, merges ab=3 (3 times), abc=4. */
function tiny() {
  return {
    vocab: ["a", "b", "c", "ab", "abc"], base_size: 3,
    merges: [{ left: 0, right: 1, id: 3, count: 5 }, { left: 3, right: 2, id: 4, count: 2 }],
    pieces: [[0, 1, 2], [0, 1], [2, 0, 1, 0, 1]], counts: [2, 1, 1], preview: [0, 2, 0],
  };
}

/** Merges applied in order to every piece, from scratch: the naive replay. */
function naive(answer, k) {
  return answer.pieces.map((symbols) => {
    let ids = symbols;
    for (const m of answer.merges.slice(0, k)) {
      const out = [];
      for (let i = 0; i < ids.length; i += 1) {
        if (i + 1 < ids.length && ids[i] === m.left && ids[i + 1] === m.right) { out.push(m.id); i += 1; } else out.push(ids[i]);
      }
      ids = out;
    }
    return ids;
  });
}

test("the replay re-cuts the text and counts its tokens as merging in order from scratch would", () => {
  const answer = tiny();
  const replay = new BpeReplay(answer);
  for (let k = 0; k <= answer.merges.length; k += 1) {
    const pieces = naive(answer, k);
    assert.deepEqual(replay.cut(k), answer.preview.map((i) => pieces[i]));
    assert.equal(replay.curve()[k], pieces.reduce((sum, p, i) => sum + p.length * answer.counts[i], 0));
  }
  assert.deepEqual(replay.curve(), [13, 8, 6]);
});
