"""Views every training page shares: loss and accuracy curves, the weight heatmaps, and the
per-layer mean |delta| and update-ratio charts (the vanishing / exploding gradient picture)."""
from __future__ import annotations

import streamlit as st

from . import charts

HEATMAP_MAX_CELLS = 4096  # above this a hover chart gets slow: draw a picture instead


def draw_curves(lab, hist, slot_loss, slot_acc) -> None:
    """Loss (log) and accuracy over steps; a moving average when mini-batches make it noisy."""
    if not len(hist):
        slot_loss.info("Press **Play** or **Step**: the loss and accuracy curves appear here.")
        slot_acc.empty()
        return
    noisy = lab.trainer.effective_batch_size < lab.trainer.n_train
    slot_loss.vega_lite_chart(spec=charts.loss_chart(hist, height=190, smooth=noisy), width="stretch")
    slot_acc.vega_lite_chart(spec=charts.accuracy_chart(hist, height=150), width="stretch")


def draw_layer_charts(lab, hist, slot_delta, slot_ratio) -> None:
    """Mean |delta_l| and ||Delta W_l|| / ||W_l|| per layer, log scale."""
    if not len(hist):
        return
    L = lab.net.n_layers
    slot_delta.vega_lite_chart(spec=charts.layer_metric_chart(
        hist, "delta", L, "Mean |δ_l| per layer (log)", "mean |δ|", height=200), width="stretch")
    slot_ratio.vega_lite_chart(spec=charts.layer_metric_chart(
        hist, "update_ratio", L, "Update ratio ‖ΔW_l‖ / ‖W_l‖ (log)", "ratio", height=200, band=True),
        width="stretch")


def draw_weights(lab, slot, first_layer: int = 0) -> None:
    """One heatmap per weight matrix (from ``first_layer``, 0-based), bias row under each."""
    with slot.container(horizontal=True, gap="medium"):
        for l in range(first_layer, lab.net.n_layers):
            W, b = lab.net.weights[l], lab.net.biases[l]
            if W.size > HEATMAP_MAX_CELLS:
                st.html(charts.matrix_picture_html(W, b, f"W{l + 1}"))
            else:
                st.vega_lite_chart(spec=charts.weight_heatmap(W, b, f"W{l + 1}"), width="content")


def layer_slots(slots: dict, title: str, caption: str | None = None) -> dict:
    """Placeholders under a page's main views: the weight heatmaps, then the mean-|δ| and
    update-ratio charts side by side."""
    st.markdown(f"##### {title}")
    if caption:
        st.caption(caption)
    slots["weights"] = st.empty()
    c1, c2 = st.columns(2, gap="medium")
    slots["delta"] = c1.empty()
    slots["ratio"] = c2.empty()
    return slots
