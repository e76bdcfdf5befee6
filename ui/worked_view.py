"""The "Check my numbers" tab: a fixed 2-3-2 network, one step, every intermediate array as
copyable NumPy source (engine.worked computes them; this module only prints)."""
from __future__ import annotations

import streamlit as st

from engine import HIDDEN_ACTIVATIONS
from engine.worked import as_numpy, worked_step

from . import state
from .sidebar import ACT_LABELS, PERSIST

HEADS = {"mse": "MSE, sigmoid output", "cross_entropy": "softmax cross-entropy", "bce": "BCE (sigmoid outputs)"}


def worked_tab(page: str, lab) -> None:
    st.markdown(
        "Writing backprop yourself? Run **your** code on this fixed network and compare every array, line by "
        "line: a 2-3-2 network with the weights below, a batch of 4 examples, one plain SGD step. "
        "Conventions as everywhere here: one example per **row**, `W1` has shape (2, 3) = (n_in, n_out), "
        "`z = a @ W + b`, the loss is a mean over the batch (so every δ carries a 1/4). If your W is "
        "(n_out, n_in), compare with the transposes.")
    c1, c2, c3 = st.columns([1, 1, 1])
    act = c1.selectbox("Hidden activation", HIDDEN_ACTIVATIONS, key=state.key(page, "worked_act"), **PERSIST,
                       format_func=ACT_LABELS.get, index=HIDDEN_ACTIVATIONS.index("sigmoid"))
    loss = c2.selectbox("Loss", list(HEADS), key=state.key(page, "worked_loss"), **PERSIST, format_func=HEADS.get)
    lr = c3.number_input("Learning rate", 0.0, 10.0, value=0.5, step=0.1, key=state.key(page, "worked_lr"),
                         **PERSIST)
    rows = worked_step(act, loss, "sigmoid" if loss == "mse" else None, lr)
    lines = ["import numpy as np", ""]
    section = None
    for name, what, arr in rows:
        kind = ("given" if name in ("X", "y") or name[0] in "Wb" and not name.endswith("_new") else
                "forward" if name[0] in "za" else "loss" if name == "loss" else
                "update" if name.endswith("_new") else "backward")
        if kind != section:
            lines += ["", f"# ---- {kind} " + "-" * (60 - len(kind))]
            section = kind
        lines.append(f"# {name}: {what}" + (f", shape {tuple(arr.shape)}" if getattr(arr, 'ndim', 0) else ""))
        lines.append(as_numpy(name, arr))
    # wrapped, not scrolled sideways: on a phone a sideways-scrolling block is a region the keyboard
    # cannot reach (axe); the copy button still copies the lines as they are
    st.code("\n".join(lines), language="python", wrap_lines=True)
    st.caption("Every number is printed with all its digits (Python's repr of a float64 reads back exactly). "
               "A difference in the 15th digit is rounding; one in the 2nd is a bug — the bug zoo shows the usual "
               "ones. This example does not depend on the page's model.")
