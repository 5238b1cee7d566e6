// This browser's student key: made once, kept in localStorage, sent with every training request so the
// server shows, cancels and deletes only this browser's jobs and runs (backend/routes/train.py).

const STORAGE_KEY = "wordlab.studentKey";

/** The key, made on first use: 32 hex digits from the browser's random source. */
export function studentKey(storage = globalThis.localStorage) {
  let key = storage.getItem(STORAGE_KEY);
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(key ?? "")) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    storage.setItem(STORAGE_KEY, key);
  }
  return key;
}

export const studentHeaders = (storage) => ({ "X-Student-Key": studentKey(storage) });
