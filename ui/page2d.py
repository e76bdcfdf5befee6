"""The 2-D training pages (XOR, circles, more 2-D sets): layout and drawing.

Reads the page's Lab from ui.state, asks the engine for what to draw (boundary grid, contour,
history) and hands the arrays to ui.charts. No maths here.
"""
from __future__ import annotations

import streamlit as st

from engine import boundary_grid
from engine.views import contour_segments

from . import charts, controls, hidden_view, inspect, state
from .live import run_live
from .panels import draw_curves, draw_layer_charts, draw_weights, layer_slots

RESOLUTION = 100  # boundary grid: 100 x 100 = one forward pass of 10,000 rows
BOUNDARY_PX = 440

PAGE_TEXT = {
    "xor": ("XOR", "Four quadrants, opposite corners share a class. No straight line separates them, so "
                   "a network without a hidden layer fails here (set *Hidden layers* to 0 and watch); "
                   "a few hidden units bend the boundary."),
    "circles": ("Circles", "One class inside a ring of the other. The hidden layers must turn the plane so "
                           "that a single line, drawn in hidden space, separates them — switch the right panel to *Hidden space* "
                           "and watch them untangle."),
    "more2d": ("More 2-D data", "Moons, two spirals and Gaussian blobs. The spiral needs depth: try 1 "
                                "hidden layer against 3."),
}


PANELS = {"curves": "Loss & accuracy", "hidden": "Hidden space", "neurons": "Neurons"}


def _panel(page: str) -> str:
    return state.ui_value(page, "panel") or "curves"


def _layout(page, lab):
    slots = {"status": st.empty()}
    left, right = st.columns([1.05, 1], gap="medium")
    with left:
        # the animated field and the static points are two elements stacked by CSS (app.py's
        # .bp-stack rule), so a frame re-sends only the field and the line, not 400 circles
        with st.container(key=f"bp-stack-{page}"):
            slots["boundary"] = st.empty()
            _draw_frame(lab, slots)  # fill at once (see ui.live.run_live): no blank picture
            ds = lab.dataset
            pts = charts.points_svg(ds.X_train, ds.y_train, ds.X_test, ds.y_test, ds.bounds, BOUNDARY_PX)
            st.markdown(charts.points_overlay_html(pts, ds.bounds, BOUNDARY_PX), unsafe_allow_html=True)
        st.html(charts.legend_html(lab.dataset.class_names))
    with right:
        slots["right"] = st.empty()
        slots["right2"] = st.empty()
        _draw_slow(page, lab, slots, 0)
    layer_slots(slots, "Weights and biases",
                "One heatmap per layer: W_l (n_{l−1} × n_l) with the bias b_l under it; red > 0 > blue, "
                "centred at 0. Hover a cell for its value.")
    _draw_slow(page, lab, slots, 1)
    _draw_slow(page, lab, slots, 2)
    return slots


def _draw_frame(lab, slots):
    ds = lab.dataset
    probs = boundary_grid(lab.net, ds.bounds, RESOLUTION, normalize=True)
    field = probs[..., 1] if probs.ndim == 3 and probs.shape[2] == 2 else (probs if probs.ndim == 2 else None)
    segs = contour_segments(field) if field is not None else None
    # st.markdown, not st.html: st.html's sanitiser drops inline SVG
    slots["boundary"].markdown(charts.boundary_html(probs, segs if segs is not None else [], ds.bounds,
                                                    BOUNDARY_PX), unsafe_allow_html=True)
    slots["status"].html(controls.status_html(lab))


def _draw_slow(page, lab, slots, part=None) -> int:
    """Slow part ``part`` of 3 (right panel, weight heatmaps, per-layer charts), or all; -> 3."""
    hist = lab.trainer.history_frame() if part in (None, 0, 2) else None
    if part in (None, 0):
        panel = _panel(page)
        if panel == "neurons":
            inspect.draw_neurons(page, lab, slots["right"], slots["right2"])
        elif panel == "hidden":
            hidden_view.draw_hidden(page, lab, slots["right"], slots["right2"])
        else:
            draw_curves(lab, hist, slots["right"], slots["right2"])
    if part in (None, 1):
        draw_weights(lab, slots["weights"])
    if part in (None, 2):
        draw_layer_charts(lab, hist, slots["delta"], slots["ratio"])
    return 3


def render(page: str) -> None:
    """The whole page body (the sidebar is drawn by app.py)."""
    title, intro = PAGE_TEXT[page]
    st.title(title)
    st.caption(intro)
    cfg = state.read_config(page)
    lab, error = state.ensure_lab(page, cfg)
    if lab is None:
        st.error(error or "Could not build this page's model.")
        return
    state.sync_url(page, lab.cfg)
    if lab.dataset.name == "csv":
        st.caption(lab.dataset.description + " Share links cannot carry an uploaded file.")
    controls.messages(page, lab, error)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        controls.control_bar(page, lab)
        st.segmented_control("Right panel", list(PANELS), format_func=PANELS.get, default="curves",
                             key=state.key(page, "panel"), label_visibility="collapsed", required=True,
                             help="What to show next to the decision boundary. Hidden space: the data as "
                                  "a hidden layer sees it. Neurons: each hidden unit over the input plane.")
        if _panel(page) == "neurons":
            inspect.unit_picker(page, lab)
        elif _panel(page) == "hidden":
            hidden_view.layer_picker(page, lab)
    run_live(page, lambda: _layout(page, lab), _draw_frame,
             lambda lab_, slots, part: _draw_slow(page, lab_, slots, part), slow_parts=3)
    inspect.render_static(page, lab)
