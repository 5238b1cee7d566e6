// "Which word is nearest to X?": the explorer's question for a class (questions.js), built from the run's
// answers: the true nearest word by cosine and three words from the run's content words that are not
// among X's nearest, so a student who has read the map can tell them apart.

const DISTRACTORS = 3;

/** Three words of `pool`, spread over it (frequent and rarer ones), none of them `word` nor in `near`. */
export function distractors(word, near, pool, count = DISTRACTORS) {
  const excluded = new Set([word, ...near]);
  const free = pool.filter((w) => !excluded.has(w));
  if (free.length <= count) return free;
  return Array.from({ length: count }, (_, i) => free[Math.floor(((i + 0.5) * free.length) / count)]);
}

/** The question: choices in alphabetical order (the answer is not always first), the answer the nearest
 *  word, the reason with every choice's cosine. cosines: word → cos(word, X); label: how a word is shown. */
export function nearestQuestion({ run, word, nearest, others, cosines, label = (w) => w }) {
  const choices = [nearest, ...others].sort((a, b) => (label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : 0));
  const rest = others.map((w) => `${label(w)} ${cosines[w].toFixed(3)}`).join(", ");
  return {
    id: `nearest:${run}:${word}`,
    prompt: `Which word is nearest to "${label(word)}" in ${run}?`,
    kind: "choice",
    choices: choices.map((w) => ({ value: w, label: label(w) })),
    answer: nearest,
    reason: `${label(nearest)} is nearest to ${label(word)} (cosine ${cosines[nearest].toFixed(3)}); ${rest}.`,
  };
}
