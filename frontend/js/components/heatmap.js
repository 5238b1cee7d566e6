// A matrix (d × V weights, or a word set's similarities) as a diverging heatmap on canvas (blue
// negative, red positive), some columns outlined.
// Cells are written as pixels (ImageData) and scaled up without smoothing: no per-cell style parsing.
import { describeKeys } from "../keyboard.js";
import { color } from "../theme.js";

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
  ctx.strokeStyle = color("--tok-ink"); ctx.lineWidth = 1.5;
  for (const column of markColumns) ctx.strokeRect(column * cell.w + 0.75, 0.75, cell.w - 1.5, d * cell.h - 1.5);
  return scale;
}

export const transpose = (matrix) => matrix[0].map((_, c) => matrix.map((row) => row[c]));

const LABEL_PX = 14;  // the least room a column's word label needs, in CSS pixels
const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/** A heatmap with its words: a text alternative on the canvas, word labels under the columns (every
 *  column that has room; the outlined ones always, on top) and a readout of the cell under the pointer
 *  or under the keyboard's cursor (the canvas is focusable: arrows move the cursor).
 *  The column labels are rebuilt only when the words or the width change: a step only moves the outlined ones.
 *  `cell` sets a cell's size in canvas pixels; `square: true` is a word set against itself (a similarity
 *  matrix): the rows are the same words, labelled on the left, and the readout names both words. */
export class HeatmapView {
  constructor(canvas, { rowName = "row", cell = { w: CELL_W, h: CELL_H }, square = false } = {}) {
    this.canvas = canvas;
    this.rowName = rowName;
    this.cell = cell;
    this.square = square;
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-roledescription", "heatmap");
    canvas.tabIndex = 0;
    this.labels = document.createElement("div");
    this.labels.className = "heat-labels";
    this.labels.setAttribute("aria-hidden", "true");  // the canvas's text alternative names the outlined words
    this.columns = document.createElement("div");
    this.marks = document.createElement("div");
    this.marks.className = "marks";
    this.labels.append(this.columns, this.marks);
    this.readout = document.createElement("div");
    this.readout.className = "heat-readout num";
    this.readout.textContent = square ? "point at or tap a cell for its two words and their cosine"
      : "point at or tap a column for its word and value";
    this.readout.setAttribute("aria-live", "polite");
    describeKeys(canvas, square ? "Arrow keys move between the word pairs; Home and End go to the first and the last word."
      : "Arrow keys move between the words (columns) and the dimensions (rows); Home and End go to the first and the last word.");
    this.labels.dataset.figurePart = this.readout.dataset.figurePart = "";  // the export bar goes after them
    if (square) {   // [row labels | canvas] over [ | column labels]: the labels line up with the cells
      this.rowLabels = document.createElement("div");
      this.rowLabels.className = "heat-rows";
      this.rowLabels.setAttribute("aria-hidden", "true");
      const grid = document.createElement("div");
      grid.className = "heat-square";
      grid.dataset.figurePart = "";
      canvas.before(grid);
      grid.append(this.rowLabels, canvas, document.createElement("span"), this.labels);
      grid.after(this.readout);
    } else canvas.after(this.labels, this.readout);  // labels and readout right under the canvas
    canvas.addEventListener("mousemove", (event) => this.point(event.offsetX, event.offsetY));
    canvas.addEventListener("mousedown", (event) => event.preventDefault());  // pointing reads; Tab gives it the keys
    canvas.addEventListener("keydown", (event) => this.key(event));
    canvas.addEventListener("blur", () => { this.cursor = null; if (this.rows) this.paint(); });
    new ResizeObserver(([entry]) => { this.width = entry.contentRect.width; this.labelColumns(); }).observe(canvas);
  }

  /** Draws rows (d × V) with markColumns outlined; `caption` starts the text alternative. Returns the colour scale. */
  draw(rows, markColumns, words, caption) {
    if (words !== this.words || rows.length !== this.rows?.length) {  // another run: new labels, no cursor
      this.words = words; this.marked = null; this.cursor = null; this.labelled = null;
      this.labelColumns();
      this.rowLabels?.replaceChildren(...words.map((w, r) => this.label(r, "top")));
    }
    this.rows = rows;
    this.markColumns = markColumns;
    const scale = this.paint();
    if (this.cursor) this.show(this.cursor.row, this.cursor.column);  // the cursor's cell at the new step
    const marked = markColumns.map((c) => words[c]).join(", ");
    this.canvas.setAttribute("aria-label", `${caption}: ${rows.length} ${this.rowName}s by ${words.length} words, `
      + `red positive and blue negative up to ± ${scale.toFixed(3)}; ${this.square ? `in order: ${words.join(", ")}`
        : `outlined: ${marked}`}.`);
    const key = markColumns.join(",");
    if (key !== this.marked) {
      this.marked = key;
      this.marks.replaceChildren(...markColumns.map((c) => this.label(c)));
    }
    return scale;
  }

  label(column, side = "left") {
    const label = document.createElement("span");
    label.textContent = this.words[column];
    label.style[side] = `${((column + 0.5) / this.words.length) * 100}%`;
    return label;
  }

  /** Every `every`-th column, starting half a spacing in so that no label is cut at an edge. */
  labelColumns() {
    if (!this.words || !this.width) return;
    const V = this.words.length, every = Math.max(1, Math.ceil(LABEL_PX / (this.width / V)));
    if (this.labelled === `${V}/${every}`) return;
    this.labelled = `${V}/${every}`;
    const shown = [];
    for (let c = Math.floor(every / 2); c < V; c += every) shown.push(this.label(c));
    this.columns.replaceChildren(...shown);
  }

  /** The heatmap and, while the keyboard moves over it, the cell under its cursor. */
  paint() {
    const scale = drawHeatmap(this.canvas, this.rows, this.markColumns, this.cell);
    if (this.cursor) {
      const ctx = this.canvas.getContext("2d"), { row, column } = this.cursor, d = this.rows.length, { w, h } = this.cell;
      ctx.strokeStyle = color("--tok-ink"); ctx.lineWidth = 1; ctx.setLineDash([2, 2]);
      ctx.strokeRect(column * w - 0.5, 0.5, w + 1, d * h - 1);
      ctx.setLineDash([]); ctx.lineWidth = 2;
      ctx.strokeRect(column * w - 1, row * h - 1, w + 2, h + 2);
    }
    return scale;
  }

  key(event) {
    if (!this.rows) return;
    const d = this.rows.length, V = this.words.length, move = MOVES[event.key];
    let { row, column } = this.cursor ?? { row: 0, column: this.markColumns[0] ?? 0 };  // starts on the outlined word
    if (move && this.cursor) { row += move[0]; column += move[1]; }
    else if (event.key === "Home") column = 0;
    else if (event.key === "End") column = V - 1;
    else if (!move) return;
    event.preventDefault();
    this.cursor = { row: clamp(row, 0, d - 1), column: clamp(column, 0, V - 1) };
    this.show(this.cursor.row, this.cursor.column);
    this.paint();
  }

  point(x, y) {
    if (!this.rows) return;
    const d = this.rows.length, V = this.words.length;
    const column = Math.min(V - 1, Math.floor((x / this.canvas.clientWidth) * V));
    const row = Math.min(d - 1, Math.floor((y / this.canvas.clientHeight) * d));
    if (column >= 0 && row >= 0) this.show(row, column);
  }

  show(row, column) {
    const value = this.rows[row][column];
    const text = this.square ? `${this.words[row]} · ${this.words[column]}: cosine ${value.toFixed(3)}`
      : `${this.words[column]} (column ${column + 1} of ${this.words.length}), ${this.rowName} ${row + 1}: ${value.toFixed(4)}`;
    if (this.readout.textContent !== text) this.readout.textContent = text;
    Object.assign(this.readout.dataset, { row, column, value });   // the cell read, for tests and tools
  }
}
