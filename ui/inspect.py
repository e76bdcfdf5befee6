"""'Look inside' views: neurons over the input plane, hidden space, gradient check, ledger,
bug zoo, step phases. Each asks the engine for its numbers and draws them; no maths here.

Views that animate with training (neurons, hidden space) are drawn by the live fragment's
slow path; their pickers (which layer / unit) are full-run widgets drawn above it, so they
stay responsive while playing.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import streamlit as st

from engine import gradient_check
from engine.features import labels as feature_labels
from engine.views import grid_activations

from . import charts, state
from .bugzoo import bug_zoo_tab
from .checks_view import report_table, store_result, stored_result, verdict_message
from .walkthrough import ledger_tab, phases_tab
from .export_view import export_tab
from .worked_view import worked_tab

NEURON_RES = 40
MAX_UNITS_SHOWN = 16


# ----------------------------------------------------------------------------- neurons
def _unit_label(l: int, j: int) -> str:
    return f"layer {l + 1} · unit {j + 1}"


def unit_picker(page: str, lab) -> None:
    hidden = lab.net.sizes[1:-1]
    options = [(l, j) for l, n in enumerate(hidden) for j in range(min(n, MAX_UNITS_SHOWN))]
    if not options:
        return
    st.selectbox("Unit", options, format_func=lambda o: _unit_label(*o), key=state.key(page, "unit"),
                 label_visibility="collapsed", width=160,
                 help="Show this unit's incoming weights (hover a tile for the numbers too).")


def input_names(net) -> list[str]:
    """What each row of W_1 comes from: x₁, x₂, or the engineered features (x₁², sin x₂, ...)."""
    return ["x₁", "x₂"] if net.features is None else feature_labels(net.features)


def draw_neurons(page: str, lab, slot, slot2) -> None:
    """Every hidden unit's activation over the input plane, one row of tiles per layer."""
    net = lab.net
    if net.n_layers < 2:
        slot.info("This network has no hidden layer: set *Hidden layers* ≥ 1 in the sidebar.")
        slot2.empty()
        return
    grids = grid_activations(net, lab.dataset.bounds, NEURON_RES)
    rows = []
    for l, g in enumerate(grids):
        n = g.shape[2]
        act = net.hidden[l].name
        W, b = net.weights[l], net.biases[l]
        src = input_names(net) if l == 0 else [f"h{l}.{i + 1}" for i in range(W.shape[0])]
        tiles = []
        for j in range(min(n, MAX_UNITS_SHOWN)):
            a = g[:, :, j]
            centre = 0.5 if act == "sigmoid" else 0.0
            rgb = charts.diverging_rgb(a - centre)
            inc = ", ".join(f"{s}: {w:+.3f}" for s, w in zip(src[:12], W[:, j]))
            more = " …" if W.shape[0] > 12 else ""
            tip = html.escape(f"{_unit_label(l, j)} ({act})\nincoming weights {inc}{more}\nbias {b[j]:+.3f}")
            tiles.append(f'<img title="{tip}" alt="{tip}" src="{charts.png_data_uri(rgb)}" '
                         f'style="width:54px;height:54px;border:1px solid #ddd;border-radius:3px"/>')
        note = f" (first {MAX_UNITS_SHOWN} of {n})" if n > MAX_UNITS_SHOWN else ""
        rows.append(f'<div style="margin-bottom:6px"><div style="font-size:0.78rem;color:#555">'
                    f'hidden layer {l + 1} · {act} · {n} units{note}</div>'
                    f'<div style="display:flex;flex-wrap:wrap;gap:4px">{"".join(tiles)}</div></div>')
    slot.html('<div style="font-size:0.85rem;margin-bottom:4px">Each tile: one hidden unit\'s activation '
              'a over the same input square as the boundary (red &gt; 0 &gt; blue; sigmoid centred at 0.5). '
              'Hover for its incoming weights.</div>' + "".join(rows))
    sel = state.ui_value(page, "unit")
    if sel is None or sel[0] >= len(grids) or sel[1] >= net.sizes[sel[0] + 1]:
        sel = (0, 0)
    l, j = sel
    W = net.weights[l]
    src = input_names(net) if l == 0 else [f"unit {i + 1}" for i in range(W.shape[0])]
    df = pd.DataFrame({"from": src + ["bias"], "weight": np.r_[W[:, j], net.biases[l][j]].astype(float)})
    slot2.vega_lite_chart(spec=charts.incoming_chart(df, f"Incoming weights of {_unit_label(l, j)}"),
                          width="stretch")


# ----------------------------------------------------------------------------- gradient check
def gradient_check_tab(page: str, lab) -> None:
    st.markdown(
        "Compares every gradient backprop computes with a **numerical** one, "
        "(L(w+ε) − L(w−ε)) / 2ε, on the next mini-batch (at most 128 samples). "
        "Why this works: central differences are accurate to O(ε²) (one-sided ones only to O(ε)), and "
        "float64 keeps the rounding of the difference near 1e-11, so a correct backward pass agrees "
        "to < 1e-7 while any real bug shows up above 1e-4. Where the two disagree, the difference at 2ε "
        "tells a bend of the loss (the O(ε²) term, removed by Richardson's extrapolation) from a bug.")
    if st.button("Run gradient check", key=state.key(page, "_gc"), type="primary",
                 help="Runs on a float64 copy of the current model; training is not affected."):
        X, y = lab.trainer.peek_batch(128)
        try:
            report = gradient_check(lab.net, X, y, eps=1e-5, max_entries=200)
        except ValueError as exc:  # a bug-zoo shape error, or batch norm on a batch of one
            report = str(exc)
        store_result(page, "_gc_report", lab, report)
    stored = stored_result(page, "_gc_report", lab)
    if stored is None:
        return
    step, report = stored
    report_table(report.params)
    context = f"step {step}, {report.n_samples} samples, ε = {report.eps:g}"
    v = verdict_message(report.params, context)
    if report.sampled:
        st.caption("Matrices with more than 200 entries were checked on a random sample of them "
                   "(column *checked*): each checked entry costs two forward passes (four where it gets a second look).")
    if report.near_kinks and v != "good":
        st.info(f"{report.near_kinks} ReLU pre-activations of this batch sit within ε of the kink at z = 0, "
                "where ReLU has no derivative: the numerical slope averages the two sides and cannot match. "
                "That is expected without any bug (typical at step 0, when all biases are exactly 0); "
                "train a few steps and check again.")
    zero = [p.name for p in report.params if p.note == "zero both ways"]
    if zero and lab.net.has_batch_norm:
        st.caption(f"{', '.join(zero)}: *zero both ways* — a dense bias just before a batch norm has no "
                   "effect at all: the batch norm subtracts the batch mean, so whatever b is, the loss is "
                   "the same, and its gradient is an exact 0 (both ways only rounding noise, ~1e-17).")
    if lab.bugs:
        st.caption("Bug zoo bugs are switched on: the check runs on the buggy copy training uses.")


# ----------------------------------------------------------------------------- static tabs
TABS = {"ledger": "Shape ledger", "gc": "Gradient check", "zoo": "Bug zoo", "phases": "Step phases",
        "worked": "Check my numbers", "export": "Take it home"}


def render_static(page: str, lab, extra: dict | None = None) -> None:
    """The 'Look inside' tabs below the live area; ``extra`` = {label: draw(page, lab)} tabs first."""
    st.markdown("## Look inside backprop")
    draws = dict(extra or {})
    draws.update(zip(TABS.values(), (ledger_tab, gradient_check_tab, bug_zoo_tab, phases_tab, worked_tab, export_tab)))
    # Stateful tabs: the open tab survives the re-run a toggle or button inside it causes, and
    # only the open tab's content is computed.
    tabs = st.tabs(list(draws), key=state.key(page, "inspect_tab"), on_change="rerun")
    for tab, draw in zip(tabs, draws.values()):
        if tab.open:
            with tab:
                draw(page, lab)
