"""The regression pages in a real browser (issue 19, item 1): what is painted is what the engine
computes. The Regression page's field is the engine's boundary_grid of the regression network
(value for value, and colour for colour through a NumPy twin of regression.js valueRGB), its
points are coloured by their targets; the Curve fitting page's thick line is the engine's
forward pass and its thin lines are engine.views.unit_contributions (they add up to the output);
the status line and charts say R², never accuracy; a run taken home continues in a new session.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from _browser import WEIGHTS, button, no_exception, require_browser, wait_step, wait_view

from engine import boundary_grid, unit_contributions
from ui.regression import VALUE_COLORS, value_scale

require_browser()

from test_browser_live import click_steps, open_page, python_lab  # noqa: E402

FIELD_LIGHT = 0.35  # regression.js: the field is this much lighter than the points' colours

# the field's values and pixels, and the points canvas
VALUES = """name => { const b = window.__bpLive.get(name).boundary, r = b.last.res;
  const d = b.field.getContext('2d').getImageData(0, 0, r, r).data;
  return { res: r, values: Array.from(b.last.values), rgba: Array.from(d), legend: b.el.querySelector('.bp-legend').textContent }; }"""
POINT_PIXELS = """([name, pts]) => { const b = window.__bpLive.get(name).boundary, k = b.points.width / b.size;
  const ctx = b.points.getContext('2d');
  return pts.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data)); }"""
CURVE = """name => { const v = window.__bpLive.get(name), c = v.curve;
  return { last: c.last, legend: c.el.querySelector('.bp-legend').textContent, paints: c.paints,
           status: [...v.statusEl.querySelectorAll('.k')].map(e => e.textContent),
           charts: [...v.root.querySelectorAll('.u-title')].map(e => e.textContent) }; }"""
STATUS_KEYS = """name => [...window.__bpLive.get(name).statusEl.querySelectorAll('.k')].map(e => e.textContent)"""
CHART_TITLES = """name => [...window.__bpLive.get(name).root.querySelectorAll('.u-title')].map(e => e.textContent)"""


def value_rgb(v, vmax, light=0.0):
    """regression.js valueRGB in NumPy: VALUE_COLORS[1] at 0, towards [0] at -vmax and [2] at
    +vmax (clamped), mixed with white by ``light``; rounded."""
    neg, mid, pos = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], dtype=float) for c in VALUE_COLORS)
    t = np.clip(np.nan_to_num(np.asarray(v, dtype=float) / vmax), -1, 1)[..., None]
    c = mid + (np.where(t < 0, neg, pos) - mid) * np.abs(t)
    return np.floor(c + (255 - c) * light + 0.5)  # Math.round


@pytest.mark.parametrize("params,steps", [({"data": "reg-gauss", "hidden": "8,8", "noise": "0.1"}, 3),
                                          ({"data": "reg-plane", "hidden": "", "out": "tanh"}, 2),
                                          ({"data": "reg-gauss", "hidden": "6,5", "bn": "1", "batch": "16"}, 3)],
                         ids=["gauss-8-8", "plane-no-hidden-tanh", "gauss-batch-norm"])
def test_the_regression_field_is_the_engines_prediction(server, browser, params, steps):
    name = "regression/main"
    page = open_page(browser, server, "/regression?" + "&".join(f"{k}={v}" for k, v in params.items()), name)
    click_steps(page, name, steps)
    lab = python_lab("regression", params, steps)
    got = page.evaluate(WEIGHTS, name)
    for l in range(lab.net.n_layers):
        assert np.array_equal(np.array(got["W"][l]), lab.net.weights[l].ravel())
    field = page.evaluate(VALUES, name)
    res = field["res"]
    want = boundary_grid(lab.net, lab.dataset.bounds, res)          # (res, res): the predicted values
    np.testing.assert_allclose(np.array(field["values"]).reshape(res, res), want, rtol=1e-9, atol=1e-12)
    assert want.std() > 0.01  # a picture with something in it
    drawn = np.array(field["rgba"], dtype=int).reshape(res, res, 4)[..., :3]
    vmax = value_scale(lab.dataset)
    diff = np.abs(drawn - value_rgb(want, vmax, FIELD_LIGHT).astype(int))
    assert diff.max() <= 1, f"{(diff > 1).sum()} of {res * res} pixels differ from the engine's values' colours"
    assert "prediction ŷ" in field["legend"] and f"+{vmax:g}" in field["legend"]
    # each point's centre pixel is its target's colour (train and test alike)
    X = np.vstack([lab.dataset.X_train, lab.dataset.X_test])
    t = np.r_[lab.dataset.y_train, lab.dataset.y_test]
    size = page.evaluate(f"() => window.__bpLive.get('{name}').boundary.size")
    x0, x1, y0, y1 = lab.dataset.bounds
    pick = np.random.default_rng(0).choice(len(t), 25, replace=False)
    pts = np.c_[(X[pick, 0] - x0) / (x1 - x0) * size, (y1 - X[pick, 1]) / (y1 - y0) * size]
    pixels = np.array(page.evaluate(POINT_PIXELS, [name, pts.tolist()]))[:, :3]
    close = np.abs(pixels - value_rgb(t[pick].astype(np.float32), vmax)).max(axis=1) <= 2
    assert close.mean() >= 0.8, "points not coloured by their targets"  # (a neighbour may overlap a few)
    keys = page.evaluate(STATUS_KEYS, name)
    assert "train R² (batch)" in keys and "test R²" in keys and not any("acc" in k for k in keys)
    assert "R² (1 = perfect fit)" in page.evaluate(CHART_TITLES, name)
    no_exception(page)
    page.close()


@pytest.mark.parametrize("params,steps", [({}, 5), ({"data": "abs", "hidden": "2"}, 3),
                                          ({"data": "cubic", "hidden": "6,4", "act": "tanh", "out": "tanh"}, 2),
                                          ({"data": "step", "hidden": "5", "bn": "1", "batch": "16"}, 4),
                                          ({"data": "xsinx", "hidden": ""}, 1)],
                         ids=["defaults", "abs-2", "cubic-tanh-out", "step-batch-norm", "no-hidden"])
def test_the_curve_and_each_units_share_are_the_engines(server, browser, params, steps):
    name = "curve/main"
    page = open_page(browser, server, "/curve-fitting?" + "&".join(f"{k}={v}" for k, v in params.items()), name)
    click_steps(page, name, steps)
    lab = python_lab("curve", params, steps)
    got = page.evaluate(CURVE, name)
    last = got["last"]
    xs = np.array(last["xs"])
    x0, x1 = lab.dataset.bounds[:2]
    np.testing.assert_allclose(xs, np.linspace(x0, x1, len(xs)), atol=1e-12)
    parts, b, z = unit_contributions(lab.net, xs[:, None])
    assert len(last["parts"]) == parts.shape[1] == lab.net.sizes[-2]
    np.testing.assert_allclose(np.array(last["parts"]).T, parts[:, :, 0], rtol=1e-9, atol=1e-12)
    assert last["bias"] == pytest.approx(float(b[0]), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(last["z"], z[:, 0], rtol=1e-9, atol=1e-12)              # thin lines + b = z_L
    np.testing.assert_allclose(last["yhat"], lab.net.predict(xs[:, None]), rtol=1e-9, atol=1e-12)
    if lab.net.loss_fn.output_name == "linear":  # they add up to the thick line itself
        np.testing.assert_allclose(np.array(last["parts"]).sum(axis=0) + last["bias"], last["yhat"], atol=1e-9)
    assert "w" in got["legend"] and lab.dataset.target in got["legend"]
    assert "train R² (batch)" in got["status"] and "R² (1 = perfect fit)" in got["charts"]
    no_exception(page)
    page.close()


def test_playing_the_curve_page_animates_and_pauses(server, browser):
    name = "curve/main"
    page = open_page(browser, server, "/curve-fitting?data=sine", name)
    button(page, "Play").click()
    page.wait_for_function(f"() => window.__bpLive.get('{name}').status.step > 60", timeout=20000)
    paints = page.evaluate(f"() => window.__bpLive.get('{name}').curve.paints")
    assert paints > 5
    button(page, "Pause").click()
    page.wait_for_function(f"() => window.__bpLive.get('{name}').status.playing === false", timeout=10000)
    # hovering the picture reads the prediction there
    canvas = page.locator(".bp-cf-canvas")
    box = canvas.bounding_box()
    canvas.hover(position={"x": box["width"] / 2, "y": box["height"] / 2})
    tip = page.locator(".bp-curvefit .bp-tip")
    tip.wait_for(state="visible", timeout=5000)
    assert "ŷ =" in tip.inner_text()
    no_exception(page)
    page.close()


def test_a_curve_run_taken_home_runs_as_a_script_and_continues_in_a_new_session(server, browser, tmp_path):
    name = "curve/main"
    params = {"data": "abs", "hidden": "4", "batch": "16"}
    page = open_page(browser, server, "/curve-fitting?data=abs&hidden=4&batch=16", name, height=1400)
    click_steps(page, name, 3)
    page.get_by_role("tab", name="Take it home").click()
    with page.expect_download(timeout=30000) as d:
        page.get_by_role("button", name="The run (.npz)").click()
    run = tmp_path / "run.npz"
    d.value.save_as(run)
    with page.expect_download(timeout=30000) as d:
        page.get_by_role("button", name="Script (run.py)").click()
    script = tmp_path / "run.py"
    d.value.save_as(script)
    out = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr[-1500:]
    lab = python_lab("curve", params, 3)
    np.testing.assert_allclose([float(v) for v in out.stdout.split()][:3], [r.loss for r in lab.trainer.history],
                               rtol=1e-10)
    page.close()

    fresh = open_page(browser, server, "/curve-fitting", name, height=1400)  # a new session, defaults
    fresh.get_by_role("tab", name="Take it home").click()
    fresh.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(run))
    fresh.get_by_text("Continued the saved run at step 3").wait_for(timeout=30000)
    wait_step(fresh, name, 3)
    button(fresh, "Step").click()
    wait_step(fresh, name, 4)
    lab.advance(1)
    got = fresh.evaluate(WEIGHTS, name)
    assert np.array_equal(np.array(got["W"][0]), lab.net.weights[0].ravel())  # continued exactly
    assert fresh.evaluate(f"() => window.__bpLive.get('{name}').curve.last.parts.length") == 4
    no_exception(fresh)
    fresh.close()


def test_the_lesson_button_opens_the_curve_page_painted(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/lessons")
    page.get_by_role("button", name="Two units").click()
    wait_view(page, "curve/main")
    page.wait_for_function("() => window.__bpLive.get('curve/main').curve.last !== null", timeout=20000)
    assert page.evaluate("() => window.__bpLive.get('curve/main').curve.last.parts.length") == 2
    assert "/curve-fitting" in page.url and "data=abs" in page.url and "hidden=2" in page.url
    no_exception(page)
    page.close()
