"""One malloc arena for the server process, set at run time (imported first by app.py, like
ui.blas: on Community Cloud nobody sets MALLOC_ARENA_MAX).

Why: Streamlit runs every session's script in a thread of its own, and glibc gives threads
their own malloc arenas (up to 8 per core), each keeping its high-water mark after the arrays
are freed. A heavy engine pass (MNIST 784-256x6-10 on a full batch: ~320 MB of activations)
run by four sessions one after another left ~800 MB resident in four arenas (1,166 MB against
364 MB; measured with one pass at a time); with one arena the memory a pass frees
is reused by the next one: 546 MB, and no step got slower (CPU per step 0.25 s either way,
while a fixed mmap threshold, the other remedy, cost 20 %). Small objects are Python's own
allocator's business and never reach these arenas.

Linux with glibc only; elsewhere it does nothing (APPLIED is False).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

from . import limits

M_ARENA_MAX = -8  # glibc's malloc.h


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def trim() -> bool:
    """Give the memory malloc holds free back to the system (glibc malloc_trim(0), every
    arena). Called after each big engine pass (ui.pacing.engine_memory, ENGINE_TRIM_BYTES): its
    ~64-320 MB of activations are freed, but an arena keeps freed memory for reuse, and threads that ran
    before this module was imported may already have arenas of their own."""
    try:
        return bool(_LIBC.malloc_trim(0)) if _LIBC is not None else False
    except AttributeError:  # a libc without malloc_trim (musl)
        return False


def limit_arenas(n: int) -> bool:
    """mallopt(M_ARENA_MAX, n); -> whether glibc took it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, n))
    except (OSError, AttributeError):  # no libc found, or one without mallopt
        return False


APPLIED = limit_arenas(limits.MALLOC_ARENAS)
