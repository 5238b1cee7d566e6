// SVG histogram of token lengths: for each length 1, 2, 3, … a group of bars, one per series
// (e.g. length in characters and in bytes). Bars carry data-series, data-length and data-count.
import { color } from "../theme.js";
import { svgElement as el } from "./svg.js";

const W = 640, H = 240, PAD = { l: 46, r: 8, t: 30, b: 40 };

/** series: [{key, label, colour (a CSS variable), counts}] where counts[n] = tokens of length n.
 *  Lengths above maxLength are drawn in one last group, "maxLength+". */
export function drawLengthBars(svg, series, { description, unit = "tokens", maxLength = 16 }) {
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", description);
  svg.replaceChildren();
  const longest = Math.min(maxLength, Math.max(1, ...series.map((s) => s.counts.length - 1)));
  const grouped = series.map((s) => Array.from({ length: longest }, (_, i) => (i + 1 < longest
    ? s.counts[i + 1] ?? 0 : s.counts.slice(longest).reduce((a, b) => a + b, 0))));
  const top = Math.max(1, ...grouped.flat());
  const group = (W - PAD.l - PAD.r) / longest, bar = (group - 6) / series.length;
  const y = (c) => H - PAD.b - (c / top) * (H - PAD.t - PAD.b);
  series.forEach((s, k) => {
    grouped[k].forEach((count, i) => {
      const length = i + 1, last = length === longest && s.counts.length - 1 > longest;
      const rect = el("rect", { x: PAD.l + i * group + 3 + k * bar, y: y(count), width: Math.max(1, bar - 1),
                                height: y(0) - y(count), fill: color(s.colour), "data-series": s.key,
                                "data-length": last ? `${length}+` : length, "data-count": count }, svg);
      el("title", {}, rect, `${s.label}: ${count.toLocaleString("en")} ${unit} of length ${last ? `${length} or more` : length}`);
    });
    el("rect", { x: PAD.l + 10 + k * 160, y: 6, width: 12, height: 12, fill: color(s.colour) }, svg);
    el("text", { x: PAD.l + 27 + k * 160, y: 16, "font-size": 13, fill: color("--ink") }, svg, s.label);
  });
  for (let i = 0; i < longest; i++) {
    const label = i + 1 === longest && series.some((s) => s.counts.length - 1 > longest) ? `${i + 1}+` : i + 1;
    el("text", { x: PAD.l + (i + 0.5) * group, y: H - PAD.b + 16, "font-size": 13, "text-anchor": "middle", fill: color("--muted") }, svg, label);
  }
  el("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 4, "font-size": 13, "text-anchor": "middle", fill: color("--ink") }, svg, "token length");
  el("text", { x: PAD.l - 6, y: PAD.t + 4, "font-size": 13, "text-anchor": "end", fill: color("--muted") }, svg, top.toLocaleString("en"));
  el("line", { x1: PAD.l, x2: W - PAD.r, y1: y(0), y2: y(0), stroke: color("--line") }, svg);
}
