"""How good a regression network's predictions are: R², the regression analogue of accuracy.

    R² = 1 - SS_res / SS_tot,   SS_res = sum_n (t_n - yhat_n)^2,   SS_tot = sum_n (t_n - mean(t))^2

the share of the targets' variance the network explains: 1 is a perfect fit, 0 is no better
than always predicting the mean target, below 0 is worse than that (an untrained network
usually is). Unlike the loss it has no units, so a fit of |x| (targets up to 3) and one of
sin x (targets within ±1) read on the same scale. With several outputs, the mean of each
output's R² (scikit-learn's default, "uniform_average").

A batch whose targets are all equal (a batch of one example, say) has SS_tot = 0 and no R²:
``r2_score`` returns None there instead of a number that would look like a measurement.
"""
from __future__ import annotations

import numpy as np


def r2_score(pred: np.ndarray, t: np.ndarray) -> float | None:
    """pred, t (N, K) (or (N,)) -> R² averaged over the K outputs; None if some output's
    targets have no variance in this batch. Computed in float64 (float32 nets too)."""
    pred = np.asarray(pred, dtype=np.float64).reshape(len(pred), -1)
    t = np.asarray(t, dtype=np.float64).reshape(pred.shape)
    ss_res = ((t - pred) ** 2).sum(axis=0)                 # (K,)
    ss_tot = ((t - t.mean(axis=0)) ** 2).sum(axis=0)       # (K,)
    if not (ss_tot > 0).all():
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging net: -inf or nan, said as it is
        return float(np.mean(1.0 - ss_res / ss_tot))


__all__ = ["r2_score"]
