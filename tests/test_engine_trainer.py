"""Trainer semantics (mini-batches, epochs, records, evaluation, history), seed determinism and
divergence. Every StepRecord field is checked against an independent computation on a copy of
the network taken before the step."""
from __future__ import annotations

import math

import numpy as np
import pytest

import engine
from engine import MLP, SGD, Adam, Diverged, StepRecord, Trainer, load_dataset


@pytest.fixture(scope="module")
def circles():
    return load_dataset("circles", n_samples=200, noise=0.08, seed=0)  # 160 train / 40 test


def make(ds, batch=32, seed=0, opt=None, eval_every=5, **kw):
    net = MLP([2, 6, 5, 2], "tanh", seed=seed, **kw)
    return Trainer(net, opt or SGD(0.1, momentum=0.9), ds.X_train, ds.y_train, ds.X_test, ds.y_test,
                   batch_size=batch, seed=seed, eval_every=eval_every)


def spy_batches(tr):
    """Record (a copy of) every batch the network is trained on, from inside the network."""
    seen = []
    inner = tr.net.gradients

    def gradients(X, y, dropout_masks=None):
        seen.append((np.array(X, copy=True), np.array(y, copy=True)))
        return inner(X, y, dropout_masks)
    tr.net.gradients = gradients
    return seen


def snapshot(net):
    """An independent copy of the network (without the spy, which belongs to the original)."""
    new = net.copy()
    new.__dict__.pop("gradients", None)
    return new


def indexed_data(n, k=3, seed=0):
    """X whose first column is the row index, so a batch tells which rows it holds."""
    rng = np.random.default_rng(seed)
    X = np.c_[np.arange(n, dtype=np.float64), rng.normal(size=n)]
    return X, np.arange(n) % k


# ----------------------------------------------------------------------------- one step
@pytest.mark.parametrize("opt", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.9, nesterov=True),
                                 lambda: SGD(0.05, weight_decay=0.1), lambda: Adam(0.01)],
                         ids=["sgd", "nesterov", "sgd_wd", "adam"])
def test_each_record_is_that_steps_forward_pass_and_update(circles, opt):
    tr = make(circles, batch=32, opt=opt())
    seen = spy_batches(tr)
    for k in range(1, 8):
        before = snapshot(tr.net)  # the network as the step finds it
        rec = tr.step()
        Xb, yb = seen[-1]
        assert isinstance(rec, StepRecord) and rec.step == k and rec.batch_size == len(yb) == 32
        assert rec.lr == tr.opt.lr and rec.epoch == (k - 1) // 5  # 160 rows: 5 batches an epoch
        loss, grads = before.gradients(Xb, yb)
        assert rec.loss == pytest.approx(before.loss(Xb, yb), rel=1e-12)  # before the update
        assert rec.loss == pytest.approx(loss, rel=1e-12)
        assert rec.train_acc == np.mean(before.predict(Xb) == yb)
        assert rec.delta_norms == pytest.approx([np.mean(np.abs(d)) for d in before.last_deltas], rel=1e-12)
        assert rec.delta_norms == pytest.approx([np.mean(np.abs(d)) for d in tr.net.last_deltas], rel=1e-12)
        assert rec.grad_norms == pytest.approx([np.linalg.norm(dW) for dW, _ in grads], rel=1e-12)
        ratios = [np.linalg.norm(w1 - w0) / np.linalg.norm(w0) for w0, w1 in zip(before.weights, tr.net.weights)]
        assert rec.update_ratios == pytest.approx(ratios, rel=1e-9)
        assert len(rec.delta_norms) == len(rec.grad_norms) == len(rec.update_ratios) == tr.net.n_layers
    assert len(tr.history) == 7 and tr.history[-1] is rec


def test_step_applies_exactly_one_optimizer_update(circles):
    tr = make(circles, batch=16, opt=SGD(0.1))
    seen = spy_batches(tr)
    before = snapshot(tr.net)
    tr.step()
    Xb, yb = seen[0]
    _, grads = before.gradients(Xb, yb)
    for (W0, b0), (dW, db), W1, b1 in zip(zip(before.weights, before.biases), grads, tr.net.weights, tr.net.biases):
        assert np.allclose(W1, W0 - 0.1 * dW, rtol=0, atol=1e-15)
        assert np.allclose(b1, b0 - 0.1 * db, rtol=0, atol=1e-15)
    assert tr.opt.t == 1 and tr.step_count == 1 and len(seen) == 1


# ----------------------------------------------------------------------------- batches and epochs
@pytest.mark.parametrize("n,batch", [(160, 50), (30, 7), (12, 1), (10, 10), (9, 4)])
def test_every_epoch_visits_every_example_exactly_once_reshuffled(n, batch):
    X, y = indexed_data(n)
    tr = Trainer(MLP([2, 3, 3]), SGD(0.01), X, y, batch_size=batch, seed=4)
    seen = spy_batches(tr)
    per_epoch = -(-n // batch)
    assert tr.steps_per_epoch == per_epoch
    orders, records = [], []
    for epoch in range(3):
        for _ in range(per_epoch):
            peek = tr.peek_batch()[0][:, 0]
            records.append(tr.step())
            assert np.array_equal(peek, seen[-1][0][:, 0])  # peek_batch shows the next batch
        rows = np.concatenate([Xb[:, 0] for Xb, _ in seen[-per_epoch:]]).astype(int)
        labels = np.concatenate([yb for _, yb in seen[-per_epoch:]])
        assert np.array_equal(np.sort(rows), np.arange(n))  # each example exactly once
        assert np.array_equal(labels, y[rows])  # with its own label
        assert tr.epoch == epoch + 1
        orders.append(rows)
    sizes = [r.batch_size for r in records[:per_epoch]]
    assert sizes == [batch] * (n // batch) + ([n % batch] if n % batch else [])
    assert [r.epoch for r in records] == [e for e in range(3) for _ in range(per_epoch)]
    if batch < n:
        assert not np.array_equal(orders[0], orders[1]) or not np.array_equal(orders[1], orders[2])
        assert not np.array_equal(orders[0], np.arange(n))  # shuffled, not in file order


def test_shuffling_comes_from_the_seed():
    X, y = indexed_data(60)

    def order(trainer_seed, net_seed=0):
        tr = Trainer(MLP([2, 3, 3], seed=net_seed), SGD(0.01), X, y, batch_size=7, seed=trainer_seed)
        seen = spy_batches(tr)
        tr.run(3 * tr.steps_per_epoch)
        return np.concatenate([Xb[:, 0] for Xb, _ in seen])
    assert np.array_equal(order(5), order(5))
    assert np.array_equal(order(5, net_seed=0), order(5, net_seed=9))  # the net's seed plays no part
    assert not np.array_equal(order(5), order(6))


def test_full_batch_and_run(circles):
    tr = make(circles, batch=None)
    seen = spy_batches(tr)
    rec = tr.run(7)
    assert isinstance(rec, StepRecord) and rec is tr.history[-1]
    assert rec.step == 7 and rec.batch_size == tr.n_train == 160 and tr.epoch == 7
    assert [r.epoch for r in tr.history] == list(range(7))
    assert all(np.array_equal(Xb, circles.X_train) for Xb, _ in seen)  # the whole set every step
    assert tr.run(0) is None and len(tr.history) == 7 and len(seen) == 7


def test_batch_size_above_n_is_the_full_batch():
    X, y = indexed_data(9)
    tr = Trainer(MLP([2, 3, 3]), SGD(0.1), X, y, batch_size=100)
    assert tr.effective_batch_size == 9 and tr.steps_per_epoch == 1
    assert tr.step().batch_size == 9 and tr.epoch == 1


def test_live_batch_size_and_lr(circles):
    tr = make(circles, batch=16)
    tr.step()
    tr.batch_size = 64
    tr.opt.lr = 0.01
    rec = tr.step()
    assert rec.batch_size == 64 and rec.lr == 0.01
    tr.batch_size = None
    rec = tr.step()
    assert rec.batch_size == 160


# ----------------------------------------------------------------------------- evaluation and history
@pytest.mark.parametrize("eval_every", [1, 3, 5])
def test_test_metrics_every_eval_every_steps(circles, eval_every):
    tr = make(circles, batch=32, eval_every=eval_every)
    for _ in range(11):
        rec = tr.step()
        if rec.step % eval_every == 0:  # evaluated on the updated network
            assert rec.test_loss == pytest.approx(tr.net.loss(circles.X_test, circles.y_test), rel=1e-12)
            assert rec.test_acc == np.mean(tr.net.predict(circles.X_test) == circles.y_test)
        else:
            assert rec.test_loss is None and rec.test_acc is None


def test_default_evaluation_is_once_per_epoch(circles):
    tr = make(circles, batch=50, eval_every=None)  # 4 steps an epoch
    tr.run(9)
    assert [r.step for r in tr.history if r.test_loss is not None] == [4, 8]
    no_test = Trainer(MLP([2, 3, 2]), SGD(0.1), circles.X_train, circles.y_train, batch_size=50, eval_every=1)
    no_test.run(5)
    assert all(r.test_loss is None and r.test_acc is None for r in no_test.history)


def test_history_frame_has_one_row_per_record_and_per_layer_columns(circles):
    tr = make(circles)
    tr.run(12)
    df = tr.history_frame()
    assert len(df) == len(tr.history) == 12
    L = tr.net.n_layers
    expected = ["step", "epoch", "loss", "train_acc", "test_loss", "test_acc", "batch_size", "lr"]
    expected += [f"{name}_{l}" for name in ("delta", "grad_norm", "update_ratio") for l in range(1, L + 1)]
    assert list(df.columns) == expected
    for i, rec in enumerate(tr.history):
        row = df.iloc[i]
        assert row["step"] == rec.step and row["loss"] == rec.loss and row["train_acc"] == rec.train_acc
        for l in range(L):
            assert row[f"delta_{l + 1}"] == rec.delta_norms[l]
            assert row[f"grad_norm_{l + 1}"] == rec.grad_norms[l]
            assert row[f"update_ratio_{l + 1}"] == rec.update_ratios[l]
        if rec.test_loss is None:
            assert math.isnan(row["test_loss"]) and math.isnan(row["test_acc"])
        else:
            assert row["test_loss"] == rec.test_loss
    assert df["test_acc"].notna().sum() == 2  # steps 5 and 10
    assert len(make(circles).history_frame()) == 0


@pytest.mark.parametrize("max_history", [10, 50, 333])
def test_history_stays_bounded(circles, max_history):
    net = MLP([2, 3, 2], "tanh")
    tr = Trainer(net, SGD(0.05), circles.X_train, circles.y_train, batch_size=8, max_history=max_history)
    n_steps = 4 * max_history + 7
    for _ in range(n_steps):
        tr.step()
        assert len(tr.history) <= max_history
    steps = [r.step for r in tr.history]
    assert steps[-1] == n_steps and steps == sorted(set(steps)) and steps[0] == 1
    keep = max_history // 2
    assert steps[-keep:] == list(range(n_steps - keep + 1, n_steps + 1))  # the newest half in full
    assert len(tr.history_frame()) == len(tr.history)


# ----------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("opt", ["sgd", "nesterov", "adam"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_seed_same_run_bitwise(circles, opt, dtype):
    def run(seed, trainer_seed=None):
        o = {"sgd": SGD(0.1), "nesterov": SGD(0.1, momentum=0.9, nesterov=True), "adam": Adam(0.01)}[opt]
        net = MLP([2, 6, 5, 2], "relu", seed=seed, dtype=dtype)
        tr = Trainer(net, o, circles.X_train, circles.y_train, circles.X_test, circles.y_test, batch_size=16,
                     seed=seed if trainer_seed is None else trainer_seed, eval_every=4)
        tr.run(25)
        return tr
    a, b = run(3), run(3)
    for wa, wb in zip(a.net.params(), b.net.params()):
        assert wa.dtype == dtype and wa.tobytes() == wb.tobytes()
    assert a.history == b.history  # every field of every record, exactly
    assert a.history_frame().equals(b.history_frame())
    for c in (run(4), run(3, trainer_seed=4)):  # another init, or only another shuffle
        assert any(not np.array_equal(wa, wc) for wa, wc in zip(a.net.params(), c.net.params()))
        assert [r.loss for r in a.history] != [r.loss for r in c.history]


def test_float32_and_float64_nets_of_one_seed_start_identical():
    a = MLP([4, 5, 3], "relu", seed=9, dtype=np.float64)
    b = MLP([4, 5, 3], "relu", seed=9, dtype=np.float32)
    assert b.weights[0].dtype == np.float32
    for wa, wb in zip(a.params(), b.params()):
        assert np.array_equal(wa.astype(np.float32), wb)


# ----------------------------------------------------------------------------- divergence
DIVERGING = {
    "mse-linear-lr1e3": (dict(sizes=[2, 8, 2], activations="tanh", loss="mse", output_activation="linear",
                              init_var=1.0), 1e3),
    "huge-init-variance": (dict(sizes=[2, 8, 8, 2], activations="linear", loss="mse",
                                output_activation="linear", init_var=1e2), 0.1),
    "deep-linear-softmax": (dict(sizes=[2, 16, 16, 16, 2], activations="linear", init_var=1e2), 1.0),
}


@pytest.mark.parametrize("explode", [1000, None], ids=["explosion-check", "overflow-only"])
@pytest.mark.parametrize("name", list(DIVERGING))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_divergence_raises_before_updating_and_leaves_finite_params(circles, name, dtype, explode):
    kw, lr = DIVERGING[name]
    net = MLP(**kw, seed=0, dtype=dtype)
    tr = Trainer(net, SGD(lr=lr), circles.X_train, circles.y_train, batch_size=None, seed=0,
                 explode_factor=explode)
    snapshot = None
    with np.errstate(all="ignore"), pytest.raises(Diverged) as exc:
        for _ in range(500):
            snapshot = [p.copy() for p in net.params()]
            tr.step()
    err = exc.value
    msg = str(err)
    assert f"Step {err.step}" in msg and "learning rate" in msg
    assert err.reason in (("exploded",) if explode else ("loss", "gradient", "update")) and err.step >= 1
    assert all(np.isfinite(p).all() for p in net.params())
    assert all(np.array_equal(a, b) for a, b in zip(snapshot, net.params()))  # the failed step changed nothing
    assert tr.step_count == err.step - 1 == len(tr.history) and tr.opt.t == err.step - 1
    assert engine.Diverged is Diverged and isinstance(err, ArithmeticError)


REFUSALS = {  # reason -> (optimizer, explode_factor, learning rate set after 3 good steps)
    "exploded": (lambda: SGD(0.3, momentum=0.9), 1000, None),
    "loss": (lambda: SGD(0.3, momentum=0.9), None, None),
    "gradient": (lambda: SGD(1.0, momentum=0.9), None, None),
    "update": (lambda: Adam(0.01), None, 1e300),
}


@pytest.mark.parametrize("reason", list(REFUSALS))
def test_a_refused_step_changes_nothing(circles, reason):
    """Issue 17: a step refused by the divergence check still advanced the dropout mask
    generator, so the retried step drew other masks. Now the whole state is the same after
    a refusal (every attribute of trainer and optimizer, parameters, running statistics, both
    generators, history) but for one documented exception: an explosion makes the new loss
    level the reference (else the same batch would be refused forever)."""
    from _state import assert_same_state, trainer_state

    make_opt, explode, new_lr = REFUSALS[reason]
    net = MLP([2, 8, 8, 2], "linear", loss="mse", output_activation="linear", init_var=1.0, seed=0,
              batch_norm=[True, False], dropout=0.3)
    tr = Trainer(net, make_opt(), circles.X_train, circles.y_train, circles.X_test, circles.y_test,
                 batch_size=40, seed=0, eval_every=3, explode_factor=explode)
    if new_lr:
        tr.run(3)
        tr.opt.lr = new_lr
    with np.errstate(all="ignore"), pytest.raises(Diverged) as exc:
        for _ in range(50):
            before = trainer_state(tr)
            tr.step()
    assert exc.value.reason == reason and tr.step_count >= 1  # a run under way, with optimizer state
    refused_masks = [m.copy() for m in net.last_dropout_masks if m is not None]
    after = trainer_state(tr)
    if reason == "exploded":
        assert after["trainer"]["loss_ref"] > 1000 * max(before["trainer"]["loss_ref"], 1e-2)
        after["trainer"]["loss_ref"] = before["trainer"]["loss_ref"]
    assert_same_state(before, after)
    if reason != "exploded":  # the retried step is the same step: same batch, same dropout masks
        with np.errstate(all="ignore"), pytest.raises(Diverged):
            tr.step()
        assert all(np.array_equal(a, b) for a, b in zip(refused_masks, [m for m in net.last_dropout_masks
                                                                         if m is not None]))


def test_after_divergence_the_same_batch_is_retried_and_a_lower_lr_continues(circles):
    net = MLP([2, 8, 2], "tanh", loss="mse", output_activation="linear", init_var=1.0, seed=0)
    tr = Trainer(net, SGD(lr=1e3), circles.X_train, circles.y_train, batch_size=40, seed=0,
                 explode_factor=None)  # this test is about overflow; the explosion check has its own
    seen = spy_batches(tr)
    with np.errstate(all="ignore"), pytest.raises(Diverged) as exc:
        tr.run(500)
    assert exc.value.reason == "update"  # the loss was still finite: only the step was too big
    failed_X = seen[-1][0]
    step, epoch = tr.step_count, tr.epoch
    assert np.array_equal(tr.peek_batch()[0], failed_X)
    with np.errstate(all="ignore"), pytest.raises(Diverged) as again:
        tr.step()  # same lr, same parameters, same batch: the same failure, the same step number
    assert again.value.step == exc.value.step and tr.step_count == step and tr.epoch == epoch
    assert np.array_equal(seen[-1][0], failed_X)
    tr.opt.lr = 1e-6  # the advice: lower the learning rate, then continue
    with np.errstate(all="ignore"):
        rec = tr.step()
    assert rec.step == exc.value.step and np.array_equal(seen[-1][0], failed_X)
    assert all(np.isfinite(p).all() for p in net.params())


@pytest.mark.parametrize("opt", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.01)], ids=["momentum", "adam"])
def test_restore_undoes_steps_exactly(circles, opt):
    """The live loop undoes steps a Pause made invisible; the run then goes on as if untouched."""
    def trainer():
        net = MLP([2, 6, 5, 2], "tanh", seed=2, batch_norm=True, dropout=0.2)
        return Trainer(net, opt(), circles.X_train, circles.y_train, circles.X_test, circles.y_test,
                       batch_size=32, seed=2, eval_every=3, max_history=20)
    a, b = trainer(), trainer()
    a.run(13)
    b.run(13)
    snap = b.snapshot()
    b.run(11)  # crosses epochs, evaluations and a history thinning
    b.restore(snap)
    a.run(9)
    b.run(9)
    for pa, pb in zip(a.net.params(), b.net.params()):
        assert pa.tobytes() == pb.tobytes()
    assert a.history == b.history and a.step_count == b.step_count == 22
    assert all(np.array_equal(x.running_var, y.running_var) for x, y in zip(a.net.bn, b.net.bn))
