// The three stages of BPE for one text, one box per pre-tokenizer piece: the piece as cut (its
// leading space shown as ␣), the piece as base symbols, and its tokens after the merges. Each box
// holds all three, so a reader sees that no token ever spans two boxes: merges never cross a piece.
import { tokenLabel as visible } from "../tokenlabel.js";
import { tokenBody } from "./tokenview.js";

const STAGES = [["text", "piece"], ["symbols", "base symbols"], ["tokens", "tokens after merges"]];

const symbol = (token) => tokenBody(token, "sym");

/** answer: /api/tokenize/pipeline's {pieces: [{text, start, symbols, tokens}], pieces_total}. */
export function renderPipeline(container, answer) {
  const legend = document.createElement("div");
  legend.className = "piece legend-piece";
  legend.setAttribute("aria-hidden", "true");
  for (const [, label] of STAGES) {
    const row = document.createElement("div");
    row.className = "stage";
    row.textContent = label;
    legend.appendChild(row);
  }
  const boxes = answer.pieces.map((piece) => {
    const box = document.createElement("div");
    box.className = "piece";
    box.dataset.piece = piece.text;
    box.dataset.start = piece.start;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", `piece “${visible(piece.text)}”: ${piece.symbols.length} symbols, ${piece.tokens.length} tokens`);
    for (const [key] of STAGES) {
      const row = document.createElement("div");
      row.className = `stage ${key}`;
      if (key === "text") row.textContent = visible(piece.text);
      else row.append(...piece[key].map(symbol));
      box.appendChild(row);
    }
    return box;
  });
  container.replaceChildren(legend, ...boxes);
  if (answer.pieces_total > answer.pieces.length) {
    const more = document.createElement("p");
    more.className = "explain";
    more.textContent = `… and ${(answer.pieces_total - answer.pieces.length).toLocaleString("en")} more pieces (the first ${answer.pieces.length} are shown).`;
    container.appendChild(more);
  }
}
