"""Issue 19 (items 2, 3, 8) through Streamlit's AppTest: the input-feature toggles rebuild the model
with n_0 = the number of features; L1, the learning-rate schedule and gradient clipping apply
live (no rebuild, the next step uses them); share links carry them, and bad values get a sentence
and change nothing; a saved run brings them back to the sidebar."""
from __future__ import annotations

import io
from dataclasses import replace

import pytest
from test_app_pages import lab, open_page, texts

from engine.export import run_settings, save_run
from engine.schedules import Constant, Cosine, StepDecay
from ui.config import PAGE_DEFAULTS, config_from_params, config_from_run, data_spec, params_from_config

ALL = "x1,x2,x1x2,x1sq,x2sq,sin1,sin2"


def link(at) -> dict:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in ((k, at.query_params[k]) for k in at.query_params)}


def features_widget(at, page):
    return at.button_group(key=f"{page}.features")


def test_a_features_link_builds_the_net_on_its_features_and_the_toggles_show_them():
    at = open_page("circles", {"features": "x2sq,x1sq", "hidden": ""})   # any order: the sidebar's
    lb = lab(at, "circles")
    assert lb.net.features == ("x1sq", "x2sq") and lb.net.sizes == [2, 2] and lb.net.weights[0].shape == (2, 2)
    assert features_widget(at, "circles").value == ["x1sq", "x2sq"]
    assert list(features_widget(at, "circles").formatted_values) == ["x₁²", "x₂²"]
    assert link(at) == {"features": "x1sq,x2sq", "hidden": ""}
    at.button(key="circles._step").click().run()
    assert lab(at, "circles").step == 1 and not at.exception


def test_toggling_a_feature_rebuilds_and_says_so():
    at = open_page("xor")
    lb = lab(at, "xor")
    at.button(key="xor._step").click().run()
    assert lb.step == 1 and lb.net.features is None and lb.net.sizes[0] == 2
    features_widget(at, "xor").select("x1x2").run()
    lb = lab(at, "xor")
    assert lb.step == 0 and lb.net.features == ("x1", "x2", "x1x2") and lb.net.sizes[0] == 3
    assert "Rebuilt the model (step 0) because the input features changed." in texts(at)
    assert link(at)["features"] == "x1,x2,x1x2"
    # the ledger shows x = phi(X) with n_0 = 3
    from engine.ledger import shape_ledger

    X, y = lb.trainer.peek_batch(8)
    rows = {r.name: r for r in shape_ledger(lb.net, X, y)}
    assert rows["x"].shape == (8, 3)


def test_choosing_no_feature_warns_and_keeps_the_model():
    at = open_page("xor", {"features": "x1x2"})
    lb = lab(at, "xor")
    builds = lb.builds
    features_widget(at, "xor").unselect("x1x2").run()
    assert not at.exception
    assert "Choose at least one input feature" in texts(at)
    assert lab(at, "xor") is lb and lb.builds == builds and lb.net.features == ("x1x2",)
    at.button(key="xor._step").click().run()
    assert lb.step == 1   # the kept model still trains


def test_l1_schedule_and_clipping_apply_live_without_a_rebuild():
    at = open_page("circles")
    for _ in range(3):
        at.button(key="circles._step").click().run()
    lb = lab(at, "circles")
    builds = lb.builds
    at.select_slider(key="circles.l1").set_value(0.001).run()
    at.select_slider(key="circles.clip").set_value(0.3).run()
    at.selectbox(key="circles.schedule").set_value("step").run()
    at.number_input(key="circles.sched_every").set_value(2).run()
    at.number_input(key="circles.sched_decay").set_value(0.5).run()
    lb = lab(at, "circles")
    assert lb.builds == builds and lb.step == 3
    tr = lb.trainer
    assert tr.l1 == 0.001 and tr.clip_norm == 0.3 and tr.schedule == StepDecay(2, 0.5)
    assert "η = 0.03 for steps 1–2, then 0.015 from step 3, 0.0075 from step 5, …" in texts(at)
    at.button(key="circles._step").click().run()
    rec = lab(at, "circles").trainer.history[-1]
    assert rec.step == 4 and rec.lr == pytest.approx(0.03 * 0.5)        # t = 3: one decay
    assert link(at) == {"l1": "0.001", "clip": "0.3", "sched": "step", "every": "2"}
    at.selectbox(key="circles.schedule").set_value("cosine").run()
    at.number_input(key="circles.sched_tmax").set_value(10).run()
    assert lab(at, "circles").trainer.schedule == Cosine(10, 0.0)
    assert link(at) == {"l1": "0.001", "clip": "0.3", "sched": "cosine", "tmax": "10"}   # no step-decay leftovers
    at.select_slider(key="circles.clip").set_value(0.0).run()
    at.selectbox(key="circles.schedule").set_value("constant").run()
    assert lab(at, "circles").trainer.clip_norm is None and lab(at, "circles").trainer.schedule == Constant()
    assert lab(at, "circles").builds == builds


def test_a_link_with_every_option_opens_with_them():
    at = open_page("more2d", {"features": ALL, "l1": "0.0001", "sched": "cosine", "tmax": "3000", "lrmin": "0.001",
                              "clip": "10"})
    tr = lab(at, "more2d").trainer
    assert tr.net.sizes[0] == 7 and tr.l1 == 0.0001 and tr.clip_norm == 10.0 and tr.schedule == Cosine(3000, 0.001)
    assert at.selectbox(key="more2d.schedule").value == "cosine"
    assert at.number_input(key="more2d.sched_tmax").value == 3000
    assert at.select_slider(key="more2d.lr_min").value == 0.001
    assert not [w.value for w in at.warning]


@pytest.mark.parametrize("params,words", [
    ({"features": "x3,x1"}, ["features", "“x3” is not one"]),
    ({"features": ","}, ["features", "must name input features"]),
    ({"l1": "-1"}, ["l1", "positive number or 0"]),
    ({"l1": "nan"}, ["l1"]),
    ({"sched": "warmup"}, ["sched", "constant, step, cosine"]),
    ({"every": "0"}, ["every", "from 1 to 100000"]),
    ({"tmax": "1e9"}, ["tmax"]),
    ({"decay": "2"}, ["decay", "from 0.01 to 1"]),
    ({"lrmin": "-0.1"}, ["lrmin"]),
    ({"clip": "inf"}, ["clip"]),
])
def test_bad_option_links_get_a_sentence_and_change_nothing(params, words):
    cfg, warnings = config_from_params("circles", params)
    assert cfg == PAGE_DEFAULTS["circles"] and len(warnings) == 1
    for w in words:
        assert w in warnings[0], (w, warnings)
    at = open_page("circles", params)
    assert any(words[0] in str(w.value) for w in at.warning), [w.value for w in at.warning]
    lb = lab(at, "circles")
    assert lb.net.features is None and lb.trainer.l1 == 0 and lb.trainer.schedule == Constant()
    assert lb.trainer.clip_norm is None


def test_off_slider_option_values_snap_with_a_note():
    cfg, warnings = config_from_params("xor", {"l1": "0.002", "clip": "0.5", "lrmin": "0.0002"})
    assert (cfg.l1, cfg.clip, cfg.lr_min) == (0.003, 0.3, 0.0003) and len(warnings) == 3


def test_the_mnist_page_ignores_features_and_keeps_l1_schedules_and_clipping():
    at = open_page("mnist", {"features": "x1sq", "l1": "0.0001", "sched": "step", "every": "100", "clip": "1"})
    assert any("features" in str(w.value) and "MNIST" in str(w.value) for w in at.warning)
    lb = lab(at, "mnist")
    assert lb.net.features is None and lb.net.sizes[0] == 784
    assert lb.trainer.l1 == 0.0001 and lb.trainer.schedule == StepDecay(100, 0.5) and lb.trainer.clip_norm == 1.0
    assert not [b for b in at.button_group if b.key == "mnist.features"]


def test_round_trip_of_the_options_through_the_url():
    c = replace(PAGE_DEFAULTS["xor"], features=("x1x2", "sin1"), l1=0.01, clip=3.0, schedule="step", sched_every=70,
                sched_decay=0.25, lr_min=0.001)
    back, warnings = config_from_params("xor", params_from_config("xor", c))
    # lr_min belongs to the cosine: a step-decay link leaves it out
    assert warnings == [] and back == replace(c, lr_min=0.0)


@pytest.mark.parametrize("params", [
    {"features": "x1sq,x2sq", "hidden": "", "l1": "0.001", "sched": "cosine", "tmax": "40", "lrmin": "0.001",
     "clip": "0.3"},
    {"features": ALL, "hidden": "4", "sched": "step", "every": "3", "decay": "0.7", "l2": "0.001"},
])
def test_a_saved_run_brings_its_features_and_options_back_to_the_sidebar(params):
    at = open_page("circles", params)
    for _ in range(5):
        at.button(key="circles._step").click().run()
    lb = lab(at, "circles")
    buf = io.BytesIO()
    save_run(lb.trainer, buf, data_spec=data_spec(lb.cfg))
    blob = buf.getvalue()
    fresh = open_page("circles")
    cfg = config_from_run("circles", run_settings(blob), lab(fresh, "circles").cfg)
    want, _ = config_from_params("circles", params)
    for f in ("features", "l1", "clip", "schedule", "sched_every", "sched_decay", "sched_tmax", "lr_min", "l2"):
        assert getattr(cfg, f) == getattr(want, f), f
    # the sidebar's widgets, set as continuing a run sets them (ui.state.apply_settings of
    # _widget_values), read back the same settings and the same network
    from ui.state import _widget_values

    for name, value in _widget_values(cfg).items():
        fresh.session_state[f"circles.{name}"] = value
    fresh.run()
    assert not fresh.exception
    got = lab(fresh, "circles")
    assert got.cfg == cfg and got.net.features == lb.net.features and got.trainer.schedule == lb.trainer.schedule
    assert (got.trainer.l1, got.trainer.clip_norm) == (lb.trainer.l1, lb.trainer.clip_norm)


def test_a_run_whose_options_the_sidebar_cannot_show_is_refused_with_a_sentence():
    cfg, _ = config_from_params("circles", {})
    at = open_page("circles")
    lb = lab(at, "circles")
    lb.trainer.l1 = 0.0042          # not on the slider
    buf = io.BytesIO()
    save_run(lb.trainer, buf, data_spec=data_spec(cfg))
    with pytest.raises(ValueError, match="L1, gradient clipping or learning-rate schedule"):
        config_from_run("circles", run_settings(buf.getvalue()), cfg)


@pytest.mark.parametrize("tab", ["Shape ledger", "Gradient check", "Bug zoo", "Step phases", "Take it home"])
def test_every_look_inside_tab_works_on_a_net_with_features_and_options(tab):
    params = {"features": "x1sq,x2sq,x1x2", "hidden": "3", "l1": "0.001", "sched": "cosine", "clip": "1"}
    at = open_page("circles", params)
    at.button(key="circles._step").click().run()
    at.session_state["circles.inspect_tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    body = texts(at)
    if tab == "Shape ledger":
        assert r"\phi(" in body and r"3\times3}{W_{1}}" in body   # x = phi(X), W_1 is 3 x 3
    if tab == "Gradient check":
        at.button(key="circles._gc").click().run()
        assert not at.exception and any("good" in s.value for s in at.success), texts(at)


@pytest.mark.parametrize("panel", ["neurons", "hidden"])
def test_the_neurons_and_hidden_space_panels_map_the_plane_through_the_features(panel):
    at = open_page("circles", {"features": "x1sq,x2sq,x1x2", "hidden": "3"})
    at.session_state["circles.panel"] = panel
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert lab(at, "circles").net.features == ("x1x2", "x1sq", "x2sq")
    if panel == "neurons":   # the unit's incoming weights are named by their features
        tiles = [str(h.proto.body) for h in at.get("html") if "incoming weights" in str(h.proto.body)]
        assert tiles and "x₁x₂: " in tiles[0] and "x₁²: " in tiles[0] and "x₂²: " in tiles[0]
        assert at.get("vega_lite_chart")   # the chosen unit's incoming weights (it crashed on 3 inputs)


def test_the_optional_charts_follow_the_options_in_use():
    # L1 alone shows the dead-weights chart as L2 does (it once appeared for L2 only)
    from types import SimpleNamespace

    from ui.frames import option_charts

    def tr(l1=0.0, l2=0.0, schedule="constant"):
        return SimpleNamespace(l1=l1, opt=SimpleNamespace(weight_decay=l2), schedule=SimpleNamespace(name=schedule))

    assert option_charts(tr()) == []
    assert option_charts(tr(l1=0.01)) == ["small"]
    assert option_charts(tr(l2=0.01)) == ["small"]
    assert option_charts(tr(schedule="cosine")) == ["lr"]
    assert option_charts(tr(l1=1e-4, schedule="step")) == ["lr", "small"]
