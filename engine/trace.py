"""Every intermediate array of one train-mode forward + backward pass, per weight layer: what
the shape ledger (engine.ledger), the step phases (engine.phases) and "Check my numbers"
(engine.worked) show. Built from the layers' caches after ``MLP.gradients``; the maths lives
in engine.layers and engine.network, this module only collects.

    tr = trace(net, X, y)        # train mode: call it on net.copy() to leave the running stats alone
    tr.layers[l].delta           # (N, n_l) = dL/dz_l of weight layer l + 1
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LayerTrace:
    """Every array of weight layer l in one train-mode step (see ``trace``). Shapes: N
    samples, n_in = n_{l-1}, n = n_l. Hidden-layer fields are None for the output layer, BN
    fields None without BatchNorm, dropout fields None without dropout."""

    x: np.ndarray            # (N, n_in)  the layer's input a_{l-1}
    W: np.ndarray            # (n_in, n)
    b: np.ndarray            # (n,)
    z: np.ndarray            # (N, n)     x W + b
    delta: np.ndarray        # (N, n)     dL/dz
    dW: np.ndarray           # (n_in, n)
    db: np.ndarray           # (n,)
    activation: str | None = None
    a: np.ndarray | None = None      # (N, n)  f(.) : the activation's output
    da: np.ndarray | None = None     # (N, n)  dL/da
    mu: np.ndarray | None = None     # (n,)    BN batch mean
    var: np.ndarray | None = None    # (n,)    BN batch variance (biased)
    x_hat: np.ndarray | None = None  # (N, n)
    gamma: np.ndarray | None = None
    beta: np.ndarray | None = None
    y: np.ndarray | None = None      # (N, n)  gamma x_hat + beta
    dy: np.ndarray | None = None     # (N, n)  dL/dy
    dgamma: np.ndarray | None = None
    dbeta: np.ndarray | None = None
    p: float | None = None           # dropout rate
    mask: np.ndarray | None = None   # (N, n) bool, True = kept
    out: np.ndarray | None = None    # (N, n)  a * mask / (1 - p): the next layer's input
    d_out: np.ndarray | None = None  # (N, n)  dL/d(out) = delta_{l+1} W_{l+1}^T


@dataclass
class Trace:
    """One train-mode forward + backward pass with every intermediate (``trace``)."""

    layers: list[LayerTrace]
    output: np.ndarray  # (N, n_L) the loss's output activation: the predictions
    loss: float


def trace(net, X, y, dropout_masks=None) -> Trace:
    """``net.gradients`` on the batch X (N, n_0), y (N,), returning every intermediate array
    per weight layer. Train mode: BatchNorm updates its running statistics and dropout draws
    masks (unless given), so call it on ``net.copy()`` to leave the network as it was."""
    loss, _ = net.gradients(X, y, dropout_masks)
    out = []
    for l, d in enumerate(net.dense):
        t = LayerTrace(x=d.x, W=d.W, b=d.b, z=d.x @ d.W + d.b, delta=d.delta, dW=d.dW, db=d.db)
        if l < len(net.act):
            act, bn, drop = net.act[l], net.bn[l], net.drop[l]
            t.activation, t.a, t.da = act.name, act.a, act.da
            if bn is not None:
                t.x_hat, _, t.mu, t.var = bn.cache
                t.gamma, t.beta, t.y, t.dy = bn.gamma, bn.beta, act.z, bn.dout
                t.dgamma, t.dbeta = bn.dgamma, bn.dbeta
            t.out = net.dense[l + 1].x
            t.d_out = act.da
            if drop is not None:
                t.p, t.mask, t.d_out = drop.p, drop.mask, drop.dout
        out.append(t)
    return Trace(out, net.loss_fn.output(net.last_output), loss)


__all__ = ["LayerTrace", "Trace", "trace"]
