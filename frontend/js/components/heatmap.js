// A matrix (d × V weights, or a word set's similarities) as a diverging heatmap on canvas (blue
// negative, red positive), some columns outlined.
// Cells are written as pixels (ImageData) and scaled up without smoothing: no per-cell style parsing.

const CELL_W = 4, CELL_H = 8;

function rgb(value, scale, out, offset) {
  const t = Math.max(-1, Math.min(1, value / scale)), a = Math.abs(t);
  if (t >= 0) { out[offset] = 255; out[offset + 1] = 255 - 160 * a; out[offset + 2] = 255 - 190 * a; }
  else { out[offset] = 255 - 190 * a; out[offset + 1] = 255 - 120 * a; out[offset + 2] = 255; }
  out[offset + 3] = 255;
}

/** rows: array of d rows, each of length V; markColumns: the columns to outline; cell: its size in canvas
 * pixels. Returns the colour scale used (max |value|). */
export function drawHeatmap(canvas, rows, markColumns, cell = { w: CELL_W, h: CELL_H }) {
  const d = rows.length, V = rows[0].length;
  if (canvas.width !== V * cell.w || canvas.height !== d * cell.h || canvas.pixels?.width !== V || canvas.pixels?.height !== d) {
    canvas.width = V * cell.w; canvas.height = d * cell.h;
    canvas.pixels = new OffscreenCanvas(V, d);
  }
  let scale = 1e-9;
  for (const row of rows) for (const v of row) scale = Math.max(scale, Math.abs(v));
  const image = new ImageData(V, d);
  for (let r = 0; r < d; r++) for (let c = 0; c < V; c++) rgb(rows[r][c], scale, image.data, 4 * (r * V + c));
  canvas.pixels.getContext("2d").putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(canvas.pixels, 0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
  for (const column of markColumns) ctx.strokeRect(column * cell.w + 0.75, 0.75, cell.w - 1.5, d * cell.h - 1.5);
  return scale;
}

export const transpose = (matrix) => matrix[0].map((_, c) => matrix.map((row) => row[c]));
