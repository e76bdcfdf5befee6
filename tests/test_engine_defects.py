"""Defects found by review (issue 12), each pinned by a test that failed before its fix."""
from __future__ import annotations

import numpy as np
import pytest
from _broken import with_scaled_delta

from engine import MLP, Adam, Trainer, boundary_grid, gradient_check
from engine.views import confident_mistakes


def test_gradient_check_does_not_call_tiny_correct_gradients_broken():
    """6 sigmoid layers x 8 units at init variance 0.01: the gradients of the lower layers are
    ~1e-9, at the rounding noise of a central difference with eps 1e-5; the engine is right
    (it matches torch to ~1e-15), so the verdict must not be "broken"."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 2))
    y = rng.integers(0, 2, 32)
    net = MLP([2] + [8] * 6 + [2], "sigmoid", init_var=0.01, seed=0)
    report = gradient_check(net, X, y, eps=1e-5)
    assert report.ok, report.frame()
    assert all(p.verdict == "good" for p in report.params)
    tiny = [p for p in report.params if p.note]
    assert tiny, "the lower layers' gradients should sit at the noise floor in this setting"
    assert min(p.scale for p in report.params) < 1e-7
    # a real error of that size is still caught: every gradient 1 % off
    assert not gradient_check(with_scaled_delta(net, 1.01), X, y, eps=1e-5).ok


@pytest.mark.parametrize("out", ["tanh", "linear", "sigmoid"])
def test_one_output_mse_classifies_at_0_5_whatever_the_output(out):
    """Targets are 0 and 1: class 1 when the output passes 0.5 (tanh used 0 before)."""
    net = MLP([2, 1], loss="mse", output_activation=out, init_var=1.0, seed=1)
    net.weights[0][...] = [[1.0], [0.0]]
    net.biases[0][...] = 0.0
    X = np.array([[0.2, 0.0], [0.4, 0.0], [0.6, 0.0], [0.9, 0.0], [-0.3, 0.0]])
    a = net.forward(X)[:, 0]
    assert np.array_equal(net.predict(X), (a > 0.5).astype(int))
    if out in ("tanh", "linear"):
        assert net.predict(X).tolist()[:2] == [0, 0]  # outputs 0.2 / 0.38: below 0.5, class 0
    # the picture agrees with predict: P(class 1) > 0.5 exactly where predict says 1
    grid = boundary_grid(net, (-1, 1, -1, 1), 21, normalize=True)
    xs = np.linspace(-1, 1, 21)
    pts = np.array([[x, yv] for yv in np.linspace(1, -1, 21) for x in xs])
    assert np.array_equal((grid.reshape(-1) > 0.5).astype(int), net.predict(pts))


def test_one_output_accuracy_uses_the_same_rule_in_training():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(int)
    net = MLP([2, 8, 1], "tanh", loss="mse", output_activation="tanh", seed=0)
    tr = Trainer(net, Adam(0.02), X, y, X, y, eval_every=1)
    tr.run(300)
    rec = tr.history[-1]
    assert rec.loss < 0.02
    assert rec.test_acc == pytest.approx(np.mean(net.predict(X) == y)) and rec.test_acc > 0.95


def test_confident_mistakes_with_one_output_unit():
    net = MLP([2, 1], loss="bce", seed=0)
    net.weights[0][...] = [[3.0], [0.0]]
    X = np.array([[1.0, 0], [2.0, 0], [-1.0, 0], [-2.0, 0], [0.5, 0]])
    y = np.array([0, 0, 0, 1, 1])  # rows 0, 1 and 3 are wrong; row 1 and 3 most confidently
    idx, pred, out = confident_mistakes(net, X, y, k=5)
    assert sorted(idx.tolist()) == [0, 1, 3]
    assert set(idx[:2].tolist()) == {1, 3} and pred.tolist() == net.predict(X)[idx].tolist()


def test_adam_restarts_its_step_count_with_fresh_moments():
    """A new model shape resets Adam's moments; the bias correction must restart with them
    (with t carried over, the first step of the new model was ~10x too small after 100 steps)."""
    rng = np.random.default_rng(0)
    p1 = [rng.normal(size=(3, 2))]
    opt = Adam(lr=0.1)
    for _ in range(100):
        opt.step(p1, [rng.normal(size=(3, 2))])
    assert opt.t == 100
    p2 = [np.zeros((4, 2))]
    g = np.full((4, 2), 0.5)
    opt.step(p2, [g])
    assert opt.t == 1
    # Adam's first step is -lr * sign(g) (m / sqrt(v) = g / |g| after bias correction)
    np.testing.assert_allclose(p2[0], -0.1 * np.ones((4, 2)), rtol=1e-6)


def test_float32_gradient_with_a_huge_but_finite_norm_is_not_called_infinite():
    """float32 vdot overflowed to inf for a gradient whose entries are all finite (~2e19);
    the trainer said "not finite". Now the norm is taken in float64 and the step goes on to
    the optimizer (which, at this learning rate, may still refuse a too-large update)."""
    X = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]], dtype=np.float32) * np.float32(3e9)
    y = np.array([0, 1, 1, 0])
    net = MLP([2, 4, 2], "linear", loss="mse", output_activation="linear", init_var=1.0, seed=0,
              dtype=np.float32)
    tr = Trainer(net, Adam(1e-3), X, y)
    with np.errstate(all="ignore"):
        _, grads = net.copy().gradients(X, y)
    g = grads[0][0]
    assert np.isfinite(g).all() and np.isinf(np.vdot(g, g))  # the float32 trap itself
    with np.errstate(over="ignore"):  # Adam's g*g overflows float32 in its second moment, harmlessly
        rec = tr.step()  # Adam's update is ~lr whatever the gradient's size: a finite step
    assert np.isfinite(rec.grad_norms[0]) and rec.grad_norms[0] > 1e19


def test_an_exploding_loss_pauses_long_before_it_overflows():
    """MSE with a linear output at learning rate 10 (issue 13: it ran 160 steps to 1.7e304)."""
    from engine import SGD, Diverged, load_dataset

    ds = load_dataset("xor", n_samples=400, noise=0.05, test_fraction=0.2, seed=0)
    net = MLP([2, 2], loss="mse", output_activation="linear", init_var=0.3, seed=0)
    tr = Trainer(net, SGD(10.0), ds.X_train, ds.y_train)
    first = None
    with pytest.raises(Diverged, match="1,000 times") as exc:
        for _ in range(200):
            rec = tr.step()
            first = first or rec.loss
    assert exc.value.reason == "exploded" and "lower the learning rate" in str(exc.value)
    assert max(r.loss for r in tr.history) < 1000 * max(first, 1e-2)  # the curve stays readable
    assert tr.step_count < 40 and all(np.isfinite(p).all() for p in net.params())
    tr.opt.lr = 1e-4  # a lower rate continues from here: the new level is the reference
    tr.step()
    assert tr.step_count == len(tr.history)
