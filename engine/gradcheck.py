"""Numerical gradient check: backprop's gradients against finite differences, in float64.

For a parameter entry w the central difference

    D(eps) = (L(w + eps) - L(w - eps)) / (2 eps)  =  dL/dw + c eps^2 + O(eps^4)

is the textbook numerical derivative (a one-sided difference has an O(eps) error). Its error
term c eps^2 (c: a sixth of the third derivative) is negligible unless the loss bends sharply
on the scale of eps, but that happens: BatchNorm on a batch of two maps each unit to
x_hat = +-d / sqrt(d^2 + 1e-5) (d: half the two samples' difference), which turns over within
|d| ~ sqrt(1e-5) ~ 3e-3, and there D(1e-5) is off by ~1e-5 relative: a correct gradient looked
"suspicious". So an entry where backprop and D(eps) disagree gets a second look: D(2 eps),
whose error is 4 c eps^2. If the two differ by more than rounding noise, the eps^2 term is real
and Richardson's extrapolation

    numeric = (4 D(eps) - D(2 eps)) / 3  =  dL/dw + O(eps^4)

cancels it; a real bug survives the extrapolation, a bend does not. (Extrapolating every
entry would double the check's cost and add rounding noise where nothing bends.) The check
runs on a float64 copy of the network in train mode, with BatchNorm on the batch statistics
and dropout on fixed masks (the same function backprop differentiated), so the user's model
never changes.

Per parameter array we report the max relative error
    max_i |analytic_i - numeric_i| / max(max_i |analytic_i|, max_i |numeric_i|),
the largest entry error relative to the array's gradient scale: entries whose gradient is ~0
(dead ReLUs) cannot blow it up, while a wrong factor, sign or shape anywhere shows.
Verdicts: below 1e-7 "good" (backprop is right), above 1e-4 "broken", between "suspicious".

Rounding noise: each loss evaluation is exact only to a few units of float64 rounding,
u |L| with u = 1.1e-16, and dividing by eps magnifies that to ~u |L| / eps (7e-12 for
eps = 1e-5, L = 0.7; up to 1.5 times that after an extrapolation). When a whole array's
gradient is that small (a deep sigmoid net at a tiny init, or a dense bias just before
BatchNorm, whose true gradient is exactly 0) the *relative* error compares two noise values
and means nothing; such
an array is judged by its absolute error against the noise floor instead: "good", noted
"within rounding noise" or "zero both ways". ``summary`` turns the rows into the sentence the
app shows above the table, from the same verdicts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .checks import check_features, check_int, check_real

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


VERDICTS = ("good", "suspicious", "broken")  # from best to worst
def _power(x: float) -> str:
    return f"{x:.0e}".replace("e-0", "e-")  # 1e-07 -> 1e-7


RULES = {"good": f"relative error below {_power(GOOD)}",
         "suspicious": f"relative error between {_power(GOOD)} and {_power(BROKEN)}",
         "broken": f"relative error above {_power(BROKEN)}"}


def summary(params: list[ParamCheck]) -> tuple[str, str]:
    """(verdict, sentence) for a table of ParamChecks, built from the rows' own verdicts: the
    verdict is the worst row's; the sentence names the rows that decide it, quotes the largest
    relative error of the table, and says why each noted row is good despite its relative error."""
    if not params:
        return "good", "Nothing to check: the network has no parameters."
    v = max((p.verdict for p in params), key=VERDICTS.index)
    parts = [f"**good**: all {len(params)} arrays agree."] if v == "good" else []
    for worse in ("broken", "suspicious"):
        rows = [p for p in params if p.verdict == worse]
        if rows:
            parts.append(f"**{worse}**: {_names(rows)} ({RULES[worse]}).")
    for note in ("zero both ways", "within rounding noise"):
        rows = [p for p in params if p.note == note]
        if rows:
            top = max(rows, key=_rel_key)
            what = ("the exact gradient is 0 and both sides give rounding noise around it" if note == "zero both ways"
                    else "the gradients are so small that both sides differ by less than rounding noise")
            parts.append(f"{_names(rows)}: {note} (relative error up to {top.max_rel_error:.2e}, in "
                         f"{top.name}) — {what} (a central difference's noise floor here: {top.noise:.1e}); "
                         f"a relative error of two noise values means nothing, so they count as good.")
    plain = [p for p in params if not p.note]
    if plain:
        top = max(plain, key=_rel_key)
        which = "The other arrays' largest" if len(plain) < len(params) else "Largest"
        parts.append(f"{which} relative error: {top.max_rel_error:.2e} ({top.name}).")
    return v, " ".join(parts)


def _names(rows) -> str:
    return ", ".join(p.name for p in rows)


def _rel_key(p: ParamCheck) -> float:
    return p.max_rel_error if not math.isnan(p.max_rel_error) else math.inf


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

    X (N, n_in), y (N,) int (regression: real targets). Arrays with more than ``max_entries``
    entries are checked on a random sample of that many entries (reported as ``checked`` <
    ``size``); each entry costs two train-mode forward passes (two more for an entry that gets
    a second look). With dropout, ``dropout_masks`` (one (N, n_l) bool array or None per
    hidden layer) fixes the masks; by default one set is drawn and used throughout. Works on
    a float64 copy: ``net`` is never modified.
    """
    eps = check_real("eps", eps, low=0.0, low_open=True)
    max_entries = check_int("max_entries", max_entries, 1)
    work = net.copy(dtype=np.float64)
    X = check_features("X", X, work.n_inputs, np.float64)
    y = work.check_targets("y", y, X.shape[0])
    with np.errstate(all="ignore"):  # a broken (bug-zoo) net may overflow; that is the finding
        loss, _ = work.gradients(X, y, dropout_masks=dropout_masks)
        masks = work.last_dropout_masks  # the masks backprop used: the numerical loss uses them too
        grads = dict(work.named_grads())
        kinks = _near_kinks(work, eps)
        # each loss evaluation is exact to ~ROUNDING |L|, so D(eps) to ROUNDING |L| / eps
        noise = ROUNDING * max(abs(float(loss)), np.finfo(np.float64).tiny) / eps

        def central(flat, i, h):
            """D(h) = (L(w + h) - L(w - h)) / 2h for entry i of a parameter array (``flat`` is
            a view: perturbing it perturbs the network; the entry is put back bit for bit)."""
            old = flat[i]
            flat[i] = old + h
            lp = work.loss(X, y, train=True, dropout_masks=masks)
            flat[i] = old - h
            lm = work.loss(X, y, train=True, dropout_masks=masks)
            flat[i] = old
            return (lp - lm) / (2 * h)

        rng = np.random.default_rng(seed)
        results = []
        for name, P in work.named_params():
            G = grads[name]
            flat = P.reshape(-1)
            if flat.size > max_entries:
                idx = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
            else:
                idx = np.arange(flat.size)
            analytic = np.asarray(G, dtype=np.float64).reshape(-1)[idx] if np.size(G) == flat.size \
                else np.full(len(idx), np.nan)
            numeric = np.array([central(flat, i, eps) for i in idx])
            floor = noise
            # A second look where the two disagree beyond "good": the same difference at 2 eps.
            # If D(2 eps) and D(eps) differ by more than their rounding (1.5 noise), the eps^2
            # term is really there and Richardson's (4 D(eps) - D(2 eps)) / 3 removes it (its
            # own rounding is up to 4/3 + 1/6 = 1.5 times D(eps)'s). A real bug survives this.
            _, _, scale, _ = _rel_error(analytic, numeric)
            for j in np.flatnonzero(np.abs(analytic - numeric) > max(GOOD * scale, noise)):
                wide = central(flat, idx[j], 2 * eps)
                if abs(wide - numeric[j]) > 1.5 * noise:
                    numeric[j] = (4 * numeric[j] - wide) / 3
                    floor = 1.5 * noise
            rel, absd, scale, w = _rel_error(analytic, numeric)
            results.append(ParamCheck(name, P.shape, len(idx), flat.size, rel, absd, scale,
                                      np.unravel_index(int(idx[w]), P.shape), float(analytic[w]),
                                      float(numeric[w]), floor))
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
