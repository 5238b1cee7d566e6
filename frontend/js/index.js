// The index page: the guided path is static; the notable moments are computed from a run's files, for
// either method and either kind of run, and each opens the walkthrough at its step. Its one piece of view
// state, the run whose moments are shown, is a PageState field (a link or a live class can set it).
import { getManifest, getRunFile, listRuns } from "./api.js";
import { notableMoments } from "./moments.js";
import { $, showError, startPage } from "./page.js";
import { PageState } from "./pagestate.js";
import { curveSteps } from "./rundata.js";

const state = new PageState({ run: { default: null } });

async function showMoments(name) {
  const manifest = await getManifest(name);
  const [losses, index] = await Promise.all(
    ["loss_curve.json", "step_index.json"].map((f) => getRunFile(name, manifest, f)));
  if (state.get().run !== name) return;   // another run was chosen meanwhile
  const { method, negative } = manifest.config;
  const moments = notableMoments({ kind: manifest.kind, method, negative, vocab: manifest.sizes.vocab, losses: losses.loss,
                                   chunkEnds: losses.pairs ? curveSteps(losses.pairs, index.steps) : null, steps: index.steps });
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
  const wanted = runs.find((r) => r.name === state.get().run) ?? runs.find((r) => r.name === "default") ?? runs[0];
  state.subscribe(({ run }) => {
    $("run").value = run;
    showMoments(run).catch((err) => showError(err.message));
  });
  $("run").addEventListener("change", () => state.set({ run: $("run").value }));
  if (state.set({ run: wanted.name }, "url").size === 0) await showMoments(wanted.name);
  $("run").value = wanted.name;
}

startPage(main, { state });
