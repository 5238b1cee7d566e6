// How a page shows a word or a token. A run on BPE tokens keeps each token's leading space (" the</w>")
// and HTML or a canvas label would lose it, and a token may be a character nobody can see (a joiner, a
// variation selector, a combining accent on its own), so each becomes a visible sign:
// - whitespace: ␣ for a space, ↵ ␍ → for line ends and tabs, ⍽ for a no-break space, ⟨U+XXXX⟩ for any other;
// - invisible characters by name: ⟨ZWJ⟩ (zero width joiner), ⟨VS16⟩ (variation selector 16), ⟨ZWSP⟩, ...;
// - a flag's letters: ⟨regional indicator J⟩ (two of them make 🇯🇵; one alone is no flag);
// - a combining mark with no letter before it: ⟨combining acute ◌́⟩ (after a letter it is drawn on it).
// A regex word has none of these and shows exactly as it is. The end-of-piece marker </w> stays.

const SIGNS = new Map([[" ", "␣"], ["\n", "↵"], ["\r", "␍"], ["\t", "→"], ["\u00a0", "⍽"]]);
const INVISIBLE = new Map([
  ["\u200d", ["ZWJ", "zero width joiner"]], ["\u200c", ["ZWNJ", "zero width non-joiner"]],
  ["\u200b", ["ZWSP", "zero width space"]], ["\u2060", ["WJ", "word joiner"]], ["\ufeff", ["BOM", "byte order mark"]],
  ["\u00ad", ["SHY", "soft hyphen"]], ["\u200e", ["LRM", "left-to-right mark"]], ["\u200f", ["RLM", "right-to-left mark"]],
  ["\u034f", ["CGJ", "combining grapheme joiner"]], ["\u2061", ["FA", "function application"]],
]);
const MARK_NAMES = new Map([
  ["\u0300", "grave"], ["\u0301", "acute"], ["\u0302", "circumflex"], ["\u0303", "tilde"], ["\u0304", "macron"],
  ["\u0306", "breve"], ["\u0307", "dot above"], ["\u0308", "diaeresis"], ["\u030a", "ring above"],
  ["\u030b", "double acute"], ["\u030c", "caron"], ["\u0323", "dot below"], ["\u0327", "cedilla"], ["\u0328", "ogonek"],
  ["\u20e3", "enclosing keycap"],
]);
const isRegionalIndicator = (ch) => ch >= "\u{1f1e6}" && ch <= "\u{1f1ff}";
const hex = (ch) => ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
const WHITESPACE = /\s/u;
const MARK = /\p{M}/u;
const SPECIAL = /[\s\u200b-\u200f\u00ad\u034f\u2060-\u2064\ufeff\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u{1f1e6}-\u{1f1ff}\u{e0020}-\u{e007f}\p{M}]/u;

/** The name of a character a reader cannot see on its own, or null for one that shows as itself
 *  (`alone`: nothing before it that a combining mark could sit on). */
export function characterName(ch, alone = true) {
  const code = ch.codePointAt(0);
  if (INVISIBLE.has(ch)) return INVISIBLE.get(ch)[1];
  if (code >= 0xfe00 && code <= 0xfe0f) return `variation selector ${code - 0xfe00 + 1}`;
  if (code >= 0xe0100 && code <= 0xe01ef) return `variation selector ${code - 0xe0100 + 17}`;
  if (code >= 0x1f1e6 && code <= 0x1f1ff) return `regional indicator ${String.fromCharCode(65 + code - 0x1f1e6)}`;
  if (code >= 0xe0020 && code <= 0xe007f) return `tag ${code === 0xe007f ? "cancel" : String.fromCharCode(code - 0xe0000)}`;
  if (alone && MARK.test(ch)) return `combining ${MARK_NAMES.get(ch) ?? `mark U+${hex(ch)}`}`;
  return null;
}

function sign(ch, alone) {
  if (SIGNS.has(ch)) return SIGNS.get(ch);
  if (INVISIBLE.has(ch)) return `⟨${INVISIBLE.get(ch)[0]}⟩`;
  const code = ch.codePointAt(0);
  if (code >= 0xfe00 && code <= 0xfe0f) return `⟨VS${code - 0xfe00 + 1}⟩`;
  if (code >= 0xe0100 && code <= 0xe01ef) return `⟨VS${code - 0xe0100 + 17}⟩`;
  if (WHITESPACE.test(ch)) return `⟨U+${hex(ch)}⟩`;
  const name = characterName(ch, alone);
  if (name === null) return ch;
  return MARK.test(ch) ? `⟨${name} ◌${ch}⟩` : `⟨${name}⟩`;
}

/** Each character of a word with what is drawn for it and its name (null when it shows as itself). A
 *  combining mark is named when it has no visible character to sit on (the start, a sign, a named mark). */
function* labelParts(word) {
  let hasBase = false, pairedFlag = false;
  const chars = [...word];
  for (const [i, ch] of chars.entries()) {
    const isMark = MARK.test(ch) && !INVISIBLE.has(ch);
    const alone = !isMark || !hasBase;
    // two regional indicators together are a flag and show as one; one alone is named
    const flag = isRegionalIndicator(ch) && (pairedFlag || isRegionalIndicator(chars[i + 1] ?? ""));
    pairedFlag = flag && !pairedFlag;
    const shown = flag ? ch : sign(ch, alone);
    yield [ch, shown, SIGNS.has(ch) || flag ? null : characterName(ch, alone) ?? (shown === ch ? null : "white space")];
    if (!isMark) hasBase = shown === ch;
  }
}

/** The label to draw for a word or token. */
export function tokenLabel(word) {
  if (!SPECIAL.test(word)) return word;   // the usual case: nothing to replace
  let out = "";
  for (const [, shown] of labelParts(word)) out += shown;
  return out;
}

/** Every named character in a text, once each, as "⟨ZWJ⟩ zero width joiner (U+200D)" (a hover's details). */
export function namedCharacters(text) {
  const seen = new Map();
  if (!SPECIAL.test(text)) return [];
  for (const [ch, shown, name] of labelParts(text)) {
    if (name !== null && !seen.has(ch)) seen.set(ch, `${shown} ${name} (U+${hex(ch)})`);
  }
  return [...seen.values()];
}

/** What a student typed (a label such as "␣the</w>", or the word itself) → the word of this vocabulary;
 *  anything it does not know comes back as typed, so the server can say so. */
export function labelReader(words) {
  const known = new Set(words);
  const byLabel = new Map(words.map((w) => [tokenLabel(w), w]));
  return (typed) => (known.has(typed) ? typed : byLabel.get(typed) ?? typed);
}
