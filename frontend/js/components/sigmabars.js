// Negative sampling's forward pass: one bar of σ(u·v_c) per scored word, on a fixed 0-1 scale, so the
// student sees the true context pushed toward 1 and each negative toward 0. DOM, names as text.
import { tokenLabel } from "../tokenlabel.js";

export function renderSigmaBars(container, rows) {
  container.setAttribute("role", "group");  // its aria-label names the bars; each row reads "word σ"
  container.replaceChildren(...rows.map((row) => {
    const line = document.createElement("div");
    line.className = "sigma-row";
    line.style.cssText = "display:grid;grid-template-columns:9rem 1fr 4.5rem;gap:.5rem;align-items:center";
    const name = document.createElement("span");
    name.className = "sigma-word";
    name.textContent = tokenLabel(row.word);
    name.style.color = row.positive ? "var(--context)" : "var(--repel)";
    const track = document.createElement("div");
    track.style.cssText = "background:var(--grid);height:.9rem;border-radius:2px";
    const bar = document.createElement("div");
    bar.style.cssText = `height:100%;border-radius:2px;width:${(100 * Math.min(1, Math.max(0, row.sigma))).toFixed(2)}%`;
    bar.style.background = row.positive ? "var(--context)" : "var(--repel)";
    track.appendChild(bar);
    const value = document.createElement("span");
    value.className = "sigma-value num";
    value.textContent = Number(row.sigma).toFixed(4);
    line.append(name, track, value);
    line.title = `${row.positive ? "context" : "negative"}: σ(u·v_c) = σ(${row.score})`;
    return line;
  }));
}
