"""Play / Step / Step epoch / Reset, the status line and the page's messages.

The buttons live outside the animated fragment: a click is a full re-run, which interrupts
a playing loop at its next frame (Streamlit pre-empts a running fragment for a full re-run),
so Pause acts within one frame.
"""
from __future__ import annotations


import streamlit as st

from . import projector, state
from .echo import plain
from .lab import Lab


# static/live/keys.js presses the buttons for these keys (not while a text field has the focus)
KEY_HELP = {"play": "Train continuously; press again to pause. Key: Space.",
            "step": "Key: → or Page Down (a presentation clicker's “next”).", "reset": "Key: R."}


def _toggle_play(lab: Lab) -> None:
    lab.playing = not lab.playing
    lab.error = None
    lab.notice = None


def _step(lab: Lab) -> None:
    lab.playing = False
    lab.error = lab.notice = None
    lab.advance(1)


def _epoch(lab: Lab) -> None:
    lab.playing = False
    lab.error = lab.notice = None
    lab.advance_epoch()


def _reset(lab: Lab) -> None:
    lab.reset()


def control_bar(page: str, lab: Lab) -> None:
    """The four buttons in one row."""
    # its natural width, never wrapped: on a narrow screen the panel switch moves below it instead
    with st.container(horizontal=True, gap="small", vertical_alignment="center", width="content", wrap=False):
        st.button("Pause" if lab.playing else "Play", key=state.key(page, "_play"), type="primary",
                  icon=":material/pause:" if lab.playing else ":material/play_arrow:",
                  on_click=_toggle_play, args=(lab,), width=projector.play_width(), help=KEY_HELP["play"])
        st.button("Step", key=state.key(page, "_step"), on_click=_step, args=(lab,),
                  help="One mini-batch update: forward, loss, backward, update. " + KEY_HELP["step"])
        st.button("Step epoch", key=state.key(page, "_epoch"), on_click=_epoch, args=(lab,),
                  help=f"Updates until every training sample has been used once "
                       f"({lab.trainer.steps_per_epoch} step{'s' if lab.trainer.steps_per_epoch != 1 else ''} "
                       f"at this batch size).")
        st.button("Reset", key=state.key(page, "_reset"), on_click=_reset, args=(lab,),
                  help="Fresh weights from the seed, step 0. Settings are kept. " + KEY_HELP["reset"])


def messages(page: str, lab: Lab | None, error: str | None) -> None:
    """Link warnings, invalid-setting errors, divergence and rebuild notices."""
    for w in state.link_warnings(page):  # they quote the link: text, never Markdown
        st.warning(plain(w), icon="🔗")
    if error:  # it may quote a file (a CSV's name and cells)
        st.error(f"{plain(error)} The model keeps its last valid settings until this is fixed.", icon="⚠️")
    if lab is not None and lab.bugs:
        from engine.bugs import BUGS

        names = ", ".join(f"“{BUGS[b].title}”" for b in sorted(lab.bugs))
        st.warning(f"Bug zoo: training uses a copy of backprop with {names}. Switch them off under "
                   "*Look inside backprop → Bug zoo*.", icon="🐛")
    if lab is not None and lab.error:
        st.error(lab.error, icon="🛑")
    elif lab is not None and lab.notice:
        st.info(lab.notice, icon="ℹ️")
    dead = lab.dead_units_sentence() if lab is not None and lab.step > 0 else None
    if dead:
        st.warning(dead, icon="💀")
