// The embedding scatter without a mouse: a text alternative of what the canvas shows, and a keyboard
// path for point picking (arrow keys pick the nearest word in that direction, as a click would).
// Reads the Scatter's drawn positions and its own pixel mapping; it draws nothing itself.
import { describeKeys } from "../keyboard.js";

const NEAREST = 5;  // on-screen neighbors named in the text alternative
const DIRECTIONS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Indices of the `count` words nearest to word `target` in the 2-D projection (flat x/y positions). */
export function nearestOnScreen(positions, target, count = NEAREST) {
  const x = positions[2 * target], y = positions[2 * target + 1], order = [];
  for (let i = 0; i < positions.length / 2; i++) {
    if (i !== target) order.push([i, (positions[2 * i] - x) ** 2 + (positions[2 * i + 1] - y) ** 2]);
  }
  return order.sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, count).map(([i]) => i);
}

/** What the scatter shows, as one paragraph: the marked words and the words nearest to the followed one. */
export function describeScatter(words, positions, { step, center, context, selected = -1 }) {
  const followed = selected >= 0 ? selected : center;
  const parts = [`Embedding space at step ${step}: ${words.length} words projected to 2-D.`,
    `Center word ${words[center]}, context word ${words[context]}.`];
  if (selected >= 0 && selected !== center) parts.push(`Selected word ${words[selected]}.`);
  const near = nearestOnScreen(positions, followed).map((i) => words[i]);
  parts.push(`Nearest on screen to ${words[followed]}: ${near.join(", ")}.`);
  return parts.join(" ");
}

/** The word nearest to `from` within ±45° of an arrow key's direction, in screen pixels (-1 if none). */
function nextInDirection(pixels, from, [dx, dy]) {
  const [fx, fy] = pixels[from];
  let best = -1, bestScore = Infinity;
  pixels.forEach(([x, y], i) => {
    const along = (x - fx) * dx + (y - fy) * dy, across = Math.abs((x - fx) * dy - (y - fy) * dx);
    if (i === from || along <= 0 || across > along) return;
    const score = along + 2 * across;
    if (score < bestScore) { bestScore = score; best = i; }
  });
  return best;
}

/** Makes the scatter's canvas focusable: arrows pick a word (onPick(index)), Escape calls onClear.
 *  current() is the index of the word the picking starts from (the selected word, else the center). */
export function bindScatterKeys(canvas, scatter, { current, onPick, onClear, help }) {
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", "word map");
  describeKeys(canvas, help);
  canvas.addEventListener("mousedown", (event) => event.preventDefault());  // a click picks but does not take the page's keys
  canvas.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); onClear(); return; }
    const direction = DIRECTIONS[event.key];
    if (!direction || !scatter.drawn) return;
    event.preventDefault();
    const drawn = scatter.drawn, pixels = [];
    for (let i = 0; i < drawn.length / 2; i++) pixels.push(scatter.toPixel(drawn[2 * i], drawn[2 * i + 1]));
    const next = nextInDirection(pixels, current(), direction);
    if (next >= 0) onPick(next);
  });
}
