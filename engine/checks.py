"""Argument checks shared by the engine. Each raises ValueError with one sentence a student
understands: which argument, what was given, what is allowed."""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def check_int(name: str, value, low: int, high: int | None = None) -> int:
    """An integer in [low, high] (high None = no upper bound)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name}: expected a whole number, got {value!r}.")
    value = int(value)
    if value < low or (high is not None and value > high):
        allowed = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name}: got {value}, but it must be {allowed}.")
    return value


def check_real(name: str, value, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in the given (open or closed) interval."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ValueError(f"{name}: expected a finite number, got {value!r}.")
    value = float(value)
    bad_low = low is not None and (value <= low if low_open else value < low)
    bad_high = high is not None and (value >= high if high_open else value > high)
    if bad_low or bad_high:
        lo = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high is None else f"{'<' if high_open else '<='} {high:g}"
        rule = " and ".join(p for p in (lo, hi) if p)
        raise ValueError(f"{name}: got {value:g}, but it must be {rule}.")
    return value


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name}: unknown value {value!r}; choose one of {', '.join(map(str, choices))}.")
    return value


def check_features(name: str, X, n_in: int, dtype) -> np.ndarray:
    """X must be a finite (N, n_in) array with N >= 1; returns it as ``dtype`` (no copy if it is)."""
    try:
        X = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a numeric array of shape (N, {n_in}).") from None
    if X.ndim != 2 or X.shape[1] != n_in or X.shape[0] < 1:
        raise ValueError(
            f"{name}: expected shape (N, {n_in}) with N >= 1 — one row per sample, "
            f"{n_in} input features — but got shape {X.shape}."
        )
    if not np.isfinite(X).all():
        raise ValueError(f"{name}: contains NaN or infinite values; every input must be a finite number.")
    return X


def check_labels(name: str, y, n_rows: int, n_classes: int) -> np.ndarray:
    """y must be integer class indices (n_rows,) in [0, n_classes); n_classes 1 means labels 0/1."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_rows:
        raise ValueError(f"{name}: expected {n_rows} labels, one per row of X (shape ({n_rows},)), "
                         f"but got shape {y.shape}.")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or not np.all(y == np.round(y)):
            raise ValueError(f"{name}: labels must be whole class numbers 0, 1, 2, ...; got non-integers.")
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iub":
        raise ValueError(f"{name}: labels must be integer class numbers, got dtype {y.dtype}.")
    top = max(n_classes, 2)
    if y.size and (y.min() < 0 or y.max() >= top):
        raise ValueError(
            f"{name}: labels must lie in 0..{top - 1} for a network with {n_classes} output "
            f"unit{'s' if n_classes > 1 else ''}, but they range from {y.min()} to {y.max()}."
        )
    return y.astype(np.intp, copy=False)
