"""Dead ReLU units: why a network can stop learning for good.

A ReLU unit outputs a = max(0, z). If its z is <= 0 for *every* training example, its output
is 0 everywhere and so is its slope f'(z): backprop multiplies every delta reaching it by 0,
so none of its incoming weights ever changes again. It is dead, and gradient descent cannot
revive it (leaky ReLU keeps a slope of 0.01 for z < 0 exactly to avoid this). A large
learning rate or large initial weights kill many units at once; when every unit of one layer
is dead, everything above it sees the same input for every example, the network's output is
one constant, and the decision-boundary picture is blank.

Only the engine's public methods are used: ``net.activations`` (eval mode, as every picture).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DeadLayer:
    layer: int  # 1-based hidden layer
    dead: int   # units whose output is 0 for every example given
    units: int  # units in the layer


def dead_relu_units(net, X) -> list[DeadLayer]:
    """For every hidden ReLU layer: how many units output 0 for every row of X (N, n_in).

    a_l (N, n_l) from ``net.activations``; a ReLU output is 0 exactly where its z <= 0, so a
    column of zeros is a unit that no example switches on. Layers with other activations are
    left out (sigmoid and tanh saturate, but their slope never becomes exactly 0; leaky ReLU
    keeps 0.01). -> one DeadLayer per ReLU layer, bottom first.
    """
    acts = net.activations(X)[1:-1]  # hidden layers only
    return [DeadLayer(l, int(np.all(a <= 0, axis=0).sum()), a.shape[1])
            for l, (a, name) in enumerate(zip(acts, net.activation_names), start=1) if name == "relu"]


def _many_dead(report: list[DeadLayer]) -> bool:
    return any(2 * r.dead >= r.units and r.dead > 0 for r in report)


def dead_relu_sentence(net, X, lr: float, screen_rows: int = 512) -> str | None:
    """The sentence a student reads when at least half the units of a ReLU layer are dead on
    X (N, n_in) (else None): the count per layer, what it means, and what to do.

    A unit switched on by one of the first ``screen_rows`` rows is alive, so counting on them
    gives an upper bound of the dead: when that bound is below half, no sentence, without a pass
    over all of X (MNIST's 8,000 training digits cost ~80 ms; this check runs at every click).
    """
    if "relu" not in net.activation_names or not _many_dead(dead_relu_units(net, X[:screen_rows])):
        return None
    report = dead_relu_units(net, X)
    if not _many_dead(report):
        return None
    parts = [f"layer {r.layer}: {'all ' + str(r.units) if r.dead == r.units else f'{r.dead} of {r.units}'}"
             for r in report]
    text = ("Dead ReLU units (they output 0 for every training point, so their gradient is 0 and "
            "no step can revive them): " + ", ".join(parts) + ".")
    if any(r.dead == r.units for r in report):
        text += (" With a whole layer dead the network gives every point the same output (a blank "
                 "picture): the most it can still learn is the best constant guess.")
    return text + (f" Press Reset and lower the learning rate (now {lr:g}) or the init variance, or choose "
                   "leaky ReLU, whose units keep a small slope and recover.")
