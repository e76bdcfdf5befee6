"""L1 regularisation: a penalty on the absolute size of the weights, which drives many of them
to (about) zero.

The objective the trainer minimises with L1 strength l1 is

    J = L + l1 * sum_l sum_ij |W_l[i, j]|          (weights W_l only: no biases, no BN gamma/beta)

so backprop's dL/dW_l gets the penalty's (sub)gradient added:

    dJ/dW_l = dL/dW_l + l1 * sign(W_l)              sign(0) = 0

Conventions, and why:
- *Weights only*, as TensorFlow Playground (src/nn.ts regularises the links, never the biases)
  and most texts: a bias shifts a unit, it adds no capacity, and pulling it to 0 only hurts.
  (The L2 slider is torch's ``weight_decay``, which pulls every parameter it is given, biases
  included; the sidebar says so.)
- |w| has no derivative at 0; any value in [-l1, l1] is a subgradient there. We take 0, which
  is what torch's autograd gives (torch.sign(0) = 0, and d|w|/dw at 0 is 0): a weight that is
  exactly 0 feels no pull from the penalty.
- The gradient goes to the optimizer like any gradient (torch: ``(loss + l1 * sum|W|).backward()``,
  then ``opt.step()``), so momentum and Adam treat it as they treat dL/dW.
- The recorded loss is L, without the penalty (as L2 weight decay adds nothing to it either).

Plain (sub)gradient steps rarely land on exactly 0: a weight the data does not need shrinks by
lr * l1 per step until it crosses 0, then jitters around 0 within about lr * l1 (TF Playground
instead sets a weight that crosses 0 to 0 and freezes it). So "dead" means |w| below a small
threshold; ``small_weight_fractions`` counts them per layer, the trainer records it every step.
"""
from __future__ import annotations

import numpy as np

SMALL = 1e-3  # |w| below this counts as a dead weight


def is_weight(name: str) -> bool:
    """True for the weight matrices "W1", "W2", ... of ``net.named_params()``; False for "b1",
    "gamma1", "beta1", ..."""
    return name.startswith("W")


def l1_penalty(weights, l1: float) -> float:
    """l1 * sum over every weight matrix of sum |W_l| (a Python float)."""
    return float(l1 * sum(np.abs(W).sum() for W in weights))


def with_l1(names, params, grads, l1: float) -> list[np.ndarray]:
    """The gradients of L + l1 * sum|W|: grads[i] + l1 * sign(params[i]) for each weight matrix,
    the other gradients as they are. Parallel lists in ``net.named_params()`` order; new arrays,
    the inputs are not modified."""
    if not l1:
        return list(grads)
    return [g + l1 * np.sign(p) if is_weight(name) else g for name, p, g in zip(names, params, grads)]


def small_weight_fractions(weights, threshold: float = SMALL) -> tuple[float, ...]:
    """Per weight matrix, the fraction of its entries with |w| < threshold. (count_nonzero of the
    mask, not its mean: the mean converts every entry to a float first, three times slower, and the
    trainer records this every step.)"""
    return tuple(np.count_nonzero(np.abs(W) < threshold) / W.size for W in weights)


__all__ = ["SMALL", "is_weight", "l1_penalty", "small_weight_fractions", "with_l1"]
