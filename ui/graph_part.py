"""The network graph's part of a live-view frame (ui.frames; the browser half:
static/live/graph.js). Sent only when the graph panel is shown, so the other views' frames stay
as small as before.

meta.graph:
    max_units   the graph draws layers of at most this many units (ui.config GRAPH_MAX_UNITS)
    max_value   the largest |value| the graph's editor takes (ui.config MAX_TYPED_VALUE)
    grad_step   the step whose gradients come with the frame (its mini-batch, at the weights
                before its update), or None before the first step
    after_change  True when a weight, a bias or the data were changed by hand after that step
                (its gradients then describe the network before the change)
    l2          the L2 weight decay: the update adds l2 * w to the gradient shown
arrays:
    gW1.., gb1..  ∂L/∂W_l and ∂L/∂b_l of that step (engine: Trainer.last_grads), float32 (hover
                text shows four digits; half the bytes of float64)
"""
from __future__ import annotations

import numpy as np

from .config import GRAPH_MAX_UNITS, MAX_TYPED_VALUE


def graph_part(lab, meta: dict, arrays: dict) -> None:
    """Add the graph's numbers to a frame (meta, arrays) of ``lab``."""
    net, tr = lab.net, lab.trainer
    g = {"max_units": GRAPH_MAX_UNITS, "max_value": MAX_TYPED_VALUE, "grad_step": None, "after_change": False,
         "l2": float(lab.cfg.l2)}
    if max(net.sizes) <= GRAPH_MAX_UNITS and tr.last_grads:
        g["grad_step"] = lab.step
        g["after_change"] = lab.changed_at is not None and lab.changed_at >= lab.step
        for l, (dW, db) in enumerate(tr.last_grads, start=1):
            arrays[f"gW{l}"], arrays[f"gb{l}"] = dW.astype(np.float32), db.astype(np.float32)
    meta["graph"] = g
