// SVG loss curve: every step's loss (drawn as per-pixel means), a smoothed average, and a marker.
import { color } from "../theme.js";

const NS = "http://www.w3.org/2000/svg";
const W = 1000, H = 200, PAD = { l: 44, r: 8, t: 8, b: 22 };

function el(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  parent?.appendChild(node);
  return node;
}

// The curve's keyboard path: it is a slider over the steps. Arrows move one recorded step (onNudge),
// Page Up/Down a tenth of the run (onJump, in steps), Home/End the first and the last step (onPick).
const NUDGE = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };

export class LossChart {
  constructor(svg, { onPick, onNudge, onJump } = {}) {
    this.svg = svg;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("role", "slider");
    svg.setAttribute("aria-valuemin", 1);
    svg.setAttribute("aria-valuenow", 1);
    svg.tabIndex = 0;
    svg.addEventListener("mousedown", (event) => event.preventDefault());  // clicking jumps; Tab gives it the keys
    svg.addEventListener("keydown", (event) => {
      const tenth = Math.max(1, Math.round(this.n / 10));
      const action = event.key in NUDGE ? () => onNudge?.(NUDGE[event.key])
        : event.key === "PageUp" ? () => onJump?.(tenth) : event.key === "PageDown" ? () => onJump?.(-tenth)
          : event.key === "Home" ? () => onPick?.(1) : event.key === "End" ? () => onPick?.(this.n) : null;
      if (!action || !this.n) return;
      event.preventDefault();
      action();
    });
    svg.addEventListener("click", (event) => {
      const box = svg.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * W;
      const step = Math.round(((x - PAD.l) / (W - PAD.l - PAD.r)) * (this.n - 1)) + 1;
      if (onPick && step >= 1 && step <= this.n) onPick(step);
    });
  }

  setData(losses, smoothing = 0.99) {
    this.n = losses.length;
    this.svg.replaceChildren();
    const max = Math.max(...losses.slice(0, Math.min(losses.length, 5000))) * 1.02, min = 0;
    this.y = (v) => PAD.t + (1 - (v - min) / (max - min)) * (H - PAD.t - PAD.b);
    this.x = (step) => PAD.l + ((step - 1) / Math.max(1, this.n - 1)) * (W - PAD.l - PAD.r);
    for (const tick of [0, max / 2, max]) {
      el("line", { x1: PAD.l, x2: W - PAD.r, y1: this.y(tick), y2: this.y(tick), stroke: color("--grid") }, this.svg);
      el("text", { x: PAD.l - 5, y: this.y(tick) + 4, "text-anchor": "end", "font-size": 11, fill: color("--muted") }, this.svg).textContent = tick.toFixed(1);
    }
    el("text", { x: W - PAD.r, y: H - 5, "text-anchor": "end", "font-size": 11, fill: color("--muted") }, this.svg).textContent = `step ${this.n}`;
    el("text", { x: PAD.l, y: H - 5, "font-size": 11, fill: color("--muted") }, this.svg).textContent = "step 1";
    const buckets = Math.min(W - PAD.l - PAD.r, losses.length);
    let raw = "", smooth = "", ema = losses[0];
    const emaAt = new Float64Array(losses.length);
    losses.forEach((v, i) => { ema = smoothing * ema + (1 - smoothing) * v; emaAt[i] = ema; });
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * losses.length) / buckets), hi = Math.max(lo + 1, Math.floor(((b + 1) * losses.length) / buckets));
      let sum = 0; for (let i = lo; i < hi; i++) sum += losses[i];
      const step = (lo + hi) / 2 + 0.5;
      raw += `${b ? "L" : "M"}${this.x(step).toFixed(1)},${this.y(sum / (hi - lo)).toFixed(1)}`;
      smooth += `${b ? "L" : "M"}${this.x(step).toFixed(1)},${this.y(emaAt[hi - 1]).toFixed(1)}`;
    }
    el("path", { d: raw, fill: "none", stroke: color("--curve-raw"), "stroke-width": 1 }, this.svg);
    el("path", { d: smooth, fill: "none", stroke: color("--accent"), "stroke-width": 2.2 }, this.svg);
    this.marker = el("line", { y1: PAD.t, y2: H - PAD.b, stroke: color("--center"), "stroke-width": 2 }, this.svg);
    this.dot = el("circle", { r: 4.5, fill: color("--center") }, this.svg);
    this.losses = losses;
    this.emaAt = emaAt;
    this.svg.setAttribute("aria-valuemax", this.n);
  }

  /** A second run's smoothed loss on the same axes (side by side), or none. */
  setOverlay(losses, smoothing = 0.99) {
    this.overlay?.remove();
    this.overlay = null;
    if (!losses || !this.losses) return;
    let path = "", ema = losses[0];
    const stride = Math.max(1, Math.floor(losses.length / (W - PAD.l - PAD.r)));
    losses.forEach((v, i) => {
      ema = smoothing * ema + (1 - smoothing) * v;
      if (i % stride === 0 && i < this.n) path += `${path ? "L" : "M"}${this.x(i + 1).toFixed(1)},${this.y(ema).toFixed(1)}`;
    });
    this.overlay = el("path", { d: path, fill: "none", stroke: color("--repel"), "stroke-width": 2.2, "stroke-dasharray": "6 4" });
    this.svg.insertBefore(this.overlay, this.marker);
  }

  setMarker(step) {
    const x = this.x(step);
    this.marker.setAttribute("x1", x); this.marker.setAttribute("x2", x);
    this.dot.setAttribute("cx", x); this.dot.setAttribute("cy", this.y(this.losses[step - 1]));
    this.svg.setAttribute("aria-valuenow", step);
    this.svg.setAttribute("aria-valuetext", `step ${step} of ${this.n}: loss ${this.losses[step - 1].toFixed(4)}, `
      + `moving average ${this.emaAt[step - 1].toFixed(4)} (from ${this.emaAt[0].toFixed(4)} at step 1 `
      + `to ${this.emaAt[this.n - 1].toFixed(4)} at step ${this.n})`);
  }
}
