"""The one layer an MLP is made of, cs231n style: forward returns ``(out, cache)``, backward
takes ``(dout, cache)``. Neither function modifies its inputs.

Shapes, with N samples, n_in inputs and n_out units:
    a_prev (N, n_in)   W (n_in, n_out)   b (n_out,)   z, delta (N, n_out)
"""
from __future__ import annotations

import numpy as np


def dense_forward(a_prev: np.ndarray, W: np.ndarray, b: np.ndarray):
    """z = a_prev @ W + b.

    a_prev (N, n_in), W (n_in, n_out), b (n_out,) -> z (N, n_out), cache (a_prev, W).
    """
    z = a_prev @ W
    z += b  # in place: b broadcasts over the N rows without a second (N, n_out) temporary
    return z, (a_prev, W)


def dense_backward(delta: np.ndarray, cache, need_input_grad: bool = True):
    """Gradients of one dense layer from delta = dL/dz.

    delta (N, n_out), cache (a_prev (N, n_in), W (n_in, n_out)) ->
        da_prev (N, n_in) or None = delta @ W^T   (skipped for the input layer: X needs none)
        dW (n_in, n_out)          = a_prev^T @ delta
        db (n_out,)               = sum_n delta[n]
    """
    a_prev, W = cache
    dW = a_prev.T @ delta
    db = np.add.reduce(delta, axis=0)  # = delta.sum(axis=0), without its Python wrapper
    da_prev = delta @ W.T if need_input_grad else None
    return da_prev, dW, db
