// The token page's arithmetic, without a browser (tests/js/tokenmaths.test.mjs): token lengths, the
// figures a side shows, the sentences that read the charts, the merge slider's sentence and the
// "how many tokens?" question. Everything here is computed from what the server answered.

const BYTE_TOKEN = /<0x[0-9A-F]{2}>/g;
const END_OF_WORD = "</w>";

/** A token's length in characters (null when it holds raw bytes, which are no whole character) and in
 *  UTF-8 bytes. Works for both kinds of token text: "ing</w>", "<0xE4>", " <0xF0><0x9F>". */
export function tokenLengths(token) {
  const text = token.token.endsWith(END_OF_WORD) ? token.token.slice(0, -END_OF_WORD.length) : token.token;
  const bytes = (text.match(BYTE_TOKEN) ?? []).length;
  const rest = text.replace(BYTE_TOKEN, "");
  return { characters: bytes ? null : [...rest].length, bytes: bytes + new TextEncoder().encode(rest).length };
}

/** counts[n] = how many lengths equal n. */
export function histogram(lengths) {
  const counts = new Array(Math.max(0, ...lengths) + 1).fill(0);
  for (const n of lengths) counts[n] += 1;
  return counts;
}

/** The figures a side shows for its text: tokens per word where words are space-separated, tokens per
 *  character where they are not (CJK), saying which. */
export function statsItems(stats) {
  const items = [["tokens", stats.tokens], ["characters", stats.characters], ["chars per token", stats.chars_per_token],
                 ["bytes per token", stats.avg_token_bytes]];
  if (stats.words_spaced === false) items.push(["tokens per character (no spaces between words)", stats.tokens_per_char]);
  else items.push(["tokens per word", stats.tokens_per_word]);
  return items;
}

/** Tokens per held-out line saved by the first tenth of the merges and by the last tenth. */
export function diminishingReturns(rows) {
  const at = (k) => rows.reduce((best, r) => (Math.abs(r.merges - k) < Math.abs(best.merges - k) ? r : best));
  const total = rows[rows.length - 1].merges, tenth = at(total / 10), last = at(total * 0.9);
  const first = rows[0].tokens_per_sentence - tenth.tokens_per_sentence;
  const final = last.tokens_per_sentence - rows[rows.length - 1].tokens_per_sentence;
  return `The first ${tenth.merges.toLocaleString("en")} merges save ${first.toFixed(1)} tokens per line; `
    + `the last ${(total - last.merges).toLocaleString("en")} save ${final.toFixed(1)}.`;
}

/** What the "cost by kind of text" bars say, read from the bars themselves. */
export function domainSentence(rows) {
  const sorted = [...rows].sort((a, b) => a.tokens_per_100_chars - b.tokens_per_100_chars);
  const list = sorted.map((r) => `${r.domain} ${r.tokens_per_100_chars.toFixed(1)}`).join(", ");
  const prose = rows.find((r) => r.domain === "English prose");
  const verdict = prose && sorted[0] === prose
    ? "Prose is the cheapest: this tokenizer learned long tokens for the words of prose, and cuts code, numbers and URLs into more, shorter ones."
    : `${sorted[0].domain} is the cheapest here: this tokenizer learned from text more like it than like prose.`;
  return `Tokens per 100 characters, cheapest first: ${list}. ${verdict}`;
}

const plural = (n, word) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** The merge slider's sentence: merge k, the pair it joins, where its count comes from, and whether it
 *  changed the text in view (`times`: how often it joined its pair there, from /api/tokenize/merges). */
export function mergeSentence(record, k, total, times, reference) {
  if (k === 0) return "No merges: every piece is cut into its base symbols (characters, or bytes).";
  const pair = `“${record.left}” + “${record.right}” → “${record.token}”`;
  const learned = reference
    ? `${record.token ? `It is token ${record.id} of the published ranks, which hold no counts.` : ""}`
    : `When the tokenizer was trained, this was the most frequent pair left in its training text: ${plural(record.count, "time")} there.`;
  const here = times === undefined ? ""
    : times ? ` In the text above it joins ${plural(times, "time")}.` : " It does not occur in the text above.";
  return `Merge ${k.toLocaleString("en")} of ${total.toLocaleString("en")}: ${pair}. ${learned}${here}`.replace(/\s+$/, "");
}

/** A stable short hash of a text (a question's id must not change while the text does not). */
export function textHash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36);
}

/** "How many tokens will this text be?" for one tokenizer, its answer and reason from the server's stats. */
export function tokenCountQuestion({ tokenizer, label, merges, total, text, stats }) {
  const shown = text.length > 80 ? `${text.slice(0, 77)}…` : text;
  const cut = merges === total ? "" : ` with only its first ${merges.toLocaleString("en")} merges`;
  const per = stats.words_spaced === false ? `${stats.tokens_per_char} tokens per character`
    : `${stats.tokens_per_word} tokens per word`;
  return {
    id: `tokens:${tokenizer}:${merges}:${textHash(text)}`,
    prompt: `How many tokens will ${label}${cut} cut this text into? “${shown}”`,
    kind: "number",
    answer: stats.tokens,
    reason: `${label}${cut} cuts these ${plural(stats.characters, "character")} into ${plural(stats.tokens, "token")} `
      + `(${stats.chars_per_token} characters per token, ${per}).`,
  };
}

/** "Which tokenizer needs fewer tokens for this text?" when two are compared. */
export function fewerTokensQuestion(sides, text) {
  const [a, b] = sides;
  const answer = a.stats.tokens <= b.stats.tokens ? a.tokenizer : b.tokenizer;
  return {
    id: `fewer:${a.tokenizer}:${a.merges}:${b.tokenizer}:${b.merges}:${textHash(text)}`,
    prompt: `Which tokenizer cuts this text into fewer tokens: ${a.label} or ${b.label}?`,
    kind: "choice",
    choices: sides.map((s) => ({ value: s.tokenizer, label: s.label })),
    answer,
    reason: `${a.label}: ${plural(a.stats.tokens, "token")}; ${b.label}: ${plural(b.stats.tokens, "token")}.`,
  };
}
