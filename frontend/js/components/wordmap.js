// The vocabulary map: every word as a point on a canvas, with pan (drag), zoom (wheel around the cursor,
// two-finger pinch on a phone), hover, fly-to, colour by frequency, highlighted words, and labels that
// never overlap. Labels take the canvas's CSS font size (larger in presentation mode) and the ink colour
// on a projector. Built for 10,000 points: one rect per point in a few colour batches, text widths
// measured once per word and font, label collisions checked on an occupancy grid of the screen.
// What it drew is on the canvas for tests and tools: data-view, data-highlight, data-labels; each frame's
// cost is a "wordmap draw" performance measure.

import { fitView, pinchView, toScreen, zoomAt } from "../mapview.js";
import { color } from "../theme.js";

const SHADES = 6;             // frequency colour steps, from --map-rare to --map-frequent
const MAX_LABELS = 220;       // labels per frame, most frequent first (after the highlighted words)
const CELL = 4;               // px: the label collision grid (a label takes every cell its box touches)
const MAX_TRIES = 3000;       // words in view tried for a label per frame
const PICK_RADIUS = 10;

function mix(hexA, hexB, t) {
  const a = parseInt(hexA.slice(1), 16), b = parseInt(hexB.slice(1), 16);
  const channel = (shift) => Math.round(((a >> shift) & 255) * (1 - t) + ((b >> shift) & 255) * t);
  return `rgb(${channel(16)}, ${channel(8)}, ${channel(0)})`;
}

export class WordMap {
  constructor(canvas, { onPick, onHover, onView } = {}) {
    Object.assign(this, { canvas, onPick, onHover, onView });
    this.ctx = canvas.getContext("2d");
    this.words = [];
    this.xy = new Float32Array(0);
    this.view = { x: 0, y: 0, scale: 1 };     // data point at the canvas centre, pixels per data unit
    this.highlight = new Map();                // index → "query" | "neighbor"
    this.hovered = -1;
    this.pending = 0;
    this.widths = new Map();
    this.pointers = new Map();                 // pointer id → [x, y]: one drags, two pinch
    this.wantFit = null;                       // a fit asked for before the canvas had a size
    this.frames = 0;
    this.bindPointer();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  /** words: string[], counts: number[] (colour by frequency), xy: flat [x0, y0, x1, y1, …]. */
  setData(words, counts, xy) {
    this.words = words;
    const logs = counts.map((c) => Math.log(Math.max(1, c)));
    const lo = Math.min(...logs), hi = Math.max(...logs);
    const shade = logs.map((l) => Math.min(SHADES - 1, Math.floor(((l - lo) / (hi - lo || 1)) * SHADES)));
    this.buckets = Array.from({ length: SHADES }, (_, s) => Int32Array.from(shade.flatMap((v, i) => (v === s ? [i] : []))));
    this.palette = Array.from({ length: SHADES }, (_, i) => mix(color("--map-rare"), color("--map-frequent"), i / (SHADES - 1)));
    this.setPositions(xy);
  }

  /** New positions for the same words (another layout, another checkpoint); the view stays. */
  setPositions(xy) {
    this.xy = Float32Array.from(xy);
    this.requestDraw();
  }

  /** The view that shows the points as large as the canvas allows; `trim` leaves that share of outliers out
   *  at each end of each axis (mapview.js fitView), 0 shows every point. */
  fit(trim = 0.01) {
    if (!this.width) { this.wantFit = trim; return; }   // laid out later: resize() fits then
    this.setView(fitView(this.xy, this.width, this.height, { trim }));
  }

  setView(view) {
    this.wantFit = null;
    this.view = { ...view };
    this.requestDraw();
    this.onView?.(this.view);
  }

  /** Moves the view to centre a word, zoomed in so that its neighborhood fills the map. */
  flyTo(index, ms = 400) {
    const from = { ...this.view }, to = { x: this.xy[2 * index], y: this.xy[2 * index + 1], scale: Math.max(from.scale, this.zoomFor()) };
    const start = performance.now();
    const step = (now) => {
      const t = Math.min(1, (now - start) / ms), e = t * (2 - t);
      this.setView({ x: from.x + (to.x - from.x) * e, y: from.y + (to.y - from.y) * e,
                     scale: from.scale * (to.scale / from.scale) ** e });
      if (t < 1) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  zoomFor() {
    const fitted = Math.min(this.width, this.height) / 2;
    let spread = 0;
    for (let i = 0; i < this.xy.length; i += 2) spread = Math.max(spread, Math.abs(this.xy[i]), Math.abs(this.xy[i + 1]));
    return (fitted / (spread || 1)) * 4;
  }

  toScreen(i) {
    return toScreen(this.view, this.width, this.height, this.xy[2 * i], this.xy[2 * i + 1]);
  }

  /** For scatteraccess.js's keyboard path: the drawn positions and the pixel of a data point. */
  get drawn() { return this.xy; }

  toPixel(x, y) { return toScreen(this.view, this.width, this.height, x, y); }

  /** Zooms by `factor` around the canvas centre (the + and − keys). */
  zoom(factor) { this.setView(zoomAt(this.view, this.width, this.height, this.width / 2, this.height / 2, factor)); }

  /** The word nearest the pixel (within PICK_RADIUS), from the positions of the last frame drawn. */
  pick(px, py) {
    const { sx, sy } = this;
    let best = -1, bestDistance = PICK_RADIUS * PICK_RADIUS;
    for (let i = 0; i < (sx?.length ?? 0); i++) {
      const d = (sx[i] - px) ** 2 + (sy[i] - py) ** 2;
      if (d < bestDistance) { bestDistance = d; best = i; }
    }
    return best;
  }

  bindPointer() {
    const c = this.canvas;
    let drag = null, pinch = null;
    const at = (e) => [e.offsetX, e.offsetY];
    c.addEventListener("pointerdown", (e) => {
      this.pointers.set(e.pointerId, at(e));
      c.setPointerCapture(e.pointerId);
      if (this.pointers.size === 2) {   // a second finger: the drag becomes a pinch
        drag = null;
        pinch = { start: [...this.pointers.values()], view: { ...this.view } };
      } else if (this.pointers.size === 1) drag = { x: e.clientX, y: e.clientY, view: { ...this.view }, moved: false };
    });
    c.addEventListener("pointermove", (e) => {
      if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, at(e));
      if (pinch && this.pointers.size === 2) {
        this.setView(pinchView(pinch.view, pinch.start, [...this.pointers.values()], this.width, this.height));
        return;
      }
      if (drag) {
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        const s = drag.view.scale;
        this.setView({ x: drag.view.x - dx / s, y: drag.view.y + dy / s, scale: s });
        return;
      }
      const hit = this.pick(e.offsetX, e.offsetY);
      if (hit !== this.hovered) {
        this.hovered = hit;
        this.requestDraw();
        this.onHover?.(hit, e);
      }
    });
    const release = (e) => {
      this.pointers.delete(e.pointerId);
      if (pinch) { if (this.pointers.size === 0) pinch = null; return; }   // lifting from a pinch picks nothing
      if (drag && !drag.moved && e.type === "pointerup") {
        const hit = this.pick(e.offsetX, e.offsetY);
        if (hit >= 0) this.onPick?.(hit);
      }
      drag = null;
    };
    c.addEventListener("pointerup", release);
    c.addEventListener("pointercancel", release);
    c.addEventListener("pointerleave", () => { if (!drag && this.hovered >= 0) { this.hovered = -1; this.requestDraw(); this.onHover?.(-1); } });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.setView(zoomAt(this.view, this.width, this.height, e.offsetX, e.offsetY, Math.exp(-e.deltaY * 0.0015)));
    }, { passive: false });
  }

  /** The drawing buffer follows the canvas's content box (inside its border), so that a data point is drawn,
   *  picked and reported at the same CSS pixel. */
  resize() {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth, height = this.canvas.clientHeight;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.ratio = ratio;
    this.width = width; this.height = height;
    if (this.wantFit !== null && width) this.fit(this.wantFit);
    this.requestDraw();
  }

  requestDraw() {
    if (!this.pending) this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  textWidth(i) {
    let w = this.widths.get(i);
    if (w === undefined) { w = this.ctx.measureText(this.words[i]).width; this.widths.set(i, w); }
    return w;
  }

  /** The label font: the canvas's CSS font size (presentation mode enlarges it); widths are re-measured on change. */
  labelFont() {
    const size = parseFloat(getComputedStyle(this.canvas).fontSize) || 12;
    if (size !== this.fontSize) { this.fontSize = size; this.widths.clear(); }
    return `${size}px system-ui, sans-serif`;
  }

  draw() {
    if (!this.width) return;
    const started = performance.now();
    const { ctx, width, height } = this;
    ctx.font = this.labelFont();
    const dot = Math.max(2, this.fontSize / 6);   // a point's half side: larger with the labels
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const n = this.words.length, { x: vx, y: vy, scale } = this.view, xy = this.xy;
    const sx = (this.sx?.length === n ? this.sx : (this.sx = new Float32Array(n)));
    const sy = (this.sy?.length === n ? this.sy : (this.sy = new Float32Array(n)));
    for (let i = 0; i < n; i++) {
      sx[i] = width / 2 + (xy[2 * i] - vx) * scale;
      sy[i] = height / 2 - (xy[2 * i + 1] - vy) * scale;
    }
    this.buckets.forEach((bucket, shade) => {   // one path and one fill per colour: rare words first, frequent on top
      ctx.fillStyle = this.palette[shade];
      ctx.beginPath();
      for (const i of bucket) {
        const x = sx[i], y = sy[i];
        if (x > -4 && y > -4 && x < width + 4 && y < height + 4) ctx.rect(x - dot, y - dot, 2 * dot, 2 * dot);
      }
      ctx.fill();
    });
    for (const [i, kind] of this.highlight) {
      ctx.fillStyle = color(kind === "query" ? "--center" : "--select");
      ctx.beginPath(); ctx.arc(sx[i], sy[i], (kind === "query" ? 3 : 2.25) * dot, 0, 2 * Math.PI); ctx.fill();
    }
    this.drawLabels(sx, sy);
    if (this.hovered >= 0) {
      ctx.strokeStyle = color("--ink"); ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(sx[this.hovered], sy[this.hovered], 3.5 * dot, 0, 2 * Math.PI); ctx.stroke();
    }
    performance.measure("wordmap draw", { start: started });
    if (++this.frames % 2000 === 0) performance.clearMeasures("wordmap draw");   // a long lesson keeps no backlog
    this.describe();
  }

  /** What the frame shows, on the canvas's data- attributes (read by tests; no page logic reads them): the
   *  view, the highlighted words, and each label as [word, point x, point y, box x0, y0, x1, y1] in CSS pixels. */
  describe() {
    const view = this.view, round = (v) => Number(v.toPrecision(6)), px = (v) => Math.round(v * 10) / 10;
    this.canvas.dataset.view = JSON.stringify({ x: round(view.x), y: round(view.y), scale: round(view.scale) });
    this.canvas.dataset.highlight = JSON.stringify([...this.highlight.keys()].map((i) => this.words[i]));
    this.canvas.dataset.labels = JSON.stringify(this.labelled.map((i, j) => [this.words[i], px(this.sx[i]), px(this.sy[i]),
                                                                             ...this.labelBoxes[j]]));
  }

  /** Greedy placement: the hovered and highlighted words first, then the words in view by frequency
   * (lower id first). A label takes the grid cells its box touches and is drawn only if they are all
   * free, so labels never overlap. Sets `labelled` and `labelBoxes` (screen boxes [x0, y0, x1, y1]). */
  drawLabels(sx, sy) {
    const { ctx, width, height } = this;
    ctx.textBaseline = "middle";
    const half = Math.ceil(this.fontSize * 0.6), gap = Math.ceil(this.fontSize / 2.4);
    const columns = Math.ceil(width / CELL) + 1, rows = Math.ceil(height / CELL) + 1;
    const taken = new Uint8Array(columns * rows);
    const placed = [], boxes = [];
    const projector = document.documentElement.classList.contains("presentation");
    const inks = [color("--ink"), color(projector ? "--ink" : "--label")];
    const tryPlace = (i, forced) => {
      let x0 = sx[i] + gap, y0 = sy[i] - half;
      if (forced && sx[i] >= 0 && sy[i] >= 0 && sx[i] <= width && sy[i] <= height) {   // a marked word near an edge:
        if (x0 + this.textWidth(i) >= width) x0 = sx[i] - gap - this.textWidth(i);      // its label on the other side,
        y0 = Math.min(Math.max(y0, 0), height - 2 * half - 1);                          // inside the canvas
      }
      const x1 = x0 + this.textWidth(i), y1 = y0 + 2 * half;
      if (x0 < 0 || y0 < 0 || x1 >= width || y1 >= height) return false;
      const c0 = Math.floor(x0 / CELL), c1 = Math.floor(x1 / CELL), r0 = Math.floor(y0 / CELL), r1 = Math.floor(y1 / CELL);
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (taken[r * columns + c]) return false;
      for (let r = r0; r <= r1; r++) taken.fill(1, r * columns + c0, r * columns + c1 + 1);
      placed.push(i); boxes.push([x0, y0, x1, y1].map((v) => Math.round(v * 10) / 10));
      ctx.fillStyle = forced ? inks[0] : inks[1];
      ctx.fillText(this.words[i], x0, y0 + half);
      return true;
    };
    const first = [this.hovered, ...this.highlight.keys()].filter((i) => i >= 0);
    for (const i of first) tryPlace(i, true);
    const skip = new Set(first);
    for (let i = 0, tried = 0; i < this.words.length && placed.length < MAX_LABELS && tried < MAX_TRIES; i++) {
      if (skip.has(i) || sx[i] < 0 || sy[i] < 0 || sx[i] > width || sy[i] > height) continue;
      tried++;
      tryPlace(i, false);
    }
    this.labelled = placed;
    this.labelBoxes = boxes;
  }
}
