// Canvas scatter of every word's 2-D position, animated between steps, with the center word's
// trail and force arrows. Canvas because a run can have many points.

import { color } from "../theme.js";

export class Scatter {
  constructor(canvas, { onPick, onDraw } = {}) {
    this.canvas = canvas;
    this.onDraw = onDraw;
    this.ctx = canvas.getContext("2d");
    this.drawn = null;       // positions currently on screen (Float64Array, flat x/y)
    this.frame = 0;
    this.scene = null;
    canvas.addEventListener("click", (event) => {
      const index = this.pick(event.offsetX, event.offsetY);
      if (index >= 0 && onPick) onPick(index);
    });
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  setWords(words) { this.words = words; this.drawn = null; }

  /** Fixed axes for the whole run, so that motion on screen is motion in the projection. */
  setBounds(bounds) { this.bounds = bounds; }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.width = width; this.height = height;
    if (this.scene) this.draw(this.drawn ?? this.scene.positions);
  }

  toPixel(x, y) {
    const { minX, maxX, minY, maxY } = this.bounds;
    const pad = 28;
    const sx = (this.width - 2 * pad) / (maxX - minX || 1), sy = (this.height - 2 * pad) / (maxY - minY || 1);
    const s = Math.min(sx, sy);
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

  /** scene: {positions, center, context, selected, trail: [x, y][], arrows: [{dx, dy, color, label}], scale,
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
    const { ctx, scene, words } = this;
    ctx.clearRect(0, 0, this.width, this.height);
    const marked = new Map([[scene.selected, color("--select")], [scene.context, color("--context")], [scene.center, color("--center")]]);
    marked.delete(-1); marked.delete(undefined); marked.delete(null);
    const pixels = [];
    for (let i = 0; i < positions.length / 2; i++) pixels.push(this.toPixel(positions[2 * i], positions[2 * i + 1]));
    const labels = new LabelGrid(this.width, this.height);
    ctx.font = "bold 13px system-ui, sans-serif";
    const placed = new Map([...marked.keys()].map((i) => [i, placeLabel(labels, pixels[i][0], pixels[i][1], ctx.measureText(words[i]).width)]));
    const outputs = scene.outputs && this.outputPixels(scene.outputs);
    for (const m of outputs?.marked ?? []) m.at = placeLabel(labels, m.x, m.y, ctx.measureText(m.label).width);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = color("--point");
    for (let i = 0; i < pixels.length; i++) {
      if (marked.has(i)) continue;
      ctx.beginPath(); ctx.arc(pixels[i][0], pixels[i][1], 2.6, 0, 2 * Math.PI); ctx.fill();
    }
    // Grey labels only where they do not cover another label: readable with hundreds of words.
    ctx.fillStyle = color("--label");
    for (let i = 0; i < pixels.length; i++) {
      const [x, y] = pixels[i];
      if (!marked.has(i) && labels.claim(x + 4, y - 13, ctx.measureText(words[i]).width, 13)) ctx.fillText(words[i], x + 4, y - 3);
    }
    if (outputs) this.paintOutputs(outputs);
    if (scene.trail?.length > 1) {
      ctx.strokeStyle = color("--center"); ctx.globalAlpha = 0.45; ctx.lineWidth = 1.5;
      ctx.beginPath();
      scene.trail.forEach(([tx, ty], k) => { const [x, y] = this.toPixel(tx, ty); k ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
      ctx.stroke(); ctx.globalAlpha = 1;
    }
    ctx.font = "bold 13px system-ui, sans-serif";
    for (const [i, color] of marked) {
      const [x, y] = pixels[i];
      ctx.fillStyle = color;
      ctx.beginPath(); ctx.arc(x, y, 5.5, 0, 2 * Math.PI); ctx.fill();
      ctx.fillText(words[i], ...placed.get(i));
    }
    for (const { x, y, color, label, at } of outputs?.marked ?? []) {
      drawDiamond(ctx, x, y, 6.5, color, true);
      ctx.fillStyle = color;
      ctx.fillText(label, ...at);
    }
    const arrows = [];
    if (scene.center >= 0 && scene.arrows) {
      const [cx, cy, s] = pixels[scene.center];
      for (const arrow of scene.arrows) {
        const x1 = cx + arrow.dx * s * scene.scale, y1 = cy - arrow.dy * s * scene.scale;
        drawArrow(ctx, cx, cy, x1, y1, arrow.color);
        arrows.push({ x0: cx, y0: cy, x1, y1 });
      }
    }
    // What was drawn where, in CSS pixels: read by the browser tests against the run's files.
    this.geometry = { center: scene.center >= 0 ? pixels[scene.center].slice(0, 2) : null, arrows,
                      outputs: outputs && { count: outputs.all.length, origin: outputs.origin,
                                            marked: outputs.marked.map(({ index, x, y }) => ({ index, x, y })) } };
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
    ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = color("--ink");
    ctx.fillText("0", ox + 4, oy + 13);
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.setLineDash([5, 4]); ctx.lineWidth = 1.6;
    for (const { x, y, guide } of marked) {
      if (!guide) continue;
      ctx.strokeStyle = guide;
      ctx.beginPath(); ctx.moveTo(ox, oy); ctx.lineTo(x, y); ctx.stroke();
    }
    ctx.setLineDash([]);
  }
}

/** Where a marked point's label goes: above right, below right, above left or below left of it, the first
 *  place no other label holds yet (above right when all are taken). Returns the text's baseline origin. */
function placeLabel(labels, x, y, width) {
  const places = [[x + 7, y - 6], [x + 7, y + 16], [x - 7 - width, y - 6], [x - 7 - width, y + 16]];
  return places.find(([tx, ty]) => labels.claim(tx, ty - 12, width, 16)) ?? places[0];
}

function drawDiamond(ctx, x, y, r, fill, solid) {
  ctx.beginPath();
  ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
  if (solid) { ctx.fillStyle = fill; ctx.fill(); ctx.strokeStyle = color("--canvas"); ctx.lineWidth = 1; ctx.stroke(); }
  else { ctx.strokeStyle = fill; ctx.lineWidth = 1.2; ctx.stroke(); }
}

/** Occupancy of label boxes on a coarse grid: claim() succeeds only where no label is yet. */
class LabelGrid {
  constructor(width, height, cell = 8) {
    this.cell = cell;
    this.columns = Math.ceil(width / cell) + 1;
    this.used = new Uint8Array(this.columns * (Math.ceil(height / cell) + 1));
  }

  claim(x, y, w, h) {
    const c = this.cell, x0 = Math.max(0, Math.floor(x / c)), x1 = Math.min(this.columns - 1, Math.floor((x + w) / c));
    const y0 = Math.max(0, Math.floor(y / c)), y1 = Math.floor((y + h) / c);
    const rows = this.used.length / this.columns;
    if (y1 >= rows || x0 > x1) return false;
    for (let r = y0; r <= y1; r++) for (let k = x0; k <= x1; k++) if (this.used[r * this.columns + k]) return false;
    for (let r = y0; r <= y1; r++) for (let k = x0; k <= x1; k++) this.used[r * this.columns + k] = 1;
    return true;
  }
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

/** Bounds over every recorded step of a projection: the axes stay put while the words move. */
export function boundsOf(timeline, kind) {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const chunk of timeline) {
    for (const row of chunk[kind]) {
      for (let i = 0; i < row.length; i += 2) {
        const x = row[i], y = row[i + 1];
        if (x < minX) minX = x; if (x > maxX) maxX = x;
        if (y < minY) minY = y; if (y > maxY) maxY = y;
      }
    }
  }
  return { minX, maxX, minY, maxY };
}
