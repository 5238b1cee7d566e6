// The dimension lesson (`make dims`): runs that differ from the shown run only in their dimension d,
// and their probe scores as one curve against d. Only like is compared with like: the same kind, corpus,
// tokenizer and settings but d, and (once their probes are read) the same probe set.

/** Settings that may differ within a sweep: d itself, and how training was run rather than what it trained. */
const FREE = new Set(["dim", "workers", "device", "engine"]);

/** The settings of a manifest that define the experiment, as one comparable string. */
function experiment(manifest) {
  const config = Object.entries(manifest.config ?? {}).filter(([key]) => !FREE.has(key)).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([manifest.kind, manifest.corpus?.source ?? null, manifest.tokenizer?.merges_sha256 ?? null, config]);
}

/** Of the listed runs ({name, kind, vocab_size, dim, status}), those that may belong to `current`'s sweep
 *  (same kind and vocabulary size): the page reads only their manifests. */
export function sweepCandidates(current, listed) {
  return listed.filter((r) => r.status === "ok" && r.kind === current.kind && r.vocab_size === current.sizes.vocab);
}

/** Of these manifests, the ones of `current`'s experiment at other dimensions, with `current`, sorted by d;
 *  a sweep needs at least two dimensions, else []. */
export function sweepMembers(current, manifests) {
  const key = experiment(current);
  const byDim = new Map();
  for (const m of [current, ...manifests]) {
    if (experiment(m) === key && !byDim.has(m.sizes.dim)) byDim.set(m.sizes.dim, m);
  }
  const members = [...byDim.values()].sort((a, b) => a.sizes.dim - b.sizes.dim);
  return members.length >= 2 ? members : [];
}

/** The curve's rows: {dim, run, similarity_hit10, analogy_accuracy} for each member whose probes.json has
 *  the current run's probe set (probes: run name → probes.json or null). */
export function sweepCurve(members, probes, probeSet) {
  return members.filter((m) => probes[m.name]?.probe_set === probeSet).map((m) => ({
    dim: m.sizes.dim, run: m.name,
    similarity_hit10: probes[m.name].scores.similarity_hit10 ?? 0,
    analogy_accuracy: probes[m.name].scores.analogy_accuracy ?? 0,
  }));
}
