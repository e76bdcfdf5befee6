"""Every page through streamlit.testing.v1.AppTest: renders without exception, Step / Reset,
live settings vs rebuilds, divergence, share-link parameters, damaged data files."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"
PAGES = {"xor": "app_pages/xor.py", "circles": "app_pages/circles.py", "more2d": "app_pages/more_2d.py",
         "mnist": "app_pages/mnist.py", "regression": "app_pages/regression.py", "curve": "app_pages/curve_fitting.py"}


def open_page(page: str | None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(PAGES[page]).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def lab(at: AppTest, page: str):
    return at.session_state[f"{page}._lab"]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_intro_page_explains_what_to_do():
    at = open_page(None)
    assert at.title[0].value == "Backprop playground"
    body = texts(at)
    assert "What each view means" in body and "Play" in body


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_and_step_trains(page):
    at = open_page(page)
    lb = lab(at, page)
    assert lb.step == 0 and lb.trainer.history == []
    labels = [b.label for b in at.button]
    for want in ("Play", "Step", "Step epoch", "Reset"):
        assert want in labels, labels
    at.button(key=f"{page}._step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, page)
    assert lb.step == 1
    first_loss = lb.trainer.history[0].loss
    at.button(key=f"{page}._step").click().run()
    assert lab(at, page).step == 2
    assert lab(at, page).trainer.history[1].loss != first_loss  # the step changed the model
    at.button(key=f"{page}._reset").click().run()
    assert lab(at, page).step == 0 and lab(at, page).trainer.history == []


def test_step_epoch_and_status_line():
    at = open_page("circles")
    at.slider(key="circles.n_samples")  # exists
    at.select_slider(key="circles.batch_size").set_value(32).run()
    at.button(key="circles._epoch").click().run()
    lb = lab(at, "circles")
    assert lb.step == lb.trainer.steps_per_epoch == -(-len(lb.dataset.y_train) // 32)
    assert lb.trainer.epoch == 1


def test_architecture_change_rebuilds_and_says_so():
    at = open_page("xor")
    at.button(key="xor._step").click().run()
    builds = lab(at, "xor").builds
    at.slider(key="xor.n_hidden").set_value(1).run()
    assert not at.exception
    lb = lab(at, "xor")
    assert lb.builds == builds + 1 and lb.step == 0
    assert lb.net.sizes == [2, 8, 2]
    assert any("Rebuilt the model" in i.value and "hidden layers" in i.value for i in at.info)
    at.selectbox(key="xor.activation").set_value("relu").run()
    assert lab(at, "xor").net.activation_names == ["relu"]
    assert lab(at, "xor").builds == builds + 2


def test_learning_rate_momentum_batch_apply_without_reset():
    at = open_page("xor")
    for _ in range(3):
        at.button(key="xor._step").click().run()
    lb = lab(at, "xor")
    builds, weights = lb.builds, [w.copy() for w in lb.net.weights]
    at.select_slider(key="xor.lr").set_value(0.3).run()
    at.slider(key="xor.momentum").set_value(0.5).run()
    at.select_slider(key="xor.batch_size").set_value(16).run()
    lb = lab(at, "xor")
    assert lb.builds == builds and lb.step == 3
    assert lb.opt.lr == 0.3 and lb.opt.momentum == 0.5 and lb.trainer.batch_size == 16
    assert all((a == b).all() for a, b in zip(weights, lb.net.weights))  # nothing was reset
    at.button(key="xor._step").click().run()
    assert lab(at, "xor").trainer.history[-1].lr == 0.3
    assert lab(at, "xor").trainer.history[-1].batch_size == 16


def test_divergence_pauses_with_the_engine_message():
    at = open_page("xor")
    # MSE with a linear output is a quadratic bowl: past a critical learning rate every step
    # overshoots further, and the loss overflows within ~100 steps.
    at.selectbox(key="xor.loss").set_value("mse").run()
    at.selectbox(key="xor.output_activation").set_value("linear").run()
    at.select_slider(key="xor.lr").set_value(10.0).run()
    for _ in range(200):
        at.button(key="xor._step").click().run()
        if lab(at, "xor").error:
            break
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, "xor")
    assert lb.error and "lower the learning rate" in lb.error
    assert any("lower the learning rate" in e.value for e in at.error)
    assert lb.playing is False
    assert all(__import__("numpy").isfinite(w).all() for w in lb.net.weights)


def test_share_link_applies_known_and_warns_about_bad_parameters():
    at = open_page("circles", params={"hidden": "4,3", "lr": "0.1", "bogus": "1", "mom": "seven",
                                      "act": "swish"})
    lb = lab(at, "circles")
    assert lb.net.sizes == [2, 4, 3, 2] and lb.opt.lr == 0.1
    warns = " ".join(w.value for w in at.warning)
    assert "bogus" in warns and "mom" in warns and "act" in warns


def test_url_reflects_settings():
    at = open_page("xor")
    at.select_slider(key="xor.lr").set_value(0.3).run()
    assert at.query_params.get("lr") in ("0.3", ["0.3"])


def test_mnist_empty_digit_selection_keeps_model():
    at = open_page("mnist")
    at.button(key="mnist._step").click().run()
    at.pills(key="mnist.digits").set_value([]).run() if hasattr(at, "pills") else None
    assert not at.exception, [e.value for e in at.exception]


def test_missing_mnist_file_is_a_clear_message_and_other_pages_work(tmp_path, monkeypatch):
    import engine.datasets as dsmod

    monkeypatch.setattr(dsmod, "MNIST_DIR", tmp_path)  # an empty folder: the files are "deleted"
    dsmod._MNIST_CACHE.clear()
    import streamlit as st

    st.cache_resource.clear()
    at = open_page("mnist")
    errs = " ".join(e.value for e in at.error)
    assert "missing" in errs and "MNIST" in errs
    at.switch_page(PAGES["xor"]).run()
    assert not at.exception and lab(at, "xor") is not None


# ----------------------------------------------------------------------------- batch norm, dropout
def test_batch_norm_and_dropout_from_a_share_link_build_that_network():
    at = open_page("circles", params={"bn": "1", "drop": "0.2", "hidden": "6,5"})
    lb = lab(at, "circles")
    assert lb.net.batch_norm == [True, True] and lb.net.dropout == [0.2, 0.2]
    assert [n for n, _ in lb.net.named_params()][:4] == ["W1", "b1", "gamma1", "beta1"]
    at.button(key="circles._step").click().run()
    assert not at.exception and lab(at, "circles").step == 1
    assert at.query_params.get("bn") in ("1", ["1"]) and at.query_params.get("drop") in ("0.2", ["0.2"])


def test_per_layer_batch_norm_and_dropout():
    at = open_page("xor", params={"hidden": "8,6", "bns": "1,0", "drops": "0,0.5", "acts": "relu,tanh"})
    lb = lab(at, "xor")
    assert lb.net.batch_norm == [True, False] and lb.net.dropout == [0.0, 0.5]
    assert lb.net.activation_names == ["relu", "tanh"]
    at.toggle(key="xor.bn1").set_value(True).run()  # the sidebar's per-layer switch rebuilds
    assert not at.exception and lab(at, "xor").net.batch_norm == [True, True]
    assert any("batch norm" in i.value for i in at.info)


def test_bad_batch_norm_links_warn_and_are_ignored():
    at = open_page("xor", params={"bn": "maybe", "drop": "2", "bns": "1,0,1"})
    warns = " ".join(w.value for w in at.warning)
    assert "bn" in warns and "drop" in warns and "bns" in warns
    assert lab(at, "xor").net.batch_norm == [False, False]


def test_batch_norm_with_batches_of_one_says_why_instead_of_crashing():
    at = open_page("xor", params={"bn": "1", "batch": "1"})
    at.button(key="xor._step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, "xor")
    assert lb.step == 0 and "at least 2 samples" in lb.error
    assert any("at least 2 samples" in e.value for e in at.error)


def test_mnist_classic_784_30_10_in_one_click_and_it_learns():
    at = open_page("mnist", params={"ntrain": "2000", "ntest": "500"})
    at.button(key="mnist._classic").click().run()
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, "mnist")
    assert lb.net.sizes == [784, 30, 10] and lb.net.activation_names == ["sigmoid"]
    assert lb.net.loss_name == "mse" and lb.opt.lr == 3.0 and lb.opt.momentum == 0
    at.button(key="mnist._epoch").click().run()
    at.button(key="mnist._epoch").click().run()
    assert lab(at, "mnist").test_metrics()[1] > 0.3  # two epochs of 2,000 digits: far above chance (0.1)


def test_no_hidden_layer_hides_the_activation_and_batch_norm_controls():
    at = open_page("xor", params={"hidden": ""})
    keys = [w.key for w in at.sidebar.selectbox] + [w.key for w in at.sidebar.toggle]
    assert "xor.activation" not in keys and "xor.batch_norm" not in keys
    at.slider(key="xor.n_hidden").set_value(1).run()
    keys = [w.key for w in at.sidebar.selectbox] + [w.key for w in at.sidebar.toggle]
    assert "xor.activation" in keys and "xor.batch_norm" in keys
