"""engine.views.contour_segments (marching squares; static/live/contour.js is its line-by-line port,
checked on the same fields in the browser: test_browser_checks.py) on fields whose level line is
known exactly."""
from __future__ import annotations

import numpy as np
import pytest

from engine.views import contour_segments


def segments_as_set(segs):
    return {tuple(np.round(s, 9)) for s in segs}


def test_a_field_without_a_crossing_has_no_segment():
    assert contour_segments(np.full((6, 6), 0.2)).shape == (0, 4)
    assert contour_segments(np.full((6, 6), 0.9)).shape == (0, 4)


def test_a_linear_ramp_gives_one_straight_line_where_the_interpolation_puts_it():
    # f = x / 10 (x = column): crosses 0.5 at column 5 exactly, on every row
    res = 11
    f = np.tile(np.arange(res) / 10, (res, 1))
    segs = contour_segments(f)
    # one segment per cell row, from the top edge to the bottom edge of the cell at x = 5
    # (an exact crossing counts as the sign change between 0.5 -> 0 and 0.6: at x = 5.0)
    assert len(segs) == res - 1
    np.testing.assert_allclose(segs[:, [0, 2]], 5.0, atol=1e-12)
    assert segments_as_set(segs) == {(5.0, float(r), 5.0, float(r + 1)) for r in range(res - 1)}


@pytest.mark.parametrize("level,c", [(0.5, 3.3), (0.25, 6.75)])
def test_the_crossing_is_linear_interpolation_between_grid_points(level, c):
    # f = (x - c) / 10 + level: exactly level at x = c, between columns floor(c) and ceil(c)
    res = 9
    f = np.tile((np.arange(res) - c) / 10 + level, (res, 1))
    segs = contour_segments(f, level)
    np.testing.assert_allclose(segs[:, [0, 2]], c, atol=1e-12)
    np.testing.assert_allclose(np.sort(segs[:, 1]), np.arange(res - 1), atol=1e-12)


def test_a_circle_is_closed_and_every_endpoint_lies_on_it():
    res, r0, cx, cy = 41, 12.17, 20.3, 19.6     # no grid point exactly on the circle
    yy, xx = np.mgrid[0:res, 0:res].astype(float)
    f = np.hypot(xx - cx, yy - cy) - r0 + 0.5   # level 0.5 where the distance is r0
    segs = contour_segments(f)
    ends = np.vstack([segs[:, :2], segs[:, 2:]])
    # linear interpolation of a distance field along an edge: within a small fraction of a pixel
    assert np.abs(np.hypot(ends[:, 0] - cx, ends[:, 1] - cy) - r0).max() < 0.05
    # closed: every endpoint is shared by exactly two segments
    _, counts = np.unique(np.round(ends, 9), axis=0, return_counts=True)
    assert set(counts) == {2}
    # and its length is the circumference, to the polygon's error
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]).sum()
    assert abs(length - 2 * np.pi * r0) < 0.01 * 2 * np.pi * r0


@pytest.mark.parametrize("shift,pairs", [
    (1e-6, {(0.5, 0.0, 0.0, 0.5), (1.0, 0.5, 0.5, 1.0)}),    # centre above: the negative corners TL, BR cut off
    (-1e-6, {(0.5, 0.0, 1.0, 0.5), (0.5, 1.0, 0.0, 0.5)}),   # centre below: the positive corners TR, BL cut off
])
def test_a_saddle_cell_pairs_its_edges_by_the_sign_of_the_centre(shift, pairs):
    # one cell, relative to the level: top-left -1, top-right +1, bottom-left +1, bottom-right -1
    f = np.array([[-1.0, 1.0], [1.0, -1.0]]) + 0.5 + shift
    segs = contour_segments(f)
    assert len(segs) == 2
    assert {tuple(np.round(s, 4)) for s in segs} == pairs
