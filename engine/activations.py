"""Hidden-layer activation functions: name -> (f, f').

Every activation works elementwise on a pre-activation array ``z`` of any shape (in the
network: ``(N, n_l)``) and returns an array of the same shape and dtype.

``derivative(z, a)`` gets both the pre-activation ``z`` and the activation ``a = f(z)``
because for sigmoid and tanh the derivative is cheapest from ``a`` (sigma' = a(1-a),
tanh' = 1-a^2) while for ReLU it needs ``z``. Passing both keeps the maths exact and
avoids recomputing ``f(z)``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function, 1 / (1 + exp(-z)), for any real z.

    exp is only ever taken of -|z| <= 0, so it never overflows; for z < 0 the algebraically
    equal form exp(z) / (1 + exp(z)) keeps full relative precision of tiny outputs.
    """
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def _sigmoid_derivative(z, a):
    return a * (1.0 - a)


def _tanh_derivative(z, a):
    return 1.0 - a * a


def _relu(z):
    return np.maximum(z, 0)


def _relu_derivative(z, a):
    return (z > 0).astype(z.dtype)


def _leaky_relu(z):
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_derivative(z, a):
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def _linear(z):
    return z


def _linear_derivative(z, a):
    return np.ones_like(z)


@dataclass(frozen=True)
class Activation:
    """An elementwise activation: ``forward(z) -> a`` and ``derivative(z, a) -> f'(z)``.

    ``symbol`` and ``formula`` are LaTeX used by the shape ledger and charts.
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    symbol: str
    formula: str

    def backward(self, da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """dL/dz = dL/da * f'(z); all three arrays (N, n_l). A new array: the inputs are kept."""
        return da * self.derivative(z, a)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_derivative, r"\sigma",
                          r"\sigma(z)=\frac{1}{1+e^{-z}},\ \sigma'(z)=\sigma(z)(1-\sigma(z))"),
    "tanh": Activation("tanh", np.tanh, _tanh_derivative, r"\tanh",
                       r"\tanh'(z)=1-\tanh^2(z)"),
    "relu": Activation("relu", _relu, _relu_derivative, r"\mathrm{ReLU}",
                       r"\mathrm{ReLU}(z)=\max(z,0),\ \mathrm{ReLU}'(z)=[z>0]"),
    "leaky_relu": Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative,
                             r"\mathrm{LReLU}",
                             r"\mathrm{LReLU}(z)=\max(z,0.01z),\ \mathrm{LReLU}'(z)=1\ \mathrm{or}\ 0.01"),
    "linear": Activation("linear", _linear, _linear_derivative, r"\mathrm{id}",
                         r"\mathrm{id}(z)=z,\ \mathrm{id}'(z)=1"),
}

HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)


def get_activation(name: str, argument: str = "activations") -> Activation:
    """Look an activation up by name, or raise ValueError naming what is allowed."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"{argument}: unknown activation {name!r}; "
            f"choose one of {', '.join(HIDDEN_ACTIVATIONS)}."
        ) from None
