"""The bug zoo tab: switch classic backprop bugs into this session's copy of the engine and
see the gradient check (or the update check) catch them. The engine's maths lives in
engine.bugs; this module only draws switches and tables."""
from __future__ import annotations

import streamlit as st

from engine import gradient_check
from engine.bugs import BUGS, bug_code, quiet, update_check

from . import state
from .checks_view import report_table, store_result, stored_result, verdict_message
from .sidebar import PERSIST


def _sync(page: str, lab) -> None:
    lab.set_bugs(k for k in BUGS if state.ui_value(page, f"bug_{k}"))


def bug_zoo_tab(page: str, lab) -> None:
    st.markdown(
        "Each switch injects one classic hand-written-backprop bug into **your session's copy** of the "
        "backward pass (the engine itself is never changed). Turn one on, then run the checks and press "
        "Play: the check turns red and training misbehaves. Turn it off and training continues from the "
        "current weights.")
    net = lab.net
    act = net.activation_names[0] if net.activation_names else "sigmoid"
    for k, bug in BUGS.items():
        c1, c2 = st.columns([1.1, 2])
        with c1:
            st.toggle(bug.title, key=state.key(page, f"bug_{k}"), on_change=_sync, args=(page, lab), **PERSIST,
                      help=bug.effect)
        with c2:
            wrong, right = bug_code(k, act, net.loss_name)  # as written for this page's activation and loss
            st.markdown(f"`{wrong}` &nbsp;instead of&nbsp; `{right}`")
    _sync(page, lab)  # widget values restored from the session after a rebuild
    for k in sorted(lab.bugs):
        bug = BUGS[k]
        st.warning(f"**{bug.title}** — {bug.effect}", icon="🐛")
        q = quiet(k, lab.net, lab.trainer.effective_batch_size)
        if q is not None:
            st.info(f"**Why it may not show here:** {q.reason}", icon="🔍")
            if q.show:
                st.button(f"Show the symptom: {q.show_label}", key=state.key(page, f"_zoo_show_{k}"),
                          on_click=state.apply_settings, args=(page, q.show),
                          help="Changes the sidebar settings (the model is rebuilt; the bug stays on).")
    if st.button("Run gradient check and update check", key=state.key(page, "_zoo_check"), type="primary",
                 help="Both on float64 copies of the current (possibly buggy) model and the next batch."):
        X, y = lab.trainer.peek_batch(128)
        try:
            result = (gradient_check(lab.net, X, y, eps=1e-5, max_entries=150), update_check(lab.opt, lab.net, X, y))
        except ValueError as exc:  # BugShapeError, or batch norm on a batch of one
            result = str(exc)
        store_result(page, "_zoo_report", lab, result)
    stored = stored_result(page, "_zoo_report", lab)
    if stored is None:
        return
    report, updates = stored[1]
    st.markdown("**Gradient check** — backprop's ∂L/∂p vs (L(p+ε) − L(p−ε)) / 2ε")
    report_table(report.params)
    verdict_message(report.params, f"ε = {report.eps:g}, {report.n_samples} samples")
    st.markdown("**Update check** — applied Δp vs what the clean update rule gives")
    report_table(updates, analytic="applied Δp (worst)", numeric="clean Δp (worst)")
    verdict_message(updates, lab.opt.describe())
