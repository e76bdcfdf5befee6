"""Trainer semantics, seed determinism, divergence, and every invalid-argument ValueError."""
from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import MLP, SGD, Adam, Diverged, Trainer, boundary_grid, load_dataset


@pytest.fixture(scope="module")
def circles():
    return load_dataset("circles", n_samples=200, noise=0.08, seed=0)


def make(ds, batch=32, seed=0, opt=None, **kw):
    net = MLP([2, 6, 5, 2], "tanh", seed=seed, **kw)
    return Trainer(net, opt or SGD(0.1, momentum=0.9), ds.X_train, ds.y_train, ds.X_test, ds.y_test,
                   batch_size=batch, seed=seed, eval_every=5)


def test_step_is_one_minibatch_and_its_record_is_that_forward_pass(circles):
    tr = make(circles, batch=32)
    Xb, yb = tr.peek_batch()
    assert Xb.shape == (32, 2)
    loss_before = tr.net.loss(Xb, yb)
    acc_before = float(np.mean(tr.net.predict(Xb) == yb))
    W = [w.copy() for w in tr.net.weights]
    rec = tr.step()
    assert rec.step == 1 and rec.batch_size == 32
    assert rec.loss == pytest.approx(loss_before, rel=1e-12) and rec.train_acc == acc_before
    assert rec.delta_norms == pytest.approx([np.abs(d).mean() for d in tr.net.last_deltas], rel=1e-12)
    assert rec.grad_norms == pytest.approx([np.linalg.norm(g[0]) for g in tr.last_grads], rel=1e-12)
    ratios = [np.linalg.norm(w1 - w0) / np.linalg.norm(w0) for w0, w1 in zip(W, tr.net.weights)]
    assert rec.update_ratios == pytest.approx(ratios, rel=1e-9)


def test_every_epoch_uses_every_example_once_reshuffled(circles):
    tr = make(circles, batch=50)  # 160 training points: 50, 50, 50, 10
    n = tr.n_train
    assert tr.steps_per_epoch == 4
    seen_epochs = []
    for _ in range(2):
        rows = []
        for _ in range(tr.steps_per_epoch):
            Xb, _ = tr.peek_batch()
            rows.append(Xb.copy())
            tr.step()
        order = np.vstack(rows)
        assert order.shape == (n, 2)
        # the epoch is a permutation of the training set
        assert np.array_equal(np.sort(order.view("f8,f8"), axis=0), np.sort(tr.X.view("f8,f8"), axis=0))
        seen_epochs.append(order)
    assert tr.epoch == 2
    assert not np.array_equal(seen_epochs[0], seen_epochs[1])  # reshuffled


def test_full_batch_and_run(circles):
    tr = make(circles, batch=None)
    rec = tr.run(7)
    assert rec.step == 7 and rec.batch_size == tr.n_train and tr.epoch == 7
    assert tr.run(0) is None


def test_eval_every_and_history_frame(circles):
    tr = make(circles)
    tr.run(12)
    evals = [r.step for r in tr.history if r.test_acc is not None]
    assert evals == [5, 10]
    df = tr.history_frame()
    assert len(df) == 12
    for col in ("loss", "train_acc", "test_loss", "test_acc", "delta_1", "delta_3", "grad_norm_2",
                "update_ratio_3"):
        assert col in df.columns
    assert df["test_acc"].notna().sum() == 2


def test_history_is_bounded(circles):
    net = MLP([2, 3, 2], "tanh")
    tr = Trainer(net, SGD(0.05), circles.X_train, circles.y_train, batch_size=8, max_history=50)
    tr.run(400)
    assert len(tr.history) <= 50
    steps = [r.step for r in tr.history]
    assert steps[-1] == 400 and steps == sorted(steps)
    assert steps[-25:] == list(range(376, 401))  # the newest half at full resolution


def test_live_batch_size_and_lr(circles):
    tr = make(circles, batch=16)
    tr.step()
    tr.batch_size = 64
    tr.opt.lr = 0.01
    rec = tr.step()
    assert rec.batch_size == 64 and rec.lr == 0.01


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_same_seed_same_run_bitwise(circles, opt):
    def run(seed):
        tr = make(circles, seed=seed, opt=SGD(0.1, momentum=0.9) if opt == "sgd" else Adam(0.01))
        tr.run(25)
        return tr
    a, b, c = run(3), run(3), run(4)
    for wa, wb in zip(a.net.params(), b.net.params()):
        assert np.array_equal(wa, wb)
    assert [r.loss for r in a.history] == [r.loss for r in b.history]
    assert not np.array_equal(a.net.weights[0], c.net.weights[0])


def test_float32_and_float64_start_identical():
    a = MLP([4, 5, 3], "relu", seed=9, dtype=np.float64)
    b = MLP([4, 5, 3], "relu", seed=9, dtype=np.float32)
    assert b.weights[0].dtype == np.float32
    assert np.allclose(a.weights[0], b.weights[0], rtol=1e-7)


def test_divergence_raises_before_updating_and_leaves_finite_params(circles):
    net = MLP([2, 8, 2], "tanh", loss="mse", output_activation="linear", init_var=1.0, seed=0)
    tr = Trainer(net, SGD(lr=1e3), circles.X_train, circles.y_train, batch_size=None, seed=0)
    with pytest.raises(Diverged) as exc:
        tr.run(100)
    msg = str(exc.value)
    assert "learning rate" in msg and f"Step {exc.value.step}" in msg
    assert all(np.isfinite(p).all() for p in net.params())
    assert tr.step_count == exc.value.step - 1  # the failed step did not count
    assert engine.Diverged is Diverged


def test_boundary_grid_equals_forward_on_the_grid():
    net = MLP([2, 5, 3], "tanh", seed=1)
    bounds = (-1.0, 2.0, -0.5, 1.5)
    g = boundary_grid(net, bounds, 7)
    assert g.shape == (7, 7, 3)
    xs = np.linspace(-1, 2, 7)
    ys = np.linspace(1.5, -0.5, 7)  # row 0 is the top edge
    pts = np.array([[x, y] for y in ys for x in xs])
    assert np.allclose(g.reshape(-1, 3), net.forward(pts), atol=1e-12)
    one = MLP([2, 4, 1], "tanh", loss="bce", seed=1)
    assert boundary_grid(one, bounds, 9).shape == (9, 9)


# ----------------------------------------------------------------------------- ValueErrors
X4 = np.zeros((4, 2))
Y4 = np.array([0, 1, 0, 1])
BAD_NETS = [
    (dict(sizes=[2, 0, 2]), r"sizes\[1\]"), (dict(sizes=[2]), "sizes"), (dict(sizes="2,2"), "sizes"),
    (dict(sizes=[2, 3, 2], activations="swish"), "activations"),
    (dict(sizes=[2, 3, 3, 2], activations=["tanh"]), "activations"),
    (dict(sizes=[2, 2], loss="hinge"), "loss"), (dict(sizes=[2, 2], loss="mse", output_activation="relu"),
                                                  "output_activation"),
    (dict(sizes=[2, 2], init="lecun"), "init"), (dict(sizes=[2, 2], init_var=-1.0), "init_var"),
    (dict(sizes=[2, 2], init_var=0.0), "init_var"), (dict(sizes=[2, 1]), "cross_entropy"),
    (dict(sizes=[2, 2], dtype=np.int32), "dtype"), (dict(sizes=[2, 2], seed=-1), "seed"),
]


@pytest.mark.parametrize("kwargs,match", BAD_NETS)
def test_invalid_network_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


@pytest.mark.parametrize("X,y,match", [
    (np.zeros((4, 3)), Y4, "X"), (X4, Y4[:3], "y"), (X4, np.array([0, 1, 2, 1]), "labels"),
    (np.array([[0.0, np.nan]] * 4), Y4, "NaN"), (np.array([[0.0, np.inf]] * 4), Y4, "NaN"),
    (X4, np.array([0.5, 1, 0, 1]), "whole"), (X4, np.array(["a", "b", "a", "b"]), "integer"),
])
def test_invalid_data(X, y, match):
    net = MLP([2, 3, 2])
    with pytest.raises(ValueError, match=match):
        net.gradients(X, y)
    with pytest.raises(ValueError, match=match):
        Trainer(net, SGD(0.1), X, y)


def test_invalid_trainer_arguments():
    net = MLP([2, 3, 2])
    with pytest.raises(ValueError, match="batch_size"):
        Trainer(net, SGD(0.1), X4, Y4, batch_size=0)
    with pytest.raises(ValueError, match="X_test"):
        Trainer(net, SGD(0.1), X4, Y4, X_test=X4)
    with pytest.raises(ValueError, match="optimizer"):
        Trainer(net, "sgd", X4, Y4)
    tr = Trainer(net, SGD(0.1), X4, Y4, batch_size=100)  # larger than the data: the full batch
    assert tr.step().batch_size == 4
    with pytest.raises(ValueError, match="batch_size"):
        tr.batch_size = -3


def test_value_error_messages_name_value_and_rule():
    with pytest.raises(ValueError) as exc:
        MLP([2, 3, 2], init_var=-0.5)
    msg = str(exc.value)
    assert "init_var" in msg and "-0.5" in msg and ">" in msg
    with pytest.raises(ValueError) as exc:
        SGD(momentum=1.0)
    assert "momentum" in str(exc.value) and "< 1" in str(exc.value)
