"""Engineered input features: a point of the plane (x1, x2) turned into the inputs the first
layer sees. The seven are TensorFlow Playground's (src/playground.ts, INPUTS):

    name    shown as   formula          TF Playground
    x1      x₁         x1               x
    x2      x₂         x2               y
    x1x2    x₁x₂       x1 * x2          xTimesY
    x1sq    x₁²        x1 * x1          xSquared
    x2sq    x₂²        x2 * x2          ySquared
    sin1    sin x₁     sin(x1)          sinX
    sin2    sin x₂     sin(x2)          sinY

    A0 = feature_map(X, ("x1sq", "x2sq"))     # X (N, 2) -> A0 (N, k), k = number of names

Column j of A0 is feature names[j] of every row. The map has no parameters: it is fixed, so
backprop stops at A0 (the first dense layer z_1 = A0 W_1 + b_1 learns, nothing below it), and
the network's n_0 (the rows of W_1) is the number of features, not 2.

Why it is worth a toggle: a network without a hidden layer draws a straight line in its
*inputs*. Give it x1² and x2², and a straight line there, w1 x1² + w2 x2² + b = 0, is an
ellipse in the plane: the circles need no hidden layer any more. Features are the hand-made
alternative to depth — if you know the right ones.

Our points lie in about [-1.2, 1.2]², where sin x is close to x (sin 1 = 0.84); TF Playground's
lie in [-6, 6]², where sin x waves. The formulas are TF Playground's all the same, so a link
from there means the same network here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    name: str      # the share-link name: "x1sq"
    label: str     # what the student reads: "x₁²"
    tex: str       # the same in LaTeX (the shape ledger): "x_1^2"
    formula: str   # the NumPy expression, from the columns x1 = X[:, 0], x2 = X[:, 1]
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (x1 (N,), x2 (N,)) -> (N,)


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("x1", "x₁", "x_1", "x1", lambda x1, x2: x1),
    Feature("x2", "x₂", "x_2", "x2", lambda x1, x2: x2),
    Feature("x1x2", "x₁x₂", "x_1 x_2", "x1 * x2", lambda x1, x2: x1 * x2),
    Feature("x1sq", "x₁²", "x_1^2", "x1 * x1", lambda x1, x2: x1 * x1),
    Feature("x2sq", "x₂²", "x_2^2", "x2 * x2", lambda x1, x2: x2 * x2),
    Feature("sin1", "sin x₁", r"\sin x_1", "np.sin(x1)", lambda x1, x2: np.sin(x1)),
    Feature("sin2", "sin x₂", r"\sin x_2", "np.sin(x2)", lambda x1, x2: np.sin(x2)),
)}
FEATURE_NAMES = tuple(FEATURES)   # the canonical order (share links, the sidebar)
RAW = ("x1", "x2")                # the plain inputs: the map is the identity


def check_feature_names(names) -> tuple[str, ...]:
    """A non-empty sequence of distinct known feature names -> a tuple (in the given order),
    else ValueError with a sentence."""
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        raise ValueError(f"features: expected a list of names like ['x1sq', 'x2sq'], got {names!r}.")
    names = tuple(names)
    if not names:
        raise ValueError(f"features: choose at least one input feature (from {', '.join(FEATURE_NAMES)}).")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"features: unknown name {unknown[0]!r}; choose from {', '.join(FEATURE_NAMES)}.")
    if len(set(names)) != len(names):
        raise ValueError(f"features: {list(names)} names a feature twice; each may appear once.")
    return names


def feature_map(X: np.ndarray, names) -> np.ndarray:
    """X (N, 2) points of the plane -> A0 (N, k): column j is feature ``names[j]`` of each row,
    in X's dtype."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.stack([FEATURES[n].f(x1, x2) for n in names], axis=1).astype(X.dtype, copy=False)


def labels(names) -> list[str]:
    """["x₁²", "x₂²"]: what each input unit is, for the student."""
    return [FEATURES[n].label for n in names]


def describe(names) -> str:
    """"x₁², x₂²": the inputs in words."""
    return ", ".join(labels(names))


__all__ = ["FEATURES", "FEATURE_NAMES", "RAW", "Feature", "check_feature_names", "describe", "feature_map",
           "labels"]
