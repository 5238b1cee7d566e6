// Every figure of a page (canvas maps, scatters and heatmaps; SVG charts) can be saved for slides:
// PNG for all, SVG too for SVG charts. page.js attaches the buttons to each figure in <main>, the
// ones there at start and those a page adds later, so no page implements it again.

const FIGURES = "canvas, svg.chart";
const SVG_SCALE = 2;   // an SVG chart's PNG at twice its on-screen size: sharp on a projector
const INLINED = ["fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "font-family", "font-size",
                 "font-weight", "text-anchor"];

/** Saves a blob under a file name (the browser's download). */
export function download(name, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** The colour behind a figure: its own background, else the nearest ancestor's that is not transparent. */
function backdrop(node) {
  for (let n = node; n; n = n.parentElement) {
    const bg = getComputedStyle(n).backgroundColor;
    if (bg && bg !== "transparent" && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return "#ffffff";
}

const toBlob = (canvas) => new Promise((resolve, reject) =>
  canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the figure could not be encoded as PNG"))), "image/png"));

/** A canvas's pixels, as drawn, over the colour the page shows behind it (no transparent holes on a slide). */
export function canvasPng(canvas) {
  const out = document.createElement("canvas");
  out.width = canvas.width; out.height = canvas.height;
  const ctx = out.getContext("2d");
  ctx.fillStyle = backdrop(canvas);
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  return toBlob(out);
}

/** A standalone SVG document of a chart: its computed colours and fonts written onto each element. */
export function svgDocument(svg) {
  const copy = svg.cloneNode(true);
  const live = [svg, ...svg.querySelectorAll("*")], copies = [copy, ...copy.querySelectorAll("*")];
  live.forEach((node, i) => {
    const style = getComputedStyle(node);
    for (const property of INLINED) copies[i].style.setProperty(property, style.getPropertyValue(property));
  });
  const box = svg.getBoundingClientRect();
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", box.width);
  copy.setAttribute("height", box.height);
  copy.style.setProperty("background", backdrop(svg));
  copy.removeAttribute("class");
  return new XMLSerializer().serializeToString(copy);
}

/** A chart as PNG: its SVG document drawn onto a canvas (a data: URL, which the page's CSP allows). */
export async function svgPng(svg) {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgDocument(svg))}`;
  await image.decode();
  const out = document.createElement("canvas");
  const box = svg.getBoundingClientRect();
  out.width = Math.round(box.width * SVG_SCALE); out.height = Math.round(box.height * SVG_SCALE);
  const ctx = out.getContext("2d");
  ctx.fillStyle = backdrop(svg);
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(image, 0, 0, out.width, out.height);
  return toBlob(out);
}

/** The figure's name for its buttons and files: its label, else its id, else its section's heading. */
function figureName(figure) {
  return figure.getAttribute("aria-label") || figure.closest("section")?.querySelector("h2")?.textContent || figure.id || "figure";
}

/** run-id.png for a page showing a run (?run=), id.png otherwise. */
function fileName(figure, extension) {
  const run = new URLSearchParams(location.search).get("run");
  const id = figure.id || figureName(figure).toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return `${run ? `${run}-` : ""}${id}.${extension}`;
}

function exportButton(figure, format, make) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = format;
  button.setAttribute("aria-label", `save ${figureName(figure)} as ${format}`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      download(fileName(figure, format.toLowerCase()), await make());
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function attach(figure) {
  if (figure.exportBar) return;
  const bar = document.createElement("div");
  bar.className = "figure-export";
  bar.append(exportButton(figure, "PNG", () => (figure instanceof HTMLCanvasElement ? canvasPng(figure) : svgPng(figure))));
  if (figure instanceof SVGSVGElement) {
    bar.append(exportButton(figure, "SVG", async () => new Blob([svgDocument(figure)], { type: "image/svg+xml" })));
  }
  if (figure.id) bar.dataset.figure = figure.id;
  // after the figure and the parts a component draws right under it (a heatmap's word labels)
  let last = figure;
  while (last.nextElementSibling?.matches("[data-figure-part]")) last = last.nextElementSibling;
  last.after(bar);
  figure.exportBar = bar;
}

/** Adds PNG (and SVG) buttons after every figure in root, now and whenever the page adds one. */
export function attachFigureExports(root = document.querySelector("main")) {
  if (!root) return;
  root.querySelectorAll(FIGURES).forEach(attach);
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.matches(FIGURES)) attach(node);
        node.querySelectorAll(FIGURES).forEach(attach);
      }
    }
  }).observe(root, { childList: true, subtree: true });
}
