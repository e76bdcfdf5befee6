"""Output layer + loss: the value of L and delta_L = dL/dz_L for a batch.

Shapes: ``z`` is the output pre-activation ``(N, K)``, ``y`` integer class labels ``(N,)``
(regression: real targets ``(N,)`` or ``(N, K)``, mse only).
All losses are means over the batch, so every delta carries a factor 1/N.

- ``cross_entropy``: softmax output, L = -(1/N) sum_n log softmax(z_n)[y_n];
  delta = (softmax(z) - T) / N with T the one-hot targets.
- ``mse``: output a = g(z) with g in {sigmoid, linear, tanh}; L = (1/N) sum_n 1/2 |a_n - t_n|^2;
  delta = (a - T) * g'(z) / N.
- ``bce``: sigmoid output; L = -(1/N) sum_n sum_k [t log a + (1-t) log(1-a)], computed from the
  logits as max(z,0) - z t + log(1 + exp(-|z|)), which never overflows; delta = (sigmoid(z) - T) / N.

With one output unit (K = 1, only for mse and bce) the target is the label itself (0 or 1).

Regression (``problem="regression"``, mse only): the targets T are the real numbers y given,
not one-hot classes; L and delta_L are the same formulas. L = 1/2 mean_n |a_n - t_n|^2 is half
the usual mean squared error per output (TensorFlow Playground's square loss is the same
1/2 (output - target)^2): the 1/2 makes delta_L = (a - T) g'(z) / N with no factor 2.
"""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, Activation, sigmoid

LOSSES = ("cross_entropy", "mse", "bce")
MSE_OUTPUTS = ("sigmoid", "linear", "tanh")
PROBLEMS = ("classification", "regression")


def one_hot(y: np.ndarray, k: int, dtype) -> np.ndarray:
    """Integer labels (N,) -> targets (N, k); with k == 1 the label itself as a column."""
    if k == 1:
        return y.astype(dtype).reshape(-1, 1)
    t = np.zeros((y.shape[0], k), dtype=dtype)
    t[np.arange(y.shape[0]), y] = 1
    return t


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, K) logits. Subtracting the row max keeps exp from overflowing."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


class Loss:
    """Base class. Subclasses implement ``output``, ``value`` and ``value_and_delta``."""

    name = ""
    output_name = ""  # the output activation, for display
    delta_formula = ""  # LaTeX of delta_L, for the shape ledger

    def output(self, z: np.ndarray) -> np.ndarray:
        """Output activations (N, K) from output pre-activations z (N, K)."""
        raise NotImplementedError

    def value(self, z: np.ndarray, y: np.ndarray) -> float:
        """Mean loss over the batch."""
        raise NotImplementedError

    def value_and_delta(self, z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """(mean loss, delta_L (N, K) = dL/dz_L)."""
        raise NotImplementedError


class CrossEntropy(Loss):
    name = "cross_entropy"
    output_name = "softmax"
    delta_formula = r"\frac{1}{N}\left(\mathrm{softmax}(z_L) - T\right)"

    def output(self, z):
        return softmax(z)

    def value(self, z, y):
        """L = mean_n [log sum_k e^{z_nk} - z_{n,y_n}], rewritten twice (both exact algebra):

        1. subtract the row max m:  log sum_k e^{z_k} = m + log sum_k e^{z_k - m},
           so exp never overflows (the usual "log-sum-exp trick");
        2. the max's own term is e^0 = 1:  log sum_k e^{z_k - m} = log1p(s), with s the sum
           over the other classes. A confident net has s ~ 1e-8: log(1 + s) would round 1 + s
           to float64 first and keep only ~1e-16 of absolute precision, so the loss of a
           well-trained net (~1e-7) was noise in its last digits and the gradient check, which
           differentiates it numerically, called a correct gradient "suspicious". log1p(s)
           keeps s's full relative precision.
        """
        N = z.shape[0]
        rows = np.arange(N)
        top = z.argmax(axis=1)
        e = z - z[rows, top][:, None]            # (N, K), <= 0, exactly 0 at the row max
        others = np.exp(e)
        others[rows, top] = 0.0                  # s: every class but the max
        log_sum = np.log1p(others.sum(axis=1))   # = log sum_k e^{z_k - m}
        return float((log_sum - e[rows, y]).sum() / N)

    def value_and_delta(self, z, y):
        """delta_L = (softmax(z) - T) / N."""
        N, K = z.shape
        return self.value(z, y), (softmax(z) - one_hot(y, K, z.dtype)) / N


class MeanSquaredError(Loss):
    name = "mse"
    delta_formula = r"\frac{1}{N}\left(a_L - T\right)\odot g'(z_L)"

    def __init__(self, output_activation: str = "sigmoid", problem: str = "classification"):
        self.act: Activation = ACTIVATIONS[output_activation]
        self.output_name = output_activation
        self.problem = problem

    def targets(self, y: np.ndarray, k: int, dtype) -> np.ndarray:
        """T (N, k): one-hot classes, or for regression the real targets y themselves."""
        if self.problem == "regression":
            return np.asarray(y, dtype=dtype).reshape(-1, k)
        return one_hot(y, k, dtype)

    def output(self, z):
        return self.act.forward(z)

    def value(self, z, y):
        diff = self.act.forward(z) - self.targets(y, z.shape[1], z.dtype)
        return float(0.5 * np.vdot(diff, diff) / z.shape[0])

    def value_and_delta(self, z, y):
        a = self.act.forward(z)
        diff = a - self.targets(y, z.shape[1], z.dtype)
        loss = float(0.5 * np.vdot(diff, diff) / z.shape[0])
        delta = self.act.backward(diff, z, a)
        return loss, delta / z.shape[0]


class BinaryCrossEntropy(Loss):
    name = "bce"
    output_name = "sigmoid"
    delta_formula = r"\frac{1}{N}\left(\sigma(z_L) - T\right)"

    def output(self, z):
        return sigmoid(z)

    def value(self, z, y):
        t = one_hot(y, z.shape[1], z.dtype)
        # -[t log s(z) + (1-t) log(1-s(z))] == max(z,0) - z t + log1p(exp(-|z|)), exact and
        # finite for |z| in the thousands where log(sigmoid(z)) would give -inf.
        per = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        return float(per.sum() / z.shape[0])

    def value_and_delta(self, z, y):
        t = one_hot(y, z.shape[1], z.dtype)
        per = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        delta = sigmoid(z) - t
        delta /= z.shape[0]
        return float(per.sum() / z.shape[0]), delta


def make_loss(name: str, output_activation: str | None = None, problem: str = "classification") -> Loss:
    """Build a loss by name; ``output_activation`` only applies to ``"mse"`` (default sigmoid,
    linear for regression). ``problem="regression"`` (real targets) needs ``"mse"``."""
    if name not in LOSSES:
        raise ValueError(f"loss: unknown loss {name!r}; choose one of {', '.join(LOSSES)}.")
    if problem not in PROBLEMS:
        raise ValueError(f"problem: unknown value {problem!r}; choose one of {', '.join(PROBLEMS)}.")
    if problem == "regression" and name != "mse":
        raise ValueError(f"loss: regression predicts real numbers, so it needs the mse loss (got {name!r}; "
                         f"cross_entropy and bce compare class probabilities with class labels).")
    if name == "mse":
        out = output_activation
        if out is None:
            out = "linear" if problem == "regression" else "sigmoid"
        if out not in MSE_OUTPUTS:
            raise ValueError(
                f"output_activation: {out!r} is not allowed for mse; "
                f"choose one of {', '.join(MSE_OUTPUTS)}."
            )
        return MeanSquaredError(out, problem)
    if output_activation is not None and output_activation != ("softmax" if name == "cross_entropy" else "sigmoid"):
        raise ValueError(
            f"output_activation: only the 'mse' loss takes an output activation; "
            f"{name} always uses {'softmax' if name == 'cross_entropy' else 'sigmoid'} "
            f"(got {output_activation!r}). Pass None."
        )
    return CrossEntropy() if name == "cross_entropy" else BinaryCrossEntropy()
