"""The Curve fitting page (1-D regression): samples of y = f(x), the network's ŷ(x) and what each
unit of the last hidden layer adds to it, painted by the browser from the weights
(static/live/curve.js) like the 2-D pages' boundary. Below it the same Look-inside tabs as on
every training page. No maths here.
"""
from __future__ import annotations

import streamlit as st

from . import controls, inspect, lessons, projector, regression, state
from .frames import FrameMaker
from .live import run_live
from .live_view import live_element

PARTS = ("status", "curve", "curves", "weights", "layers")


def render(page: str) -> None:
    """The whole page body (the sidebar is drawn by app.py)."""
    title, intro = regression.PAGE_TEXT[page]
    st.title(title)
    projector.intro(intro)
    cfg = state.read_config(page)
    lab, error = state.ensure_lab(page, cfg)
    if lab is None:
        st.error(error or "Could not build this page's model.")
        return
    state.sync_url(page, lab.cfg)
    lessons.box(page, lab)
    controls.messages(page, lab, error)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        controls.control_bar(page, lab)
    # 241 points through a 1-64-1 net: under a millisecond a frame, so frames come at 60 a second
    run_live(page, lambda: {"live": [live_element(f"bp-live-{page}", FrameMaker(f"{page}/main", page, PARTS, lab))]},
             frame_interval=1 / 60)
    inspect.render_static(page, lab)
