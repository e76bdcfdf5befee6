"""Teacher links that hide things: ``hide=lr,act,step`` (TensorFlow Playground's ``*_hide``).

A class link can leave out what the lesson is not about: sidebar controls by their share-link
names (``lr``, ``act``, ``hidden``, ``noise`` ...), the buttons (``play``, ``step``, ``epoch``,
``reset``), the *Test data* / *Discretize* switches (``testdata``, ``discretize``) and parts of the
page (``text``, ``panel``, ``curves``, ``weights``, ``charts``, ``inside``; ui.config.HIDE_PARTS).

How, and why so: a hidden *control* is still drawn and keeps its value; one CSS rule on its key
class (Streamlit gives every keyed widget the class ``st-key-<key>``) takes it off the screen, as
TF PG's own ``display: none``. Not drawing it instead would make Streamlit forget its value, and
each of the sidebar's ~30 widgets would need its own condition. Hidden *parts* of the page are
simply not built (ui.page2d asks ``shown``): nothing is computed for them. The link keeps
``hide=`` (it is a setting like any other), so a student's own share link hides the same.
Hiding is presentation, not security: a student can always open the same page without it.
"""
from __future__ import annotations

import re

import streamlit as st

from . import state
from .config import FIELD_OF

# share-link name -> the keys of the widgets that edit it, where they are not the field's name
WIDGETS = {
    "hidden": ("n_hidden", *(f"units{i}" for i in range(6))),
    "acts": ("per_layer_on", *(f"act{i}" for i in range(6))),
    "bns": tuple(f"bn{i}" for i in range(6)),
    "drops": tuple(f"drop{i}" for i in range(6)),
    "data": ("dataset", "csv_file"),
    "play": ("_play",), "step": ("_step",), "epoch": ("_epoch",), "reset": ("_reset",),
    "panel": ("panel",), "testdata": ("show_test",), "discretize": ("discretize",),
}
SERVER_PARTS = ("text", "curves", "weights", "charts", "inside")  # not built at all (ui.page2d)


def hidden(page: str) -> tuple:
    """The names ``page``'s link hides (ui.config.hide_names)."""
    return tuple(state.ui_value(page, "hide") or ())


def shown(page: str, part: str) -> bool:
    """Whether ``part`` (ui.config.HIDE_PARTS) of ``page`` is to be built."""
    return part not in hidden(page)


def css_class(page: str, widget_key: str) -> str:
    """Streamlit's class for a keyed element: st-key- and the key with anything but letters,
    digits, "_" and "-" replaced by "-" (its frontend's rule)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", state.key(page, widget_key).strip())


def widget_keys(name: str) -> tuple:
    """The widget keys (without the page) of one hide= name."""
    if name in WIDGETS:
        return WIDGETS[name]
    field = FIELD_OF.get(name)
    return (field,) if field else ()


def rules(page: str) -> str:
    """The CSS that takes ``page``'s hidden controls off the screen ("" if none)."""
    selectors = [f".{css_class(page, k)}" for name in hidden(page) if name not in SERVER_PARTS
                 for k in widget_keys(name)]
    return (",".join(selectors) + "{display:none !important}") if selectors else ""


def apply(page: str) -> None:
    """Hide ``page``'s hidden controls (a style element: no space on the page)."""
    css = rules(page)
    if css:
        st.html(f"<style>{css}</style>")
