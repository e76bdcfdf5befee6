"""views: the decision-boundary grid and hidden-unit grids equal the network's forward pass at
the grid points (row 0 = top edge y_max, column 0 = left edge x_min)."""
from __future__ import annotations

import numpy as np
import pytest

from engine import MLP, boundary_grid, grid_activations


def grid(bounds, res):
    """The (res*res, 2) points, written out independently: rows from y_max down, x from x_min."""
    x0, x1, y0, y1 = bounds
    xs, ys = np.linspace(x0, x1, res), np.linspace(y1, y0, res)
    return np.array([[x, y] for y in ys for x in xs])


NETS = [
    (dict(sizes=[2, 5, 3], activations="tanh"), 3),
    (dict(sizes=[2, 4, 4, 2], activations="relu", loss="mse", output_activation="linear"), 2),
    (dict(sizes=[2, 6, 2], activations="sigmoid", loss="bce"), 2),
    (dict(sizes=[2, 4, 1], activations="tanh", loss="bce"), 1),
    (dict(sizes=[2, 1], loss="mse", output_activation="tanh"), 1),
]


@pytest.mark.parametrize("res", [2, 7, 31])
@pytest.mark.parametrize("kw,k", NETS, ids=[f"{kw.get('loss', 'ce')}-{k}" for kw, k in NETS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_boundary_grid_equals_forward_on_the_grid(kw, k, res, dtype):
    net = MLP(**kw, init_var=1.0, seed=1, dtype=dtype)
    bounds = (-1.0, 2.0, -0.5, 1.5)
    g = boundary_grid(net, bounds, res)
    assert g.shape == ((res, res, k) if k > 1 else (res, res))
    expected = net.forward(grid(bounds, res))
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(g.reshape(res * res, k), expected, rtol=tol, atol=tol)
    # corners: row 0 is the top edge, column 0 the left edge
    top_left, bottom_right = net.forward(np.array([[-1.0, 1.5], [2.0, -0.5]]))
    np.testing.assert_allclose(g.reshape(res, res, k)[0, 0], top_left, rtol=tol, atol=tol)
    np.testing.assert_allclose(g.reshape(res, res, k)[-1, -1], bottom_right, rtol=tol, atol=tol)


@pytest.mark.parametrize("kw,k", NETS[:3], ids=["ce", "mse-linear", "bce"])
def test_normalized_boundary_grid_is_a_distribution_with_the_same_winner(kw, k):
    net = MLP(**kw, init_var=1.0, seed=2)
    g = boundary_grid(net, (-2, 2, -2, 2), 15, normalize=True)
    assert g.shape == (15, 15, k)
    assert np.allclose(g.sum(axis=-1), 1.0) and (g >= 0).all()
    raw = boundary_grid(net, (-2, 2, -2, 2), 15)
    assert np.array_equal(g.argmax(axis=-1), raw.argmax(axis=-1))


def test_boundary_grid_does_not_touch_the_network():
    net = MLP([2, 5, 3], "relu", seed=3)
    before = [p.copy() for p in net.params()]
    boundary_grid(net, (-1, 1, -1, 1), 20)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))


def test_grid_activations_equal_the_hidden_layers_on_the_grid():
    net = MLP([2, 4, 3, 2], ["relu", "tanh"], init_var=1.0, seed=4)
    bounds = (-1.5, 1.5, -1.0, 1.0)
    maps = grid_activations(net, bounds, 9)
    assert [m.shape for m in maps] == [(9, 9, 4), (9, 9, 3)]
    acts = net.activations(grid(bounds, 9))
    for m, a in zip(maps, acts[1:-1]):
        np.testing.assert_allclose(m.reshape(81, -1), a, rtol=1e-12, atol=1e-12)
