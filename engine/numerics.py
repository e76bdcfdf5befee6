"""Overflow plumbing, kept out of the maths files: squared norms that stay honest in float32,
and the check that refuses a non-finite update before it reaches the parameters.

Why it is needed: in float32 a sum of squares passes float32's max (3.4e38) and becomes inf
while every entry is finite (a gradient of entries ~2e19), and lr * g can overflow float32 although
its float64 norm is finite. Both would make a healthy-looking step write inf into the weights.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import Diverged

_DTYPE_MAX = {np.dtype(np.float32): float(np.finfo(np.float32).max)}


def sqnorm(a: np.ndarray) -> float:
    """||a||^2 as a Python float. In float32 the sum of squares overflows to inf once it
    passes 3.4e38 although every entry is finite: then it is recomputed in float64."""
    v = float(np.vdot(a, a))
    if math.isinf(v) and a.dtype != np.float64 and np.isfinite(a).all():
        a64 = a.astype(np.float64)
        v = float(np.vdot(a64, a64))
    return v


def update_sqnorm(u: np.ndarray) -> float:
    """||u||^2 of an update, capped like the sum of squares of its dtype itself: a float32
    update whose norm passes float32's max (3.4e38) is treated as overflowed (the parameters
    would be next)."""
    v = sqnorm(u)
    return math.inf if v > _DTYPE_MAX.get(u.dtype, math.inf) else v


def checked_update_sqnorms(optimizer, updates, names=None) -> list[float]:
    """||update||^2 per parameter, or Diverged (naming the parameter) if one is not finite.

    A finite sum of squares means every entry is finite and < ~1e154, so p - u cannot overflow
    either (given finite p): checking the norms keeps the parameters finite."""
    sq = [update_sqnorm(u) for u in updates]
    if not all(map(math.isfinite, sq)):
        bad = next(i for i, v in enumerate(sq) if not math.isfinite(v))
        name = names[bad] if names is not None else f"parameter {bad + 1}"
        detail = f"the {optimizer.name} update of {name} is not a finite number (learning rate {optimizer.lr:g})"
        raise Diverged(detail + " — lower the learning rate.", reason="update", detail=detail)
    return sq


__all__ = ["checked_update_sqnorms", "sqnorm", "update_sqnorm"]
