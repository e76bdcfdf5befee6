"""Issue 19 in a real browser: the boundary drawn from the weights with engineered input features
equals the engine's pixel for pixel (static/live/net.js computes the features itself), the
weight heatmap names the feature rows, and the charts of the training options (the scheduled
learning rate, the dead weights under L1) show the engine's numbers."""
from __future__ import annotations

import numpy as np
import pytest
from _browser import WEIGHTS, button, no_exception, require_browser, wait_step
from test_browser_live import check_boundary, click_steps, open_page, python_lab

require_browser()

CASES = [
    # no hidden layer, only the squares: the ellipse the Features lesson is about
    ("circles", "circles/main", {"features": "x1sq,x2sq", "hidden": ""}, 3),
    # all seven (sin, product, squares), a hidden layer, mini-batches, L1 and a schedule on the way
    ("xor", "xor/main", {"features": "x1,x2,x1x2,x1sq,x2sq,sin1,sin2", "hidden": "5", "batch": "32", "l1": "0.001",
                         "sched": "step", "every": "2", "decay": "0.5", "clip": "0.1"}, 4),
    ("circles", "circles/main", {"features": "sin1,sin2,x1x2", "hidden": "6,4", "act": "relu", "loss": "bce"}, 2),
]


@pytest.mark.parametrize("page_id,name,params,steps", CASES, ids=[c[2]["features"] for c in CASES])
def test_boundary_with_features_drawn_in_the_browser_equals_the_engine(server, browser, page_id, name, params, steps):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    page = open_page(browser, server, f"/{page_id}?{query}", name)
    click_steps(page, name, steps)
    lab = python_lab(page_id, params, steps)
    assert lab.net.features is not None and lab.net.sizes[0] == len(params["features"].split(","))
    got = page.evaluate(WEIGHTS, name)
    for l in range(lab.net.n_layers):
        assert np.array_equal(np.array(got["W"][l]), lab.net.weights[l].ravel())
    assert page.evaluate(f"() => window.__bpLive.get('{name}').net.features") == list(lab.net.features)
    check_boundary(page, name, lab)
    no_exception(page)
    page.close()


HOVER_W1 = """name => { const v = window.__bpLive.get(name), blk = v.heatmaps.blocks[0], c = blk.canvas;
  c.scrollIntoView({block: 'center'});
  const r = c.getBoundingClientRect();
  return {x: r.left + r.width * 0.5 / blk.cols, y: r.top + r.height * (blk.rows - 0.5) / blk.rows, rows: blk.rows}; }"""
TIP = """name => { const v = window.__bpLive.get(name); return v.heatmaps.tip.hidden ? null : v.heatmaps.tip.textContent; }"""
CHARTS = """name => { const v = window.__bpLive.get(name), c = v.layers.charts;
  return c.map(ch => ({cls: ch.el.dataset.bp, data: ch.u ? ch.u.data.map(s => Array.from(s)) : null})); }"""


def test_heatmap_names_the_feature_rows_and_option_charts_show_the_engine_numbers(server, browser):
    params = {"features": "x1sq,x2sq,sin2", "hidden": "3", "l1": "0.01", "sched": "cosine", "tmax": "4"}
    name = "circles/main"
    page = open_page(browser, server, "/circles?" + "&".join(f"{k}={v}" for k, v in params.items()), name)
    click_steps(page, name, 6)
    lab = python_lab("circles", params, 6)
    pos = page.evaluate(HOVER_W1, name)
    assert pos["rows"] == 3
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_function(f"() => ({TIP})('{name}') !== null")
    assert "from input sin x₂" in page.evaluate(TIP, name)
    page.wait_for_function(f"() => ({CHARTS})('{name}').every(c => c.data && c.data[0].length === 6)")
    charts = {c["cls"]: c["data"] for c in page.evaluate(CHARTS, name)}
    assert list(charts) == ["delta", "ratio", "lr", "small"]
    hist = lab.trainer.history
    assert charts["lr"][0] == [r.step for r in hist]
    # the cosine over 4 steps goes down to 0 at step 5 (a log axis shows no zero) and climbs back
    want_lr = [r.lr if r.lr > 0 else None for r in hist]
    np.testing.assert_allclose([v if v is not None else np.nan for v in charts["lr"][1]],
                               [v if v is not None else np.nan for v in want_lr], rtol=1e-4)
    assert hist[4].lr == 0.0 and charts["lr"][1][4] is None
    for l in range(lab.net.n_layers):
        np.testing.assert_allclose(charts["small"][1 + l], [r.small_weights[l] for r in hist], rtol=1e-4)
    no_exception(page)
    page.close()


def test_switching_l1_on_adds_the_dead_weights_chart_without_a_rebuild(server, browser):
    name = "xor/main"
    page = open_page(browser, server, "/xor", name)
    assert [c["cls"] for c in page.evaluate(CHARTS, name)] == ["delta", "ratio"]
    button(page, "Step").click()
    wait_step(page, name, 1)
    page.get_by_role("slider", name="L1 λ₁").focus()
    page.keyboard.press("ArrowRight")  # 0 -> 1e-5
    page.wait_for_function(f"() => ({CHARTS})('{name}').length === 3")
    assert [c["cls"] for c in page.evaluate(CHARTS, name)] == ["delta", "ratio", "small"]
    assert page.evaluate(f"() => window.__bpLive.get('{name}').status.step") == 1   # live: no rebuild
    no_exception(page)
    page.close()


def test_axe_finds_no_serious_violation_with_every_option_shown(server, browser):
    """The feature toggles, the schedule's inputs and caption, the L1 and clipping sliders, the η and
    dead-weight charts: axe-core clean (no critical or serious violation), every canvas named."""
    from _axe import BLOCKING, describe, idle, run_axe, settle
    from test_browser_a11y import CANVASES

    path = "/circles?features=x1x2,x1sq,x2sq&hidden=4&l1=0.001&sched=step&every=5&clip=1"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + path)
    settle(page, "/circles")
    idle(page)
    bad = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not bad, describe(bad)
    canvases = page.evaluate(CANVASES)
    charts = page.evaluate(f"() => ({CHARTS})('circles/main').map(c => c.cls)")
    assert charts == ["delta", "ratio", "lr", "small"]
    unnamed = [c for c in canvases if not c["role"] or not c["name"]]
    assert not unnamed, unnamed[:5]
    assert any("Learning rate η" in c["name"] for c in canvases) and any("Dead weights" in c["name"] for c in canvases)
    no_exception(page)
    page.close()
