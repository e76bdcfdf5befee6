"""Optimizers: 100-step trajectories equal torch.optim's in float64 (fed the same gradients, and
end to end through the Trainer against torch autograd + torch.optim), live hyper-parameter
changes act on the next step like torch's param_groups, and every step is atomic."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine import MLP, SGD, Adam, Diverged, Trainer

from _require import oracle  # noqa: E402

torch = oracle("torch")


pytestmark = pytest.mark.usefixtures("torch_single_thread")

# name -> (engine kwargs, torch kwargs); the same numbers on both sides
CONFIGS = {
    "sgd": (SGD, dict(lr=0.1), torch.optim.SGD),
    "momentum": (SGD, dict(lr=0.05, momentum=0.9), torch.optim.SGD),
    "nesterov": (SGD, dict(lr=0.05, momentum=0.9, nesterov=True), torch.optim.SGD),
    "sgd_wd": (SGD, dict(lr=0.1, weight_decay=0.01), torch.optim.SGD),
    "momentum_wd": (SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.01), torch.optim.SGD),
    "nesterov_wd": (SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.03), torch.optim.SGD),
    "adam": (Adam, dict(lr=0.01), torch.optim.Adam),
    "adam_wd": (Adam, dict(lr=0.01, weight_decay=0.05), torch.optim.Adam),
    "adam_betas_wd": (Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05), torch.optim.Adam),
}


def make_pair(name, params):
    ours, kw, theirs = CONFIGS[name]
    tparams = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in params]
    return ours(**kw), tparams, theirs(tparams, **kw)


def problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    net = MLP([3, 6, 4, 3], "tanh", init_var=0.5, seed=seed, dtype=dtype)
    X = rng.normal(size=(20, 3))
    y = rng.integers(0, 3, 20)
    return net, X, y


def max_rel(params, tparams) -> float:
    return max(float(np.abs(p - tp.detach().numpy()).max() / np.abs(tp.detach().numpy()).max())
               for p, tp in zip(params, tparams))


def run_pair(name, steps, on_step=None, use_norms=False):
    """Both optimizers fed the engine's gradient at the engine's parameters, step by step."""
    net, X, y = problem()
    opt, tparams, topt = make_pair(name, net.params())
    for s in range(steps):
        if on_step:
            on_step(s, opt, topt)
        _, grads = net.gradients(X, y)
        flat = [g for pair in grads for g in pair]
        # the Trainer passes ||g||^2 (the fast path of plain SGD); test both ways in
        opt.step(net.params(), flat, [float(np.vdot(g, g)) for g in flat] if use_norms else None)
        for tp, g in zip(tparams, flat):
            tp.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
    assert opt.t == steps
    return net, tparams


@pytest.mark.parametrize("use_norms", [False, True], ids=["plain", "with-grad-norms"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_100_step_trajectory_equals_torch_optim(name, use_norms):
    net, tparams = run_pair(name, 100, use_norms=use_norms)
    assert max_rel(net.params(), tparams) < 1e-10
    # and the trajectory went somewhere: the test could fail
    assert max(np.abs(p - p0).max() for p, p0 in zip(net.params(), problem()[0].params())) > 1e-3


def torch_full_batch_loss(tparams, X, y):
    W1, b1, W2, b2, W3, b3 = tparams
    a = torch.tanh(torch.tensor(X) @ W1 + b1)
    a = torch.tanh(a @ W2 + b2)
    return torch.nn.functional.cross_entropy(a @ W3 + b3, torch.tensor(y))


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov_wd", "adam_wd"])
def test_trainer_trajectory_equals_torch_training_loop(name):
    """End to end: Trainer (full batch) vs torch autograd + torch.optim for 100 steps."""
    net, X, y = problem()
    opt, tparams, topt = make_pair(name, net.params())
    tr = Trainer(net, opt, X, y, batch_size=None)
    for _ in range(100):
        rec = tr.step()
        topt.zero_grad()
        t_loss = torch_full_batch_loss(tparams, X, y)
        t_loss.backward()
        topt.step()
        assert rec.loss == pytest.approx(t_loss.item(), rel=1e-10)
    assert max_rel(net.params(), tparams) < 1e-10


def test_float32_trajectory_stays_close_to_torch_float32():
    net, X, y = problem(dtype=np.float32)
    opt = SGD(lr=0.05, momentum=0.9)
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in net.params()]
    topt = torch.optim.SGD(tparams, lr=0.05, momentum=0.9)
    Xf = X.astype(np.float32)
    for _ in range(50):
        _, grads = net.gradients(Xf, y)
        flat = [g for pair in grads for g in pair]
        assert all(g.dtype == np.float32 for g in flat)
        opt.step(net.params(), flat)
        for tp, g in zip(tparams, flat):
            tp.grad = torch.tensor(g)
        topt.step()
    assert all(p.dtype == np.float32 for p in net.params())
    assert max_rel(net.params(), tparams) < 1e-5


# ----------------------------------------------------------------------------- live changes
def _set(opt, topt, **kw):
    for k, v in kw.items():
        setattr(opt, k, v)
        for g in topt.param_groups:
            g[k] = v


LIVE_CHANGES = {
    # step -> changes, applied between steps to both optimizers
    "momentum": {20: dict(lr=0.015), 40: dict(momentum=0.5), 60: dict(momentum=0.0), 80: dict(momentum=0.95)},
    "nesterov": {25: dict(lr=0.2), 50: dict(nesterov=False), 75: dict(nesterov=True, momentum=0.3)},
    "sgd": {10: dict(lr=0.3), 30: dict(momentum=0.9), 60: dict(weight_decay=0.1), 80: dict(lr=0.0)},
    "momentum_wd": {40: dict(weight_decay=0.0, lr=0.02)},
    "adam": {30: dict(lr=0.003), 60: dict(betas=(0.5, 0.9)), 80: dict(weight_decay=0.2)},
}


@pytest.mark.parametrize("name", list(LIVE_CHANGES))
def test_live_hyper_parameter_changes_match_torch_param_groups(name):
    changes = LIVE_CHANGES[name]

    def change(step, opt, topt):
        if step in changes:
            _set(opt, topt, **changes[step])
    net, tparams = run_pair(name, 100, change)
    assert max_rel(net.params(), tparams) < 1e-10


def test_changing_lr_changes_the_very_next_step():
    net, X, y = problem()
    opt = SGD(lr=0.1, momentum=0.9)
    _, grads = net.gradients(X, y)
    flat = [g for pair in grads for g in pair]
    opt.step(net.params(), flat)  # buffer = g
    opt.lr, opt.momentum = 0.02, 0.5
    W0 = net.weights[0].copy()
    opt.step(net.params(), flat)  # buffer = 0.5 g + g
    assert np.allclose(W0 - net.weights[0], 0.02 * 1.5 * flat[0], rtol=1e-12, atol=0)


def test_lr_zero_freezes_the_parameters():
    net, X, y = problem()
    for opt in (SGD(lr=0.0, momentum=0.9), Adam(lr=0.0)):
        before = [p.copy() for p in net.params()]
        _, grads = net.gradients(X, y)
        opt.step(net.params(), [g for pair in grads for g in pair])
        assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))


def test_reset_forgets_the_state():
    net, X, y = problem()
    _, grads = net.gradients(X, y)
    flat = [g for pair in grads for g in pair]
    for opt in (SGD(lr=0.1, momentum=0.9), Adam(lr=0.01)):
        opt.step([p.copy() for p in net.params()], flat)
        opt.reset()
        fresh = type(opt)(lr=opt.lr, **({"momentum": 0.9} if isinstance(opt, SGD) else {}))
        a, b = [p.copy() for p in net.params()], [p.copy() for p in net.params()]
        opt.step(a, flat)
        fresh.step(b, flat)
        assert opt.t == 1 and all(np.array_equal(u, v) for u, v in zip(a, b))


# ----------------------------------------------------------------------------- atomic steps
@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1, momentum=0.9), lambda: SGD(lr=0.1),
                                  lambda: Adam(lr=0.01)], ids=["momentum", "sgd", "adam"])
def test_a_non_finite_update_changes_nothing(make):
    net, X, y = problem()
    opt = make()
    _, grads = net.gradients(X, y)
    flat = [g for pair in grads for g in pair]
    opt.step(net.params(), flat)
    before = [p.copy() for p in net.params()]
    state = opt.state_dict()
    bad = [g.copy() for g in flat]
    bad[2][0, 0] = np.inf
    with np.errstate(all="ignore"), pytest.raises(Diverged, match="learning rate") as exc:
        opt.step(net.params(), bad, names=[n for n, _ in net.named_params()])
    assert "W2" in str(exc.value) and exc.value.reason == "update"
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))
    after = opt.state_dict()
    assert after["t"] == state["t"] == 1
    for key in set(state) - {"t"}:
        assert all((a is None and b is None) or np.array_equal(a, b) for a, b in zip(state[key], after[key]))


@pytest.mark.parametrize("lr", [1e20, 1e30, 1e36])
def test_float32_update_that_overflows_raises_before_changing_anything(lr):
    """Plain SGD in float32: lr * g can overflow float32 (max 3.4e38) although ||lr g||^2 is a
    finite Python float; the step must raise Diverged and leave the parameters finite."""
    params = [np.full((3, 2), 0.5, np.float32), np.zeros(2, np.float32)]
    grads = [np.full((3, 2), 1e16, np.float32), np.ones(2, np.float32)]
    sq = [float(np.vdot(g, g)) for g in grads]
    assert all(math.isfinite(v) for v in sq)
    opt = SGD(lr=lr)
    p = [a.copy() for a in params]
    with np.errstate(over="ignore"), pytest.raises(Diverged, match="learning rate"):
        opt.step(p, grads)
    assert all(np.array_equal(a, b) for a, b in zip(p, params)) and opt.t == 0


def test_float32_trainer_with_a_huge_learning_rate_keeps_parameters_finite():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    for act in ("linear", "relu"):
        net = MLP([2, 4, 2], act, init_var=0.01, dtype=np.float32)
        tr = Trainer(net, SGD(lr=1e20), X, y, batch_size=8)
        with np.errstate(all="ignore"), pytest.raises(Diverged):
            tr.run(20)
        assert all(np.isfinite(p).all() for p in net.params())


def test_step_needs_one_gradient_per_parameter():
    net = problem()[0]
    with pytest.raises(ValueError, match="gradients"):
        SGD(0.1).step(net.params(), [np.zeros(1)])
