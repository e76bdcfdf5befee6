"""Hundreds of random configurations (hypothesis, derandomized so CI is reproducible): a valid
configuration trains 20 steps with finite parameters, or raises engine.Diverged with its
parameters still finite and unchanged by the failed step; an invalid one raises ValueError
with a sentence naming the argument. Nothing else: no other exception, no NaN weights."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine import (
    HIDDEN_ACTIVATIONS,
    INITS,
    MLP,
    MSE_OUTPUTS,
    SGD,
    Adam,
    Diverged,
    Trainer,
    load_dataset,
)

DS = load_dataset("xor", n_samples=50, test_fraction=0.2, seed=0)  # 40 training points, 10 test
N = len(DS.y_train)
STEPS = 20


def log_uniform(lo, hi):
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: float(10 ** e))


# one invalid setting at a time: (key, value) overriding a valid configuration
INVALID = [("width", 0), ("activation", "swish"), ("loss", "hinge"), ("init", "glorot"), ("init_var", -1.0),
           ("init_var", 0.0), ("lr", -0.01), ("lr", math.nan), ("momentum", 1.0), ("momentum", -0.2),
           ("batch", 0), ("batch", -5), ("weight_decay", -1e-3), ("nesterov_without_momentum", True),
           ("labels", "out_of_range"), ("X", "nan"), ("X", "inf"), ("y", "short"), ("acts_len", 1)]


@st.composite
def configs(draw):
    depth = draw(st.integers(0, 4))
    hidden = draw(st.lists(st.integers(1, 16), min_size=depth, max_size=depth))
    if draw(st.booleans()):
        acts = draw(st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=depth, max_size=depth))
    else:
        acts = draw(st.sampled_from(HIDDEN_ACTIVATIONS))
    loss = draw(st.sampled_from(["cross_entropy", "mse", "bce"]))
    opt = draw(st.sampled_from(["sgd", "momentum", "nesterov", "adam"]))
    return dict(
        sizes=[2, *hidden, 2 if loss == "cross_entropy" else draw(st.sampled_from([1, 2]))],
        activations=acts, loss=loss,
        output_activation=draw(st.sampled_from(MSE_OUTPUTS)) if loss == "mse" else None,
        init=draw(st.sampled_from(INITS)), init_var=draw(log_uniform(1e-4, 1e2)),
        seed=draw(st.integers(0, 2**31)), dtype=draw(st.sampled_from([np.float32, np.float64])),
        opt=opt, lr=draw(log_uniform(1e-5, 1e3)),
        momentum=draw(st.floats(0.01, 0.99)) if opt in ("momentum", "nesterov") else 0.0,
        weight_decay=draw(st.one_of(st.just(0.0), log_uniform(1e-5, 1.0))),
        batch=draw(st.one_of(st.none(), st.integers(1, N), st.integers(N + 1, 3 * N))),
        invalid=draw(st.one_of(st.none(), st.none(), st.none(), st.sampled_from(INVALID))),
    )


def build(cfg):
    """Net, optimizer and trainer from a configuration, with its invalid setting (if any)."""
    bad_key, bad = cfg["invalid"] or (None, None)
    sizes, acts = list(cfg["sizes"]), cfg["activations"]
    if bad_key == "width":
        sizes.insert(1, bad)
        acts = acts if isinstance(acts, str) else ["tanh", *acts]
    if bad_key == "activation":
        acts = bad
        sizes.insert(1, 3)
    if bad_key == "acts_len":
        acts = ["tanh"] * (len(sizes) - 2 + bad)
    net = MLP(sizes, acts, bad if bad_key == "loss" else cfg["loss"], cfg["output_activation"],
              bad if bad_key == "init" else cfg["init"], bad if bad_key == "init_var" else cfg["init_var"],
              cfg["seed"], cfg["dtype"])
    lr = bad if bad_key == "lr" else cfg["lr"]
    wd = bad if bad_key == "weight_decay" else cfg["weight_decay"]
    if cfg["opt"] == "adam" and bad_key not in ("momentum", "nesterov_without_momentum"):  # SGD settings
        opt = Adam(lr=lr, weight_decay=wd)
    else:
        momentum = bad if bad_key == "momentum" else cfg["momentum"]
        nesterov = cfg["opt"] == "nesterov" or bad_key == "nesterov_without_momentum"
        opt = SGD(lr=lr, momentum=0.0 if bad_key == "nesterov_without_momentum" else momentum,
                  nesterov=nesterov, weight_decay=wd)
    X, y = DS.X_train.copy(), DS.y_train.copy()
    if bad_key == "labels":
        y[3] = max(net.sizes[-1], 2)
    if bad_key == "X":
        X[5, 1] = np.nan if bad == "nan" else np.inf
    if bad_key == "y":
        y = y[:-1]
    batch = bad if bad_key == "batch" else cfg["batch"]
    return net, Trainer(net, opt, X, y, DS.X_test, DS.y_test, batch_size=batch, seed=cfg["seed"] % 1000,
                        eval_every=5)


@given(cfg=configs())
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_random_configs_train_or_fail_cleanly(cfg):
    try:
        net, tr = build(cfg)
        with np.errstate(all="ignore"):  # overflow inside a diverging step is expected; it must be caught
            for _ in range(STEPS):
                before = [p.copy() for p in net.params()]
                try:
                    rec = tr.step()
                except Diverged as exc:
                    msg = str(exc)
                    assert exc.step == tr.step_count + 1 and f"Step {exc.step}" in msg and "learning rate" in msg
                    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))  # nothing changed
                    event(f"diverged ({exc.reason})")
                    break
                assert rec.step == tr.step_count == len(tr.history)
                expected_batch = N if cfg["batch"] is None else min(cfg["batch"], N)
                assert rec.batch_size in (expected_batch, N % expected_batch)  # the last batch of an epoch may be short
                assert math.isfinite(rec.loss) and 0.0 <= rec.train_acc <= 1.0
                assert all(math.isfinite(v) for v in rec.grad_norms + rec.delta_norms)
                assert (rec.test_loss is not None) == (rec.step % 5 == 0)
    except ValueError as exc:
        assert cfg["invalid"] is not None, f"a valid configuration raised ValueError: {exc}"
        msg = str(exc)
        assert ":" in msg and len(msg) > 20 and msg.rstrip().endswith(".")
        event("invalid -> ValueError")
        return
    assert cfg["invalid"] is None, f"the invalid setting {cfg['invalid']} was accepted"
    for p in net.params():
        assert p.dtype == cfg["dtype"] and np.isfinite(p).all()
    event(f"{tr.step_count} steps done")


@given(sizes=st.lists(st.integers(-2, 4), min_size=0, max_size=4), act=st.text(max_size=6),
       var=st.floats(allow_nan=True, allow_infinity=True), lr=st.floats(allow_nan=True, allow_infinity=True),
       mom=st.floats(allow_nan=True, allow_infinity=True), batch=st.integers(-3, 3))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_garbage_arguments_are_value_errors_with_a_sentence(sizes, act, var, lr, mom, batch):
    try:
        net = MLP(sizes, act or "tanh", init_var=var)
        tr = Trainer(net, SGD(lr=lr, momentum=mom), np.zeros((5, net.sizes[0])), np.zeros(5, int),
                     batch_size=batch)
        with np.errstate(all="ignore"):
            tr.step()
    except ValueError as exc:
        assert len(str(exc)) > 15 and ":" in str(exc)
    except Diverged:
        assert all(np.isfinite(p).all() for p in net.params())
    else:
        assert all(np.isfinite(p).all() for p in net.params())
