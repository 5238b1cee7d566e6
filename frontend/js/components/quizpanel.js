// Predict, then reveal, on the page: one question at a time as a group of radio buttons (a fieldset whose
// legend is the question), a Reveal button and the verdict in a polite live region. What is asked and
// whether it is revealed are page state (a class follows them); the choice made is this screen's own.
import { verdict } from "../stepquestions.js";

export class QuizPanel {
  /** elements: {choices (fieldset), prompt (legend), reveal (button), verdict}; onReveal(): asks to reveal. */
  constructor({ choices, prompt, reveal, verdict: verdictBox }, { onReveal }) {
    Object.assign(this, { choices, prompt, revealButton: reveal, verdictBox });
    this.question = null;
    reveal.addEventListener("click", () => onReveal());
  }

  /** Shows `question` (rebuilt only when it changes, so a choice survives a redraw); revealed: the verdict too. */
  show(question, revealed) {
    if (!question) {
      this.question = null;
      delete this.choices.dataset.question;
      this.prompt.textContent = "Loading the question…";
      this.choices.querySelectorAll(".quiz-choice").forEach((label) => label.remove());
      this.verdictBox.textContent = "";
      return;
    }
    if (this.question?.id !== question.id) {
      this.question = question;
      this.choices.dataset.question = question.id;
      this.prompt.textContent = question.prompt;
      this.choices.querySelectorAll(".quiz-choice").forEach((label) => label.remove());
      this.choices.append(...question.choices.map(({ value, label }) => {
        const wrapper = document.createElement("label");
        wrapper.className = "quiz-choice";
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "quiz-choice";
        radio.value = value;
        wrapper.append(radio, ` ${label}`);
        return wrapper;
      }));
    }
    this.revealButton.disabled = revealed;
    if (!revealed) { this.verdictBox.textContent = ""; delete this.verdictBox.dataset.right; return; }
    const chosen = this.choices.querySelector("input[name=quiz-choice]:checked");
    if (!chosen) {
      const answer = question.choices.find((c) => c.value === question.answer)?.label ?? question.answer;
      this.verdictBox.textContent = `The answer: ${answer}. ${question.reason}`;
      this.verdictBox.dataset.right = "none";
      return;
    }
    const { right, text } = verdict(question, chosen.value);
    this.verdictBox.textContent = text;
    this.verdictBox.dataset.right = String(right);
  }
}
