"""Dead ReLU units (issue 17): after a collapse (Circles, six layers of 64 ReLU units, Adam at
η = 1) training sits at a coin flip's loss with a blank field and the page must say why: how
many units of each layer output 0 for every training point, and what to do. The counts are
checked against a forward pass written out here, and the page's sentence through AppTest."""
from __future__ import annotations

import re

import numpy as np

from engine.health import dead_relu_units
from test_app_pages import open_page, texts
from _labs import engine_lab

COLLAPSE = {"hidden": "64,64,64,64,64,64", "act": "relu", "lr": "1", "opt": "adam"}


def collapsed(lab, steps=200):
    """Play through the divergence pause, as a student would, for ``steps`` more steps."""
    if not lab.advance(steps):
        lab.error = None
        assert lab.advance(steps), lab.error
    return lab


def dead_by_hand(net, X) -> list[int]:
    """Units whose z <= 0 for every row of X, per hidden layer: the forward pass written out
    (no batch norm or dropout in these settings), independent of engine.health."""
    a, dead = np.asarray(X, dtype=np.float64), []
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        z = a @ W + b
        dead.append(int((z <= 0).all(axis=0).sum()))
        a = np.maximum(z, 0)
    return dead


def test_the_counts_are_the_units_that_output_zero_for_every_training_point():
    lab = collapsed(engine_lab("circles", COLLAPSE))
    X = lab.dataset.X_train
    report = dead_relu_units(lab.net, X)
    assert [r.dead for r in report] == dead_by_hand(lab.net, X)
    assert [r.units for r in report] == [64] * 6 and [r.layer for r in report] == [1, 2, 3, 4, 5, 6]
    assert report[-1].dead == 64                      # the collapse: the last layer is all dead
    assert np.ptp(lab.net.forward(X), axis=0).max() < 1e-12  # so the output is one constant: a blank field


def test_healthy_and_other_activations_report_nothing_dead():
    lab = engine_lab("circles", {"act": "relu", "hidden": "16,16"})
    lab.advance(300)
    assert all(r.dead < r.units / 2 for r in dead_relu_units(lab.net, lab.dataset.X_train))
    tanh = engine_lab("circles", {})
    assert dead_relu_units(tanh.net, tanh.dataset.X_train) == []   # only ReLU units die this way
    leaky = engine_lab("circles", dict(COLLAPSE, act="leaky_relu"))
    assert dead_relu_units(leaky.net, leaky.dataset.X_train) == []  # their slope is 0.01, not 0


def test_the_page_says_the_units_are_dead_per_layer_and_what_to_do():
    at = open_page("circles", COLLAPSE)
    lab = collapsed(at.session_state["circles._lab"])
    at.run()
    body = texts(at)
    want = dead_by_hand(lab.net, lab.dataset.X_train)
    m = re.search(r"Dead ReLU units.*", body)
    assert m, body[-800:]
    sentence = m.group(0)
    for layer, n in enumerate(want, start=1):
        if n == 64:
            assert re.search(rf"layers? [\d, –and]*\b{layer}\b[^:]*: all 64", sentence) or \
                f"layer {layer}: all 64" in sentence, (layer, sentence)
        else:
            assert f"layer {layer}: {n} of 64" in sentence, (layer, n, sentence)
    assert "Reset" in sentence and "learning rate" in sentence and "leaky ReLU" in sentence


def test_a_healthy_page_says_nothing_about_dead_units():
    at = open_page("circles", {"act": "relu"})
    at.button(key="circles._step").click().run()
    assert "Dead ReLU" not in texts(at)


def test_the_quick_screen_never_hides_a_dead_layer():
    """The sentence screens on the first rows (an upper bound of the dead); with the screen as
    small as one row it must still give the exact counts of the whole training set."""
    from engine.health import dead_relu_sentence

    lab = collapsed(engine_lab("circles", COLLAPSE))
    X = lab.dataset.X_train
    full = dead_relu_sentence(lab.net, X, 1.0)
    assert full and dead_relu_sentence(lab.net, X, 1.0, screen_rows=1) == full
    for layer, n in enumerate(dead_by_hand(lab.net, X), start=1):
        assert (f"layer {layer}: {n} of 64" if n < 64 else f"layer {layer}: all 64") in full
