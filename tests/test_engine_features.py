"""Engineered input features (issue 19, item 2): the map equals its formulas, the network with
features equals torch autograd computing the same features from X inside its graph (values,
gradients, a 100-step trajectory), n_0 is the number of features everywhere the student looks
(ledger, phases, weights), and every picture of the plane maps its points through the features."""
from __future__ import annotations

import numpy as np
import pytest

from engine import MLP, SGD, Adam, Trainer, boundary_grid, gradient_check, grid_activations, load_dataset
from engine.features import FEATURE_NAMES, FEATURES, check_feature_names, feature_map
from engine.hidden import hidden_map
from engine.ledger import shape_ledger, shape_ledger_columns
from engine.phases import StepWalk
from engine.views import grid_points

from _require import oracle  # noqa: E402

torch = oracle("torch")
pytestmark = pytest.mark.usefixtures("torch_single_thread")

DS = load_dataset("circles", n_samples=120, noise=0.1, test_fraction=0.25, seed=1)
ALL = FEATURE_NAMES


def torch_features(X, names):
    """The features computed by torch from the points, inside autograd (an independent oracle:
    torch's own multiply and sin)."""
    x1, x2 = X[:, 0], X[:, 1]
    cols = {"x1": x1, "x2": x2, "x1x2": x1 * x2, "x1sq": x1 ** 2, "x2sq": x2 ** 2,
            "sin1": torch.sin(x1), "sin2": torch.sin(x2)}
    return torch.stack([cols[n] for n in names], dim=1)


def test_the_seven_features_are_tf_playgrounds_with_their_share_link_names():
    assert FEATURE_NAMES == ("x1", "x2", "x1x2", "x1sq", "x2sq", "sin1", "sin2")
    assert [FEATURES[n].label for n in FEATURE_NAMES] == ["x₁", "x₂", "x₁x₂", "x₁²", "x₂²", "sin x₁", "sin x₂"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_feature_map_equals_the_formulas_in_the_given_order(dtype):
    X = np.random.default_rng(0).uniform(-1.5, 1.5, (50, 2)).astype(dtype)
    x1, x2 = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)
    want = {"x1": x1, "x2": x2, "x1x2": x1 * x2, "x1sq": x1 ** 2, "x2sq": x2 ** 2, "sin1": np.sin(x1),
            "sin2": np.sin(x2)}
    names = ("sin2", "x1sq", "x1", "x1x2", "x2sq", "x2", "sin1")
    A = feature_map(X, names)
    assert A.shape == (50, 7) and A.dtype == dtype
    for j, n in enumerate(names):
        np.testing.assert_allclose(A[:, j], want[n], rtol=1e-6 if dtype == np.float32 else 1e-15, err_msg=n)
    # the formula text is the expression computed (what the standalone script writes)
    for n in names:
        got = eval(FEATURES[n].formula, {"np": np, "x1": X[:, 0], "x2": X[:, 1]})  # noqa: S307 - our own text
        assert np.array_equal(np.broadcast_to(got, (50,)), A[:, names.index(n)])


@pytest.mark.parametrize("bad,match", [((), "at least one"), (("x3",), "unknown name 'x3'"),
                                       (("x1", "x1"), "twice"), ("x1", "list of names")])
def test_bad_feature_names_get_a_sentence(bad, match):
    with pytest.raises(ValueError, match=match):
        check_feature_names(bad)
    with pytest.raises(ValueError, match="features"):
        MLP([max(len(bad), 1), 2], features=bad)


def test_sizes_must_start_with_the_number_of_features_and_X_has_two_columns():
    with pytest.raises(ValueError, match="sizes must start with 2"):
        MLP([3, 4, 2], features=("x1sq", "x2sq"))
    net = MLP([3, 4, 2], features=("x1sq", "x2sq", "x1x2"))
    assert net.sizes[0] == 3 and net.n_inputs == 2 and net.weights[0].shape == (3, 4)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"X_train: expected shape \(N, 2\)"):
        Trainer(net, SGD(0.1), np.zeros((4, 3)), np.zeros(4, int))


def _torch_net(net, names):
    params = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in net.params()]

    def loss(X, y):
        a = torch_features(torch.tensor(X), names)
        L = net.n_layers
        for l in range(L):
            W, b = params[2 * l], params[2 * l + 1]
            a = a @ W + b
            if l < L - 1:
                a = torch.tanh(a)
        return torch.nn.functional.cross_entropy(a, torch.tensor(y))
    return params, loss


@pytest.mark.parametrize("names", [ALL, ("x1sq", "x2sq"), ("sin2", "x1x2")], ids=["all", "squares", "sin-prod"])
@pytest.mark.parametrize("hidden", [(), (5, 4)], ids=["no-hidden", "5-4"])
def test_values_and_gradients_equal_torch_autograd(names, hidden):
    net = MLP([len(names), *hidden, 2], "tanh", init_var=0.7, seed=3, features=names)
    params, loss_fn = _torch_net(net, names)
    X, y = DS.X_train[:40], DS.y_train[:40]
    loss, _ = net.gradients(X, y)
    t_loss = loss_fn(X, y)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-13)
    for (name, g), tp in zip(net.named_grads(), params):
        np.testing.assert_allclose(g, tp.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)
    assert gradient_check(net, X, y).ok


def test_100_step_trajectory_with_features_equals_torch():
    names = ALL
    net = MLP([7, 6, 2], "tanh", init_var=0.5, seed=0, features=names)
    params, loss_fn = _torch_net(net, names)
    topt = torch.optim.Adam(params, lr=0.02)
    tr = Trainer(net, Adam(lr=0.02), DS.X_train, DS.y_train, batch_size=None)
    for _ in range(100):
        rec = tr.step()
        topt.zero_grad()
        t_loss = loss_fn(DS.X_train, DS.y_train)
        t_loss.backward()
        topt.step()
        assert rec.loss == pytest.approx(t_loss.item(), rel=1e-10)
    for p, tp in zip(net.params(), params):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_a_net_with_features_equals_a_plain_net_fed_the_features():
    """Every picture of the plane (boundary, neurons, hidden space) maps its points through the
    features: the same numbers as a plain network given the feature columns."""
    names = ("x1", "x1sq", "x2sq", "sin2")
    net = MLP([4, 5, 3, 2], "tanh", init_var=0.6, seed=4, features=names)
    plain = MLP([4, 5, 3, 2], "tanh", init_var=0.6, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(net.params(), plain.params()))
    bounds = (-1.3, 1.3, -1.2, 1.2)
    G = grid_points(bounds, 30)
    np.testing.assert_array_equal(boundary_grid(net, bounds, 30).reshape(900, 2), plain.forward(feature_map(G, names)))
    for a, b in zip(grid_activations(net, bounds, 30), plain.activations(feature_map(G, names))[1:-1]):
        np.testing.assert_array_equal(a.reshape(900, -1), b)
    hv = hidden_map(net, DS.X_train, 1, bounds, resolution=10)
    assert hv.points.shape == (len(DS.X_train), 2) and hv.grid.shape == (100, 2)
    np.testing.assert_array_equal(net.activations(DS.X_test)[0], feature_map(DS.X_test, names))
    assert "inputs x₁, x₁², x₂², sin x₂" in net.describe()


@pytest.mark.parametrize("per_sample", [False, True])
def test_the_ledger_shows_n0_as_the_number_of_features(per_sample):
    names = ("x1sq", "x2sq", "x1x2")
    net = MLP([3, 4, 2], "tanh", seed=0, features=names)
    X, y = DS.X_train[:9], DS.y_train[:9]
    rows = {r.name: r for r in shape_ledger(net, X, y, per_sample=per_sample)}
    n = () if per_sample else (9,)
    assert rows["x"].shape == (*n, 3) and rows["x"].phase == "forward"
    assert r"\phi(" in rows["x"].latex and "x_1^2" in rows["x"].latex and "x_1 x_2" in rows["x"].latex
    assert (r"\underset{2}{X}" if per_sample else r"\underset{9\times2}{X}") in rows["x"].latex
    assert rows["z1"].latex.count(r"3\times4") == 1 and rows["dW1"].shape == (3, 4)
    assert rows["x"].mean_abs == pytest.approx(np.abs(feature_map(X[:1] if per_sample else X, names)).mean())
    cols = {r.name: r for r in shape_ledger_columns(net, X, y)}
    assert cols["x"].shape == (3, 9) and cols["W1"].shape == (4, 3)
    # a plain net has no such row
    assert "x" not in {r.name for r in shape_ledger(MLP([2, 4, 2]), X, y)}


def test_step_phases_show_the_features_and_equal_a_real_step():
    net = MLP([2, 3, 2], "tanh", seed=0, features=("x1sq", "x2sq"))
    tr = Trainer(net, SGD(0.1), DS.X_train, DS.y_train, batch_size=16, seed=0)
    walk = StepWalk(tr)
    first = walk.advance()
    assert first.text.startswith("x = φ(X) = [x₁², x₂²]: (16×2) → (16×2).") and first.ledger[0] == "x"
    while not walk.done:
        walk.advance()
    twin = Trainer(MLP([2, 3, 2], "tanh", seed=0, features=("x1sq", "x2sq")), SGD(0.1), DS.X_train, DS.y_train,
                   batch_size=16, seed=0)
    assert twin.step().loss == walk.record.loss


def test_the_default_features_x1_x2_are_the_plain_network():
    a = MLP([2, 4, 2], seed=1)
    b = MLP([2, 4, 2], seed=1, features=("x1", "x2"))
    ta = Trainer(a, SGD(0.1, momentum=0.9), DS.X_train, DS.y_train, batch_size=8)
    tb = Trainer(b, SGD(0.1, momentum=0.9), DS.X_train, DS.y_train, batch_size=8)
    ta.run(20)
    tb.run(20)
    assert [r.loss for r in ta.history] == [r.loss for r in tb.history]
