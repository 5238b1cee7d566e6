// One recorded run in the browser: manifest, small views, timeline, and step chunks fetched on
// demand with a cache and prefetching ahead of the playhead.
import { ApiError, getManifest, getRunFile } from "./api.js";
import { promiseCache } from "./page.js";

/** Adds two equally nested arrays of integers element by element. */
const addNested = (a, b) => (Array.isArray(a) ? a.map((x, i) => addNested(x, b[i])) : a + b);
const scaleNested = (a, scale) => (Array.isArray(a) ? a.map((x) => scaleNested(x, scale)) : a / scale);

/** A step chunk's records. The file holds them column by column, and each `deltas` field (W, W′) as
 * integers in units of 10^-decimals, each the difference from the record before (docs/run-format.md). */
export function chunkRecords(chunk) {
  const { columns, deltas } = chunk;
  const values = { ...columns };
  for (const [field, decimals] of Object.entries(deltas)) {
    let sum = null;
    values[field] = columns[field].map((delta) => {
      sum = sum === null ? delta : addNested(sum, delta);
      return scaleNested(sum, 10 ** decimals);
    });
  }
  return Array.from({ length: chunk.records }, (_, i) =>
    Object.fromEntries(Object.keys(values).map((field) => [field, values[field][i]])));
}

export class RunData {
  static async load(name) {
    const manifest = await getManifest(name);
    if (manifest.kind !== "teaching") {
      throw new ApiError(`it is a ${manifest.kind} run, trained on a whole corpus with negative sampling and not `
        + `recorded step by step; see what its vectors learned in the explorer: /explorer.html?run=${name}`, 409);
    }
    const run = new RunData(name, manifest);
    const [index, vocab, losses, sentences] = await Promise.all(
      ["step_index.json", "vocab.json", "loss_curve.json", "sentences.json"].map((f) => run.file(f)));
    run.steps = index.steps;
    run.chunkSize = manifest.chunk_size;
    run.words = vocab.words;
    run.losses = losses.loss;
    run.sentences = sentences.sentences;
    run.timeline = await Promise.all(manifest.chunks.timeline.map((path) => run.file(path)));
    return run;
  }

  constructor(name, manifest) {
    this.name = name;
    this.manifest = manifest;
    this.chunk = promiseCache((i) => this.file(this.manifest.chunks.steps[i]).then(chunkRecords));  // index → records
  }

  file(path) { return getRunFile(this.name, this.manifest, path); }

  /** Index of the recorded step nearest to `step` (the first recorded one at or after it). */
  indexOfStep(step) {
    let lo = 0, hi = this.steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid] < step) lo = mid + 1; else hi = mid;
    }
    return lo;
  }


  /** The record at recorded index i, if its chunk is already loaded (synchronous fast path). */
  loadedRecord(i) { return this.records?.get(Math.floor(i / this.chunkSize))?.[i % this.chunkSize]; }

  async record(i) {
    const c = Math.floor(i / this.chunkSize);
    const records = await this.chunk(c);
    (this.records ??= new Map()).set(c, records);
    return records[i % this.chunkSize];
  }

  /** Starts fetching the chunks the playhead will reach next. */
  prefetch(i, ahead = 2) {
    const c = Math.floor(i / this.chunkSize);
    const last = this.manifest.chunks.steps.length - 1;
    for (let k = c + 1; k <= Math.min(last, c + ahead); k++) {
      this.chunk(k).then((records) => (this.records ??= new Map()).set(k, records)).catch(() => {});
    }
  }

  /** Flat [x0, y0, x1, y1, ...] positions of every word at recorded index i. */
  positions(i, kind) {
    const chunk = this.timeline[Math.floor(i / this.chunkSize)];
    return chunk[kind][i % this.chunkSize];
  }
}
