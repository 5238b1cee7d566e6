// The index page: the guided path is static; the notable moments are computed from a run's files, for
// either method and either kind of run, and each opens the walkthrough at its step.
import { getManifest, getRunFile, listRuns } from "./api.js";
import { notableMoments } from "./moments.js";
import { $, showError, startPage } from "./page.js";

async function showMoments(name) {
  const manifest = await getManifest(name);
  const [losses, index] = await Promise.all(
    ["loss_curve.json", "step_index.json"].map((f) => getRunFile(name, manifest, f)));
  const { method, negative } = manifest.config;
  const moments = notableMoments({ kind: manifest.kind, method, negative, vocab: manifest.sizes.vocab, losses: losses.loss,
                                   pairs: losses.pairs ?? null, steps: index.steps });
  const items = moments.map((moment) => {
    const link = document.createElement("a");
    link.href = `/walkthrough.html?${new URLSearchParams({ run: name, step: moment.step })}`;
    link.textContent = `${moment.title}, step ${moment.step.toLocaleString("en")}`;
    const item = document.createElement("li");
    item.append(link, `: ${moment.detail}`);
    return item;
  });
  $("moments").replaceChildren(...items);
}

async function main() {
  const runs = (await listRuns()).runs.filter((r) => r.status === "ok");
  if (!runs.length) { $("moments").textContent = "No recorded runs yet. Train one with: wordlab train"; return; }
  $("run").replaceChildren(...runs.map((r) => new Option(r.name, r.name)));
  $("run").value = (runs.find((r) => r.name === "default") ?? runs[0]).name;
  $("run").addEventListener("change", () => showMoments($("run").value).catch((err) => showError(err.message)));
  await showMoments($("run").value);
}

startPage(main);
