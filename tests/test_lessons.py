"""Every lesson's "you should see" line, checked in the engine with the lesson's own settings
(the same Lab the page builds), and the Lessons page opening a lesson with its settings."""
from __future__ import annotations

import numpy as np
import pytest

from engine import load_dataset
from ui.config import config_from_params
from ui.lab import Lab
from ui.lessons import LESSONS


def lab(page, params):
    cfg, warnings = config_from_params(page, dict(params))
    assert not warnings, warnings

    def load(c):
        if c.dataset == "mnist":
            return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
        return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                            seed=c.data_seed)
    return Lab(page, cfg, load)


def accuracy(lb):
    return lb.test_metrics()[1]


def steps_to(lb, acc, cap):
    for _ in range(cap):
        assert lb.advance(1), lb.error
        if lb.trainer.history[-1].test_acc >= acc:
            return lb.step
    return None


def check_xor_hidden(ls):
    a = lab("xor", ls.params)
    a.advance(500)
    b = lab("xor", ls.also[0][1])
    b.advance(500)
    assert accuracy(a) <= 0.75 and accuracy(b) > 0.95, (accuracy(a), accuracy(b))


def check_vanishing(ls):
    lb = lab("xor", ls.params)
    lb.advance(50)
    d = lb.trainer.history[-1].delta_norms
    assert d[0] < 1e-6 * d[-1], d


def check_lr_too_large(ls):
    lb = lab("xor", ls.params)
    lb.advance(10)
    assert lb.error and "lower the learning rate" in lb.error and lb.step < 10
    assert all(np.isfinite(p).all() for p in lb.net.params())


def check_dead_relu(ls):
    lb = lab("circles", ls.params)
    lb.advance(300)
    X = np.vstack([lb.dataset.X_train, lb.dataset.X_test])
    a1 = lb.net.activations(X)[1]
    assert np.mean((a1 <= 0).all(axis=0)) >= 0.5 and accuracy(lb) < 0.8


def check_symmetry(ls):
    lb = lab("xor", ls.params)
    lb.advance(200)
    for a in lb.net.activations(lb.dataset.X_test)[1:-1]:
        assert np.ptp(a, axis=1).max() == 0.0  # every unit of the layer: the same value, exactly
    assert accuracy(lb) <= 0.75


def check_momentum(ls):
    sgd = steps_to(lab("circles", ls.params), 0.95, 3000)
    mom = steps_to(lab("circles", ls.also[0][1]), 0.95, 3000)
    assert sgd and mom and mom < sgd / 3, (mom, sgd)


def check_overfitting(ls):
    def gap(params):
        lb = lab("circles", params)
        lb.advance(2000)
        train = np.mean(lb.net.predict(lb.dataset.X_train) == lb.dataset.y_train)
        return train, accuracy(lb)
    train, test = gap(ls.params)
    assert train == 1.0 and test <= 0.85 and train - test >= 0.15, (train, test)
    train, test = gap(ls.also[0][1])
    assert train - test <= 0.05, (train, test)


def check_batch_noise(ls):
    def jitter(params):
        lb = lab("circles", params)
        lb.advance(300)
        loss = np.array([r.loss for r in lb.trainer.history[100:]])
        return np.std(np.diff(np.log(loss)))
    assert jitter(ls.params) > 100 * jitter(ls.also[0][1])


def check_batchnorm(ls):
    plain = lab("circles", ls.params)
    plain.advance(1000)
    assert accuracy(plain) <= 0.6
    s = steps_to(lab("circles", ls.also[0][1]), 0.95, 200)
    assert s is not None and s <= 200


def check_hidden_space(ls):
    assert steps_to(lab("circles", ls.params), 0.95, 800) is not None


def check_mnist_classic(ls):
    lb = lab("mnist", ls.params)
    lb.advance_epoch()
    assert accuracy(lb) >= 0.88


def check_relu_hinges(ls):
    """The curve-fitting lesson, over the whole run of each setting (test R² after every step)."""
    from engine import unit_contributions

    assert "below 0.3 for all 1,000 steps" in ls.expect and "(51 measured)" in ls.expect and "(304" in ls.expect

    def r2_after_each_step(lb, n):
        out = []
        for _ in range(n):
            assert lb.advance(1), lb.error
            out.append(lb.trainer.history[-1].test_r2)
        return np.array(out)

    one = lab("curve", ls.params)
    assert one.net.sizes == [1, 1, 1] and one.net.activation_names == ["relu"] and one.dataset.name == "abs"
    assert r2_after_each_step(one, 1000).max() < 0.3                      # one hinge: one arm of the V
    two = lab("curve", ls.also[0][1])
    r2 = r2_after_each_step(two, 100)
    assert int(np.argmax(r2 >= 0.95)) + 1 == 51 and r2.max() >= 0.95    # first above 0.95 at step 51
    W1, W2 = two.net.weights
    assert W1[0, 0] * W1[0, 1] < 0 and (W2 > 0).all()                   # two hinges, facing opposite ways
    stalled = lab("curve", dict(ls.also[0][1], seed="1"))                 # the question's seed 1
    assert r2_after_each_step(stalled, 1000).max() < 0.5
    assert stalled.net.weights[0][0, 0] * stalled.net.weights[0][0, 1] > 0  # both face the same way
    sine = lab("curve", ls.also[1][1])
    assert sine.dataset.name == "sine" and sine.net.sizes == [1, 8, 1]
    r2 = r2_after_each_step(sine, 500)
    assert int(np.argmax(r2 >= 0.95)) + 1 == 304
    x = np.linspace(-3, 3, 241)[:, None]
    parts, b, z = unit_contributions(sine.net, x)
    np.testing.assert_allclose(parts.sum(axis=1) + b, sine.net.logits(x), rtol=1e-12, atol=1e-12)


def check_plane_and_bumps(ls):
    """The 2-D regression lesson, over the whole run of each setting (test R² after every step)."""
    assert "(25 measured)" in ls.expect and "below 0.05 for all 2,000 steps" in ls.expect and "(995" in ls.expect

    def r2_after_each_step(lb, n):
        out = []
        for _ in range(n):
            assert lb.advance(1), lb.error
            out.append(lb.trainer.history[-1].test_r2)
        return np.array(out)

    plane = lab("regression", ls.params)
    assert plane.net.sizes == [2, 1] and plane.dataset.name == "reg-plane"
    r2 = r2_after_each_step(plane, 50)
    assert int(np.argmax(r2 >= 0.99)) + 1 == 25 and r2[-1] >= 0.99
    plane.advance(250)  # the question's answer: W1 becomes (0.1, 0.1), b1 0: y = (x1 + x2) / 10
    assert plane.net.weights[0][:, 0] == pytest.approx([0.1, 0.1], rel=0.03) and abs(plane.net.biases[0][0]) < 0.01
    flat = lab("regression", ls.also[0][1])
    assert flat.net.sizes == [2, 1] and flat.dataset.name == "reg-gauss"
    assert r2_after_each_step(flat, 2000).max() < 0.05
    deep = lab("regression", ls.also[1][1])
    assert deep.net.sizes == [2, 16, 16, 16, 1]
    r2 = r2_after_each_step(deep, 1000)
    assert int(np.argmax(r2 >= 0.9)) + 1 == 995


CHECKS = {name[len("check_"):]: f for name, f in globals().items() if name.startswith("check_")}


def test_there_are_at_least_ten_lessons_and_each_has_a_check():
    assert len(LESSONS) >= 10
    assert {ls.key for ls in LESSONS} == set(CHECKS)


@pytest.mark.parametrize("lesson", LESSONS, ids=[ls.key for ls in LESSONS])
def test_what_you_should_see(lesson):
    CHECKS[lesson.key](lesson)


def test_the_lessons_page_opens_a_lesson_with_its_settings():
    from tests.test_app_pages import open_page

    at = open_page(None)
    at.switch_page("app_pages/lessons.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len([b for b in at.button if b.key and b.key.startswith("lesson-") and b.key.count("-") == 1]) >= 10
    at.button(key="lesson-batchnorm-0").click().run()  # "With batch norm"
    assert not at.exception, [e.value for e in at.exception]
    lb = at.session_state["circles._lab"]
    assert lb.net.sizes == [2, 8, 8, 8, 8, 2] and lb.net.activation_names == ["sigmoid"] * 4
    assert lb.net.batch_norm == [True] * 4
