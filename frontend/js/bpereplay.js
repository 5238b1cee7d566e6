// A BPE trained on the server (POST /api/bpe/train), replayed in the page: the training text re-cut after
// any number of merges, and the compression curve (its tokens after each merge). No browser needed
// (tests/js/bpereplay.test.mjs); the merges and candidate counts come from the project's trainer.

const key = (a, b) => `${a},${b}`;

export class BpeReplay {
  /** answer: {vocab, base_size, merges: [{left, right, id, count, candidates}], pieces, counts, preview} */
  constructor(answer) {
    Object.assign(this, answer);
    this.rank = new Map(answer.merges.map((m, r) => [key(m.left, m.right), r]));
    this._curve = null;
  }

  get total() { return this.merges.length; }

  /** A piece's tokens with the first k merges: the lowest-ranked pair below k joined, again and again. */
  encodePiece(symbols, k) {
    let ids = symbols;
    for (;;) {
      let best = k, at = -1;
      for (let i = 0; i + 1 < ids.length; i += 1) {
        const r = this.rank.get(key(ids[i], ids[i + 1]));
        if (r !== undefined && r < best) { best = r; at = i; }
      }
      if (at < 0) return ids;
      const m = this.merges[best], out = [];
      for (let i = 0; i < ids.length; i += 1) {
        if (i + 1 < ids.length && ids[i] === m.left && ids[i + 1] === m.right) { out.push(m.id); i += 1; } else out.push(ids[i]);
      }
      ids = out;
    }
  }

  /** The first pieces of the training text, in order, each as its tokens after k merges. */
  cut(k) {
    const cache = new Map();
    return this.preview.map((index) => {
      if (!cache.has(index)) cache.set(index, this.encodePiece(this.pieces[index], k));
      return cache.get(index);
    });
  }

  /** The training text's token count after 0, 1, ..., all merges: each merge applied to every piece that
   *  holds its pair (found through a pair → pieces index, as the trainer does). */
  curve() {
    if (this._curve) return this._curve;
    const words = this.pieces.map((p) => p.slice());
    const where = new Map();
    const note = (pair, w) => { if (!where.has(pair)) where.set(pair, new Set()); where.get(pair).add(w); };
    words.forEach((symbols, w) => { for (let i = 0; i + 1 < symbols.length; i += 1) note(key(symbols[i], symbols[i + 1]), w); });
    let tokens = words.reduce((sum, symbols, w) => sum + symbols.length * this.counts[w], 0);
    const curve = [tokens];
    for (const m of this.merges) {
      for (const w of where.get(key(m.left, m.right)) ?? []) {
        const old = words[w], out = [];
        for (let i = 0; i < old.length; i += 1) {
          if (i + 1 < old.length && old[i] === m.left && old[i + 1] === m.right) { out.push(m.id); i += 1; } else out.push(old[i]);
        }
        if (out.length === old.length) continue;
        tokens -= (old.length - out.length) * this.counts[w];
        for (let i = 0; i + 1 < out.length; i += 1) if (out[i] === m.id || out[i + 1] === m.id) note(key(out[i], out[i + 1]), w);
        words[w] = out;
      }
      curve.push(tokens);
    }
    this._curve = curve;
    return curve;
  }
}
