"""BatchNorm and dropout (GUIDE, "BatchNorm and dropout"): gradients equal torch autograd in
float64 for every activation x loss, with BatchNorm and with dropout on the same masks; the
running statistics and 100-step SGD-momentum and Adam trajectories equal torch's; eval mode
uses the running statistics and no dropout; the gradient check works with both and calls
the dense bias under a BatchNorm "zero both ways"."""
from __future__ import annotations

import numpy as np
import pytest
from _require import oracle

from engine import MLP, SGD, Adam, Trainer, gradient_check
from engine.layers import BatchNorm

torch = oracle("torch")
F = torch.nn.functional

HEADS = [("cross_entropy", None, 3), ("mse", "sigmoid", 2), ("mse", "linear", 2), ("mse", "tanh", 2),
         ("bce", None, 2), ("bce", None, 1)]
ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
             "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "linear": lambda z: z}


pytestmark = pytest.mark.usefixtures("torch_single_thread")
TORCH_EPS = torch.nn.BatchNorm1d(1).eps  # torch's default, not the engine's constant


def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


def torch_batchnorm(gamma, beta, running_mean, running_var):
    """torch.nn.BatchNorm1d(n) with torch's own defaults (eps, momentum, unbiased running
    variance: nothing passed), holding the engine's numbers. The oracle must not be built from
    the engine's constants: with them, a wrong momentum or eps in the engine passed every test."""
    bn = torch.nn.BatchNorm1d(len(gamma)).double()
    with torch.no_grad():
        for mine, theirs in ((gamma, bn.weight), (beta, bn.bias), (running_mean, bn.running_mean),
                             (running_var, bn.running_var)):
            theirs.copy_(t64(mine))
    return bn


class TorchTwin:
    """The engine's network written in torch from its parameters: the same layers in the same
    order (torch.nn.BatchNorm1d with its defaults, dropout as the same mask times 1/(1-p))."""

    def __init__(self, net: MLP):
        self.net = net
        self.params = {name: t64(p).requires_grad_() for name, p in net.named_params()}
        self.bn = [None if bn is None else torch_batchnorm(bn.gamma, bn.beta, bn.running_mean, bn.running_var)
                   for bn in net.bn]
        for l, bn in enumerate(self.bn, start=1):
            if bn is not None:  # its weight and bias are the twin's gamma and beta
                self.params[f"gamma{l}"], self.params[f"beta{l}"] = bn.weight, bn.bias
        self.running = [None if bn is None else (bn.running_mean, bn.running_var) for bn in self.bn]

    def loss(self, X, y, train=True, masks=None):
        net, P = self.net, self.params
        a = t64(X)
        L = net.n_layers
        for l in range(1, L + 1):
            z = a @ P[f"W{l}"] + P[f"b{l}"]
            if l == L:
                break
            if net.batch_norm[l - 1]:
                z = self.bn[l - 1].train(train)(z)
            a = TORCH_ACT[net.activation_names[l - 1]](z)
            if train and masks is not None and masks[l - 1] is not None:
                a = a * torch.tensor(masks[l - 1], dtype=torch.float64) / (1 - net.dropout[l - 1])
        N, K = z.shape
        yt = torch.tensor(y)
        t = yt.double().reshape(-1, 1) if K == 1 else F.one_hot(yt, K).double()
        if net.loss_name == "cross_entropy":
            return F.cross_entropy(z, yt)
        if net.loss_name == "bce":
            return F.binary_cross_entropy_with_logits(z, t, reduction="sum") / N
        out = TORCH_ACT[net.loss_fn.output_name](z)
        return 0.5 * ((out - t) ** 2).sum() / N

    def grads(self, X, y, masks=None):
        for p in self.params.values():
            p.grad = None
        loss = self.loss(X, y, True, masks)
        loss.backward()
        return loss.item(), {k: p.grad.numpy() for k, p in self.params.items()}


def rel(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0))
    return float(np.abs(a - b).max(initial=0) / scale) if scale > 0 else 0.0


def case(act, head, batch_norm=True, dropout=0.0, hidden=(6, 5), n=13, seed=0):
    loss, out, k = head
    rng = np.random.default_rng(seed)
    net = MLP([3, *hidden, k], act, loss=loss, output_activation=out, init_var=0.5, seed=seed,
              batch_norm=batch_norm, dropout=dropout)
    for _, p in net.named_params():  # non-trivial gamma, beta and biases
        p += rng.uniform(-0.3, 0.3, p.shape)
    X = rng.normal(size=(n, 3))
    y = rng.integers(0, max(k, 2), n)
    return net, X, y


def assert_equal_to_torch(net, X, y, masks=None, tol=1e-10):
    twin = TorchTwin(net)
    loss, _ = net.gradients(X, y, dropout_masks=masks)
    used = net.last_dropout_masks
    t_loss, t_grads = twin.grads(X, y, used if net.has_dropout else None)
    assert abs(loss - t_loss) <= 1e-12 * max(1.0, abs(t_loss))
    names = [n for n, _ in net.named_params()]
    assert names == list(t_grads)
    for name, g in net.named_grads():
        assert g.shape == t_grads[name].shape
        # the dense bias under a BatchNorm has gradient 0 both ways: compare absolutely there
        assert rel(g, t_grads[name]) < tol or np.abs(g - t_grads[name]).max() < 1e-14, name
    for bn, tr in zip(net.bn, twin.running):
        if bn is not None:
            np.testing.assert_allclose(bn.running_mean, tr[0].numpy(), rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(bn.running_var, tr[1].numpy(), rtol=1e-12, atol=1e-15)
    return twin


@pytest.mark.parametrize("head", HEADS, ids=[f"{h[0]}-{h[1] or 'default'}-{h[2]}" for h in HEADS])
@pytest.mark.parametrize("act", ACTS)
def test_batchnorm_gradients_and_running_stats_equal_torch(act, head):
    net, X, y = case(act, head, batch_norm=True)
    assert [n for n, _ in net.named_params()] == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2",
                                                  "beta2", "W3", "b3"]
    twin = assert_equal_to_torch(net, X, y)
    # eval mode: the running statistics, in both
    with torch.no_grad():
        t_eval = twin.loss(X, y, train=False).item()
    assert net.loss(X, y) == pytest.approx(t_eval, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("head", HEADS, ids=[f"{h[0]}-{h[1] or 'default'}-{h[2]}" for h in HEADS])
@pytest.mark.parametrize("act", ACTS)
def test_dropout_gradients_equal_torch_with_the_same_masks(act, head):
    net, X, y = case(act, head, batch_norm=False, dropout=[0.3, 0.5])
    assert_equal_to_torch(net, X, y)  # masks drawn by the net, handed to torch
    rng = np.random.default_rng(5)
    masks = [rng.random((13, 6)) > 0.3, None]  # given masks; none for the second layer
    assert_equal_to_torch(net, X, y, masks)
    assert net.last_dropout_masks[0] is masks[0] and net.last_dropout_masks[1] is None


def test_batchnorm_and_dropout_together_per_layer_settings_equal_torch():
    net, X, y = case("relu", HEADS[0], batch_norm=[True, False], dropout=[0.0, 0.4], hidden=(7, 6), n=20)
    assert [n for n, _ in net.named_params()] == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "W3", "b3"]
    assert net.bn[1] is None and net.drop[0] is None and net.drop[1] is not None
    assert_equal_to_torch(net, X, y)


def _trajectory(opt_name, steps=100):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(64, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    net = MLP([3, 8, 6, 3], "sigmoid", batch_norm=True, init_var=0.5, seed=1)
    kw = dict(lr=0.05, momentum=0.9) if opt_name == "momentum" else dict(lr=0.01)
    opt = SGD(**kw) if opt_name == "momentum" else Adam(**kw)
    tr = Trainer(net, opt, X, y, batch_size=16, seed=3)
    twin = TorchTwin(net)
    topt = (torch.optim.SGD if opt_name == "momentum" else torch.optim.Adam)(list(twin.params.values()), **kw)
    for _ in range(steps):
        Xb, yb = tr.peek_batch()
        tr.step()
        topt.zero_grad()
        twin.loss(Xb, yb).backward()
        topt.step()
    return net, twin


@pytest.mark.parametrize("opt_name", ["momentum", "adam"])
def test_100_step_trajectory_with_batchnorm_equals_torch(opt_name):
    net, twin = _trajectory(opt_name)
    for name, p in net.named_params():
        theirs = twin.params[name].detach().numpy()
        if name in ("b1", "b2"):
            # the dense biases under the BatchNorms: their gradient is rounding noise (BN
            # subtracts the batch mean), so both sides move them by noise, which BN then
            # removes again. SGD leaves them at ~0; Adam divides noise by its own size and
            # walks them by ~lr a step, differently on each side (harmless, see the next line).
            if opt_name == "momentum":
                assert np.abs(p).max() < 1e-12 and np.abs(theirs).max() < 1e-12
            continue
        assert rel(p, theirs) < 1e-9, name
    # the running means average z = a W + b, so with Adam they carry the noise walk of b (~1e-9
    # of their size after 100 steps); the running variances do not depend on b at all
    mean_tol = 1e-9 if opt_name == "momentum" else 1e-7
    for bn, (rm, rv) in zip(net.bn, twin.running):
        assert rel(bn.running_mean, rm.numpy()) < mean_tol and rel(bn.running_var, rv.numpy()) < 1e-9


def test_eval_mode_uses_running_statistics_and_no_dropout():
    net, X, y = case("tanh", HEADS[0], batch_norm=True, dropout=0.5)
    a, b = net.forward(X), net.forward(X)
    assert np.array_equal(a, b)  # no dropout in eval
    before = [bn.running_mean.copy() for bn in net.bn]
    net.forward(X)
    assert all(np.array_equal(m, bn.running_mean) for m, bn in zip(before, net.bn))  # eval: no update
    # eval = the BatchNorm formula with the running statistics, no mask, written out
    W, bvec = net.weights, net.biases
    z = X @ W[0] + bvec[0]
    bn = net.bn[0]
    h = np.tanh(bn.gamma * (z - bn.running_mean) / np.sqrt(bn.running_var + TORCH_EPS) + bn.beta)
    z2 = h @ W[1] + bvec[1]
    bn2 = net.bn[1]
    h2 = np.tanh(bn2.gamma * (z2 - bn2.running_mean) / np.sqrt(bn2.running_var + TORCH_EPS) + bn2.beta)
    zL = h2 @ W[2] + bvec[2]
    e = np.exp(zL - zL.max(axis=1, keepdims=True))
    np.testing.assert_allclose(a, e / e.sum(axis=1, keepdims=True), rtol=1e-12)
    # train mode draws fresh masks each call, from the net's own generator
    net.gradients(X, y)
    m1 = [m.copy() for m in net.last_dropout_masks]
    net.gradients(X, y)
    assert any(not np.array_equal(p, q) for p, q in zip(m1, net.last_dropout_masks))


def test_same_seed_same_masks_same_run():
    def run():
        rng = np.random.default_rng(0)
        X = rng.normal(size=(40, 3))
        y = rng.integers(0, 3, 40)
        net = MLP([3, 8, 8, 3], "relu", batch_norm=True, dropout=0.3, seed=7)
        tr = Trainer(net, SGD(0.1, momentum=0.9), X, y, batch_size=10, seed=7)
        tr.run(30)
        return [p.copy() for p in net.params()], [bn.running_var.copy() for bn in net.bn], tr.history[-1].loss
    p1, r1, l1 = run()
    p2, r2, l2 = run()
    assert l1 == l2 and all(np.array_equal(a, b) for a, b in zip(p1 + r1, p2 + r2))


def test_dropout_does_not_change_the_initial_weights():
    a, b = MLP([3, 8, 2], seed=4), MLP([3, 8, 2], seed=4, dropout=0.5, batch_norm=True)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))


def test_gradient_check_with_batchnorm_and_fixed_masks():
    net, X, y = case("sigmoid", HEADS[0], batch_norm=True, dropout=0.3)
    report = gradient_check(net, X, y, eps=1e-6)
    assert report.ok, report.frame()
    rows = {p.name: p for p in report.params}
    assert set(rows) == {n for n, _ in net.named_params()}
    # the dense bias under a BatchNorm: BN subtracts the batch mean, so dL/db is exactly 0
    # mathematically; both backprop and finite differences give rounding noise there
    assert rows["b1"].note == "zero both ways" and rows["b2"].note == "zero both ways"
    assert rows["b1"].scale < 1e-8 and rows["W1"].scale > 1e-3
    masks = [np.ones((13, 6), bool), np.zeros((13, 5), bool)]
    masks[0][::2, 1] = False
    assert gradient_check(net, X, y, dropout_masks=masks).ok


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_batchnorm_layer_backward_equals_torch_in_both_modes(train):
    """Issue 17: backward after an eval-mode forward used the batch formula (0.64 off torch).
    In eval mode the running statistics are constants, so dx = dy * gamma / sqrt(running_var + eps)."""
    rng = np.random.default_rng(4)
    n, N = 5, 9
    layer = BatchNorm(n, np.float64)
    layer.gamma[...] = rng.uniform(0.5, 2.0, n)
    layer.beta[...] = rng.normal(size=n)
    layer.running_mean[...] = rng.normal(size=n)
    layer.running_var[...] = rng.uniform(0.2, 3.0, n)
    x, dout = rng.normal(1.0, 2.0, size=(N, n)), rng.normal(size=(N, n))
    bn = torch_batchnorm(layer.gamma, layer.beta, layer.running_mean, layer.running_var).train(train)
    xt = t64(x).requires_grad_()
    out = bn(xt)
    out.backward(t64(dout))
    y = layer.forward(x, train=train)
    dx = layer.backward(dout)
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-12, atol=1e-13)
    assert rel(dx, xt.grad.numpy()) < 1e-12
    assert rel(layer.dgamma, bn.weight.grad.numpy()) < 1e-12 and rel(layer.dbeta, bn.bias.grad.numpy()) < 1e-12
    np.testing.assert_allclose(layer.running_mean, bn.running_mean.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.running_var, bn.running_var.numpy(), rtol=1e-12, atol=1e-15)


def test_batchnorm_needs_two_samples_to_train():
    net = MLP([2, 3, 2], batch_norm=True)
    with pytest.raises(ValueError, match="batch_norm.*at least 2 samples"):
        net.gradients(np.zeros((1, 2)), np.array([0]))
    net.forward(np.zeros((1, 2)))  # eval mode is fine with one sample


@pytest.mark.parametrize("bad,match", [
    (dict(batch_norm="yes"), "batch_norm"), (dict(batch_norm=[True]), "batch_norm"),
    (dict(dropout=1.0), "dropout"), (dict(dropout=-0.1), "dropout"), (dict(dropout=[0.1, 0.2, 0.3]), "dropout"),
])
def test_invalid_settings_name_the_argument(bad, match):
    with pytest.raises(ValueError, match=match):
        MLP([2, 4, 4, 2], **bad)


@pytest.mark.parametrize("explode", [1000, None], ids=["explosion", "overflow"])
def test_a_failed_step_leaves_the_running_statistics_alone(explode):
    from engine import Diverged

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = rng.integers(0, 2, 20)
    net = MLP([2, 4, 2], "linear", loss="mse", output_activation="linear", batch_norm=True)
    tr = Trainer(net, SGD(1e30), X, y, explode_factor=explode)
    with np.errstate(all="ignore"):
        for _ in range(10):
            snap = (net.bn[0].running_mean.copy(), net.bn[0].running_var.copy())
            try:
                tr.step()
            except Diverged as exc:
                assert exc.reason == ("exploded" if explode else "update") or exc.reason in ("loss", "gradient")
                break
        else:
            pytest.fail("expected the huge learning rate to diverge")
    # the failed step's forward pass updated the running statistics; the failure undid that
    assert np.array_equal(snap[0], net.bn[0].running_mean) and np.array_equal(snap[1], net.bn[0].running_var)
