"""The gradient check's verdicts (engine.gradcheck), issue 17.

- The thresholds themselves, with literal numbers (not the module's constants): good below 1e-7,
  broken above 1e-4, suspicious between; an array whose backprop and numerical gradients differ
  by no more than the rounding noise of a central difference is good, noted "zero both ways" or
  "within rounding noise". End to end: a gradient 0.1 % off is broken, 1e-6 off suspicious.
- The summary above the table is derived from the same per-array verdicts: its verdict is the
  worst row's, and every relative error the table shows above the one it quotes is named in it.
- A correct gradient is called correct where the check used to be fooled by its own numerics:
  a confident cross-entropy net (log(sum exp) lost ~1e-16 absolute, whatever the loss), and
  BatchNorm on a batch of two (the loss bends on the scale sqrt(1e-5) there, so a plain central
  difference is off by O(eps^2 f''') ~ 1e-5 relative).
"""
from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from _broken import with_scaled_delta

from engine import MLP, SGD, Adam, Trainer, gradient_check, load_dataset
from engine.gradcheck import ParamCheck, summary, verdict


def row(rel, absd=None, scale=1.0, noise=0.0, name="W1"):
    """A ParamCheck with the given errors (the numbers a check would have measured)."""
    absd = rel * scale if absd is None else absd
    return ParamCheck(name, (2, 2), 4, 4, rel, absd, scale, (0, 0), 1.0, 1.0, noise)


# ----------------------------------------------------------------------------- thresholds
@pytest.mark.parametrize("rel,expected", [
    (0.0, "good"), (3e-10, "good"), (9.9e-8, "good"),
    (1.01e-7, "suspicious"), (1e-6, "suspicious"), (2e-5, "suspicious"), (9.9e-5, "suspicious"),
    (1.01e-4, "broken"), (1e-3, "broken"), (0.05, "broken"), (0.5, "broken"), (1.0, "broken"),
    (math.inf, "broken"), (math.nan, "broken"),
])
def test_verdict_thresholds(rel, expected):
    assert verdict(rel) == expected
    p = row(rel)  # a difference far above the noise floor (0): judged by its relative error
    assert p.verdict == expected and p.note == ""


def test_rounding_noise_rules():
    """The noise floor decides by the absolute difference: at or below it the array is good
    whatever its relative error (which then compares noise with noise), just above it the
    relative error decides again."""
    noise = 1e-11
    at_floor = row(0.5, absd=noise, scale=2e-11, noise=noise)
    assert at_floor.verdict == "good" and at_floor.note == "within rounding noise"
    above = row(0.5, absd=1.01 * noise, scale=2e-11, noise=noise)
    assert above.verdict == "broken" and above.note == ""
    zero = row(1.0, absd=4e-12, scale=4e-12, noise=noise)  # both sides ~0: an exact 0 in noise
    assert zero.verdict == "good" and zero.note == "zero both ways"
    not_zero = row(1e-3, absd=4e-12, scale=1.01 * noise, noise=noise)
    assert not_zero.verdict == "good" and not_zero.note == "within rounding noise"
    agree = row(1e-9, absd=1e-12, scale=1e-3, noise=noise)  # agrees both ways: nothing to explain
    assert agree.verdict == "good" and agree.note == ""
    assert row(math.inf, absd=math.inf, noise=noise).verdict == "broken"


def _case(seed=0):
    rng = np.random.default_rng(seed)
    net = MLP([3, 6, 5, 3], "tanh", init_var=0.5, seed=seed)
    for b in net.biases:
        b += rng.uniform(-0.3, 0.3, b.shape)
    return net, rng.normal(size=(16, 3)), rng.integers(0, 3, 16)


@pytest.mark.parametrize("factor,expected", [(1.0, "good"), (1 + 1e-6, "suspicious"), (1 + 1e-3, "broken"),
                                             (1.02, "broken"), (2.0, "broken")])
def test_a_gradient_off_by_a_factor_gets_the_verdict_of_its_size(factor, expected):
    """Every gradient (factor - 1) off: the relative error of every array is factor - 1."""
    net, X, y = _case()
    report = gradient_check(with_scaled_delta(net, factor) if factor != 1.0 else net, X, y, eps=1e-5)
    assert {p.verdict for p in report.params} == {expected}, report.frame()
    assert summary(report.params)[0] == expected
    assert report.ok == (expected == "good")
    if factor != 1.0:
        assert report.max_rel_error == pytest.approx(1 - 1 / factor, rel=1e-2)


def test_the_noise_floor_hides_only_noise():
    """Six sigmoid layers at init variance 0.01: gradient scales from ~1e-8 (W1) to ~1e-1 (b7).
    With every gradient 1 % off, each array whose error (1 % of its scale) stands above the
    central difference's rounding noise (~2.5e-10 here) is broken, W2 (scale 1.4e-7, error
    1.4e-9) included; only W1 and b1, whose 1 % is below the noise, pass as "within rounding
    noise": the limit of the method, not a threshold to widen."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 2)), rng.integers(0, 2, 32)
    net = MLP([2] + [8] * 6 + [2], "sigmoid", init_var=0.01, seed=0)
    report = gradient_check(with_scaled_delta(net, 1.01), X, y, eps=1e-5)
    rows = {p.name: p for p in report.params}
    assert rows["W2"].scale < 2e-7 and rows["W2"].max_abs_error < 2e-9  # a tiny, real error
    assert all(rows[n].verdict == "broken" for n in rows if n not in ("W1", "b1")), report.frame()
    assert rows["W1"].note == rows["b1"].note == "within rounding noise"
    clean = gradient_check(net, X, y, eps=1e-5)
    assert all(p.verdict == "good" for p in clean.params)


# ----------------------------------------------------------------------------- the summary
ORDER = {"good": 0, "suspicious": 1, "broken": 2}


def assert_summary_tells_the_table(params):
    v, text = summary(params)
    assert v == max((p.verdict for p in params), key=ORDER.get), (v, [p.verdict for p in params])
    # the largest relative error the table shows is in the sentence, with its array's name
    top = max(params, key=lambda p: (p.max_rel_error if math.isfinite(p.max_rel_error) else math.inf))
    assert f"{top.max_rel_error:.2e}" in text and top.name in text, text
    for p in params:
        if p.note:
            assert p.name in text and p.note in text, text  # why a large relative error is still good
        if p.verdict != "good":
            assert p.name in text, text
    return v, text


def test_summary_of_rows_judged_by_noise_quotes_their_numbers():
    """The issue's case: "Largest relative error 0.00e+00 ... good" above a b1 row of 1.00e+00."""
    params = [row(2.5e-10, name="W1"), row(1.0, absd=1e-17, scale=1e-17, noise=1e-11, name="b1"),
              row(3e-3, absd=5e-12, scale=2e-9, noise=1e-11, name="W2"), row(1e-11, name="b2")]
    v, text = assert_summary_tells_the_table(params)
    assert v == "good" and "1.00e+00" in text and "0.00e+00" not in text
    assert "zero both ways" in text and "within rounding noise" in text


@pytest.mark.parametrize("rels", [
    [0.0, 0.0], [2.48e-10, 1e-12, 3e-11], [2e-6, 1e-9], [2e-6, 3e-3, 1e-9], [math.inf, 1e-9], [math.nan, 0.2],
])
def test_summary_verdict_is_the_worst_row(rels):
    params = [row(r, name=f"W{i + 1}") for i, r in enumerate(rels)]
    v, text = assert_summary_tells_the_table(params)
    if v != "good":
        assert all(p.name in text for p in params if p.verdict == v)


def test_summary_of_real_reports():
    """Plain XOR (every array agrees, the table reaching ~1e-10) and BatchNorm (the dense biases
    under it: zero both ways, relative error ~1)."""
    ds = load_dataset("xor", n_samples=400, noise=0.05, seed=0)
    for bn in (False, True):
        net = MLP([2, 8, 8, 2], "tanh", init_var=0.3, seed=0, batch_norm=bn)
        report = gradient_check(net, ds.X_train[:128], ds.y_train[:128], eps=1e-5)
        v, text = assert_summary_tells_the_table(report.params)
        assert v == "good"
        table_max = max(p.max_rel_error for p in report.params)
        assert table_max > 0 and "0.00e+00" not in text
        if bn:
            assert {p.name for p in report.params if p.note == "zero both ways"} >= {"b1", "b2"}


# ----------------------------------------------------------------------------- false alarms
def test_cross_entropy_keeps_full_precision_when_the_net_is_confident():
    """L_n = log sum_k e^{z_k} - z_y, in 60-digit decimal arithmetic as the oracle. A confident
    row's loss is ~e^-margin; log(1 + tiny) rounded the 1 + tiny and lost it below 1e-16."""
    rng = np.random.default_rng(0)
    net = MLP([2, 5], loss="cross_entropy")
    for margin in (5.0, 20.0, 36.0, 50.0):
        z = rng.normal(size=(7, 5))
        y = rng.integers(0, 5, 7)
        z[np.arange(7), y] += margin  # the right class ahead by `margin`: a confident net
        with localcontext() as ctx:
            ctx.prec = 60
            rows = [sum(Decimal(float(v)).exp() for v in zr).ln() - Decimal(float(zr[t])) for zr, t in zip(z, y)]
            want = float(sum(rows) / len(rows))
        got = net.loss_fn.value(z, y)
        assert got == pytest.approx(want, rel=1e-14, abs=0), margin
        loss, _ = net.loss_fn.value_and_delta(z, y)
        assert loss == got
    # and a wrong confident row stays exact and finite (its loss is the margin)
    z = np.array([[0.0, 800.0, -5.0]])
    assert net.loss_fn.value(z, np.array([0])) == pytest.approx(800 + math.log1p(math.exp(-800) + math.exp(-805)))


@pytest.mark.parametrize("n_out", [2, 8])
def test_gradient_check_of_a_confident_cross_entropy_net_is_good(n_out):
    """Issue 17: XOR 2-8-8-2 tanh, init variance 0.3, Adam 0.03, 5,000 steps, checked as the app
    does (the next batch of at most 128, eps 1e-5): every array was "suspicious" (2.6e-5) though
    the engine equals torch there; with a wider output layer too."""
    ds = load_dataset("xor", n_samples=400, noise=0.05, test_fraction=0.2, seed=0)
    net = MLP([2, 8, 8, n_out], "tanh", init_var=0.3, seed=0)
    tr = Trainer(net, Adam(0.03), ds.X_train, ds.y_train)
    tr.run(5000)
    assert tr.history[-1].loss < 1e-4  # confident
    X, y = tr.peek_batch(128)
    report = gradient_check(net, X, y, eps=1e-5, max_entries=200)
    assert all(p.verdict == "good" for p in report.params), report.frame()
    assert report.max_rel_error < 1e-7 and summary(report.params)[0] == "good"


@pytest.mark.parametrize("act,steps", [("relu", 0), ("tanh", 50), ("sigmoid", 0)])
def test_gradient_check_of_batchnorm_on_a_batch_of_two_is_good(act, steps):
    """With two samples BatchNorm's x_hat = +-d / sqrt(d^2 + 1e-5) (d: half their difference)
    turns over within |d| ~ 3e-3: a plain central difference at eps 1e-5 was off by ~1e-5
    relative (its error scaled as eps^2: truncation, not rounding) and called W1 suspicious."""
    ds = load_dataset("xor", n_samples=400, noise=0.05, test_fraction=0.2, seed=0)
    net = MLP([2, 8, 8, 2], act, init_var=0.3, seed=0, batch_norm=True)
    tr = Trainer(net, SGD(0.03, momentum=0.9), ds.X_train, ds.y_train, batch_size=2)
    tr.run(steps)
    X, y = tr.peek_batch(128)
    assert len(y) == 2
    report = gradient_check(net, X, y, eps=1e-5, max_entries=200)
    assert all(p.verdict == "good" for p in report.params), report.frame()
    w1 = report.params[0]  # what remains is rounding noise (BatchNorm's 1/std magnifies it), not bias
    assert w1.name == "W1" and (w1.max_rel_error < 1e-7 or w1.max_abs_error <= w1.noise)
    # still able to fail there: a 0.1 % wrong gradient is broken
    assert summary(gradient_check(with_scaled_delta(net, 1.001), X, y, eps=1e-5).params)[0] == "broken"
