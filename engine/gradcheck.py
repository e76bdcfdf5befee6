"""Numerical gradient check: backprop's gradients against central differences, in float64.

For a parameter entry w the numerical derivative is (L(w + eps) - L(w - eps)) / (2 eps), whose
error is O(eps^2) (one-sided differences have O(eps)). The check runs on a float64 copy of the
network in train mode, with BatchNorm on the batch statistics and dropout on fixed masks (the
same function backprop differentiated), so the user's model never changes.

Per parameter array we report the max relative error
    max_i |analytic_i - numeric_i| / max(max_i |analytic_i|, max_i |numeric_i|),
the largest entry error relative to the array's gradient scale: entries whose gradient is ~0
(dead ReLUs) cannot blow it up, while a wrong factor, sign or shape anywhere shows.
Below 1e-7 the backprop is right; above 1e-4 it is broken.

Rounding noise: each loss evaluation is exact only to a few units of float64 rounding,
u |L| with u = 1.1e-16, and dividing by 2 eps magnifies that to ~u |L| / eps (7e-12 for
eps = 1e-5, L = 0.7). When a whole array's gradient is that small (a deep sigmoid net at a
tiny init, or a dense bias just before BatchNorm, whose true gradient is exactly 0) the
*relative* error compares two noise values and means nothing; such an array is judged by its
absolute error against the noise floor instead, and reported as "within rounding noise" or
"zero both ways".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .checks import check_features, check_int, check_labels, check_real

GOOD, BROKEN = 1e-7, 1e-4
ROUNDING = 16 * np.finfo(np.float64).eps  # a few roundings per loss evaluation, with margin


@dataclass
class ParamCheck:
    """One parameter array's check. ``checked`` of ``size`` entries were compared."""

    name: str  # "W1", "b1", "gamma1", ...
    shape: tuple
    checked: int
    size: int
    max_rel_error: float
    max_abs_error: float
    scale: float  # max |gradient| of the array
    worst_index: tuple
    analytic: float  # at the worst entry
    numeric: float
    noise: float = 0.0  # the central difference's rounding-noise floor for this check

    @property
    def sampled(self) -> bool:
        return self.checked < self.size

    @property
    def within_noise(self) -> bool:
        """The analytic and numeric gradients differ by no more than rounding noise."""
        return math.isfinite(self.max_abs_error) and self.max_abs_error <= self.noise

    @property
    def note(self) -> str:
        if self.within_noise and self.scale <= self.noise:
            return "zero both ways"
        if self.within_noise and self.max_rel_error >= GOOD:
            return "within rounding noise"
        return ""

    @property
    def verdict(self) -> str:
        return "good" if self.within_noise else verdict(self.max_rel_error)


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
        """The largest relative error of the arrays whose difference is above rounding noise
        (0 when every array agrees within noise)."""
        errs = [p.max_rel_error for p in self.params if not p.within_noise]
        return math.inf if any(not math.isfinite(e) for e in errs) else max(errs, default=0.0)

    @property
    def ok(self) -> bool:
        return all(p.verdict == "good" for p in self.params)

    @property
    def sampled(self) -> bool:
        return any(p.sampled for p in self.params)

    def frame(self):
        """pandas DataFrame, one row per parameter array (for tables)."""
        import pandas as pd

        return pd.DataFrame([{
            "parameter": p.name, "shape": "×".join(map(str, p.shape)),
            "checked": f"{p.checked}/{p.size}", "max rel. error": p.max_rel_error,
            "analytic (worst)": p.analytic, "numeric (worst)": p.numeric,
            "verdict": p.verdict + (f" ({p.note})" if p.note else ""),
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


def gradient_check(net, X, y, eps: float = 1e-6, max_entries: int = 300, seed: int = 0,
                   dropout_masks=None) -> GradCheckReport:
    """Compare ``net``'s backprop gradients on (X, y) with central differences.

    X (N, n_in), y (N,) int. Arrays with more than ``max_entries`` entries are checked on a
    random sample of that many entries (reported as ``checked`` < ``size``); each entry costs
    two train-mode forward passes. With dropout, ``dropout_masks`` (one (N, n_l) bool array or
    None per hidden layer) fixes the masks; by default one set is drawn and used throughout.
    Works on a float64 copy: ``net`` is never modified.
    """
    eps = check_real("eps", eps, low=0.0, low_open=True)
    max_entries = check_int("max_entries", max_entries, 1)
    work = net.copy(dtype=np.float64)
    X = check_features("X", X, work.sizes[0], np.float64)
    y = check_labels("y", y, X.shape[0], work.sizes[-1])
    with np.errstate(all="ignore"):  # a broken (bug-zoo) net may overflow; that is the finding
        loss, _ = work.gradients(X, y, dropout_masks=dropout_masks)
        masks = work.last_dropout_masks  # the masks backprop used: the numerical loss uses them too
        grads = dict(work.named_grads())
        kinks = _near_kinks(work, eps)
        noise = ROUNDING * max(abs(float(loss)), np.finfo(np.float64).tiny) / eps
        rng = np.random.default_rng(seed)
        results = []
        for name, P in work.named_params():
            G = grads[name]
            flat = P.reshape(-1)  # a view: perturbing it perturbs the network
            if flat.size > max_entries:
                idx = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
            else:
                idx = np.arange(flat.size)
            numeric = np.empty(len(idx))
            for j, i in enumerate(idx):
                old = flat[i]
                flat[i] = old + eps
                lp = work.loss(X, y, train=True, dropout_masks=masks)
                flat[i] = old - eps
                lm = work.loss(X, y, train=True, dropout_masks=masks)
                flat[i] = old
                numeric[j] = (lp - lm) / (2 * eps)
            analytic = np.asarray(G, dtype=np.float64).reshape(-1)[idx] if np.size(G) == flat.size \
                else np.full(len(idx), np.nan)
            rel, absd, scale, w = _rel_error(analytic, numeric)
            results.append(ParamCheck(name, P.shape, len(idx), flat.size, rel, absd, scale,
                                      np.unravel_index(int(idx[w]), P.shape), float(analytic[w]),
                                      float(numeric[w]), noise))
    return GradCheckReport(results, eps, X.shape[0], float(loss), kinks)


def _near_kinks(net, eps: float) -> int:
    """How many ReLU / leaky-ReLU inputs z (over samples and units) of the pass just made are
    so close to 0 that a ±eps nudge of a weight can move them across the kink. There f is not
    differentiable, the central difference averages two slopes, and a mismatch is expected
    without any bug (typical right after init, when biases are exactly 0)."""
    count = 0
    for l, act in enumerate(net.act):
        if act.name in ("relu", "leaky_relu") and act.z is not None:
            x_in = net.dense[l].x
            reach = eps * (1.0 + float(np.abs(x_in).max(initial=0.0)))
            if net.bn[l] is not None:  # BatchNorm rescales the nudge by gamma / std
                _, inv_std, _, _ = net.bn[l].cache
                reach *= float(np.abs(net.bn[l].gamma * inv_std).max(initial=1.0))
            count += int(np.count_nonzero(np.abs(act.z) <= reach))
    return count
