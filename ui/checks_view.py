"""Tables and verdicts for the gradient check and the update check (engine.gradcheck,
engine.bugs): one row per parameter array, coloured good / suspicious / broken."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.gradcheck import summary

from . import state

COLOURS = {"good": "background-color:#d9f2d9", "suspicious": "background-color:#fff2cc",
           "broken": "background-color:#f8d0d0"}


def report_table(params, analytic: str = "backprop (worst)", numeric: str = "numerical (worst)") -> None:
    """params: engine.gradcheck.ParamCheck rows. The verdict column carries the row's note
    ("good (zero both ways)"), so a large relative error judged by rounding noise says why."""
    df = pd.DataFrame([{"parameter": p.name, "shape": "×".join(map(str, p.shape)),
                        "checked": f"{p.checked}/{p.size}", "max rel. error": p.max_rel_error,
                        analytic: p.analytic, numeric: p.numeric,
                        "verdict": p.verdict + (f" ({p.note})" if p.note else "")} for p in params])
    styled = (df.style.format({"max rel. error": "{:.2e}", analytic: "{:.6g}", numeric: "{:.6g}"})
              .map(lambda v: COLOURS.get(v.split(" ")[0], ""), subset=["verdict"]))
    st.dataframe(styled, hide_index=True, width="stretch")


def verdict_message(params, context: str) -> str:
    """A green/yellow/red box above the table, built from the same rows' verdicts
    (engine.gradcheck.summary): the worst row decides. Returns the verdict."""
    v, text = summary(params)
    {"good": st.success, "suspicious": st.warning, "broken": st.error}[v](f"{text} ({context})")
    return v


def store_result(page: str, name: str, lab, result) -> None:
    """Remember a check's result with what it was computed for (model build, bugs, step)."""
    state.put(page, name, (lab.step, (lab.builds, lab.edits), lab.bugs, result))


def stored_result(page: str, name: str, lab):
    """(step, result) of the last check if it still describes the current model, else None.
    Says so when it is stale, and shows a crash (a str result) as an error."""
    stored = state.ui_value(page, name)
    if not stored:
        return None
    step, builds, bugs, result = stored
    if builds != (lab.builds, lab.edits) or bugs != lab.bugs:
        st.caption("The model (or the bug zoo) changed since this check; run it again.")
        return None
    if isinstance(result, str):
        st.error(f"Backprop crashed: {result}")
        return None
    return step, result
