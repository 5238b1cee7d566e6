// Theme colours, read once from the CSS custom properties in app.css: the stylesheet is the one
// place a colour is defined. getComputedStyle forces a style recalculation, so each name is read
// once (profiled: it was the costliest call of a walkthrough step when made per paint).
const colours = new Map();

export function color(name) {
  if (!colours.has(name)) colours.set(name, getComputedStyle(document.documentElement).getPropertyValue(name).trim());
  return colours.get(name);
}

/** Forget the cached colours (after a theme switch such as a dark or presentation mode). */
export function resetColors() { colours.clear(); }
