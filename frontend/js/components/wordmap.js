// The vocabulary map: every word as a point on a canvas, with pan (drag), zoom (wheel, around the
// cursor), hover, fly-to, colour by frequency, highlighted words, and labels that never overlap.
// Built for 10,000 points: one fillRect per point in a few colour batches, text widths measured once
// per word, label collisions checked on an occupancy grid of the screen.

import { color } from "../theme.js";

const SHADES = 6;             // frequency colour steps, from --map-rare to --map-frequent
const LABEL_FONT = "11px system-ui, sans-serif";
const MAX_LABELS = 220;       // labels per frame, most frequent first (after the highlighted words)
const CELL_W = 4, CELL_H = 7;  // px: the label collision grid (a label takes every cell its box touches)
const MAX_TRIES = 3000;       // words in view tried for a label per frame
const PICK_RADIUS = 10;

function mix(hexA, hexB, t) {
  const a = parseInt(hexA.slice(1), 16), b = parseInt(hexB.slice(1), 16);
  const channel = (shift) => Math.round(((a >> shift) & 255) * (1 - t) + ((b >> shift) & 255) * t);
  return `rgb(${channel(16)}, ${channel(8)}, ${channel(0)})`;
}

export class WordMap {
  constructor(canvas, { onPick, onHover, onView, onDraw } = {}) {
    Object.assign(this, { canvas, onPick, onHover, onView, onDraw });
    this.ctx = canvas.getContext("2d");
    this.words = [];
    this.xy = new Float32Array(0);
    this.view = { x: 0, y: 0, scale: 1 };     // data point at the canvas centre, pixels per data unit
    this.highlight = new Map();                // index → "query" | "neighbor"
    this.hovered = -1;
    this.pending = 0;
    this.widths = new Map();
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

  /** The view that shows every point. */
  fit() {
    if (!this.width) { this.wantFit = true; return; }   // laid out later: resize() fits then
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < this.xy.length; i += 2) {
      minX = Math.min(minX, this.xy[i]); maxX = Math.max(maxX, this.xy[i]);
      minY = Math.min(minY, this.xy[i + 1]); maxY = Math.max(maxY, this.xy[i + 1]);
    }
    const pad = 30;
    const scale = Math.min((this.width - 2 * pad) / (maxX - minX || 1), (this.height - 2 * pad) / (maxY - minY || 1));
    this.setView({ x: (minX + maxX) / 2, y: (minY + maxY) / 2, scale });
  }

  setView(view) {
    this.wantFit = false;
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
    const { x, y, scale } = this.view;
    return [this.width / 2 + (this.xy[2 * i] - x) * scale, this.height / 2 - (this.xy[2 * i + 1] - y) * scale];
  }

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
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, view: { ...this.view }, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
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
    c.addEventListener("pointerup", (e) => {
      if (drag && !drag.moved) {
        const hit = this.pick(e.offsetX, e.offsetY);
        if (hit >= 0) this.onPick?.(hit);
      }
      drag = null;
    });
    c.addEventListener("pointerleave", () => { if (!drag && this.hovered >= 0) { this.hovered = -1; this.requestDraw(); this.onHover?.(-1); } });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const factor = Math.exp(-e.deltaY * 0.0015);
      const { x, y, scale } = this.view;
      const mx = x + (e.offsetX - this.width / 2) / scale, my = y - (e.offsetY - this.height / 2) / scale;
      const s = scale * factor;   // keep the data point under the cursor where it is
      this.setView({ x: mx - (e.offsetX - this.width / 2) / s, y: my + (e.offsetY - this.height / 2) / s, scale: s });
    }, { passive: false });
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.ratio = ratio;
    this.width = width; this.height = height;
    if (this.wantFit) this.fit();
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

  draw() {
    if (!this.width) return;
    const started = performance.now();
    const { ctx, width, height } = this;
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
        if (x > -4 && y > -4 && x < width + 4 && y < height + 4) ctx.rect(x - 2, y - 2, 4, 4);
      }
      ctx.fill();
    });
    for (const [i, kind] of this.highlight) {
      ctx.fillStyle = color(kind === "query" ? "--center" : "--select");
      ctx.beginPath(); ctx.arc(sx[i], sy[i], kind === "query" ? 6 : 4.5, 0, 2 * Math.PI); ctx.fill();
    }
    this.drawLabels(sx, sy);
    if (this.hovered >= 0) {
      ctx.strokeStyle = color("--ink"); ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(sx[this.hovered], sy[this.hovered], 7, 0, 2 * Math.PI); ctx.stroke();
    }
    this.onDraw?.(performance.now() - started);
  }

  /** Greedy placement: the hovered and highlighted words first, then the words in view by frequency
   * (lower id first). A label takes the grid cells its box touches and is drawn only if they are all
   * free, so labels never overlap. Sets `labelled` and `labelBoxes` (read by the tests). */
  drawLabels(sx, sy) {
    const { ctx, width, height } = this;
    ctx.font = LABEL_FONT;
    ctx.textBaseline = "middle";
    const columns = Math.ceil(width / CELL_W) + 1, rows = Math.ceil(height / CELL_H) + 1;
    const taken = new Uint8Array(columns * rows);
    const placed = [], boxes = [];
    const tryPlace = (i, forced) => {
      const x0 = sx[i] + 5, y0 = sy[i] - 7, x1 = x0 + this.textWidth(i), y1 = sy[i] + 7;
      if (x0 < 0 || y0 < 0 || x1 >= width || y1 >= height) return false;
      const c0 = Math.floor(x0 / CELL_W), c1 = Math.floor(x1 / CELL_W), r0 = Math.floor(y0 / CELL_H), r1 = Math.floor(y1 / CELL_H);
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (taken[r * columns + c]) return false;
      for (let r = r0; r <= r1; r++) taken.fill(1, r * columns + c0, r * columns + c1 + 1);
      placed.push(i); boxes.push([x0, y0, x1, y1]);
      ctx.fillStyle = forced ? color("--ink") : color("--label");
      ctx.fillText(this.words[i], x0, sy[i]);
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
