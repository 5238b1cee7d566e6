// Page-wide keyboard shortcuts that never steal a key from a focused control: Space on a focused
// button presses that button, arrows on a focused slider, select or radio move that control. A
// shortcut acts only when the key lands on the page itself (nothing, or only text, has focus).

/** Elements that handle keys themselves: form controls, widgets with a role, anything focusable. */
const OWNS_KEYS = "a[href], button, input, select, textarea, summary, [contenteditable]:not([contenteditable=false]), "
  + "[role=button], [role=slider], [role=listbox], [role=application], [tabindex]:not([tabindex='-1'])";
/** Buttons and links take only the keys that press them: arrows on a focused button still step the page
 *  (after "+20" or "Copy link", ← → go on stepping). */
const PRESSED_ONLY = "a[href], button, summary, [role=button]";
const PRESS_KEYS = new Set([" ", "Enter"]);

export function ownsKeys(target, key) {
  if (!(target instanceof Element)) return false;
  const owner = target.closest(OWNS_KEYS);
  if (owner === null) return false;
  return !owner.matches(PRESSED_ONLY) || PRESS_KEYS.has(key);
}

/** shortcuts: {key: handler} with KeyboardEvent.key names (" " for Space). Modified keys are left alone. */
export function bindShortcuts(shortcuts, root = document) {
  root.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const handler = shortcuts[event.key];
    if (!handler || ownsKeys(event.target, event.key)) return;
    event.preventDefault();
    handler(event);
  });
}

/** Space and Enter on a focusable element with role=button do what a click does (as on a real button). */
export function pressOnKeys(element, press) {
  element.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    press(event);
  });
}

/** Says which keys a focusable widget takes: a visually hidden hint after it, as its aria-describedby. */
export function describeKeys(element, text) {
  const hint = document.createElement("p");
  hint.className = "visually-hidden";
  hint.id = `${element.id}-keys`;
  hint.textContent = text;
  element.before(hint);   // before: the figure export bar follows the figure itself
  element.setAttribute("aria-describedby", hint.id);
}
