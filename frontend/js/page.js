// What every page shares: element lookup, the navigation, error and notice banners, a promise
// cache that forgets failures, and the start-up sequence that turns any failure into a message.

export const $ = (id) => document.getElementById(id);

/** The pages of the app, in the order the navigation shows them. Add a page here (docs/architecture.md). */
export const PAGES = [
  { href: "/walkthrough.html", label: "Training walkthrough" },
  { href: "/tokens.html", label: "Token boundaries" },
  { href: "/explorer.html", label: "Embedding explorer" },
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
  header.replaceChildren(title, nav);
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

/** Runs a page's main(): the navigation first, then main; anything it throws becomes the error banner. */
export function startPage(main) {
  renderNav();
  Promise.resolve().then(main).catch((err) => {
    console.error(err);
    showError(err?.message ?? String(err));
  });
}
