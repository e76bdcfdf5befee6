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
from engine.views import grid_activations

from . import charts, state

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
                 label_visibility="collapsed", width=180,
                 help="Show this unit's incoming weights (hover a tile for the numbers too).")


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
        src = ["x₁", "x₂"] if l == 0 else [f"h{l}.{i + 1}" for i in range(W.shape[0])]
        tiles = []
        for j in range(min(n, MAX_UNITS_SHOWN)):
            a = g[:, :, j]
            centre = 0.5 if act == "sigmoid" else 0.0
            rgb = charts.diverging_rgb(a - centre)
            inc = ", ".join(f"{s}: {w:+.3f}" for s, w in zip(src[:12], W[:, j]))
            more = " …" if W.shape[0] > 12 else ""
            tip = html.escape(f"{_unit_label(l, j)} ({act})\nincoming weights {inc}{more}\nbias {b[j]:+.3f}")
            tiles.append(f'<img title="{tip}" src="{charts.png_data_uri(rgb)}" '
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
    src = ["x₁", "x₂"] if l == 0 else [f"unit {i + 1}" for i in range(W.shape[0])]
    df = pd.DataFrame({"from": src + ["bias"], "weight": np.r_[W[:, j], net.biases[l][j]].astype(float)})
    slot2.vega_lite_chart(spec=charts.incoming_chart(df, f"Incoming weights of {_unit_label(l, j)}"),
                          width="stretch")


# ----------------------------------------------------------------------------- gradient check
def _check_batch(lab, rows: int = 128):
    return lab.trainer.peek_batch(rows)


def gradient_check_tab(page: str, lab) -> None:
    st.markdown(
        "Compares every gradient backprop computes with a **numerical** one, "
        "(L(w+ε) − L(w−ε)) / 2ε, on the next mini-batch (at most 128 samples). "
        "Central differences are accurate to O(ε²), and float64 keeps rounding near 1e-10, so a correct "
        "backward pass agrees to < 1e-7 while any real bug shows up above 1e-4.")
    if st.button("Run gradient check", key=state.key(page, "_gc"), type="primary",
                 help="Runs on a float64 copy of the current model; training is not affected."):
        X, y = _check_batch(lab)
        report = gradient_check(lab.net, X, y, eps=1e-6, max_entries=200)
        st.session_state[state.key(page, "_gc_report")] = (lab.step, lab.builds, report)
    stored = st.session_state.get(state.key(page, "_gc_report"))
    if not stored:
        return
    step, builds, report = stored
    if builds != lab.builds:
        st.caption("The model was rebuilt since this check; run it again.")
        return
    df = report.frame()
    colours = {"good": "background-color:#d9f2d9", "suspicious": "background-color:#fff2cc",
               "broken": "background-color:#f8d0d0"}
    styled = df.style.format({"max rel. error": "{:.2e}", "analytic (worst)": "{:.6g}",
                              "numeric (worst)": "{:.6g}"}).map(lambda v: colours.get(v, ""), subset=["verdict"])
    st.dataframe(styled, hide_index=True, width="stretch")
    worst = report.max_rel_error
    verdict = "good" if worst < 1e-7 else ("broken" if not worst < 1e-4 else "suspicious")
    msg = (f"Checked at step {step} on {report.n_samples} samples, ε = {report.eps:g}: largest relative error "
           f"**{worst:.2e}** — {verdict}.")
    if report.sampled:
        msg += " Large matrices were checked on a random sample of entries (column *checked*)."
    {"good": st.success, "suspicious": st.warning, "broken": st.error}[verdict](msg)


# ----------------------------------------------------------------------------- static tabs
def render_static(page: str, lab) -> None:
    """The 'Look inside' tabs below the live area."""
    st.markdown("#### Look inside backprop")
    (tab_gc,) = st.tabs(["Gradient check"])
    with tab_gc:
        gradient_check_tab(page, lab)
