// The walkthrough's word map at a step: which part of the plane it frames, which words it labels, the
// force arrows and the output vectors, for one map or two side by side at one scale. It decides what to
// draw from the run, the step's record and the page state; components/scatter.js draws it.
import { describeScatter } from "./components/scatteraccess.js";
import { arrowMagnification, boundsOfPairs, frameAround, touchedWords, unionBounds } from "./mapframe.js";
import { countOutside, outputLayer } from "./outputvectors.js";
import { forces } from "./stepmath.js";
import { color } from "./theme.js";
import { tokenLabel } from "./tokenlabel.js";

const TRAIL = 40;   // recorded steps of the center word's trail (a corpus run: its checkpoints)

/** Points of a flat [x0, y0, …] array as [x, y] pairs (only `ids`, or all). */
const pairsOf = (flat, ids = null) => (ids ?? Array.from({ length: flat.length / 2 }, (_, i) => i)).map((i) => [flat[2 * i], flat[2 * i + 1]]);

/** The projection a run can show: a corpus run has only the final W's axes. */
export const shownProjection = (run, proj) => (run.isCorpus ? "final" : proj);

/**
 * Everything one map draws at a step, before the scale: its words' positions, the frame, the arrows
 * (unscaled 2-D displacements) and the output layer. values: the page state; conceal: arrows hidden
 * (predict, then reveal: "where does v_c move").
 */
export function mapPlan(run, index, record, values, { conceal = false } = {}) {
  const kind = shownProjection(run, values.proj), pca = run.manifest.pca[kind];
  const positions = run.positions(index, kind);
  const selected = values.word !== null ? run.words.indexOf(values.word) : -1;
  const negatives = run.isSgns ? record.negative_ids : [];
  const touched = touchedWords({ center: record.center_id, context: record.context_id, negatives, selected }, positions);
  const outputs = values.out ? outputLayer(record, pca, run.isSgns) : null;
  const lr = record.lr;
  const { attract, repel, grad } = forces(record);
  const project = (vector, k) => [0, 1].map((axis) => pca.components[axis].reduce((s, c, r) => s + c * k * vector[r], 0));
  const arrows = conceal ? [] : [[attract, lr, "--attract"], [repel, -lr, "--repel"], [grad, -lr, "--update"]]
    .map(([vector, k, name]) => { const [dx, dy] = project(vector, k); return { dx, dy, color: color(name) }; });
  const outputPairs = outputs ? pairsOf(outputs.positions, outputs.marked.map((m) => m.index)).concat([outputs.origin]) : [];
  let bounds;
  if (values.zoom === "touched") bounds = frameAround([...pairsOf(positions, touched), ...outputPairs], run.runBounds(kind));
  else if (values.zoom === "step") bounds = boundsOfPairs([...pairsOf(positions), ...(outputs ? pairsOf(outputs.positions).concat([outputs.origin]) : [])]);
  else bounds = outputs ? unionBounds(run.runBounds(kind), boundsOfPairs(outputPairs)) : run.runBounds(kind);
  const longest = Math.max(...arrows.map((a) => Math.hypot(a.dx, a.dy)), 0);
  return { frame: values.zoom, kind, positions, selected, negatives, touched, outputs, arrows, bounds, longest,
           magnification: arrowMagnification(longest, bounds.maxX - bounds.minX),
           trail: run.trail(index, record.center_id, kind, TRAIL) };
}

/** Draws a plan on a scatter at the given scale (pixels per unit, null: fitted) and arrow magnification. */
export function drawPlan(scatter, plan, record, { scale = null, magnification = plan.magnification, animateMs = 0 } = {}) {
  scatter.setBounds(plan.bounds);
  scatter.setScale(scale);
  scatter.render({ positions: plan.positions, center: record.center_id, context: record.context_id, negatives: plan.negatives,
                   selected: plan.selected, labelled: plan.touched, trail: plan.trail, arrows: plan.arrows,
                   scale: magnification, outputs: plan.outputs }, animateMs);
}

/** Two maps side by side: one pixel scale and one arrow magnification for both, so lengths compare. */
export function sharedScale(scatters, plans) {
  const scale = Math.min(...scatters.map((scatter, k) => scatter.fittedScale(plans[k].bounds)));
  const magnification = Math.min(...plans.map((plan) => plan.magnification));
  return { scale, magnification };
}

/** What the map shows, in words: its frame, its axes, and (a corpus run) which checkpoint's positions. */
export function frameNote(run, index, record, plan) {
  const frame = { touched: "the words this step touches (center, context"
                    + (run.isSgns ? ", negatives" : "") + ", the nearest on screen), labelled; other words are labelled only where there is room",
                  step: "every word at this step (the frame follows the step)",
                  run: "the whole run's extent, fixed: a word that moves on screen really moved" }[plan.frame ?? "touched"];
  const axes = plan.kind === "final" ? "the final W's two principal axes (PCA)" : "PCA axes fit on every recorded step's W";
  let note = `Shown: ${frame}. Axes: ${axes}.`;
  if (run.isCorpus) {
    const c = run.checkpointOf(index);
    note += ` A corpus run records its ${run.mapSize.toLocaleString("en")} most frequent words' positions only at checkpoints: `
      + `these were taken at step ${run.checkpoints[c].toLocaleString("en")}, the last checkpoint at or before this step.`;
    if (record.center_id >= run.mapSize) {
      note += ` The center ${tokenLabel(record.center_word)} is not among those words, so it has no dot and no arrows.`;
    }
  }
  return note;
}

/** The notes under a map: how the arrows are drawn, output vectors beyond the frame, the variance kept. */
export function arrowNote(magnification, scale, shared) {
  const arrows = magnification > 1 ? `arrows drawn ×${magnification}` : "arrows to scale";
  return shared ? `${arrows} on both maps; both maps at ${scale.toFixed(1)} px per unit` : arrows;
}

export function outsideNote(plan, scatter) {
  if (!plan.outputs) return "";
  const outside = countOutside(plan.outputs.positions, scatter.bounds);
  return outside ? `${outside} of ${plan.outputs.positions.length / 2} output vectors lie outside this frame (frame all words at this step to see them)` : "";
}

/** The canvas's text alternative. */
export function mapDescription(run, plan, record) {
  const words = run.words.slice(0, run.mapSize);
  const { center_id: center, context_id: context } = record;
  if (center >= run.mapSize || context >= run.mapSize) {
    return `Embedding space at step ${record.step}: ${words.length} recorded words projected to 2-D. `
      + `Center word ${tokenLabel(record.center_word)}, context word ${tokenLabel(record.context_word)}: `
      + `${center >= run.mapSize ? "the center is" : "the context is"} not among the recorded words.`;
  }
  return describeScatter(words, plan.positions, { step: record.step, center, context, selected: plan.selected });
}
