// SVG loss curve: a teaching run's loss at every step (drawn as per-pixel means) and a moving average, or a
// corpus run's loss per chunk of training; the uniform guess's loss as a dashed baseline; a marker at the
// step shown. The vertical axis covers what is drawn (lossaxis.js), so a small fall is seen.
import { lossAxis } from "../lossaxis.js";
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
    if (!onPick) { svg.setAttribute("role", "img"); return; }  // a chart to read, not to steer (the other run's)
    svg.setAttribute("role", "slider");
    svg.setAttribute("aria-valuemin", 1);
    svg.setAttribute("aria-valuenow", 1);
    svg.tabIndex = 0;
    svg.addEventListener("mousedown", (event) => event.preventDefault());  // clicking jumps; Tab gives it the keys
    svg.addEventListener("keydown", (event) => {
      const tenth = Math.max(1, Math.round(this.last / 10));
      const action = event.key in NUDGE ? () => onNudge?.(NUDGE[event.key])
        : event.key === "PageUp" ? () => onJump?.(tenth) : event.key === "PageDown" ? () => onJump?.(-tenth)
          : event.key === "Home" ? () => onPick(1) : event.key === "End" ? () => onPick(this.last) : null;
      if (!action || !this.last) return;
      event.preventDefault();
      action();
    });
    svg.addEventListener("click", (event) => {
      const box = svg.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * W;
      const step = Math.round(((x - PAD.l) / (W - PAD.l - PAD.r)) * (this.last - 1)) + 1;
      if (step >= 1 && step <= this.last) onPick(step);
    });
  }

  /**
   * losses: a teaching run's loss at every step (step s is losses[s − 1]); or, with `at`, a corpus run's
   * points (the mean loss of each chunk of training, at the step it ends), drawn as they are.
   * baseline: the uniform guess's loss, drawn dashed with baselineLabel. this.axis says where the axis starts.
   */
  setData(losses, { at = null, baseline = null, baselineLabel = "", smoothing = 0.99 } = {}) {
    this.svg.replaceChildren();
    this.at = at;
    this.losses = losses;
    this.last = at ? at[at.length - 1] : losses.length;
    this.x = (step) => PAD.l + ((step - 1) / Math.max(1, this.last - 1)) * (W - PAD.l - PAD.r);
    let lines;
    if (at) {
      lines = [{ points: losses.map((v, i) => [at[i], v]), stroke: color("--accent"), width: 2.2 }];
      this.averages = null;
    } else {
      const averages = new Float64Array(losses.length);
      let ema = losses[0];
      losses.forEach((v, i) => { ema = smoothing * ema + (1 - smoothing) * v; averages[i] = ema; });
      const buckets = Math.min(W - PAD.l - PAD.r, losses.length), raw = [], smooth = [];
      for (let b = 0; b < buckets; b++) {
        const lo = Math.floor((b * losses.length) / buckets), hi = Math.max(lo + 1, Math.floor(((b + 1) * losses.length) / buckets));
        let sum = 0; for (let i = lo; i < hi; i++) sum += losses[i];
        const step = (lo + hi) / 2 + 0.5;
        raw.push([step, sum / (hi - lo)]);
        smooth.push([step, averages[hi - 1]]);
      }
      lines = [{ points: raw, stroke: color("--curve-raw"), width: 1 }, { points: smooth, stroke: color("--accent"), width: 2.2 }];
      this.averages = averages;
    }
    this.axis = lossAxis(lines.flatMap((line) => line.points.map(([, v]) => v)), { baseline });
    const { min, max } = this.axis;
    this.y = (v) => PAD.t + (1 - (Math.min(max, Math.max(min, v)) - min) / (max - min)) * (H - PAD.t - PAD.b);
    const digits = this.axis.ticks.some((t) => Math.abs(t * 10 - Math.round(t * 10)) > 1e-9) ? 2 : 1;
    for (const tick of this.axis.ticks) {
      el("line", { x1: PAD.l, x2: W - PAD.r, y1: this.y(tick), y2: this.y(tick), stroke: color("--grid") }, this.svg);
      el("text", { x: PAD.l - 5, y: this.y(tick) + 4, "text-anchor": "end", "font-size": 11, fill: color("--muted") }, this.svg)
        .textContent = tick.toFixed(digits);
    }
    const muted = { "font-size": 11, fill: color("--muted") };
    el("text", { x: W - PAD.r, y: H - 5, "text-anchor": "end", ...muted }, this.svg).textContent = `step ${this.last.toLocaleString("en")}`;
    el("text", { x: PAD.l, y: H - 5, ...muted }, this.svg).textContent = "step 1";
    if (baseline !== null) {
      el("line", { class: "baseline", x1: PAD.l, x2: W - PAD.r, y1: this.y(baseline), y2: this.y(baseline), stroke: color("--muted"),
                   "stroke-width": 1.2, "stroke-dasharray": "3 4" }, this.svg);
      el("text", { class: "baseline-label", x: W - PAD.r - 4, y: this.y(baseline) - 5, "text-anchor": "end", ...muted, "font-size": 13 }, this.svg)
        .textContent = baselineLabel;
    }
    for (const { points, stroke, width } of lines) {
      const d = points.map(([step, v], i) => `${i ? "L" : "M"}${this.x(step).toFixed(1)},${this.y(v).toFixed(1)}`).join("");
      el("path", { d, fill: "none", stroke, "stroke-width": width }, this.svg);
    }
    this.marker = el("line", { y1: PAD.t, y2: H - PAD.b, stroke: color("--center"), "stroke-width": 2 }, this.svg);
    this.dot = el("circle", { r: 4.5, fill: color("--center") }, this.svg);
    if (this.svg.getAttribute("role") === "slider") this.svg.setAttribute("aria-valuemax", this.last);
  }

  /** A corpus run's point for step `step`: the chunk of training that holds it. */
  pointAt(step) {
    const i = this.at.findIndex((pairs) => pairs >= step);
    return i < 0 ? this.at.length - 1 : i;
  }

  setMarker(step) {
    const x = this.x(step);
    this.marker.setAttribute("x1", x); this.marker.setAttribute("x2", x);
    let loss, text;
    if (this.at) {
      const i = this.pointAt(step);
      loss = this.losses[i];
      this.dot.setAttribute("cx", this.x(this.at[i]));
      text = `step ${step} of ${this.last}: the chunk of training that holds it had a mean loss ${loss.toFixed(4)} `
        + `(from ${this.losses[0].toFixed(4)} in the first chunk to ${this.losses.at(-1).toFixed(4)} in the last)`;
    } else {
      loss = this.losses[step - 1];
      this.dot.setAttribute("cx", x);
      text = `step ${step} of ${this.last}: loss ${loss.toFixed(4)}, moving average ${this.averages[step - 1].toFixed(4)} `
        + `(from ${this.averages[0].toFixed(4)} at step 1 to ${this.averages[this.last - 1].toFixed(4)} at step ${this.last})`;
    }
    this.dot.setAttribute("cy", this.y(loss));
    if (this.svg.getAttribute("role") !== "slider") { this.svg.setAttribute("aria-label", `loss curve, ${text}`); return; }
    this.svg.setAttribute("aria-valuenow", step);
    this.svg.setAttribute("aria-valuetext", text);
  }
}
