"""Numerical gradient check: backprop's gradients against central differences, in float64.

For a parameter entry w the numerical derivative is (L(w + eps) - L(w - eps)) / (2 eps), whose
error is O(eps^2) (one-sided differences have O(eps)); float64 keeps the rounding error of the
difference near 1e-16 |L| / eps ~ 1e-10, far below any real bug. The check runs on a float64
copy of the network, so the user's model never changes.

Per parameter array we report the max relative error
    max_i |analytic_i - numeric_i| / max(max_i |analytic_i|, max_i |numeric_i|),
i.e. the largest entry error relative to the array's gradient scale: entries whose gradient
is ~0 (dead ReLUs) cannot blow it up, while a wrong factor, sign or shape anywhere shows.
Below 1e-7 the backprop is right; above 1e-4 it is broken.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .checks import check_features, check_int, check_labels, check_real
from .layers import dense_forward

GOOD, BROKEN = 1e-7, 1e-4


@dataclass
class ParamCheck:
    """One parameter array's check. ``checked`` of ``size`` entries were compared."""

    name: str  # "W1", "b1", ...
    shape: tuple
    checked: int
    size: int
    max_rel_error: float
    max_abs_error: float
    scale: float  # max |gradient| of the array
    worst_index: tuple
    analytic: float  # at the worst entry
    numeric: float

    @property
    def sampled(self) -> bool:
        return self.checked < self.size

    @property
    def verdict(self) -> str:
        return verdict(self.max_rel_error)


def verdict(rel: float) -> str:
    """"good" (< 1e-7), "suspicious", or "broken" (> 1e-4, or not a number)."""
    if not math.isfinite(rel) or rel > BROKEN:
        return "broken"
    return "good" if rel < GOOD else "suspicious"


@dataclass
class GradCheckReport:
    params: list[ParamCheck]
    eps: float
    n_samples: int
    loss: float
    near_kinks: int = 0  # ReLU-type pre-activations within reach of their kink at 0 (see below)

    @property
    def max_rel_error(self) -> float:
        errs = [p.max_rel_error for p in self.params]
        return math.inf if any(not math.isfinite(e) for e in errs) else max(errs, default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_rel_error < GOOD

    @property
    def sampled(self) -> bool:
        return any(p.sampled for p in self.params)

    def frame(self):
        """pandas DataFrame, one row per parameter array (for tables)."""
        import pandas as pd

        return pd.DataFrame([{
            "parameter": p.name, "shape": "×".join(map(str, p.shape)),
            "checked": f"{p.checked}/{p.size}", "max rel. error": p.max_rel_error,
            "analytic (worst)": p.analytic, "numeric (worst)": p.numeric, "verdict": p.verdict,
        } for p in self.params])


def _rel_error(a: np.ndarray, n: np.ndarray):
    diff = np.abs(a - n)
    scale = max(float(np.abs(a).max(initial=0)), float(np.abs(n).max(initial=0)))
    if not np.isfinite(diff).all() or not math.isfinite(scale):
        return math.inf, math.inf, scale, int(np.argmax(~np.isfinite(diff)))
    worst = int(np.argmax(diff))
    dmax = float(diff[worst])
    if scale == 0.0:
        return (0.0 if dmax == 0.0 else math.inf), dmax, scale, worst
    return dmax / scale, dmax, scale, worst


def _loss_from(net, l: int, a_prev: np.ndarray, y: np.ndarray) -> float:
    """The loss recomputed from layer l (0-based) on, given its unchanged input a_prev (N, n_l):
    perturbing W_l or b_l cannot change anything before it, so that part is reused."""
    a = a_prev
    for k in range(l, net.n_layers):
        z, _ = dense_forward(a, net.weights[k], net.biases[k])
        if k < net.n_layers - 1:
            a = net.hidden[k].forward(z)
    return net.loss_fn.value(z, y)


def gradient_check(net, X, y, eps: float = 1e-6, max_entries: int = 300, seed: int = 0) -> GradCheckReport:
    """Compare ``net``'s backprop gradients on (X, y) with central differences.

    X (N, n_in), y (N,) int. Arrays with more than ``max_entries`` entries are checked on a
    random sample of that many entries (reported as ``checked`` < ``size``); the rest cost one
    forward pass per entry and side. Works on a float64 copy: ``net`` is never modified.
    """
    eps = check_real("eps", eps, low=0.0, low_open=True)
    max_entries = check_int("max_entries", max_entries, 1)
    work = net.copy(dtype=np.float64)
    X = check_features("X", X, work.sizes[0], np.float64)
    y = check_labels("y", y, X.shape[0], work.sizes[-1])
    with np.errstate(all="ignore"):  # a broken (bug-zoo) net may overflow; that is the finding
        loss, grads = work.gradients(X, y)
        zs, inputs, _ = work._forward_cache(X)  # a_0..a_{L-1}: each layer's input
        kinks = _near_kinks(work, zs, inputs, eps)
        rng = np.random.default_rng(seed)
        results = []
        for l, (W, b) in enumerate(zip(work.weights, work.biases)):
            for pname, P, G in ((f"W{l + 1}", W, grads[l][0]), (f"b{l + 1}", b, grads[l][1])):
                flat = P.reshape(-1)  # a view: perturbing it perturbs the network
                if flat.size > max_entries:
                    idx = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
                else:
                    idx = np.arange(flat.size)
                numeric = np.empty(len(idx))
                for j, i in enumerate(idx):
                    old = flat[i]
                    flat[i] = old + eps
                    lp = _loss_from(work, l, inputs[l], y)
                    flat[i] = old - eps
                    lm = _loss_from(work, l, inputs[l], y)
                    flat[i] = old
                    numeric[j] = (lp - lm) / (2 * eps)
                analytic = np.asarray(G, dtype=np.float64).reshape(-1)[idx] if np.size(G) == flat.size \
                    else np.full(len(idx), np.nan)
                rel, absd, scale, w = _rel_error(analytic, numeric)
                results.append(ParamCheck(pname, P.shape, len(idx), flat.size, rel, absd, scale,
                                          np.unravel_index(int(idx[w]), P.shape), float(analytic[w]),
                                          float(numeric[w])))
    return GradCheckReport(results, eps, X.shape[0], float(loss), kinks)


def _near_kinks(net, zs, inputs, eps: float) -> int:
    """How many ReLU / leaky-ReLU pre-activations z (over samples and units) are so close to 0
    that a ±eps nudge of a weight can move them across the kink. There f is not
    differentiable, the central difference averages two slopes, and a mismatch is expected
    without any bug (typical right after init, when biases are exactly 0)."""
    count = 0
    for l, act in enumerate(net.hidden):
        if act.name in ("relu", "leaky_relu"):
            reach = eps * (1.0 + float(np.abs(inputs[l]).max(initial=0.0)))
            count += int(np.count_nonzero(np.abs(zs[l]) <= reach))
    return count
