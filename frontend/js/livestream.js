// The live class's event stream in the browser: one EventSource, its events handed on in seq order, and a
// new connection when it drops for good. EventSource itself reconnects after a network error and sends
// Last-Event-ID, so the server replays what was missed; it gives up on an HTTP error (a 503 while a
// worker restarts, a 204 once the class has ended), and then this asks `stillWanted()` and, if so, opens
// a new one after a short, growing pause. No DOM here: node tests it with a fake EventSource.

export const KINDS = ["session", "state", "question"];
const CLOSED = 2;  // EventSource.CLOSED

export class ClassStream {
  /**
   * url: the event stream's URL; handlers: { session(data, seq), state(data, seq), question(data, seq), open() }
   * options.stillWanted(): a promise of whether to reconnect after the stream closed (default: yes)
   */
  constructor(url, handlers, { stillWanted = async () => true, open = (u) => new EventSource(u),
    schedule = (fn, ms) => globalThis.setTimeout(fn, ms), cancel = (id) => globalThis.clearTimeout(id),
    pausesMs = [300, 1000, 2000, 4000] } = {}) {
    Object.assign(this, { url, handlers, stillWanted, open, schedule, cancel, pausesMs });
    this.source = null;
    this.timer = null;
    this.failures = 0;
    this.lastSeq = 0;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    if (!this.source && this.timer === null) this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
  }

  /** Reconnects now if the stream is closed (a phone waking up), instead of waiting out the pause. */
  wake() {
    if (this.stopped || (this.source && this.source.readyState !== CLOSED)) return;
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    this.connect();
  }

  connect() {
    const source = this.open(this.url);
    this.source = source;
    for (const kind of KINDS) source.addEventListener(kind, (event) => this.receive(kind, event));
    source.addEventListener("open", () => {
      // Each connection is in seq order (the server's promise); a new one may start lower (a store reset).
      this.lastSeq = 0;
      this.failures = 0;
      this.handlers.open?.();
    });
    source.addEventListener("error", () => { if (source.readyState === CLOSED) this.closed(source); });
  }

  receive(kind, event) {
    const seq = Number(event.lastEventId);
    if (seq <= this.lastSeq) return;  // never backwards on one connection (the server does not send it; this makes sure)
    this.lastSeq = seq;
    this.handlers[kind]?.(JSON.parse(event.data), seq);
  }

  async closed(source) {
    if (source !== this.source) return;
    source.close();
    this.source = null;
    if (this.stopped || !(await this.stillWanted()) || this.stopped) return;
    const pause = this.pausesMs[Math.min(this.failures, this.pausesMs.length - 1)];
    this.failures += 1;
    this.timer = this.schedule(() => { this.timer = null; if (!this.stopped) this.connect(); }, pause);
  }
}
