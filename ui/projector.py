"""Projector mode: a classroom projector at 1024 x 768 shows the page legibly.

Only presentation changes, and all of it is done by the browser: the sidebar is collapsed, the
root font grows (Streamlit and the live view size their text in rem, so everything scales with
it), the live view's picture and charts grow with the font (static/live reads the root font
size when it lays itself out), and the key numbers of the status line get larger still. The
server sends the same frames as before. The switch lives in the sidebar; while it is on, a
"Leave projector mode" button floats in the header band at the top left (beside the » that
opens the sidebar): never over the picture, a chart or the text, and content scrolls under it.

Folding the sidebar: Streamlit folds it when ``initial_sidebar_state`` turns "collapsed", but
only while the visitor has never opened or closed it by hand (the browser then remembers that
choice and it wins). So on switching on, and on every page opened while projecting (a lesson's
button, the navigation), a one-line script clicks the sidebar's own collapse button.
"""
from __future__ import annotations

import streamlit as st

from . import state

KEY = "projector"
ROOT_FONT_PX = 20  # Streamlit's default is 16: 1.25x everything

CSS = f"""<style>
html {{ font-size: {ROOT_FONT_PX}px; }}
/* the live view's key numbers, and a picture that ends above the screen's bottom edge
   (static/live/live.css reads these variables) */
:root {{ --bp-key-scale: 1.45; --bp-bnd-max: max(20rem, min(27.5rem, calc(100vh - 15.5rem)));
  --bp-tiles-max: max(14rem, min(27.5rem, calc(100vh - 19.5rem))); }}
[data-testid='stMainBlockContainer'] {{ padding: 3.3rem 1.6rem 2rem; max-width: none; }}
[data-testid='stMainBlockContainer'] h1 {{ font-size: 1.9rem; padding-bottom: 0.2rem; }}
/* the way back floats in the header band (3.75rem high, white, above the content), right of the
   » that opens the sidebar: no layout space, never over a picture or chart */
.st-key-leave_projector {{ position: fixed; left: 4rem; top: 0.55rem; width: auto !important; z-index: 999991; }}
.st-key-leave_projector button {{ background: #ffffffee; border: 1px solid #ccc; box-shadow: 0 1px 6px #0002;
  padding: 0.2rem 0.7rem; }}
</style>"""


def play_width() -> int:
    """The Play/Pause button's fixed width (fixed so the row does not jump when it toggles)."""
    return 134 if is_on() else 104


def is_on() -> bool:
    return bool(st.session_state.get(KEY, False))


def sidebar_state() -> str:
    """For st.set_page_config: collapsed while projecting (the picture gets the whole width);
    otherwise "auto": Streamlit folds the sidebar when the window is at most 768 px wide (its
    "md" breakpoint) — on a phone it would cover three quarters of the first screen — and opens
    it on wider screens. (A visitor's own fold/unfold is remembered by the browser and wins.)"""
    return "collapsed" if is_on() else "auto"


def switch() -> None:
    """The toggle, at the top of the sidebar on every page."""
    # persist_state: st.switch_page (a lesson's button) reruns with no widget values from the
    # browser, and Streamlit then drops every widget's value that is not kept for the session:
    # without it the page a lesson opens came up at normal size until the next click
    st.sidebar.toggle("Projector mode", key=KEY, persist_state="session", on_change=_switched,
                      help="For a classroom projector: the sidebar folds away and the text, the picture "
                           "and the key numbers get bigger (legible at 1024 × 768). Open the sidebar "
                           "(the » at the top left) to change settings.")


def intro(text: str) -> None:
    """A page's introduction under its title; left out while projecting, so the picture fits
    on a 768-pixel-high screen (the teacher says it instead)."""
    if not is_on():
        st.caption(text)


# clicks the sidebar's collapse button if the sidebar is open (Streamlit shows its expand button
# only while it is folded; the width is no guide during the slide animation). Nothing happens if
# Streamlit's markup changes: the sidebar then just stays open; tests/test_browser_lessons.py notices
# Once per nonce: Streamlit mounts the sidebar's elements again whenever it is opened, and the
# teacher who opens it must be able to use it.
FOLD = ("<script>(() => {{ const w = window.parent, d = w.document;"
        " if (w.__bpFolded === '{nonce}') return; w.__bpFolded = '{nonce}';"
        " const b = d.querySelector('[data-testid=\"stSidebarCollapseButton\"] button');"
        " if (b && !d.querySelector('[data-testid=\"stExpandSidebarButton\"]')) b.click(); }})();</script>")


def _switched() -> None:
    state.put(KEY, "_folded_on", None)  # switched on: fold the sidebar on this page too


def _leave() -> None:
    st.session_state[KEY] = False


def apply(page: str | None = None) -> None:
    """The projector's styles, and a way back while the sidebar is folded away. ``page``: the
    page being drawn (its url path); the sidebar is folded once per page opened."""
    if not is_on():
        return
    st.html(CSS)
    st.button("Leave projector mode", key="leave_projector", type="tertiary",
              icon=":material/close_fullscreen:", on_click=_leave)
    if state.ui_value(KEY, "_folded_on") != page:
        state.put(KEY, "_folded_on", page)
        n = state.ui_value(KEY, "_folds", 0) + 1
        state.put(KEY, "_folds", n)
        st.sidebar.html(FOLD.format(nonce=f"{page} {n}"), unsafe_allow_javascript=True)
