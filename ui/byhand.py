"""Changes by hand, from the browser: a weight or bias typed into the network graph, points
clicked into (or shift-clicked out of) a 2-D training set.

The browser half: static/live/edits.js (the channel), graph.js (the network graph), points.js
(data by hand). How a change travels:

- The page draws one small element of the live view's component per training page, its
  *channel* (``channel``), once per full run and outside the animated fragment. It carries no
  picture: the page's token, the last change it applied and the sentences its changes got.
- The browser numbers its changes (seq 1, 2, ...) and sends every one not yet acknowledged with
  setTriggerValue (components v2, as the run's checkpoint comes back). A trigger is a full re-run:
  the element's callback (``_on_edit``) applies the changes, the page then draws the new numbers
  and the channel says which changes it applied. Why every unacknowledged change each time:
  Streamlit keeps only the newest trigger of an element when two arrive before the script runs
  (runtime/scriptrunner_utils/script_requests.py coalesces them), so a fast second click would
  otherwise lose the first. Sequence numbers make a change sent twice apply once.
- Everything the browser sends is hostile input: the message's shape, sizes and numbers are
  checked here, each change then goes through the Lab (ui.lab) to the engine's checked doors
  (Trainer.set_param, engine.datasets add_point / remove_nearest, Trainer.set_data). A refused
  change gets one sentence and changes nothing; the others in the message still apply.

The edited data are this session's (the Lab in st.session_state holds its own copy; the loaded
sets stay shared and read-only) and only the training set changes. The share link says
``edited=points``: a link cannot carry the points (like an uploaded CSV file).
"""
from __future__ import annotations

import functools
import math
import re
import secrets

import streamlit as st

from . import state
from .config import EDIT_OPS, EDITED_PARAM, HAND_RADIUS, MAX_TYPED_VALUE
from .frames import pack
from .live_view import _component

KINDS = ("add", "remove", "revert", "param")
PARAM_NAME = re.compile(r"(W|b|gamma|beta)[1-9][0-9]?")
MAX_SEQ = 2 ** 53  # what a browser's number counts exactly
REPLIES = 32       # sentences kept for the browser (the last message's changes)


# ----------------------------------------------------------------------------- the element
def _token(page: str) -> str:
    """This session's name for the page's channel: a browser that sends a change numbered for
    another session (a reload, a restarted server) is told, and its numbers start over."""
    tok = state.ui_value(page, "_edits_token")
    if tok is None:
        tok = secrets.token_urlsafe(6)
        state.put(page, "_edits_token", tok)
    return tok


def channel(page: str) -> None:
    """Draw the page's channel element (every full run of a 2-D training page; invisible)."""
    key = f"bp-edits-{page}"
    reply = state.ui_value(page, "_edits_reply") or {"applied": 0, "results": []}
    meta = {"view": f"{page}/edits", "parts": ["edits"],
            "edits": {"page": page, "token": _token(page), "applied": reply["applied"],
                      "results": reply["results"], "max_value": MAX_TYPED_VALUE, "max_ops": EDIT_OPS,
                      "radius": HAND_RADIUS}}
    _component(data=pack(meta, {}), key=key, on_edit_change=functools.partial(_on_edit, page, key))


def _on_edit(page: str, key: str) -> None:
    """The element's callback: the browser sent changes."""
    lab = state.lab(page)
    if lab is None:
        return
    apply(page, lab, state.element_event(key, "edit"))


def link_marker(lab) -> dict:
    """The share link's part that says the data were edited by hand (or nothing)."""
    return {EDITED_PARAM: "points"} if lab is not None and lab.hand_data else {}


# ----------------------------------------------------------------------------- applying changes
def _finite(v, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{what} must be a number.")
    try:
        v = float(v)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"{what} must be a finite number.")
    return v


def _index(v) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 4096:
        raise ValueError("the unit numbers of a parameter must be whole numbers from 0 up.")
    return v


def _one(lab, op: dict) -> str:
    """Apply one change -> the sentence saying what changed; ValueError with the sentence why not."""
    kind = op.get("kind")
    if kind == "param":
        name, index = op.get("name"), op.get("index")
        if not isinstance(name, str) or not PARAM_NAME.fullmatch(name):
            raise ValueError("that is not the name of a parameter (W1, b1, W2, ...).")
        if not isinstance(index, list) or not 1 <= len(index) <= 2:
            raise ValueError("a parameter entry is named by its row and column (a weight) or its unit (a bias).")
        index = tuple(_index(i) for i in index)
        value = _finite(op.get("value"), "the value")
        if abs(value) > MAX_TYPED_VALUE:
            raise ValueError(f"{value:g} is too large: type a value from −{MAX_TYPED_VALUE:g} to {MAX_TYPED_VALUE:g} "
                             "(larger weights only saturate every unit).")
        try:
            return lab.set_param(name, index, value)
        except ValueError as exc:  # the engine's sentence names the argument: say it plainly
            raise ValueError(str(exc).split(": ", 1)[-1]) from None
    if lab.dataset.bounds is None:
        raise ValueError("points can be added by hand only on the 2-D pages.")
    if kind == "revert":
        return lab.revert_data()
    point = (_finite(op.get("x"), "x₁"), _finite(op.get("y"), "x₂"))
    try:
        if kind == "add":
            label = op.get("label")
            if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < lab.dataset.n_classes:
                raise ValueError(f"the class must be one of 0 to {lab.dataset.n_classes - 1}.")
            return lab.add_point(point, label)
        return lab.remove_point(point)
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix("point: ")) from None


def apply(page: str, lab, payload) -> list[dict]:
    """Apply the changes of one browser message (``{"token": ..., "ops": [{"seq": n, "kind":
    ..., ...}, ...]}``) in order, each once -> the replies [{"seq", "ok", "text"}], also kept for
    the channel. A malformed message changes nothing and gets one sentence (seq 0)."""
    reply = state.ui_value(page, "_edits_reply") or {"applied": 0, "results": []}
    applied = reply["applied"]
    n = reply.get("messages", 0) + 1  # names a refusal (seq 0), so the browser says it once
    results: list[dict] = []

    def refuse(text: str) -> list[dict]:
        results.append({"seq": 0, "msg": n, "ok": False, "text": text})
        state.put(page, "_edits_reply", {"applied": applied, "results": results, "messages": n})
        return results

    if not isinstance(payload, dict) or not isinstance(payload.get("ops"), list):
        return refuse("The browser sent a change the page cannot read; nothing was changed.")
    if payload.get("token") != _token(page):
        return refuse("This change was made on the page before it was reloaded; nothing was changed. "
                      "Make it again.")
    ops = payload["ops"]
    if len(ops) > EDIT_OPS:
        return refuse(f"The browser sent {len(ops)} changes at once, more than the {EDIT_OPS} the page takes; "
                      "nothing was changed.")
    for op in ops:
        seq = op.get("seq") if isinstance(op, dict) else None
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < MAX_SEQ:
            results.append({"seq": 0, "msg": n, "ok": False, "text": "A change without its number was ignored."})
            continue
        if seq <= applied:
            continue  # sent again before its answer arrived: applied once already
        if op.get("kind") not in KINDS:
            text, ok = "The page does not know that kind of change; nothing was changed.", False
        else:
            try:
                text, ok = _one(lab, op), True
            except ValueError as exc:
                text, ok = f"Not changed: {exc}", False
        applied = seq
        results.append({"seq": seq, "ok": ok, "text": text[0].upper() + text[1:]})
    state.put(page, "_edits_reply", {"applied": applied, "results": results[-REPLIES:], "messages": n})
    return results
