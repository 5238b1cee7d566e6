// The sliding window over one sentence: dropped words struck out, the window's kept words marked
// around a clicked center, and the (center, context) pairs it produces. DOM, words as text.
import { pressOnKeys } from "../keyboard.js";
import { tokenLabel } from "../tokenlabel.js";

/** Context positions (indices into the kept words) of `center`: trainer/pairs.py's sentence_pairs rule. */
export function windowContexts(keptCount, window, center) {
  const contexts = [];
  for (let j = Math.max(0, center - window); j < Math.min(keptCount, center + window + 1); j++) {
    if (j !== center) contexts.push(j);
  }
  return contexts;
}

/** sentence: {words, dropped}; center: a raw position of a kept word (or -1); onPick(rawPosition). */
export function renderSlidingWindow(wordsBox, pairsBox, sentence, window, center, onPick) {
  const kept = sentence.words.map((_, i) => i).filter((i) => !sentence.dropped[i]);
  const keptCenter = kept.indexOf(center);
  const contexts = keptCenter >= 0 ? windowContexts(kept.length, window, keptCenter).map((j) => kept[j]) : [];
  const inWindow = new Set(contexts);
  wordsBox.replaceChildren(...sentence.words.flatMap((word, i) => {
    if (sentence.dropped[i]) return droppedWord(word, sentence.dropped[i], `${wordsBox.id}-why-${i}`);
    const span = document.createElement("span");
    span.textContent = tokenLabel(word);
    span.className = "w";
    span.tabIndex = 0;
    span.setAttribute("role", "button");
    span.addEventListener("click", () => onPick(i));
    pressOnKeys(span, () => onPick(i));
    if (i === center) span.classList.add("center");
    else if (inWindow.has(i)) span.classList.add("in-window");
    return [span];
  }));
  pairsBox.replaceChildren(...contexts.map((i) => {
    const li = document.createElement("li");
    li.textContent = `${tokenLabel(sentence.words[center])} → ${tokenLabel(sentence.words[i])}`;
    return li;
  }));
  return { pairs: contexts.length, kept: kept.length };
}

/** A struck-out word and, next to it, why it was dropped: read by screen readers in place, shown on
 *  focus (the word is focusable), and as a tooltip on hover. Returns both nodes; whyId must be unique. */
export function droppedWord(word, reason, whyId) {
  const span = document.createElement("span");
  span.textContent = word;
  span.className = "w dropped";
  span.title = `dropped: ${reason}`;
  span.tabIndex = 0;
  span.setAttribute("aria-describedby", whyId);
  const why = document.createElement("span");
  why.className = "why";
  why.id = whyId;
  why.textContent = `(dropped: ${reason})`;
  return [span, why];
}
