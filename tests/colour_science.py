"""Colour checks for app.css: WCAG contrast, colour-vision-deficiency simulation and CIEDE2000.

How: each colour is converted to linear sRGB, passed through Machado, Oliveira & Fernandes (2009)
matrices at severity 1.0 (protanopia, deuteranopia, tritanopia: full dichromacy, the hardest case),
back to sRGB, then to CIELAB (D65), where two colours' difference is CIEDE2000 (ΔE00; about 2 is
just noticeable, above 10-15 clearly different at a glance for small marks). Contrast is WCAG 2.x:
(L1 + 0.05) / (L2 + 0.05) on relative luminance. `python -m tests.colour_science` prints the tables
that docs/colour.md quotes.
"""

import itertools
import math
import re
from pathlib import Path

APP_CSS = Path(__file__).resolve().parents[1] / "frontend" / "css" / "app.css"

MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
VISIONS = ("normal", *MACHADO)


def palette_blocks(css: str | None = None) -> dict[str, dict[str, str]]:
    """The colour variables of each palette block of app.css: {"light": {...}, "dark": {...}}."""
    css = APP_CSS.read_text(encoding="utf-8") if css is None else css
    blocks = {}
    for name, selector in (("light", r":root\s*\{"), ("dark", r":root\.dark\s*\{")):
        body = css[re.search(selector, css).end():]
        body = body[:body.index("}")]
        blocks[name] = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", body))
    blocks["dark"] = {**blocks["light"], **blocks["dark"]}
    return blocks


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def from_linear(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def luminance(hex_colour: str) -> float:
    r, g, b = (to_linear(c) for c in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def simulate(hex_colour: str, vision: str) -> tuple[float, float, float]:
    """sRGB (0-1) as seen under the vision (normal: unchanged)."""
    if vision == "normal":
        return rgb(hex_colour)
    lin = [to_linear(c) for c in rgb(hex_colour)]
    return tuple(from_linear(sum(m * c for m, c in zip(row, lin, strict=False))) for row in MACHADO[vision])


def lab(srgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (to_linear(c) for c in srgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def delta_e2000(lab1, lab2) -> float:
    """CIEDE2000 (Sharma, Wu & Dalal 2005), kL = kC = kH = 1."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dLp, dCp = L2 - L1, c2p - c1p
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p if abs(h2p - h1p) <= 180 else h2p - h1p - 360 * math.copysign(1, h2p - h1p))
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    Lbp, Cbp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    else:
        hbp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    sl = 1 + 0.015 * (Lbp - 50) ** 2 / math.sqrt(20 + (Lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * Cbp, 1 + 0.015 * Cbp * t
    rt = (-2 * math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7))
          * math.sin(math.radians(60 * math.exp(-(((hbp - 275) / 25) ** 2)))))
    return math.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dCp / sc) * (dHp / sh))


def delta_e(a: str, b: str, vision: str) -> float:
    return delta_e2000(lab(simulate(a, vision)), lab(simulate(b, vision)))


# The marks drawn together on the scatter, the arrows and the bars: each pair must stay apart.
MARKS = ("center", "context", "select", "attract", "repel", "update", "point")

# Every text/background pairing app.css (and the pages' legends that use its variables) produces.
TEXT_PAIRS = (
    ("ink", "bg"), ("ink", "panel"), ("muted", "panel"), ("muted", "bg"), ("nav-text", "nav-bg"),
    ("nav-strong", "nav-bg"), ("error-ink", "error-bg"), ("ink", "notice-bg"), ("ink", "button"),
    ("on-mark", "accent"), ("on-mark", "center"), ("on-mark", "context"), ("ink", "in-window"),
    ("dropped", "panel"), ("dropped", "in-window"), ("center", "panel"), ("context", "panel"),
    ("attract", "panel"), ("repel", "panel"), ("update", "panel"), ("select", "canvas"),
    ("label", "canvas"), ("muted", "canvas"), ("ink", "cell"), ("ws", "panel"), ("tooltip-ink", "tooltip-bg"),
    ("link", "panel"), ("link", "bg"), ("link-visited", "panel"), ("link", "in-window"),
)


def mark_table(palette: dict[str, str]) -> list[tuple[str, str, dict[str, float]]]:
    return [(a, b, {v: delta_e(palette[a], palette[b], v) for v in VISIONS})
            for a, b in itertools.combinations(MARKS, 2)]


def contrast_table(palette: dict[str, str]) -> list[tuple[str, str, float]]:
    return [(fg, bg, contrast(palette[fg], palette[bg])) for fg, bg in TEXT_PAIRS]


def main() -> None:
    for theme, palette in palette_blocks().items():
        print(f"\n### {theme} theme: ΔE00 between marks\n")
        print("| pair | " + " | ".join(VISIONS) + " |\n| --- |" + " --- |" * len(VISIONS))
        for a, b, row in mark_table(palette):
            print(f"| {a} / {b} | " + " | ".join(f"{row[v]:.1f}" for v in VISIONS) + " |")
        print(f"\n### {theme} theme: text contrast (WCAG)\n\n| text / background | ratio |\n| --- | --- |")
        for fg, bg, ratio in contrast_table(palette):
            print(f"| {fg} / {bg} | {ratio:.2f}:1 |")


if __name__ == "__main__":
    main()
