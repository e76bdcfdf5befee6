"""The shape & equation ledger: every forward and backward quantity of one training step,
with its equation, the shapes of every operand and the live shape of the array the engine
actually computed (so the ledger cannot drift from the code).

Batch view (rows are samples, N = batch size):
    z_l (N, n_l) = a_{l-1} (N, n_{l-1}) · W_l (n_{l-1}, n_l) + b_l (n_l)
    δ_l (N, n_l) = δ_{l+1} (N, n_{l+1}) · W_{l+1}ᵀ (n_{l+1}, n_l) ⊙ f'(z_l) (N, n_l)
    ∂W_l (n_{l-1}, n_l) = a_{l-1}ᵀ (n_{l-1}, N) · δ_l (N, n_l);   ∂b_l (n_l) = Σ_n δ_l
One-example view: the same with N = 1 written as vectors; ∂W_l is then the outer product
a_{l-1} ⊗ δ_l, and the batch ∂W_l is the sum of those outer products over the N examples.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_features, check_labels

PHASES = ("forward", "loss", "backward", "update")


@dataclass(frozen=True)
class LedgerRow:
    """One quantity. ``latex`` is the equation with shapes; ``shape`` the live array's shape."""

    phase: str  # "forward" | "loss" | "backward" | "update"
    layer: int  # 1..L (0 for the loss)
    name: str  # plain name: "z2", "a2", "L", "delta2", "dW2", "db2", "W2"
    latex: str
    shape: tuple
    mean_abs: float  # mean |value| of the live array (the numbers, not only the shapes)


def _sub(i) -> str:
    return "{" + str(i) + "}"


def _dims(shape, per_sample: bool) -> str:
    if per_sample and len(shape) == 2:
        shape = shape[1:]  # one example: the row vector
    return r"\times".join(map(str, shape)) if shape else "1"


def _shaped(sym: str, shape, per_sample=False) -> str:
    return rf"\underset{{{_dims(shape, per_sample)}}}{{{sym}}}"


def shape_ledger(net, X, y, per_sample: bool = False) -> list[LedgerRow]:
    """Ledger rows for one step of ``net`` on the batch X (N, n_in), y (N,).

    Runs a forward + backward pass on a copy (``net`` and its ``last_deltas`` stay as they
    are). With ``per_sample`` the equations show one example (vectors; the arrays of the first
    row), otherwise the whole batch (matrices).
    """
    work = net.copy()
    X = check_features("X", X, net.sizes[0], work.dtype)
    y = check_labels("y", y, X.shape[0], net.sizes[-1])
    if per_sample:
        X, y = X[:1], y[:1]
    with np.errstate(all="ignore"):
        loss, grads, deltas, zs, acts = work._backprop(X, y)
        out = work.loss_fn.output(zs[-1])
    L = work.n_layers
    acts = list(acts) + [out]  # a_0..a_L
    rows: list[LedgerRow] = []

    def add(phase, layer, name, latex, arr):
        arr = np.asarray(arr)
        shape = arr.shape
        if per_sample and arr.ndim == 2 and not name.startswith(("dW", "W")):
            shape = shape[1:]  # one example: a vector
        rows.append(LedgerRow(phase, layer, name, latex, shape,
                              float(np.abs(arr).mean()) if arr.size else 0.0))

    s = per_sample

    def sym(base, l):  # "z_{2}", "\delta_{3}", ...
        return base + "_" + _sub(l)

    def inp(l):  # the input of layer l: x for the first layer
        return "x" if l == 1 else sym("a", l - 1)

    for l in range(1, L + 1):
        W, b, z, a_prev = work.weights[l - 1], work.biases[l - 1], zs[l - 1], acts[l - 1]
        add("forward", l, f"z{l}",
            _shaped(sym("z", l), z.shape, s) + " = " + _shaped(inp(l), a_prev.shape, s) + r"\,"
            + _shaped(sym("W", l), W.shape) + " + " + _shaped(sym("b", l), b.shape), z)
        zl = _shaped(sym("z", l), z.shape, s)
        if l < L:
            f = work.hidden[l - 1].symbol
            add("forward", l, f"a{l}", _shaped(sym("a", l), acts[l].shape, s) + f" = {f}({zl})", acts[l])
        else:
            add("forward", l, f"a{l}", _shaped(r"\hat y", out.shape, s)
                + r" = \mathrm{" + work.loss_fn.output_name + "}(" + zl + ")", out)
    loss_tex = {"cross_entropy": r"-\frac{1}{N}\sum_n \log \hat y_{n,y_n}",
                "mse": r"\frac{1}{2N}\sum_n \lVert \hat y_n - t_n\rVert^2",
                "bce": r"-\frac{1}{N}\sum_{n,k} t\log\hat y + (1-t)\log(1-\hat y)"}[work.loss_name]
    add("loss", 0, "L", f"L = {loss_tex} = {loss:.4g}", np.float64(loss))
    for l in range(L, 0, -1):
        d = deltas[l - 1]
        dl = _shaped(sym(r"\delta", l), d.shape, s)
        if l == L:
            add("backward", l, f"delta{l}", dl + r" = \frac{\partial L}{\partial z_" + _sub(l) + "} = "
                + work.loss_fn.delta_formula, d)
        else:
            Wn, dn, f = work.weights[l], deltas[l], work.hidden[l - 1].symbol
            if s:  # one example, column-vector habit: W_{l+1} delta_{l+1}
                back = _shaped(sym("W", l + 1), Wn.shape) + r"\," + _shaped(sym(r"\delta", l + 1), dn.shape, s)
            else:
                back = _shaped(sym(r"\delta", l + 1), dn.shape) + r"\," + _shaped(sym("W", l + 1) + r"^\top", Wn.T.shape)
            fprime = _shaped(f + "'(" + sym("z", l) + ")", zs[l - 1].shape, s)
            add("backward", l, f"delta{l}", dl + r" = \big(" + back + r"\big) \odot " + fprime, d)
        dW, db = grads[l - 1]
        a_prev = acts[l - 1]
        dWs, dbs = _shaped(sym(r"\partial W", l), dW.shape), _shaped(sym(r"\partial b", l), db.shape)
        if s:
            add("backward", l, f"dW{l}", dWs + " = " + _shaped(inp(l), (a_prev.shape[1],)) + r" \otimes "
                + _shaped(sym(r"\delta", l), (d.shape[1],)), dW)
            add("backward", l, f"db{l}", dbs + " = " + _shaped(sym(r"\delta", l), (d.shape[1],)), db)
        else:
            add("backward", l, f"dW{l}", dWs + " = " + _shaped(inp(l) + r"^\top", a_prev.T.shape) + r"\,"
                + _shaped(sym(r"\delta", l), d.shape), dW)
            add("backward", l, f"db{l}", dbs + r" = \sum_{n=1}^{" + str(d.shape[0]) + "} " + sym(r"\delta", l)
                + "[n]", db)
    for l in range(1, L + 1):
        W = work.weights[l - 1]
        add("update", l, f"W{l}", _shaped(sym("W", l), W.shape) + r" \leftarrow " + sym("W", l) + r" - \eta\,"
            + sym(r"\partial W", l), W)
    return rows


def ledger_frame(rows: list[LedgerRow]):
    """pandas DataFrame of the rows (phase, layer, quantity, shape, mean |x|)."""
    import pandas as pd

    return pd.DataFrame([{"phase": r.phase, "layer": r.layer, "quantity": r.name,
                          "shape": "×".join(map(str, r.shape)) or "scalar", "mean |x|": r.mean_abs}
                         for r in rows])


__all__ = ["PHASES", "LedgerRow", "ledger_frame", "shape_ledger"]
