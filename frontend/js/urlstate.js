// Page state lives in the URL so that a link reopens the same run, step, word or text.

export function readState(defaults) {
  const params = new URLSearchParams(location.search);
  const state = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (params.has(key)) state[key] = params.get(key);
  }
  return state;
}

/** This page's path with the state as its query; null, undefined and "" values are left out. */
export function stateUrl(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, value);
  }
  return `${location.pathname}?${params}`;
}

export function writeState(state) {
  const url = stateUrl(state);
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, "", url);
}
