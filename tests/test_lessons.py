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


def every_step(lb, n, check=None):
    """Advance ``n`` steps one at a time, calling check(lb) after each (the claims hold over the
    whole run they speak of, not only at its end)."""
    for _ in range(n):
        assert lb.advance(1), lb.error
        if check:
            check(lb)
    return lb


def series(lb, key):
    return np.array([getattr(r, key) for r in lb.trainer.history], dtype=float)


def check_xor_hidden(ls):
    assert "stays at or below 75 % for 500 steps" in ls.expect and "above 95 % by step 500" in ls.expect
    a = lab("xor", ls.params)
    a.advance(500)
    b = lab("xor", ls.also[0][1])
    b.advance(500)
    assert accuracy(a) <= 0.75 and accuracy(b) > 0.95, (accuracy(a), accuracy(b))
    assert series(a, "test_acc").max() <= 0.75                      # at every one of the 500 steps
    # "draws one straight line": without a hidden layer the logit difference is affine in x
    t = np.linspace(-1, 1, 101)
    z = a.net.logits(np.c_[t, 0.4 * t - 0.2])
    assert np.abs(np.diff(z[:, 1] - z[:, 0], 2)).max() < 1e-12


def check_vanishing(ls):
    assert "(about 5e-12 against 2e-3)" in ls.expect and "σ′ ≤ 0.25 times a tiny W" in ls.watch

    def shrinks(lb):
        d = lb.trainer.history[-1].delta_norms
        # each layer down the signal shrinks by at most σ′'s 1/4 (times a tiny W: far more)
        assert all(lo <= 0.25 * hi for lo, hi in zip(d, d[1:])), (lb.step, d)
        assert d[0] < 1e-6 * d[-1], (lb.step, d)                      # a million times, at every step
    lb = every_step(lab("xor", ls.params), 50, shrinks)
    d = lb.trainer.history[-1].delta_norms
    assert d[0] < 1e-6 * d[-1], d
    assert f"{d[0]:.0e}" == "5e-12" and f"{d[-1]:.0e}" == "2e-03", d


def check_lr_too_large(ls):
    lb = lab("xor", ls.params)
    lb.advance(10)
    assert lb.error and "lower the learning rate" in lb.error and lb.step < 10
    assert all(np.isfinite(p).all() for p in lb.net.params())
    # "every jump lands higher than the last": each step's loss above the one before, up to the pause
    losses = [r.loss for r in lb.trainer.history]
    grew = float(lb.error.split("grew to ")[1].split(",")[0])
    assert all(a < b for a, b in zip(losses, losses[1:] + [grew])), (losses, grew)


def check_dead_relu(ls):
    assert "the test accuracy stays below 80 % for all 300 steps" in ls.expect and "they never recover" in ls.watch
    state = {"dead": None}

    def dead_stay_dead(lb):
        X = np.vstack([lb.dataset.X_train, lb.dataset.X_test])
        dead = (lb.net.activations(X)[1] <= 0).all(axis=0)
        if state["dead"] is not None:
            assert not (state["dead"] & ~dead).any(), f"a dead unit came back at step {lb.step}"
        state["dead"] = dead
        assert lb.trainer.history[-1].test_acc < 0.8, lb.step
    lb = every_step(lab("circles", ls.params), 300, dead_stay_dead)
    X = np.vstack([lb.dataset.X_train, lb.dataset.X_test])
    a1 = lb.net.activations(X)[1]
    assert np.mean((a1 <= 0).all(axis=0)) >= 0.5 and accuracy(lb) < 0.8


def check_symmetry(ls):
    assert "for all 200 steps every hidden unit of a layer computes exactly the same value" in ls.expect

    def same(lb):
        for a in lb.net.activations(lb.dataset.X_test)[1:-1]:
            assert np.ptp(a, axis=1).max() == 0.0, lb.step  # every unit of the layer: the same value, exactly
        for dW, _ in lb.trainer.last_grads[:-1]:              # "receives the same gradient"
            assert np.ptp(dW, axis=1).max() == 0.0, lb.step
        assert lb.trainer.history[-1].test_acc <= 0.75, lb.step
    lb = every_step(lab("xor", ls.params), 200, same)
    for a in lb.net.activations(lb.dataset.X_test)[1:-1]:
        assert np.ptp(a, axis=1).max() == 0.0
    assert accuracy(lb) <= 0.75


def check_momentum(ls):
    sgd = steps_to(lab("circles", ls.params), 0.95, 3000)
    mom = steps_to(lab("circles", ls.also[0][1]), 0.95, 3000)
    assert sgd and mom and mom < sgd / 3, (mom, sgd)
    assert f"({mom} against {sgd} measured)" in ls.expect, (mom, sgd)


def check_overfitting(ls):
    assert "after 2,000 steps" in ls.expect

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
    assert "over the first 300 steps" in ls.expect

    def jitter(params, first):
        lb = lab("circles", params)
        lb.advance(300)
        loss = np.array([r.loss for r in lb.trainer.history[first:]])
        return np.std(np.diff(np.log(loss)))
    assert jitter(ls.params, 100) > 100 * jitter(ls.also[0][1], 100)
    assert jitter(ls.params, 0) > 100 * jitter(ls.also[0][1], 0)     # the whole run the line speaks of


def check_batchnorm(ls):
    assert "at most 60 % test accuracy for all 1,000 steps" in ls.expect
    plain = lab("circles", ls.params)
    plain.advance(1000)
    assert accuracy(plain) <= 0.6
    assert series(plain, "test_acc").max() <= 0.6
    with_bn = lab("circles", ls.also[0][1])
    s = steps_to(with_bn, 0.95, 200)
    assert s is not None and s <= 200
    assert f"({s} measured)" in ls.expect and "and stays there" in ls.expect
    with_bn.advance(200 - with_bn.step)
    assert series(with_bn, "test_acc")[s - 1:].min() >= 0.95


def check_hidden_space(ls):
    assert "and stays there" in ls.expect
    lb = lab("circles", ls.params)
    s = steps_to(lb, 0.95, 800)
    assert s is not None
    lb.advance(800 - lb.step)
    assert series(lb, "test_acc")[s - 1:].min() >= 0.95


def typed_values(text: str) -> list[tuple]:
    """The values a lesson tells the student to type: "W1[0, 0] = 5, W2[0, 1] = W2[1, 1] = −5, ..."
    -> [(name, index, value), ...]."""
    import re

    out = []
    for chain in re.finditer(r"((?:[Wb]\d\[\d+(?:, \d+)?\] = )+)([−-]?\d+(?:\.\d+)?)", text):
        value = float(chain.group(2).replace("−", "-"))
        for name, idx in re.findall(r"([Wb]\d)\[(\d+(?:, \d+)?)\]", chain.group(1)):
            out.append((name, tuple(int(i) for i in idx.split(", ")), value))
    return out


def check_xor_by_hand(ls):
    assert "eleven values" in ls.expect and "about 50 %" in ls.expect and ls.panel == "graph"
    lb = lab("xor", ls.params)
    typed = typed_values(ls.watch)
    assert len(typed) == 11 and len({(n, i) for n, i, _ in typed}) == 11, typed
    # before typing: every output 0.5, about half the test points right
    out = lb.net.forward(lb.dataset.X_test)
    assert np.all(out == 0.5) and abs(accuracy(lb) - 0.5) <= 0.05, accuracy(lb)
    for name, index, value in typed:  # the page's path: Lab.set_param (ui/byhand.py)
        lb.set_param(name, index, value)
    loss, acc = lb.test_metrics()
    assert acc == 1.0 and loss < 0.01, (acc, loss)
    assert lb.step == 0
    before = [p.copy() for p in lb.net.params()]
    lb.advance(100)                   # Play: learning rate 0, nothing changes
    for p, q in zip(lb.net.params(), before):
        np.testing.assert_array_equal(p, q)
    assert lb.test_metrics()[1] == 1.0 and lb.trainer.history[-1].train_acc == 1.0


def check_mnist_classic(ls):
    lb = lab("mnist", ls.params)
    lb.advance_epoch()
    assert accuracy(lb) >= 0.88
    assert f"({100 * accuracy(lb):.2f} % measured)" in ls.expect, accuracy(lb)


def r2_after_each_step(lb, n):
    """The test R² after each of ``n`` single steps (a claim over the whole run is read from these)."""
    out = []
    for _ in range(n):
        assert lb.advance(1), lb.error
        out.append(lb.trainer.history[-1].test_r2)
    return np.array(out)


def check_relu_hinges(ls):
    """The curve-fitting lesson, over the whole run of each setting (test R² after every step)."""
    from engine import unit_contributions

    assert "below 0.3 for all 1,000 steps" in ls.expect and "(51 measured)" in ls.expect and "(304" in ls.expect

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


def first_at_least(values, threshold):
    """1-based index of the first value >= threshold, or None."""
    hits = np.flatnonzero(np.asarray(values) >= threshold)
    return int(hits[0]) + 1 if len(hits) else None


def check_features(ls):
    assert "within 50 steps (20 measured)" in ls.expect and "never above 70 %" in ls.expect
    lb = lab("circles", ls.params)
    assert lb.net.sizes == [2, 2] and lb.net.features == ("x1sq", "x2sq")
    lb.advance(1000)
    acc = series(lb, "test_acc")
    first = first_at_least(acc, 0.95)
    assert first == 20 and acc[first - 1:].min() >= 0.95, (first, acc[first - 1:].min())
    plain = lab("circles", ls.also[0][1])
    plain.advance(1000)
    assert plain.net.features is None and plain.net.sizes == [2, 2]
    assert series(plain, "test_acc").max() <= 0.70
    deep = lab("circles", ls.also[1][1])
    deep.advance(200)
    assert first_at_least(series(deep, "test_acc"), 0.95) == 91


def check_l1_dead(ls):
    assert "(76.8 % at least, measured)" in ls.expect
    lb = lab("circles", ls.params)
    assert lb.trainer.l1 == 0.01 and lb.net.sizes[0] == 7
    lb.advance(2000)
    dead = np.array([r.small_weights[0] for r in lb.trainer.history])
    assert dead[499:].min() >= 0.75 and f"({100 * dead[499:].min():.1f} % at least" in ls.expect
    np.testing.assert_array_equal(dead[-1], np.mean(np.abs(lb.net.weights[0]) < 1e-3))
    rows = set(np.nonzero(np.abs(lb.net.weights[0]) > 0.01)[0])
    assert rows == {3, 4} and [lb.net.features[r] for r in sorted(rows)] == ["x1sq", "x2sq"]
    assert accuracy(lb) == 1.0
    l2 = lab("circles", ls.also[0][1])
    assert l2.trainer.l1 == 0 and l2.opt.weight_decay == 0.01
    l2.advance(2000)
    assert max(r.small_weights[0] for r in l2.trainer.history) <= 0.15
    assert len(set(np.nonzero(np.abs(l2.net.weights[0]) > 0.01)[0])) >= 4


def check_clip_cliff(ls):
    assert "(31 measured)" in ls.expect
    wild = lab("circles", ls.params)
    wild.advance(1000)
    norms = series(wild, "total_grad_norm")
    assert norms[:2].min() > 20
    X = np.vstack([wild.dataset.X_train, wild.dataset.X_test])
    for a in wild.net.activations(X)[2:4]:                    # hidden layers 2 and 3
        assert (a <= 0).all()                                 # every unit dead for every point
    assert wild.trainer.history[-1].loss == pytest.approx(np.log(2), abs=1e-9)
    assert series(wild, "test_acc").max() < 0.95
    clipped = lab("circles", ls.also[0][1])
    assert clipped.trainer.clip_norm == 1.0
    clipped.advance(1000)
    acc = series(clipped, "test_acc")
    first = first_at_least(acc, 0.95)
    assert first == 31 and acc[first - 1:].min() >= 0.95


def check_anneal(ls):
    assert "(91.25–100 % measured)" in ls.expect and "(0.0028 against 0.033 measured)" in ls.expect
    const = lab("more2d", ls.params)
    const.advance(2000)
    cos = lab("more2d", ls.also[0][1])
    assert cos.trainer.schedule.name == "cosine"
    cos.advance(2000)
    a, b = series(const, "test_acc")[-200:], series(cos, "test_acc")[-200:]
    assert a.max() - a.min() >= 0.05 and (a.min(), a.max()) == (0.9125, 1.0)
    assert b.min() == 1.0
    la = const.trainer.evaluate(const.dataset.X_train, const.dataset.y_train)[0]
    lc = cos.trainer.evaluate(cos.dataset.X_train, cos.dataset.y_train)[0]
    assert la >= 5 * lc and (round(lc, 4), round(la, 3)) == (0.0028, 0.033), (la, lc)
    assert cos.trainer.history[-1].lr == pytest.approx(0.03 * (1 + np.cos(np.pi * 1999 / 2000)) / 2)


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


# ----------------------------------------------------------------------------- every lesson button
BUTTONS = [(ls, None, ls.params, f"lesson-{ls.key}") for ls in LESSONS] + [
    (ls, label, params, f"lesson-{ls.key}-{j}") for ls in LESSONS for j, (label, params) in enumerate(ls.also)]


def _box_text(at) -> str:
    from tests.test_app_pages import texts

    return texts(at)


def test_every_lesson_button_opens_its_page_with_its_settings_and_its_text():
    """Each of the Lessons page's buttons, clicked in one session one after the other: the page it
    opens has the lesson's settings (the sidebar's widgets, the Lab, the address bar), starts at
    step 0, and shows that lesson's text and no other."""
    from tests.test_app_pages import open_page

    from ui.config import params_from_config

    at = open_page(None)
    for lesson, label, params, key in BUTTONS:
        at.switch_page("app_pages/lessons.py").run()
        at.button(key=key).click().run()
        assert not at.exception, (key, [e.value for e in at.exception])
        page = lesson.page
        lb = at.session_state[f"{page}._lab"]
        want, _ = config_from_params(page, dict(params))
        assert lb.cfg == want, (key, lb.cfg, want)
        assert lb.step == 0 and not lb.playing, key
        # the network the settings describe (read from the engine objects, not the config)
        n_hidden = len(want.hidden)
        assert lb.net.sizes[1:-1] == list(want.hidden), key
        assert lb.net.activation_names == [want.activation] * n_hidden, key
        assert lb.net.loss_name == want.loss and lb.opt.lr == want.lr, key
        assert at.session_state[f"{page}.panel"] == (lesson.panel or "curves"), key
        # the address bar is the lesson's share link
        link = {k: at.query_params[k] for k in at.query_params}
        link = {k: v[-1] if isinstance(v, list) else v for k, v in link.items()}
        assert link == params_from_config(page, want), (key, link)
        body = _box_text(at)
        number = LESSONS.index(lesson) + 1
        assert f"Lesson {number} · {lesson.title}" in body, key
        assert lesson.watch in body and lesson.question in body and lesson.expect in body, key
        assert (label is None) or f"the setting “{label}”" in body, key
        assert "settings have changed" not in body and "Rebuilt the model" not in body, key
        others = [o for o in LESSONS if o is not lesson and o.watch in body]
        assert not others, (key, [o.key for o in others])


def test_a_lesson_starts_at_step_0_even_when_its_settings_are_the_pages_own():
    """Momentum's second setting is the Circles page's defaults: the page must not keep the
    steps it had (the lesson counts steps from 0)."""
    from tests.test_app_pages import open_page

    at = open_page("circles")
    for _ in range(3):
        at.button(key="circles._step").click().run()
    assert at.session_state["circles._lab"].step == 3
    at.switch_page("app_pages/lessons.py").run()
    at.button(key="lesson-momentum-0").click().run()  # "SGD + momentum 0.9": the defaults
    lb = at.session_state["circles._lab"]
    assert lb.step == 0 and lb.trainer.history == []


def test_the_lesson_box_says_when_the_settings_changed_and_closes():
    from tests.test_app_pages import open_page

    at = open_page(None)
    at.switch_page("app_pages/lessons.py").run()
    at.button(key="lesson-vanishing").click().run()
    assert "Vanishing gradients" in _box_text(at) and "settings have changed" not in _box_text(at)
    at.switch_page("app_pages/xor.py").run()  # AppTest's own page follows st.switch_page only for one run
    assert "Vanishing gradients" in _box_text(at)
    at.button(key="xor._step").click().run()                    # training changes no setting
    assert "settings have changed" not in _box_text(at)
    at.select_slider(key="xor.lr").set_value(0.3).run()         # a setting the lesson did not choose
    assert "Vanishing gradients" in _box_text(at) and "settings have changed" in _box_text(at)
    at.button(key="lesson_close").click().run()
    assert "Vanishing gradients" not in _box_text(at) and not at.exception
    assert at.session_state["xor._lab"].step == 1               # closing the text changes nothing else
    at.switch_page("app_pages/circles.py").run()                # other pages have no lesson box
    assert "What you should see" not in _box_text(at) and "You should see" not in _box_text(at)
