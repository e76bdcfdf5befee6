"""Every student's device, in a real browser: axe-core on every page (desktop and phone), the
canvases' names, the live view's numbers as text for a screen reader, the keyboard (Tab order
with the sidebar folded, the focus ring on Play / Step) and the phone layout (390 x 844).

axe-core comes from PyPI's axe-playwright-python and is injected from its file (tests/_axe.py);
nothing is fetched at run time.
"""
from __future__ import annotations

import re

import pytest
from _axe import BLOCKING, describe, idle, run_axe, scan_all, settle
from _browser import WEIGHTS, button, no_exception, require_browser, wait_step, wait_view

require_browser()

PHONE = {"width": 390, "height": 844}

# every canvas of the page, shadow roots included: its role and accessible name
CANVASES = """() => { const out = [];
  const walk = (root) => root.querySelectorAll('*').forEach(e => {
    if (e.tagName === 'CANVAS') {
      const r = e.getBoundingClientRect();
      let name = e.getAttribute('aria-label') || '';
      const by = e.getAttribute('aria-labelledby');
      if (by) name = by.split(/\\s+/).map(id => { const t = e.getRootNode().getElementById(id); return t ? t.textContent : ''; }).join(' ');
      out.push({ role: e.getAttribute('role'), name: name.trim(), cls: e.className, w: r.width });
    }
    if (e.shadowRoot) walk(e.shadowRoot); });
  walk(document); return out; }"""


def _axe_failures(browser, server, **viewport) -> dict:
    bad = {}
    for name, violations in scan_all(browser, server, **viewport):
        text = describe([v for v in violations if v["impact"] in BLOCKING])
        if text:
            bad[name] = text
    return bad


def test_axe_finds_no_critical_or_serious_violation_on_any_page(server, browser):
    """Start here, Lessons, XOR (and its six Look-inside tabs), Circles (3-D hidden space and
    neurons too), More 2-D, MNIST (and Draw a digit), Compare, projector mode: after the live
    view has painted and after Play / Pause."""
    bad = _axe_failures(browser, server)
    assert not bad, "\n\n".join(f"{k}\n{v}" for k, v in bad.items())


def test_axe_finds_no_critical_or_serious_violation_on_a_phone(server, browser):
    bad = _axe_failures(browser, server, **PHONE)
    assert not bad, "\n\n".join(f"{k}\n{v}" for k, v in bad.items())


@pytest.mark.parametrize("path", ["/xor", "/mnist", "/compare", "/circles?hidden=3", "/regression", "/curve-fitting"])
def test_every_canvas_has_a_role_and_a_name(server, browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + path)
    settle(page, path.split("?")[0])
    if "hidden=3" in path:  # the 3-D view
        page.locator("[data-testid=stButtonGroup] button", has_text="Hidden space").first.click()
        page.locator(".bp3d canvas").first.wait_for(timeout=30000)
    if path == "/mnist":
        page.get_by_role("tab", name="Draw a digit").click()
        page.locator(".bp-canvas canvas").first.wait_for(timeout=30000)
    idle(page)
    canvases = page.evaluate(CANVASES)
    assert len(canvases) >= 4, canvases
    unnamed = [c for c in canvases if not c["role"] or not c["name"]]
    assert not unnamed, f"{len(unnamed)} of {len(canvases)} canvases without a role or a name: {unnamed[:5]}"
    no_exception(page)
    page.close()


# the live region of a view, and a counter of its announcements
LIVE_REGION = """name => { const v = window.__bpLive.get(name);
  const r = v.root.querySelector('[aria-live]');
  if (!r) return null;
  if (!r.__count) { r.__count = 0; new MutationObserver(() => { r.__count++; }).observe(r, { childList: true, characterData: true, subtree: true }); }
  return { live: r.getAttribute('aria-live'), role: r.getAttribute('role'), text: r.textContent, count: r.__count }; }"""


def test_status_is_announced_politely_and_at_most_every_few_seconds(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/xor")
    wait_view(page, "xor/main")
    region = page.evaluate(LIVE_REGION, "xor/main")
    assert region is not None, "the live view has no aria-live region"
    assert region["live"] == "polite"
    button(page, "Play").click()
    page.wait_for_function("() => window.__bpLive.get('xor/main').status.step > 0", timeout=30000)
    start = page.evaluate(LIVE_REGION, "xor/main")["count"]
    page.wait_for_timeout(4000)
    during = page.evaluate(LIVE_REGION, "xor/main")
    frames = page.evaluate("() => window.__bpLive.get('xor/main').frames")
    assert frames > 60, frames  # it really played: ~60 frames a second
    assert during["count"] - start <= 2, f"{during['count'] - start} announcements in 4 s of play"
    assert re.search(r"step [\d,]+", during["text"]), during["text"]
    button(page, "Pause").click()
    button(page, "Play").wait_for(timeout=30000)
    page.wait_for_function("""() => { const v = window.__bpLive.get('xor/main');
        const r = v.root.querySelector('[aria-live]');
        return !v.status.playing && r.textContent.includes('paused')
          && r.textContent.includes('step ' + v.status.step.toLocaleString('en-US')); }""", timeout=10000)
    button(page, "Step").click()  # a step is announced with its losses
    page.wait_for_function("""() => { const v = window.__bpLive.get('xor/main');
        const r = v.root.querySelector('[aria-live]');
        return r.textContent.includes('step ' + v.status.step.toLocaleString('en-US')) && /loss/.test(r.textContent); }""",
                           timeout=10000)
    no_exception(page)
    page.close()


def test_charts_follow_step_clicks(server, browser):
    """Found while naming the charts: each Step sends a full frame, whose fresh history restarted
    its version count at 1, the number the charts had already drawn, so after any number of Step
    clicks the loss, accuracy, δ and ratio charts stayed empty."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/xor")
    wait_view(page, "xor/main")
    for _ in range(3):
        button(page, "Step").click()
    wait_step(page, "xor/main", 3)
    page.wait_for_timeout(200)  # the charts redraw at most every 66 ms
    drawn = page.evaluate("""() => { const v = window.__bpLive.get('xor/main');
        return [...v.curves.charts, ...v.layers.charts].map(c => Array.from(c.u.data[0])); }""")
    assert drawn == [[1, 2, 3]] * 4, drawn
    page.close()


def test_latest_losses_and_every_weight_matrix_are_text(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/xor?hidden=3")
    wait_view(page, "xor/main")
    for _ in range(3):
        button(page, "Step").click()
    status = wait_step(page, "xor/main", 3)["status"]
    # the loss chart's name carries the latest losses
    loss_name = page.locator("canvas[aria-label*='Loss']").first.get_attribute("aria-label")
    assert "step 3" in loss_name and re.search(r"train \(batch\) [\d.e-]+", loss_name), loss_name
    shown = float(re.search(r"train \(batch\) ([\d.e-]+)", loss_name).group(1))
    assert shown == pytest.approx(status["loss"], rel=1e-3)
    # each weight matrix as a table, on demand
    toggles = page.get_by_role("button", name=re.compile("Show W1 as a table"))
    assert toggles.count() == 1
    toggles.click()
    table = page.locator("table.bp-table").first
    table.wait_for(timeout=5000)
    w = page.evaluate(WEIGHTS, "xor/main")
    W1 = w["W"][0]  # (2, 3) row-major
    assert table.locator("caption").inner_text().startswith("W1")
    rows = table.locator("tbody tr")
    assert rows.count() == 3  # two input rows and the bias row
    cells = rows.nth(1).locator("td")
    assert cells.count() == 3
    assert float(cells.nth(2).inner_text().replace("−", "-")) == pytest.approx(W1[1 * 3 + 2], rel=1e-3, abs=1e-9)
    bias = rows.nth(2).locator("td")
    assert float(bias.nth(0).inner_text().replace("−", "-")) == pytest.approx(w["b"][0][0], rel=1e-3, abs=1e-9)
    # every cell has its headers: the corner "from \\ to", the three units it goes to; the two inputs and the bias
    assert table.locator("th[scope=col]").count() == 4 and table.locator("th[scope=row]").count() == 3
    # a further step updates the open table
    button(page, "Step").click()
    wait_step(page, "xor/main", 4)
    w4 = page.evaluate(WEIGHTS, "xor/main")["W"][0]
    page.wait_for_function("""([v]) => { const t = window.__bpLive.get('xor/main').root.querySelector('table.bp-table');
        const c = t.querySelectorAll('tbody tr')[1].querySelectorAll('td')[2];
        return Math.abs(parseFloat(c.textContent.replace('−', '-')) - v) <= 1e-3 * Math.abs(v); }""", arg=[w4[5]], timeout=5000)
    page.get_by_role("button", name=re.compile("Hide W1 table")).click()
    assert page.locator("table.bp-table").count() == 0
    no_exception(page)
    page.close()


FOCUSED = """() => { let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e), side = e.closest('[data-testid=stSidebar]');
  const lines = (e.innerText || e.getAttribute('aria-label') || '').split('\\n').map(t => t.trim()).filter(Boolean);
  return { tag: e.tagName, text: (lines.length ? lines[lines.length - 1] : '').slice(0, 40),  // after an icon's ligature
           inSidebar: !!side, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
           shadow: s.boxShadow !== 'none' }; }"""


def test_folded_sidebar_is_out_of_the_tab_order_in_projector_mode(server, browser):
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(server + "/xor")
    wait_view(page, "xor/main")
    page.get_by_text("Projector mode", exact=True).click()
    page.locator(".st-key-leave_projector").wait_for(timeout=30000)
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getAttribute('data-collapsed') === 'true'",
                           timeout=10000)
    idle(page)
    page.locator("h1").first.click()  # start tabbing from the page, not the address bar
    seen = []
    for _ in range(45):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    in_sidebar = [f for f in seen if f and f["inSidebar"]]
    assert not in_sidebar, f"{len(in_sidebar)} of 45 Tab stops are in the folded sidebar: {in_sidebar[:5]}"
    assert any(f and f["text"] == "Play" for f in seen), seen  # the page itself is reachable
    # opened again, the sidebar's controls are reachable
    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getAttribute('data-collapsed') === 'false'",
                           timeout=10000)
    page.wait_for_timeout(500)
    page.get_by_test_id("stSidebar").locator("input").first.focus()
    assert page.evaluate(FOCUSED)["inSidebar"]
    page.close()


def test_play_and_step_keep_a_visible_focus_ring(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/xor")
    wait_view(page, "xor/main")
    page.locator("h1").first.click()
    for _ in range(80):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        if f and f["text"] == "Play":
            break
    else:
        pytest.fail("Tab never reached Play")
    assert f["outline"] or f["shadow"], f
    page.keyboard.press("Enter")  # Play by keyboard: the button now reads Pause, still focused, still ringed
    button(page, "Pause").wait_for(timeout=30000)
    page.wait_for_timeout(300)
    f = page.evaluate(FOCUSED)
    assert f and f["text"] == "Pause" and (f["outline"] or f["shadow"]), f
    page.keyboard.press("Enter")
    button(page, "Play").wait_for(timeout=30000)
    page.keyboard.press("Tab")  # Step
    f = page.evaluate(FOCUSED)
    assert f and f["text"] == "Step" and (f["outline"] or f["shadow"]), f
    step0 = page.evaluate("() => window.__bpLive.get('xor/main').status.step")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.__bpLive.get('xor/main').status.step === {step0 + 1}", timeout=30000)
    page.wait_for_timeout(300)
    f = page.evaluate(FOCUSED)
    assert f and f["text"] == "Step" and (f["outline"] or f["shadow"]), f
    page.close()


# ----------------------------------------------------------------------------- the phone
SMALL_TARGETS = """() => { const out = [];
  const main = document.querySelector('[data-testid=stAppViewContainer]');
  // what a finger must hit: buttons, tabs, text and number fields, selects, the visible slider
  // thumb (its range input is visually hidden), a checkbox's or toggle's whole label
  const SEL = 'button, [role=tab], [role=radio], input, select, summary, [data-testid=stSliderThumbValue]';
  const walk = (root) => root.querySelectorAll(SEL).forEach(e => {
    let t = e;
    if (e.matches('[data-testid=stSliderThumbValue]')) t = e.parentElement;
    else if (e.type === 'checkbox' || e.type === 'radio') t = e.closest('label') || e;
    else if (e.tagName === 'INPUT' && e.parentElement.getBoundingClientRect().width <= 1) return;  // visually hidden
    const r = t.getBoundingClientRect(), s = getComputedStyle(t);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden' || e.type === 'hidden') return;
    if (t.closest('[aria-hidden=true]')) return;
    if (r.width < 24 || r.height < 24) out.push({ tag: t.tagName, testid: t.getAttribute('data-testid'),
      text: (t.innerText || t.getAttribute('aria-label') || '').trim().slice(0, 30), w: r.width, h: r.height });
  });
  const all = (root) => { walk(root); root.querySelectorAll('*').forEach(e => { if (e.shadowRoot) all(e.shadowRoot); }); };
  all(main); return out; }"""


@pytest.mark.parametrize("path", ["/", "/lessons", "/xor", "/circles", "/more-2d", "/mnist", "/compare"])
def test_phone_starts_with_the_sidebar_folded_and_targets_of_24_px(server, browser, path):
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(server + path)
    settle(page, path)  # Play / Pause work: nothing covers them
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_attribute("data-collapsed") == "true"
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 1, box  # off screen
    # ... but its page list stays on screen as a row under the header: each page name inside the
    # screen's width is what a tap there reaches (a clipped row would leave only the first 40 px)
    reach = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stSidebarNavLink]')].map(a => {
        const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        const hit = x < innerWidth && y < innerHeight ? document.elementFromPoint(x, y) : null;
        return { text: a.innerText.trim(), inside: r.right <= innerWidth, top: r.top,
                 reached: !!hit && a.contains(hit) }; })""")
    assert len(reach) >= 9, reach  # every page of the navigation (XOR ... Compare)
    assert sum(r["inside"] for r in reach) >= 3, reach
    assert all(r["reached"] and r["top"] < 120 for r in reach if r["inside"]), reach
    small = page.evaluate(SMALL_TARGETS)
    assert not small, small
    if path in ("/xor", "/circles", "/more-2d", "/mnist"):  # the picture first, the charts under it
        name = {"/xor": "xor/main", "/circles": "circles/main", "/more-2d": "more2d/main", "/mnist": "mnist/main"}[path]
        geo = page.evaluate("""name => { const v = window.__bpLive.get(name);
            const pic = (v.boundary ? v.boundary.el : v.tiles.el).getBoundingClientRect();
            const chart = v.curves.el.getBoundingClientRect();
            return { picBottom: pic.bottom, picRight: pic.right, chartTop: chart.top, chartLeft: chart.left,
                     width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth }; }""", name)
        assert geo["chartTop"] >= geo["picBottom"] - 1, geo
        assert geo["picRight"] <= geo["width"] + 1 and geo["scroll"] <= geo["width"] + 1, geo  # no sideways scrolling
    no_exception(page)
    page.close()


def test_phone_sidebar_slider_thumbs_and_per_layer_inputs_in_order(server, browser):
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(server + "/xor?hidden=5,6,7,8")
    wait_view(page, "xor/main")
    page.get_by_test_id("stExpandSidebarButton").click()
    sidebar = page.get_by_test_id("stSidebar")
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getAttribute('data-collapsed') === 'false'",
                           timeout=10000)
    page.wait_for_timeout(500)
    labels = sidebar.locator("[data-testid=stNumberInput] label")
    layers = [(t, labels.nth(i).bounding_box()["y"]) for i in range(labels.count())
              if (t := labels.nth(i).inner_text().strip()).startswith("Layer ")]
    assert [t for t, _ in sorted(layers, key=lambda p: p[1])] == ["Layer 1", "Layer 2", "Layer 3", "Layer 4"], layers
    thumbs = sidebar.locator("[data-testid=stSliderThumbValue]").locator("..")  # the visible thumb
    assert thumbs.count() >= 3
    for i in range(thumbs.count()):
        b = thumbs.nth(i).bounding_box()
        assert b["width"] >= 24 and b["height"] >= 24, (i, b)
    no_exception(page)
    page.close()
