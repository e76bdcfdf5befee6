"""The browser's pictures against the engine where no test compared them before (issue 17):
what Play leaves on screen after Pause (status, parameters, boundary, charts) is the server's
run; the weight heatmaps' cells are W's values (colour, orientation, hover); and the browser's
marching squares (static/live/contour.js) equals engine.views.contour_segments on fields whose
line is known."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from _browser import HEATMAP_PIXELS, WEIGHTS, button, no_exception, require_browser, wait_view
from _labs import engine_lab
from test_browser_live import check_boundary
from test_browser_paths import assert_charts, expected_charts, expected_compare, wait_charts

from engine import load_dataset
from engine.views import contour_segments
from ui.charts import diverging_rgb

require_browser()


def open_view(browser, server, path, name, height=1100):
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(server + path)
    wait_view(page, name)
    return page


def play_then_pause(page, name, seconds=1.5):
    button(page, "Play").click()
    page.wait_for_function(f"() => window.__bpLive.get({name!r}).status.playing", timeout=10000)
    page.wait_for_timeout(seconds * 1000)
    button(page, "Pause").click()
    button(page, "Play").wait_for(timeout=10000)
    page.wait_for_function(f"() => {{ const v = window.__bpLive.get({name!r}); return !v.status.playing && !v.dirty; }}",
                           timeout=10000)
    page.wait_for_timeout(500)  # a frame still in flight would land now
    return page.evaluate(f"() => window.__bpLive.get({name!r}).status")


# ----------------------------------------------------------------------------- Play and Pause
def test_after_play_and_pause_the_browser_shows_the_servers_run(server, browser):
    name, params = "xor/main", {"hidden": "8,8"}
    page = open_view(browser, server, "/xor?hidden=8,8", name)
    status = play_then_pause(page, name)
    n = status["step"]
    assert n >= 20, status
    lab = engine_lab("xor", params)
    lab.advance(n)                    # the trainer's steps do not depend on how frames group them
    got = page.evaluate(WEIGHTS, name)
    for l in range(lab.net.n_layers):  # exactly the server's parameters, bit for bit
        assert np.array_equal(np.array(got["W"][l]), lab.net.weights[l].ravel()), l
        assert np.array_equal(np.array(got["b"][l]), lab.net.biases[l]), l
    rec, (tl, ta) = lab.trainer.history[-1], lab.test_metrics()
    assert status["epoch"] == lab.trainer.epoch
    assert math.isclose(status["loss"], rec.loss, rel_tol=1e-6) and math.isclose(status["tloss"], tl, rel_tol=1e-6)
    assert math.isclose(status["tacc"], ta, rel_tol=1e-4)
    check_boundary(page, name, lab)
    want = expected_charts(lab.trainer.history, lab.net.n_layers, smooth=False)
    assert_charts(wait_charts(page, name, want["loss"][0]), want, "XOR after Play and Pause")
    no_exception(page)
    page.close()


def test_after_play_and_pause_compare_shows_every_runs_server_state(server, browser):
    from ui.compare import CompareConfig, CompareLab

    name = "compare/main"
    page = open_view(browser, server, "/compare?race=inits&runs=3", name)
    play_then_pause(page, name, seconds=1.0)
    steps = page.evaluate(f"() => window.__bpLive.get({name!r}).runs.map(r => r.status.step)")
    assert len(set(steps)) == 1 and steps[0] > 4, steps
    cl = CompareLab(CompareConfig(race="inits", runs=3),
                    lambda c: load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise,
                                           test_fraction=c.test_fraction, seed=c.data_seed))
    for _ in range(steps[0]):
        cl.advance(1)
    for i, lb in enumerate(cl.labs):
        W = page.evaluate(f"() => window.__bpLive.get({name!r}).runs[{i}].net.W.map(w => Array.from(w))")
        for l, w in enumerate(W):
            assert np.array_equal(np.array(w), lb.net.weights[l].ravel()), (i, l)
    want = expected_compare(cl.labs)
    assert_charts(wait_charts(page, name, want["loss"][0]), want, "Compare after Play and Pause")
    page.close()


# ----------------------------------------------------------------------------- the weight heatmaps
def nice_max(v: float) -> float:
    """The heatmaps' colour scale: max |w| rounded up to 1, 2 or 5 x 10^k."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    e = math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if v <= m * 10 ** e * (1 + 1e-12):
            return m * 10 ** e
    return 10.0 ** (e + 1)


def test_heatmap_cells_are_the_engines_weights(server, browser):
    name, params = "xor/main", {"hidden": "5,3", "bn": "1", "batch": "32"}
    page = open_view(browser, server, "/xor?hidden=5,3&bn=1&batch=32", name, height=1600)
    for i in range(1, 4):
        button(page, "Step").click()
        page.wait_for_function(f"() => window.__bpLive.get({name!r}).status.step === {i} && "
                               f"!window.__bpLive.get({name!r}).dirty", timeout=20000)
    lab = engine_lab("xor", params)
    lab.advance(3)
    blocks = page.evaluate(f"""() => window.__bpLive.get({name!r}).heatmaps.blocks.map(b => {{
      const px = (c) => c ? Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) : null;
      return {{ l: b.l, w: b.canvas.width, h: b.canvas.height, W: px(b.canvas), b: px(b.bcanvas),
               g: px(b.gcanvas), be: px(b.becanvas) }}; }})""")
    assert len(blocks) == 3
    for blk, W, bias in zip(blocks, lab.net.weights, lab.net.biases):
        rows, cols = W.shape
        assert (blk["h"], blk["w"]) == (rows, cols), "one pixel per weight: rows = the layer below"
        vmax = nice_max(max(np.abs(W).max(), np.abs(bias).max()))
        drawn = np.array(blk["W"]).reshape(rows, cols, 4)[..., :3]
        assert np.abs(drawn - diverging_rgb(W, vmax).astype(int)).max() <= 1, f"W{blk['l'] + 1}"
        drawn_b = np.array(blk["b"]).reshape(cols, 4)[:, :3]
        assert np.abs(drawn_b - diverging_rgb(bias, vmax).astype(int)).max() <= 1, f"b{blk['l'] + 1}"
        bn = lab.net.bn[blk["l"]] if blk["l"] < len(lab.net.bn) else None
        if bn is not None:
            vb = nice_max(max(np.abs(bn.gamma - 1).max(), np.abs(bn.beta).max()))
            g = np.array(blk["g"]).reshape(cols, 4)[:, :3]
            assert np.abs(g - diverging_rgb(bn.gamma - 1, vb).astype(int)).max() <= 1, f"gamma{blk['l'] + 1}"
    # hovering a cell names the engine's value of that row and column
    canvas = page.locator("canvas[data-bp=heatmap][data-layer='2']").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    W2 = lab.net.weights[1]
    for r, c in [(0, 2), (4, 1), (3, 0)]:
        page.mouse.move(box["x"] + (c + 0.5) * box["width"] / W2.shape[1], box["y"] + (r + 0.5) * box["height"] / W2.shape[0])
        tip = page.evaluate(f"() => window.__bpLive.get({name!r}).heatmaps.tip.textContent")
        m = re.search(r"W2\[(\d+), (\d+)\] = ([+-][0-9.e+-]+)", tip)
        assert m and (int(m[1]), int(m[2])) == (r, c), tip
        assert math.isclose(float(m[3]), W2[r, c], rel_tol=1e-3), (tip, W2[r, c])
    page.close()


# ----------------------------------------------------------------------------- contour.js
FIELDS = {
    "ramp": np.tile((np.arange(11) - 4.3) / 10 + 0.5, (11, 1)),
    "circle": np.hypot(*(np.mgrid[0:41, 0:41][::-1] - np.array([20.3, 19.6])[:, None, None])) - 12.17 + 0.5,
    "saddles": np.array([[0.0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0.2, 1], [1, 0, 1, 0.9]]),
    "random": np.random.default_rng(3).random((23, 23)),
}


@pytest.fixture(scope="module")
def blank(server, browser):
    page = browser.new_page()
    page.goto(server + "/app/static/live/contour.js")  # same origin as the module, nothing else loaded
    yield page
    page.close()


@pytest.mark.parametrize("field", list(FIELDS))
def test_the_browsers_marching_squares_equal_the_engines(blank, field):
    f = FIELDS[field]
    res = f.shape[0]
    got = blank.evaluate("""async ([v, res]) => { const m = await import('/app/static/live/contour.js');
      return m.contourSegments(Float64Array.from(v), res); }""", [(f - 0.5).ravel().tolist(), res])
    want = contour_segments(f)
    assert len(want) > 0
    np.testing.assert_allclose(np.array(got, dtype=float).reshape(-1, 4), want, atol=1e-12)
