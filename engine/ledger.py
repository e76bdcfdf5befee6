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

import re
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .checks import check_features
from .features import FEATURES
from .trace import trace

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

    Runs a train-mode forward + backward pass on a copy (``net``, its running statistics and
    its ``last_deltas`` stay as they are). With ``per_sample`` the equations show one example
    (vectors; the arrays of the first row), otherwise the whole batch (matrices). A layer with
    BatchNorm adds its rows (μ, σ², x̂, y and their backward); one with dropout its mask.
    Engineered input features add the row x = φ(X): the (N, n_0) inputs W_1 multiplies.
    """
    work = net.copy()
    X = check_features("X", X, net.n_inputs, work.dtype)
    y = net.check_targets("y", y, X.shape[0])
    if per_sample:
        if net.has_batch_norm:
            raise ValueError("per_sample: with batch norm one example has no batch statistics; "
                             "the ledger shows the batch.")
        X, y = X[:1], y[:1]
    with np.errstate(all="ignore"):
        tr = trace(work, X, y)
    L = work.n_layers
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

    def sh(symbol, arr):  # a symbol with its live shape under it
        return _shaped(symbol, np.shape(arr), s)

    def inp(l):  # the input of layer l: x for the first layer
        return "x" if l == 1 else sym(r"\tilde a" if tr.layers[l - 2].mask is not None else "a", l - 1)

    sym_of = {name: ACTIVATIONS[name].symbol for name in ACTIVATIONS}
    if work.features is not None:  # engineered inputs: what W_1 multiplies is not X itself
        x = tr.layers[0].x
        add("forward", 1, "x", sh("x", x) + r" = \phi(" + sh("X", X) + r") = \big["
            + r",\ ".join(FEATURES[n].tex for n in work.features) + r"\big]", x)
    for l in range(1, L + 1):
        t = tr.layers[l - 1]
        add("forward", l, f"z{l}", sh(sym("z", l), t.z) + " = " + sh(inp(l), t.x) + r"\,"
            + _shaped(sym("W", l), t.W.shape) + " + " + _shaped(sym("b", l), t.b.shape), t.z)
        zl = sh(sym("z", l), t.z)
        if l == L:
            add("forward", l, f"a{l}", sh(r"\hat y", tr.output)
                + r" = \mathrm{" + work.loss_fn.output_name + "}(" + zl + ")", tr.output)
            continue
        f_arg = zl
        if t.mu is not None:  # BatchNorm between the dense step and the activation
            n = sym("z", l)
            add("forward", l, f"mu{l}", _shaped(sym(r"\mu", l), t.mu.shape) + r" = \frac{1}{N}\sum_n " + n + "[n]", t.mu)
            add("forward", l, f"var{l}", _shaped(sym(r"\sigma^2", l), t.var.shape) + r" = \frac{1}{N}\sum_n ("
                + n + "[n] - " + sym(r"\mu", l) + ")^2", t.var)
            add("forward", l, f"xhat{l}", sh(sym(r"\hat x", l), t.x_hat) + r" = \frac{" + n + " - " + sym(r"\mu", l)
                + r"}{\sqrt{" + sym(r"\sigma^2", l) + r" + \epsilon}}", t.x_hat)
            add("forward", l, f"y{l}", sh(sym("y", l), t.y) + " = " + _shaped(sym(r"\gamma", l), t.gamma.shape)
                + r"\odot " + sym(r"\hat x", l) + " + " + _shaped(sym(r"\beta", l), t.beta.shape), t.y)
            f_arg = sh(sym("y", l), t.y)
        add("forward", l, f"a{l}", sh(sym("a", l), t.a) + f" = {sym_of[t.activation]}({f_arg})", t.a)
        if t.mask is not None:
            add("forward", l, f"m{l}", sh(sym("m", l), t.mask) + rf" \sim \mathrm{{Bernoulli}}({1 - t.p:g})"
                r"\ \text{(kept)}", t.mask.astype(np.float64))
            add("forward", l, f"at{l}", sh(sym(r"\tilde a", l), t.out) + " = " + sym("a", l) + r"\odot "
                + sym("m", l) + rf" / {1 - t.p:g}", t.out)
    loss_tex = {"cross_entropy": r"-\frac{1}{N}\sum_n \log \hat y_{n,y_n}",
                "mse": r"\frac{1}{2N}\sum_n \lVert \hat y_n - t_n\rVert^2",
                "bce": r"-\frac{1}{N}\sum_{n,k} t\log\hat y + (1-t)\log(1-\hat y)"}[work.loss_name]
    add("loss", 0, "L", f"L = {loss_tex} = {tr.loss:.4g}", np.float64(tr.loss))
    for l in range(L, 0, -1):
        t = tr.layers[l - 1]
        dl = sh(sym(r"\delta", l), t.delta)
        if l == L:
            add("backward", l, f"delta{l}", dl + r" = \frac{\partial L}{\partial z_" + _sub(l) + "} = "
                + work.loss_fn.delta_formula, t.delta)
        else:
            nxt = tr.layers[l]
            if s:  # one example, column-vector habit: W_{l+1} delta_{l+1}
                back = _shaped(sym("W", l + 1), nxt.W.shape) + r"\," + sh(sym(r"\delta", l + 1), nxt.delta)
            else:
                back = sh(sym(r"\delta", l + 1), nxt.delta) + r"\," + _shaped(sym("W", l + 1) + r"^\top", nxt.W.T.shape)
            f = sym_of[t.activation]
            if t.mu is None and t.mask is None:
                fprime = sh(f + "'(" + sym("z", l) + ")", t.z)
                add("backward", l, f"delta{l}", dl + r" = \big(" + back + r"\big) \odot " + fprime, t.delta)
            else:
                if t.mask is not None:
                    add("backward", l, f"dat{l}", sh(sym(r"\partial\tilde a", l), t.d_out) + " = " + back, t.d_out)
                    add("backward", l, f"da{l}", sh(sym(r"\partial a", l), t.da) + " = " + sym(r"\partial\tilde a", l)
                        + r"\odot " + sym("m", l) + rf" / {1 - t.p:g}", t.da)
                else:
                    add("backward", l, f"da{l}", sh(sym(r"\partial a", l), t.da) + " = " + back, t.da)
                if t.mu is None:
                    add("backward", l, f"delta{l}", dl + " = " + sym(r"\partial a", l) + r"\odot "
                        + sh(f + "'(" + sym("z", l) + ")", t.z), t.delta)
                else:
                    dy = sh(sym(r"\partial y", l), t.dy)
                    add("backward", l, f"dy{l}", dy + " = " + sym(r"\partial a", l) + r"\odot " + f + "'("
                        + sym("y", l) + ")", t.dy)
                    add("backward", l, f"dgamma{l}", _shaped(sym(r"\partial\gamma", l), t.dgamma.shape)
                        + r" = \sum_n " + sym(r"\partial y", l) + r"\odot " + sym(r"\hat x", l), t.dgamma)
                    add("backward", l, f"dbeta{l}", _shaped(sym(r"\partial\beta", l), t.dbeta.shape)
                        + r" = \sum_n " + sym(r"\partial y", l), t.dbeta)
                    add("backward", l, f"delta{l}", dl + r" = \frac{" + sym(r"\gamma", l) + r"}{N\sqrt{"
                        + sym(r"\sigma^2", l) + r"+\epsilon}}\big(N " + sym(r"\partial y", l) + r" - \sum_n "
                        + sym(r"\partial y", l) + " - " + sym(r"\hat x", l) + r"\sum_n " + sym(r"\partial y", l)
                        + r"\odot " + sym(r"\hat x", l) + r"\big)", t.delta)
        dWs, dbs = _shaped(sym(r"\partial W", l), t.dW.shape), _shaped(sym(r"\partial b", l), t.db.shape)
        if s:
            add("backward", l, f"dW{l}", dWs + " = " + _shaped(inp(l), (t.x.shape[1],)) + r" \otimes "
                + _shaped(sym(r"\delta", l), (t.delta.shape[1],)), t.dW)
            add("backward", l, f"db{l}", dbs + " = " + _shaped(sym(r"\delta", l), (t.delta.shape[1],)), t.db)
        else:
            add("backward", l, f"dW{l}", dWs + " = " + _shaped(inp(l) + r"^\top", t.x.T.shape) + r"\,"
                + sh(sym(r"\delta", l), t.delta), t.dW)
            add("backward", l, f"db{l}", dbs + r" = \sum_{n=1}^{" + str(t.delta.shape[0]) + "} " + sym(r"\delta", l)
                + "[n]", t.db)
    for l in range(1, L + 1):
        W = tr.layers[l - 1].W
        add("update", l, f"W{l}", _shaped(sym("W", l), W.shape) + r" \leftarrow " + sym("W", l) + r" - \eta\,"
            + sym(r"\partial W", l), W)
    return rows


def shape_ledger_columns(net, X, y, per_sample: bool = False) -> list[LedgerRow]:
    """The same step in the column-vector convention of many textbooks: one example is a
    column a (n × 1), the batch stacks them as columns A (n × N), and W_l is n_l × n_{l-1}
    (the engine's W_l transposed), so z = W a + b, δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l),
    ∂W_l = δ_l a_{l-1}ᵀ. The numbers are the engine's (``shape_ledger``), the shapes transposed.
    Rows of batch norm and dropout, elementwise per unit, read the same in both conventions.
    """
    rows = shape_ledger(net, X, y, per_sample)
    L = net.n_layers
    s = per_sample
    out = []

    def col(shape):  # the transposed shape; one example: a column vector
        if len(shape) == 1:
            return (shape[0], 1)
        return tuple(reversed(shape))

    def sh(sym, shape):
        return _shaped(sym, col(shape))

    dims = {}
    for r in rows:
        dims[r.name] = r.shape
    N = 1 if s else rows[0].shape[0]  # the batch size (rows[0] is z_1, (N, n_1))
    for r in rows:
        l, name = r.layer, r.name
        latex = r.latex
        if name == f"z{l}":
            inp = "x" if l == 1 else ("a" if f"at{l - 1}" not in dims else r"\tilde a") + "_" + _sub(l - 1)
            inp_shape = (net.sizes[l - 1],) if s else (dims[f"z{l}"][0], net.sizes[l - 1])
            latex = (sh(f"z_{_sub(l)}", r.shape) + " = " + _shaped(f"W_{_sub(l)}", (net.sizes[l], net.sizes[l - 1]))
                     + r"\," + sh(inp, inp_shape) + " + " + _shaped(f"b_{_sub(l)}", (net.sizes[l], 1)))
        elif name == f"delta{l}" and l < L and f"dy{l}" not in dims and f"da{l}" not in dims:
            nxt = (net.sizes[l + 1],) if s else (dims[f"delta{l}"][0], net.sizes[l + 1])
            f = ACTIVATIONS[net.activation_names[l - 1]].symbol
            latex = (sh(r"\delta_" + _sub(l), r.shape) + r" = \big(" + _shaped(f"W_{_sub(l + 1)}" + r"^\top",
                     (net.sizes[l], net.sizes[l + 1])) + r"\," + sh(r"\delta_" + _sub(l + 1), nxt) + r"\big)\odot "
                     + sh(f + "'(z_" + _sub(l) + ")", r.shape))
        elif name == f"dW{l}":
            inp = "x" if l == 1 else "a_" + _sub(l - 1)
            latex = (_shaped(r"\partial W_" + _sub(l), (net.sizes[l], net.sizes[l - 1])) + " = "
                     + _shaped(r"\delta_" + _sub(l), (net.sizes[l], N)) + r"\,"
                     + _shaped(inp + r"^\top", (N, net.sizes[l - 1])))
        elif name == f"db{l}":
            latex = (_shaped(r"\partial b_" + _sub(l), (net.sizes[l], 1)) + " = "
                     + (r"\delta_" + _sub(l) if s else r"\sum_{n} \delta_" + _sub(l) + "[:, n]"))
        elif name == f"W{l}":
            latex = _shaped(f"W_{_sub(l)}", (net.sizes[l], net.sizes[l - 1])) + r" \leftarrow W_" + _sub(l) \
                + r" - \eta\,\partial W_" + _sub(l)
        else:
            # elementwise rows: the same formula; only the shapes under the symbols turn around
            latex = re.sub(r"\\underset\{(\d+)\\times(\d+)\}", lambda m: rf"\underset{{{m.group(2)}\times{m.group(1)}}}",
                           latex)
        shape = col(r.shape) if r.shape else r.shape
        if name.startswith(("W", "dW")):
            shape = (net.sizes[l], net.sizes[l - 1])
        out.append(LedgerRow(r.phase, r.layer, r.name, latex, shape, r.mean_abs))
    return out


def ledger_frame(rows: list[LedgerRow]):
    """pandas DataFrame of the rows (phase, layer, quantity, shape, mean |x|)."""
    import pandas as pd

    return pd.DataFrame([{"phase": r.phase, "layer": r.layer, "quantity": r.name,
                          "shape": "×".join(map(str, r.shape)) or "scalar", "mean |x|": r.mean_abs}
                         for r in rows])


__all__ = ["PHASES", "LedgerRow", "ledger_frame", "shape_ledger", "shape_ledger_columns"]
