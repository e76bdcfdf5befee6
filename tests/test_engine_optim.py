"""Optimizers: 100-step trajectories equal torch.optim's in float64, live hyper-parameter
changes act on the next step like torch's param_groups, steps are atomic."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine import MLP, SGD, Adam, Diverged

torch = pytest.importorskip("torch")

CONFIGS = {
    "sgd": (lambda: SGD(lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    "momentum": (lambda: SGD(lr=0.05, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "nesterov": (lambda: SGD(lr=0.05, momentum=0.9, nesterov=True),
                 lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    "sgd_wd": (lambda: SGD(lr=0.1, momentum=0.5, weight_decay=0.01),
               lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.01)),
    "adam": (lambda: Adam(lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01)),
    "adam_wd": (lambda: Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
                lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
}


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    net = MLP([3, 6, 4, 3], "tanh", init_var=0.5, seed=seed)
    X = rng.normal(size=(20, 3))
    y = rng.integers(0, 3, 20)
    return net, X, y


def _run_pair(name, steps, on_step=None):
    make_ours, make_torch = CONFIGS[name]
    net, X, y = _problem()
    opt = make_ours()
    tparams = [torch.tensor(p.copy(), dtype=torch.float64) for p in net.params()]
    topt = make_torch(tparams)
    for s in range(steps):
        if on_step:
            on_step(s, opt, topt)
        _, grads = net.gradients(X, y)
        flat = [g for pair in grads for g in pair]
        opt.step(net.params(), flat)
        for tp, g in zip(tparams, flat):  # the same gradient into torch's update rule
            tp.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
    return net, tparams


def _max_rel(net, tparams):
    return max(float(np.abs(p - tp.numpy()).max() / max(np.abs(tp.numpy()).max(), 1e-300))
               for p, tp in zip(net.params(), tparams))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_100_step_trajectory_equals_torch_optim(name):
    net, tparams = _run_pair(name, 100)
    assert _max_rel(net, tparams) < 1e-10


@pytest.mark.parametrize("name", ["momentum", "nesterov", "adam"])
def test_live_lr_and_momentum_changes_match_torch_param_groups(name):
    def change(step, opt, topt):
        if step == 30:
            opt.lr = opt.lr * 0.3
            for g in topt.param_groups:
                g["lr"] = opt.lr
        if step == 60 and isinstance(opt, SGD):
            opt.momentum = 0.5
            for g in topt.param_groups:
                g["momentum"] = 0.5
    net, tparams = _run_pair(name, 100, change)
    assert _max_rel(net, tparams) < 1e-10


def test_changing_lr_changes_the_very_next_step():
    net, X, y = _problem()
    opt = SGD(lr=0.1)
    _, grads = net.gradients(X, y)
    flat = [g for pair in grads for g in pair]
    W0 = net.weights[0].copy()
    opt.lr = 0.02
    opt.step(net.params(), flat)
    assert np.allclose(W0 - net.weights[0], 0.02 * flat[0], rtol=1e-12, atol=0)


def test_a_non_finite_update_changes_nothing():
    net, X, y = _problem()
    opt = SGD(lr=0.1, momentum=0.9)
    _, grads = net.gradients(X, y)
    flat = [g for pair in grads for g in pair]
    opt.step(net.params(), flat)
    before = [p.copy() for p in net.params()]
    state = opt.state_dict()
    bad = [g.copy() for g in flat]
    bad[2][0, 0] = np.inf
    with pytest.raises(Diverged, match="learning rate"):
        opt.step(net.params(), bad)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))
    assert opt.t == state["t"] and all(np.array_equal(a, b) for a, b in
                                       zip(state["momentum_buffers"], opt.state_dict()["momentum_buffers"]))


@pytest.mark.parametrize("make,match", [
    (lambda: SGD(lr=-0.1), "lr"), (lambda: SGD(lr=math.nan), "lr"), (lambda: SGD(momentum=1.0), "momentum"),
    (lambda: SGD(momentum=-0.1), "momentum"), (lambda: SGD(weight_decay=-1), "weight_decay"),
    (lambda: Adam(betas=(0.9, 1.0)), "betas"), (lambda: Adam(betas=0.9), "betas"), (lambda: Adam(lr="x"), "lr"),
])
def test_bad_hyper_parameters_are_value_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_live_setters_validate_too():
    opt = SGD(lr=0.1, momentum=0.5)
    with pytest.raises(ValueError, match="momentum"):
        opt.momentum = 1.5
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1
    assert opt.lr == 0.1 and opt.momentum == 0.5  # a rejected value leaves the old one
