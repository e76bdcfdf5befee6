"""The regression pages through AppTest (issue 19, item 1): Regression (TF Playground's two 2-D
sets) and Curve fitting (1-D) render, train, reset and rebuild; their share links
(problem=regression, the data set names) apply and bad values get a sentence that changes
nothing; no accuracy is shown anywhere, R² is; every Look-inside tab works there (shape ledger,
gradient check, bug zoo, step phases, Check my numbers, Take it home with its saved run and
script; the upload path is in test_browser_regression.py, the settings' round trip in
test_ui_resume.py); the right panels; the lesson opens the curve page."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"
FILES = {"regression": "app_pages/regression.py", "curve": "app_pages/curve_fitting.py"}
PAGES = list(FILES)


def open_page(page, params=None):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    ok(at)
    at.switch_page(FILES[page]).run()
    return ok(at)


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def lab(at, page):
    return at.session_state[f"{page}._lab"]


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [c.value for c in at.caption] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def open_tab(page, tab, params=None):
    at = open_page(page, params)
    at.session_state[f"{page}.inspect_tab"] = tab
    at.run()
    return ok(at)


# ----------------------------------------------------------------------------- pages
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_trains_and_resets(page):
    at = open_page(page)
    lb = lab(at, page)
    assert lb.net.is_regression and lb.net.loss_name == "mse" and lb.net.loss_fn.output_name == "linear"
    assert lb.net.sizes[0] == (2 if page == "regression" else 1) and lb.net.sizes[-1] == 1
    assert at.title[0].value == {"regression": "Regression", "curve": "Curve fitting"}[page]
    for key in ("_step", "_epoch"):
        at.button(key=f"{page}.{key}").click().run()
        ok(at)
    lb = lab(at, page)
    assert lb.step > 1
    rec = lb.last()
    assert rec.train_acc is None and rec.test_acc is None and rec.test_r2 is not None
    at.button(key=f"{page}._reset").click().run()
    assert lab(at, page).step == 0
    # the sidebar shows no loss choice (a regression page always uses MSE) and says why
    assert not [s for s in at.selectbox if s.key == f"{page}.loss"]
    assert "mean squared error" in texts(at)
    assert [o.split(":")[0] for o in at.selectbox(key=f"{page}.output_activation").options] == ["linear", "tanh"]


def test_changing_the_data_set_rebuilds_and_changing_the_lr_does_not():
    at = open_page("regression")
    at.button(key="regression._step").click().run()
    at.selectbox(key="regression.dataset").set_value("reg-gauss").run()
    ok(at)
    lb = lab(at, "regression")
    assert lb.dataset.name == "reg-gauss" and lb.step == 0 and "dataset" in (lb.notice or "")
    assert at.query_params["data"] == "reg-gauss"
    at.button(key="regression._step").click().run()
    at.select_slider(key="regression.lr").set_value(0.03).run()
    assert lab(at, "regression").step == 1 and lab(at, "regression").opt.lr == 0.03


def test_output_activation_tanh_rebuilds_with_a_tanh_output():
    at = open_page("curve")
    at.selectbox(key="curve.output_activation").set_value("tanh").run()
    ok(at)
    assert lab(at, "curve").net.loss_fn.output_name == "tanh" and at.query_params["out"] == "tanh"


# ----------------------------------------------------------------------------- share links
def test_share_links_with_problem_and_data_names_apply():
    at = open_page("regression", {"problem": "regression", "data": "reg-gauss", "noise": "0.2", "hidden": "8,8",
                                  "lr": "0.03", "batch": "16"})
    lb = lab(at, "regression")
    assert not any("🔗" in str(w.icon) for w in at.warning), texts(at)
    assert lb.dataset.name == "reg-gauss" and lb.cfg.noise == 0.2 and lb.net.sizes == [2, 8, 8, 1]
    assert lb.opt.lr == 0.03 and lb.trainer.batch_size == 16
    at = open_page("curve", {"problem": "regression", "data": "abs", "hidden": "2", "n": "200"})
    lb = lab(at, "curve")
    assert lb.dataset.name == "abs" and lb.net.sizes == [1, 2, 1] and len(lb.dataset.y_train) == 160
    assert at.query_params["data"] == "abs"


@pytest.mark.parametrize("page,params,words", [
    ("regression", {"data": "spiral"}, "must be one of reg-plane, reg-gauss"),
    ("curve", {"data": "reg-plane"}, "must be one of sine, abs, step, cubic, xsinx"),
    ("regression", {"problem": "classification"}, "this page predicts numbers"),
    ("curve", {"problem": "clasification"}, "must be classification or regression"),
    ("regression", {"loss": "cross_entropy"}, "must be mse on a regression page"),
    ("curve", {"out": "sigmoid"}, "must be one of linear, tanh on a regression page"),
    ("curve", {"noise": "7"}, "must be a number from 0 to 0.5"),
])
def test_bad_link_values_get_a_sentence_and_change_nothing(page, params, words):
    from ui.config import PAGE_DEFAULTS

    at = open_page(page, params)
    # what the visitor reads: ui.echo.plain's escapes and zero-width spaces removed
    warnings = [w.value.replace("\\", "").replace("\u200b", "") for w in at.warning]
    assert any(words in w for w in warnings), warnings
    lb = lab(at, page)
    assert lb.cfg == PAGE_DEFAULTS[page]  # the rest of the page as if the value were not there
    at.button(key=f"{page}._step").click().run()
    assert lab(at, page).step == 1


@pytest.mark.parametrize("page,file", [("xor", "app_pages/xor.py"), ("more2d", "app_pages/more_2d.py")])
def test_problem_regression_on_a_classification_page_points_to_the_regression_pages(page, file):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["problem"] = "regression"
    at.query_params["data"] = "reg-gauss"
    at.run()
    at.switch_page(file).run()
    ok(at)
    text = " ".join(w.value for w in at.warning).replace("\\", "").replace("\u200b", "")  # as read
    assert "Regression" in text and "Curve fitting" in text and "reg-gauss" in text
    assert not at.session_state[f"{page}._lab"].net.is_regression


# ----------------------------------------------------------------------------- look inside
@pytest.mark.parametrize("page", PAGES)
def test_shape_ledger_shows_the_regression_loss_with_real_targets(page):
    at = open_tab(page, "Shape ledger")
    body = texts(at)
    assert r"\frac{1}{2N}\sum_n \lVert \hat y_n - t_n\rVert^2" in body and r"\mathrm{linear}" in body
    n_in = 2 if page == "regression" else 1
    assert rf"\underset{{{n_in}\times" in body


@pytest.mark.parametrize("page", PAGES)
def test_gradient_check_is_good(page):
    at = open_tab(page, "Gradient check")
    at.button(key=f"{page}._gc").click().run()
    ok(at)
    assert any("good" in s.value for s in at.success), texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_bug_zoo_catches_a_bug_and_says_softmax_cannot_happen_here(page):
    at = open_tab(page, "Bug zoo")
    at.toggle(key=f"{page}.bug_no_mean").set_value(True).run()
    at.button(key=f"{page}._zoo_check").click().run()
    ok(at)
    assert any("broken" in e.value for e in at.error), texts(at)
    at.button(key=f"{page}._step").click().run()
    ok(at)
    at.toggle(key=f"{page}.bug_no_mean").set_value(False).run()
    at.toggle(key=f"{page}.bug_softmax_no_max").set_value(True).run()
    ok(at)
    assert "no softmax" in texts(at)
    assert not [b for b in at.button if b.key == f"{page}._zoo_show_softmax_no_max"]  # nothing to switch to


@pytest.mark.parametrize("page", PAGES)
def test_step_phases_walk_one_real_step(page):
    at = open_tab(page, "Step phases")
    for _ in range(20):
        at.button(key=f"{page}._phase_next").click().run()
        ok(at)
        if lab(at, page).walk.done:
            break
    lb = lab(at, page)
    assert lb.step == 1 and lb.walk.record.train_r2 is not None and lb.walk.record.train_acc is None


@pytest.mark.parametrize("page", PAGES)
def test_check_my_numbers_defaults_to_real_targets(page):
    at = open_tab(page, "Check my numbers")
    code = " ".join(c.value for c in at.code)
    assert "real targets" in code and "y = np.array([[0.5, -0.2]" in code and "linear(z2)" in code
    at.selectbox(key=f"{page}.worked_loss").set_value("cross_entropy").run()
    ok(at)
    assert "softmax(z2)" in " ".join(c.value for c in at.code)


@pytest.mark.parametrize("page", PAGES)
def test_take_it_home_run_history_and_script(page, tmp_path):
    from engine.export import load_run, standalone_script
    from ui.config import data_spec
    from ui.export_view import run_bytes

    at = open_tab(page, "Take it home")
    for _ in range(3):
        at.button(key=f"{page}._step").click().run()
    ok(at)
    lb = lab(at, page)
    tr = load_run(run_bytes(lb))
    assert tr.net.is_regression and tr.step_count == 3 and tr.history == lb.trainer.history
    assert list(lb.trainer.history_frame().columns[3:6]) == ["train_r2", "test_loss", "test_r2"]
    src = standalone_script(lb.trainer, 5, data_spec(lb.cfg))
    assert "real targets" in src


def test_a_regression_run_is_refused_on_a_classification_page_and_vice_versa():
    from engine.export import run_settings
    from ui.config import PAGE_DEFAULTS, config_from_run
    from ui.export_view import run_bytes

    at = open_page("curve")
    data = run_bytes(lab(at, "curve"))
    with pytest.raises(ValueError, match="Curve fitting"):
        config_from_run("regression", run_settings(data), PAGE_DEFAULTS["regression"])
    with pytest.raises(ValueError, match="Curve fitting"):
        config_from_run("more2d", run_settings(data), PAGE_DEFAULTS["more2d"])


# ----------------------------------------------------------------------------- panels, lesson
@pytest.mark.parametrize("panel", ["hidden", "neurons"])
@pytest.mark.parametrize("hidden", ["8,8", "3", "2"])
def test_right_panels_on_the_regression_page(panel, hidden):
    at = open_page("regression", {"hidden": hidden})
    at.session_state["regression.panel"] = panel
    at.run()
    ok(at)
    at.button(key="regression._step").click().run()
    ok(at)
    if panel == "hidden":
        assert "coloured by their target" in texts(at)


def test_the_lesson_opens_the_curve_page_with_its_settings():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("app_pages/lessons.py").run()
    ok(at)
    at.button(key="lesson-relu_hinges-0").click().run()  # "Two units"
    ok(at)
    lb = lab(at, "curve")
    assert lb.dataset.name == "abs" and lb.net.sizes == [1, 2, 1] and lb.net.activation_names == ["relu"]
    assert at.title[0].value == "Curve fitting"


def test_no_accuracy_is_shown_on_the_regression_pages():
    """The server sends R² where the classification pages send accuracy, labelled by the
    network's problem (static/live/main.js and curves.js label them R²)."""
    from ui.frames import FrameMaker, unpack

    for page in PAGES:
        at = open_page(page)
        at.button(key=f"{page}._step").click().run()
        lb = lab(at, page)
        meta, arrays = unpack(FrameMaker(f"{page}/main", page, ("status", "curves"), lb).frame())
        rec = lb.last()
        assert meta["net"]["problem"] == "regression"
        assert meta["status"]["acc"] == pytest.approx(rec.train_r2, rel=1e-6)
        assert meta["hist"]["tacc"][-1] == pytest.approx(rec.test_r2, rel=1e-4)
        assert "t" in arrays and "y" not in arrays and np.issubdtype(arrays["t"].dtype, np.floating)
        assert ("x" in arrays) == (page == "curve") and ("xy" in arrays) == (page == "regression")
        assert "accuracy" not in texts(at).lower()
