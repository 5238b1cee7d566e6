// Every glossary term a page uses links to its entry (/glossary.html#id): the first time it appears in each
// panel of the page's explanatory text, so a student can look up "softmax" where they meet it, on a phone
// too (a link works by touch). startPage() runs it on every page; the page's own markup needs nothing.
// findTerms() is plain text matching, tested by node (tests/js/glossarylinks.test.mjs); the browser tests
// check that every id here is an entry of glossary.html.

/** Glossary ids and the words that name them (case-insensitive, whole words), most specific first. */
export const TERMS = [
  ["negative-sampling", "negative sampling"],
  ["pre-tokenizer-piece", "pre-tokenizer pieces?"],
  ["bpe-merge", "BPE merges?"],
  ["learning-rate", "learning rate"],
  ["attractive-repulsive", "attractive (?:and repulsive )?forces?|repulsive forces?"],
  ["input-output-vectors", "output vectors?|input vectors?|center vectors?"],
  ["one-hot", "one-hot"],
  ["skip-gram", "skip-gram"],
  ["cosine", "cosine similarity|cosines?"],
  ["tsne", "t-SNE"],
  ["3cosadd", "3CosAdd|analog(?:y|ies)"],
  ["end-of-word", "</w>"],
  ["raw-byte", "raw bytes?|byte tokens?"],
  ["pca", "PCA"],
  ["softmax", "softmax"],
  ["sigmoid", "sigmoid"],
  ["logit", "logits?"],
  ["gradient", "gradients?"],
  ["loss", "loss"],
  ["epoch", "epochs?"],
  ["stopword", "stopwords?"],
  ["embedding", "embeddings?|word vectors?"],
  ["window", "window"],
  ["token", "tokens?"],
];

const PATTERN = new RegExp(TERMS.map(([, words], i) => `(?<t${i}>${words.startsWith("<") ? words : `\\b(?:${words})\\b`})`).join("|"), "giu");

/** Where terms first occur in `text`, skipping ids in `seen` (which it extends): [{start, end, id}]. */
export function findTerms(text, seen = new Set()) {
  const found = [];
  for (const match of text.matchAll(PATTERN)) {
    const i = Object.entries(match.groups).find(([, value]) => value !== undefined)[0].slice(1);
    const id = TERMS[Number(i)][0];
    if (seen.has(id)) continue;
    seen.add(id);
    found.push({ start: match.index, end: match.index + match[0].length, id });
  }
  return found;
}

const SCANNED = "p, li, dd";                 // explanatory text; data, controls and headings are left alone
const SKIPPED = "a, button, label, select, option, code, kbd, var, sub, sup, h1, h2, h3, svg, canvas, table, .num, [role=status], [role=alert], header";
const PANELS = "section, .panel, main";

/** Wraps each term's first occurrence per panel of `root` in a link to its glossary entry. */
export function linkGlossaryTerms(root = document.querySelector("main")) {
  if (!root || location.pathname === "/glossary.html") return;
  const seenByPanel = new Map();
  const seenIn = (node) => {
    const panel = node.parentElement.closest(PANELS) ?? root;
    if (!seenByPanel.has(panel)) {
      seenByPanel.set(panel, new Set([...panel.querySelectorAll("a[href^='/glossary.html#']")].map((a) => a.hash.slice(1))));
    }
    return seenByPanel.get(panel);
  };
  const texts = [];
  for (const block of root.querySelectorAll(SCANNED)) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.closest(SKIPPED) && !texts.includes(node)) texts.push(node);
    }
  }
  for (const node of texts) {
    const terms = findTerms(node.data, seenIn(node));
    for (const { start, end, id } of terms.reverse()) {
      const word = node.splitText(start);
      word.splitText(end - start);
      const link = document.createElement("a");
      link.href = `/glossary.html#${id}`;
      link.className = "term";
      word.replaceWith(link);
      link.append(word);
    }
  }
}
