// Fills a <table> from plain values: text only (never markup), numbers right-aligned. A table wider
// than its place (a phone, many columns) scrolls sideways, and is then focusable so that the keyboard
// can scroll it too.

/** Focusable exactly while the table scrolls sideways. */
function keyboardScrollable(table) {
  if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
  else table.removeAttribute("tabindex");
}
const resized = new ResizeObserver((entries) => entries.forEach((e) => keyboardScrollable(e.target)));

function cell(tag, value) {
  const node = document.createElement(tag);
  if (value instanceof Node) node.append(value);
  else if (typeof value === "number") { node.className = "n"; node.textContent = String(value); }
  else node.textContent = value ?? "";
  return node;
}

/** head: column titles; rows: arrays of strings, numbers or nodes. Returns the <tr> of each row. */
export function fillTable(table, head, rows) {
  const tr = document.createElement("tr");
  tr.append(...head.map((h) => cell("th", h)));
  table.createTHead().replaceChildren(...(head.length ? [tr] : []));
  const trs = rows.map((row) => {
    const r = document.createElement("tr");
    r.append(...row.map((v) => cell("td", v)));
    return r;
  });
  (table.tBodies[0] ?? table.createTBody()).replaceChildren(...trs);
  resized.observe(table);   // once per table: the observer keeps a set
  requestAnimationFrame(() => keyboardScrollable(table));
  return trs;
}
