// SVG line chart of measured points (x, y) for one or more series, with axes, a legend and an optional
// vertical marker. Every point is drawn as a dot carrying data-series, data-x and data-y (the values
// as given), with a title, so a reader can hover it and a test can read it.
import { color } from "../theme.js";
import { svgElement as el } from "./svg.js";

const W = 640, H = 300, PAD = { l: 48, r: 28, t: 46, b: 40 };

/** Round tick values: about `count` of them from 0 (or min) to max. */
function ticks(min, max, count = 5) {
  const raw = (max - min) / count, magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export class XYChart {
  /** series: [{key, label, colour (a CSS variable), dash}]; xLabel and yLabel name the axes. */
  constructor(svg, { series, xLabel, yLabel, description }) {
    Object.assign(this, { svg, series, xLabel, yLabel });
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", description);
  }

  /** rows: objects with an x field and one field per series key; `extent` ({xMin, xMax, yMax}) fixes the
   *  axes, so a curve drawn point by point grows inside them instead of rescaling. */
  setData(rows, xKey, extent = {}) {
    this.svg.replaceChildren();
    this.rows = rows;
    if (!rows.length) return;
    const xs = rows.map((r) => r[xKey]), ys = rows.flatMap((r) => this.series.map((s) => r[s.key]));
    const xMin = extent.xMin ?? Math.min(...xs), xMax = extent.xMax ?? Math.max(...xs);
    const yMax = (extent.yMax ?? Math.max(...ys)) * 1.05 || 1;
    this.x = (v) => PAD.l + ((v - xMin) / (xMax - xMin || 1)) * (W - PAD.l - PAD.r);
    const y = (v) => PAD.t + (1 - v / yMax) * (H - PAD.t - PAD.b);
    for (const t of ticks(0, yMax)) {
      el("line", { x1: PAD.l, x2: W - PAD.r, y1: y(t), y2: y(t), stroke: color("--grid") }, this.svg);
      el("text", { x: PAD.l - 6, y: y(t) + 4, "text-anchor": "end", "font-size": 13, fill: color("--muted") }, this.svg, t);
    }
    for (const t of ticks(xMin, xMax, 6)) {
      el("text", { x: this.x(t), y: H - PAD.b + 17, "text-anchor": "middle", "font-size": 13, fill: color("--muted") },
         this.svg, t.toLocaleString("en"));
    }
    el("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 4, "text-anchor": "middle", "font-size": 13, fill: color("--ink") }, this.svg, this.xLabel);
    el("text", { x: 4, y: 16, "font-size": 13, fill: color("--ink") }, this.svg, this.yLabel);
    this.series.forEach((s, i) => {
      const stroke = color(s.colour);
      const path = rows.map((r, j) => `${j ? "L" : "M"}${this.x(r[xKey]).toFixed(1)},${y(r[s.key]).toFixed(1)}`).join("");
      el("path", { d: path, fill: "none", stroke, "stroke-width": 2.4, "stroke-dasharray": s.dash ?? "none" }, this.svg);
      for (const r of rows) {
        const dot = el("circle", { cx: this.x(r[xKey]), cy: y(r[s.key]), r: 3.2, fill: stroke, class: "point",
                                   "data-series": s.key, "data-x": r[xKey], "data-y": r[s.key] }, this.svg);
        el("title", {}, dot, `${this.xLabel} ${r[xKey].toLocaleString("en")}: ${s.label} ${r[s.key]}`);
      }
      const lx = W - PAD.r - 200, ly = 16 + i * 17;
      el("line", { x1: lx, x2: lx + 26, y1: ly - 4, y2: ly - 4, stroke, "stroke-width": 2.4, "stroke-dasharray": s.dash ?? "none" }, this.svg);
      el("text", { x: lx + 32, y: ly, "font-size": 13, fill: color("--ink") }, this.svg, s.label);
    });
    this.marker = el("g", { class: "marker", visibility: "hidden" }, this.svg);
    el("line", { y1: PAD.t, y2: H - PAD.b, stroke: color("--center"), "stroke-width": 2, "stroke-dasharray": "5 3" }, this.marker);
    this.markerLabel = el("text", { y: H - PAD.b - 6, "font-size": 13, fill: color("--center") }, this.marker);
  }

  /** A vertical line at x (the merge slider's position), labelled. */
  setMarker(x, label) {
    if (!this.marker) return;
    const px = this.x(x);
    this.marker.setAttribute("visibility", "visible");
    this.marker.setAttribute("data-x", x);
    this.marker.firstChild.setAttribute("x1", px);
    this.marker.firstChild.setAttribute("x2", px);
    const right = px > W - 160;
    this.markerLabel.setAttribute("x", right ? px - 6 : px + 6);
    this.markerLabel.setAttribute("text-anchor", right ? "end" : "start");
    this.markerLabel.textContent = label;
  }
}
