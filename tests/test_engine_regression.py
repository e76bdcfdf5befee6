"""Regression (issue 19, item 1): MLP(..., loss="mse", problem="regression") takes real targets,
(N,) or (N, n_out). Its gradients equal torch autograd's (torch's own mse_loss, float64, to
1e-10) for every hidden and output activation, with batch norm and dropout; 100-step SGD-momentum
and Adam trajectories through the Trainer equal torch's; its score is R² (checked against
scikit-learn), never an accuracy; TensorFlow Playground's two regression sets follow its
definitions (src/dataset.ts, re-implemented here point by point from the TypeScript); the 1-D
curve sets are their formulas plus noise; classification is untouched."""
from __future__ import annotations

import math

import numpy as np
import pytest
from _require import oracle

from engine import (CURVE_SETS, MLP, REGRESSION_SETS, SGD, Adam, Trainer, gradient_check, load_dataset,
                    r2_score, unit_contributions)
from engine.datasets import TF_GAUSSIANS
from engine.ledger import shape_ledger
from engine.phases import StepWalk
from engine.views import boundary_grid

torch = oracle("torch")
F = torch.nn.functional
pytestmark = pytest.mark.usefixtures("torch_single_thread")

TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
             "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "linear": lambda z: z}
ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTS = ("linear", "tanh", "sigmoid")


def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


class TorchTwin:
    """The engine's regression net in torch, from its parameters: torch.nn.BatchNorm1d with
    torch's own defaults, dropout as the same mask times 1/(1-p), and the loss from torch's own
    mse_loss: 1/2 sum (out - t)^2 / N (the engine's and TensorFlow Playground's square loss)."""

    def __init__(self, net: MLP):
        self.net = net
        self.params = {name: t64(p).requires_grad_() for name, p in net.named_params()}
        self.bn = []
        for l, bn in enumerate(net.bn, start=1):
            if bn is None:
                self.bn.append(None)
                continue
            tb = torch.nn.BatchNorm1d(len(bn.gamma)).double()
            with torch.no_grad():
                tb.weight.copy_(t64(bn.gamma)), tb.bias.copy_(t64(bn.beta))
                tb.running_mean.copy_(t64(bn.running_mean)), tb.running_var.copy_(t64(bn.running_var))
            self.params[f"gamma{l}"], self.params[f"beta{l}"] = tb.weight, tb.bias
            self.bn.append(tb)

    def output(self, X, train=True, masks=None):
        net, P = self.net, self.params
        a = t64(X)
        L = net.n_layers
        for l in range(1, L + 1):
            z = a @ P[f"W{l}"] + P[f"b{l}"]
            if l == L:
                return TORCH_ACT[net.loss_fn.output_name](z)
            if self.bn[l - 1] is not None:
                z = self.bn[l - 1].train(train)(z)
            a = TORCH_ACT[net.activation_names[l - 1]](z)
            if train and masks is not None and masks[l - 1] is not None:
                a = a * torch.tensor(masks[l - 1], dtype=torch.float64) / (1 - net.dropout[l - 1])

    def loss(self, X, t, train=True, masks=None):
        out = self.output(X, train, masks)
        t = t64(t).reshape(out.shape)
        return 0.5 * F.mse_loss(out, t, reduction="sum") / out.shape[0]


def rel(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0))
    return float(np.abs(a - b).max(initial=0) / scale) if scale > 0 else 0.0


def case(act="tanh", out="linear", k=1, hidden=(6, 5), n=17, seed=0, flat=True, **kw):
    """A float64 regression net with non-trivial biases, X (n, 3) and real targets: (n,) for one
    output unit when ``flat``, else (n, k)."""
    rng = np.random.default_rng(seed)
    net = MLP([3, *hidden, k], act, loss="mse", output_activation=out, problem="regression", init_var=0.5,
              seed=seed, **kw)
    for _, p in net.named_params():
        p += rng.uniform(-0.3, 0.3, p.shape)
    X = rng.normal(size=(n, 3))
    t = rng.normal(size=(n, k)) * 0.7
    if act in ("relu", "leaky_relu"):  # keep every pre-activation clear of the kink at 0
        for l in range(len(hidden)):
            for _ in range(100):
                near = (np.abs(net.preactivations(X)[l]) < 3e-3).any(axis=0)
                if not near.any():
                    break
                net.biases[l][near] += 7e-3
    return net, X, (t[:, 0] if (flat and k == 1) else t)


def assert_equal_to_torch(net, X, t, tol=1e-10):
    loss, _ = net.gradients(X, t)
    twin = TorchTwin(net)
    masks = net.last_dropout_masks if net.has_dropout else None
    t_loss = twin.loss(X, t, True, masks)
    t_loss.backward()
    assert abs(loss - t_loss.item()) <= 1e-12 * max(1.0, abs(t_loss.item()))
    for name, g in net.named_grads():
        tg = twin.params[name].grad.numpy()
        # the dense bias under a BatchNorm has gradient 0 both ways: compare absolutely there
        assert rel(g, tg) < tol or np.abs(g - tg).max() < 1e-14, name


# ----------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("out", OUTS)
@pytest.mark.parametrize("act", ACTS)
def test_regression_gradients_equal_torch_mse_loss(act, out):
    for k, flat in ((1, True), (1, False), (3, False)):
        net, X, t = case(act, out, k, flat=flat)
        assert_equal_to_torch(net, X, t)


@pytest.mark.parametrize("act", ACTS)
def test_regression_with_batchnorm_and_dropout_equals_torch(act):
    net, X, t = case(act, "linear", 2, hidden=(7, 6), n=20, flat=False, batch_norm=[True, False],
                     dropout=[0.0, 0.4])
    assert_equal_to_torch(net, X, t)
    net, X, t = case(act, "tanh", 1, hidden=(), n=9)  # no hidden layer: linear regression
    assert_equal_to_torch(net, X, t)


def test_gradient_check_passes_on_regression_and_catches_a_wrong_delta():
    net, X, t = case("tanh", "linear", 1)
    assert gradient_check(net, X, t).ok
    from _broken import with_scaled_delta

    assert not gradient_check(with_scaled_delta(net, 1.01), X, t).ok


def test_the_loss_is_tensorflow_playgrounds_square_loss():
    """TF PG: error = 0.5 (output - target)^2, averaged over the points (nn.ts Errors.SQUARE,
    playground.ts getLoss). One output, linear: the engine's loss is that number."""
    net, X, t = case("relu", "linear", 1)
    out = net.forward(X)[:, 0]
    assert net.loss(X, t) == pytest.approx(np.mean([0.5 * (o - v) ** 2 for o, v in zip(out, t)]), rel=1e-13)


# ----------------------------------------------------------------------------- training
def _trajectory(opt_name, batch, steps=100, dtype=np.float64):
    ds = load_dataset("reg-gauss", n_samples=120, noise=0.1, seed=2)
    net = MLP([2, 8, 6, 1], "tanh", loss="mse", problem="regression", init="xavier", seed=1, dtype=dtype,
              batch_norm=[True, False])
    kw = dict(lr=0.05, momentum=0.9) if opt_name == "momentum" else dict(lr=0.01)
    opt = SGD(**kw) if opt_name == "momentum" else Adam(**kw)
    tr = Trainer(net, opt, ds.X_train, ds.y_train, ds.X_test, ds.y_test, batch_size=batch, seed=3)
    twin = TorchTwin(net)
    topt = (torch.optim.SGD if opt_name == "momentum" else torch.optim.Adam)(list(twin.params.values()), **kw)
    for _ in range(steps):
        Xb, tb = tr.peek_batch()
        rec = tr.step()
        topt.zero_grad()
        t_loss = twin.loss(Xb, tb)
        assert rec.loss == pytest.approx(t_loss.item(), rel=1e-9)
        t_loss.backward()
        topt.step()
    return net, twin, tr


@pytest.mark.parametrize("batch", [None, 16], ids=["full-batch", "batch-16"])
@pytest.mark.parametrize("opt_name", ["momentum", "adam"])
def test_100_step_regression_trajectory_equals_torch(opt_name, batch):
    net, twin, tr = _trajectory(opt_name, batch)
    for name, p in net.named_params():
        if name == "b1":
            continue  # the dense bias under the BatchNorm: rounding noise both ways (test_engine_batchnorm)
        assert rel(p, twin.params[name].detach().numpy()) < 1e-9, name
    assert tr.history[-1].loss < 0.5 * tr.history[0].loss  # it learned: the test can fail


def test_step_records_hold_r2_and_no_accuracy():
    ds = load_dataset("sine", n_samples=100, seed=0)
    net = MLP([1, 8, 1], "tanh", loss="mse", problem="regression", seed=0)
    tr = Trainer(net, SGD(0.05, momentum=0.9), ds.X_train, ds.y_train, ds.X_test, ds.y_test, eval_every=1)
    for _ in range(30):
        rec = tr.step()
    assert rec.train_acc is None and rec.test_acc is None
    # the test R² is that of the weights after the step (scikit-learn as the oracle)
    from sklearn.metrics import r2_score as sk

    assert rec.test_r2 == pytest.approx(sk(ds.y_test, net.predict(ds.X_test)), rel=1e-12)
    assert tr.evaluate() == (pytest.approx(net.loss(ds.X_test, ds.y_test)), pytest.approx(rec.test_r2))
    df = tr.history_frame()
    assert list(df.columns[:8]) == ["step", "epoch", "loss", "train_r2", "test_loss", "test_r2", "batch_size", "lr"]
    assert "train_acc" not in df.columns and df["test_r2"].iloc[-1] == pytest.approx(rec.test_r2)


def test_the_batch_r2_is_the_r2_of_that_steps_forward_pass():
    ds = load_dataset("abs", n_samples=60, seed=1)
    net = MLP([1, 4, 1], "relu", loss="mse", problem="regression", init="he", seed=0)
    tr = Trainer(net, Adam(0.01), ds.X_train, ds.y_train, batch_size=8, seed=0)
    from sklearn.metrics import r2_score as sk

    for _ in range(12):
        Xb, tb = tr.peek_batch()
        before = net.copy()
        rec = tr.step()
        assert rec.train_r2 == pytest.approx(sk(tb, before.predict(Xb)), rel=1e-12, abs=1e-14)


def test_a_batch_of_one_has_no_r2_and_training_goes_on():
    ds = load_dataset("sine", n_samples=50, seed=0)
    net = MLP([1, 4, 1], "tanh", loss="mse", problem="regression", seed=0)
    tr = Trainer(net, SGD(0.05), ds.X_train, ds.y_train, ds.X_test, ds.y_test, batch_size=1)
    recs = [tr.step() for _ in range(5)]
    assert all(r.train_r2 is None and r.train_acc is None for r in recs)
    assert math.isfinite(tr.evaluate()[1])


def test_classification_records_are_unchanged():
    ds = load_dataset("xor", n_samples=80, seed=0)
    net = MLP([2, 4, 2], "tanh", seed=0)
    tr = Trainer(net, SGD(0.1), ds.X_train, ds.y_train, ds.X_test, ds.y_test, eval_every=1)
    before = net.copy()
    rec = tr.step()
    assert rec.train_r2 is None and rec.test_r2 is None
    assert rec.train_acc == float(np.mean(before.predict(ds.X_train) == ds.y_train))
    assert rec.test_acc == float(np.mean(net.predict(ds.X_test) == ds.y_test))
    assert list(tr.history_frame().columns[:8]) == ["step", "epoch", "loss", "train_acc", "test_loss", "test_acc",
                                                   "batch_size", "lr"]


# ----------------------------------------------------------------------------- R²
def test_r2_equals_scikit_learn():
    from sklearn.metrics import r2_score as sk

    rng = np.random.default_rng(0)
    t, p = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    assert r2_score(p, t) == pytest.approx(sk(t, p), rel=1e-13)                 # uniform average
    assert r2_score(p[:, 0], t[:, 0]) == pytest.approx(sk(t[:, 0], p[:, 0]), rel=1e-13)
    assert r2_score(t, t) == 1.0
    assert r2_score(np.full(40, t[:, 0].mean()), t[:, 0]) == pytest.approx(0.0, abs=1e-15)
    assert r2_score(p[:1], t[:1]) is None                                       # one row: no variance
    assert r2_score(p[:, :1], np.ones((40, 1))) is None                         # constant targets
    assert r2_score(p.astype(np.float32), t) == pytest.approx(sk(t, p.astype(np.float32)), rel=1e-12)


# ----------------------------------------------------------------------------- the contract
def test_targets_are_checked_with_a_sentence():
    net, X, t = case()
    for bad, words in ((np.array(["a"] * 17), "numbers"), (np.r_[t[:-1], np.nan], "NaN"),
                       (t[:-1], "shape (17, 1) or (17,)"), (np.c_[t, t], "shape"), (None, "shape")):
        with pytest.raises(ValueError, match="y"):
            net.gradients(X, bad)
        with pytest.raises(ValueError, match=words.split()[0].replace("(", r"\(").replace(")", r"\)")):
            net.loss(X, bad)
    with pytest.raises(ValueError, match="y_train"):
        Trainer(net, SGD(0.1), X, t[:5])
    # integer targets are real numbers too
    assert net.loss(X, np.arange(17)) == pytest.approx(net.loss(X, np.arange(17.0)))


def test_problem_is_explicit_and_checked():
    with pytest.raises(ValueError, match="problem"):
        MLP([2, 3, 1], loss="mse", problem="regresion")
    with pytest.raises(ValueError, match="mse"):
        MLP([2, 3, 1], problem="regression")                  # the default loss is cross-entropy
    with pytest.raises(ValueError, match="mse"):
        MLP([2, 3, 1], loss="bce", problem="regression")
    net = MLP([2, 3, 1], loss="mse", problem="regression")
    assert net.loss_fn.output_name == "linear" and net.is_regression  # linear output by default
    assert MLP([2, 3, 1], loss="mse").loss_fn.output_name == "sigmoid"  # classification as before
    assert "regression" in net.describe()
    # classification still refuses real labels
    with pytest.raises(ValueError, match="whole class numbers"):
        MLP([2, 3, 2]).loss(np.zeros((2, 2)), np.array([0.5, 1.0]))


def test_predict_gives_values_and_classify_refuses():
    net, X, t = case(k=1)
    np.testing.assert_array_equal(net.predict(X), net.forward(X)[:, 0])
    net3, X3, _ = case(k=3, flat=False)
    assert net3.predict(X3).shape == (17, 3)
    with pytest.raises(ValueError, match="regression"):
        net.classify(net.logits(X))
    np.testing.assert_array_equal(boundary_grid(MLP([2, 4, 1], loss="mse", problem="regression"), (-1, 1, -1, 1), 5,
                                                normalize=True).shape, (5, 5))


def test_teaching_tools_take_real_targets():
    ds = load_dataset("reg-plane", n_samples=60, seed=0)
    net = MLP([2, 4, 1], "tanh", loss="mse", problem="regression", seed=0)
    rows = shape_ledger(net, ds.X_train[:8], ds.y_train[:8])
    assert [r for r in rows if r.name == "L"][0].mean_abs == pytest.approx(net.loss(ds.X_train[:8], ds.y_train[:8],
                                                                                     train=True))
    assert shape_ledger(net, ds.X_train[:8], ds.y_train[:8], per_sample=True)[0].shape == (4,)
    tr = Trainer(net, SGD(0.1), ds.X_train, ds.y_train, batch_size=8)
    walk = StepWalk(tr)
    while not walk.done:
        walk.advance()
    assert tr.step_count == 1 and walk.record.train_r2 is not None


# ----------------------------------------------------------------------------- data
def tfpg_plane_label(x, y):
    """dataset.ts regressPlane getLabel: d3 linear scale [-10, 10] -> [-1, 1] of x + y."""
    return -1 + (x + y - -10) / 20 * 2


def tfpg_gauss_label(x, y):
    """dataset.ts regressGaussian getLabel, line by line: label 0, and for each Gaussian in
    order sign * scale(dist) with scale [0, 2] -> [1, 0] clamped; replace when strictly larger
    in absolute value."""
    label = 0.0
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]:
        d = math.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        scaled = min(max(1 + (d - 0) / (2 - 0) * (0 - 1), 0.0), 1.0)
        new = sign * scaled
        if abs(new) > abs(label):
            label = new
    return label


def test_tf_playground_sets_follow_its_definitions():
    assert TF_GAUSSIANS == ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))
    for name, label in (("reg-plane", tfpg_plane_label), ("reg-gauss", tfpg_gauss_label)):
        ds = load_dataset(name, n_samples=500, noise=0.0, test_fraction=0.2, seed=4)
        assert ds.problem == "regression" and ds.n_outputs == 1 and ds.bounds == (-6, 6, -6, 6)
        X, y = np.vstack([ds.X_train, ds.X_test]), np.r_[ds.y_train, ds.y_test]
        assert np.abs(X).max() <= 6 and np.abs(X).max() > 5.9  # uniform in [-6, 6]^2
        np.testing.assert_allclose(y, [label(a, b) for a, b in X], rtol=0, atol=1e-15)
        assert len(ds.y_test) == 100 and ds.target
    y = load_dataset("reg-gauss", n_samples=2000, noise=0.0).y_train
    assert y.min() == pytest.approx(-1, abs=0.05) and y.max() == pytest.approx(1, abs=0.05) and (y == 0).mean() > 0.3


def test_noise_moves_where_the_label_is_computed_as_in_tf_playground():
    """Noise n: the label is that of the point shifted by n * U(-6, 6) per coordinate; the
    points themselves are the same for every noise level (the same seed)."""
    clean = load_dataset("reg-plane", n_samples=400, noise=0.0, seed=1)
    noisy = load_dataset("reg-plane", n_samples=400, noise=0.5, seed=1)
    np.testing.assert_array_equal(clean.X_train, noisy.X_train)
    shift = 10 * (noisy.y_train - clean.y_train)             # (dx + dy) of each point's shift
    assert np.abs(shift).max() <= 2 * 6 * 0.5 and np.abs(shift).max() > 4
    assert shift.std() == pytest.approx(math.sqrt(2 * (12 * 0.5) ** 2 / 12), rel=0.15)  # two U(-3, 3)


@pytest.mark.parametrize("name", CURVE_SETS)
def test_curve_sets_are_their_formula_plus_noise(name):
    f = {"sine": np.sin, "abs": np.abs, "step": lambda x: np.where(x < 0, -1.0, 1.0), "cubic": lambda x: x ** 3 / 9,
         "xsinx": lambda x: x * np.sin(x)}[name]
    clean = load_dataset(name, n_samples=300, noise=0.0, seed=3)
    assert clean.X_train.shape[1] == 1 and clean.n_features == 1 and clean.n_outputs == 1
    np.testing.assert_allclose(clean.y_train, f(clean.X_train[:, 0]), atol=1e-15)
    assert np.abs(clean.X_train).max() <= 3 and clean.bounds[:2] == (-3.0, 3.0)
    lo, hi = clean.bounds[2:]
    assert lo < clean.y_train.min() and hi > clean.y_train.max()
    noisy = load_dataset(name, n_samples=300, noise=0.2, seed=3)
    np.testing.assert_array_equal(noisy.X_train, clean.X_train)
    assert (noisy.y_train - clean.y_train).std() == pytest.approx(0.2, rel=0.2)
    assert name in REGRESSION_SETS + CURVE_SETS and "noise" in noisy.target and "noise" not in clean.target


def test_regression_sets_are_seeded_and_checked():
    a, b = load_dataset("reg-gauss", seed=5), load_dataset("reg-gauss", seed=5)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, load_dataset("reg-gauss", seed=6).y_train)
    with pytest.raises(ValueError, match="test_fraction"):
        load_dataset("sine", n_samples=8, test_fraction=0.1)
    with pytest.raises(ValueError, match="noise"):
        load_dataset("abs", noise=-1)


# ----------------------------------------------------------------------------- contributions
def test_unit_contributions_add_up_to_the_output():
    net, X, t = case("relu", "linear", 1, hidden=(5, 7))
    parts, b, z = unit_contributions(net, X)
    assert parts.shape == (17, 7, 1) and b.shape == (1,)
    np.testing.assert_allclose(parts.sum(axis=1) + b, net.logits(X), rtol=1e-12, atol=1e-12)
    a = net.activations(X)[-2]
    np.testing.assert_allclose(parts[:, 3, 0], a[:, 3] * net.weights[-1][3, 0], rtol=1e-15)
    lin, _, _ = case("tanh", "linear", 1, hidden=())
    assert unit_contributions(lin, X)[0].shape == (17, 3, 1)  # no hidden layer: the inputs


# ----------------------------------------------------------------------------- take it home
def _reg_trainer(opt="momentum", batch=16, dtype=np.float64, data="sine", **kw):
    ds = load_dataset(data, n_samples=90, noise=0.1, test_fraction=0.2, seed=1)
    net = MLP([ds.n_features, 6, 5, 1], "relu", loss="mse", problem="regression", init="he", seed=2, dtype=dtype,
              **kw)
    o = SGD(0.03, momentum=0.9) if opt == "momentum" else Adam(0.01)
    return Trainer(net, o, ds.X_train, ds.y_train, ds.X_test, ds.y_test, batch_size=batch, seed=2, eval_every=3)


@pytest.mark.parametrize("with_data", [True, False], ids=["data-in-file", "data-spec"])
@pytest.mark.parametrize("opt", ["momentum", "adam"])
def test_a_saved_regression_run_continues_bit_for_bit(opt, with_data):
    import io

    from _state import assert_same_state, trainer_state
    from engine.export import load_run, save_run

    spec = {"name": "sine", "n_samples": 90, "noise": 0.1, "test_fraction": 0.2, "seed": 1}
    a, b = _reg_trainer(opt, batch_norm=[True, False], dropout=[0.0, 0.2]), \
        _reg_trainer(opt, batch_norm=[True, False], dropout=[0.0, 0.2])
    a.run(30)
    b.run(13)
    buf = io.BytesIO()
    save_run(b, buf, data_spec=None if with_data else spec)
    c = load_run(buf.getvalue())
    assert c.net.is_regression and c.y.dtype == np.float64
    assert_same_state(trainer_state(b), trainer_state(c))
    assert c.history == b.history and any(r.test_r2 is not None for r in c.history)
    c.run(17)
    for (n1, p1), (n2, p2) in zip(a.net.named_params(), c.net.named_params()):
        assert n1 == n2 and p1.tobytes() == p2.tobytes(), n1
    assert a.history == c.history


@pytest.mark.parametrize("data", ["sine", "reg-gauss"])
@pytest.mark.parametrize("opt,dtype", [("momentum", np.float64), ("adam", np.float32)])
def test_the_standalone_script_reproduces_a_regression_run(opt, dtype, data, tmp_path):
    from test_export import run_script
    from threadpoolctl import threadpool_limits

    from engine.export import standalone_script

    limit = threadpool_limits(1)  # as in the app (ui.blas) and as the script pins itself
    try:
        _script_case(opt, dtype, data, tmp_path, run_script, standalone_script)
    finally:
        limit.restore_original_limits()


def _script_case(opt, dtype, data, tmp_path, run_script, standalone_script):

    tr = _reg_trainer(opt, dtype=dtype, data=data, batch_norm=[False, True])
    src = standalone_script(tr, steps=25)
    assert 'PROBLEM = "regression"' in src.replace("'", '"') and "real targets" in src
    tr.run(25)
    np.testing.assert_allclose(run_script(src, tmp_path), [r.loss for r in tr.history], rtol=1e-10, atol=0)


def test_the_standalone_script_reproduces_a_two_output_regression(tmp_path):
    """Two real targets per row ((N, 2), data written into the script): with one output the
    one-hot of a class label and a real target look alike, with two they do not."""
    from test_export import run_script
    from threadpoolctl import threadpool_limits

    from engine.export import standalone_script

    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(40, 2))
    T = np.c_[np.sin(2 * X[:, 0]), X[:, 0] * X[:, 1]]
    net = MLP([2, 5, 2], "tanh", loss="mse", problem="regression", seed=1)
    tr = Trainer(net, SGD(0.1, momentum=0.9), X, T, batch_size=8, seed=1)
    src = standalone_script(tr, steps=20)
    with threadpool_limits(1):
        tr.run(20)
    np.testing.assert_allclose(run_script(src, tmp_path), [r.loss for r in tr.history], rtol=1e-10, atol=0)
