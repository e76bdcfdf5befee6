"""Colours that stay apart for every student: the class colours, the per-layer colours and
Compare's run colours, under protanopia, deuteranopia and tritanopia.

The simulation is Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for
Simulation of Color Vision Deficiency", IEEE TVCG 15(6), at severity 1.0 (dichromacy), as
published in their Table and implemented by colour-science (colour.blindness,
matrix_cvd_Machado2009): a 3 x 3 matrix on *linear* sRGB. Distances are CIE 1976 ΔE*ab in
CIELAB (D65) after the simulation (colour.delta_E "CIE 1976"); CIEDE2000 is checked where it
holds (Compare's four runs) and printed for the others by `PYTHONPATH=. python tests/test_palette.py`.
"""
from __future__ import annotations

import itertools
import warnings
from functools import lru_cache

import numpy as np
import pytest
from _require import oracle

from ui.charts import CLASS_COLORS, LAYER_PALETTE
from ui.compare import RUN_COLORS

with warnings.catch_warnings():  # its import notes that matplotlib (plotting only) is absent
    warnings.simplefilter("ignore")
    colour = oracle("colour")
# colour-science warns that Machado's tritan matrices model tritanomaly by a shift of the S cone
# (the paper's own caveat); matplotlib is not needed
pytestmark = [pytest.mark.filterwarnings("ignore::colour.utilities.ColourUsageWarning"),
              pytest.mark.filterwarnings("ignore::colour.utilities.ColourWarning")]

VISIONS = {"normal": None, "protanopia": "Protanomaly", "deuteranopia": "Deuteranomaly",
           "tritanopia": "Tritanomaly"}
PALETTES = {"CLASS_COLORS": CLASS_COLORS, "LAYER_PALETTE": LAYER_PALETTE, "RUN_COLORS": RUN_COLORS}
MIN_DELTA_E = 20.0


def srgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])


@lru_cache(maxsize=None)
def seen_as(hex_color: str, vision: str) -> np.ndarray:
    """CIELAB (D65) of the colour as a dichromat of that kind sees it (Machado 2009, severity 1)."""
    linear = colour.cctf_decoding(srgb(hex_color), function="sRGB")
    if VISIONS[vision]:
        M = colour.blindness.matrix_cvd_Machado2009(VISIONS[vision], 1.0)
        linear = np.clip(M @ linear, 0, 1)
    xyz = colour.RGB_to_XYZ(linear, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    return colour.XYZ_to_Lab(xyz)


def distances(palette, method="CIE 1976"):
    """[(ΔE, vision, colour a, colour b)] for every pair of the palette under every vision."""
    return [(float(colour.delta_E(seen_as(a, v), seen_as(b, v), method=method)), v, a, b)
            for v in VISIONS for a, b in itertools.combinations(palette, 2)]


def test_the_simulation_is_machado_2009():
    """The oracle itself: the published deuteranopia matrix (severity 1.0, Machado et al. 2009,
    Table 1), and the issue's finding that the old SGD + momentum red and Nesterov green are one
    colour to a deuteranope."""
    M = colour.blindness.matrix_cvd_Machado2009("Deuteranomaly", 1.0)
    np.testing.assert_allclose(M, [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                   [-0.011820, 0.042940, 0.968881]], atol=1e-6)
    old_red, old_green = "#e45756", "#54a24b"
    assert colour.delta_E(seen_as(old_red, "normal"), seen_as(old_green, "normal"), method="CIE 1976") > 40
    assert colour.delta_E(seen_as(old_red, "deuteranopia"), seen_as(old_green, "deuteranopia"),
                          method="CIE 1976") < 5


@pytest.mark.parametrize("name", list(PALETTES))
def test_every_two_series_stay_apart_under_each_colour_vision(name):
    palette = PALETTES[name]
    assert len(set(palette)) == len(palette)
    close = [d for d in distances(palette) if d[0] < MIN_DELTA_E]
    assert not close, f"{name}: {len(close)} pairs closer than ΔE {MIN_DELTA_E}: {sorted(close)[:6]}"


def test_compare_runs_stay_apart_in_ciede2000_too():
    close = [d for d in distances(RUN_COLORS, "CIE 2000") if d[0] < MIN_DELTA_E]
    assert not close, sorted(close)


@pytest.mark.parametrize("name", list(PALETTES))
def test_series_colours_have_3_to_1_contrast_on_white(name):
    """WCAG 2.1 SC 1.4.11 (non-text contrast): lines, points and markers on the white page."""
    def luminance(h):
        c = srgb(h)
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return float(c @ [0.2126, 0.7152, 0.0722])

    low = {h: round(1.05 / (luminance(h) + 0.05), 2) for h in PALETTES[name] if 1.05 / (luminance(h) + 0.05) < 3}
    assert not low, low


if __name__ == "__main__":  # the smallest distances, for the README
    for name, pal in PALETTES.items():
        for method in ("CIE 1976", "CIE 2000"):
            d = distances(pal, method)
            worst = {v: min(x[0] for x in d if x[1] == v) for v in VISIONS}
            print(f"{name:14s} {method}: " + ", ".join(f"{v} {w:.1f}" for v, w in worst.items()))
