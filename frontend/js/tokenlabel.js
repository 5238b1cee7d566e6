// How a page shows a word of a run. A run on BPE tokens keeps each token's leading space (" the</w>")
// and HTML or a canvas label would lose it, so every whitespace character becomes a visible sign: ␣ for
// a space, ↵ ␍ → for line ends and tabs, ⍽ for a no-break space, ⟨U+XXXX⟩ for any other. A regex word
// has no whitespace and shows exactly as it is. The end-of-piece marker </w> stays: it is part of the token.

const SIGNS = new Map([[" ", "␣"], ["\n", "↵"], ["\r", "␍"], ["\t", "→"], ["\u00a0", "⍽"]]);
const WHITESPACE = /\s/gu;
const codePoint = (ch) => `⟨U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`;

/** The label to draw for a word or token. */
export function tokenLabel(word) {
  return word.replace(WHITESPACE, (ch) => SIGNS.get(ch) ?? codePoint(ch));
}

/** What a student typed (a label such as "␣the</w>", or the word itself) → the word of this vocabulary;
 *  anything it does not know comes back as typed, so the server can say so. */
export function labelReader(words) {
  const known = new Set(words);
  const byLabel = new Map(words.map((w) => [tokenLabel(w), w]));
  return (typed) => (known.has(typed) ? typed : byLabel.get(typed) ?? typed);
}
