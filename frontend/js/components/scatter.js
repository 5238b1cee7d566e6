// Canvas scatter of every word's 2-D position, animated between steps, with the center word's
// trail and force arrows. Canvas because a run can have many points.

import { placeLabels } from "../labelplace.js";
import { pixelsPerUnit } from "../mapframe.js";
import { color } from "../theme.js";

const PAD = 28;             // px around the drawn frame
const BOLD_PX = 13;         // the step's words, at the page's normal type size (presentation mode scales it)
const SMALL_PX = 11;        // any other word, where it fits

export class Scatter {
  constructor(canvas, { onPick, onDraw } = {}) {
    this.canvas = canvas;
    this.onDraw = onDraw;
    this.ctx = canvas.getContext("2d");
    this.drawn = null;       // positions currently on screen (Float64Array, flat x/y)
    this.frame = 0;
    this.scene = null;
    this.widths = new Map();
    this.fixedScale = null;
    canvas.addEventListener("click", (event) => {
      const index = this.pick(event.offsetX, event.offsetY);
      if (index >= 0 && onPick) onPick(index);
    });
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  setWords(words) { this.words = words; this.drawn = null; this.widths.clear(); }

  /** The part of the plane drawn (the page chooses: the step's words, every word at this step, the run). */
  setBounds(bounds) { this.bounds = bounds; }

  /** Pixels per unit for both axes, or null to fit the bounds: two maps side by side share one scale. */
  setScale(scale) { this.fixedScale = scale; }

  /** Pixels per unit the bounds would get if this map chose for itself. */
  fittedScale(bounds = this.bounds) { return pixelsPerUnit(bounds, this.width, this.height, PAD); }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.width = width; this.height = height;
    // Labels follow the page's type size, so presentation mode's larger type reaches the map too.
    const scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1;
    this.fonts = { bold: `bold ${Math.round(BOLD_PX * scale)}px system-ui, sans-serif`, small: `${Math.round(SMALL_PX * scale)}px system-ui, sans-serif`,
                   boldPx: BOLD_PX * scale, smallPx: SMALL_PX * scale };
    this.widths.clear();
    if (this.scene) this.draw(this.drawn ?? this.scene.positions);
  }

  toPixel(x, y) {
    const { minX, maxX, minY, maxY } = this.bounds;
    const s = this.fixedScale ?? this.fittedScale();
    const ox = (this.width - s * (maxX - minX)) / 2, oy = (this.height - s * (maxY - minY)) / 2;
    return [ox + (x - minX) * s, this.height - (oy + (y - minY) * s), s];
  }

  pick(px, py) {
    if (!this.drawn) return -1;
    let best = -1, bestDistance = 14 * 14;
    for (let i = 0; i < this.drawn.length / 2; i++) {
      const [x, y] = this.toPixel(this.drawn[2 * i], this.drawn[2 * i + 1]);
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d < bestDistance) { bestDistance = d; best = i; }
    }
    return best;
  }

  /** scene: {positions, center, context, negatives, selected, labelled (the words always labelled, in order),
   *  otherLabels (false: none for the rest), trail: [x, y][], arrows: [{dx, dy, color}], scale (arrow magnification),
   *  outputs: null or a second point set {positions, origin: [x, y], marked: [{index, color, label, guide}]}}. */
  render(scene, animateMs = 0) {
    this.scene = scene;
    cancelAnimationFrame(this.frame);
    const target = Float64Array.from(scene.positions);
    if (!this.drawn || animateMs <= 0 || this.drawn.length !== target.length) {
      this.drawn = target;
      this.draw(target);
      return;
    }
    const from = this.drawn, start = performance.now();
    const tick = (now) => {
      const t = Math.min(1, (now - start) / animateMs), e = t * (2 - t);
      const current = new Float64Array(target.length);
      for (let i = 0; i < target.length; i++) current[i] = from[i] + (target[i] - from[i]) * e;
      this.drawn = current;
      this.draw(current);
      if (t < 1) this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  draw(positions) {
    if (!this.width || !this.bounds) return;
    const started = performance.now();
    this.paint(positions);
    this.onDraw?.(performance.now() - started);
  }

  paint(positions) {
    const { ctx, scene } = this;
    ctx.clearRect(0, 0, this.width, this.height);
    const marked = new Map([[scene.selected, color("--select")], [scene.context, color("--context")], [scene.center, color("--center")]]);
    for (const id of scene.negatives ?? []) if (!marked.has(id)) marked.set(id, color("--repel"));
    marked.delete(-1); marked.delete(undefined); marked.delete(null);
    const pixels = [];
    for (let i = 0; i < positions.length / 2; i++) pixels.push(this.toPixel(positions[2 * i], positions[2 * i + 1]));
    const outputs = scene.outputs && this.outputPixels(scene.outputs);
    const labels = this.placeLabels(pixels, marked, outputs);
    ctx.fillStyle = color("--point");
    for (let i = 0; i < pixels.length; i++) {
      if (marked.has(i)) continue;
      ctx.beginPath(); ctx.arc(pixels[i][0], pixels[i][1], 2.6, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.font = this.fonts.small; ctx.fillStyle = color("--label");
    for (const label of labels) if (!label.required) ctx.fillText(label.text, label.x, label.y + label.h - 3);
    if (outputs) this.paintOutputs(outputs);
    if (scene.trail?.length > 1) {
      ctx.strokeStyle = color("--center"); ctx.globalAlpha = 0.45; ctx.lineWidth = 1.5;
      ctx.beginPath();
      scene.trail.forEach(([tx, ty], k) => { const [x, y] = this.toPixel(tx, ty); k ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
      ctx.stroke(); ctx.globalAlpha = 1;
    }
    for (const [i, fill] of marked) {
      ctx.fillStyle = fill;
      ctx.beginPath(); ctx.arc(pixels[i][0], pixels[i][1], i === scene.center || i === scene.context ? 5.5 : 4.5, 0, 2 * Math.PI); ctx.fill();
    }
    for (const { x, y, color: fill } of outputs?.marked ?? []) drawDiamond(ctx, x, y, 6.5, fill, true);
    ctx.font = this.fonts.bold;
    for (const label of labels) {
      if (!label.required) continue;
      ctx.fillStyle = label.color;
      if (label.leader) {
        ctx.strokeStyle = label.color; ctx.lineWidth = 1; ctx.globalAlpha = 0.6;
        ctx.beginPath(); ctx.moveTo(label.px, label.py);
        ctx.lineTo(Math.max(label.x, Math.min(label.x + label.w, label.px)), Math.max(label.y, Math.min(label.y + label.h, label.py)));
        ctx.stroke(); ctx.globalAlpha = 1;
      }
      ctx.fillText(label.text, label.x, label.y + label.h - 4);
    }
    const arrows = [];
    const [cx, cy, s] = scene.center >= 0 && scene.center < pixels.length ? pixels[scene.center] : [null, null, this.toPixel(0, 0)[2]];
    if (cx !== null && scene.arrows) {
      for (const arrow of scene.arrows) {
        const x1 = cx + arrow.dx * s * scene.scale, y1 = cy - arrow.dy * s * scene.scale;
        drawArrow(ctx, cx, cy, x1, y1, arrow.color);
        arrows.push({ x0: cx, y0: cy, x1, y1 });
      }
    }
    // What was drawn where, in CSS pixels: read by the browser tests against the run's files (a data
    // attribute, so nothing but the page's own DOM carries it).
    this.geometry = { center: cx === null ? null : [cx, cy], arrows, pixelsPerUnit: s, arrowScale: scene.scale,
                      bounds: this.bounds, width: this.width, height: this.height,
                      labels: labels.map(({ text, x, y, w, h, required, index }) => ({ text, x, y, w, h, required, index })),
                      crowded: this.crowded,
                      outputs: outputs && { count: outputs.all.length, origin: outputs.origin,
                                            marked: outputs.marked.map(({ index, x, y }) => ({ index, x, y })) } };
    this.canvas.dataset.geometry = JSON.stringify(this.geometry);
  }

  /** Every label to draw, none over another: the step's words (scene.labelled, in order) and the marked output
   *  vectors always, with a leader line when they had to move away; any other word only where its label fits. */
  placeLabels(pixels, marked, outputs) {
    const { scene, words } = this, { bold, small } = this.fonts;
    const boldHeight = Math.ceil(this.fonts.boldPx * 1.25), smallHeight = Math.ceil(this.fonts.smallPx * 1.2);
    const items = [], meta = [];
    const inView = ([x, y]) => x >= 0 && y >= 0 && x <= this.width && y <= this.height;
    const required = (scene.labelled ?? [...marked.keys()]).filter((i) => i < pixels.length && inView(pixels[i]));
    for (const i of required) {
      items.push({ x: pixels[i][0], y: pixels[i][1], width: this.widthOf(words[i], bold), height: boldHeight, required: true });
      meta.push({ text: words[i], index: i, color: marked.get(i) ?? color("--ink") });
    }
    for (const m of outputs?.marked ?? []) {
      if (!inView([m.x, m.y])) continue;
      items.push({ x: m.x, y: m.y, width: this.widthOf(m.label, bold), height: boldHeight, required: true });
      meta.push({ text: m.label, index: -1, color: m.color });
    }
    const named = new Set(required);
    if (scene.otherLabels !== false) {
      for (let i = 0; i < pixels.length; i++) {
        if (named.has(i) || !inView(pixels[i])) continue;
        items.push({ x: pixels[i][0], y: pixels[i][1], width: this.widthOf(words[i], small), height: smallHeight, required: false });
        meta.push({ text: words[i], index: i });
      }
    }
    const dots = [...marked.keys()].filter((i) => i < pixels.length).map((i) => ({ x: pixels[i][0] - 6, y: pixels[i][1] - 6, w: 12, h: 12 }));
    if (outputs) dots.push({ x: outputs.origin[0] - 7, y: outputs.origin[1] - 7, w: 20, h: 22 });   // the origin's cross and its "0"
    const { boxes, crowded } = placeLabels(items, { width: this.width, height: this.height, obstacles: dots });
    this.crowded = crowded;
    return boxes.map((box, k) => box && { ...box, ...meta[k], required: items[k].required, px: items[k].x, py: items[k].y })
      .filter(Boolean);
  }

  /** A label's width in a font, measured once per word. */
  widthOf(text, font) {
    const key = `${font}|${text}`;
    if (!this.widths.has(key)) { this.ctx.font = font; this.widths.set(key, this.ctx.measureText(text).width); }
    return this.widths.get(key);
  }

  /** The output layer in pixels: every point, the origin, and the marked ones with their labels and guides. */
  outputPixels({ positions, origin, marked }) {
    const all = [];
    for (let i = 0; i < positions.length / 2; i++) all.push(this.toPixel(positions[2 * i], positions[2 * i + 1]));
    return { all, origin: this.toPixel(...origin).slice(0, 2),
             marked: marked.map((m) => ({ ...m, x: all[m.index][0], y: all[m.index][1] })) };
  }

  /** Output vectors as hollow diamonds (the words are dots), the origin as a cross, and a dashed guide from
   *  the origin to each marked vector that has one: the attractive arrow is parallel to it. */
  paintOutputs({ all, origin, marked }) {
    const { ctx } = this;
    const markedIds = new Set(marked.map((m) => m.index));
    for (let i = 0; i < all.length; i++) if (!markedIds.has(i)) drawDiamond(ctx, all[i][0], all[i][1], 3.4, color("--output"), false);
    const [ox, oy] = origin;
    ctx.strokeStyle = color("--ink"); ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(ox - 6, oy); ctx.lineTo(ox + 6, oy); ctx.moveTo(ox, oy - 6); ctx.lineTo(ox, oy + 6); ctx.stroke();
    ctx.font = this.fonts.small; ctx.fillStyle = color("--ink");
    ctx.fillText("0", ox + 4, oy + 13);
    ctx.setLineDash([5, 4]); ctx.lineWidth = 1.6;
    for (const { x, y, guide } of marked) {
      if (!guide) continue;
      ctx.strokeStyle = guide;
      ctx.beginPath(); ctx.moveTo(ox, oy); ctx.lineTo(x, y); ctx.stroke();
    }
    ctx.setLineDash([]);
  }
}

function drawDiamond(ctx, x, y, r, fill, solid) {
  ctx.beginPath();
  ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
  if (solid) { ctx.fillStyle = fill; ctx.fill(); ctx.strokeStyle = color("--canvas"); ctx.lineWidth = 1; ctx.stroke(); }
  else { ctx.strokeStyle = fill; ctx.lineWidth = 1.2; ctx.stroke(); }
}

function drawArrow(ctx, x0, y0, x1, y1, color) {
  const angle = Math.atan2(y1 - y0, x1 - x0), length = Math.hypot(x1 - x0, y1 - y0);
  ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2.2;
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  if (length < 3) return;
  const head = Math.min(9, length / 2);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle - 0.4), y1 - head * Math.sin(angle - 0.4));
  ctx.lineTo(x1 - head * Math.cos(angle + 0.4), y1 - head * Math.sin(angle + 0.4));
  ctx.closePath(); ctx.fill();
}
