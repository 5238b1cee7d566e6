// The explorer's word boxes: what a student types ("king, queen cat") as words of the run, and words
// back as text. A word's label never holds whitespace (tokenlabel.js shows a token's space as ␣), so
// whitespace always separates; a comma separates too, unless the piece is itself a word of the run
// (a BPE run has the tokens ",</w>" and ","), so "king,queen" is two words and ",</w>" is one.

/** The words of `text`, in order, each once; `known(piece)` says whether a piece is a word (label) of the run. */
export function parseWords(text, known = () => false) {
  const words = [];
  for (const piece of String(text).split(/\s+/)) {
    if (!piece) continue;
    if (known(piece)) { words.push(piece); continue; }
    for (const part of piece.split(",")) if (part) words.push(part);
  }
  return [...new Set(words)];
}

/** Words as the box and the URL show them: ", " between them, or a space when a word holds a comma. */
export function formatWords(words) {
  return words.join(words.some((w) => w.includes(",")) ? " " : ", ");
}
