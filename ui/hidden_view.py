"""The hidden-space panel: the data (and the input plane's grid) as a hidden layer sees it.
2 units: a scatter of the two activations; 3 units: a rotatable 3-D scatter; more: the 2-D
PCA projection. The numbers come from engine.hidden; this module only draws."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.hidden import hidden_map

from . import charts, state
from .scatter3d import scatter3d

GRID_RES = 21
MAX_POINTS = 300
SIZE = 400


def layer_picker(page: str, lab) -> None:
    n_hidden = lab.net.n_layers - 1
    if n_hidden < 1:
        return
    st.selectbox("Layer", list(range(1, n_hidden + 1)), key=state.key(page, "hidden_layer"), index=n_hidden - 1,
                 format_func=lambda l: f"layer {l} · {lab.net.sizes[l]} units",
                 label_visibility="collapsed", width=160,
                 help="Which hidden layer's activations to use as coordinates.")


def _shown_data(ds):
    """At most MAX_POINTS points, train first then test; deterministic (evenly spaced)."""
    X = np.vstack([ds.X_train, ds.X_test]) if len(ds.y_test) else ds.X_train
    y = np.concatenate([ds.y_train, ds.y_test])
    is_test = np.r_[np.zeros(len(ds.y_train), bool), np.ones(len(ds.y_test), bool)]
    idx = np.linspace(0, len(y) - 1, min(MAX_POINTS, len(y))).astype(int)
    return X[idx], y[idx], is_test[idx]


def draw_hidden(page: str, lab, slot, slot2) -> None:
    net = lab.net
    if net.n_layers < 2:
        slot.info("This network has no hidden layer: set *Hidden layers* ≥ 1 in the sidebar. "
                  "Without one, the output layer must separate the raw inputs with a straight line.")
        slot2.empty()
        return
    # default: the last hidden layer, the one the output layer cuts with a hyperplane
    layer = state.ui_value(page, "hidden_layer") or net.n_layers - 1
    layer = min(max(int(layer), 1), net.n_layers - 1)
    X, y, is_test = _shown_data(lab.dataset)
    prev = getattr(lab, "hidden_components", {}).get((lab.builds, layer))
    view = hidden_map(net, X, layer, lab.dataset.bounds, GRID_RES, dims=3, previous=prev)
    if view.components is not None:
        lab.hidden_components = {(lab.builds, layer): view.components}
    act = net.hidden[layer - 1].name
    if view.points.shape[1] == 3:
        note = (f"Hidden layer {layer} has 3 {act} units: each point is placed at its three activations "
                f"(h{layer}.1, h{layer}.2, h{layer}.3), each axis scaled to the data. Drag to rotate.")
        with slot.container():
            scatter3d(f"{page}-{layer}", view.points, y, is_test, view.grid, view.grid_class, GRID_RES,
                      view.axis_labels, name=f"Hidden space, 3-D: {len(y)} points, coloured by class. " + note)
    else:
        slot.markdown(charts.hidden_scatter_html(view, y, is_test, GRID_RES, SIZE), unsafe_allow_html=True)
        if view.method == "pca":
            ev = " + ".join(f"{100 * e:.0f} %" for e in view.explained)
            note = (f"Hidden layer {layer} has {view.n_units} {act} units, projected to its 2 principal axes "
                    f"(PCA of the points' activations; they keep {ev} of the variance).")
        else:
            note = f"Hidden layer {layer} has {view.n_units} {act} unit(s): the axes are the activations."
    slot2.caption(note + " The grey mesh is the input square's grid after the first layers (coloured by the "
                  "predicted class): the output layer separates this bent sheet with a straight cut.")
