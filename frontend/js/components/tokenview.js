// Tokens as coloured spans with visible boundaries: whitespace drawn as ␣ ↵ →, the end-of-piece
// marker shown small, the id under each token. The covered input text rides along in data-text.

const COLOURS = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad"];
const END_OF_WORD = "</w>";

export const visible = (text) => text.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "→").replace(/\r/g, "␍");

export function renderTokens(container, tokens) {
  const fragment = document.createDocumentFragment();
  tokens.forEach((token, i) => {
    const span = document.createElement("span");
    span.className = "tok";
    span.style.background = COLOURS[i % COLOURS.length];
    span.dataset.index = i;
    span.dataset.id = token.id;
    span.dataset.text = token.text;
    const body = document.createElement("span");
    body.className = "t";
    const ends = token.token.endsWith(END_OF_WORD);
    body.textContent = visible(ends ? token.token.slice(0, -END_OF_WORD.length) : token.token);
    if (ends) {
      const marker = document.createElement("small");
      marker.className = "ws";
      marker.textContent = END_OF_WORD;
      body.appendChild(marker);
    }
    const id = document.createElement("span");
    id.className = "id";
    id.textContent = token.id;
    span.append(body, id);
    fragment.appendChild(span);
    if (token.text.includes("\n")) fragment.appendChild(document.createElement("br"));
  });
  container.replaceChildren(fragment);
}
