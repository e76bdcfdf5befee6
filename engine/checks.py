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


def check_targets(name: str, y, n_rows: int, n_out: int) -> np.ndarray:
    """Regression targets: real numbers, (n_rows,) for one output unit or (n_rows, n_out).
    Returned as float64 of the shape given ((N,) stays (N,)): the loss reshapes them to
    (N, n_out)."""
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: regression targets must be numbers, one per row of X "
                         f"(shape ({n_rows},) or ({n_rows}, {n_out})).") from None
    shapes = [(n_rows, n_out)] + ([(n_rows,)] if n_out == 1 else [])
    if y.shape not in shapes:
        want = " or ".join(str(s) for s in shapes)
        raise ValueError(f"{name}: expected targets of shape {want}, one row per row of X and one column per "
                         f"output unit, but got shape {y.shape}.")
    if not np.isfinite(y).all():
        raise ValueError(f"{name}: contains NaN or infinite values; every target must be a finite number.")
    return y


def check_flag(name: str, value) -> bool:
    """Anything truthy is True (as torch.optim takes ``nesterov``)."""
    return bool(value)


def check_bool(name: str, value) -> bool:
    """Strictly True or False (a per-layer switch like ``batch_norm``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}.")
    return bool(value)


def check_rate(name: str, value) -> float:
    """A probability in [0, 1), e.g. a dropout rate."""
    return check_real(name, value, low=0.0, high=1.0, high_open=True)


def check_betas(name: str, value) -> tuple[float, float]:
    """Adam's (beta1, beta2), each in [0, 1)."""
    try:
        b1, b2 = value
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected two numbers like (0.9, 0.999), got {value!r}.") from None
    return check_rate(f"{name}[0]", b1), check_rate(f"{name}[1]", b2)


def check_optional_int(name: str, value, low: int) -> int | None:
    return None if value is None else check_int(name, value, low)


class Setting:
    """A validated attribute, checked on every assignment (a data descriptor):

        class SGD:
            lr = Setting(check_real, "lr (learning rate)", low=0.0)

    ``opt.lr = 0.01`` stores the checked value; ``opt.lr = -1`` raises ValueError with the
    sentence of ``check``. Keeps the classes that use it free of property boilerplate."""

    def __init__(self, check, label: str, **limits):
        self.check, self.label, self.limits = check, label, limits

    def __set_name__(self, owner, name):
        self.attr = "_" + name  # where the value lives on the instance (vars(obj) shows it)

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(obj, self.attr)

    def __set__(self, obj, value):
        setattr(obj, self.attr, self.check(self.label, value, **self.limits))


def per_layer(name: str, value, n_hidden: int, check) -> list:
    """One value for every hidden layer, or a list with one per layer -> a list of n_hidden."""
    if isinstance(value, (list, tuple)):
        if len(value) != n_hidden:
            raise ValueError(f"{name}: got {len(value)} values {list(value)!r} but the network has {n_hidden} "
                             f"hidden layer{'s' if n_hidden != 1 else ''}; give one per hidden layer or a "
                             f"single value for all.")
        return [check(f"{name}[{i}]", v) for i, v in enumerate(value)]
    return [check(name, value)] * n_hidden


def check_sizes(sizes) -> list[int]:
    """[n_in, hidden..., n_out]: at least two entries, each a whole number >= 1."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise ValueError(f"sizes: expected a list like [2, 8, 2] (inputs, hidden units..., outputs), got {sizes!r}.")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes: needs at least an input and an output size, like [2, 2]; got {sizes!r}.")
    return [check_int(f"sizes[{i}]", s, 1) for i, s in enumerate(sizes)]


def check_dtype(dtype) -> np.dtype:
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype: got {dtype!r}; choose np.float64 or np.float32.")
    return np.dtype(dtype)


def parse_hidden_spec(text: str, max_layers: int = 6, max_units: int = 256) -> list[int]:
    """'8, 8' or '8-8' or '8 8' -> [8, 8]; '' -> []. ValueError with a clear sentence otherwise."""
    cleaned = str(text).replace("-", " ").replace(",", " ").replace("x", " ").split()
    units = []
    for tok in cleaned:
        try:
            units.append(int(tok))
        except ValueError:
            raise ValueError(f"hidden layers: {tok!r} is not a whole number; write sizes like '8, 8'.") from None
    if len(units) > max_layers:
        raise ValueError(f"hidden layers: {len(units)} layers given, at most {max_layers} are allowed.")
    for u in units:
        if not 1 <= u <= max_units:
            raise ValueError(f"hidden layers: {u} units in a layer; each layer needs 1 to {max_units} units.")
    return units
