"""Hundreds of random configurations: the engine trains with finite parameters, or raises
engine.Diverged with its parameters still finite, or raises a ValueError with a message —
never anything else, never NaN weights."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
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
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 2))
Y = (X[:, 0] * X[:, 1] > 0).astype(int)
log_uniform = lambda lo, hi: st.floats(np.log10(lo), np.log10(hi)).map(lambda e: float(10 ** e))


@st.composite
def configs(draw):
    depth = draw(st.integers(0, 4))
    hidden = draw(st.lists(st.integers(1, 16), min_size=depth, max_size=depth))
    per_layer = draw(st.booleans())
    acts = (draw(st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=depth, max_size=depth))
            if per_layer else draw(st.sampled_from(HIDDEN_ACTIVATIONS)))
    loss = draw(st.sampled_from(["cross_entropy", "mse", "bce"]))
    k = 2 if loss == "cross_entropy" else draw(st.sampled_from([1, 2]))
    return dict(
        sizes=[2, *hidden, k], activations=acts, loss=loss,
        output_activation=draw(st.sampled_from(MSE_OUTPUTS)) if loss == "mse" else None,
        init=draw(st.sampled_from(INITS)), init_var=draw(log_uniform(1e-4, 1e2)),
        seed=draw(st.integers(0, 1000)), dtype=draw(st.sampled_from([np.float32, np.float64])),
        opt=draw(st.sampled_from(["sgd", "momentum", "nesterov", "adam"])), lr=draw(log_uniform(1e-5, 1e3)),
        momentum=draw(st.floats(0.0, 0.99)), batch=draw(st.sampled_from([None, 1, 3, 8, 40, 100])),
    )


@given(cfg=configs())
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_random_configs_train_or_fail_cleanly(cfg):
    net = MLP(cfg["sizes"], cfg["activations"], cfg["loss"], cfg["output_activation"], cfg["init"],
              cfg["init_var"], cfg["seed"], cfg["dtype"])
    if cfg["opt"] == "adam":
        opt = Adam(lr=cfg["lr"])
    else:
        mom = 0.0 if cfg["opt"] == "sgd" else max(cfg["momentum"], 0.01)
        opt = SGD(lr=cfg["lr"], momentum=mom, nesterov=cfg["opt"] == "nesterov")
    tr = Trainer(net, opt, X, Y, X[:10], Y[:10], batch_size=cfg["batch"], seed=cfg["seed"], eval_every=5)
    try:
        with np.errstate(all="ignore"):  # overflow inside a diverging step is expected; it must be caught
            tr.run(20)
    except Diverged as exc:
        assert "learning rate" in str(exc) and exc.step >= 1
    assert all(np.isfinite(p).all() for p in net.params())
    for rec in tr.history:
        assert np.isfinite(rec.loss)


@given(sizes=st.lists(st.integers(-2, 4), min_size=0, max_size=4), act=st.text(max_size=6),
       var=st.floats(allow_nan=True, allow_infinity=True), lr=st.floats(allow_nan=True, allow_infinity=True),
       mom=st.floats(allow_nan=True, allow_infinity=True), batch=st.integers(-3, 3))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_garbage_arguments_are_value_errors_with_a_sentence(sizes, act, var, lr, mom, batch):
    try:
        net = MLP(sizes, act or "tanh", init_var=var)
        tr = Trainer(net, SGD(lr=lr, momentum=mom), np.zeros((5, net.sizes[0])), np.zeros(5, int),
                     batch_size=batch)
        tr.step()
    except ValueError as exc:
        assert len(str(exc)) > 15 and ":" in str(exc)
    except Diverged:
        pass
