// SVG bar chart over the whole vocabulary, sorted by probability, the true context highlighted.
// Bars show probabilities, or logits measured up from the smallest one (softmax keeps the order).
import { color } from "../theme.js";
import { tokenLabel } from "../tokenlabel.js";

const NS = "http://www.w3.org/2000/svg";
const W = 1000, H = 170, TOP = 18;

export class ProbabilityChart {
  constructor(svg) {
    this.svg = svg;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  }

  render(probabilities, contextId, words, heights = probabilities) {
    const n = probabilities.length;
    if (!this.bars || this.bars.length !== n) {
      this.svg.replaceChildren();
      this.bars = Array.from({ length: n }, () => {
        const rect = document.createElementNS(NS, "rect");
        this.svg.appendChild(rect);
        return rect;
      });
      this.label = document.createElementNS(NS, "text");
      this.label.setAttribute("font-size", 13);
      this.label.setAttribute("font-weight", 700);
      this.svg.appendChild(this.label);
    }
    this.label.setAttribute("fill", color("--context"));  // per render: a theme switch changes it
    // Probabilities are recorded to 4 significant digits, so two can tie where their logits differ:
    // ties are broken by the heights shown, so logit bars never step up.
    const order = Array.from(probabilities.keys())
      .sort((a, b) => probabilities[b] - probabilities[a] || heights[b] - heights[a] || a - b);
    const low = Math.min(0, ...heights), high = Math.max(...heights), width = W / n;
    order.forEach((id, rank) => {
      const height = ((heights[id] - low) / (high - low || 1)) * (H - TOP);
      const rect = this.bars[rank];
      rect.setAttribute("x", rank * width);
      rect.setAttribute("width", Math.max(1, width - 1));
      rect.setAttribute("y", H - height);
      rect.setAttribute("height", Math.max(0.5, height));
      rect.setAttribute("fill", id === contextId ? color("--context") : color("--bar"));
      if (id === contextId) {
        const x = Math.min(W - 140, rank * width);
        this.label.setAttribute("x", x);
        this.label.setAttribute("y", Math.max(13, H - height - 4));
        this.label.textContent = `▼ ${tokenLabel(words[id])} (rank ${rank + 1})`;
      }
    });
    const top = order[0], rank = order.indexOf(contextId) + 1;
    this.svg.setAttribute("aria-label", `${n} words sorted by P(w|c): the highest is ${words[top]}, `
      + `${probabilities[top]}; the context ${words[contextId]} is rank ${rank}, ${probabilities[contextId]}`);
    return order;
  }
}
