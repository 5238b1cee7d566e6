// A QR code encoder (ISO/IEC 18004:2015), written here so that the share control works offline, with
// no CDN and no package: byte mode (UTF-8), error correction L or M, versions 1-40, and the data mask
// chosen by the standard's penalty score. It returns the module matrix; share.js draws it.
// tests/test_share.py compares its matrices with segno's and decodes the drawn code with zbarimg.

// Per version 1-40 (index 0 unused): error correction codewords per block, and number of blocks.
const ECC_PER_BLOCK = {
  L: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30,
      30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28,
      28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
};
const BLOCKS = {
  L: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18,
      19, 19, 20, 21, 22, 24, 25],
  M: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
      33, 35, 37, 38, 40, 43, 45, 47, 49],
};
const FORMAT_LEVEL_BITS = { L: 1, M: 0 };
const BYTE_MODE = 0b0100;
const PAD_BYTES = [0xec, 0x11];
const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

const MIN_VERSION = 1;
const MAX_VERSION = 40;

/** Modules that carry data and error correction: the symbol less every function pattern (7.1). */
function rawDataModules(version) {
  let modules = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    modules -= (25 * align - 10) * align - 55;
    if (version >= 7) modules -= 36;
  }
  return modules;
}

/** How many data codewords a version holds at a level (Table 7). */
function dataCodewords(version, ecc) {
  return Math.floor(rawDataModules(version) / 8) - ECC_PER_BLOCK[ecc][version] * BLOCKS[ecc][version];
}

const countBits = (version) => (version <= 9 ? 8 : 16);

/** The centres of the alignment patterns along one axis (Annex E). */
function alignmentCentres(version) {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const centres = [6];
  for (let pos = version * 4 + 10; centres.length < count; pos -= step) centres.splice(1, 0, pos);
  return centres;
}

// ---- Reed-Solomon over GF(256), polynomial 0x11D (7.5.2) ----

function gfMultiply(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

/** The generator polynomial of a degree, highest coefficient (1) left out, roots α^0 … α^(degree-1). */
function generator(degree) {
  const poly = new Array(degree).fill(0);
  poly[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      poly[j] = gfMultiply(poly[j], root);
      if (j + 1 < degree) poly[j] ^= poly[j + 1];
    }
    root = gfMultiply(root, 2);
  }
  return poly;
}

function errorCorrection(data, gen) {
  const rem = new Array(gen.length).fill(0);
  for (const byte of data) {
    const factor = byte ^ rem.shift();
    rem.push(0);
    gen.forEach((coef, i) => { rem[i] ^= gfMultiply(coef, factor); });
  }
  return rem;
}

// ---- the bit stream (7.4) and the final codeword sequence (7.6) ----

function dataStream(bytes, version, ecc) {
  const capacity = dataCodewords(version, ecc) * 8;
  const bits = [];
  const put = (value, length) => { for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(BYTE_MODE, 4);
  put(bytes.length, countBits(version));
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacity - bits.length));   // terminator
  put(0, (8 - (bits.length % 8)) % 8);
  const codewords = [];
  for (let i = 0; i < bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let i = 0; codewords.length < capacity / 8; i++) codewords.push(PAD_BYTES[i % 2]);
  return codewords;
}

/** Splits the data into blocks, appends each block's error correction, and interleaves them. */
function finalMessage(data, version, ecc) {
  const blockCount = BLOCKS[ecc][version], eccLength = ECC_PER_BLOCK[ecc][version];
  const total = Math.floor(rawDataModules(version) / 8);
  const shortBlocks = blockCount - (total % blockCount);
  const shortData = Math.floor(total / blockCount) - eccLength;
  const gen = generator(eccLength);
  const dataBlocks = [], eccBlocks = [];
  for (let i = 0, k = 0; i < blockCount; i++) {
    const block = data.slice(k, k + shortData + (i < shortBlocks ? 0 : 1));
    k += block.length;
    dataBlocks.push(block);
    eccBlocks.push(errorCorrection(block, gen));
  }
  const out = [];
  for (let i = 0; i <= shortData; i++) for (const block of dataBlocks) if (i < block.length) out.push(block[i]);
  for (let i = 0; i < eccLength; i++) for (const block of eccBlocks) out.push(block[i]);
  return out;
}

// ---- the matrix ----

/** size × size grids: `dark` (1 = dark) and `reserved` (function patterns, format and version areas). */
function functionPatterns(version) {
  const size = version * 4 + 17;
  const dark = Array.from({ length: size }, () => new Uint8Array(size));
  const reserved = Array.from({ length: size }, () => new Uint8Array(size));
  const set = (r, c, on) => { dark[r][c] = on ? 1 : 0; reserved[r][c] = 1; };
  for (let i = 0; i < size; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  for (const [r0, c0] of [[3, 3], [3, size - 4], [size - 4, 3]]) {   // finders with their separators
    for (let dr = -4; dr <= 4; dr++) {
      for (let dc = -4; dc <= 4; dc++) {
        const r = r0 + dr, c = c0 + dc, ring = Math.max(Math.abs(dr), Math.abs(dc));
        if (r >= 0 && r < size && c >= 0 && c < size) set(r, c, ring !== 2 && ring !== 4);
      }
    }
  }
  const centres = alignmentCentres(version), last = centres.length - 1;
  centres.forEach((r0, i) => centres.forEach((c0, j) => {
    if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;  // under a finder
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r0 + dr, c0 + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }));
  // Format and version areas, and the dark module, stay light until the mask is chosen (7.8.3, 7.9).
  for (let i = 0; i < 9; i++) if (i !== 6) { set(8, i, false); set(i, 8, false); }   // 6: the timing patterns
  for (let i = 0; i < 8; i++) { set(8, size - 1 - i, false); set(size - 1 - i, 8, false); }
  if (version >= 7) for (let i = 0; i < 18; i++) { set(size - 11 + (i % 3), Math.floor(i / 3), false); set(Math.floor(i / 3), size - 11 + (i % 3), false); }
  return { size, dark, reserved };
}

/** Places the codewords in the two-column zigzag, right to left, skipping the function patterns (7.7.3). */
function placeCodewords({ size, dark, reserved }, codewords) {
  let bit = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;   // the vertical timing pattern
    const upward = ((right + 1) & 2) === 0;
    for (let v = 0; v < size; v++) {
      const r = upward ? size - 1 - v : v;
      for (let j = 0; j < 2; j++) {
        const c = right - j;
        if (reserved[r][c]) continue;
        if (bit < codewords.length * 8) dark[r][c] = (codewords[bit >>> 3] >>> (7 - (bit & 7))) & 1;
        bit++;   // remainder bits stay light
      }
    }
  }
}

function masked({ size, dark, reserved }, mask) {
  return dark.map((row, r) => row.map((on, c) => (!reserved[r][c] && MASKS[mask](r, c) ? on ^ 1 : on)));
}

const FINDER_LIKE = [1, 0, 1, 1, 1, 0, 1];

/** Penalty points of one row or column: runs of five or more (N1) and finder-like patterns (N3). */
function linePenalty(line) {
  let points = 0, run = 1;
  for (let i = 1; i <= line.length; i++) {
    if (i < line.length && line[i] === line[i - 1]) { run++; continue; }
    if (run >= 5) points += run - 2;
    run = 1;
  }
  const light = (from, to) => { for (let i = Math.max(from, 0); i < Math.min(to, line.length); i++) if (line[i]) return false; return true; };
  for (let i = 0; i + 7 <= line.length; i++) {
    if (FINDER_LIKE.every((v, k) => line[i + k] === v) && (light(i - 4, i) || light(i + 7, i + 11))) points += 40;
  }
  return points;
}

/** The standard's penalty score of a masked symbol (7.8.3.1, Table 11). */
function penalty(m) {
  const size = m.length;
  let points = 0, darkCount = 0;
  for (let r = 0; r < size; r++) {
    points += linePenalty(m[r]) + linePenalty(m.map((row) => row[r]));
    for (let c = 0; c < size; c++) {
      darkCount += m[r][c];
      if (r && c && m[r][c] === m[r - 1][c] && m[r][c] === m[r][c - 1] && m[r][c] === m[r - 1][c - 1]) points += 3;
    }
  }
  return points + 10 * Math.floor(Math.abs(20 * darkCount - 10 * size * size) / (size * size));
}

function bchBits(data, generatorPoly, degree) {
  let rem = data;
  for (let i = 0; i < degree; i++) rem = (rem << 1) ^ ((rem >>> (degree - 1)) * generatorPoly);
  return (data << degree) | (rem & ((1 << degree) - 1));
}

/** Format information (7.9): level and mask, BCH(15,5), XOR 0x5412, in both copies; the dark module. */
function drawFormat(m, ecc, mask) {
  const size = m.length;
  const bits = bchBits((FORMAT_LEVEL_BITS[ecc] << 3) | mask, 0x537, 10) ^ 0x5412;
  const bit = (i) => (bits >>> i) & 1;
  for (let i = 0; i <= 5; i++) m[i][8] = bit(i);
  m[7][8] = bit(6); m[8][8] = bit(7); m[8][7] = bit(8);
  for (let i = 9; i < 15; i++) m[8][14 - i] = bit(i);
  for (let i = 0; i < 8; i++) m[8][size - 1 - i] = bit(i);
  for (let i = 8; i < 15; i++) m[size - 15 + i][8] = bit(i);
  m[size - 8][8] = 1;
}

/** Version information (7.10), versions 7 and up: BCH(18,6), in both corners. */
function drawVersion(m, version) {
  if (version < 7) return;
  const size = m.length, bits = bchBits(version, 0x1f25, 12);
  for (let i = 0; i < 18; i++) {
    const a = size - 11 + (i % 3), b = Math.floor(i / 3), on = (bits >>> i) & 1;
    m[a][b] = on; m[b][a] = on;
  }
}

/**
 * Encodes text (as UTF-8 bytes) in the smallest version that holds it, or the one asked for.
 * mask: 0-7 to force one, otherwise the one with the lowest penalty (the first, on a tie).
 * Returns {version, ecc, mask, size, modules}: modules[row][col] is 1 for a dark module.
 */
export function encodeQR(text, { ecc = "M", version = null, mask = null } = {}) {
  if (!(ecc in BLOCKS)) throw new Error(`QR error correction level ${ecc} is not supported (L or M)`);
  if (mask !== null && !(Number.isInteger(mask) && mask >= 0 && mask < MASKS.length)) throw new Error(`QR mask ${mask} does not exist (0-7)`);
  const bytes = new TextEncoder().encode(text);
  const fits = (v) => 4 + countBits(v) + 8 * bytes.length <= dataCodewords(v, ecc) * 8;
  let chosen = version;
  if (chosen === null) {
    for (let v = MIN_VERSION; v <= MAX_VERSION && chosen === null; v++) if (fits(v)) chosen = v;
    if (chosen === null) throw new Error(`${bytes.length} bytes do not fit in a QR code at level ${ecc}`);
  } else if (!(chosen >= MIN_VERSION && chosen <= MAX_VERSION) || !fits(chosen)) {
    throw new Error(`${bytes.length} bytes do not fit in a version ${chosen} QR code at level ${ecc}`);
  }
  const symbol = functionPatterns(chosen);
  placeCodewords(symbol, finalMessage(dataStream(bytes, chosen, ecc), chosen, ecc));
  let best = mask, modules = mask === null ? null : masked(symbol, mask);
  if (mask === null) {
    let bestScore = Infinity;
    for (let k = 0; k < MASKS.length; k++) {
      const candidate = masked(symbol, k), score = penalty(candidate);
      if (score < bestScore) { bestScore = score; best = k; modules = candidate; }
    }
  }
  drawFormat(modules, ecc, best);
  drawVersion(modules, chosen);
  return { version: chosen, ecc, mask: best, size: symbol.size, modules };
}
