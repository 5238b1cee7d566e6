// The output vectors (the columns u_w of W′) in the same 2-D projection as the words (the rows v_w of
// W), as a second point set on the walkthrough's scatter. The force arrows are displacements of v_c:
// η·u_o moves v_c in the direction of u_o, so it is drawn parallel to the line from the origin to u_o,
// which need not point at the context word's own dot (that is its row of W, a different vector).
import { color } from "./theme.js";
import { tokenLabel } from "./tokenlabel.js";

/** Every column of W′ (d×V) drawn at components·(u − mean), as the words are, and where the origin lands. */
export function projectOutputs(W_prime, { components, mean }) {
  const [first, second] = components, V = W_prime[0].length;
  let ox = 0, oy = 0;
  for (let r = 0; r < mean.length; r++) { ox -= first[r] * mean[r]; oy -= second[r] * mean[r]; }
  const positions = new Float64Array(2 * V);
  for (let w = 0; w < V; w++) { positions[2 * w] = ox; positions[2 * w + 1] = oy; }
  W_prime.forEach((row, r) => {
    const a = first[r], b = second[r];
    for (let w = 0; w < V; w++) { positions[2 * w] += a * row[w]; positions[2 * w + 1] += b * row[w]; }
  });
  return { positions, origin: [ox, oy] };
}

/** Vectors (one per row) drawn as the words are: components·(u − mean). */
function projectRows(rows, { components, mean }) {
  const [first, second] = components, positions = new Float64Array(2 * rows.length);
  rows.forEach((u, k) => {
    for (let r = 0; r < mean.length; r++) { positions[2 * k] += first[r] * (u[r] - mean[r]); positions[2 * k + 1] += second[r] * (u[r] - mean[r]); }
  });
  return positions;
}

/** The scatter's output layer at a recorded step: u_o marked (with the guide from the origin that the
 *  attractive arrow is parallel to), and for negative sampling the k negatives' u_n. A teaching run records
 *  all of W′ and every column is drawn; a corpus run records only u_o and the u_n of its step. */
export function outputLayer(record, pca, sgns) {
  const labelled = [{ id: record.context_id, color: color("--context"), label: `u_o ${tokenLabel(record.context_word)}`, guide: color("--attract") }];
  if (sgns) {
    record.negative_ids.forEach((id, n) => labelled.push({ id, color: color("--repel"), label: `u_n ${tokenLabel(record.negative_words[n])}` }));
  }
  if (record.W_prime) {
    const { positions, origin } = projectOutputs(record.W_prime, pca);
    return { positions, origin, marked: labelled.map(({ id, ...m }) => ({ ...m, index: id })) };
  }
  const positions = projectRows([record.u_pos, ...record.u_neg], pca);
  const origin = [...projectRows([new Array(pca.mean.length).fill(0)], pca)];
  return { positions, origin, marked: labelled.map(({ id, ...m }, k) => ({ ...m, index: k })) };
}

/** How many of the drawn points fall outside the bounds (the fixed axes are fitted to the words only). */
export function countOutside(positions, { minX, maxX, minY, maxY }) {
  let outside = 0;
  for (let i = 0; i < positions.length; i += 2) {
    const x = positions[i], y = positions[i + 1];
    if (x < minX || x > maxX || y < minY || y > maxY) outside += 1;
  }
  return outside;
}
