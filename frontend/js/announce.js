// A polite live region for screen readers. Changes that come fast (playback, a held arrow key) are
// spoken once the page settles, or at most every few seconds: a reader that is interrupted at every
// step says nothing useful.

const QUIET_MS = 350;    // speak once nothing has changed for this long
const AT_MOST_MS = 3000; // and at least this often while changes keep coming

export class Announcer {
  /** The live region is created visually hidden at the end of `parent`, so no page needs markup for it. */
  constructor(parent = document.querySelector("main") ?? document.body, { quietMs = QUIET_MS, atMostMs = AT_MOST_MS } = {}) {
    this.region = document.createElement("div");
    this.region.className = "visually-hidden";
    this.region.setAttribute("role", "status");
    this.region.setAttribute("aria-live", "polite");
    this.region.setAttribute("aria-atomic", "true");
    parent.append(this.region);
    this.quietMs = quietMs;
    this.atMostMs = atMostMs;
    this.timer = null;
    this.pendingSince = null;
  }

  /** Queues a message; only the latest queued one is spoken. */
  say(message) {
    this.pending = message;
    const now = performance.now();
    this.pendingSince ??= now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.pendingSince + this.atMostMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    clearTimeout(this.timer);
    this.pendingSince = null;
    if (this.pending !== undefined && this.region.textContent !== this.pending) this.region.textContent = this.pending;
    this.pending = undefined;
  }
}
