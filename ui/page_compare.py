"""The Compare page: a race of two to four configurations on the same data and seed, one
Play for all (ui.compare holds the runs; the browser paints them: static/live/compare.js)."""
from __future__ import annotations

import streamlit as st

from . import projector, state
from .echo import plain
from .compare import DATASETS, DEEP, RACES, WATCH, WATCH_SETTING, CompareMaker, params_from_config, watch_applies
from .controls import KEY_HELP
from .live import run_live
from .live_view import live_element

PAGE = "compare"


def _layout(lab):
    return {"live": [live_element("bp-live-compare", CompareMaker("compare/main", lab))]}


def render() -> None:
    st.title("Compare")
    projector.intro("Two to four settings on the same data, from the same seed, trained in lockstep: one Play, "
               "one Step for all. Everything not named in a run's label is the Circles page's default "
               "(tanh, softmax cross-entropy, N(0, 0.3) init, SGD + momentum 0.9, η = 0.03, full batches).")
    cfg = state.compare_config()
    for w in state.compare_link_warnings():
        st.warning(plain(w), icon="🔗")  # it quotes the link: text, never Markdown
    with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
        st.selectbox("Race", list(RACES), format_func=lambda r: RACES[r][0], key=state.key(PAGE, "race"),
                     help="What differs between the runs; the rest is shared.")
        st.selectbox("Data", DATASETS, key=state.key(PAGE, "dataset"), help="The same points for every run.")
        st.text_input("Hidden layers", key=state.key(PAGE, "hidden_text"), width=140,
                      help="Units per hidden layer, e.g. 8,8 (1 to 6 layers of 1 to 64 units).")
        if len(RACES[cfg.race][1]) > 2:
            st.slider("Runs", 2, len(RACES[cfg.race][1]), key=state.key(PAGE, "runs"), width=160,
                      help="How many of the race's settings to train (each one costs the server CPU).")
    lab, error = state.compare_lab(cfg)
    if error:
        st.error(plain(error), icon="⚠️")
    state.sync_compare_url(params_from_config(lab.compare))
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.button("Pause" if lab.playing else "Play", key=state.key(PAGE, "_play"), type="primary",
                  icon=":material/pause:" if lab.playing else ":material/play_arrow:", width=projector.play_width(),
                  on_click=state.toggle_compare_play, help=KEY_HELP["play"])
        st.button("Step", key=state.key(PAGE, "_step"), on_click=state.step_compare,
                  help="One mini-batch update of every run. " + KEY_HELP["step"])
        st.button("Reset", key=state.key(PAGE, "_reset"), on_click=state.reset_compare,
                  help="Every run back to step 0 from the same seed. " + KEY_HELP["reset"])
    note = WATCH[cfg.race]
    if cfg.race == "batchnorm" and len(cfg.hidden) < 3:
        note += f" (Fewer than 3 hidden layers were given, so this race uses {','.join(map(str, DEEP))}.)"
    if not watch_applies(cfg):
        note += f" (The numbers in this note are for {WATCH_SETTING}; other data or layers give other numbers.)"
    if not projector.is_on():  # projected, the pictures come first and the note goes under them
        st.info(f"**What to watch.** {note}", icon=":material/visibility:")
    run_live(PAGE, lambda: _layout(state.lab(PAGE)), None, frame_interval=1 / 30)
    if projector.is_on():
        st.info(f"**What to watch.** {note}", icon=":material/visibility:")
    for label, lb in lab.runs:
        if lb.error:
            st.error(f"{label}: {lb.error}", icon="🛑")
