// A d × V matrix as a diverging heatmap on canvas (blue negative, red positive), one column marked.

function color(value, scale) {
  const t = Math.max(-1, Math.min(1, value / scale));
  const a = Math.abs(t);
  return t >= 0 ? `rgb(255,${Math.round(255 - 160 * a)},${Math.round(255 - 190 * a)})`
                : `rgb(${Math.round(255 - 190 * a)},${Math.round(255 - 120 * a)},255)`;
}

/** rows: array of d rows, each of length V. Returns the colour scale used (max |value|). */
export function drawHeatmap(canvas, rows, markColumn) {
  const d = rows.length, V = rows[0].length, cw = 4, ch = 8;
  if (canvas.width !== V * cw || canvas.height !== d * ch) { canvas.width = V * cw; canvas.height = d * ch; }
  const ctx = canvas.getContext("2d");
  let scale = 1e-9;
  for (const row of rows) for (const v of row) scale = Math.max(scale, Math.abs(v));
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < V; c++) {
      ctx.fillStyle = color(rows[r][c], scale);
      ctx.fillRect(c * cw, r * ch, cw, ch);
    }
  }
  if (markColumn >= 0) {
    ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
    ctx.strokeRect(markColumn * cw + 0.75, 0.75, cw - 1.5, d * ch - 1.5);
  }
  return scale;
}

export const transpose = (matrix) => matrix[0].map((_, c) => matrix.map((row) => row[c]));
