"""The animation: a fragment that, while playing, loops "k engine steps, redraw" in place.

Why a bounded loop inside a fragment rather than one fragment re-run per frame: each re-run
is a browser -> server round trip, so a timed re-run caps the frame rate at 1 / latency (on a
hosted link ~100 ms away, well under 15 fps). The loop instead pushes frames from the server
into fixed placeholders at a steady rate, independent of latency.

- Fast parts (status line, decision boundary) are redrawn every frame; slow parts (Altair
  charts, heatmaps) cost ~10x more to build and render, so each is redrawn once every
  SLOW_INTERVAL seconds, one part at a time in turn: no single loop iteration carries all of
  them, which keeps the frame pace even and lets Pause interrupt the loop within a frame.
- A full re-run (Pause, any sidebar change) pre-empts the loop at its next frame.
- The loop stops by itself after LOOP_SECONDS; the fragment's own timer (run_every) starts
  the next one. So a closed browser tab stops costing CPU within seconds: nobody re-arms it.
- During a *full* page run the fragment draws one still frame and returns, so the rest of
  the page below it is not held up; the timer starts the loop a moment later.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from . import state

LOOP_SECONDS = 8.0
SLOW_INTERVAL = 0.5
TICK = 0.2  # fragment timer while playing: how soon a loop (re)starts


def run_live(page: str, layout: Callable[[], dict], draw_frame: Callable, draw_slow: Callable,
             slow_parts: int, frame_interval: float = 1 / 25) -> None:
    """Draw the live area of ``page``; animate it while its lab is playing.

    layout() creates the placeholders (slots) *and fills each one as soon as it exists*: a
    placeholder left empty while the rest is laid out would blank its picture or chart for
    that moment at every re-run (a visible flicker). Then, while playing, draw_frame(lab, slots)
    redraws the fast part and draw_slow(lab, slots, part) slow part ``part`` of ``slow_parts``
    (None: all of them).
    """
    playing = state.lab(page).playing

    @st.fragment(run_every=TICK if playing else None)
    def live():
        lab = state.lab(page)
        if lab is None:
            return
        slots = layout()
        # An invisible placeholder re-sent before every step: Streamlit can only stop a running
        # fragment at an st call, and this one comes *before* the weights change, so a Pause
        # landing between frames stops the loop without a last, never-shown step (which the
        # following full run would otherwise draw as one more, late, picture change).
        checkpoint = st.empty()
        n_parts = slow_parts
        if not lab.playing or state.in_full_run(page):
            return
        now = time.monotonic()
        deadline, next_slow, part = now + LOOP_SECONDS, now, 0
        # ... and stop as soon as the browser is gone, not at the end of the loop: with many
        # visitors leaving at once their loops would otherwise keep the server busy for seconds
        while lab.playing and time.monotonic() < deadline and not state.browser_gone():
            t0 = time.monotonic()
            checkpoint.empty()
            ok = lab.advance(lab.cfg.steps_per_frame)
            draw_frame(lab, slots)
            if not ok:
                draw_slow(lab, slots, None)
                st.rerun()  # full run: the Play button and the divergence message update
            if time.monotonic() >= next_slow:
                draw_slow(lab, slots, part)
                part = (part + 1) % n_parts
                next_slow = time.monotonic() + SLOW_INTERVAL / n_parts
            time.sleep(max(0.0, frame_interval - (time.monotonic() - t0)))
        draw_slow(lab, slots, None)

    state.mark_full_run(page, True)
    try:
        live()
    finally:
        state.mark_full_run(page, False)
