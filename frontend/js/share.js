// The header's share control: the current view (path and query) at the server's LAN address, as a
// link and a QR code, so that students join in one scan. When the server listens on 127.0.0.1 only,
// it says how to restart it for the class instead.

import { getShareInfo, getShareQR } from "./api.js";

const NS = "http://www.w3.org/2000/svg";
const QUIET_ZONE = 4;   // modules of light margin around the code, as the standard asks

let shareInfo = null;   // fetched on the first opening: a page that is never shared asks nothing
const loadShareInfo = () => (shareInfo ??= getShareInfo().catch((err) => { shareInfo = null; throw err; }));

/** The link to this view at a base URL such as http://192.168.1.20:8000/. */
export const viewUrl = (base) => new URL(`${location.pathname}${location.search}${location.hash}`, base).href;

/** A QR code as an SVG: one light square and one path of dark modules (crisp at any size). The modules come
 *  from the server (segno, backend/qrcode.py). */
export async function qrSvg(text) {
  const { size, rows, version } = await getShareQR(text);
  const side = size + 2 * QUIET_ZONE;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
  svg.setAttribute("class", "qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `QR code of ${text}`);
  svg.dataset.version = version;
  const paper = document.createElementNS(NS, "rect");
  paper.setAttribute("class", "paper");
  paper.setAttribute("width", side);
  paper.setAttribute("height", side);
  let d = "";
  rows.forEach((row, r) => { for (let c = 0; c < row.length; c += 1) if (row[c] === "1") d += `M${c + QUIET_ZONE} ${r + QUIET_ZONE}h1v1h-1z`; });
  const ink = document.createElementNS(NS, "path");
  ink.setAttribute("class", "ink");
  ink.setAttribute("d", d);
  ink.setAttribute("shape-rendering", "crispEdges");
  svg.append(paper, ink);
  return svg;
}

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The dialog's body for one answer of /api/share: the message, and for a LAN server the link, code and copy. */
function shareContent(info) {
  const message = element("p", { className: info.lan ? "explain" : "notice share-message", textContent: info.message });
  if (!info.lan) return [message];
  const link = element("a", { className: "share-link num" });
  const code = element("div", { className: "share-code" });
  const copied = element("span", { className: "explain" });
  copied.setAttribute("role", "status");
  const show = async (base) => {
    link.href = link.textContent = viewUrl(base);
    copied.textContent = "";
    const shown = link.href;
    try {
      const svg = await qrSvg(shown);
      if (link.href === shown) code.replaceChildren(svg);
    } catch (err) {
      code.replaceChildren(element("p", { className: "error", textContent: err.message }));
    }
  };
  const parts = [message, link, code];
  if (info.urls.length > 1) {   // several networks: the instructor picks the one the class is on
    const choice = element("select", {}, ...info.urls.map((u) => new Option(new URL(u).host, u)));
    choice.setAttribute("aria-label", "network address");
    choice.addEventListener("change", () => show(choice.value));
    parts.splice(1, 0, element("label", {}, "address ", choice));
  }
  const copy = element("button", { type: "button", textContent: "Copy link" });
  copy.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(link.href); copied.textContent = "copied"; } catch { copied.textContent = "select the link to copy it"; }
  });
  parts.push(element("div", { className: "share-actions" }, copy, copied));
  show(info.urls[0]);
  return parts;
}

/** The "Share" button for the header. Its dialog goes at the end of <body> (out of the header's styles) and
 *  its content is built on each opening, for the view as it is then. */
export function shareControl() {
  const button = element("button", { type: "button", className: "share", textContent: "Share" });
  button.setAttribute("aria-haspopup", "dialog");
  const title = element("h2", { id: "share-title", textContent: "Share this view" });
  const body = element("div", { className: "share-body" });
  const close = element("button", { type: "button", className: "share-close", textContent: "Close" });
  const dialog = element("dialog", { className: "share-dialog" }, title, body, close);
  dialog.setAttribute("aria-labelledby", "share-title");
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });   // the backdrop
  button.addEventListener("click", async () => {
    body.replaceChildren(element("p", { className: "explain", textContent: "finding this server's address…" }));
    if (!dialog.isConnected) document.body.append(dialog);
    if (!dialog.open) dialog.showModal();
    try {
      body.replaceChildren(...shareContent(await loadShareInfo()));
    } catch (err) {
      body.replaceChildren(element("p", { className: "error", textContent: err.message }));
    }
  });
  return button;
}
