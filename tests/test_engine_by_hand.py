"""Changes by hand, in the engine: one parameter typed into the network (MLP.set_param,
Trainer.set_param) and points added to or removed from a 2-D training set (engine.datasets
add_point / remove_nearest, Trainer.set_data). Oracles are written out here: the array entry
itself, a second trainer given the same arrays directly, the gradient of the new batch computed
on a copy of the network."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine import MLP, SGD, Adam, Trainer, load_dataset
from engine.datasets import add_point, remove_nearest


@pytest.fixture(scope="module")
def xor():
    ds = load_dataset("xor", n_samples=200, noise=0.05, seed=0)
    for a in (ds.X_train, ds.y_train, ds.X_test, ds.y_test):
        a.setflags(write=False)  # as the app shares them between visitors
    return ds


def trainer(ds, opt=None, batch=None, **kw):
    net = MLP([2, 4, 3, 2], "tanh", init_var=0.5, seed=3, **kw)
    return Trainer(net, opt or SGD(0.1, momentum=0.9), ds.X_train, ds.y_train, ds.X_test, ds.y_test,
                   batch_size=batch, seed=1, eval_every=1)


# ----------------------------------------------------------------------------- one parameter
@pytest.mark.parametrize("name,index", [("W1", (1, 2)), ("W3", [2, 0]), ("b2", (1,)), ("b1", 3), ("b3", np.int64(1))])
def test_set_param_writes_exactly_that_entry_and_returns_the_old_value(name, index):
    net = MLP([2, 4, 3, 2], "tanh", init_var=0.5, seed=3, batch_norm=False)
    before = {k: v.copy() for k, v in net.named_params()}
    idx = tuple(index) if isinstance(index, (tuple, list)) else (int(index),)
    old = net.set_param(name, index, -1.25)
    assert old == before[name][idx]
    for k, v in net.named_params():
        want = before[k].copy()
        if k == name:
            want[idx] = -1.25
        np.testing.assert_array_equal(v, want)
    # the live array, so the next forward pass uses it (oracle: the forward pass written out)
    X = np.array([[0.3, -0.7], [-0.2, 0.9]])
    a = X
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ W + b
        a = np.tanh(z) if l < 2 else z
    np.testing.assert_allclose(net.logits(X), a, rtol=0, atol=1e-15)


def test_set_param_reaches_batch_norm_parameters_and_float32():
    net = MLP([2, 3, 2], "relu", batch_norm=True, dtype=np.float32, seed=0)
    net.set_param("gamma1", 2, 0.5)
    net.set_param("beta1", (0,), -0.25)
    assert net.bn[0].gamma[2] == np.float32(0.5) and net.bn[0].beta[0] == np.float32(-0.25)
    net.set_param("W1", (0, 0), 1 / 3)
    assert net.weights[0][0, 0] == np.float32(1 / 3) and net.weights[0].dtype == np.float32


BAD = [
    (("W9", (0, 0), 1.0), "no parameter 'W9'"),
    (("w1", (0, 0), 1.0), "no parameter 'w1'"),
    (("W1", (2, 0), 1.0), "row 2 does not exist"),
    (("W1", (0, 4), 1.0), "column 4 does not exist"),
    (("W1", (-1, 0), 1.0), "row -1 does not exist"),
    (("W1", (0,), 1.0), "(row, column)"),
    (("W1", 0, 1.0), "(row, column)"),
    (("W1", (0, 0.0), 1.0), "(row, column)"),
    (("W1", (True, 0), 1.0), "(row, column)"),
    (("W1", "0,0", 1.0), "(row, column)"),
    (("b1", (4,), 1.0), "unit 4 does not exist"),
    (("b1", (0, 0), 1.0), "one unit number"),
    (("W1", (0, 0), math.nan), "finite number"),
    (("W1", (0, 0), math.inf), "finite number"),
    (("W1", (0, 0), -math.inf), "finite number"),
    (("W1", (0, 0), "1.5"), "finite number"),
    (("W1", (0, 0), None), "finite number"),
    (("W1", (0, 0), True), "finite number"),
    (("W1", (0, 0), 10 ** 400), "finite number"),
    (("W1", (0, 0), [1.0]), "finite number"),
]


@pytest.mark.parametrize("args,words", BAD, ids=[f"{a[0]}-{a[1]!r}-{a[2]!r}"[:40] for a, _ in BAD])
def test_a_bad_name_index_or_value_is_a_sentence_and_changes_nothing(args, words):
    net = MLP([2, 4, 3, 2], "tanh", init_var=0.5, seed=3)
    before = [p.copy() for p in net.params()]
    with pytest.raises(ValueError) as exc:
        net.set_param(*args)
    assert words in str(exc.value) and len(str(exc.value)) < 200
    for p, q in zip(net.params(), before):
        np.testing.assert_array_equal(p, q)


def test_float32_refuses_what_it_cannot_hold():
    net = MLP([2, 2], "tanh", loss="cross_entropy", dtype=np.float32)
    with pytest.raises(ValueError, match="float32"):
        net.set_param("W1", (0, 0), 1e39)
    assert np.isfinite(net.weights[0]).all()


@pytest.mark.parametrize("opt", [SGD(0.1, momentum=0.9), Adam(0.01)], ids=["momentum", "adam"])
def test_training_continues_from_the_typed_value_with_the_optimizers_state(xor, opt):
    """Oracle: a second trainer with the same history, whose array entry is written directly;
    both then take the same steps (the optimizer's buffers carried across the edit)."""
    import copy

    a = trainer(xor, opt, batch=16)
    a.run(5)
    b = copy.deepcopy(a)
    old = a.set_param("W2", (3, 1), 2.0)
    assert old == b.net.weights[1][3, 1]
    b.net.weights[1][3, 1] = 2.0
    for _ in range(4):
        ra, rb = a.step(), b.step()
        assert ra.loss == rb.loss
    for p, q in zip(a.net.params(), b.net.params()):
        np.testing.assert_array_equal(p, q)


def test_an_edit_forgets_the_stale_evaluation_and_the_explosion_reference(xor):
    tr = trainer(xor)
    tr.run(3)
    assert tr.last_eval is not None and tr.loss_ref is not None
    tr.set_param("W3", (0, 1), 40.0)   # a large weight: a much larger loss than at the first step
    assert tr.last_eval is None and tr.loss_ref is None
    want = tr.net.loss(xor.X_test, xor.y_test)
    assert tr.evaluate()[0] == want
    rec = tr.step()                    # not refused as "diverged": the reference is the new loss
    assert tr.loss_ref == rec.loss


def test_a_refused_edit_keeps_the_evaluation_and_the_reference(xor):
    tr = trainer(xor)
    tr.run(2)
    ev, ref = tr.last_eval, tr.loss_ref
    with pytest.raises(ValueError):
        tr.set_param("W3", (0, 9), 1.0)
    assert tr.last_eval == ev and tr.loss_ref == ref


# ----------------------------------------------------------------------------- points by hand
def test_add_point_appends_one_training_point_and_leaves_the_shared_set_alone(xor):
    before = xor.X_train.copy()
    d = add_point(xor, (0.25, -0.5), 1)
    assert d is not xor and len(d.y_train) == len(xor.y_train) + 1
    np.testing.assert_array_equal(d.X_train[:-1], xor.X_train)
    np.testing.assert_array_equal(d.X_train[-1], [0.25, -0.5])
    assert d.y_train[-1] == 1 and d.y_train.dtype == xor.y_train.dtype and d.X_train.dtype == xor.X_train.dtype
    assert d.X_test is xor.X_test and d.y_test is xor.y_test          # the test set: the same points
    np.testing.assert_array_equal(xor.X_train, before)                # the shared set is untouched
    assert d.bounds == xor.bounds and d.class_names == xor.class_names
    d2 = add_point(d, (-1.0, 1.0), 0)
    assert d2.meta["by_hand"] == {"added": 2, "removed": 0} and "2 added" in d2.description
    assert "by hand" not in xor.description and "by_hand" not in xor.meta


@pytest.mark.parametrize("point,label,words", [
    ((5.0, 0.0), 0, "outside the picture"),
    ((0.0, -1.3), 0, "outside the picture"),
    ((math.nan, 0.0), 0, "finite"),
    ((0.0, math.inf), 0, "finite"),
    ((0.0,), 0, "two finite numbers"),
    ("ab", 0, "two numbers"),
    ((0.0, 0.0), 2, "label"),
    ((0.0, 0.0), -1, "label"),
    ((0.0, 0.0), 1.0, "whole number"),
    ((0.0, 0.0), True, "whole number"),
])
def test_a_bad_point_or_class_is_refused_with_a_sentence(xor, point, label, words):
    with pytest.raises(ValueError, match=words):
        add_point(xor, point, label)


def test_remove_nearest_takes_the_nearest_training_point_within_the_radius(xor):
    i = 17
    p = xor.X_train[i] + [0.01, -0.005]
    d, gone = remove_nearest(xor, p, 0.05)
    dist = np.hypot(*(xor.X_train - p).T)
    assert gone == int(np.argmin(dist)) == i
    assert len(d.y_train) == len(xor.y_train) - 1
    np.testing.assert_array_equal(d.X_train, np.delete(xor.X_train, i, axis=0))
    np.testing.assert_array_equal(d.y_train, np.delete(xor.y_train, i))
    assert d.meta["by_hand"] == {"added": 0, "removed": 1}
    assert d.X_test is xor.X_test


def test_remove_nearest_refuses_far_away_and_test_points(xor):
    x0, x1, y0, y1 = xor.bounds
    far = np.array([x0, y1])  # a corner with no point near it
    assert np.hypot(*(xor.X_train - far).T).min() > 0.1
    with pytest.raises(ValueError, match="no point within"):
        remove_nearest(xor, far, 0.1)
    t = xor.X_test[3]
    with pytest.raises(ValueError, match="test point"):
        remove_nearest(xor, t, 0.2)
    with pytest.raises(ValueError, match="radius"):
        remove_nearest(xor, t, -1.0)


def test_the_mnist_set_takes_no_points_by_hand():
    ds = load_dataset("mnist", n_train=100, n_test=100, digits=(0, 1))
    with pytest.raises(ValueError, match="only the 2-D"):
        add_point(ds, (0.0, 0.0), 0)


# ----------------------------------------------------------------------------- training on new data
def test_set_data_trains_on_the_new_points_from_the_next_step_with_the_same_weights(xor):
    tr = trainer(xor)                  # full batch: the next step's batch is the whole new set
    tr.run(4)
    d = add_point(add_point(xor, (0.3, 0.3), 1), (-0.6, 0.2), 0)
    params = [p.copy() for p in tr.net.params()]
    hist = list(tr.history)
    tr.set_data(d.X_train, d.y_train)
    for p, q in zip(tr.net.params(), params):
        np.testing.assert_array_equal(p, q)          # the weights are kept
    assert tr.history == hist and tr.step_count == 4
    oracle = tr.net.copy()
    loss, _ = oracle.gradients(d.X_train, d.y_train)
    rec = tr.step()
    assert rec.loss == loss and rec.batch_size == len(d.y_train) == tr.n_train
    np.testing.assert_array_equal(tr.X_test, xor.X_test)  # the test set is the same


def test_set_data_with_mini_batches_starts_the_epoch_over_on_the_new_points(xor):
    tr = trainer(xor, batch=64)
    tr.run(2)                          # mid-epoch (160 points: 3 steps an epoch)
    d, _ = remove_nearest(xor, xor.X_train[0], 0.01)
    tr.set_data(d.X_train, d.y_train)
    seen = []
    inner = tr.net.gradients

    def spy(X, y, dropout_masks=None):
        seen.append(np.array(X))
        return inner(X, y, dropout_masks)
    tr.net.gradients = spy
    epoch = tr.epoch
    tr.run(3)                          # 159 points, batches of 64: one whole epoch of the new set
    rows = np.vstack(seen)
    assert len(rows) == len(d.y_train)
    np.testing.assert_array_equal(np.unique(rows, axis=0), np.unique(d.X_train, axis=0))
    assert tr.epoch == epoch + 1


@pytest.mark.parametrize("X,y,words", [
    (np.zeros((0, 2)), np.zeros(0, int), "N >= 1"),
    (np.zeros((3, 3)), np.zeros(3, int), "shape"),
    (np.array([[0.0, np.nan]]), np.zeros(1, int), "NaN"),
    (np.zeros((2, 2)), np.array([0, 2]), "labels must lie"),
    (np.zeros((2, 2)), np.array([0]), "expected 2 labels"),
])
def test_set_data_refuses_bad_arrays_and_changes_nothing(xor, X, y, words):
    tr = trainer(xor)
    tr.run(1)
    with pytest.raises(ValueError, match=words):
        tr.set_data(X, y)
    assert tr.X is not X and len(tr.y) == len(xor.y_train)
    tr.step()  # and the next step works
