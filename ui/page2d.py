"""The 2-D training pages (XOR, circles, more 2-D sets): layout and drawing.

The decision boundary, the curves, the weight heatmaps and the per-layer charts are one live
view painted by the browser from the numbers ui.frames sends (ui.live_view). The right panel
can instead show a server-drawn view (hidden space, neurons); then the live view is split in
two elements around it. No maths here.
"""
from __future__ import annotations

import streamlit as st

from . import byhand, controls, hidden_view, hiding, inspect, lessons, projector, regression, state, tfpg_view
from .echo import plain
from .frames import FrameMaker
from .live import run_live
from .live_view import live_element

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


PANELS = {"curves": "Loss & accuracy", "graph": "Network graph", "hidden": "Hidden space", "neurons": "Neurons"}
PROJECTOR_PANELS = {"curves": "Curves", "graph": "Graph"}
ALL_PARTS = ("status", "boundary", "hand", "curves", "weights", "layers")
GRAPH_PARTS = ("status", "boundary", "hand", "graph", "weights", "layers")  # the network graph instead of the curves
HIDE_OF_PART = {"curves": "curves", "weights": "weights", "layers": "charts"}  # hide= names (ui.hiding)


def _frame_interval(net) -> float:
    """Seconds between frames. The browser evaluates the boundary grid per frame, at a cost that
    grows with the hidden units: measured in headless Chromium, a 2-8-8-2 net paints in ~3 ms and
    keeps up with 60 frames a second, a 2-16-16-16-2 net needs ~12 ms and fell behind (frames
    still in flight when Pause arrives, painted after it). Bigger nets get fewer frames."""
    units = sum(net.sizes[1:-1])
    return 1 / 60 if units <= 24 else 1 / 40 if units <= 64 else 1 / 25


def _panel(page: str) -> str:
    return state.ui_value(page, "panel") or "curves"


def _live(view: str, page: str, parts: tuple, lab) -> list:
    """A live element showing ``parts`` (less those a teacher's link hides), filled with its first
    (full) frame at once; [] if nothing is left to show."""
    parts = tuple(p for p in parts if hiding.shown(page, HIDE_OF_PART.get(p, p)))
    return [live_element(f"bp-live-{view}", FrameMaker(f"{page}/{view}", page, parts, lab))] if parts else []


def _layout(page, lab):
    if _panel(page) in ("curves", "graph"):
        parts = ALL_PARTS if _panel(page) == "curves" or lab.net.is_regression else GRAPH_PARTS
        if lab.net.is_regression:
            parts = tuple(p for p in parts if p != "hand")
        return {"live": _live("main", page, parts, lab)}
    slots = {}
    left, right = st.columns([1.05, 1], gap="medium")
    with left:
        parts = ("status", "boundary") if lab.net.is_regression else ("status", "boundary", "hand")
        upper = _live("left", page, parts, lab)
    with right:
        slots["right"] = st.empty()
        slots["right2"] = st.empty()
        _draw_slow(page, lab, slots)
    slots["live"] = upper + _live("lower", page, ("weights", "layers"), lab)
    return slots


def _draw_slow(page, lab, slots):
    """The server-drawn right panel (hidden space or neurons), when one is chosen."""
    panel = _panel(page)
    if panel == "neurons":
        inspect.draw_neurons(page, lab, slots["right"], slots["right2"])
    elif panel == "hidden":
        hidden_view.draw_hidden(page, lab, slots["right"], slots["right2"])


def view_switches(page: str) -> None:
    """Test data / Discretize: what the picture shows (TensorFlow Playground's two check boxes
    under its output; the browser paints them, static/live/boundary.js). The run is not touched."""
    st.toggle("Test data", key=state.key(page, "show_test"), persist_state="session",
              help="Show the test points (hollow circles) on the picture. The test numbers are computed either way.")
    st.toggle("Discretize", key=state.key(page, "discretize"), persist_state="session",
              help="Paint the background in flat colours, the class the network predicts at each point, instead of "
                   "shading it by how sure the network is.")


def render(page: str) -> None:
    """The whole page body (the sidebar is drawn by app.py)."""
    title, intro = PAGE_TEXT[page] if page in PAGE_TEXT else regression.PAGE_TEXT[page]
    st.title(title)
    if hiding.shown(page, "text"):
        projector.intro(intro)
    cfg = state.read_config(page)
    lab, error = state.ensure_lab(page, cfg)
    if lab is None:
        st.error(plain(error or "Could not build this page's model."))
        return
    state.sync_url(page, lab.cfg, byhand.link_marker(lab))
    if lab.dataset.name == "csv":
        st.caption(plain(lab.dataset.description) + " Share links cannot carry an uploaded file.")  # column names
    byhand.channel(page)
    lessons.box(page, lab)
    controls.messages(page, lab, error)
    tfpg_view.notes(page)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        controls.control_bar(page, lab)
        # the network graph and data by hand are for classification: a regression's points carry
        # real targets a click cannot choose, and the curve page has no plane to draw units over
        panels, picture = ({k: v for k, v in dict(PANELS, curves="Loss & R²").items() if k != "graph"}, "prediction") \
            if lab.net.is_regression else (PANELS, "decision boundary")
        if projector.is_on():  # shorter names keep the choice on the buttons' row at 1024 x 768 (a row
            panels = {k: PROJECTOR_PANELS.get(k, v) for k, v in panels.items()}  # less for the picture)
        st.segmented_control("Right panel", list(panels), format_func=panels.get, default="curves",
                             key=state.key(page, "panel"), label_visibility="collapsed", required=True,
                             help=f"What to show next to the {picture}. " + (
                                 "" if lab.net.is_regression else "Network graph: every unit's output as a small "
                                 "picture, the weights as lines; type a weight or bias there. ")
                             + "Hidden space: the data as a hidden layer sees it. Neurons: each hidden unit over "
                               "the input plane.")
        # test points and flat class colours: a decision boundary's. Not in projector mode, where
        # their row would push the picture off a 1024 x 768 screen (a link's testdata= and
        # discretize= still apply there)
        if not lab.net.is_regression and not projector.is_on():
            view_switches(page)
        if _panel(page) == "neurons":
            inspect.unit_picker(page, lab)
        elif _panel(page) == "hidden":
            hidden_view.layer_picker(page, lab)
    slow = None if _panel(page) == "curves" else (lambda lab_, slots: _draw_slow(page, lab_, slots))
    run_live(page, lambda: _layout(page, lab), slow, frame_interval=_frame_interval(lab.net))
    if hiding.shown(page, "inside"):
        inspect.render_static(page, lab)
