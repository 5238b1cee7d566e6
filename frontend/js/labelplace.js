// Where the word map's labels go, so that no two overlap: the labels a step needs (its center, context,
// negatives, neighbours, the selected word) are placed first and always, moving further from their point
// (with a leader line) until they find room; every other word is labelled only where a label fits beside
// its dot. Pure geometry in CSS pixels, no canvas (tests/js/labelplace.test.mjs).

const GAP = 6;        // px between a point and its label
const RINGS = 12;     // rings of candidate places a required label tries, each further out
const RING_STEP = 14; // px between rings
const CELL = 32;      // px, the spatial hash's cell

/** Axis-aligned boxes overlap (touching edges do not). */
export const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Placed boxes, hashed by cell so that a check looks only at its neighbourhood. */
class Occupancy {
  constructor() { this.cells = new Map(); }

  *keys({ x, y, w, h }) {
    for (let i = Math.floor(x / CELL); i <= Math.floor((x + w) / CELL); i++) {
      for (let j = Math.floor(y / CELL); j <= Math.floor((y + h) / CELL); j++) yield `${i},${j}`;
    }
  }

  free(box) {
    for (const key of this.keys(box)) for (const other of this.cells.get(key) ?? []) if (overlaps(box, other)) return false;
    return true;
  }

  add(box) {
    for (const key of this.keys(box)) {
      if (!this.cells.has(key)) this.cells.set(key, []);
      this.cells.get(key).push(box);
    }
  }
}

/** Candidate boxes for a w×h label of the point (x, y), nearest first: right, left, above and below it. */
function* candidates(x, y, w, h, rings) {
  for (let ring = 0; ring < rings; ring++) {
    const g = GAP + ring * RING_STEP;
    yield* [[x + g, y - g - h + 4], [x + g, y + g - 4], [x - g - w, y - g - h + 4], [x - g - w, y + g - 4],
      [x - w / 2, y - g - h], [x - w / 2, y + g], [x + g, y - h / 2], [x - g - w, y - h / 2]]
      .map(([bx, by]) => ({ x: bx, y: by, w, h, leader: ring > 0 }));
  }
}

/**
 * items: [{x, y, width, height, required}] (a label's text size and its point), required ones first.
 * obstacles: boxes no label may cover (the marked dots). bounds: {width, height} of the drawing.
 * Returns, per item, its box {x, y, w, h, leader} or null where an optional label did not fit. A required
 * label that finds no free place in any ring is placed at its first candidate inside the drawing and
 * counted in `crowded` (never seen on the teaching runs: tests check it stays 0).
 */
export function placeLabels(items, { width, height, obstacles = [] }) {
  const taken = new Occupancy();
  obstacles.forEach((box) => taken.add(box));
  const inside = (b) => b.x >= 0 && b.y >= 0 && b.x + b.w <= width && b.y + b.h <= height;
  let crowded = 0;
  const boxes = items.map(({ x, y, width: w, height: h, required }) => {
    let chosen = null;
    for (const box of candidates(x, y, w, h, required ? RINGS : 1)) {
      if (inside(box) && taken.free(box)) { chosen = box; break; }
    }
    if (!chosen && required) {
      crowded += 1;
      chosen = [...candidates(x, y, w, h, 1)].find(inside) ?? { x, y, w, h, leader: false };
    }
    if (chosen) taken.add(chosen);
    return chosen;
  });
  return { boxes, crowded };
}
