"""Hidden space: the data as one hidden layer sees it.

Layer l's activations a_l (N, n_l) are the coordinates of each example after the first l
layers. With 2 units they are drawn as they are; with 3 units as a rotatable 3-D cloud; with
more, projected to 2-D by PCA (fitted on the data's activations). Points of the input plane
(the boundary grid) are mapped too, so the picture shows how the layer folds the plane; the
output layer then only has to cut that folded sheet with a straight line (a hyperplane).

PCA axes have an arbitrary sign; ``previous`` keeps successive frames of an animation from
flipping by aligning each new component with the last frame's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_int
from .views import grid_points


@dataclass
class HiddenView:
    """points (N, d) and grid (G, d) in the shown coordinates, d = 2 or 3."""

    layer: int  # 1-based hidden layer
    n_units: int
    method: str  # "units" (the activations themselves) or "pca"
    points: np.ndarray
    grid: np.ndarray
    grid_class: np.ndarray  # (G,) predicted class of each grid point (regression: its predicted value)
    axis_labels: tuple
    explained: tuple | None  # PCA: fraction of variance per shown axis
    components: np.ndarray | None  # PCA: (d, n_units), for the next frame's sign alignment


def _pca(A: np.ndarray, d: int, previous: np.ndarray | None):
    """Top-d principal axes of A (N, n): (mean (n,), components (d, n), explained (d,))."""
    from sklearn.decomposition import PCA

    with np.errstate(invalid="ignore", divide="ignore"):  # all points equal: no variance to explain
        pca = PCA(n_components=d, svd_solver="full").fit(A)
    comps = pca.components_.copy()
    if previous is not None and previous.shape == comps.shape:
        signs = np.sign(np.sum(comps * previous, axis=1))
        comps *= np.where(signs == 0, 1.0, signs)[:, None]
    return pca.mean_, comps, tuple(float(v) for v in np.nan_to_num(pca.explained_variance_ratio_))


def hidden_map(net, X, layer: int, bounds=None, resolution: int = 25, dims: int = 2,
               previous: np.ndarray | None = None) -> HiddenView:
    """Map X (N, n_in) (and, with ``bounds``, a resolution² grid over the input plane) into
    hidden layer ``layer`` (1-based). ``dims`` = 3 keeps three units as 3-D coordinates
    (otherwise more than two units are projected to 2-D by PCA)."""
    n_hidden = net.n_layers - 1
    if n_hidden < 1:
        raise ValueError("layer: this network has no hidden layer to look into.")
    layer = check_int("layer", layer, 1, n_hidden)
    n = net.sizes[layer]
    A = net.activations(X)[layer].astype(np.float64)
    if bounds is not None:
        G = grid_points(tuple(float(b) for b in bounds), check_int("resolution", resolution, 2, 400),
                        net.dtype.name)
        Ag = net.activations(G)[layer].astype(np.float64)
        grid_class = net.predict(G)
    else:
        Ag = np.empty((0, n))
        grid_class = np.empty(0, dtype=np.intp)
    if n <= 2 or (n == 3 and dims == 3):
        P, Pg = A, Ag
        if n == 1:  # one unit: a number line (second axis 0)
            P = np.c_[A, np.zeros(len(A))]
            Pg = np.c_[Ag, np.zeros(len(Ag))]
            labels = (f"h{layer}.1", "—")
        else:
            labels = tuple(f"h{layer}.{j + 1}" for j in range(n))
        return HiddenView(layer, n, "units", P, Pg, grid_class, labels, None, None)
    mean, comps, explained = _pca(A, 2, previous)
    P = (A - mean) @ comps.T
    Pg = (Ag - mean) @ comps.T
    return HiddenView(layer, n, "pca", P, Pg, grid_class, ("PC 1", "PC 2"), explained, comps)


__all__ = ["HiddenView", "hidden_map"]
