// Labelled horizontal bars (DOM): small comparisons where SVG would add nothing.

import { color as themeColor } from "../theme.js";

export function renderBars(container, rows, { format = (v) => v.toFixed(2), color = themeColor("--accent") } = {}) {
  const max = Math.max(...rows.map((r) => r.value), 1e-9);
  const table = document.createElement("table");
  table.className = "data";
  for (const row of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = row.label;
    const cell = tr.insertCell();
    cell.style.width = "60%";
    const bar = document.createElement("div");
    bar.style.cssText = `background:${color};height:.9rem;border-radius:2px;width:${(100 * row.value) / max}%`;
    cell.appendChild(bar);
    const value = tr.insertCell();
    value.className = "n";
    value.textContent = format(row.value);
  }
  container.replaceChildren(table);
}
