// What the explorer says about a run, apart from the page: the reason a word was dropped, what the
// similarity histogram and the PCA map show, and the words it opens with. Every sentence is built from
// the run's own numbers, so it is true of the run on screen (and node tests it).

const pct = (v) => `${(100 * v).toFixed(1)}%`;
const two = (v) => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2);   // never "-0.00"

/** A step count as the pages print it: 11486689 → "11,486,689". */
export const formatCount = (n) => Number(n).toLocaleString("en");

/** Why a word of corpus_stats.json's top_dropped went: a stopword, rare (seen under min_count times), or
 *  (a word seen often enough) beyond the max_vocab most frequent words. */
export function droppedReason(count, why, { min_count: minCount, max_vocab: maxVocab }) {
  if (why === "stopword") return "stopword";
  if (count < minCount) return `rare (seen ${formatCount(count)} times, under ${minCount})`;
  return maxVocab ? `beyond the ${formatCount(maxVocab)} most frequent words` : "rare";
}

/** Mean and standard deviation of a histogram, from its bin centres. */
export function histogramMoments(edges, counts) {
  let n = 0, sum = 0, squares = 0;
  counts.forEach((c, b) => { const x = (edges[b] + edges[b + 1]) / 2; n += c; sum += c * x; squares += c * x * x; });
  const mean = n ? sum / n : 0;
  return { mean, sd: n ? Math.sqrt(Math.max(0, squares / n - mean * mean)) : 0 };
}

/** What the before/after histogram shows, for this run. */
export function histogramCaption(view) {
  const before = histogramMoments(view.edges, view.initial), after = histogramMoments(view.edges, view.final);
  const start = `At initialization the ${formatCount(view.pairs)} pairs' cosines have mean ${two(view.mean_initial)} `
    + `(standard deviation ${two(before.sd)}): random vectors are nearly orthogonal, and one-hot vectors would put every pair at exactly 0.`;
  const shift = view.mean_final - view.mean_initial;
  const end = Math.abs(shift) >= 0.1
    ? ` After training the whole distribution moved ${shift > 0 ? "up" : "down"}, to mean ${two(view.mean_final)} `
      + `(standard deviation ${two(after.sd)}): the words share a common direction, so read a pair's cosine against `
      + `${two(view.mean_final)}, not against 0.`
    : ` After training the mean is ${two(view.mean_final)} and the spread ${after.sd > before.sd ? "wider" : "narrower"} `
      + `(standard deviation ${two(after.sd)}): related words moved closer and others apart.`;
  return start + end;
}

/** How much of the vectors' variance the two PCA axes show (map.json's pca_variance). */
export function pcaCaption(variance, dim) {
  const [first, second] = variance;
  return `PCA: the horizontal axis shows ${pct(first)} of the variance, the vertical ${pct(second)} `
    + `(${pct(first + second)} of ${dim} dimensions): distances along them are real, but two words close here may differ `
    + `in the other ${pct(1 - first - second)}.`;
}

/** The words the explorer opens with, from the run's explorer/probes.json (older runs: the first words of its
 *  neighbours view or vocabulary): neighbour queries, an analogy, a pair. */
export function runDefaults({ probes, neighbors, vocab }) {
  const queries = probes?.queries?.length ? probes.queries : (neighbors?.words ?? vocab.words).slice(0, 4);
  const analogy = probes?.first_analogy ?? null;
  const pair = probes?.first_pair ? [probes.first_pair.a, probes.first_pair.b] : [queries[0], queries[1] ?? queries[0]];
  return { queries, analogy: analogy && [analogy.a, analogy.b, analogy.c], pair };
}

/** convergence.json rows for the table: the given words first, then the rest by frequency, at most `count`. */
export function convergenceRows(view, first, count = 15) {
  const order = [...new Set([...first.filter((w) => w in view.words), ...Object.keys(view.words)])].slice(0, count);
  const middle = Math.floor((view.steps.length - 1) / 2);
  return order.map((word) => {
    const w = view.words[word];
    const settled = w.converged_step !== null && w.converged_step !== undefined ? formatCount(w.converged_step)
      : w.cosine_to_final[0] >= view.threshold ? "never moved" : "still moving";
    return [word, w.cosine_to_final[0].toFixed(3), w.cosine_to_final[middle].toFixed(3), settled];
  });
}
