"""L1 regularisation, learning-rate schedules and gradient-norm clipping (issue 19, items 3 and 8),
each against torch in float64: the L1 gradient against autograd of loss + l1 * sum|W| (weights
only; the subgradient at 0 is torch's 0), the schedules' learning rates against
torch.optim.lr_scheduler.StepLR / CosineAnnealingLR step by step, clipping against
torch.nn.utils.clip_grad_norm_ (its 1e-6 included), and 100-step Trainer trajectories against
torch's own loop: (loss + l1 * sum|W|).backward(); clip_grad_norm_(params); opt.step(); sched.step().
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine import MLP, SGD, Adam, Diverged, Trainer
from engine.clipping import clip_grad_norm, total_norm
from engine.regularization import SMALL, small_weight_fractions, with_l1
from engine.schedules import Constant, Cosine, StepDecay, make_schedule

from _require import oracle  # noqa: E402

torch = oracle("torch")
pytestmark = pytest.mark.usefixtures("torch_single_thread")


def problem(seed=0, sizes=(3, 6, 4, 3)):
    rng = np.random.default_rng(seed)
    net = MLP(list(sizes), "tanh", init_var=0.5, seed=seed)
    X = rng.normal(size=(20, sizes[0]))
    y = rng.integers(0, sizes[-1], 20)
    return net, X, y


def torch_params(net):
    return [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in net.params()]


def torch_loss(tparams, X, y, l1=0.0):
    """The data loss of the tanh MLP, plus l1 * sum|W| over the weight matrices (every other
    tensor: W1 b1 W2 b2 ...)."""
    a = torch.tensor(X)
    n = len(tparams) // 2
    for l in range(n):
        a = a @ tparams[2 * l] + tparams[2 * l + 1]
        if l < n - 1:
            a = torch.tanh(a)
    loss = torch.nn.functional.cross_entropy(a, torch.tensor(y))
    return loss, loss + l1 * sum(W.abs().sum() for W in tparams[0::2]) if l1 else loss


def max_rel(params, tparams) -> float:
    return max(float(np.abs(p - tp.detach().numpy()).max() / np.abs(tp.detach().numpy()).max())
               for p, tp in zip(params, tparams))


# ----------------------------------------------------------------------------- L1
def test_l1_gradient_equals_autograd_of_the_penalised_loss_weights_only_and_zero_at_zero():
    net, X, y = problem()
    net.weights[0][0, 0] = 0.0      # |w| at its kink: torch's subgradient there is 0
    net.weights[1][2, 1] = 0.0
    net.biases[0][:] = 0.0          # biases at 0 too: were they penalised, sign(0) = 0 would hide it...
    net.biases[1][:] = 0.3          # ...so another layer's biases are not 0
    tparams = torch_params(net)
    _, total = torch_loss(tparams, X, y, l1=0.05)
    total.backward()
    net.gradients(X, y)
    names, grads = zip(*net.named_grads())
    got = with_l1(names, net.params(), grads, 0.05)
    for name, g, tp in zip(names, got, tparams):
        np.testing.assert_allclose(g, tp.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)
    # the kink: no pull from the penalty, only the data gradient
    assert got[0][0, 0] == grads[0][0, 0] and got[2][2, 1] == grads[2][2, 1]
    # biases carry no penalty (TF Playground's convention, src/nn.ts)
    assert got[3] is grads[3] and got[1] is grads[1]
    assert not np.array_equal(got[0], grads[0])


def test_l1_leaves_batch_norm_gamma_and_beta_alone():
    net = MLP([2, 4, 2], "tanh", seed=0, batch_norm=True)
    X, y = np.random.default_rng(0).normal(size=(10, 2)), np.arange(10) % 2
    net.gradients(X, y)
    names, grads = zip(*net.named_grads())
    got = dict(zip(names, with_l1(names, net.params(), grads, 0.1)))
    assert names == ("W1", "b1", "gamma1", "beta1", "W2", "b2")
    for n in ("b1", "gamma1", "beta1", "b2"):
        assert got[n] is dict(zip(names, grads))[n]
    np.testing.assert_array_equal(got["W1"], dict(zip(names, grads))["W1"] + 0.1 * np.sign(net.weights[0]))


def test_l2_weight_decay_pulls_the_biases_too_and_l1_does_not():
    """Our conventions side by side: the L2 slider is torch's weight_decay (every parameter it is
    given, biases included); L1 is on the weights only. A bias whose data gradient is 0 moves
    under L2 and stays under L1."""
    def bias_after_a_step(**kw):
        net = MLP([2, 3, 2], "tanh", seed=0)
        net.biases[0][:] = 0.5
        # a batch whose first-layer deltas are 0: the output layer is zeroed
        net.weights[1][:] = 0.0
        X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
        l1 = kw.pop("l1", 0.0)
        tr = Trainer(net, SGD(0.1, **kw), X, y, l1=l1)
        tr.step()
        return net.biases[0].copy()
    np.testing.assert_array_equal(bias_after_a_step(l1=0.1), 0.5)
    np.testing.assert_allclose(bias_after_a_step(weight_decay=0.1), 0.5 - 0.1 * 0.1 * 0.5, rtol=1e-15)
    # and torch's weight_decay does the same to a bias it is given
    b = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([b], lr=0.1, weight_decay=0.1)
    b.grad = torch.zeros(1, dtype=torch.float64)
    opt.step()
    assert b.item() == pytest.approx(0.5 - 0.1 * 0.1 * 0.5, rel=1e-15)


# ----------------------------------------------------------------------------- schedules
def torch_lrs(make_sched, steps=100, base=0.1):
    """The learning rate each of ``steps`` updates uses in torch's loop (optimizer.step() then
    scheduler.step())."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make_sched(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros(1, dtype=torch.float64)
        opt.step()
        sched.step()
    return out


SCHEDULES = {
    "step-10-0.5": (StepDecay(10, 0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5)),
    "step-7-0.1": (StepDecay(7, 0.1), lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.1)),
    "step-1-0.9": (StepDecay(1, 0.9), lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.9)),
    # T_max 30 < 100 steps: torch's cosine goes down to eta_min and climbs back (period 2 T_max)
    "cosine-30": (Cosine(30), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30)),
    "cosine-100-min": (Cosine(100, 0.001), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100,
                                                                                                  eta_min=0.001)),
    "cosine-7-min": (Cosine(7, 0.02), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.02)),
    "constant": (Constant(), lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1.0)),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_equals_torch_lr_scheduler_at_every_step(name):
    ours, make = SCHEDULES[name]
    want = torch_lrs(make, 100, base=0.1)
    got = [ours.lr(0.1, t) for t in range(100)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert got[0] == 0.1  # the first update runs at the base rate, as torch's


def test_the_cosine_reaches_eta_min_at_t_max_and_the_step_decay_counts_updates():
    assert Cosine(50, 0.01).lr(0.1, 50) == pytest.approx(0.01, abs=1e-17)
    assert Cosine(50, 0.01).lr(0.1, 100) == pytest.approx(0.1, rel=1e-15)
    assert [StepDecay(3, 0.5).lr(1.0, t) for t in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]


@pytest.mark.parametrize("bad,match", [(lambda: StepDecay(0), "step_size"), (lambda: StepDecay(5, 0.0), "gamma"),
                                       (lambda: StepDecay(5, 1.5), "gamma"), (lambda: Cosine(0), "T_max"),
                                       (lambda: Cosine(10, -1), "eta_min"),
                                       (lambda: make_schedule({"name": "warmup"}), "schedule")])
def test_bad_schedule_settings_get_a_sentence(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_a_schedule_round_trips_through_its_config():
    for s in (Constant(), StepDecay(12, 0.3), Cosine(40, 0.002)):
        assert make_schedule(s.config()) == s
    assert make_schedule(None) == Constant()


# ----------------------------------------------------------------------------- clipping
@pytest.mark.parametrize("max_norm", [0.05, 1.0, 1e3])
def test_clipping_equals_torch_clip_grad_norm(max_norm):
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=s) for s in ((3, 6), (6,), (6, 4), (4,))]
    copies = [g.copy() for g in grads]
    tg = [torch.tensor(g.copy(), requires_grad=True) for g in grads]
    for t, g in zip(tg, grads):
        t.grad = torch.tensor(g.copy())
    t_norm = torch.nn.utils.clip_grad_norm_(tg, max_norm)
    got = clip_grad_norm(grads, max_norm)
    assert total_norm(grads) == pytest.approx(t_norm.item(), rel=1e-15)
    assert all(np.array_equal(a, b) for a, b in zip(got, clip_grad_norm(grads, max_norm, total_norm(grads))))
    for g, t in zip(got, tg):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-15, atol=0)
    assert all(np.array_equal(a, b) for a, b in zip(grads, copies))   # the inputs are not modified


def test_clipping_at_exactly_max_norm_scales_by_torchs_eps_and_zero_gradients_stay_zero():
    g = [np.array([3.0, 4.0])]                 # norm 5
    got = clip_grad_norm(g, 5.0)
    assert total_norm(g) == 5.0 and got[0][0] == 3.0 * (5.0 / (5.0 + 1e-6)) < 3.0   # torch's 1e-6
    t = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_norm_([t], 5.0)
    np.testing.assert_array_equal(got[0], t.grad.numpy())
    zero = clip_grad_norm([np.zeros(3)], 1.0)
    assert np.array_equal(zero[0], np.zeros(3))
    same = clip_grad_norm(g, None)
    assert same[0] is g[0]


def test_clipping_keeps_a_float32_gradient_float32():
    got = clip_grad_norm([np.ones(4, np.float32) * 10], 1.0)
    assert got[0].dtype == np.float32


# ----------------------------------------------------------------------------- whole trajectories
RUNS = {
    # name: (engine optimizer, torch optimizer, trainer options, torch l1, clip, scheduler)
    "momentum-l1": (lambda: SGD(0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
                    dict(l1=0.01), 0.01, None, None),
    "adam-l1-wd": (lambda: Adam(0.01, weight_decay=0.01), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01),
                   dict(l1=0.003), 0.003, None, None),
    "sgd-clip": (lambda: SGD(0.5), lambda p: torch.optim.SGD(p, lr=0.5), dict(clip_norm=0.1), 0.0, 0.1, None),
    "nesterov-step": (lambda: SGD(0.1, momentum=0.9, nesterov=True),
                      lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                      dict(schedule=StepDecay(15, 0.5)), 0.0, None,
                      lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=15, gamma=0.5)),
    "adam-cosine": (lambda: Adam(0.02), lambda p: torch.optim.Adam(p, lr=0.02), dict(schedule=Cosine(40, 1e-3)),
                    0.0, None, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40, eta_min=1e-3)),
    # everything at once, in torch's order: penalty in the loss, clip, weight decay and momentum in
    # the optimizer, the scheduler after the step
    "all": (lambda: SGD(0.2, momentum=0.8, weight_decay=0.005),
            lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.8, weight_decay=0.005),
            dict(l1=0.004, clip_norm=0.1, schedule=Cosine(60, 0.01)), 0.004, 0.1,
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=60, eta_min=0.01)),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_100_step_trajectory_equals_torchs_loop(name):
    make_opt, make_topt, options, l1, clip, make_sched = RUNS[name]
    net, X, y = problem()
    tparams = torch_params(net)
    topt = make_topt(tparams)
    sched = make_sched(topt) if make_sched else None
    tr = Trainer(net, make_opt(), X, y, batch_size=None, **options)
    clipped = 0
    for _ in range(100):
        t_lr = topt.param_groups[0]["lr"]
        rec = tr.step()
        topt.zero_grad()
        data_loss, total = torch_loss(tparams, X, y, l1)
        total.backward()
        # the recorded gradient norms are those of dJ/dW_l (the penalty included), before clipping
        np.testing.assert_allclose(rec.grad_norms, [W.grad.norm().item() for W in tparams[0::2]], rtol=1e-9)
        if clip is not None:
            t_norm = torch.nn.utils.clip_grad_norm_(tparams, clip)
            assert rec.total_grad_norm == pytest.approx(t_norm.item(), rel=1e-9)
            clipped += t_norm.item() > clip
        topt.step()
        if sched:
            sched.step()
        assert rec.loss == pytest.approx(data_loss.item(), rel=1e-10)   # the recorded loss: L, no penalty
        assert rec.lr == pytest.approx(t_lr, rel=1e-12)                  # the scheduled rate of this step
    assert max_rel(net.params(), tparams) < 1e-10
    if clip is not None:
        assert clipped >= 10, "the run should actually clip"


def test_update_ratios_stay_truthful_with_a_schedule_clipping_and_l1():
    net, X, y = problem()
    tr = Trainer(net, SGD(0.3, momentum=0.9), X, y, l1=0.01, clip_norm=0.2, schedule=StepDecay(5, 0.3))
    for _ in range(12):
        before = [W.copy() for W in net.weights]
        rec = tr.step()
        want = [np.linalg.norm(W - W0) / np.linalg.norm(W0) for W, W0 in zip(net.weights, before)]
        np.testing.assert_allclose(rec.update_ratios, want, rtol=1e-9)
    assert tr.history[-1].lr == pytest.approx(0.3 * 0.3 ** 2)


def test_l1_clip_and_schedule_apply_from_the_next_step():
    """Live changes, as the sidebar makes them: the next step uses them, no rebuild."""
    def run(change_at):
        net, X, y = problem()
        tr = Trainer(net, SGD(0.1, momentum=0.9), X, y)
        for s in range(30):
            if s == change_at:
                tr.l1, tr.clip_norm, tr.schedule = 0.02, 0.1, Cosine(20)
            tr.step()
        return tr
    a, b = run(10), run(10)
    assert [r.loss for r in a.history] == [r.loss for r in b.history]
    plain = run(None)
    assert [r.loss for r in a.history[:11]] == [r.loss for r in plain.history[:11]]
    assert a.history[11].loss != plain.history[11].loss
    assert a.history[10].lr == pytest.approx(Cosine(20).lr(0.1, 10))   # t counts from the run's step 0
    with pytest.raises(ValueError, match="l1"):
        a.l1 = -1
    with pytest.raises(ValueError, match="clip_norm"):
        a.clip_norm = 0.0
    with pytest.raises(ValueError, match="schedule"):
        a.schedule = "cosine"


def test_a_refused_step_with_options_changes_nothing_and_is_retried():
    net, X, y = problem()
    tr = Trainer(net, SGD(0.1), X, y, l1=0.01, clip_norm=1.0, schedule=StepDecay(2, 0.5))
    tr.run(3)
    before = [p.copy() for p in net.params()]
    tr.opt.lr = 1e308   # the update overflows: refused before anything changes
    with np.errstate(all="ignore"), pytest.raises(Diverged):
        tr.step()
    tr.opt.lr = 0.1
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params())) and tr.step_count == 3
    assert tr.step().lr == 0.1 * 0.5   # the 4th update: t = 3, 3 // 2 = 1 decay


def test_small_weights_record_counts_dead_weights_after_each_update():
    net, X, y = problem()
    tr = Trainer(net, SGD(0.1), X, y, l1=0.05)
    rec = tr.run(60)
    assert rec.small_weights == tuple(float(np.mean(np.abs(W) < SMALL)) for W in net.weights)
    assert small_weight_fractions([np.array([0.0, 5e-4, -2e-3, 1.0])]) == (0.5,)
    assert max(rec.small_weights) > 0   # strong L1: some weights died already
