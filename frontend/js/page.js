// What every page shares: element lookup, the navigation, error and notice banners, a promise
// cache that forgets failures, and the start-up sequence that turns any failure into a message; on
// every page, the share control (share.js), the live class (live.js), the figures' PNG/SVG buttons
// (figureexport.js) and links from the glossary's terms to their entries (glossarylinks.js).

import { attachFigureExports } from "./figureexport.js";
import { linkGlossaryTerms } from "./glossarylinks.js";
import { liveControl } from "./live.js";
import { shareControl } from "./share.js";
import { resetColors } from "./theme.js";

export const $ = (id) => document.getElementById(id);

/** The pages of the app, in the order the navigation shows them. Add a page here (docs/architecture.md). */
export const PAGES = [
  { href: "/walkthrough.html", label: "Training walkthrough" },
  { href: "/tokens.html", label: "Token boundaries" },
  { href: "/explorer.html", label: "Embedding explorer" },
  { href: "/train.html", label: "Train" },
  { href: "/glossary.html", label: "Glossary" },
  { href: "/docs", label: "API" },
];

/** Fills <header class="top"> with the title and a link per page; the current page is marked. */
export function renderNav(header = document.querySelector("header.top")) {
  if (!header) return;
  const title = document.createElement("h1");
  const home = document.createElement("a");
  home.href = "/";
  home.textContent = "wordlab";
  title.append(home);
  const nav = document.createElement("nav");
  nav.setAttribute("aria-label", "pages");
  for (const { href, label } of PAGES) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = label;
    if (location.pathname === href) { link.className = "here"; link.setAttribute("aria-current", "page"); }
    nav.append(link);
  }
  header.replaceChildren(title, nav, presentationToggle(), shareControl(), liveControl(currentPageState));
}

/** Presentation mode (large type, dark) is the class "presentation" on <html>, kept per browser; the
 *  dark theme is the class "dark", also set when the system prefers a dark colour scheme. */
function presentationToggle() {
  const root = document.documentElement;
  const prefersDark = matchMedia("(prefers-color-scheme: dark)");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "present";
  button.textContent = "Presentation mode";
  const apply = () => {
    const on = localStorage.getItem("wordlab.presentation") === "1";
    root.classList.toggle("presentation", on);
    root.classList.toggle("dark", on || prefersDark.matches);
    button.setAttribute("aria-pressed", String(on));
    resetColors();
    window.dispatchEvent(new Event("themechange"));  // pages that draw on canvases redraw in the new colours
  };
  button.addEventListener("click", () => {
    localStorage.setItem("wordlab.presentation", root.classList.contains("presentation") ? "0" : "1");
    apply();
  });
  prefersDark.addEventListener("change", apply);
  apply();
  return button;
}

/** Shows a message in a banner element (hidden when the message is empty). */
export function showMessage(element, message) {
  element.textContent = message ?? "";
  element.hidden = !message;
}

export const showError = (message) => showMessage($("error"), message);
export const showNotice = (message) => { if ($("notice")) showMessage($("notice"), message); };

/** Memoises an async function by key; a rejected promise is forgotten so that the next call retries. */
export function promiseCache(load) {
  const cache = new Map();
  const get = (key) => {
    if (!cache.has(key)) {
      const promise = load(key);
      promise.catch(() => cache.delete(key));
      cache.set(key, promise);
    }
    return cache.get(key);
  };
  get.cache = cache;
  return get;
}

let shownState = null;

/** The PageState (pagestate.js) of the page on screen, or null on a page without one: the header's
 *  controls (share, a live class) read and set the page through it. */
export const currentPageState = () => shownState;

/** Runs a page's main(): the navigation and figure export first, then main; anything it throws becomes
 *  the error banner. A page with state passes its PageState, so the header's controls can reach it. */
export function startPage(main, { state = null } = {}) {
  shownState = state;
  renderNav();
  linkGlossaryTerms();
  attachFigureExports();
  Promise.resolve().then(main).catch((err) => {
    console.error(err);
    showError(err?.message ?? String(err));
  });
}
