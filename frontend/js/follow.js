// What a live class follows, and how a page takes it. The leader's view is its page (path), its page
// state (pagestate.js: every field, those a link leaves out too, such as playback), its query (for a page
// that has no state object yet, and a quick first draw after navigating) and its anchor. A follower on the
// same page sets the fields that differ, with origin "follow"; on another page it navigates there, and the
// new page takes the whole state when its stream connects. Plain functions: node tests them.

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The view to publish: loc is location (or anything with pathname, search and hash). */
export function viewOf(state, loc) {
  return {
    path: loc.pathname,
    query: state ? state.query() : loc.search,
    hash: loc.hash,
    state: state ? JSON.parse(JSON.stringify(state.get())) : null,
  };
}

/** What a follower does with a view: { navigate: url } to go to another page (or reload one that has no
 *  state object with another query), else { patch, hash }: the fields to set (only those this page has and
 *  that differ) and the anchor to go to (null: stay). */
export function followPlan(view, state, loc) {
  const stateless = !state || !view.state;
  if (view.path !== loc.pathname || (stateless && view.query !== loc.search)) {
    return { navigate: `${view.path}${view.query}${view.hash}` };
  }
  const patch = {};
  if (!stateless) {
    const now = state.get();
    for (const [name, value] of Object.entries(view.state)) {
      if (name in state.fields && !same(now[name], value)) patch[name] = value;
    }
  }
  return { patch, hash: view.hash !== loc.hash ? view.hash : null };
}
