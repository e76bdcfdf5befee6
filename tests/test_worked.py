"""The "Check my numbers" example: its arrays are the textbook formulas, written out here
independently, and its printed NumPy source reads back bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from engine.worked import B1, B2, W1, W2, X, Y, as_numpy, worked_step


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_mse_sigmoid_step_is_the_textbook_computation():
    got = {name: arr for name, _, arr in worked_step("sigmoid", "mse", "sigmoid", lr=0.5)}
    T = np.eye(2)[Y]
    z1 = X @ W1 + B1
    a1 = sigmoid(z1)
    z2 = a1 @ W2 + B2
    a2 = sigmoid(z2)
    loss = 0.5 * ((a2 - T) ** 2).sum() / 4
    d2 = (a2 - T) * a2 * (1 - a2) / 4
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    want = {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": loss, "delta2": d2, "dW2": a1.T @ d2,
            "db2": d2.sum(axis=0), "delta1": d1, "dW1": X.T @ d1, "db1": d1.sum(axis=0),
            "W1_new": W1 - 0.5 * (X.T @ d1), "b2_new": B2 - 0.5 * d2.sum(axis=0)}
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, rtol=1e-14, atol=1e-16, err_msg=k)
    assert list(got)[:6] == ["X", "y", "W1", "b1", "W2", "b2"]


@pytest.mark.parametrize("act,loss", [("tanh", "cross_entropy"), ("relu", "bce"), ("leaky_relu", "mse")])
def test_every_intermediate_has_its_shape_and_reads_back_exactly(act, loss):
    rows = worked_step(act, loss, "sigmoid" if loss == "mse" else None)
    shapes = {name: np.shape(arr) for name, _, arr in rows}
    assert shapes["z1"] == shapes["a1"] == shapes["delta1"] == (4, 3)
    assert shapes["dW1"] == (2, 3) and shapes["dW2"] == (3, 2) and shapes["db1"] == (3,)
    for name, _, arr in rows:
        ns = {"np": np}
        exec(as_numpy(name, arr), ns)
        assert np.array_equal(ns[name], arr), name


def test_regression_step_is_the_textbook_computation():
    """The regression head (the regression pages' default): real targets T (4, 2), a linear
    output, L = 1/2 sum (a - T)^2 / N, written out here from the formulas."""
    from engine.worked import T

    got = {name: arr for name, _, arr in worked_step("tanh", "mse", "linear", lr=0.3, problem="regression")}
    z1 = X @ W1 + B1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + B2
    loss = 0.5 * ((z2 - T) ** 2).sum() / 4
    d2 = (z2 - T) / 4
    d1 = (d2 @ W2.T) * (1 - a1 ** 2)
    want = {"y": T, "z2": z2, "a2": z2, "loss": loss, "delta2": d2, "dW2": a1.T @ d2, "delta1": d1,
            "dW1": X.T @ d1, "W2_new": W2 - 0.3 * (a1.T @ d2), "b1_new": B1 - 0.3 * d1.sum(axis=0)}
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, rtol=1e-14, atol=1e-16, err_msg=k)
