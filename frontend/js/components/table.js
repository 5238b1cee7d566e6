// Fills a <table> from plain values: text only (never markup), numbers right-aligned.

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
  return trs;
}
