// One state object per page. The URL, the controls and the renderers all read it, and only set()
// changes it: a control calls set() and draws nothing itself; a renderer subscribes and draws from the
// state it is handed. So a link, a click, a key and (in a live class) the instructor's screen all
// change the page the same way, and what the URL says is what the page shows.
//
// A page declares its fields once, each with its default and how it is read from and written to the
// URL. A value from the URL that cannot be used is refused with a sentence (the page shows it in its
// notice) and the default is used. Fields marked `inUrl: false` (playback, say) are state a live class
// follows but a link does not carry. No DOM is needed to create or test a state (node runs the tests).

/** Thrown by a field's parse() when a URL value cannot be used; its message names what would do. */
export class RefusedValue extends Error {}

/** Reads a whole number in [min, max] from text; throws RefusedValue otherwise. */
export function intField(min, max = Number.MAX_SAFE_INTEGER) {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RefusedValue(`a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`}`);
    }
    return value;
  };
}

/** Reads one of the given strings; throws RefusedValue otherwise. */
export function oneOf(...choices) {
  return (text) => {
    if (!choices.includes(text)) throw new RefusedValue(`one of ${choices.join(", ")}`);
    return text;
  };
}

/** Reads "0"/"1" as false/true and writes them back the same way. */
export const flagField = { parse: oneOf("0", "1"), toValue: (text) => text === "1", format: (on) => (on ? "1" : "0") };

const identity = (value) => value;

function normaliseField(name, spec) {
  if (!("default" in spec)) throw new Error(`page state field ${name} has no default`);
  const parse = spec.parse ?? identity;
  const toValue = spec.toValue ?? identity;
  return {
    default: spec.default,
    read: (text) => toValue(parse(text)),
    format: spec.format ?? String,
    inUrl: spec.inUrl ?? true,
  };
}

export class PageState {
  /**
   * fields: { name: { default, parse?(text) → value (throws RefusedValue), format?(value) → text, or null
   *   to leave it out of the URL, inUrl? } }
   * options.search: the query to start from (location.search in a browser, "" elsewhere)
   * options.writeUrl(query): puts the query into the address bar; called at most every urlDelay ms
   */
  constructor(fields, { search = globalThis.location?.search ?? "", writeUrl = replaceUrl, urlDelay = 250,
    schedule = (fn, ms) => globalThis.setTimeout(fn, ms), cancel = (id) => globalThis.clearTimeout(id) } = {}) {
    this.fields = Object.fromEntries(Object.entries(fields).map(([name, spec]) => [name, normaliseField(name, spec)]));
    this.listeners = new Set();
    this.refused = [];
    this.writeUrl = writeUrl;
    this.urlDelay = urlDelay;
    this.schedule = schedule;
    this.cancel = cancel;
    this.urlTimer = null;
    this.values = this.fromQuery(search);
  }

  /** The values a query gives, defaults where it says nothing; refused values are noted in this.refused. */
  fromQuery(search) {
    const params = new URLSearchParams(search);
    const values = {};
    for (const [name, field] of Object.entries(this.fields)) {
      values[name] = field.default;
      if (!field.inUrl || !params.has(name)) continue;
      try {
        values[name] = field.read(params.get(name));
      } catch (err) {
        if (!(err instanceof RefusedValue)) throw err;
        this.refused.push(`${name}=${params.get(name)} cannot be used (${err.message}); showing ${field.format(field.default)}`);
      }
    }
    return values;
  }

  /** A frozen copy of every field's value. */
  get() {
    return Object.freeze({ ...this.values });
  }

  /** Changes some fields; listeners hear which changed and where the change came from ("user", "url",
   *  "follow", ...). Unknown fields are a programming error and throw. Returns the names that changed. */
  set(patch, origin = "user") {
    const changed = new Set();
    for (const [name, value] of Object.entries(patch)) {
      if (!(name in this.fields)) throw new Error(`page state has no field ${name}`);
      if (!Object.is(this.values[name], value)) {
        this.values[name] = value;
        changed.add(name);
      }
    }
    if (changed.size === 0) return changed;
    if ([...changed].some((name) => this.fields[name].inUrl)) this.scheduleUrl();
    const snapshot = this.get();
    for (const listener of [...this.listeners]) listener(snapshot, changed, origin);
    return changed;
  }

  /** Calls listener(state, changed, origin) after every change; returns a function that stops it. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The query for these values (the current ones by default): fields at their default are left out. */
  query(values = this.values) {
    const params = new URLSearchParams();
    for (const [name, field] of Object.entries(this.fields)) {
      if (!field.inUrl || Object.is(values[name], field.default)) continue;
      if (values[name] === null || values[name] === undefined || values[name] === "") continue;
      const text = field.format(values[name]);
      if (text !== null) params.set(name, text);   // a format may keep a value out of links (a text too long)
    }
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  /** This page's link as of now (a copy-link control builds it when pressed). */
  url(path = globalThis.location?.pathname ?? "/") {
    return `${path}${this.query()}`;
  }

  scheduleUrl() {
    if (this.urlTimer !== null) return;
    this.urlTimer = this.schedule(() => this.flushUrl(), this.urlDelay);
  }

  /** Writes the address bar now (a page leaving, a test that reads it). */
  flushUrl() {
    if (this.urlTimer !== null) this.cancel(this.urlTimer);
    this.urlTimer = null;
    this.writeUrl(this.query());
  }
}

function replaceUrl(query) {
  const url = `${location.pathname}${query}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, "", url);
}
