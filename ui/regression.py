"""The regression pages' own pieces: what their sidebar shows, their texts, and the colour
scale of a predicted value (the browser paints with it: static/live/regression.js, curve.js).

Two pages solve regression problems (the network predicts a number, MSE loss, R² as the
score): *Regression* (TensorFlow Playground's two 2-D sets, drawn by ui.page2d like the
classification pages, with the predicted value as the background colour) and *Curve fitting*
(1-D, ui.page_curve). No maths here: the engine computes, the browser paints.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from . import state
from .charts import CLASS_COLORS
from .config import PAGE_DATASETS, REGRESSION_OUTPUTS

# the colour of a value: negative, 0, positive (the class colours of the classification pages,
# orange for class 0 and blue for class 1, as TensorFlow Playground colours its regression)
VALUE_COLORS = (CLASS_COLORS[0], "#f7f7f7", CLASS_COLORS[1])



def _palette(n: int = 9) -> tuple:
    """n colours from VALUE_COLORS[0] (at -vmax) through a light grey (0; white would vanish on
    the white panels) to VALUE_COLORS[2] (+vmax): value_bins' colours."""
    rgb = lambda h: np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)  # noqa: E731
    neg, mid, pos = rgb(VALUE_COLORS[0]), rgb("#cfcfcf"), rgb(VALUE_COLORS[2])
    out = []
    for s in np.linspace(-1, 1, n):
        c = mid + ((neg if s < 0 else pos) - mid) * abs(s)
        out.append("#" + "".join(f"{int(round(v)):02x}" for v in c))
    return tuple(out)


VALUE_PALETTE = _palette()


def value_bins(values, vmax: float, n: int = len(VALUE_PALETTE)) -> np.ndarray:
    """Values -> indices 0..n-1 of VALUE_PALETTE: -vmax (and below) -> 0, 0 -> the middle, +vmax
    (and above) -> n-1."""
    t = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64)) / vmax, -1, 1)
    return np.rint((t + 1) / 2 * (n - 1)).astype(int)


DATA_LABELS = {"reg-plane": "Plane (TF Playground)", "reg-gauss": "Multi-Gaussian (TF Playground)",
               "sine": "y = sin x", "abs": "y = |x|", "step": "y = step (−1, +1)", "cubic": "y = x³ / 9",
               "xsinx": "y = x · sin x"}
OUTPUT_LABELS = {"linear": "linear: ŷ = z (any number)", "tanh": "tanh: ŷ in (−1, 1)"}

PAGE_TEXT = {
    "regression": ("Regression", "The network predicts a **number** for every point, not a class: TensorFlow "
                   "Playground's two regression sets. Each point is coloured by its target y (orange < 0 < "
                   "blue), the background by the network's prediction ŷ(x₁, x₂) on the same scale. The loss is "
                   "the mean squared error ½·mean (ŷ − y)² with a linear output; the score is **R²** (1: a "
                   "perfect fit, 0: no better than always predicting the mean). The plane needs no hidden "
                   "layer at all (try 0); the six bumps do."),
    "curve": ("Curve fitting", "Fit y = f(x) from noisy samples with a network of one input and one output. "
              "The thick line is the network's prediction ŷ(x); each thin line is what one unit of the last "
              "hidden layer adds, wₖ·aₖ(x), and the dashed line is the output bias b: thin lines plus b add "
              "up to the thick one. With ReLU units every thin line is a **hinge** (flat, then straight), so "
              "the fit is a sum of hinges: count the bends."),
}
NOISE_HELP = {
    "regression": "TensorFlow Playground's noise: each point's target is computed at the point moved by up to "
                  "noise × 6 in each coordinate (uniformly), so nearby points disagree.",
    "curve": "Standard deviation of the Gaussian noise added to every target y = f(x).",
}


def value_scale(ds) -> float:
    """The half-range v of the colour scale: values -v .. v map to orange .. blue. The largest
    |target| of the data, rounded up to a tenth, so every point's colour is distinct."""
    t = np.abs(np.concatenate([np.ravel(ds.y_train), np.ravel(ds.y_test)]))
    return max(0.1, float(np.ceil(t.max(initial=0.0) * 10) / 10))


def data_controls(page: str) -> None:
    """The Data section of a regression page's sidebar."""
    from .sidebar import PERSIST

    k = lambda name: state.key(page, name)  # noqa: E731
    st.selectbox("Dataset", PAGE_DATASETS[page], key=k("dataset"), **PERSIST, format_func=DATA_LABELS.get,
                 help="What the network must predict. TensorFlow Playground's plane is a linear function of "
                      "(x₁, x₂), its multi-Gaussian six bumps of ±1." if page == "regression" else
                      "The function the samples come from; x is uniform in [−3, 3].")
    st.slider("Points", 50, 2000, step=50, key=k("n_samples"), **PERSIST, help="Number of samples (train + test).")
    st.slider("Noise", 0.0, 0.5, step=0.01, key=k("noise"), **PERSIST, help=NOISE_HELP[page])
    st.slider("Test fraction", 0.1, 0.5, step=0.05, key=k("test_fraction"), **PERSIST,
              help="Share of the samples held out for testing (hollow), chosen at random.")
    st.number_input("Data seed", 0, 10**6, step=1, key=k("data_seed"), **PERSIST,
                    help="Which random sample of data (and split) to use.")


def loss_controls(page: str) -> None:
    """A regression page's loss: always MSE; the output activation is the one choice."""
    from .sidebar import PERSIST

    st.caption("Loss: **mean squared error**, L = ½·mean (ŷ − y)², δ_L = (ŷ − y)⊙g′(z)/N — a regression "
               "network predicts numbers, so it has no softmax and no cross-entropy.")
    if state.ui_value(page, "output_activation") not in REGRESSION_OUTPUTS:
        state.apply_settings(page, {"output_activation": "linear"})
    st.selectbox("Output activation", REGRESSION_OUTPUTS, key=state.key(page, "output_activation"), **PERSIST,
                 format_func=OUTPUT_LABELS.get,
                 help="g in ŷ = g(z_L). Linear (TensorFlow Playground's choice) can reach any value; tanh only "
                      "values between −1 and 1.")
