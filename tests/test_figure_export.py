"""Figure export for slides (frontend/js/figureexport.js, attached by page.js): every canvas and SVG chart
of a page gets PNG (and SVG) buttons, and what is saved is what the page shows: the PNG's pixels, decoded by
the browser, equal the canvas's own pixels over the colour behind it; the SVG holds the chart's marks."""

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

SVG = "{http://www.w3.org/2000/svg}"

PIXELS_OF_PNG = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }),
                                         { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0);
  return pack(ctx.getImageData(0, 0, bitmap.width, bitmap.height));
}"""
PIXELS_OF_CANVAS = """(selector) => {
  const canvas = document.querySelector(selector);
  return pack(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height));
}"""
PACK = """() => { window.pack = (image) => {
  let text = "";
  for (let i = 0; i < image.data.length; i += 0x8000) text += String.fromCharCode(...image.data.subarray(i, i + 0x8000));
  return { width: image.width, height: image.height, data: btoa(text) };
}; }"""

# True once the canvas shows the same pixels in two frames running: a scatter that moves its points to a new
# step animates them over several frames, and its PNG is compared with the canvas pixel for pixel.
SETTLED = """(selector) => {
  const now = document.querySelector(selector).toDataURL(), same = window.lastFrame === now;
  window.lastFrame = now;
  return same;
}"""


def next_frame(page) -> None:
    """Returns after the page's next animation frame: what a redraw scheduled with requestAnimationFrame before
    this call has drawn is on the canvas then (callbacks run in the order they were asked for)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def rgba(packed: dict) -> np.ndarray:
    data = np.frombuffer(base64.b64decode(packed["data"]), dtype=np.uint8)
    return data.reshape(packed["height"], packed["width"], 4).astype(np.int32)


def css_rgb(text: str) -> np.ndarray:
    return np.array([int(v) for v in re.findall(r"\d+", text)[:3]])


def export(page, figure: str, fmt: str):
    """Clicks the figure's export button; returns (suggested file name, bytes)."""
    button = page.locator(f".figure-export[data-figure='{figure.removeprefix('#')}'] button", has_text=fmt)
    with page.expect_download() as info:
        button.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def open_explorer(page, base, tab="map"):
    """The explorer with one of its sections shown; returns once the map has drawn a frame."""
    page.goto(f"{base}/explorer.html?run=default&set=king,queen,cat,dog,paris,rome&tab={tab}")
    page.wait_for_selector("main[data-ready]", state="attached", timeout=30000)
    if tab == "map":
        page.wait_for_selector("#map[data-labels]", state="attached")
    page.evaluate(PACK)
    return page


def assert_png_is_the_canvas(page, figure: str, name: str, backdrop_of: str | None = None):
    suggested, png = export(page, figure, "PNG")
    assert suggested == name and png[:8] == b"\x89PNG\r\n\x1a\n"
    saved = rgba(page.evaluate(PIXELS_OF_PNG, base64.b64encode(png).decode()))
    shown = rgba(page.evaluate(PIXELS_OF_CANVAS, figure))
    assert saved.shape == shown.shape
    backdrop = css_rgb(page.evaluate(f"getComputedStyle(document.querySelector('{backdrop_of or figure}'))"
                                     ".backgroundColor"))
    alpha = shown[..., 3:4] / 255
    expected = shown[..., :3] * alpha + backdrop * (1 - alpha)   # the canvas over the colour behind it
    assert (saved[..., 3] == 255).all()
    opaque = shown[..., 3] == 255
    assert opaque.any() and (saved[opaque][:, :3] == shown[opaque][:, :3]).all()   # drawn pixels: exactly
    # anti-aliased pixels: the canvas keeps them premultiplied, so reading them back rounds twice (≤ 2 levels)
    assert np.abs(saved[..., :3] - expected).max() <= 2
    return saved


@pytest.mark.parametrize("presentation", [False, True])
def test_explorer_map_png_is_the_canvas_over_its_background(page, live_server, presentation):
    open_explorer(page, live_server)
    if presentation:   # dark theme: the saved PNG keeps the dark background, not a transparent hole
        page.click("header.top button.present")
        next_frame(page)   # the map redraws in the new colours in the frame after the theme changes
    saved = assert_png_is_the_canvas(page, "#map", "default-map.png")
    corner = saved[0, 0, :3]
    assert (corner == css_rgb(page.evaluate("getComputedStyle(document.getElementById('map')).backgroundColor"))).all()
    assert page.errors == []


def test_explorer_heatmap_png_is_the_canvas(page, live_server):
    open_explorer(page, live_server, "similarity")
    assert_png_is_the_canvas(page, "#heatmap", "default-heatmap.png")


def test_histogram_svg_holds_the_charts_marks_and_colours(page, live_server):
    open_explorer(page, live_server, "training")
    suggested, data = export(page, "#histogram", "SVG")
    assert suggested == "default-histogram.svg"
    root = ET.fromstring(data.decode("utf-8"))
    assert root.tag == f"{SVG}svg" and "var(" not in data.decode("utf-8")
    box = page.locator("#histogram").bounding_box()
    assert float(root.get("width")) == pytest.approx(box["width"]) and float(root.get("height")) == pytest.approx(box["height"])
    saved = {(r.get("data-series"), r.get("data-bin")): (r.get("data-count"), r.get("height"), r.get("fill"))
             for r in root.iter(f"{SVG}rect") if r.get("data-series")}
    shown = page.evaluate("""[...document.querySelectorAll('#histogram rect[data-series]')].map((r) =>
        [r.dataset.series, r.dataset.bin, r.dataset.count, r.getAttribute('height'), r.getAttribute('fill')])""")
    assert saved == {(s, b): (c, h, f) for s, b, c, h, f in shown} and len(saved) == 80
    texts = [t for t in root.iter(f"{SVG}text") if (t.text or "").strip()]
    assert texts and all("font-family" in t.get("style", "") for t in texts)   # fonts written on, for a slide


def test_histogram_png_is_the_chart_drawn_at_twice_its_size(browser, live_server):
    # At device scale 2 the page draws the chart at the PNG's resolution: the two renderings must agree.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=2, bypass_csp=True)
    page = context.new_page()
    try:
        open_explorer(page, live_server, "training")
        suggested, png = export(page, "#histogram", "PNG")
        assert suggested == "default-histogram.png"
        saved = rgba(page.evaluate(PIXELS_OF_PNG, base64.b64encode(png).decode()))
        box = page.locator("#histogram").bounding_box()
        assert saved.shape[:2] == (round(2 * box["height"]), round(2 * box["width"]))
        page.locator("#histogram").scroll_into_view_if_needed()
        shot = page.locator("#histogram").screenshot()
        screen = rgba(page.evaluate(PIXELS_OF_PNG, base64.b64encode(shot).decode()))
        # The PNG is the SVG at its whole-pixel size and the screen shows it at its fractional one: allow
        # each pixel to match within 2 device pixels (0.2 % of the width).
        h, w = min(saved.shape[0], screen.shape[0]) - 4, min(saved.shape[1], screen.shape[1]) - 4
        difference = np.min([np.abs(saved[2:2 + h, 2:2 + w, :3] - screen[2 + dy:2 + dy + h, 2 + dx:2 + dx + w, :3]).max(axis=2)
                             for dy in range(-2, 3) for dx in range(-2, 3)], axis=0)
        # text is rasterised a little differently in an image than on screen (measured: 0.4 % of the pixels)
        assert (difference > 40).mean() < 0.01, f"{(difference > 40).mean():.2%} of the pixels differ"
        ink = lambda image: int((image[..., :3].max(axis=2) < 90).sum())   # noqa: E731  the black text
        assert ink(screen) > 2000 and abs(ink(saved) - ink(screen)) < 0.15 * ink(screen)
        final = css_rgb(page.evaluate("document.querySelector('#histogram rect[data-series=final]').getAttribute('fill')"
                                      ".replace(/^#(..)(..)(..)$/, (m, r, g, b) => `${parseInt(r, 16)} "
                                      "${parseInt(g, 16)} ${parseInt(b, 16)}`)"))
        assert (np.abs(saved[..., :3] - final).sum(axis=2) == 0).sum() > 500   # the bars are there, in colour
    finally:
        context.close()


def test_walkthrough_figures_get_the_buttons_without_a_line_of_their_own(page, live_server):
    page.goto(f"{live_server}/walkthrough.html?run=default&step=40")
    page.wait_for_selector(".figure-export[data-figure=scatter]")
    page.evaluate(PACK)
    page.wait_for_function("document.querySelector('#content')?.dataset.renders > 0")
    page.wait_for_function(SETTLED, arg="#scatter", polling="raf")
    figures = page.evaluate("""[...document.querySelectorAll('main canvas, main svg.chart')].map((f) =>
        [f.id, [...(document.querySelector(`.figure-export[data-figure="${f.id}"]`)?.children ?? [])]
               .map((b) => b.textContent)])""")
    assert len(figures) >= 6
    for figure_id, buttons in figures:
        expected = ["PNG", "SVG"] if page.evaluate(f"document.getElementById('{figure_id}') instanceof SVGSVGElement") \
            else ["PNG"]
        assert buttons == expected, figure_id
    assert_png_is_the_canvas(page, "#scatter", "default-scatter.png")
    suggested, data = export(page, "#loss-chart", "SVG")
    assert suggested == "default-loss-chart.svg"
    paths = [p for p in ET.fromstring(data.decode("utf-8")).iter(f"{SVG}path")]
    assert len(paths) >= 2   # the raw and the smoothed loss
    assert page.errors == []


def test_a_figure_added_later_gets_its_buttons(page, live_server):
    page.goto(f"{live_server}/glossary.html")
    page.wait_for_selector("header.top button.share")
    page.evaluate("""() => { const c = document.createElement('canvas'); c.id = 'late'; c.width = 30; c.height = 20;
        const ctx = c.getContext('2d'); ctx.fillStyle = '#123456'; ctx.fillRect(0, 0, 10, 20);
        document.querySelector('main').append(c); }""")
    page.wait_for_selector(".figure-export[data-figure=late] button")
    page.evaluate(PACK)
    saved = assert_png_is_the_canvas(page, "#late", "late.png", backdrop_of="html")
    assert (saved[5, 5, :3] == [0x12, 0x34, 0x56]).all()
