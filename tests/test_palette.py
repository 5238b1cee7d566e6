"""app.css's palette: marks distinct under simulated colour-vision deficiencies, every text pairing AA."""

import re

import pytest

from tests.colour_science import APP_CSS, MARKS, TEXT_PAIRS, VISIONS, contrast_table, mark_table, palette_blocks

MIN_DELTA_E = 15  # CIEDE2000; the palette reaches 18.2 (light) and 19.2 (dark), docs/colour.md
WCAG_AA = 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_marks_stay_distinct_in_every_vision(theme):
    palette = palette_blocks()[theme]
    worst = min((row[v], a, b, v) for a, b, row in mark_table(palette) for v in VISIONS)
    assert worst[0] >= MIN_DELTA_E, worst


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_pairing_reaches_wcag_aa(theme):
    failing = [(fg, bg, round(r, 2)) for fg, bg, r in contrast_table(palette_blocks()[theme]) if r < WCAG_AA]
    assert not failing


def test_colours_are_defined_only_in_the_palette_blocks():
    """A colour written anywhere else in app.css would escape these checks."""
    css = APP_CSS.read_text(encoding="utf-8")
    outside = re.sub(r":root(\.dark)?\s*\{[^}]*\}", "", css)
    assert not re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", outside)
    palette = palette_blocks()
    needed = set(MARKS) | {name for pair in TEXT_PAIRS for name in pair}
    assert needed <= set(palette["light"]) and needed <= set(palette["dark"])
