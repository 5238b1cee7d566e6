// Tokens as coloured chips with visible boundaries: each drawn by tokenLabel (whitespace as ␣ ↵ →, invisible
// characters by name), the end-of-piece marker shown small, the id under each token. The covered input
// text rides along in data-text.
import { tokenLabel } from "../tokenlabel.js";

const COLOURS = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad"];
export const END_OF_WORD = "</w>";

/** A token's text without the end-of-piece marker, and whether it had one. */
export function splitMarker(token) {
  const ends = token.endsWith(END_OF_WORD);
  return [ends ? token.slice(0, -END_OF_WORD.length) : token, ends];
}

/** The token's body: its label, and the marker in small type when it ends a piece. */
export function tokenBody(token, className = "t") {
  const body = document.createElement("span");
  body.className = className;
  const [text, ends] = splitMarker(token);
  body.textContent = tokenLabel(text);
  if (ends) {
    const marker = document.createElement("small");
    marker.className = "ws";
    marker.textContent = END_OF_WORD;
    body.appendChild(marker);
  }
  return body;
}

// Drawing is bounded: a 100 KB paste is some 25,000 tokens, and laying out that many chips takes the
// browser seconds per update; the figures above the chips still count every token.
export const MAX_CHIPS = 5000;

export function renderTokens(container, tokens) {
  const fragment = document.createDocumentFragment();
  tokens.slice(0, MAX_CHIPS).forEach((token, i) => {
    const span = document.createElement("span");
    span.className = "tok";
    span.style.background = COLOURS[i % COLOURS.length];
    span.dataset.index = i;
    span.dataset.id = token.id;
    span.dataset.text = token.text;
    const id = document.createElement("span");
    id.className = "id";
    id.textContent = token.id;
    span.append(tokenBody(token.token), id);
    fragment.appendChild(span);
    if (token.text.includes("\n")) fragment.appendChild(document.createElement("br"));
  });
  if (tokens.length > MAX_CHIPS) {
    const more = document.createElement("p");
    more.className = "explain more-tokens";
    more.textContent = `… and ${(tokens.length - MAX_CHIPS).toLocaleString("en")} more tokens (the first ${MAX_CHIPS.toLocaleString("en")} are drawn; the figures count all).`;
    fragment.appendChild(more);
  }
  container.replaceChildren(fragment);
}
