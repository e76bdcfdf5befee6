"""The animation: a fragment that, while playing, loops "k engine steps, send the numbers".

Why a bounded loop inside a fragment rather than one fragment re-run per frame: each re-run
is a browser -> server round trip, so a timed re-run caps the frame rate at 1 / latency (on a
hosted link ~100 ms away, well under 15 fps). The loop instead pushes frames from the server
at a steady rate, independent of latency.

Why numbers and not pictures: the browser paints (ui.live_view). A frame is the parameters,
the status and the new history records, ~2 KB for XOR; the server's work per frame is the
engine steps plus one element update, so frames can come at 60 Hz. Server-drawn views that
remain (the hidden-space and neuron panels, MNIST's confusion matrix and mistakes) are
redrawn every SLOW_INTERVAL seconds, only when on screen.

- A full re-run (Pause, any sidebar change) pre-empts the loop at its next frame. Before each
  step the loop asks whether one is waiting (ui.st_internals.rerun_pending) and then stops
  there, so Pause never leaves a computed but unshown step.
- Frames come at up to 60 a second for one session; sessions playing at the same time share
  a frame budget (ui.pacing), so a classroom on one server gets smooth animation, not overload.
- The loop stops by itself after LOOP_SECONDS; the fragment's own timer (run_every) starts
  the next one. It also stops within a frame when the browser is gone (tab closed).
- During a *full* page run the fragment draws one still frame and returns, so the rest of
  the page below it is not held up; the timer starts the loop a moment later.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from . import pacing, st_internals, state

LOOP_SECONDS = 10.0
SLOW_INTERVAL = 0.6
TICK = 0.2  # fragment timer while playing: how soon a loop (re)starts


def run_live(page: str, layout: Callable[[], dict], draw_slow: Callable | None = None,
             frame_interval: float = 1 / 60) -> None:
    """Draw the live area of ``page``; animate it while its lab is playing.

    layout() creates the page's live elements and placeholders and fills each at once (a
    placeholder left empty while the rest is laid out would flash blank at every re-run); it
    returns a dict whose "live" entry lists (LiveView, FrameMaker) pairs. While playing, each
    frame sends every live view its next frame; draw_slow(lab, slots) redraws the server-side
    views every SLOW_INTERVAL seconds.
    """
    playing = state.lab(page).playing

    @st.fragment(run_every=TICK if playing else None)
    def live():
        lab = state.lab(page)
        if lab is None:
            return
        slots = layout()
        checkpoint = st.empty()
        if not lab.playing or state.in_full_run(page):
            return
        now = time.monotonic()
        deadline, next_slow = now + LOOP_SECONDS, now + SLOW_INTERVAL
        session = state.session_id()
        try:
            while lab.playing and time.monotonic() < deadline and not state.browser_gone():
                t0 = time.monotonic()
                ok = advance_frame(lab, checkpoint)
                for view, maker in slots["live"]:
                    view.send(maker.frame())
                if not ok:
                    st.rerun()  # full run: the Play button and the divergence message update
                if draw_slow is not None and time.monotonic() >= next_slow:
                    draw_slow(lab, slots)
                    next_slow = time.monotonic() + SLOW_INTERVAL
                interval = pacing.frame_interval(session, frame_interval)
                time.sleep(max(0.0, interval - (time.monotonic() - t0)))
        finally:
            pacing.leave(session)
        if draw_slow is not None:
            draw_slow(lab, slots)

    state.mark_full_run(page, True)
    try:
        live()
    finally:
        state.mark_full_run(page, False)


def advance_frame(lab, checkpoint) -> bool:
    """One frame's steps, never a computed but unshown one: -> lab.advance's result.

    ``checkpoint``: an empty placeholder; updating it is an element update, where Streamlit stops
    a script whose re-run (a Pause) is waiting. ui.st_internals.rerun_pending answers True (a
    re-run waits), False (none) or None (cannot tell): only True undoes steps.
    """
    if st_internals.rerun_pending() is not False:
        checkpoint.empty()  # a Pause is waiting (or we cannot tell): stop here, before a step
    snap = lab.trainer.snapshot()
    ok = lab.advance(lab.cfg.steps_per_frame)
    if st_internals.rerun_pending():
        # the Pause came during these steps: their frame cannot be sent any more (the next
        # element update stops the script), so undo them; otherwise the re-run would show
        # them, one picture change after the button already read Play
        lab.trainer.restore(snap)
        checkpoint.empty()
    return ok
