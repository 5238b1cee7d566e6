// The walkthrough's view state: every field a link reopens or a live class follows, in one PageState
// (pagestate.js). Controls set these fields; the walkthrough's renderers draw from them. No DOM
// (tests/js/walkstate.test.mjs).
import { PageState, RefusedValue, flagField, intField, oneOf } from "./pagestate.js";
import { FRAMES } from "./mapframe.js";
import { KINDS } from "./stepquestions.js";

export const DEFAULT_WINDOW = 3;   // the sliding-window panel's starting size
export const SPEEDS = [2, 5, 10, 30, 60];

/** zoom: the map's frame. Links written before the frames were named said zoom=1 (every word at this
 *  step) or zoom=0 (the whole run): they keep opening what they showed. */
const readFrame = (text) => ({ 1: "step", 0: "run" })[text] ?? oneOf(...FRAMES)(text);

/** A word or run name: any non-empty text (the page checks it against the run once it is loaded). */
const text = (value) => {
  if (!value) throw new RefusedValue("a name");
  return value;
};

export const WALK_FIELDS = {
  run: { default: null, parse: text },
  step: { default: null, parse: intField(1) },        // a recorded step number (null: the run's first)
  vs: { default: null, parse: text },                 // side by side with this run
  word: { default: null, parse: text },               // the selected word (null: follow the center)
  proj: { default: "final", parse: oneOf("final", "global") },
  zoom: { default: "touched", parse: readFrame },
  bars: { default: "probabilities", parse: oneOf("probabilities", "logits") },
  out: { default: false, ...flagField },              // output vectors drawn
  sentence: { default: 0, parse: intField(0) },       // the sliding-window panel: sentence, clicked center, size
  center: { default: -1, parse: intField(-1) },
  window: { default: DEFAULT_WINDOW, parse: intField(1, 5) },
  ask: { default: null, parse: oneOf(...KINDS) },     // predict, then reveal: the question asked
  reveal: { default: null, inUrl: false },            // the step and question revealed, "step:kind"
  playing: { default: false, inUrl: false },
  speed: { default: 5, inUrl: false },                // recorded steps per second
};

export const walkState = (options) => new PageState(WALK_FIELDS, options);

/** Whether the question asked at this step has been revealed. */
export const revealed = (values) => values.ask !== null && values.reveal === `${values.step}:${values.ask}`;
