// The questions a page can put to a class (predict, then reveal). A page offers a provider that builds
// the questions of what is on screen now, each with its right answer computed from the run or the
// server's answer and a one-sentence reason from the same numbers; the page's own quiz and a live class
// (the instructor asks, phones answer, the projector reveals) both take them from here.
//
// A question: { id, prompt, kind: "choice" | "number", choices?: [{ value, label }], answer, reason }
//   id      stable for the same page and state (a live class keys answers by it)
//   answer  a choice's value, or the number; reason: why, in one sentence with the numbers

const providers = new Set();

/** Adds a provider: () => Question[] or a promise of them. Returns a function that withdraws it. */
export function offerQuestions(provider) {
  providers.add(provider);
  return () => providers.delete(provider);
}

/** Every question the page on screen can ask now. */
export async function pageQuestions() {
  const lists = await Promise.all([...providers].map((provider) => provider()));
  return lists.flat();
}
