"""MNIST page: draw a digit, see it MNIST-style (engine.digits) and what the current model
makes of it: its outputs (probabilities only where they are) and every layer's activations."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.digits import preprocess_drawing

from . import charts
from .canvas import decode, draw_canvas
from .echo import plain


def output_meaning(net) -> tuple[str, bool]:
    """What the output layer's numbers are, for a caption, and whether they are probabilities
    (a softmax is; independent sigmoids are each in [0, 1]; a linear or tanh output is not)."""
    kind = net.loss_fn.output_name
    if kind == "softmax":
        return "Class probabilities (softmax)", True
    if kind == "sigmoid":
        return "Outputs a_L = σ(z_L): one sigmoid per class, each in [0, 1], not summing to 1", True
    return (f"Outputs a_L = {kind}(z_L) — raw numbers, not probabilities (the targets are 0 and 1; "
            f"the largest one is the prediction)", False)


def _bars_html(values: np.ndarray, names, as_percent: bool) -> str:
    best = int(np.argmax(values))
    rows = []
    for k in np.argsort(-values):
        v = float(values[k])
        w = max(0.5, 100 * min(max(v, 0.0), 1.0))  # bars show [0, 1]; the number says the rest
        col = "#1f77b4" if k == best else "#9ecae1"
        txt = f"{100 * v:.1f} %" if as_percent else f"{v:+.3f}"
        rows.append(f'<div style="display:flex;align-items:center;gap:6px;font-size:0.85rem">'
                    f'<span style="width:1.2em;text-align:right;font-weight:{600 if k == best else 400}">{names[k]}</span>'
                    f'<span style="display:inline-block;height:12px;width:{w * 1.8:.0f}px;background:{col};'
                    f'border-radius:2px"></span><span style="color:#555">{txt}</span></div>')
    return "".join(rows)


def draw_digit_tab(page: str, lab) -> None:
    st.markdown("Draw a digit with the mouse (or a finger). It is cropped, scaled to 20×20 and centred by "
                "its centre of mass in a 28×28 field, like the MNIST digits, then fed to the **current** "
                "model.")
    left, right = st.columns([1, 2], gap="medium")
    with left:
        url = draw_canvas(key=f"{page}-canvas")
    with right:
        if not url:
            st.caption("Nothing drawn yet.")
            return
        try:
            x = preprocess_drawing(decode(url))
        except ValueError as exc:
            st.warning(plain(exc))
            return
        if x is None:
            st.caption("The canvas is empty: draw a digit.")
            return
        if lab.step == 0:
            st.warning("The model is untrained (step 0): its answer is a guess. Press Play for a few seconds first.")
        acts = lab.net.activations(x[None, :].astype(lab.net.dtype))
        probs = acts[-1][0].astype(np.float64)
        names = lab.dataset.class_names
        c1, c2 = st.columns([1, 1.3])
        with c1:
            img = (255 - x.reshape(lab.dataset.image_shape) * 255).astype(np.uint8)
            st.html(charts.img_html(charts.png_data_uri(img, 5), 140, "your digit, MNIST-style",
                                    "what the network sees (28×28)"))
        with c2:
            title, is_prob = output_meaning(lab.net)
            st.html(f'<div style="font-size:0.85rem;margin-bottom:4px">{title} '
                    f'(digits {", ".join(names)})</div>' + _bars_html(probs, names, is_prob))
        for l, a in enumerate(acts[1:-1], start=1):
            v = a[0].astype(np.float64)
            cols = min(v.size, 25)  # units in rows of 25, so a 256-unit layer stays compact
            grid = np.full(-(-v.size // cols) * cols, np.nan)
            grid[:v.size] = v
            st.html(charts.img_html(charts.png_data_uri(charts.diverging_rgb(grid.reshape(-1, cols)), 14),
                                    14 * cols, f"layer {l} activations",
                                    f"hidden layer {l}: {v.size} {lab.net.hidden[l - 1].name} activations, "
                                    f"{cols} per row (red > 0 > blue, |a| ≤ {np.abs(v).max(initial=0):.3g}); "
                                    f"{int((v > 0).sum())} of {v.size} positive"))
