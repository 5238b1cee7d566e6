// SVG histogram of pairwise cosine similarities, two series (before and after training) side by side
// in each bin, with the one-hot baseline marked: one-hot vectors put every distinct pair at exactly 0.
import { color } from "../theme.js";

const NS = "http://www.w3.org/2000/svg";
const W = 1000, H = 220, PAD = { l: 46, r: 10, t: 26, b: 26 };

function el(name, attrs, parent, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  parent.appendChild(node);
  return node;
}

/** view: explorer/histogram.json ({edges, initial, final, pairs, one_hot}). Bars carry data-series,
 * data-bin and data-count, and a title with the range and the count. */
export function drawHistogram(svg, view) {
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const bins = view.initial.length, top = Math.max(1, ...view.initial, ...view.final);
  const x = (v) => PAD.l + ((v - view.edges[0]) / (view.edges[bins] - view.edges[0])) * (W - PAD.l - PAD.r);
  const y = (c) => H - PAD.b - (c / top) * (H - PAD.t - PAD.b);
  const series = [["initial", "--curve-raw", "at initialization"], ["final", "--accent", "after training"]];
  series.forEach(([key, colour, label], s) => {
    view[key].forEach((count, b) => {
      const x0 = x(view.edges[b]), width = (x(view.edges[b + 1]) - x0) / 2;
      const bar = el("rect", { x: x0 + s * width, y: y(count), width: Math.max(0, width - 0.5), height: y(0) - y(count),
                               fill: color(colour), "data-series": key, "data-bin": b, "data-count": count }, svg);
      el("title", {}, bar, `${label}: ${count} pairs with cosine in [${view.edges[b]}, ${view.edges[b + 1]})`);
    });
    el("rect", { x: PAD.l + 10 + s * 190, y: 6, width: 12, height: 12, fill: color(colour) }, svg);
    el("text", { x: PAD.l + 27 + s * 190, y: 16, "font-size": 13 }, svg, label);
  });
  const zero = x(view.one_hot);
  el("line", { x1: zero, x2: zero, y1: PAD.t - 4, y2: H - PAD.b, stroke: color("--center"), "stroke-width": 2,
               "stroke-dasharray": "5 3", class: "one-hot" }, svg);
  el("text", { x: zero + 5, y: PAD.t + 8, "font-size": 12, fill: color("--center") }, svg,
     `one-hot: all ${view.pairs.toLocaleString("en")} pairs at exactly 0`);
  for (const v of [-1, -0.5, 0, 0.5, 1]) el("text", { x: x(v), y: H - 8, "font-size": 12, "text-anchor": "middle" }, svg, v);
  el("text", { x: 4, y: PAD.t + 4, "font-size": 12 }, svg, top.toLocaleString("en"));
  el("line", { x1: PAD.l, x2: W - PAD.r, y1: y(0), y2: y(0), stroke: color("--line") }, svg);
}
