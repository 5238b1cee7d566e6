// The live class, in every page's header. The instructor presses "Lead this class" and gives the key that
// `wordlab serve` prints (or opens the lead link it prints, whose #lead= part is taken off the address at
// once): from then on this tab publishes its view (follow.js) on every change and can ask the page's
// questions (questions.js). Everyone else, while a class is live, follows: their page goes where the
// instructor's is, until they press "Follow" off to explore, and one press on "Rejoin" brings them back to
// where the instructor is now. Questions show in a panel (livequestion.js) on every page.
//
// The key lives in this tab's sessionStorage and goes to the server in a header, never in a URL.

import * as api from "./api.js";
import { followPlan, viewOf } from "./follow.js";
import { QuestionPanel } from "./livequestion.js";
import { ClassStream } from "./livestream.js";
import { pageQuestions } from "./questions.js";

const LEAD = "wordlab.lead";        // sessionStorage: the instructor key of the tab that leads
const FOLLOW = "wordlab.follow";    // sessionStorage: { session, following } of this tab
const STUDENT = "wordlab.student";  // localStorage: this browser's anonymous token for answers
const LEAD_HASH = /^#lead=([a-z0-9-]{1,64})$/i;
const POLL_MS = 15000;      // no class live: ask again this often, so a page opened early joins when it starts
const PUBLISH_MS = 80;      // the leader's changes go out at most this often (the last one always)
const CONNECTED_MS = 5000;  // the leader's count of connected pages
const OWN_CHANGE_MS = 1000; // a change this soon after the student's own input on the page is theirs
const LEAVING_MS = 10000;   // a follower's navigation to the leader's page that has not happened by then failed

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The fields of the questions contract (questions.js) and nothing else: a page's question may carry more for
 *  its own quiz (a topic, say), which the class does not need. Choice values go as text. */
export function contractQuestion({ id, prompt, kind, choices, answer, reason }) {
  const question = { id, prompt, kind, answer: kind === "choice" ? String(answer) : answer, reason: reason ?? "" };
  if (kind === "choice") question.choices = choices.map(({ value, label }) => ({ value: String(value), label: String(label) }));
  return question;
}

/** The header's live-class control; getState() gives the page's PageState (or null). */
export function liveControl(getState) {
  const box = element("span", { className: "live" });
  new LiveClass(box, getState).start();
  return box;
}

class LiveClass {
  constructor(box, getState) {
    this.box = box;
    this.getState = getState;
    this.session = null;
    this.key = null;          // set while this tab leads
    this.stream = null;
    this.view = null;         // the leader's latest view
    this.question = null;
    this.timers = {};
    this.publishing = false;     // the leader's view is on its way to the server
    this.publishWanted = false;  // and changed since it left
    this.panel = null;
    this.lastInput = -Infinity;  // when the student last clicked, typed or scrolled on the page itself
    this.leaving = null;         // the page this one is navigating to, to follow the leader
  }

  start() {
    const hash = LEAD_HASH.exec(location.hash);
    if (hash) {  // the lead link: keep the key in this tab, take it off the address before anything can copy it
      sessionStorage.setItem(LEAD, hash[1].toLowerCase());
      history.replaceState(history.state, "", `${location.pathname}${location.search}`);
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") { this.stream ? this.stream.wake() : this.check(); }
    });
    this.getState()?.subscribe((state, changed, origin) => this.ownChange(origin));
    const input = (event) => {  // a student's own input on the page (not on the class's controls)
      if (event.isTrusted && !this.box.contains(event.target) && !this.panel?.root.contains(event.target)) {
        this.lastInput = performance.now();
      }
    };
    for (const type of ["pointerdown", "keydown", "wheel", "input"]) {
      document.addEventListener(type, input, { capture: true, passive: true });
    }
    const key = sessionStorage.getItem(LEAD);
    if (key) this.lead(key); else this.check();
  }

  // ---- is a class live? ----

  async check() {
    clearTimeout(this.timers.poll);
    if (this.key || this.stream) return;
    let status = null;
    try { status = await api.getClassStatus(); } catch { /* server away: ask again later */ }
    if (this.key || this.stream) return;
    if (status?.session) { this.join(status.session); return; }
    this.render();
    if (document.visibilityState === "visible") this.timers.poll = setTimeout(() => this.check(), POLL_MS);
  }

  openStream(role) {
    this.stream = new ClassStream(api.classEventsUrl(role), {
      session: (data) => this.onSession(data),
      state: (view) => this.onState(view),
      question: (event) => this.onQuestion(event),
    }, { stillWanted: () => this.stillWanted() });
    this.stream.start();
    this.box.dataset.stream = role;
  }

  async stillWanted() {
    try {
      const status = await api.getClassStatus();
      if (status.session) return true;
    } catch { return true; }  // the server is restarting: keep trying
    this.ended();
    return false;
  }

  closeStream() {
    this.stream?.stop();
    this.stream = null;
    delete this.box.dataset.stream;
  }

  // ---- following ----

  join(session) {
    this.session = session;
    this.openStream("follow");
    this.render();
  }

  get following() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(FOLLOW));
      return saved?.session !== this.session || saved.following;  // a new class starts followed
    } catch { return true; }
  }

  set following(on) {
    sessionStorage.setItem(FOLLOW, JSON.stringify({ session: this.session, following: on }));
    if (on && this.view) this.follow(this.view);
    this.render();
  }

  onSession(data) {
    if (!data.session) { this.ended(); return; }
    this.session = data.session;
    this.render();
  }

  onState(view) {
    this.view = view;
    if (!this.key && this.following) this.follow(view);
  }

  follow(view) {
    const state = this.getState();
    const plan = followPlan(view, state, location);
    if (plan.navigate) {
      // Once: the page being left would otherwise start the navigation again at each of the leader's changes
      // (typing) and never arrive. The new page takes the leader's latest view when its stream connects.
      if (this.leaving !== view.path) {
        this.leaving = view.path;
        setTimeout(() => { this.leaving = null; }, LEAVING_MS);  // a navigation that never happened is tried again
        location.assign(plan.navigate);
      }
      return;
    }
    if (state && Object.keys(plan.patch).length) state.set(plan.patch, "follow");
    if (plan.hash) location.hash = plan.hash;
    else if (plan.hash === "") history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  }

  /** A change of the page's state: the leader publishes it; a student's own change while following (one the
   *  page makes within OWN_CHANGE_MS of their click, key, wheel or typing on the page) means they are
   *  exploring now, until "Rejoin the class". A change the page makes by itself (a map fitting its new
   *  run) leaves them following. */
  ownChange(origin) {
    if (this.key) { if (origin !== "follow") this.publishSoon(); return; }
    if (origin === "user" && this.stream && this.following && performance.now() - this.lastInput < OWN_CHANGE_MS) {
      this.following = false;
    }
  }

  ended() {
    this.closeStream();
    this.session = null;
    this.view = null;
    this.panel?.remove();
    this.panel = null;
    if (this.key) { this.key = null; sessionStorage.removeItem(LEAD); }
    this.render();
    this.check();
  }

  // ---- questions ----

  onQuestion(event) {
    this.question = event;
    this.panel ??= new QuestionPanel({
      leader: Boolean(this.key),
      answer: (ask, value, nickname) => this.answer(ask, value, nickname),
      act: (ask, action) => api.changeClassQuestion(this.key, ask, action),
      hidden: () => this.render(),
    });
    this.panel.show(event);
    if (this.key) this.render();
  }

  async answer(ask, value, nickname) {
    for (let attempt = 0; ; attempt += 1) {
      let student = localStorage.getItem(STUDENT);
      if (!student) {
        student = (await api.joinClass()).student;
        localStorage.setItem(STUDENT, student);
      }
      try {
        return (await api.answerClassQuestion({ ask, student, value, nickname })).counted_as;
      } catch (err) {  // a token from another server's store: get a new one, once
        if (err.status !== 400 || !err.message.includes("token") || attempt > 0) throw err;
        localStorage.removeItem(STUDENT);
      }
    }
  }

  async ask() {
    const dialog = this.dialog("Ask the class");
    const list = element("div", { className: "live-ask-list" });
    dialog.body.replaceChildren(element("p", { className: "explain", textContent: "finding this page's questions…" }));
    let questions = [];
    try { questions = await pageQuestions(); } catch (err) { dialog.body.replaceChildren(element("p", { className: "error", textContent: err.message })); return; }
    if (!questions.length) {
      dialog.body.replaceChildren(element("p", { className: "explain", textContent: "This page has no question to ask about what it shows now." }));
      return;
    }
    for (const question of questions) {
      const button = element("button", { type: "button", textContent: question.prompt });
      button.dataset.question = question.id;
      button.addEventListener("click", async () => {
        try {
          await api.askClass(this.key, contractQuestion(question));
          dialog.close();
        } catch (err) { dialog.body.append(element("p", { className: "error", textContent: err.message })); }
      });
      list.append(button);
    }
    dialog.body.replaceChildren(element("p", { className: "explain", textContent: "Students answer on their devices; "
      + "this screen shows their answers as they come in, and the right one when you reveal it." }), list);
  }

  // ---- leading ----

  async lead(key) {
    let session;
    try {
      session = await api.startClass(key);
    } catch (err) {
      if (err.status === 401 || err.status === 403) sessionStorage.removeItem(LEAD);
      this.render(err.message);
      this.check();
      return;
    }
    this.closeStream();
    this.panel?.remove();
    this.panel = null;
    this.key = key;
    this.session = session.session;
    this.openStream("lead");
    window.addEventListener("hashchange", () => this.publishSoon());
    this.publishSoon();
    this.countConnected();
    this.render();
  }

  /** The leader's view goes out at most every PUBLISH_MS, one request at a time: two in flight could reach the
   *  server in either order and leave the class on the older view. A change during a request goes out after it. */
  publishSoon() {
    if (!this.key) return;
    this.publishWanted = true;
    if (this.timers.publish || this.publishing) return;
    const since = performance.now() - (this.lastPublished ?? -Infinity);
    this.timers.publish = setTimeout(() => this.publishNow(), Math.max(0, PUBLISH_MS - since));
  }

  async publishNow() {
    this.timers.publish = null;
    this.publishWanted = false;
    this.publishing = true;
    this.lastPublished = performance.now();
    try {
      await api.publishClassView(this.key, viewOf(this.getState(), location));
    } catch (err) {
      this.render(err.message);
    } finally {
      this.publishing = false;
    }
    if (this.publishWanted) this.publishSoon();
  }

  async countConnected() {
    if (!this.key) return;
    try {
      const status = await api.getClassStatus();
      this.connected = status.connected;
      this.render();
    } catch { /* the next count */ }
    this.timers.connected = setTimeout(() => this.countConnected(), CONNECTED_MS);
  }

  async endClass() {
    clearTimeout(this.timers.connected);
    try { await api.endClass(this.key); } catch (err) { this.render(err.message); return; }
    this.ended();
  }

  leadDialog() {
    const dialog = this.dialog("Lead this class");
    const input = element("input", { type: "password", autocomplete: "off", spellcheck: false, className: "live-key" });
    const problem = element("p", { className: "error" });
    problem.hidden = true;
    const form = element("form", {}, element("label", {}, "Instructor key ", input),
                         element("button", { type: "submit", className: "primary", textContent: "Lead" }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const key = input.value.trim().toLowerCase();
      try {
        await api.checkInstructorKey(key);
      } catch (err) { problem.textContent = err.message; problem.hidden = false; return; }
      sessionStorage.setItem(LEAD, key);
      dialog.close();
      this.lead(key);
    });
    dialog.body.replaceChildren(element("p", { className: "explain", textContent: "The key is printed by wordlab serve "
      + "where the server was started. Students who open this server's link then follow this tab." }), form, problem);
    input.focus();
  }

  dialog(title) {
    this.dialogBox ??= (() => {
      const heading = element("h2", { id: "live-dialog-title" });
      const body = element("div", { className: "live-dialog-body" });
      const close = element("button", { type: "button", textContent: "Close" });
      const box = element("dialog", { className: "live-dialog" }, heading, body, close);
      box.setAttribute("aria-labelledby", "live-dialog-title");
      close.addEventListener("click", () => box.close());
      box.addEventListener("click", (e) => { if (e.target === box) box.close(); });
      document.body.append(box);
      return { box, heading, body };
    })();
    const { box, heading, body } = this.dialogBox;
    heading.textContent = title;
    if (!box.open) box.showModal();
    return { body, close: () => box.close() };
  }

  // ---- the control ----

  render(problem = "") {
    const parts = [];
    this.box.dataset.mode = this.key ? "lead" : this.session ? (this.following ? "follow" : "explore") : "idle";
    if (this.key) {
      const ask = element("button", { type: "button", className: "live-ask", textContent: "Ask a question" });
      ask.addEventListener("click", () => this.ask());
      const end = element("button", { type: "button", className: "live-end", textContent: "End class" });
      end.addEventListener("click", () => this.endClass());
      parts.push(element("span", { className: "live-badge", textContent: "● Leading" }),
                 element("span", { className: "live-count", textContent: `${this.connected ?? 0} connected` }), ask, end);
      if (this.question?.ask && this.panel?.root.hidden) {
        const show = element("button", { type: "button", textContent: "Show the question" });
        show.addEventListener("click", () => { this.panel.unhide(); this.render(); });
        parts.push(show);
      }
    } else if (this.session) {
      const on = this.following;
      const toggle = element("button", { type: "button", className: "live-follow",
                                         textContent: on ? "Following the class" : "Rejoin the class" });
      toggle.setAttribute("aria-pressed", String(on));
      toggle.title = on ? "Press to explore on your own" : "Go to where the instructor is now";
      toggle.addEventListener("click", () => { this.following = !this.following; });
      parts.push(element("span", { className: "live-badge", textContent: "● Live class" }), toggle);
    } else {
      const lead = element("button", { type: "button", className: "live-lead", textContent: "Lead this class" });
      lead.addEventListener("click", () => this.leadDialog());
      parts.push(lead);
    }
    if (problem) parts.push(element("span", { className: "live-problem", textContent: problem }));
    this.box.replaceChildren(...parts);
  }
}
