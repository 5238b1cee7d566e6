// The walkthrough's view options as URL parameters, so that a deep link reopens what a view shows:
// the projection (proj), zoom to this step (zoom), the bar mode (bars) and the output vectors (out).
// The controls hold the state; these functions read them into parameters and set them from parameters.
import { $ } from "./page.js";

/** Each parameter's default: a default is left out of the URL. */
export const VIEW_DEFAULTS = { proj: "final", zoom: "0", bars: "probabilities", out: "0" };

const RADIOS = { proj: "pca", bars: "bars" };       // parameter → the name of its radio group
const CHECKBOXES = { zoom: "zoom", out: "outputs" }; // parameter → the id of its checkbox

const checkedValue = (group) => document.querySelector(`input[name=${group}]:checked`).value;

/** The view options as URL parameters, null where they are at their default. */
export function viewParams() {
  const params = {};
  for (const [key, group] of Object.entries(RADIOS)) {
    const value = checkedValue(group);
    params[key] = value === VIEW_DEFAULTS[key] ? null : value;
  }
  for (const [key, id] of Object.entries(CHECKBOXES)) params[key] = $(id).checked ? "1" : null;
  return params;
}

/** Sets the controls from URL parameters; returns a sentence for each value it could not use. */
export function applyViewParams(wanted) {
  const refused = [];
  for (const [key, group] of Object.entries(RADIOS)) {
    const radio = [...document.querySelectorAll(`input[name=${group}]`)].find((r) => r.value === wanted[key]);
    if (radio) radio.checked = true;
    else refused.push(`${key}=${wanted[key]} is not an option (${[...document.querySelectorAll(`input[name=${group}]`)].map((r) => r.value).join(" or ")})`);
  }
  for (const [key, id] of Object.entries(CHECKBOXES)) {
    if (wanted[key] !== "0" && wanted[key] !== "1") refused.push(`${key}=${wanted[key]} is not 0 or 1`);
    $(id).checked = wanted[key] === "1";
  }
  return refused;
}

/** The projection the controls show: "final" or "global". */
export const shownProjection = () => checkedValue(RADIOS.proj);
