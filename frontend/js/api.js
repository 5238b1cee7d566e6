// Every request the pages make goes through here. Errors become ApiError with a readable message.

import { studentHeaders } from "./student.js";

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function request(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    throw new ApiError("Cannot reach the wordlab server. Is it still running? (start it with: make serve)", 0);
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      message = body?.detail?.message ?? (typeof body?.detail === "string" ? body.detail : message);
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(message, response.status);
  }
  return response.status === 204 ? null : response.json();
}

const enc = encodeURIComponent;
const postJSON = (url, body, headers = {}) => request(url, {
  method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body),
});

export const listRuns = () => request("/api/runs");
/** This browser's training jobs (the Train page's; the run selectors mark the runs they made as yours). */
export const myTrainingJobs = () => request("/api/train/jobs", { headers: studentHeaders() });
export const getManifest = (run) => request(`/api/runs/${enc(run)}`);

/** A file listed in a run's manifest; the ?v= hash makes the browser cache it as immutable. */
export function getRunFile(run, manifest, path) {
  const info = manifest.files[path];
  if (!info) return Promise.reject(new ApiError(`run ${run} has no file ${path}`, 404));
  return request(`/api/runs/${enc(run)}/files/${path}?v=${info.sha256.slice(0, 32)}`);
}

export const listTokenizers = () => request("/api/tokenizers");
export const getTokenizerAnalysis = (name) => request(`/api/tokenizers/${enc(name)}/analysis`);
export const tokenize = (text, tokenizer, merges) => postJSON("/api/tokenize", { text, tokenizer, merges });

/** The tokenize answer's parallel columns as one object per token: {id, token, text, start, end, merge_rank}. */
export const tokenRows = (r) => r.ids.map((id, i) => ({
  id, token: r.tokens[i], text: r.texts[i], start: r.starts[i], end: r.ends[i], merge_rank: r.merge_ranks[i],
}));
export const decode = (ids, tokenizer) => postJSON("/api/decode", { ids, tokenizer });

const wordParams = (words, extra = {}) => {
  const params = new URLSearchParams();
  for (const w of words) params.append("words", w);
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined) params.set(k, v);
  return params;
};
/** The explorer's queries: neighbors of several words, a:b::c:?, two words' similarity, a word set's matrix. */
export const neighborsOf = (run, words, k = 10) =>
  request(`/api/runs/${enc(run)}/neighbors/batch?${wordParams(words, { k })}`);
export const analogy = (run, a, b, c, k = 5) =>
  request(`/api/runs/${enc(run)}/analogy?${new URLSearchParams({ a, b, c, k })}`);
export const similarity = (run, a, b) => request(`/api/runs/${enc(run)}/similarity?${new URLSearchParams({ a, b })}`);
export const similarityMatrix = (run, words, order = "cluster") =>
  request(`/api/runs/${enc(run)}/similarity/matrix?${wordParams(words, { order })}`);
export const getWordMap = (run, manifest) =>
  request(`/api/runs/${enc(run)}/map?v=${manifest.files["explorer/map.json.gz"]?.sha256.slice(0, 32) ?? ""}`);

/** The final input vectors W of a run (model.safetensors, read in the browser): {rows, dim, data: Float32Array}. */
export async function getInputVectors(run, manifest) {
  const info = manifest.files["model.safetensors"];
  let response;
  try {
    response = await fetch(`/api/runs/${enc(run)}/files/model.safetensors?v=${info.sha256.slice(0, 32)}`);
  } catch {
    throw new ApiError("Cannot reach the wordlab server. Is it still running? (start it with: make serve)", 0);
  }
  if (!response.ok) throw new ApiError(`${response.status} ${response.statusText}`, response.status);
  const bytes = await response.arrayBuffer();
  const headerLength = Number(new DataView(bytes).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 8, headerLength)));
  const { shape, data_offsets: [start, end] } = header.W;
  const data = new Float32Array(bytes.slice(8 + headerLength + start, 8 + headerLength + end));
  return { rows: shape[0], dim: shape[1], data };
}

// ---- the token page's lessons ----
export const getTokenizerLessons = (name) => request(`/api/tokenizers/${enc(name)}/lessons`);
/** The text's pre-tokenizer pieces, each as base symbols and as tokens after the first `merges` merges. */
export const tokenizePipeline = (text, tokenizer, merges) => postJSON("/api/tokenize/pipeline", { text, tokenizer, merges });
/** The share control: the LAN URLs students can open, or why there are none (GET /api/share). */
export const getShareInfo = () => request("/api/share");
/** A QR code of a link: { version, size, rows: ["0101…", …] } (POST /api/share/qr). */
export const getShareQR = (text) => postJSON("/api/share/qr", { text });

// ---- the live class (backend/routes/live.py); the instructor's calls carry the key in a header, never a URL ----
const instructor = (key) => ({ Authorization: `Bearer ${key}` });
export const getClassStatus = () => request("/api/live");
export const classEventsUrl = (role) => `/api/live/events?role=${role}`;
export const joinClass = () => postJSON("/api/live/join", {});
export const answerClassQuestion = (answer) => postJSON("/api/live/answers", answer);
export const checkInstructorKey = (key) => request("/api/live/instructor", { headers: instructor(key) });
export const startClass = (key) => postJSON("/api/live/session", {}, instructor(key));
export const endClass = (key) => request("/api/live/session", { method: "DELETE", headers: instructor(key) });
export const publishClassView = (key, view) => postJSON("/api/live/state", view, instructor(key));
export const askClass = (key, question) => postJSON("/api/live/questions", { question }, instructor(key));
// The Train page's instructor panel (backend/routes/train.py's class routes).
export const classTrainingJobs = (key) => request("/api/train/class/jobs", { headers: instructor(key) });
export const cancelClassJob = (key, id) => postJSON(`/api/train/class/jobs/${enc(id)}/cancel`, {}, instructor(key));
export const deleteClassRun = (key, name) =>
  request(`/api/train/class/runs/${enc(name)}`, { method: "DELETE", headers: instructor(key) });
export const setTrainingEnabled = (key, enabled) =>
  request("/api/train/enabled", { method: "PUT", headers: { "Content-Type": "application/json", ...instructor(key) },
    body: JSON.stringify({ enabled }) });
/** action: "close" | "reopen" | "reveal" */
export const changeClassQuestion = (key, ask, action) =>
  postJSON(`/api/live/questions/${enc(ask)}/${enc(action)}`, {}, instructor(key));
/** Merges `first` .. `first + count - 1` of a tokenizer (1-based ranks): pair, token, count. */
export const getMerges = (name, first, count = 1) =>
  request(`/api/tokenizers/${enc(name)}/merges?${new URLSearchParams({ first, count })}`);
/** The merges that changed a text, by rank, with how often each joined its pair and the token counts. */
export const tokenizeMerges = (text, tokenizer, merges) => postJSON("/api/tokenize/merges", { text, tokenizer, merges });
/** Texts in data/corpora a BPE can be trained on from the page. */
export const listCorpora = () => request("/api/bpe/corpora");
/** Trains a BPE on pasted text or a corpus's start: merges with their candidate pairs, pieces to replay. */
export const trainBpe = (source, merges) => postJSON("/api/bpe/train", { ...source, merges });
export const saveBpe = (source, merges, name) => postJSON("/api/bpe/save", { ...source, merges, name });
