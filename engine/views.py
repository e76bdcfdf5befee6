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


def as_class_probabilities(net, out: np.ndarray) -> np.ndarray:
    """Network outputs (N, K) -> rows that sum to 1 with the same argmax, for colouring.

    Softmax outputs already are; independent sigmoids (bce, mse + sigmoid) are divided by
    their sum; linear or tanh outputs (mse) go through a softmax. With one output unit the
    result is the (N, 1) probability of class 1 (sigmoid), or the output mapped to [0, 1].
    """
    kind = net.loss_fn.output_name
    if out.shape[1] == 1:
        if kind == "sigmoid":
            return out
        # linear / tanh output, targets 0 and 1: class 1 above 0.5 (net.classify's rule), so
        # map 0.5 to p = 0.5
        return 1 / (1 + np.exp(-4 * (out - 0.5)))
    if kind == "softmax":
        return out
    if kind == "sigmoid":
        return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)
    e = np.exp(2 * (out - out.max(axis=1, keepdims=True)))
    return e / e.sum(axis=1, keepdims=True)


def boundary_grid(net, bounds, resolution: int = 100, normalize: bool = False) -> np.ndarray:
    """The network's outputs over the input plane — class probabilities for cross-entropy:
    (res, res, n_out), or (res, res) with one output unit. Row 0 is the top edge
    (y = y_max), column 0 the left edge (x = x_min). ``normalize=True`` maps outputs that
    are not a distribution (sigmoids, mse's linear/tanh) to one with the same winning class
    (see as_class_probabilities), for colouring. A regression network's outputs are its
    predicted values (``normalize`` does not apply)."""
    if net.n_inputs != 2:  # points of the plane (with engineered features, the net maps them itself)
        raise ValueError(f"boundary_grid: needs a network with 2 inputs, this one has {net.n_inputs}.")
    res = check_int("resolution", resolution, 2, 1000)
    pts = grid_points(tuple(float(b) for b in bounds), res, net.dtype.name)
    with np.errstate(over="ignore", invalid="ignore"):
        out = net.forward(pts)
        if normalize and not net.is_regression:
            out = as_class_probabilities(net, out)
    if out.shape[1] == 1:
        return out[:, 0].reshape(res, res)
    return out.reshape(res, res, out.shape[1])


def unit_contributions(net, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each unit of the last hidden layer adds to the output (eval mode), for X (N, n_in):

        z_L = a_{L-1} W_L + b_L = sum_k a_{L-1,k} W_L[k, :] + b_L

    -> (contributions (N, n_{L-1}, n_L) with [n, k, j] = a_{L-1}[n, k] W_L[k, j], the output
    bias b_L (n_L,), z_L (N, n_L)); the contributions summed over k plus b_L are z_L. With ReLU
    units each contribution is a hinge, 0 on one side of its kink and a straight line on the
    other: a 1-D fit is a sum of hinges. Without a hidden layer the "units" are the inputs."""
    a = net.activations(X)[-2]                      # (N, n_{L-1}): a_{L-1} (X itself for L = 1)
    W, b = net.weights[-1], net.biases[-1]          # (n_{L-1}, n_L), (n_L,)
    parts = a[:, :, None] * W[None, :, :]
    return parts, b.copy(), parts.sum(axis=1) + b


def grid_activations(net, bounds, resolution: int = 40) -> list[np.ndarray]:
    """Every hidden unit over the input plane: one (res, res, n_l) array per hidden layer."""
    if net.n_inputs != 2:  # points of the plane (with engineered features, the net maps them itself)
        raise ValueError(f"grid_activations: needs a network with 2 inputs, this one has {net.n_inputs}.")
    res = check_int("resolution", resolution, 2, 1000)
    pts = grid_points(tuple(float(b) for b in bounds), res, net.dtype.name)
    acts = net.activations(pts)[1:-1]
    return [a.reshape(res, res, a.shape[1]) for a in acts]


def contour_segments(field: np.ndarray, level: float = 0.5) -> np.ndarray:
    """Line segments where a (res, res) field crosses ``level`` (marching squares).

    Returns (M, 4) float rows (x0, y0, x1, y1) in pixel units of the field: x = column,
    y = row, both from 0 to res - 1. Used to draw the decision boundary as a crisp line.
    """
    v = np.asarray(field, dtype=np.float64) - level
    a, b = v[:-1, :-1], v[:-1, 1:]  # top-left, top-right of every cell
    d, c = v[1:, :-1], v[1:, 1:]    # bottom-left, bottom-right
    rows, cols = np.mgrid[0:v.shape[0] - 1, 0:v.shape[1] - 1].astype(np.float64)

    def cross(p, q):
        # where along an edge from p to q the field hits 0 (linear interpolation), or nan
        with np.errstate(divide="ignore", invalid="ignore"):
            t = p / (p - q)
        return np.where((p > 0) != (q > 0), t, np.nan)

    # crossing points on the four edges, in (x, y) pixel coordinates
    t_top, t_right, t_bottom, t_left = cross(a, b), cross(b, c), cross(d, c), cross(a, d)
    pts = [
        (cols + t_top, rows),           # top edge: from a (left) to b (right)
        (cols + 1, rows + t_right),     # right edge: b (top) to c (bottom)
        (cols + t_bottom, rows + 1),    # bottom edge: d (left) to c (right)
        (cols, rows + t_left),          # left edge: a (top) to d (bottom)
    ]
    hits = np.stack([~np.isnan(t) for t in (t_top, t_right, t_bottom, t_left)], axis=-1)
    xs = np.stack([p[0] for p in pts], axis=-1)
    ys = np.stack([p[1] for p in pts], axis=-1)
    n = hits.sum(axis=-1)
    segs = []
    two = n == 2
    if two.any():
        order = np.argsort(~hits[two], axis=-1, kind="stable")[:, :2]  # the two crossed edges
        x2, y2 = xs[two], ys[two]
        r = np.arange(order.shape[0])
        segs.append(np.c_[x2[r, order[:, 0]], y2[r, order[:, 0]], x2[r, order[:, 1]], y2[r, order[:, 1]]])
    four = n == 4
    if four.any():
        # saddle cell: pair the edges by the sign of the cell centre
        x4, y4 = xs[four], ys[four]
        centre_pos = ((a + b + c + d)[four] > 0)
        p1 = np.where(centre_pos[:, None], [[0, 3, 1, 2]], [[0, 1, 2, 3]])
        r = np.arange(x4.shape[0])
        for i, j in ((0, 1), (2, 3)):
            segs.append(np.c_[x4[r, p1[:, i]], y4[r, p1[:, i]], x4[r, p1[:, j]], y4[r, p1[:, j]]])
    return np.concatenate(segs) if segs else np.zeros((0, 4))


def confusion(net, X, y) -> np.ndarray:
    """(K, K) counts, rows = true class, columns = predicted (scikit-learn's confusion_matrix)."""
    from sklearn.metrics import confusion_matrix

    k = max(net.sizes[-1], 2)
    return confusion_matrix(y, net.predict(X), labels=np.arange(k))


def confident_mistakes(net, X, y, k: int = 12):
    """The k misclassified rows the network is most sure about.

    X (N, n_in), y (N,) -> (indices (m,), predicted (m,), outputs (m, n_out)), m <= k, sorted
    by the output given to the wrong class, highest first (one output unit: how far the
    output is on the wrong side of 0.5).
    """
    zL = net.logits(X)  # one pass for both: what forward and predict compute from it
    out, pred = net.loss_fn.output(zL), net.classify(zL)
    wrong = np.flatnonzero(pred != y)
    if out.shape[1] == 1:
        sure = np.abs(out[wrong, 0] - 0.5)
    else:
        sure = out[wrong, pred[wrong]]
    order = wrong[np.argsort(-sure, kind="stable")][:k]
    return order, pred[order], out[order]
