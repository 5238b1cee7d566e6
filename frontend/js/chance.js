// What cosine similarity random vectors have by chance: in few dimensions it is large, so the nearest
// neighbours of an untrained (random) W look meaningful when they are not. The walkthrough shows these
// numbers beside its neighbour list. No DOM (tests/js/chance.test.mjs).

/** ln Γ(x) for x a positive multiple of ½ (all the dimensions need): from Γ(½) = √π, Γ(1) = 1, Γ(x + 1) = x·Γ(x). */
function logGammaHalf(x) {
  let value = Number.isInteger(x) ? 0 : 0.5 * Math.log(Math.PI), at = Number.isInteger(x) ? 1 : 0.5;
  for (; at < x; at += 1) value += Math.log(at);
  return value;
}

/** E|cos θ| of two independent random directions in d dimensions: Γ(d/2) / (√π·Γ((d+1)/2)). */
export function meanAbsCosine(d) {
  return Math.exp(logGammaHalf(d / 2) - logGammaHalf((d + 1) / 2)) / Math.sqrt(Math.PI);
}

/** A small seeded generator (mulberry32): the same numbers on every screen of a class. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussianVector(random, d) {
  const v = new Float64Array(d);
  for (let i = 0; i < d; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random())), angle = 2 * Math.PI * random();
    v[i] = r * Math.cos(angle);
    if (i + 1 < d) v[i + 1] = r * Math.sin(angle);
  }
  const length = Math.hypot(...v);
  return v.map((x) => x / length);
}

/** The median, over `trials` random words, of the highest cosine between a random word and `others` random
 *  words in d dimensions (Gaussian vectors, seeded): what "nearest neighbour" means for a random W. */
export function chanceNearest(d, others, { trials = 101, seed = 1 } = {}) {
  const random = generator(seed), best = [];
  for (let t = 0; t < trials; t++) {
    const word = gaussianVector(random, d);
    let top = -1;
    for (let k = 0; k < others; k++) {
      const other = gaussianVector(random, d);
      let c = 0;
      for (let i = 0; i < d; i++) c += word[i] * other[i];
      if (c > top) top = c;
    }
    best.push(top);
  }
  best.sort((a, b) => a - b);
  return best[(trials - 1) >> 1];
}
