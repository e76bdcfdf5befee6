"""A worked example to check a hand-written backward pass against, number by number.

A fixed 2-3-2 network (given weights, no randomness) on a batch of 4 examples (class labels Y,
or for regression the real targets T), one training step in the engine's conventions (samples are rows, W_l is (n_{l-1}, n_l)), every
intermediate array kept: a student runs their own code on the same X, y, W, b and diffs each
line. ``as_numpy(name, array)`` prints an array as NumPy source, digit for digit (repr of
float64 round-trips exactly).
"""
from __future__ import annotations

import numpy as np

from .network import MLP
from .trace import trace

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8], [0.1, -0.3]])
Y = np.array([0, 1, 1, 0])
T = np.array([[0.5, -0.2], [1.0, 0.3], [-0.4, 0.8], [0.0, -0.6]])  # regression: real targets (4, 2)
W1 = np.array([[0.2, -0.4, 0.7], [0.5, 0.1, -0.3]])
B1 = np.array([0.1, -0.2, 0.05])
W2 = np.array([[0.6, -0.5], [-0.3, 0.8], [0.4, 0.2]])
B2 = np.array([0.0, 0.1])


def tiny_network(activation: str = "sigmoid", loss: str = "mse", output_activation: str | None = None,
                 problem: str = "classification") -> MLP:
    """The fixed 2-3-2 net: W1 (2, 3), b1 (3,), W2 (3, 2), b2 (2,) as above, float64."""
    net = MLP([2, 3, 2], activation, loss=loss,
              output_activation=output_activation if loss == "mse" else None, seed=0, problem=problem)
    for (W, b), (W0, b0) in zip(zip(net.weights, net.biases), ((W1, B1), (W2, B2))):
        W[...], b[...] = W0, b0
    return net


def worked_step(activation: str = "sigmoid", loss: str = "mse", output_activation: str | None = None,
                lr: float = 0.5, problem: str = "classification") -> list[tuple[str, str, np.ndarray]]:
    """[(name, what it is, array)] of one plain-SGD step on (X, Y) (regression: (X, T), mse
    only): the inputs, then forward (z, a per layer), loss, backward (delta, dW, db per layer,
    from the top), update."""
    net = tiny_network(activation, loss, output_activation, problem)
    regression = net.is_regression
    tr = trace(net, X, T if regression else Y)
    L = net.n_layers
    out = [("X", "inputs, one example per row (4, 2)", X),
           ("y", "real targets, one row per example (4, 2)", T) if regression else ("y", "class labels (4,)", Y)]
    for l in range(1, L + 1):
        t = tr.layers[l - 1]
        out += [(f"W{l}", f"weights, shape (n_{l - 1}, n_{l})", t.W.copy()), (f"b{l}", f"biases (n_{l},)", t.b.copy())]
    for l in range(1, L + 1):
        t = tr.layers[l - 1]
        src = "X" if l == 1 else f"a{l - 1}"
        out.append((f"z{l}", f"{src} @ W{l} + b{l}", t.z))
        if l < L:
            out.append((f"a{l}", f"{activation}(z{l})", t.a))
        else:
            out.append((f"a{l}", f"{net.loss_fn.output_name}(z{l}): the outputs", tr.output))
    out.append(("loss", f"{loss}, mean over the 4 examples", np.float64(tr.loss)))
    for l in range(L, 0, -1):
        t = tr.layers[l - 1]
        how = "dL/dz at the output" if l == L else f"(delta{l + 1} @ W{l + 1}.T) * {activation}'(z{l})"
        out += [(f"delta{l}", how, t.delta), (f"dW{l}", f"{'X' if l == 1 else f'a{l - 1}'}.T @ delta{l}", t.dW),
                (f"db{l}", f"delta{l}.sum(axis=0)", t.db)]
    for l in range(1, L + 1):
        t = tr.layers[l - 1]
        out += [(f"W{l}_new", f"W{l} - {lr:g} * dW{l}", t.W - lr * t.dW),
                (f"b{l}_new", f"b{l} - {lr:g} * db{l}", t.b - lr * t.db)]
    return out


def as_numpy(name: str, a) -> str:
    """``name = np.array([...])``, exact (every float64 printed with repr's round-trip digits)."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{name} = {float(a)!r}"

    indent = " " * len(f"{name} = np.array([")

    def fmt(x):
        if x.ndim == 1:
            return "[" + ", ".join(repr(float(v)) if a.dtype.kind == "f" else str(int(v)) for v in x) + "]"
        return "[" + (",\n" + indent).join(fmt(r) for r in x) + "]"
    return f"{name} = np.array({fmt(a)})"


__all__ = ["B1", "B2", "T", "W1", "W2", "X", "Y", "as_numpy", "tiny_network", "worked_step"]
