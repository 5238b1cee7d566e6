// The Train page's instructor panel: with the class's instructor key (the one that leads the live class,
// remembered for this tab), every student's jobs and runs, cancel or delete any, and training on or off.
// Students are shown by the first characters of their browser's key: the server never learns names.

import { cancelClassJob, classTrainingJobs, deleteClassRun, setTrainingEnabled } from "./api.js";
import { $, showError } from "./page.js";
import { jobLine } from "./trainplan.js";

const LEAD = "wordlab.lead";  // sessionStorage, as live.js keeps the leading tab's key

const key = () => $("instructor-key").value.trim();

async function show() {
  const jobs = await classTrainingJobs(key());
  sessionStorage.setItem(LEAD, key());
  $("class-jobs").replaceChildren(...jobs.map(row));
  $("class-jobs-count").textContent = `${jobs.length} jobs`;
}

function row(job) {
  const item = document.createElement("li");
  const act = (text, action) => {
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: text });
    button.addEventListener("click", () => action().then(show).catch((err) => showError(err.message)));
    return button;
  };
  item.append(`student ${job.student.slice(0, 6)}…: ${jobLine(job)} `);
  if (["queued", "running"].includes(job.state)) item.append(act("Cancel", () => cancelClassJob(key(), job.id)));
  if (job.state === "done") item.append(act("Delete run", () => deleteClassRun(key(), job.name)));
  return item;
}

export function setUpInstructorPanel(enabled) {
  $("instructor-key").value = sessionStorage.getItem(LEAD) ?? "";
  $("training-on").checked = enabled;
  $("instructor-show").addEventListener("click", () => show().catch((err) => showError(err.message)));
  $("training-on").addEventListener("change", async () => {
    try {
      await setTrainingEnabled(key(), $("training-on").checked);
      $("training-off").hidden = $("training-on").checked;
    } catch (err) {
      $("training-on").checked = !$("training-on").checked;
      showError(err.message);
    }
  });
}
