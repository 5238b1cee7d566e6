// The question a live class is being asked, in a panel on every page. The leader's (the projector's) shows
// the class's answers as they come in and Close / Reopen / Reveal; a student's shows the choices (or a
// number box) and their own answer, changeable until answers close. At the reveal both show the right
// answer, the reason, how many had it, and the bars; a student also sees whether they had it. Text only:
// every prompt, label and nickname goes in with textContent.

import { answerBars, shareRight } from "./answerbars.js";
import { drawAnswerChart } from "./components/answerchart.js";
import { svgElement } from "./components/svg.js";

const MINE = "wordlab.answers";     // sessionStorage: { ask: counted key } of this tab's answers
const NICKNAME = "wordlab.nickname";  // localStorage: the nickname this browser answers under, if any

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const readJSON = (storage, key) => { try { return JSON.parse(storage.getItem(key)) ?? {}; } catch { return {}; } };
const percent = (share) => `${Math.round(100 * share)}%`;

export class QuestionPanel {
  /** leader: whether this page leads; answer(ask, value, nickname) → promise of the counted key (students);
   *  act(ask, action) → promise (the leader's close / reopen / reveal); hidden(): the panel was hidden. */
  constructor({ leader, answer, act, hidden = () => {} }) {
    Object.assign(this, { leader, answer, act, hidden });
    this.event = null;
    this.hiddenAt = null;  // hidden at this question and status: a new question or status shows it again
    this.root = element("aside", { className: `live-question ${leader ? "lead" : "student"}` });
    this.root.setAttribute("aria-label", "question for the class");
    this.root.hidden = true;
    this.prompt = element("h2", { className: "live-prompt" });
    this.inputs = element("div", { className: "live-inputs" });
    this.mine = element("p", { className: "live-mine" });
    this.mine.setAttribute("role", "status");
    this.chart = svgElement("svg", { class: "live-answers" });
    this.summary = element("p", { className: "live-summary" });
    if (!leader) this.summary.setAttribute("role", "status");  // the projector's counts change too often to be read out
    this.reason = element("p", { className: "live-reason explain" });
    this.names = element("p", { className: "live-names explain" });
    this.actions = element("div", { className: "live-actions" });
    const hide = element("button", { type: "button", className: "live-hide", textContent: "Hide" });
    hide.addEventListener("click", () => { this.hiddenAt = this.shownAt(); this.root.hidden = true; this.hidden(); });
    this.root.append(this.prompt, this.inputs, this.mine, this.chart, this.summary, this.reason, this.names,
                     element("div", { className: "live-buttons" }, this.actions, hide));
    window.addEventListener("themechange", () => this.drawChart());
    window.addEventListener("resize", () => this.drawChart());
  }

  /** Shows a question event from the stream ({ ask: null } or a session's end: none). */
  show(event) {
    const fresh = event?.ask !== this.event?.ask;
    this.event = event?.ask ? event : null;
    if (!this.event) { this.root.hidden = true; return; }
    if (!this.root.isConnected) document.body.append(this.root);
    if (fresh) this.buildInputs();
    this.root.hidden = this.hiddenAt === this.shownAt();
    this.root.dataset.status = this.event.status;
    this.root.dataset.ask = this.event.ask;
    this.prompt.textContent = this.event.question.prompt;
    this.update();
  }

  remove() { this.root.remove(); this.event = null; }

  shownAt() { return this.event ? `${this.event.ask}:${this.event.status}` : null; }

  /** Shows the panel again after "Hide". */
  unhide() { this.hiddenAt = null; if (this.event) this.root.hidden = false; }

  buildInputs() {
    const { question, ask } = this.event;
    this.inputs.replaceChildren();
    this.actions.replaceChildren();
    if (this.leader) {
      for (const [action, label] of [["close", "Close answers"], ["reopen", "Reopen"], ["reveal", "Reveal the answer"]]) {
        const button = element("button", { type: "button", textContent: label, className: action === "reveal" ? "primary" : "" });
        button.dataset.action = action;
        button.addEventListener("click", () => this.act(ask, action).catch((err) => { this.summary.textContent = err.message; }));
        this.actions.append(button);
      }
      return;
    }
    const nickname = element("input", { type: "text", maxLength: 24, placeholder: "nickname (optional)", className: "live-nickname",
                                        value: localStorage.getItem(NICKNAME) ?? "", autocomplete: "off" });
    nickname.setAttribute("aria-label", "nickname, optional: shown beside right answers at the reveal");
    nickname.addEventListener("change", () => localStorage.setItem(NICKNAME, nickname.value.trim()));
    const send = (value) => {
      this.mine.textContent = "sending…";
      this.answer(ask, value, nickname.value.trim() || null).then((counted) => {
        const mine = readJSON(sessionStorage, MINE);
        mine[ask] = counted;
        sessionStorage.setItem(MINE, JSON.stringify(mine));
        this.update();
      }, (err) => { this.mine.textContent = err.message; });
    };
    if (question.kind === "choice") {
      const choices = element("div", { className: "live-choices" });
      for (const choice of question.choices) {
        const button = element("button", { type: "button", textContent: choice.label });
        button.dataset.value = choice.value;
        button.addEventListener("click", () => send(choice.value));
        choices.append(button);
      }
      this.inputs.append(choices, nickname);
    } else {
      const number = element("input", { type: "number", step: "any", inputMode: "decimal", className: "live-number" });
      number.setAttribute("aria-label", "your answer (a number)");
      const form = element("form", { className: "live-number-form" }, number,
                           element("button", { type: "submit", className: "primary", textContent: "Send" }));
      form.addEventListener("submit", (e) => { e.preventDefault(); if (number.value !== "") send(number.value); });
      this.inputs.append(form, nickname);
    }
  }

  update() {
    const { question, status, counts, total, reveal, ask } = this.event;
    const open = status === "open";
    for (const control of this.inputs.querySelectorAll("button, input:not(.live-nickname)")) control.disabled = !open;
    for (const button of this.actions.querySelectorAll("button")) {
      const action = button.dataset.action;
      button.hidden = (action === "close" && !open) || (action === "reopen" && status !== "closed") || status === "revealed";
    }
    const mine = this.leader ? undefined : readJSON(sessionStorage, MINE)[ask];
    for (const button of this.inputs.querySelectorAll(".live-choices button")) {
      button.setAttribute("aria-pressed", String(button.dataset.value === mine));
    }
    const label = (key) => question.kind === "choice" ? question.choices.find((c) => c.value === key)?.label ?? key : key;
    if (!this.leader) {
      this.mine.textContent = mine === undefined ? (open ? "Answers are anonymous; a nickname, if you give one, is shown only beside a right answer." : "Answers are closed.")
        : reveal ? `Your answer: ${label(mine)} — ${mine === reveal.answer ? "right ✓" : "not this time"}`
          : `Your answer: ${label(mine)}${open ? " (you can change it until answers close)" : " (answers are closed)"}`;
    }
    this.summary.textContent = reveal
      ? (({ right, share }) => `The answer: ${label(reveal.answer)}. ${right} of ${total} had it (${percent(share)}).`)(shareRight(counts, total, reveal.answer))
      : `${total} ${total === 1 ? "answer" : "answers"}${open ? " so far" : ", answers closed"}`;
    this.reason.textContent = reveal?.reason ?? "";
    const names = reveal?.nicknames ?? [];
    this.names.textContent = names.length ? `Right: ${names.join(", ")}${reveal.more_nicknames ? ` and ${reveal.more_nicknames} more` : ""}` : "";
    this.chart.hidden = !this.leader && !reveal;  // students see the bars at the reveal, not before (no herding)
    this.drawChart();
  }

  drawChart() {
    if (!this.event || this.chart.hidden) return;
    const { question, counts, total, reveal } = this.event;
    drawAnswerChart(this.chart, answerBars(question, counts, reveal?.answer ?? null), total, Boolean(reveal));
  }
}
