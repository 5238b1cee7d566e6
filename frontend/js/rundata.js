// One recorded run in the browser: manifest, small views, the words' positions (a teaching run's timeline,
// a corpus run's snapshots), and step chunks fetched on demand, kept only near the playhead (a whole book
// run's chunks would fill hundreds of MB), and prefetched ahead of it.
import { ApiError, getManifest, getRunFile } from "./api.js";

// Chunks kept in memory around the playhead's chunk: one behind (stepping back is instant) and the
// ones prefetched ahead. Everything else is dropped; the browser's HTTP cache still holds the bytes.
export const KEEP_BEHIND = 1;
export const KEEP_AHEAD = 2;

/** Adds two equally nested arrays of integers element by element. */
const addNested = (a, b) => (Array.isArray(a) ? a.map((x, i) => addNested(x, b[i])) : a + b);
const scaleNested = (a, scale) => (Array.isArray(a) ? a.map((x) => scaleNested(x, scale)) : a / scale);

/** A step chunk's records. The file holds them column by column, and each `deltas` field (W, W′) as
 * integers in units of 10^-decimals, each the difference from the record before (docs/run-format.md). */
export function decodeChunk(chunk) {
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

/** The last checkpoint at or before `step` (checkpoints: ascending training steps, the first 0). */
export function checkpointAt(checkpoints, step) {
  let lo = 0, hi = checkpoints.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (checkpoints[mid] <= step) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/** Where a corpus run's loss-curve points fall in step numbers. The curve counts each chunk's trained pairs;
 *  the step counter (step numbers, snapshots) also counts the steps recorded between chunks, so a chunk ends
 *  at its pairs plus the recorded steps taken before it ended. */
export function curveSteps(pairs, recordedSteps) {
  let before = 0;
  return pairs.map((p) => {
    while (before < recordedSteps.length && recordedSteps[before] <= p + before) before += 1;
    return p + before;
  });
}

export class RunData {
  /** A teaching run (every recorded step in full, the words' positions at each) or a corpus run (a sample of
   *  negative-sampling steps, the recorded words' positions at a few checkpoints: snapshots.json.gz). */
  static async load(name) {
    const manifest = await getManifest(name);
    if (manifest.kind !== "teaching" && manifest.kind !== "corpus") {
      throw new ApiError(`it is a run of kind “${manifest.kind}”, which this page does not know`, 409);
    }
    const run = new RunData(name, manifest);
    const corpus = manifest.kind === "corpus";
    const [index, vocab, losses, extra] = await Promise.all(
      ["step_index.json", "vocab.json", "loss_curve.json", corpus ? "snapshots.json.gz" : "sentences.json"].map((f) => run.file(f)));
    run.steps = index.steps;
    run.chunkSize = manifest.chunk_size;
    run.words = vocab.words;
    run.losses = losses.loss;
    run.lossAt = corpus ? curveSteps(losses.pairs, index.steps) : null;   // a corpus run's curve: a point per chunk
    if (corpus) {
      run.sentences = null;
      run.checkpoints = extra.steps;
      run.snapshots = extra.positions.map((rows) => Float32Array.from(rows.flat()));
      run.mapSize = extra.words.length;                  // the recorded words: the first N ids
    } else {
      run.sentences = extra.sentences;
      run.timeline = await Promise.all(manifest.chunks.timeline.map((path) => run.file(path).then(compactTimeline)));
      run.mapSize = run.words.length;
    }
    return run;
  }

  get isCorpus() { return this.manifest.kind === "corpus"; }
  get isSgns() { return this.manifest.config.method === "sgns"; }

  constructor(name, manifest) {
    this.name = name;
    this.manifest = manifest;
    this.records = new Map();   // chunk index → its records, only chunks near the playhead
    this.loading = new Map();   // chunk index → the promise of its records while it is fetched
    this.playhead = 0;          // the chunk of the step on screen
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

  /** The record at recorded index i, if its chunk is in memory (synchronous fast path). */
  loadedRecord(i) { return this.records.get(Math.floor(i / this.chunkSize))?.[i % this.chunkSize]; }

  /** The record at recorded index i; i's chunk becomes the playhead and chunks far from it are dropped. */
  async record(i) {
    this.moveTo(Math.floor(i / this.chunkSize));
    const records = await this.chunkRecords(this.playhead);
    return records[i % this.chunkSize];
  }

  /** Makes i's chunk the playhead and, once i is half way through it, starts fetching the chunks it
   *  will reach next: opening a run at its first step downloads one chunk (on a classroom's Wi-Fi a
   *  book run's chunk is a megabyte or two), and playback still finds the next chunk loaded. */
  prefetch(i) {
    const c = Math.floor(i / this.chunkSize);
    this.moveTo(c);
    if (i % this.chunkSize < this.chunkSize / 2) return;
    const last = this.manifest.chunks.steps.length - 1;
    for (let k = c + 1; k <= Math.min(last, c + KEEP_AHEAD); k++) this.chunkRecords(k).catch(() => {});
  }

  /** Chunk indices in memory, for the browser tests that check the cache stays bounded. */
  cachedChunks() { return [...this.records.keys()].sort((a, b) => a - b); }

  moveTo(chunk) {
    this.playhead = chunk;
    for (const k of this.records.keys()) if (!this.isNearPlayhead(k)) this.records.delete(k);
  }

  isNearPlayhead(chunk) { return chunk >= this.playhead - KEEP_BEHIND && chunk <= this.playhead + KEEP_AHEAD; }

  /** Records of chunk c: from memory, or fetched once however many callers ask while it loads. A chunk
   *  that arrives after the playhead has moved away is handed to its caller but not kept. A failed
   *  fetch is forgotten, so the next call retries. */
  chunkRecords(c) {
    if (this.records.has(c)) return Promise.resolve(this.records.get(c));
    if (!this.loading.has(c)) {
      const pending = this.file(this.manifest.chunks.steps[c]).then(decodeChunk).then((records) => {
        if (this.isNearPlayhead(c)) this.records.set(c, records);
        return records;
      });
      this.loading.set(c, pending);
      pending.finally(() => this.loading.delete(c)).catch(() => {});
    }
    return this.loading.get(c);
  }

  /** Flat [x0, y0, x1, y1, ...] positions of the map's words at recorded index i: a teaching run's every word
   *  at that step; a corpus run's recorded words at the last checkpoint before it. */
  positions(i, kind) {
    if (this.isCorpus) return this.snapshots[this.checkpointOf(i)];
    const chunk = this.timeline[Math.floor(i / this.chunkSize)];
    return chunk[kind][i % this.chunkSize];
  }

  /** A corpus run: the checkpoint whose positions the map shows at recorded index i. */
  checkpointOf(i) { return checkpointAt(this.checkpoints, this.steps[i]); }

  /** Word `id`'s positions up to recorded index i, oldest first: the last `length` recorded steps of a teaching
   *  run, the checkpoints so far of a corpus run. */
  trail(i, id, kind, length) {
    if (id < 0 || id >= this.mapSize) return [];
    const rows = this.isCorpus ? this.snapshots.slice(0, this.checkpointOf(i) + 1)
      : Array.from({ length: Math.min(i, length) + 1 }, (_, k) => this.positions(i - Math.min(i, length) + k, kind));
    return rows.map((row) => [row[2 * id], row[2 * id + 1]]);
  }

  /** Bounds over every recorded position of a projection: the run's whole extent. */
  runBounds(kind) {
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    const rows = this.isCorpus ? this.snapshots : this.timeline.flatMap((chunk) => chunk[kind]);
    for (const row of rows) {
      for (let i = 0; i < row.length; i += 2) {
        const x = row[i], y = row[i + 1];
        if (x < minX) minX = x; if (x > maxX) maxX = x;
        if (y < minY) minY = y; if (y > maxY) maxY = y;
      }
    }
    return { minX, maxX, minY, maxY };
  }
}

/** A timeline chunk as {steps, final, global} with its rows as Float32Array: the positions are stored
 *  with 3 decimals, and a run's whole timeline stays in memory (the fixed axes and the trail need every
 *  step), at half the size. */
function compactTimeline(chunk) {
  const records = decodeChunk(chunk);
  const rows = (kind) => records.map((r) => Float32Array.from(r[kind]));
  return { steps: records.map((r) => r.step), final: rows("final"), global: rows("global") };
}
