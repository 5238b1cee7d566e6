// Building SVG elements: the one helper the SVG components share.
const NS = "http://www.w3.org/2000/svg";

/** A new SVG element with attributes (and text), appended to parent when one is given. */
export function svgElement(name, attrs, parent, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  parent?.appendChild(node);
  return node;
}
