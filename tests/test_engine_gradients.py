"""Backprop's gradients against central differences (float64, < 1e-7) for every hidden
activation x loss x output activation, and against torch autograd (< 1e-10) where installed."""
from __future__ import annotations

import numpy as np
import pytest

from engine import HIDDEN_ACTIVATIONS, MLP, gradient_check

# (loss, output activation, number of outputs)
HEADS = [("cross_entropy", None, 3), ("mse", "sigmoid", 2), ("mse", "linear", 2), ("mse", "tanh", 1),
         ("bce", None, 2), ("bce", None, 1)]


def rel_error(a, b) -> float:
    """max |a - b| relative to the array's gradient scale (the product's metric)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0))
    return float(np.abs(a - b).max(initial=0) / scale) if scale > 0 else 0.0


def make_case(acts, head, sizes_hidden=(5, 4), seed=0, n=11, init="normal", init_var=0.5):
    loss, out, k = head
    rng = np.random.default_rng(seed)
    net = MLP([3, *sizes_hidden, k], acts, loss=loss, output_activation=out, init=init, init_var=init_var,
              seed=seed, dtype=np.float64)
    for b in net.biases:  # non-zero biases: no ReLU pre-activation sits on its kink
        b += rng.uniform(0.1, 0.4, b.shape) * rng.choice([-1, 1], b.shape)
    X = rng.normal(size=(n, 3))
    y = rng.integers(0, max(k, 2), n)
    return net, X, y


def numeric_grads(net, X, y, eps=1e-6):
    """Central differences of the full loss (independent of the engine's backward pass)."""
    out = []
    for P in [p for pair in zip(net.weights, net.biases) for p in pair]:
        G = np.empty_like(P)
        flat, g = P.reshape(-1), G.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            lp = net.loss(X, y)
            flat[i] = old - eps
            lm = net.loss(X, y)
            flat[i] = old
            g[i] = (lp - lm) / (2 * eps)
        out.append(G)
    return out


def analytic(net, X, y):
    loss, grads = net.gradients(X, y)
    return loss, [g for pair in grads for g in pair]


def _kink_margin(net, X) -> float:
    zs = net.preactivations(X)[:-1]
    return min((float(np.abs(z).min()) for z in zs), default=np.inf)


@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}")
@pytest.mark.parametrize("act", HIDDEN_ACTIVATIONS)
def test_backprop_equals_finite_differences(act, head):
    net, X, y = make_case(act, head)
    if act in ("relu", "leaky_relu"):
        assert _kink_margin(net, X) > 1e-4  # the test is honest: no kink within reach of eps
    _, grads = analytic(net, X, y)
    for g, n in zip(grads, numeric_grads(net, X, y)):
        assert g.shape == n.shape
        assert rel_error(g, n) < 1e-7


@pytest.mark.parametrize("hidden,acts", [((), "tanh"), ((4, 3, 5, 2, 3, 4), "tanh"),
                                         ((4, 5, 3), ["relu", "sigmoid", "leaky_relu"])])
@pytest.mark.parametrize("init", ["normal", "xavier", "he"])
def test_depth_per_layer_activations_and_inits(hidden, acts, init):
    net, X, y = make_case(acts, HEADS[0], sizes_hidden=hidden, init=init, seed=3)
    _, grads = analytic(net, X, y)
    for g, n in zip(grads, numeric_grads(net, X, y)):
        assert rel_error(g, n) < 1e-7
    # the product's check agrees, and never changes the user's net
    before = [p.copy() for p in net.params()]
    assert gradient_check(net, X, y, eps=1e-6).max_rel_error < 1e-7
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))


def test_last_deltas_are_dL_dz():
    net, X, y = make_case("tanh", HEADS[0])
    net.gradients(X, y)
    assert [d.shape for d in net.last_deltas] == [(11, 5), (11, 4), (11, 3)]
    # delta_L for softmax cross-entropy is (softmax - onehot) / N
    p = net.forward(X)
    t = np.eye(3)[y]
    assert np.allclose(net.last_deltas[-1], (p - t) / len(y), atol=1e-15)


def test_gradient_check_on_float32_net_runs_in_float64_and_samples_big_arrays():
    net, X, y = make_case("tanh", HEADS[0], sizes_hidden=(40,))
    net32 = net.copy(dtype=np.float32)
    report = gradient_check(net32, X, y, max_entries=30)
    assert report.max_rel_error < 1e-6  # float32 weights, exact float64 maths on the copy
    w1 = report.params[0]
    assert w1.sampled and w1.checked == 30 and w1.size == 120
    assert net32.weights[0].dtype == np.float32


# ----------------------------------------------------------------------------- torch oracle
def torch_loss(net, X, y):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    fs = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
          "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "linear": lambda z: z}
    a = torch.tensor(X, dtype=torch.float64)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W + b
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


@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}")
@pytest.mark.parametrize("act", HIDDEN_ACTIVATIONS)
def test_backprop_equals_torch_autograd(act, head):
    net, X, y = make_case(act, head, n=23)
    loss, grads = analytic(net, X, y)
    t_loss, t_grads = torch_loss(net, X, y)
    assert abs(loss - t_loss) <= 1e-12 * max(1.0, abs(t_loss))
    for g, tg in zip(grads, t_grads):
        assert rel_error(g, tg) < 1e-10


@pytest.mark.parametrize("scale", [1e3, 3e3])
def test_bce_is_stable_for_huge_logits(scale):
    net, X, y = make_case("tanh", ("bce", None, 2))
    net.weights[-1] *= scale / np.abs(net.weights[-1]).max()  # |z| in the thousands
    assert np.abs(net.preactivations(X)[-1]).max() > 500
    loss, grads = analytic(net, X, y)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads)
    t_loss, t_grads = torch_loss(net, X, y)
    assert abs(loss - t_loss) <= 1e-12 * abs(t_loss)
    for g, tg in zip(grads, t_grads):
        assert rel_error(g, tg) < 1e-10


def test_cross_entropy_is_stable_for_huge_logits():
    net, X, y = make_case("tanh", HEADS[0])
    net.weights[-1] *= 2000.0
    loss, grads = analytic(net, X, y)
    t_loss, t_grads = torch_loss(net, X, y)
    assert np.isfinite(loss) and abs(loss - t_loss) <= 1e-12 * abs(t_loss)
    for g, tg in zip(grads, t_grads):
        assert rel_error(g, tg) < 1e-10
