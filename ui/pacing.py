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
from collections import deque
from contextlib import contextmanager

from . import limits, memory

FRAMES_PER_SECOND = 150  # for the whole process: ~0.3-0.6 of a core at 2-4 ms a frame
STALE = 1.0              # a session that sent no frame for this long no longer counts

_lock = threading.Lock()
_last_frame: dict[str, float] = {}
# Memory of the engine passes running now, all sessions together (ui.limits.ENGINE_BYTES):
# a pass waits, in arrival order (so a big one is not starved by a stream of smaller ones),
# until its estimated size fits.
_engine = threading.Condition()
_in_use = 0
_queue: deque = deque()


@contextmanager
def engine_memory(nbytes: int, stop=None):
    """Hold ``nbytes`` of the process's engine memory for the block (at most ENGINE_BYTES; a
    pass under ENGINE_SMALL_BYTES does not wait at all). Yields False, holding nothing, when
    ``stop()`` says the wait is pointless (a Pause arrived while waiting)."""
    global _in_use
    if nbytes <= limits.ENGINE_SMALL_BYTES:
        yield True
        return
    need, ticket, got = min(nbytes, limits.ENGINE_BYTES), object(), False
    with _engine:
        _queue.append(ticket)
        try:
            while True:
                if _queue[0] is ticket and _in_use + need <= limits.ENGINE_BYTES:
                    _in_use += need
                    got = True
                    break
                if stop is not None and stop():
                    break
                _engine.wait(0.05)
        finally:
            _queue.remove(ticket)
            _engine.notify_all()
    if not got:
        yield False
        return
    try:
        yield True
    finally:
        with _engine:
            _in_use -= need
            _engine.notify_all()
        if need >= limits.ENGINE_TRIM_BYTES:
            memory.trim()  # the pass's arrays are freed (Lab.working dropped the caches): return them


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
