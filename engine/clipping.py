"""Gradient-norm clipping, as torch.nn.utils.clip_grad_norm_(params, max_norm):

    total = sqrt(sum over every parameter array p of ||g_p||^2)    one norm for the whole net
    g <- g * min(1, max_norm / (total + 1e-6))                     every gradient, same factor

Scaling all gradients by one factor keeps the step's *direction* and caps its length: a rare
huge gradient (a cliff in the loss) cannot throw the weights across the landscape. Below
max_norm the factor is 1 and nothing changes. The 1e-6 is torch's: it keeps the division finite
for an all-zero gradient and makes the clipped norm a hair below max_norm.

"Every parameter" means what the optimizer updates: W, b and batch norm's gamma, beta (torch
clips whatever ``model.parameters()`` yields). The trainer clips after adding the L1 term (torch:
the penalty is in the loss before ``backward``) and before the optimizer, whose L2 weight decay
and momentum then act on the clipped gradient, as in torch.
"""
from __future__ import annotations

import math

import numpy as np

from .numerics import sqnorm

CLIP_EPS = 1e-6  # torch's: max_norm / (total_norm + 1e-6)


def total_norm(grads) -> float:
    """sqrt(sum_p ||g_p||^2) over every array (the norm of all gradients as one vector)."""
    return math.sqrt(sum(sqnorm(g) for g in grads))


def clip_grad_norm(grads, max_norm: float | None, norm: float | None = None) -> list[np.ndarray]:
    """-> the clipped gradients (new arrays, same shapes and dtypes). ``max_norm`` None: no
    clipping (the gradients as they are). ``norm``: their total norm if already known (the
    trainer has every ||g||^2 from its finiteness check), else computed here."""
    if max_norm is None:
        return list(grads)
    if norm is None:
        norm = total_norm(grads)
    scale = min(1.0, max_norm / (norm + CLIP_EPS))  # torch multiplies even by 1.0: so do we
    return [g * g.dtype.type(scale) for g in grads]


__all__ = ["CLIP_EPS", "clip_grad_norm", "total_norm"]
