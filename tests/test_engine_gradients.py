"""Backprop's gradients against central differences (float64, < 1e-7) for every hidden
activation x loss x output activation, depth 0 to 6, per-layer activations and every init, and
against torch autograd (< 1e-10) where torch is installed.

The finite differences use a reference forward pass written here from the formulas in the
GUIDE (plain NumPy, different stable forms), so a bug shared by the engine's forward and
backward passes cannot hide; the reference loss is itself checked against ``net.loss``.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import HIDDEN_ACTIVATIONS, INITS, MLP, gradient_check
from _broken import with_scaled_delta
from _require import oracle

pytestmark = pytest.mark.usefixtures("torch_single_thread")  # the torch-oracle tests

# (loss, output activation, number of outputs)
HEADS = [("cross_entropy", None, 3), ("mse", "sigmoid", 2), ("mse", "linear", 2), ("mse", "tanh", 2),
         ("mse", "tanh", 1), ("bce", None, 2), ("bce", None, 1)]
HEAD_IDS = [f"{loss}-{out or 'default'}-{k}" for loss, out, k in HEADS]
KINK_MARGIN = 1e-3  # |z| of every ReLU-type pre-activation: eps * |a| (< 1e-5) cannot cross 0

# ----------------------------------------------------------------------------- reference maths
REF_ACT = {
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),  # another exact form of 1 / (1 + e^-z)
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
}


def targets(y, k):
    return y.astype(np.float64).reshape(-1, 1) if k == 1 else np.eye(k)[y]


def ref_head(net, z, y):
    """Mean loss from the output pre-activations z (N, K), straight from the GUIDE."""
    N, K = z.shape
    t = targets(y, K)
    if net.loss_name == "cross_entropy":
        lse = np.logaddexp.reduce(z, axis=1)
        return float(np.mean(lse - z[np.arange(N), y]))
    if net.loss_name == "bce":  # -[t log s(z) + (1-t) log(1-s(z))] = t softplus(-z) + (1-t) softplus(z)
        return float(np.sum(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z)) / N)
    a = REF_ACT[net.loss_fn.output_name](z)
    return float(0.5 * np.sum((a - t) ** 2) / N)


def ref_forward_from(net, l, z, y):
    """The loss given layer l's pre-activation z_l (0-based l), through the reference maths."""
    names = net.activation_names
    for k in range(l + 1, net.n_layers):
        z = REF_ACT[names[k - 1]](z) @ net.weights[k] + net.biases[k]
    return ref_head(net, z, y)


def ref_loss(net, X, y):
    return ref_forward_from(net, 0, X @ net.weights[0] + net.biases[0], y)


def central_differences(f, P, eps=1e-6):
    """dF/dP by central differences, P perturbed in place and restored bit for bit."""
    G = np.empty_like(P)
    flat, g = P.reshape(-1), G.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        lp = f()
        flat[i] = old - eps
        lm = f()
        flat[i] = old
        g[i] = (lp - lm) / (2 * eps)
    return G


def numeric_grads(net, X, y):
    return [central_differences(lambda: ref_loss(net, X, y), P) for P in net.params()]


def rel_error(a, b) -> float:
    """max |a - b| relative to the array's gradient scale (gradient_check's metric)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0))
    return float(np.abs(a - b).max(initial=0) / scale) if scale > 0 else 0.0


# ----------------------------------------------------------------------------- cases
def make_case(acts, head, hidden=(5, 4), seed=0, n=11, init="normal", init_var=0.5):
    """A float64 net with random non-zero biases (no ReLU unit sits on its kink) and data."""
    loss, out, k = head
    rng = np.random.default_rng(seed)
    net = MLP([3, *hidden, k], acts, loss=loss, output_activation=out, init=init, init_var=init_var,
              seed=seed, dtype=np.float64)
    for b in net.biases:
        b += rng.uniform(0.1, 0.4, b.shape) * rng.choice([-1, 1], b.shape)
    X = rng.normal(size=(n, 3))
    y = rng.integers(0, max(k, 2), n)
    nudge_off_kinks(net, X)
    return net, X, y


def nudge_off_kinks(net, X):
    """Shift the bias of any ReLU-type unit with a pre-activation near 0 until none is within
    3 x KINK_MARGIN of its kink (layer by layer: a shift changes the layers after it)."""
    for l, name in enumerate(net.activation_names):
        if name not in ("relu", "leaky_relu"):
            continue
        for _ in range(100):
            near = (np.abs(net.preactivations(X)[l]) <= 3 * KINK_MARGIN).any(axis=0)
            if not near.any():
                break
            net.biases[l][near] += 7 * KINK_MARGIN


def assert_no_kink_within_reach(net, X):
    """The finite-difference test is honest for ReLU / leaky ReLU: every pre-activation of such
    a layer is far from 0 compared with what a +-eps nudge of any weight can move it."""
    zs = net.preactivations(X)
    for name, z in zip(net.activation_names, zs):
        if name in ("relu", "leaky_relu"):
            assert np.abs(z).min() > KINK_MARGIN


def assert_backprop_matches_finite_differences(net, X, y):
    assert_no_kink_within_reach(net, X)
    loss, grads = net.gradients(X, y)
    assert loss == pytest.approx(ref_loss(net, X, y), rel=1e-13, abs=1e-15)
    assert net.loss(X, y) == pytest.approx(loss, rel=1e-13, abs=1e-15)
    flat = [g for pair in grads for g in pair]
    assert [g.shape for g in flat] == [p.shape for p in net.params()]
    for g, num in zip(flat, numeric_grads(net, X, y)):
        assert rel_error(g, num) < 1e-7


@pytest.mark.parametrize("head", HEADS, ids=HEAD_IDS)
@pytest.mark.parametrize("act", HIDDEN_ACTIVATIONS)
def test_backprop_equals_finite_differences(act, head):
    net, X, y = make_case(act, head)
    assert_backprop_matches_finite_differences(net, X, y)


@pytest.mark.parametrize("head", HEADS, ids=HEAD_IDS)
@pytest.mark.parametrize("hidden,acts", [
    ((), "tanh"),                                                    # depth 0: logistic/softmax regression
    ((), []),                                                        # depth 0 with an (empty) per-layer list
    ((4, 3, 5, 2, 3, 4), "tanh"),                                    # depth 6
    ((4, 3, 5, 2, 3, 4), ["relu", "sigmoid", "leaky_relu", "linear", "tanh", "relu"]),
    ((5, 4, 3), ["leaky_relu", "tanh", "sigmoid"]),                  # one activation per layer
], ids=["depth0", "depth0-list", "depth6", "depth6-mixed", "per-layer"])
def test_depth_and_per_layer_activations(hidden, acts, head):
    net, X, y = make_case(acts, head, hidden=hidden, seed=3)
    assert net.activation_names == ([acts] * len(hidden) if isinstance(acts, str) else list(acts))
    assert_backprop_matches_finite_differences(net, X, y)


@pytest.mark.parametrize("init,init_var", [("normal", 0.01), ("normal", 0.5), ("normal", 3.0),
                                           ("xavier", 0.1), ("he", 0.1)])
@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_every_init(init, init_var, act):
    net, X, y = make_case(act, HEADS[0], hidden=(6, 5), seed=5, init=init, init_var=init_var)
    assert_backprop_matches_finite_differences(net, X, y)


@pytest.mark.parametrize("init", INITS)
def test_init_draws_the_documented_variance_and_zero_biases(init):
    net = MLP([300, 200, 100], "relu", init=init, init_var=0.04, seed=1)
    expected = {"normal": [0.04, 0.04], "xavier": [2 / 500, 2 / 300], "he": [2 / 300, 2 / 200],
                "zeros": [0.0, 0.0]}[init]
    assert net.init_variances() == pytest.approx(expected)
    if init == "zeros":  # the symmetry lesson's init: every parameter exactly 0
        assert all(not p.any() for p in net.params())
        return
    for W, var in zip(net.weights, expected):
        assert abs(W.mean()) < 4 * np.sqrt(var / W.size)
        assert W.var() == pytest.approx(var, rel=0.03)  # 20,000+ draws: the sample variance is within ~1%
    assert all(not b.any() for b in net.biases)
    again = MLP([300, 200, 100], "relu", init=init, init_var=0.04, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(net.params(), again.params()))


@pytest.mark.parametrize("head", HEADS, ids=HEAD_IDS)
@pytest.mark.parametrize("acts", ["tanh", ["relu", "leaky_relu"]], ids=["tanh", "relu-lrelu"])
def test_last_deltas_are_dL_dz(acts, head):
    """delta_l = dL/dz_l for every layer, checked entry by entry against differences of the
    reference loss with respect to z_l itself."""
    net, X, y = make_case(acts, head, n=6)
    assert_no_kink_within_reach(net, X)
    net.gradients(X, y)
    zs = [z.copy() for z in net.preactivations(X)]
    assert [d.shape for d in net.last_deltas] == [z.shape for z in zs]
    for l, (z, d) in enumerate(zip(zs, net.last_deltas)):
        num = central_differences(lambda l=l, z=z: ref_forward_from(net, l, z, y), z)
        assert rel_error(d, num) < 1e-7


def test_gradients_do_not_modify_inputs_or_parameters():
    net, X, y = make_case("relu", HEADS[0])
    X0, y0, P0 = X.copy(), y.copy(), [p.copy() for p in net.params()]
    net.gradients(X, y)
    net.forward(X)
    net.loss(X, y)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    assert all(np.array_equal(a, b) for a, b in zip(P0, net.params()))


# ----------------------------------------------------------------------------- gradient_check
@pytest.mark.parametrize("acts", ["tanh", "sigmoid", ["tanh", "linear"]], ids=["tanh", "sigmoid", "mixed"])
def test_gradient_check_passes_per_layer_on_a_fresh_net_and_leaves_it_alone(acts):
    net = MLP([2, 5, 4, 3], acts, seed=2)  # fresh: default init, biases 0
    X = np.random.default_rng(2).normal(size=(12, 2))
    y = np.arange(12) % 3
    before = [p.copy() for p in net.params()]
    report = gradient_check(net, X, y)
    assert [p.name for p in report.params] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [p.shape for p in report.params] == [p.shape for p in net.params()]
    for p in report.params:
        assert p.max_rel_error < 1e-7 and p.verdict == "good" and not p.sampled
    assert report.ok and report.max_rel_error < 1e-7 and report.near_kinks == 0
    assert report.loss == pytest.approx(net.loss(X, y), rel=1e-14)
    for a, b in zip(before, net.params()):
        assert a.dtype == b.dtype and np.array_equal(a, b)  # bitwise: the user's net is untouched
    assert net.last_deltas == []  # not even its cached deltas


def test_gradient_check_on_a_float32_net_works_on_a_float64_copy():
    net64, X, y = make_case("tanh", HEADS[0], hidden=(40,))
    net32 = net64.copy(dtype=np.float32)
    before = [p.copy() for p in net32.params()]
    report = gradient_check(net32, X, y, max_entries=30)
    for p in report.params:
        assert p.max_rel_error < 1e-7  # float64 maths on the float32 weights: as exact as float64
    w1 = report.params[0]
    assert w1.sampled and w1.checked == 30 and w1.size == 120 and report.sampled
    for a, b in zip(before, net32.params()):
        assert b.dtype == np.float32 and np.array_equal(a, b)


def test_gradient_check_catches_a_wrong_gradient():
    """The check can fail: a network whose backward pass is off by a factor is flagged."""
    net, X, y = make_case("tanh", HEADS[0])
    report = gradient_check(with_scaled_delta(net, 1.01), X, y)
    assert not report.ok and report.max_rel_error > 1e-3


# ----------------------------------------------------------------------------- torch oracle
def torch_loss_and_grads(net, X, y):
    """Loss and gradients of the same network built in torch from the engine's W, b."""
    torch = oracle("torch")
    F = torch.nn.functional
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    fs = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
          "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "linear": lambda z: z}
    a = torch.tensor(X, dtype=torch.float64)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W + b  # engine convention: W (n_in, n_out)
        if l < len(net.hidden):
            a = fs[net.hidden[l].name](z)
    N, K = z.shape
    yt = torch.tensor(y)
    t = yt.double().reshape(-1, 1) if K == 1 else F.one_hot(yt, K).double()
    if net.loss_name == "cross_entropy":
        loss = F.cross_entropy(z, yt)
    elif net.loss_name == "bce":
        loss = F.binary_cross_entropy_with_logits(z, t, reduction="sum") / N
    else:
        out = fs[net.loss_fn.output_name](z)
        loss = 0.5 * ((out - t) ** 2).sum() / N
    loss.backward()
    return loss.item(), [p.grad.numpy() for pair in zip(Ws, bs) for p in pair]


def assert_matches_torch(net, X, y):
    loss, grads = net.gradients(X, y)
    t_loss, t_grads = torch_loss_and_grads(net, X, y)
    assert abs(loss - t_loss) <= 1e-12 * max(1.0, abs(t_loss))
    for g, tg in zip([g for pair in grads for g in pair], t_grads):
        assert rel_error(g, tg) < 1e-10


@pytest.mark.parametrize("head", HEADS, ids=HEAD_IDS)
@pytest.mark.parametrize("act", HIDDEN_ACTIVATIONS)
def test_backprop_equals_torch_autograd(act, head):
    net, X, y = make_case(act, head, n=23)
    assert_no_kink_within_reach(net, X)
    assert_matches_torch(net, X, y)


@pytest.mark.parametrize("hidden,acts,init", [
    ((), "tanh", "normal"), ((4, 3, 5, 2, 3, 4), "tanh", "xavier"),
    ((4, 3, 5, 2, 3, 4), ["relu", "sigmoid", "leaky_relu", "linear", "tanh", "relu"], "he"),
    ((6, 5), ["leaky_relu", "sigmoid"], "normal"),
])
@pytest.mark.parametrize("head", HEADS, ids=HEAD_IDS)
def test_depths_and_inits_equal_torch_autograd(hidden, acts, init, head):
    net, X, y = make_case(acts, head, hidden=hidden, seed=3, init=init, n=17)
    assert_no_kink_within_reach(net, X)
    assert_matches_torch(net, X, y)


@pytest.mark.parametrize("scale", [1e3, 3e3])
@pytest.mark.parametrize("k", [1, 2])
def test_bce_is_stable_for_huge_logits(scale, k):
    net, X, y = make_case("tanh", ("bce", None, k))
    net.weights[-1] *= scale / np.abs(net.weights[-1]).max()  # |z| in the thousands
    zL = net.preactivations(X)[-1]
    assert np.abs(zL).max() > 500
    t = targets(y, k)
    assert ((zL > 300) & (t == 0)).any() or ((zL < -300) & (t == 1)).any()  # confidently wrong units
    loss, grads = net.gradients(X, y)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for pair in grads for g in pair)
    assert_matches_torch(net, X, y)


def test_cross_entropy_is_stable_for_huge_logits():
    net, X, y = make_case("tanh", HEADS[0])
    net.weights[-1] *= 2000.0
    loss, grads = net.gradients(X, y)
    assert np.isfinite(loss) and loss > 100
    assert all(np.isfinite(g).all() for pair in grads for g in pair)
    assert_matches_torch(net, X, y)


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_a_pre_activation_exactly_on_the_kink_gets_torchs_derivative(act):
    """f'(0) is a convention: torch takes ReLU'(0) = 0 and leaky ReLU'(0) = 0.01. At a fresh
    ReLU net (biases 0) an input row of zeros, or a row whose units all died, puts z exactly on
    0; the gradients must equal torch's there too (f'(0) = 1 passed every other test)."""
    rng = np.random.default_rng(0)
    X = np.vstack([np.zeros((2, 2)), rng.normal(size=(14, 2))])  # two rows exactly at the origin
    y = rng.integers(0, 2, 16)
    net = MLP([2, 8, 8, 8, 2], act, init_var=10.0, seed=0)
    zs = net.preactivations(X)
    assert all((z == 0).any() for z in zs[:-1])  # every hidden layer has exact zeros
    assert_matches_torch(net, X, y)
