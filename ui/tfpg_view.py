"""TensorFlow Playground links, the Streamlit side: the /playground address, the "Paste a
TensorFlow Playground link" box (Start here, Lessons) and, on the page a link opened, what
differs from TensorFlow Playground.

Both ways in end in ``open_link``: ui.tfpg translates the link into our share-link parameters,
the page's own link parser (ui.config.config_from_params) checks them against the limits and
says what it could not take, the sidebar of the data set's page gets the settings
(ui.state.apply_link) and st.switch_page goes there with our share link in the address bar.
Nothing is built before the parser has accepted the sizes.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from . import state, tfpg
from .config import PAGE_FILES, PAGE_TITLES, config_from_params, params_from_config

PLACEHOLDER = "https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&…"

# Markdown that shows these characters as they are (a link's text is never Markdown here)
_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:@&^"
_ESCAPE = {ord(c): "\\" + c for c in _SPECIAL} | {ord("\n"): " ", ord("\r"): " ", ord(":"): "\\:\u200b",
                                                   ord("@"): "\\@\u200b"}


def plain(text) -> str:
    """``text`` as Markdown that displays it literally (no links, images or emphasis)."""
    return str(text).translate(_ESCAPE).replace("www", "www\u200b")


def open_link(fields: dict) -> str | None:
    """Open the page of a TF PG link's data set with its settings (st.switch_page: does not
    return then). -> a sentence if it cannot be opened here."""
    tr = tfpg.translate(fields)
    if tr.page not in PAGE_FILES:
        return ("This link opens TensorFlow Playground's regression problem, which this version of the app does "
                "not have yet.")
    cfg, warnings = config_from_params(tr.page, tr.params)
    state.apply_link(tr.page, cfg, warnings, tr.notes)
    st.switch_page(PAGE_FILES[tr.page], query_params=params_from_config(tr.page, cfg))
    return None  # pragma: no cover - switch_page ends the run


def paste_box(where: str) -> None:
    """The "Paste a TensorFlow Playground link" form (``where``: a key for this page's box)."""
    with st.form(f"tfpg_{where}", border=True):
        text = st.text_input("Paste a TensorFlow Playground link", key=f"tfpg_text_{where}",
                             max_chars=tfpg.MAX_CHARS, placeholder=PLACEHOLDER,
                             help="A link copied from playground.tensorflow.org or from course notes. It opens the "
                                  "page of its data set with its network, activation, learning rate, batch size, "
                                  "features, noise, training share and regularisation; what cannot be matched is "
                                  "listed there.")
        go = st.form_submit_button("Open it here", icon=":material/open_in_browser:")
    if go:
        try:
            fields = tfpg.parse_fragment(text)
        except ValueError as exc:
            st.error(plain(exc), icon="🔗")
            return
        error = open_link(fields)
        if error:
            st.error(error, icon="🔗")


def notes(page: str) -> None:
    """On the page a TF PG link opened: one sentence per thing that differs (folded)."""
    said = state.ui_value(page, "_tfpg_notes") or []
    if said:
        with st.expander(f"Opened from a TensorFlow Playground link: {len(said)} things differ here",
                         icon=":material/link:"):
            st.markdown("\n".join(f"- {plain(n)}" for n in said))


def landing() -> None:
    """The page at /playground: a TF PG link's text after ``?`` opens its page here. Once per
    link and session: the browser's Back button returns here without being sent on again."""
    st.title("Open a TensorFlow Playground link")
    query = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    if query:
        mark = hashlib.sha1(repr(sorted(query.items())).encode()).hexdigest()
        if state.ui_value("playground", "_opened") != mark:
            state.put("playground", "_opened", mark)
            try:
                error = open_link(tfpg.fields_from_query(query))
            except ValueError as exc:
                error = plain(exc)
            st.error(error, icon="🔗")
        else:
            st.info("This link was opened already in this tab; paste it below to open it again.",
                    icon=":material/history:")
    st.markdown(
        "Replace `https://playground.tensorflow.org/#` in a TensorFlow Playground link by this app's address "
        "and `/playground?`, or paste the whole link below. It opens the page of its data set — circle: "
        f"**{PAGE_TITLES['circles']}**, xor: **{PAGE_TITLES['xor']}**, gauss and spiral: **{PAGE_TITLES['more2d']}**, "
        "reg-plane and reg-gauss: **Regression** — with its settings; the page then lists what differs from "
        "TensorFlow Playground, and the address bar holds this app's own share link.")
    paste_box("playground")
