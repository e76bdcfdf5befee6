"""The network graph and data by hand, in a real browser (static/live/graph.js, points.js,
edits.js; the server half ui/byhand.py): what is drawn is what the engine computes, and what a
student types or clicks reaches the engine.

As in test_browser_live.py, the page is driven to a known state (a link and Step clicks) and
the same Lab is rebuilt in Python with the same changes by hand; the browser's pixels, lines,
hover texts and received arrays are compared with it.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from _axe import BLOCKING, describe, idle, run_axe
from _browser import FIELD, WEIGHTS, button, no_exception, require_browser, wait_step, wait_view
from test_browser_live import check_boundary, click_steps, open_page, python_lab

from engine.views import grid_activations, grid_points

require_browser()

NAME = "xor/main"
THUMB = 24                                         # static/live/graph.js THUMB_RES
POS, NEG, WHITE = (178, 24, 43), (33, 102, 172), (247, 247, 247)  # heatmaps.js diverging


def diverging(t: np.ndarray) -> np.ndarray:
    """heatmaps.js diverging(), in NumPy: t in [-1, 1] -> RGB, blue < 0 < red, white at 0."""
    t = np.clip(np.where(np.isfinite(t), t, 0.0), -1, 1)[..., None]
    c = np.where(t >= 0, np.array(POS, float), np.array(NEG, float))
    return np.trunc(np.array(WHITE, float) + (c - np.array(WHITE, float)) * np.abs(t)).astype(int)


def unit_colours(values: np.ndarray, kind: str) -> np.ndarray:
    """One unit's outputs over the grid (N,) -> (N, 3): the colouring the graph promises (tanh
    from -1 to 1, sigmoid and softmax white at 0.5, the rest scaled to their largest |value|)."""
    if kind == "tanh":
        c, h = 0.0, 1.0
    elif kind in ("sigmoid", "softmax"):
        c, h = 0.5, 0.5
    else:
        m = np.abs(values).max()
        c, h = 0.0, (m if m > 0 and np.isfinite(m) else 1.0)
    return diverging((values - c) / h)


def engine_units(lab, res: int) -> list[list[np.ndarray]]:
    """Every unit's expected picture (res*res, 3), layer by layer, from the engine."""
    net = lab.net
    X = grid_points(tuple(lab.dataset.bounds), res)
    hidden = grid_activations(net, lab.dataset.bounds, res)
    layers = [X] + [h.reshape(res * res, -1) for h in hidden] + [net.forward(X)]
    kinds = ["input", *net.activation_names, net.loss_fn.output_name]
    return [[unit_colours(a[:, j], kinds[l]) for j in range(a.shape[1])] for l, a in enumerate(layers)]


def nice_max(v: float) -> float:
    """heatmaps.js niceMax: v rounded up to 1, 2 or 5 x 10^k."""
    if not math.isfinite(v) or v <= 0:
        return 1.0
    e = math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if v <= m * 10 ** e * (1 + 1e-12):
            return m * 10 ** e
    return 10 ** (e + 1)


UNITS = """name => window.__bpLive.get(name).graph.units.map(layer => layer.map(u =>
  Array.from(u.canvas.getContext('2d').getImageData(0, 0, u.canvas.width, u.canvas.height).data)))"""
EDGES = """name => window.__bpLive.get(name).graph.edges.map(layer => layer.map(e =>
  ({ i: e.i, j: e.j, stroke: e.vis.getAttribute('stroke'), width: +e.vis.getAttribute('stroke-width') })))"""
BIASES = """name => window.__bpLive.get(name).graph.biases.map(layer => layer.map(b => b.el.getAttribute('fill')))"""
# a point (page coordinates) on item (kind, l, i, j) where it is the topmost element under the mouse
POINT = """([name, kind, l, i, j]) => { const g = window.__bpLive.get(name).graph, root = g.el.getRootNode();
  const it = kind === 'unit' ? g.units[l][j] : kind === 'b' ? g.biases[l][j] : g.edges[l].find(e => e.i === i && e.j === j);
  const r = it.el.getBoundingClientRect();
  if (kind !== 'W') return [r.left + r.width / 2, r.top + r.height / 2];
  const v = it.vis, s = v.ownerSVGElement.getBoundingClientRect(), a = (k) => +v.getAttribute(k);
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85, 0.1, 0.9]) {
    const x = s.left + a('x1') + t * (a('x2') - a('x1')), y = s.top + a('y1') + t * (a('y2') - a('y1'));
    const hit = root.elementFromPoint(x, y);
    if (hit && it.el.contains(hit)) return [x, y];
  }
  return null; }"""
TIP = "name => { const t = window.__bpLive.get(name).graph.tip; return t.hidden ? null : t.textContent; }"
MSG = "name => { const m = window.__bpLive.get(name).graph.msg; return { text: m.textContent, role: m.getAttribute('role') }; }"


def open_graph(browser, server, query: str, steps: int = 0, height: int = 1100):
    page = open_page(browser, server, f"/xor?{query}", NAME, height=height)
    page.locator("[data-testid=stButtonGroup] button", has_text="Network graph").first.click()
    page.wait_for_function(f"() => {{ const v = window.__bpLive.get({NAME!r}); return v.graph && v.graph.paints > 0; }}",
                           timeout=30000)
    click_steps(page, NAME, steps)
    page.wait_for_timeout(200)
    return page


def lab_for(query: str, steps: int):
    return python_lab("xor", dict(p.split("=") for p in query.split("&")), steps)


def hover(page, kind, l, i, j):
    xy = page.evaluate(POINT, [NAME, kind, l, i, j])
    assert xy is not None, f"no point where {kind}{l + 1}[{i}, {j}] is on top"
    page.mouse.move(*xy)
    return xy


def number_after(text: str, key: str) -> float:
    m = re.search(re.escape(key) + r" = ([−\-]?[\d.]+(?:e[+\-−]?\d+)?)", text)
    assert m, (key, text)
    return float(m.group(1).replace("−", "-"))


# ----------------------------------------------------------------------------- what is drawn
CASES = [
    ("hidden=4,3", 3),                                          # tanh, softmax outputs
    ("hidden=5&act=relu&loss=bce", 2),                         # ReLU (own scale), sigmoid outputs
    ("hidden=3,2&act=sigmoid&loss=mse&out=linear&var=3", 2),    # sigmoid units, linear outputs
    ("hidden=4,3&act=leaky_relu&bn=1&batch=32", 3),             # batch norm (eval mode: running statistics)
]


@pytest.mark.parametrize("query,steps", CASES, ids=[c[0] for c in CASES])
def test_every_unit_picture_equals_the_engines_activations(server, browser, query, steps):
    page = open_graph(browser, server, query, steps)
    lab = lab_for(query, steps)
    got = page.evaluate(UNITS, NAME)
    want = engine_units(lab, THUMB)
    assert [len(layer) for layer in got] == list(lab.net.sizes)
    exact = total = 0
    for l, (gl, wl) in enumerate(zip(got, want)):
        for j, (g, w) in enumerate(zip(gl, wl)):
            drawn = np.array(g, dtype=int).reshape(THUMB * THUMB, 4)[:, :3]
            diff = np.abs(drawn - w)
            assert diff.max() <= 1, f"unit {j} of layer {l}: {(diff > 1).sum()} pixels differ from the engine's"
            exact += (diff == 0).all(axis=1).sum()
            total += len(diff)
    assert exact / total > 0.99
    assert len({tuple(np.ravel(u)) for layer in got for u in layer}) > sum(lab.net.sizes) // 2  # not all alike
    no_exception(page)
    page.close()


def test_lines_are_coloured_by_sign_and_thick_by_magnitude(server, browser):
    query = "hidden=4,3&var=1"
    page = open_graph(browser, server, query, 2)
    lab = lab_for(query, 2)
    Ws = lab.net.weights
    scale = max(1.0, nice_max(max(float(np.abs(W).max()) for W in Ws)))
    edges = page.evaluate(EDGES, NAME)
    widths = []
    for W, layer in zip(Ws, edges):
        assert len(layer) == W.size
        for e in layer:
            w = W[e["i"], e["j"]]
            assert e["stroke"] == ("#b2182b" if w > 0 else "#2166ac" if w < 0 else "#9aa0a6"), (e, w)
            assert e["width"] == pytest.approx(0.6 + 5.4 * min(abs(w) / scale, 1), abs=0.006), (e, w)
            widths.append((abs(w), e["width"]))
    widths.sort()
    assert all(a[1] <= b[1] + 1e-9 for a, b in zip(widths, widths[1:]))  # thicker = larger |w|
    assert widths[-1][1] - widths[0][1] > 1.0
    fills = page.evaluate(BIASES, NAME)
    for b, layer in zip(lab.net.biases, fills):
        for j, fill in enumerate(layer):
            r, g, bl = diverging(np.array([b[j] / scale]))[0]
            assert fill == f"rgb({r},{g},{bl})"
    page.close()


def test_hovering_a_line_or_a_bias_shows_w_and_the_engines_gradient(server, browser):
    query = "hidden=4,3"
    page = open_graph(browser, server, query, 0)
    hover(page, "W", 1, 2, 1)
    tip = page.evaluate(TIP, NAME)
    assert tip and "W2[2, 1]" in tip and "after the first step" in tip, tip   # no step yet: no gradient
    click_steps(page, NAME, 3)
    lab = lab_for(query, 3)
    for kind, l, i, j in (("W", 1, 2, 1), ("W", 0, 1, 3), ("W", 2, 0, 1), ("b", 1, 0, 2), ("b", 2, 0, 0)):
        page.mouse.move(5, 5)
        hover(page, kind, l, i, j)
        page.wait_for_function(f"() => ({TIP})({NAME!r}) !== null", timeout=5000)
        tip = page.evaluate(TIP, NAME)
        dW, db = lab.trainer.last_grads[l]
        if kind == "W":
            w, g, name, sym = lab.net.weights[l][i, j], dW[i, j], f"W{l + 1}[{i}, {j}]", "w"
        else:
            w, g, name, sym = lab.net.biases[l][j], db[j], f"b{l + 1}[{j}]", "b"
        assert name in tip and "(step 3, its batch)" in tip, tip
        assert number_after(tip, f"{sym}") == pytest.approx(w, rel=6e-4, abs=1e-12), (tip, w)
        assert number_after(tip, f"∂L/∂{sym}") == pytest.approx(float(np.float32(g)), rel=6e-4, abs=1e-12), (tip, g)
    page.close()


def test_hovering_a_unit_shows_it_large_in_the_main_plot_and_leaving_brings_back_the_prediction(server, browser):
    query = "hidden=4,3"
    page = open_graph(browser, server, query, 3)
    lab = lab_for(query, 3)
    hover(page, "unit", 1, 0, 2)
    page.wait_for_function(f"() => {{ const b = window.__bpLive.get({NAME!r}).boundary; return b.last.unit && b.last.unit[1] === 2; }}",
                           timeout=5000)
    got = page.evaluate(FIELD, NAME)
    res = got["res"]
    a = grid_activations(lab.net, lab.dataset.bounds, res)[0][:, :, 2].ravel()
    want = unit_colours(a, "tanh")
    drawn = np.array(got["rgba"], dtype=int).reshape(res * res, 4)[:, :3]
    assert np.abs(drawn - want).max() <= 1 and np.mean((drawn == want).all(axis=1)) > 0.99
    assert got["segments"] == []  # no decision line over a unit's picture
    assert "h1 unit 2 (tanh)" in page.locator(".bp-g-note").inner_text()
    page.mouse.move(5, 5)
    page.wait_for_function(f"() => !window.__bpLive.get({NAME!r}).boundary.last.unit", timeout=5000)
    check_boundary(page, NAME, lab)
    assert page.locator(".bp-g-note").count() == 0
    # a click keeps it there; a second click lets go
    xy = hover(page, "unit", 2, 0, 0)
    page.mouse.click(*xy)
    page.mouse.move(5, 5)
    page.wait_for_timeout(200)
    assert page.evaluate(f"() => window.__bpLive.get({NAME!r}).boundary.last.unit") == [2, 0]
    assert page.locator(".bp-g-unit[aria-pressed=true]").count() == 1
    page.mouse.click(*xy)
    page.mouse.move(5, 5)
    page.wait_for_function(f"() => !window.__bpLive.get({NAME!r}).boundary.last.unit", timeout=5000)
    page.close()


# ----------------------------------------------------------------------------- typing a value
def wait_weight(page, l: int, k: int, value: float, bias: bool = False) -> None:
    arr = "b" if bias else "W"
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).net.{arr}[{l}][{k}] === {value!r}", timeout=15000)


def test_clicking_a_line_and_typing_a_value_changes_the_engine_and_the_next_frame(server, browser):
    query = "hidden=4,3"
    page = open_graph(browser, server, query, 2)
    lab = lab_for(query, 2)
    xy = hover(page, "W", 1, 1, 2)
    page.mouse.click(*xy)
    box = page.locator(".bp-g-edit input")
    box.wait_for(state="visible", timeout=5000)
    assert box.evaluate("e => e === e.getRootNode().activeElement")        # the field has the focus
    assert "W2[1, 2]" in page.locator(".bp-g-edit label").inner_text()
    box.fill("−1.75")                                                        # a real minus sign too
    box.press("Enter")
    wait_weight(page, 1, 1 * 3 + 2, -1.75)
    msg = page.evaluate(MSG, NAME)
    page.wait_for_function(f"() => ({MSG})({NAME!r}).text.startsWith('Set W2[1, 2] to -1.75')", timeout=10000)
    assert page.evaluate(MSG, NAME)["role"] == "status", msg
    lab.set_param("W2", (1, 2), -1.75)                                       # the same change, in Python
    got = page.evaluate(WEIGHTS, NAME)
    for l in range(lab.net.n_layers):
        assert np.array_equal(np.array(got["W"][l]), lab.net.weights[l].ravel())
    status = page.evaluate(f"() => window.__bpLive.get({NAME!r}).status")
    tl, ta = lab.test_metrics()
    assert status["tloss"] == pytest.approx(tl, rel=1e-6)                   # the status is of the new weights
    # the engine's array holds it: the next step starts from it
    button(page, "Step").click()
    wait_step(page, NAME, 3)
    assert lab.advance(1)
    got = page.evaluate(WEIGHTS, NAME)
    for l in range(lab.net.n_layers):
        assert np.array_equal(np.array(got["W"][l]), lab.net.weights[l].ravel())
        assert np.array_equal(np.array(got["b"][l]), lab.net.biases[l])
    no_exception(page)
    page.close()


def test_a_value_that_is_not_a_number_gets_a_sentence_and_changes_nothing(server, browser):
    page = open_graph(browser, server, "hidden=4,3", 1)
    before = page.evaluate(WEIGHTS, NAME)
    sent = page.evaluate("() => window.__bpEdits.get('xor').sent")
    xy = hover(page, "b", 0, 0, 1)
    page.mouse.click(*xy)
    box = page.locator(".bp-g-edit input")
    for typed, words in (("abc", "is not a number"), ("1,5", "is not a number"), ("", "is not a number"),
                         ("NaN", "is not a number"), ("Infinity", "is not a number"), ("5000", "too large"),
                         ("1e400", "is not a number")):
        box.fill(typed)
        box.press("Enter")
        m = page.evaluate(MSG, NAME)
        assert words in m["text"] and "Nothing was changed" in m["text"] and m["role"] == "alert", (typed, m)
        assert box.get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => window.__bpEdits.get('xor').sent") == sent   # nothing went to the server
    # a message that skips the editor's checks: the server refuses it with a sentence
    page.evaluate("""() => { const c = window.__bpEdits.get('xor');
      c.component.setTriggerValue('edit', { token: c.token, ops: [{ seq: c.next, kind: 'param', name: 'b1',
        index: [1], value: 'x' }, { seq: c.next + 1, kind: 'param', name: 'W1', index: [0, 99], value: 1 }] }); }""")
    page.wait_for_function("() => window.__bpEdits.get('xor').replies.length >= 2", timeout=15000)
    replies = page.evaluate("() => window.__bpEdits.get('xor').replies.slice(-2)")
    assert not any(r["ok"] for r in replies), replies
    assert "must be a number" in replies[0]["text"] and "column 99 does not exist" in replies[1]["text"]
    page.wait_for_timeout(300)
    assert page.evaluate(WEIGHTS, NAME) == before
    no_exception(page)
    page.close()


ORDER_JS = """name => { const g = window.__bpLive.get(name).graph, a = g.root().activeElement, it = g.itemOf(a);
  return it ? { kind: it.kind, l: it.l, i: it.i, j: it.j, tabindex: a.getAttribute('tabindex') } : null; }"""


def test_the_graph_works_from_the_keyboard(server, browser):
    """One Tab stop; the arrow keys walk units, weights, biases; Enter edits or shows; Escape cancels."""
    page = open_graph(browser, server, "hidden=3", 1)
    page.locator(".bp-g-unit[tabindex='0']").focus()
    assert page.locator(".bp-g-box [tabindex='0']").count() == 1
    assert page.evaluate(ORDER_JS, NAME) == {"kind": "unit", "l": 0, "i": None, "j": 0, "tabindex": "0"}
    assert page.evaluate(TIP, NAME)                                          # focus shows the tooltip too
    for _ in range(3):                                                       # x₂, W1[0, 0], W1[0, 1]
        page.keyboard.press("ArrowRight")
    at = page.evaluate(ORDER_JS, NAME)
    assert (at["kind"], at["l"], at["i"], at["j"], at["tabindex"]) == ("W", 0, 0, 1, "0")
    assert "W1[0, 1]" in page.evaluate(TIP, NAME)
    page.keyboard.press("Enter")
    page.locator(".bp-g-edit input").wait_for(state="visible")
    page.keyboard.press("Escape")                                            # cancel: back on the line
    assert page.locator(".bp-g-edit").is_hidden() and page.evaluate(ORDER_JS, NAME)["j"] == 1
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.625")
    page.keyboard.press("Enter")
    wait_weight(page, 0, 1, 0.625)
    assert page.evaluate(ORDER_JS, NAME)["kind"] == "W"                      # the focus is back on the line
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")                                         # x₂: shown in the main plot
    page.wait_for_function(f"() => {{ const u = window.__bpLive.get({NAME!r}).boundary.last.unit; return u && u[0] === 0 && u[1] === 1; }}",
                           timeout=5000)
    page.keyboard.press("Enter")                                             # kept there
    assert page.locator(".bp-g-unit[aria-pressed=true]").count() == 1
    page.keyboard.press("End")                                               # the last output unit
    at = page.evaluate(ORDER_JS, NAME)
    assert (at["kind"], at["l"], at["j"]) == ("unit", 2, 1)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")                                         # before the outputs: the last bias, b2[1]
    at = page.evaluate(ORDER_JS, NAME)
    assert (at["kind"], at["l"], at["j"]) == ("b", 1, 1) and "b2[1]" in page.evaluate(TIP, NAME)
    page.close()


def test_the_lesson_typed_into_the_graph_gives_what_it_promises(server, browser):
    """Lesson "Set XOR's weights by hand": its eleven values typed into the graph (its text says
    which), then the status line: 100 % test accuracy at step 0, loss below 0.01; Play changes nothing."""
    from test_lessons import typed_values

    from ui.lessons import BY_KEY

    ls = BY_KEY["xor_by_hand"]
    query = "&".join(f"{k}={v}" for k, v in ls.params.items())
    page = open_graph(browser, server, query, 0)
    st0 = page.evaluate(f"() => window.__bpLive.get({NAME!r}).status")
    assert abs(st0["tacc"] - 0.5) <= 0.05
    for name, index, value in typed_values(ls.watch):
        l = int(name[1]) - 1
        kind = "W" if name[0] == "W" else "b"
        i, j = (index if kind == "W" else (0, index[0]))
        page.mouse.move(5, 5)
        page.mouse.click(*hover(page, kind, l, i, j))
        box = page.locator(".bp-g-edit input")
        box.fill(str(value).replace("-", "−"))
        box.press("Enter")
        m = page.evaluate(f"() => window.__bpLive.get({NAME!r}).net.sizes")[l + 1]
        wait_weight(page, l, i * m + j if kind == "W" else j, value, bias=kind == "b")
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).status.tacc === 1", timeout=15000)
    st = page.evaluate(f"() => window.__bpLive.get({NAME!r}).status")
    assert st["step"] == 0 and st["tloss"] < 0.01, st
    page.screenshot(path="shots/test-graph-xor-by-hand.png")
    before = page.evaluate(WEIGHTS, NAME)
    button(page, "Play").click()
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).status.step > 20", timeout=20000)
    button(page, "Pause").click()
    button(page, "Play").wait_for(timeout=10000)
    assert page.evaluate(WEIGHTS, NAME) == before
    assert page.evaluate(f"() => window.__bpLive.get({NAME!r}).status.tacc") == 1
    page.close()


def test_a_network_too_big_to_draw_says_so(server, browser):
    page = open_graph(browser, server, "hidden=32", 0)
    assert "at most 16 units per layer" in page.locator(".bp-g-big").inner_text()
    assert page.locator(".bp-g-unit").count() == 0
    page.close()


# ----------------------------------------------------------------------------- data by hand
VIEW_DATA = """name => { const v = window.__bpLive.get(name);
  return { xy: Array.from(v.data.xy), y: Array.from(v.data.y), n_train: v.data.n_train, bounds: v.data.bounds }; }"""
HAND_MSG = """name => { const m = window.__bpLive.get(name).hand.msg; return { text: m.textContent, role: m.getAttribute('role') }; }"""


def picture_position(page, bounds, x, y):
    """Where data point (x, y) is on the picture, relative to the points canvas (CSS pixels)."""
    box = page.locator(".bp-points").first.bounding_box()
    x0, x1, y0, y1 = bounds
    return {"x": (x - x0) / (x1 - x0) * box["width"], "y": (y1 - y) / (y1 - y0) * box["height"]}


def test_clicks_add_points_of_the_chosen_class_and_shift_click_removes_one(server, browser):
    page = open_page(browser, server, "/xor?hidden=3", NAME)
    d0 = page.evaluate(VIEW_DATA, NAME)
    n, bounds = d0["n_train"], d0["bounds"]
    canvas = page.locator(".bp-points").first
    canvas.click(position=picture_position(page, bounds, 0.5, -0.5))   # no class chosen: nothing happens
    page.wait_for_timeout(500)
    assert page.evaluate(VIEW_DATA, NAME)["n_train"] == n and "edited" not in page.url
    page.get_by_role("button", name="class 1", exact=True).click()
    assert page.get_by_role("button", name="class 1", exact=True).get_attribute("aria-pressed") == "true"
    canvas.click(position=picture_position(page, bounds, 0.5, -0.5))
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).data.n_train === {n + 1}", timeout=15000)
    d1 = page.evaluate(VIEW_DATA, NAME)
    xy = np.array(d1["xy"]).reshape(-1, 2)
    px = (bounds[1] - bounds[0]) / page.locator(".bp-points").first.bounding_box()["width"]
    assert np.abs(xy[n] - [0.5, -0.5]).max() <= px and d1["y"][n] == 1     # the new training point, last
    np.testing.assert_array_equal(xy[n + 1:], np.array(d0["xy"]).reshape(-1, 2)[n:])  # the test points: the same
    page.wait_for_function(f"() => ({HAND_MSG})({NAME!r}).text.startsWith('Added a class 1 point at (0.50, -0.50)')",
                           timeout=10000)
    page.wait_for_function("() => location.search.includes('edited=points')", timeout=10000)
    edited = page.locator(".bp-hand-edited")
    assert "1 added, 0 removed" in edited.inner_text() and "edited=points" in edited.inner_text()
    # class 0, then shift-click on an existing training point removes it
    page.get_by_role("button", name="class 0", exact=True).click()
    canvas.click(position=picture_position(page, bounds, -0.3, -0.7))
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).data.n_train === {n + 2}", timeout=15000)
    d2 = page.evaluate(VIEW_DATA, NAME)
    assert d2["y"][n + 1] == 0
    target = np.array(d2["xy"]).reshape(-1, 2)[7]
    canvas.click(position=picture_position(page, bounds, *target), modifiers=["Shift"])
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).data.n_train === {n + 1}", timeout=15000)
    d3 = page.evaluate(VIEW_DATA, NAME)
    train = np.array(d3["xy"]).reshape(-1, 2)[:n + 1]
    assert not np.any(np.all(np.isclose(train, target, atol=1e-6), axis=1)), "the point is still there"
    assert "Removed the" in page.evaluate(HAND_MSG, NAME)["text"]
    # the server's Lab did the same: rebuilt here with the same changes, its training set is the view's
    lab = python_lab("xor", {"hidden": "3"}, 0)
    lab.add_point((xy[n][0], xy[n][1]), 1)
    lab.add_point(tuple(np.array(d2["xy"]).reshape(-1, 2)[n + 1]), 0)
    lab.remove_point(tuple(target))
    np.testing.assert_allclose(train, lab.trainer.X, atol=1e-6)
    assert d3["y"][:n + 1] == list(lab.trainer.y)
    # shift-click on a test point: refused, with a sentence
    test_pt = np.array(d3["xy"]).reshape(-1, 2)[n + 1 + 3]
    canvas.click(position=picture_position(page, bounds, *test_pt), modifiers=["Shift"])
    page.wait_for_function(f"() => ({HAND_MSG})({NAME!r}).role === 'alert'", timeout=15000)
    assert "test point" in page.evaluate(HAND_MSG, NAME)["text"]
    assert page.evaluate(VIEW_DATA, NAME)["n_train"] == n + 1
    # back to the data as generated
    page.get_by_role("button", name="Back to the data as generated").click()
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).data.n_train === {n}", timeout=15000)
    page.wait_for_function("() => !location.search.includes('edited')", timeout=10000)
    assert page.evaluate(VIEW_DATA, NAME)["xy"] == d0["xy"]
    no_exception(page)
    page.close()


def test_points_can_be_typed_and_a_bad_coordinate_gets_a_sentence(server, browser):
    page = open_page(browser, server, "/xor?hidden=3", NAME)
    n = page.evaluate(VIEW_DATA, NAME)["n_train"]
    page.get_by_role("button", name="class 0", exact=True).click()
    page.get_by_role("textbox", name="x₁").fill("abc")
    page.get_by_role("textbox", name="x₂").fill("0.2")
    page.get_by_role("textbox", name="x₂").press("Enter")
    m = page.evaluate(HAND_MSG, NAME)
    assert m["role"] == "alert" and "Type two numbers" in m["text"]
    page.get_by_role("textbox", name="x₁").fill("7")
    page.get_by_role("textbox", name="x₂").press("Enter")
    assert "outside the picture" in page.evaluate(HAND_MSG, NAME)["text"]
    page.wait_for_timeout(300)
    assert page.evaluate(VIEW_DATA, NAME)["n_train"] == n
    page.get_by_role("textbox", name="x₁").fill("−0.25")
    page.get_by_role("textbox", name="x₂").press("Enter")
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).data.n_train === {n + 1}", timeout=15000)
    d = page.evaluate(VIEW_DATA, NAME)
    assert d["xy"][2 * n:2 * n + 2] == [-0.25, pytest.approx(0.2, abs=1e-7)] and d["y"][n] == 0
    page.close()


def test_a_link_saying_edited_points_opens_the_data_as_generated_with_a_sentence(server, browser):
    page = open_page(browser, server, "/xor?hidden=3&edited=points", NAME)
    page.get_by_text("a link cannot carry those points").first.wait_for(timeout=10000)
    page.close()


def test_axe_finds_nothing_blocking_in_the_graph_the_editor_and_the_points_toolbar(server, browser):
    page = open_graph(browser, server, "hidden=4,3", 1)
    page.get_by_role("button", name="class 1", exact=True).click()
    xy = hover(page, "W", 0, 0, 1)
    page.mouse.click(*xy)
    page.locator(".bp-g-edit input").fill("x")
    page.locator(".bp-g-edit input").press("Enter")
    idle(page)
    bad = describe([v for v in run_axe(page) if v["impact"] in BLOCKING])
    assert not bad, bad
    canvases = page.evaluate("""() => [...window.__bpLive.get('xor/main').graph.el.querySelectorAll('canvas')]
      .map(c => [c.getAttribute('role'), c.getAttribute('aria-label')])""")
    assert canvases and all(r == "img" and n for r, n in canvases)
    page.screenshot(path="shots/test-graph-editing.png", full_page=True)
    page.close()


def test_changes_made_while_playing_apply_and_the_run_goes_on(server, browser):
    page = open_graph(browser, server, "hidden=4,3", 0)
    n = page.evaluate(VIEW_DATA, NAME)["n_train"]
    button(page, "Play").click()
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).status.step > 10", timeout=20000)
    page.get_by_role("button", name="class 0", exact=True).click()
    bounds = page.evaluate(VIEW_DATA, NAME)["bounds"]
    page.locator(".bp-points").first.click(position=picture_position(page, bounds, 0.9, 0.9))
    try:
        page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).data.n_train === {n + 1}", timeout=20000)
    except Exception:  # seen once or twice under load (not reproduced alone): say what the page had
        print("the channel and the points toolbar:", page.evaluate("() => { const c = window.__bpEdits.get('xor'); const v = window.__bpLive.get('xor/main'); return {pending: c.pending, sent: c.sent, applied: c.applied, replies: c.replies.slice(-3), mode: v.hand && v.hand.mode, clicks: v.hand && v.hand.clicks, n: document.querySelectorAll('.bp-points').length}; }"),
              page.evaluate(HAND_MSG, NAME), page.evaluate(VIEW_DATA, NAME)["n_train"], n, bounds)
        raise
    xy = hover(page, "W", 0, 1, 1)
    page.mouse.click(*xy)
    page.locator(".bp-g-edit input").fill("3")
    page.locator(".bp-g-edit input").press("Enter")
    page.wait_for_function(f"() => ({MSG})({NAME!r}).text.startsWith('Set W1[1, 1] to 3')", timeout=20000)
    s0 = page.evaluate(f"() => window.__bpLive.get({NAME!r}).status")
    assert s0["playing"]
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).status.step > {s0['step'] + 20}", timeout=20000)
    paints = page.evaluate(f"() => window.__bpLive.get({NAME!r}).paints.graph")
    page.wait_for_timeout(500)
    assert page.evaluate(f"() => window.__bpLive.get({NAME!r}).paints.graph") > paints + 5  # the graph animates
    button(page, "Pause").click()
    button(page, "Play").wait_for(timeout=10000)
    assert page.evaluate("() => window.__bpEdits.get('xor').pending.length") == 0
    no_exception(page)
    page.close()


REFUSE = """() => { const c = window.__bpEdits.get('xor');
  c.component.setTriggerValue('edit', { token: 'from-before-a-reload', ops: [] }); }"""
REPLIES = "() => window.__bpEdits.get('xor').replies.length"


def test_a_refused_message_is_said_once_and_the_next_refused_message_again(server, browser):
    page = open_graph(browser, server, "hidden=4,3", 0)
    n = page.evaluate(REPLIES)
    page.evaluate(REFUSE)
    page.wait_for_function(f"() => ({REPLIES})() === {n + 1}", timeout=15000)
    assert "reloaded" in page.evaluate("() => window.__bpEdits.get('xor').replies.at(-1).text")
    click_steps(page, NAME, 2)   # the page runs again and its channel holds the same reply: not said again
    page.wait_for_timeout(300)
    assert page.evaluate(REPLIES) == n + 1
    page.evaluate(REFUSE)        # the same sentence for another message: said again
    page.wait_for_function(f"() => ({REPLIES})() === {n + 2}", timeout=15000)
    no_exception(page)
    page.close()


OBSERVE = """name => { const g = window.__bpLive.get(name).graph, svg = g.edges[0][0].vis.ownerSVGElement;
  window.__bpAttrWrites = 0;
  new MutationObserver((ms) => { window.__bpAttrWrites += ms.length; })
    .observe(svg, { subtree: true, attributes: true, attributeFilter: ['stroke', 'stroke-width', 'fill'] });
  return g.edges.reduce((n, layer) => n + layer.length, 0); }"""


def test_a_frame_rewrites_only_the_lines_whose_look_changed(server, browser):
    """Every weight moves at every step, but most lines' colour and width (to 0.01 px) do not:
    rewriting all of them cost the browser a style pass each (27 -> 16 pictures a second on a
    2-16-16-16-2 net). What is drawn after the step is checked by the tests above."""
    page = open_graph(browser, server, "hidden=16,16,16", 1)
    lines = page.evaluate(OBSERVE, NAME)
    paints = page.evaluate(f"() => window.__bpLive.get({NAME!r}).graph.paints")
    button(page, "Step").click()
    wait_step(page, NAME, 2)
    page.wait_for_function(f"() => window.__bpLive.get({NAME!r}).graph.paints > {paints}", timeout=15000)
    page.wait_for_timeout(200)
    writes = page.evaluate("() => window.__bpAttrWrites")
    print("attribute writes", writes, "of", lines, "lines")
    assert lines == 2 * 16 + 16 * 16 * 2 + 16 * 2 and writes < lines / 2, (writes, lines)
    no_exception(page)
    page.close()
