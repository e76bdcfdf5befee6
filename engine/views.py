"""What the playground draws, computed here so the UI never does maths.

A decision-boundary picture is the network evaluated on a regular grid over the input plane:
one batched forward pass over res*res points (100x100 = 10,000 rows), never a Python loop.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .checks import check_int


@lru_cache(maxsize=16)
def grid_points(bounds: tuple, resolution: int, dtype_name: str = "float64") -> np.ndarray:
    """(res*res, 2) points of a res x res grid over bounds (x_min, x_max, y_min, y_max).

    Row-major from the *top* (y_max) down, so reshaping to (res, res) gives an image whose
    row 0 is the top edge. Cached (read-only): the grid depends only on its arguments.
    """
    x0, x1, y0, y1 = map(float, bounds)
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y1, y0, resolution)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.c_[gx.ravel(), gy.ravel()].astype(dtype_name)
    pts.setflags(write=False)
    return pts


def boundary_grid(net, bounds, resolution: int = 100) -> np.ndarray:
    """Class probabilities over the input plane: (res, res, n_out), or (res, res) with one
    output unit. Row 0 is the top edge (y = y_max), column 0 the left edge (x = x_min)."""
    if net.sizes[0] != 2:
        raise ValueError(f"boundary_grid: needs a network with 2 inputs, this one has {net.sizes[0]}.")
    res = check_int("resolution", resolution, 2, 1000)
    pts = grid_points(tuple(float(b) for b in bounds), res, net.dtype.name)
    zs, _, _ = net._forward_cache(pts)
    out = net.loss_fn.output(zs[-1])
    if out.shape[1] == 1:
        return out[:, 0].reshape(res, res)
    return out.reshape(res, res, out.shape[1])


def grid_activations(net, bounds, resolution: int = 40) -> list[np.ndarray]:
    """Every hidden unit over the input plane: one (res, res, n_l) array per hidden layer."""
    if net.sizes[0] != 2:
        raise ValueError(f"grid_activations: needs a network with 2 inputs, this one has {net.sizes[0]}.")
    res = check_int("resolution", resolution, 2, 1000)
    pts = grid_points(tuple(float(b) for b in bounds), res, net.dtype.name)
    _, acts, _ = net._forward_cache(pts)
    return [a.reshape(res, res, a.shape[1]) for a in acts[1:]]
