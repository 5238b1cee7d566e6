// Merges as a table with a bar per row: rank, the pair, the token it made, the pair's count when it
// was merged, and optionally how often the token is used. Tokens in monospace with whitespace shown.
import { color } from "../theme.js";
import { tokenLabel as visible } from "../tokenlabel.js";

const COLUMNS = [["merge", "rank", "n"], ["pair", "pair", ""], ["token", "token", ""], ["pair count", "count", "n"]];

/** rows: /lessons' merge records ({rank, left, right, token, count, uses?}); barKey: the column the bars show. */
export function renderMergeTable(container, rows, { barKey = "count", barLabel = "pair count", colour = "--accent" } = {}) {
  const table = document.createElement("table");
  table.className = "data merges";
  const head = table.createTHead().insertRow();
  const columns = barKey === "count" ? COLUMNS.slice(0, 3) : COLUMNS;
  for (const [label] of [...columns, [barLabel]]) {
    const th = document.createElement("th");
    th.textContent = label;
    head.appendChild(th);
  }
  const max = Math.max(1, ...rows.map((r) => r[barKey]));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.rank = row.rank;
    for (const [, key, kind] of columns) {
      const cell = tr.insertCell();
      cell.className = `${key} ${kind}`;
      cell.textContent = key === "rank" ? `#${row.rank}` : key === "pair" ? `${visible(row.left)} + ${visible(row.right)}`
        : key === "count" ? (row.count ?? "–").toLocaleString("en") : visible(row.token);
    }
    const cell = tr.insertCell();
    cell.className = "bar-cell";
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${(70 * row[barKey]) / max}%`;
    bar.style.background = color(colour);
    const value = document.createElement("span");
    value.className = "value num";
    value.textContent = row[barKey].toLocaleString("en");
    cell.append(bar, value);
  }
  container.replaceChildren(table);
}
