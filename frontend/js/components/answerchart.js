// A class's answers as horizontal bars (answerbars.js): label, bar, count and share of the class. Before the
// reveal every bar has one colour; after it the right one is marked in --right and named in its title.
import { color } from "../theme.js";
import { svgElement as el } from "./svg.js";

const ROW = 34, PAD = 4;

/** bars: [{ label, count, right }]; total: how many answered; revealed: whether to mark the right bar. The
 *  drawing is as wide as the svg is on screen (320-640 units), so its 15-unit text stays readable on a phone. */
export function drawAnswerChart(svg, bars, total, revealed) {
  const W = Math.round(Math.min(640, Math.max(320, svg.getBoundingClientRect().width || 640)));
  const LABEL = Math.round(W * 0.27), COUNT = W < 480 ? 92 : 110;
  const height = Math.max(1, bars.length) * ROW + PAD;
  svg.setAttribute("viewBox", `0 0 ${W} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${total} answers: ` + bars.map((b) => `${b.label} ${b.count}${revealed && b.right ? " (right)" : ""}`).join(", "));
  svg.replaceChildren();
  const top = Math.max(1, ...bars.map((b) => b.count));
  const span = W - LABEL - COUNT;
  bars.forEach((bar, i) => {
    const y = PAD + i * ROW;
    const row = el("g", { class: "answer-bar", "data-label": bar.label, "data-count": bar.count,
                          "data-right": String(revealed && bar.right) }, svg);
    el("text", { x: LABEL - 8, y: y + ROW / 2 + 5, "text-anchor": "end", "font-size": 15, fill: color("--ink") },
       row, bar.label.length > 20 ? `${bar.label.slice(0, 19)}…` : bar.label);
    el("rect", { x: LABEL, y: y + 4, width: Math.max(bar.count ? 2 : 0, (bar.count / top) * span), height: ROW - 10, rx: 3,
                 fill: color(revealed ? (bar.right ? "--right" : "--bar") : "--accent") }, row);
    const share = total ? Math.round((100 * bar.count) / total) : 0;
    el("text", { x: W - COUNT + 8, y: y + ROW / 2 + 5, "font-size": 15, fill: color("--ink"), class: "num" },
       row, `${bar.count} · ${share}%${revealed && bar.right ? " ✓" : ""}`);
    el("title", {}, row, `${bar.label}: ${bar.count} of ${total}${revealed && bar.right ? " (the right answer)" : ""}`);
  });
}
