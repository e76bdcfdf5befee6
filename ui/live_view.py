"""The live view: one Streamlit component (st.components.v2) that paints in the browser.

The server sends numbers, the browser paints. Per animation frame the server sends one small
dict (built by ui.frames): the current parameters, the history records added since the last
frame and the status line. The browser code in ``static/live/`` evaluates the decision
boundary from the weights, draws the weight heatmaps and appends the new points to its
curves (uPlot, vendored in ``static/vendor/``). Measured in benchmarks/bench_browser.py: a
server-drawn frame cost 44-55 ms of server CPU (boundary forward pass, WebP, DataFrames,
Altair); a numbers-only frame costs about as much as one small st.markdown.

Two Streamlit details shape this module:

* A component's HTML, CSS and JS travel inside *every* element update. So the inline JS here
  is a ~600-byte loader; the real code is served once by Streamlit's static file serving
  (``app/static/live/main.js``, browser-cached) and keeps its state at module level.
* The animation loop updates the same component many times in one script run. With a
  stable key the browser keeps the mounted element (its canvases, charts and hover state)
  and only receives new data; without one, every frame would mount a fresh element (a DOM
  rebuild and a blank moment per frame). Streamlit refuses a key used twice in one run, so
  after each update the ids that call registered are released (ui.st_internals); should
  that ever fail, frames fall back to a fresh key per update: it works, with a remount per
  frame.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from . import st_internals

STATIC = Path(__file__).resolve().parents[1] / "static"
ENTRY = "app/static/live/main.js"  # served from static/live/main.js (enableStaticServing)


def _version() -> str:
    """A content hash of the browser code, appended to its URL: a new deployment is never
    served from a visitor's browser cache."""
    h = hashlib.sha1()
    for p in sorted(STATIC.rglob("*")):
        if p.is_file() and p.suffix in (".js", ".css"):
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


# Streamlit's index.html links its own files relative to the app's base URL ("./static/...",
# "./_stcore/..."), which holds under a hosting prefix such as Community Cloud's /~/+/ too; the
# live view's files are found relative to the first such link (its URL minus its "./..." part).
# (the newline matters: Streamlit takes a one-line js= string for a file path)
# Until the code has loaded, the last call of each element waits (a page has several: the
# checkpoint element, one or two views), then each is rendered in order.
_LOADER = ("let m,w,c=new Map();\nexport default function(x){if(m)return m.render(x);c.delete(x.parentElement);"
           "c.set(x.parentElement,x);if(w)return;"
           "const l=document.querySelector('link[href^=\"./\"]'),b=l?l.href.slice(0,l.href.length-"
           "l.getAttribute('href').length+2):document.baseURI;"
           f"w=import(new URL('{ENTRY}?v={_version()}',b).href).then(n=>{{m=n;for(const y of c.values())try{{m.render(y)}}"
           "catch(e){console.error(e)}c.clear()}).catch(e=>{w=null;x.parentElement.textContent='The live view could not load: '+e.message})}")

_component = st.components.v2.component("backprop_live", html="", js=_LOADER)


class LiveView:
    """One live-view element on the page. ``send(payload)`` updates it in place; call it as
    often as needed within one script run (one call per animation frame)."""

    def __init__(self, key: str):
        self.key = key
        self.slot = st.empty()
        self.sent = 0
        self._reuse_key = True

    def send(self, payload: bytes) -> None:
        """Update the element with one frame (ui.frames)."""
        registered = st_internals.registered_ids() if self._reuse_key else None
        key = self.key if self._reuse_key else f"{self.key}-{self.sent}"
        with self.slot:
            _component(data=payload, key=key)
        self.sent += 1
        if registered is None or not st_internals.release_ids(registered):
            self._reuse_key = False  # internals changed: a fresh key per frame from now on


def live_element(key: str, maker) -> tuple[LiveView, object]:
    """A live element filled with its maker's first (full) frame at once -> (view, maker), the
    pair ui.live.run_live animates."""
    view = LiveView(key)
    view.send(maker.frame())
    return view, maker
