"""The run lives in the visitor's browser too: each training page keeps a checkpoint of its run
in the browser's own storage, and offers it back when the page opens in a new server session.

Why: a server session ends more often than a class does (a redeploy, Community Cloud putting
the app to sleep, a laptop asleep longer than the server keeps its session, a crash), and with
it everything the session trained. Nothing of a visitor is stored on the server, so the browser
keeps it (the browser half: static/live/checkpoint.js).

- What: the run exactly as "Take it home" writes it (ui.export_view.run_bytes: engine.export
  .save_run with the page's data spec: settings, parameters, optimizer state, batch order,
  random generators, history), one per page and browser tab, in IndexedDB. IndexedDB, not
  localStorage: it stores bytes as they are (localStorage only strings: base64, a third more)
  and allows far more than localStorage's ~5 MB per site; an MNIST run is ~0.6-1 MB.
- When: after every change of the run that a full page run shows (Pause, Step, Step epoch, a
  continued run, a new learning rate...), and every CHECKPOINT_SECONDS while playing, or less
  often for a run so big that writing it would take more than WRITE_SHARE of the playing time
  (benchmarks/bench_checkpoint.py: MNIST 784-100-10 ~0.6 MB in ~25 ms, every 5 s; the largest
  run the sidebar allows ~5.8 MB in ~0.2 s, every ~20 s). A run
  back at step 0 is not kept: Reset discards the tab's checkpoint (and the one on offer); a
  rebuild or a lesson discards one this session wrote, never one offered from an earlier
  session (changing a setting before clicking "Continue" must not lose the run).
- How it travels: in its own element (the live view's component, a frame whose part is
  "checkpoint"), sent once per script run and when a checkpoint is due, never in the
  animation frames. Those may be superseded in Streamlit's send queue by the next frame; this
  element is updated every few seconds at most, so what is sent arrives, and the frames stay as
  cheap as before (benchmarks/bench_browser.py).
- Back: the browser offers a checkpoint only to a session that did not write it (each session
  has a random token), as a button "Continue your run from step N". The click sends the bytes
  back (setTriggerValue, base64 in JSON); they go through ui.state.continue_run_bytes, the path
  of an uploaded run file: checked, then adopted, or one sentence and nothing changes.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import math
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from . import st_internals, state
from .config import CHECKPOINT_BYTES, CSV_DATASET, PAGE_DEFAULTS, params_from_config
from .export_view import run_bytes
from .frames import pack
from .live_view import _component

CHECKPOINT_SECONDS = 5.0  # while playing, at least this often; a Pause or a Step saves at once
WRITE_SHARE = 0.01        # ...but writing one takes at most this share of the playing time
ROOT = Path(__file__).resolve().parents[1]


def _build() -> str:
    """A content hash of the app's code: the browser says so when a checkpoint was written by
    another build (a redeploy); whether it can be continued is decided by the run file itself."""
    h = hashlib.sha1()
    for folder, pattern in (("engine", "*.py"), ("ui", "*.py"), ("static/live", "*.*")):
        for p in sorted((ROOT / folder).glob(pattern)):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


BUILD = _build()


def _mb(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


# ----------------------------------------------------------------------------- what to send
def _marker(lab) -> tuple:
    """What identifies the run's state: a change of any of these is a change of the run."""
    return (id(lab.trainer), lab.builds, lab.step, lab.cfg)


def due(page: str, lab, force: bool) -> tuple[str | None, bool]:
    """-> (op, reset): what the browser should do with its checkpoint of ``page`` now.

    op "save": keep the run (its bytes come with the frame); "clear": the run is back at step 0
    (or on data a run file cannot bring back: an uploaded CSV), so a checkpoint this session
    wrote no longer is the run; None: nothing changed, or a save is not due yet while playing
    (``force`` False). reset: the change was Reset (same settings, a new build, step 0), which
    discards the checkpoint whoever wrote it.
    """
    marker, last = _marker(lab), state.ui_value(page, "_ckpt_marker")
    if marker == last:
        return None, False
    if lab.step == 0 or lab.cfg.dataset == CSV_DATASET:
        reset = last is not None and lab.step == 0 and last[1] != lab.builds and last[3] == lab.cfg
        return "clear", reset
    gap = state.ui_value(page, "_ckpt_gap", CHECKPOINT_SECONDS)
    if force or time.monotonic() - state.ui_value(page, "_ckpt_time", -math.inf) >= gap:
        return "save", False
    return None, False


def frame(page: str, lab, op: str | None, reset: bool = False, data: bytes | None = None,
          size: int | None = None) -> bytes:
    """The checkpoint element's message (ui.frames format; static/live/checkpoint.js reads it).

    meta.ck: page; token (this session's); build (ui.checkpoint.BUILD); query (the run's
    settings as a share link's query, to tell a checkpoint of other settings); max (the largest
    run the app takes back, bytes); op, reset (see ``due``; "toolarge": the run is larger than
    max and is not kept; size: its bytes); step, epoch; error (the sentence of a failed restore,
    or None).
    arrays.run: the run file's bytes (uint8), with op "save" only.
    """
    ck = {"page": page, "token": state.session_token(), "build": BUILD,
          "query": urlencode(params_from_config(page, lab.cfg)), "max": CHECKPOINT_BYTES,
          "op": op, "reset": reset, "size": size, "step": lab.step, "epoch": lab.trainer.epoch,
          "error": state.ui_value(page, "_ckpt_error")}
    arrays = {"run": np.frombuffer(data, dtype=np.uint8)} if data is not None else {}
    return pack({"view": f"{page}/checkpoint", "parts": ["checkpoint"], "ck": ck}, arrays)


class Slot:
    """The checkpoint element of ``page``, drawn by the live fragment (ui.live.run_live) above the
    live view: create it in every run of the fragment (an element the run does not draw would
    vanish), call ``catch_up()`` once the live view is drawn, then ``tick()`` after every
    animation frame while playing."""

    def __init__(self, page: str, lab):
        self.page, self.lab, self.key = page, lab, f"bp-ckpt-{page}"
        if state.ui_value(page, "_ckpt_rerun"):
            state.put(page, "_ckpt_rerun", False)
            if not state.in_full_run(page):
                st.rerun()  # a restore came through this fragment: redraw the page (sidebar, buttons, URL)
        self.slot = st.empty()
        self._added = None      # the ids our last update registered (released before the next one)
        self._resend = True     # False if Streamlit's internals changed: one update per run then
        self._next = 0.0
        self._force = state.in_full_run(page) or not lab.playing
        op, reset = due(page, lab, self._force)
        if op == "save":  # the run file is written after the live view's frame (catch_up): the picture first
            op, reset = None, False
        self._send(op, reset)

    def catch_up(self) -> None:
        """After the live view's first frame: send the run if it changed (at once in a full run,
        e.g. a Pause or a Step; while playing, when the interval has passed)."""
        self.send(self._force)

    def tick(self) -> None:
        """While playing: send a checkpoint when one is due (cheap otherwise: one clock read)."""
        if self._resend and time.monotonic() >= self._next:
            self.send(force=False)

    def send(self, force: bool) -> None:
        if not self._resend:
            return
        op, reset = due(self.page, self.lab, force)
        self._next = time.monotonic() + 0.5
        if op is not None:
            self._send(op, reset)

    def _send(self, op: str | None, reset: bool) -> None:
        page, lab = self.page, self.lab
        data = size = None
        if op == "save":
            t0 = time.monotonic()
            data = run_bytes(lab)
            gap = max(CHECKPOINT_SECONDS, (time.monotonic() - t0) / WRITE_SHARE)
            state.put(page, "_ckpt_gap", gap)
            self._next = t0 + gap
            if len(data) > CHECKPOINT_BYTES:
                op, data, size = "toolarge", None, len(data)
        if op is not None:
            state.put(page, "_ckpt_error", None)  # the run changed since a failed restore
        payload = frame(page, lab, op, reset, data, size)
        if self._added is not None and not st_internals.forget_ids(self._added):
            self._resend = False
            return
        registered = st_internals.registered_ids()
        with self.slot:
            _component(data=payload, key=self.key, on_restore_change=functools.partial(_on_restore, page, self.key))
        self._added = st_internals.added_ids(registered) if registered is not None else None
        self._resend = self._added is not None
        if op is not None:
            state.put(page, "_ckpt_marker", _marker(lab))
        if op == "save":
            state.put(page, "_ckpt_time", time.monotonic())


class _NoSlot:
    def catch_up(self) -> None:
        pass

    def tick(self) -> None:
        pass


def slot(page: str, lab) -> Slot | _NoSlot:
    """The checkpoint element of a training page; Compare keeps nothing (its runs are one race,
    not a run file)."""
    return Slot(page, lab) if page in PAGE_DEFAULTS else _NoSlot()


# ----------------------------------------------------------------------------- a new session
RECONNECT_SECONDS = 600.0


@st.fragment(run_every=RECONNECT_SECONDS)
def stay_in_touch() -> None:
    """Draws nothing; call it once per page run (ui.live.run_live does).

    When the browser's connection comes back (a restarted server, a laptop waking up), Streamlit's
    frontend asks the server for a run only if the page has a timed fragment (or a run was going
    on); a paused page otherwise keeps showing the old session's picture while the new session
    has run nothing, so no offer appears and the first click does nothing. This fragment's timer
    is what makes the frontend ask (measured: without it the kept page of a paused run stayed
    stale in 2 of 4 restarts; tests/test_browser_checkpoint.py); its own run every ten minutes
    costs nothing worth measuring."""


# ----------------------------------------------------------------------------- coming back
def _on_restore(page: str, element_key: str) -> None:
    """The element's callback: the browser sent its checkpoint ("Continue your run")."""
    state.put(page, "_ckpt_error", restore(page, state.element_event(element_key, "restore")))
    state.put(page, "_ckpt_rerun", True)


def restore(page: str, payload) -> str | None:
    """Continue the run the browser sent (``{"data": base64 of the run file, ...}``) on ``page``
    through ui.state.continue_run_bytes. -> None, or the sentence saying why not (nothing has
    changed then). The size is checked before anything is decoded."""
    text = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        return "The browser sent no readable checkpoint of your run. Nothing was changed."
    if len(text) > 4 * math.ceil(CHECKPOINT_BYTES / 3):
        return (f"The run this browser kept is {_mb(len(text) * 3 / 4)}, more than the {_mb(CHECKPOINT_BYTES)} "
                "the app takes back. Nothing was changed.")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "The run this browser kept is damaged (its bytes are not base64 text). Nothing was changed."
    err = state.continue_run_bytes(page, data)
    if err:
        return f"The run this browser kept could not be continued: {err} Nothing was changed."
    lab = state.lab(page)
    lab.notice = (f"Continued your run from step {lab.step:,}, as this browser had kept it: every setting, "
                  "weight and the optimizer's state as they were then.")
    return None
