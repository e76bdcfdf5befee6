"""The yardstick for the browser benchmarks: the cheapest live loop Streamlit allows.

A Play button and an ``@st.fragment`` loop shaped like ui/live.py (a bounded loop inside the
fragment, restarted by the fragment's own timer, ``time.sleep`` pacing) that sends ONE
~2 KB ``st.markdown`` per frame at 25 Hz while playing and does no other work. The server
CPU it costs per frame is what one element update costs Streamlit itself; bench_browser.py
divides the app's CPU per frame by it.

    streamlit run benchmarks/stub_app.py      # (bench_browser.py starts it by itself)

The markdown carries the frame number as ``<span class="stub-frame">123</span>`` so the
benchmark can count, in the page, the frames that reached the screen.
"""
from __future__ import annotations

import time

import streamlit as st

FPS = 25.0
LOOP_SECONDS = 10.0  # as ui/live.py: the loop stops by itself, the fragment timer restarts it
TICK = 0.2

ss = st.session_state
ss.setdefault("playing", False)
ss.setdefault("frame", 0)


def _toggle() -> None:
    ss.playing = not ss.playing


def _html(n: int) -> str:
    """~2 KB: the frame number and a block of numbers that change every frame (as a status
    line and a few parameters would)."""
    cells = " ".join(f"<span>{(n * 7919 + i * 104729) % 1000003 / 1000003:.6f}</span>" for i in range(85))
    return (f'<div class="stub"><b>frame</b> <span class="stub-frame">{n}</span> '
            f'<span class="stub-state">{"playing" if ss.playing else "paused"}</span>'
            f'<div style="font-size:9px;color:#666;line-height:1.1">{cells}</div></div>')


st.title("Stub live loop")
st.button("Pause" if ss.playing else "Play", key="play", type="primary", on_click=_toggle)


@st.fragment(run_every=TICK if ss.playing else None)
def live() -> None:
    slot = st.empty()
    slot.markdown(_html(ss.frame), unsafe_allow_html=True)
    if not ss.playing:
        return
    deadline = time.monotonic() + LOOP_SECONDS
    while ss.playing and time.monotonic() < deadline:
        t0 = time.monotonic()
        ss.frame += 1
        slot.markdown(_html(ss.frame), unsafe_allow_html=True)
        time.sleep(max(0.0, 1.0 / FPS - (time.monotonic() - t0)))


live()
