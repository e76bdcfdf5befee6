"""A frame budget shared by every session that is playing in this server process.

One session alone gets up to 60 frames a second. A classroom on one server should not: every
frame costs the server ~2-4 ms of CPU, and every browser ~5 ms of Streamlit's own message
handling before anything is painted (measured: benchmarks/bench_browser.py, bench_sessions.py).
So the playing sessions share FRAMES_PER_SECOND between them: with 10 playing, each gets 15
frames a second, smooth enough to watch, and the server stays far from saturation.

This is server-wide load information (how many loops are running), not anyone's data, so it
lives at module level; each session only registers its own id.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from . import limits

FRAMES_PER_SECOND = 150  # for the whole process: ~0.3-0.6 of a core at 2-4 ms a frame
STALE = 1.0              # a session that sent no frame for this long no longer counts

_lock = threading.Lock()
_last_frame: dict[str, float] = {}
# Engine steps of all sessions: at most ENGINE_WORKERS at a time (ui.limits says why).
_engine = threading.BoundedSemaphore(limits.ENGINE_WORKERS)


@contextmanager
def engine_slot(stop=None):
    """Hold one of the process's engine slots for the block; yields False, without a slot,
    when ``stop()`` says the wait is pointless (a Pause arrived while waiting)."""
    while not _engine.acquire(timeout=0.05):
        if stop is not None and stop():
            yield False
            return
    try:
        yield True
    finally:
        _engine.release()


def frame_interval(session: str, fastest: float) -> float:
    """Seconds between this session's frames: ``fastest`` alone, longer when many play."""
    now = time.monotonic()
    with _lock:
        _last_frame[session] = now
        for sid in [s for s, t in _last_frame.items() if now - t > STALE]:
            del _last_frame[sid]
        playing = len(_last_frame)
    return max(fastest, playing / FRAMES_PER_SECOND)


def leave(session: str) -> None:
    with _lock:
        _last_frame.pop(session, None)
