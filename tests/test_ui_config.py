"""Settings <-> share-link parameters (ui.config) and config -> engine objects (ui.lab),
without Streamlit."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine import load_dataset
from ui.config import (
    BATCH_OPTIONS,
    L2_OPTIONS,
    LR_OPTIONS,
    PAGE_DEFAULTS,
    URL_NAMES,
    VAR_OPTIONS,
    config_from_params,
    params_from_config,
)
from ui.lab import Lab


@pytest.mark.parametrize("page", list(PAGE_DEFAULTS))
def test_defaults_are_values_the_widgets_offer(page):
    c = PAGE_DEFAULTS[page]
    assert c.lr in LR_OPTIONS and c.init_var in VAR_OPTIONS and c.l2 in L2_OPTIONS
    assert c.batch_size in BATCH_OPTIONS
    assert params_from_config(page, c) == {}  # defaults make a clean URL


@pytest.mark.parametrize("page", list(PAGE_DEFAULTS))
def test_round_trip_through_the_url(page):
    c = replace(PAGE_DEFAULTS[page], hidden=(5, 4, 3), activation="relu", per_layer=("relu", "tanh", "sigmoid"),
                loss="mse", output_activation="linear", init="he", seed=7, optimizer="nesterov", lr=0.3,
                momentum=0.5, l2=0.001, batch_size=16, steps_per_frame=9)
    c = replace(c, digits=(1, 7), n_train=1000, n_test=300) if page == "mnist" else replace(
        c, n_samples=300, noise=0.2, test_fraction=0.3, data_seed=3)
    params = params_from_config(page, c)
    back, warnings = config_from_params(page, params)
    assert warnings == [] and back == c


def test_malformed_and_unknown_parameters_are_ignored_with_warnings():
    params = {"hidden": "8,x", "lr": "fast", "mom": "1.5", "act": "swish", "zzz": "1", "batch": "0",
              "digits": "3", "n": "20", "var": "nan", "loss": "hinge", "opt": "sgd"}
    cfg, warnings = config_from_params("xor", params)
    base = PAGE_DEFAULTS["xor"]
    # the one valid value applies, everything else keeps the default
    assert cfg == replace(base, batch_size=0, optimizer="sgd")
    text = " ".join(warnings)
    for key in ("hidden", "lr", "mom", "act", "zzz", "digits", "n=", "var", "loss"):
        assert key in text, (key, text)
    assert len(warnings) == 9


def test_off_slider_values_snap_with_a_note():
    cfg, warnings = config_from_params("circles", {"lr": "0.05", "batch": "20"})
    assert cfg.lr in LR_OPTIONS and cfg.batch_size == 16
    assert len(warnings) == 2 and "0.05" in warnings[0]


def test_every_field_has_a_url_name():
    from dataclasses import fields

    from ui.config import LabConfig

    # every setting travels in a share link, except the id of an uploaded file (the file can't)
    assert {f.name for f in fields(LabConfig)} - {"csv_id"} == set(URL_NAMES)
    assert "csv_id" not in URL_NAMES


def test_uploaded_csv_never_enters_a_link():
    from dataclasses import replace

    cfg = replace(PAGE_DEFAULTS["more2d"], dataset="csv", csv_id="abc")
    assert params_from_config("more2d", cfg).get("data") is None
    cfg2, warnings = config_from_params("more2d", {"data": "csv"})
    assert cfg2.dataset == PAGE_DEFAULTS["more2d"].dataset and "link cannot carry" in warnings[0]


def _loader(cfg):
    if cfg.dataset == "mnist":
        return load_dataset("mnist", n_train=cfg.n_train, n_test=cfg.n_test, digits=cfg.digits, seed=cfg.data_seed)
    return load_dataset(cfg.dataset, n_samples=cfg.n_samples, noise=cfg.noise, test_fraction=cfg.test_fraction,
                        seed=cfg.data_seed)


def test_lab_rebuilds_on_architecture_and_keeps_weights_on_live_changes():
    lab = Lab("xor", PAGE_DEFAULTS["xor"], _loader)
    lab.advance(5)
    w = [a.copy() for a in lab.net.weights]
    assert lab.update(replace(lab.cfg, lr=0.3, momentum=0.2, batch_size=8, l2=0.001)) is None
    assert lab.step == 5 and all(np.array_equal(a, b) for a, b in zip(w, lab.net.weights))
    assert (lab.opt.lr, lab.opt.momentum, lab.opt.weight_decay, lab.trainer.batch_size) == (0.3, 0.2, 0.001, 8)
    lab.update(replace(lab.cfg, optimizer="adam"))
    assert type(lab.opt).__name__ == "Adam" and lab.trainer.opt is lab.opt and lab.step == 5
    note = lab.update(replace(lab.cfg, hidden=(3,)))
    assert note and "hidden layers" in note and lab.step == 0 and lab.net.sizes == [2, 3, 2]


def test_lab_keeps_everything_when_new_data_is_impossible():
    cfg = replace(PAGE_DEFAULTS["mnist"], digits=(0, 1), n_train=1000, n_test=200)
    lab = Lab("mnist", cfg, _loader)
    lab.advance(2)
    net, step = lab.net, lab.step
    with pytest.raises(ValueError, match="only"):
        lab.update(replace(cfg, n_train=5000))  # digits 0 and 1 have 2,115 images
    assert lab.net is net and lab.step == step and lab.cfg == cfg


def test_lab_divergence_pauses_and_keeps_finite_weights():
    cfg = replace(PAGE_DEFAULTS["xor"], loss="mse", output_activation="linear", lr=10.0)
    lab = Lab("xor", cfg, _loader)
    lab.playing = True
    ok = lab.advance(500)
    assert not ok and not lab.playing and "lower the learning rate" in lab.error
    assert all(np.isfinite(W).all() for W in lab.net.weights)
