"""A real headless Chromium session (Playwright) against `streamlit run app.py`: the intro page,
drawing a digit, uploading a CSV, rotating the 3-D hidden space. The live view (Play, Pause,
what the boundary shows) is tested in test_browser_live.py. Fixtures: conftest.py; helpers
and the skip / require rule: _browser.py. Screenshots go to shots/ (git-ignored).
"""
from __future__ import annotations


from _browser import ROOT, button, no_exception, require_browser, wait_view

require_browser()
_no_exception = no_exception


def test_intro_page_opens(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/")
    page.wait_for_selector("h1:has-text('Backprop playground')", timeout=30000)
    _no_exception(page)
    (ROOT / "shots").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "shots" / "test-intro.png"))
    page.close()


def _draw_seven(page):
    canvas = page.locator(".bp-canvas canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x0, y0, w = box["x"], box["y"], box["width"]
    page.mouse.move(x0 + 0.3 * w, y0 + 0.25 * w)
    page.mouse.down()
    for t in range(11):
        page.mouse.move(x0 + (0.3 + 0.04 * t) * w, y0 + 0.25 * w)
    for t in range(11):
        page.mouse.move(x0 + (0.7 - 0.025 * t) * w, y0 + (0.25 + 0.055 * t) * w)
    page.mouse.up()


def test_draw_a_digit_gets_probabilities(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{server}/mnist")
    wait_view(page, "mnist/main")
    button(page, "Step epoch").click()  # a trained model
    page.wait_for_function("() => window.__bpLive.get('mnist/main').status.epoch === 1", timeout=60000)
    page.get_by_role("tab", name="Draw a digit").click()
    page.wait_for_selector(".bp-canvas canvas", timeout=30000)
    assert page.get_by_text("Nothing drawn yet").count() == 1
    _draw_seven(page)
    page.get_by_text("Class probabilities").wait_for(timeout=30000)
    page.locator("img[alt='your digit, MNIST-style']").wait_for(timeout=10000)
    _no_exception(page)
    # the shown probabilities are the forward pass of the page's model on the drawing as sent
    import numpy as np
    from _labs import engine_lab

    from engine.digits import preprocess_drawing
    from ui.canvas import decode

    url = page.locator(".bp-canvas canvas").first.evaluate("c => c.toDataURL('image/png')")
    lab = engine_lab("mnist", {})
    lab.advance_epoch()
    x = preprocess_drawing(decode(url))
    probs = lab.net.forward(x[None, :].astype(lab.net.dtype))[0].astype(np.float64)
    rows = page.evaluate("""() => { const box = [...document.querySelectorAll('div')].find(d =>
        d.textContent.startsWith('Class probabilities') && d.parentElement.querySelectorAll('span').length >= 20);
      return [...box.parentElement.querySelectorAll('div')].filter(d => d.children.length === 3
        && [...d.children].every(c => c.tagName === 'SPAN')).map(r => [...r.children].map(s => s.textContent)); }""")
    shown = {name: float(pct.rstrip(" %")) for name, _, pct in rows}
    assert len(shown) == 10
    for k, name in enumerate(lab.dataset.class_names):
        assert abs(shown[name] - 100 * probs[k]) <= 0.051, (name, shown[name], 100 * probs[k])
    assert rows[0][0] == lab.dataset.class_names[int(np.argmax(probs))]  # the prediction comes first
    page.screenshot(path=str(ROOT / "shots" / "test-mnist-draw.png"))
    page.close()


def test_csv_upload_bad_then_good(server, browser, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,a\n3,oops,b\n" + "5,6,a\n" * 10)
    good = tmp_path / "points.csv"
    good.write_text("x1,x2,label\n" + "\n".join(f"{i % 7},{(i * 3) % 11},{'cat' if i % 2 else 'dog'}"
                                                 for i in range(40)))
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/more-2d?data=moons")
    wait_view(page, "more2d/main")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Data — changes rebuild").click()  # the expander starts collapsed
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
    page.get_by_role("option", name="Your CSV file…").click()
    page.get_by_text("Upload a CSV file").first.wait_for(timeout=20000)  # explained, model kept
    upload = sidebar.locator('input[type="file"]')
    upload.set_input_files(str(bad))
    sidebar.get_by_text("needs numbers").wait_for(timeout=20000)
    _no_exception(page)
    upload.set_input_files(str(good))
    page.get_by_text("Your CSV: 40 rows").wait_for(timeout=20000)
    page.wait_for_function("() => window.__bpLive.get('more2d/main').data.classes.join() === 'cat,dog'", timeout=20000)
    assert page.get_by_text("cat train").count() >= 1  # the legend uses the file's class names
    _no_exception(page)
    page.screenshot(path=str(ROOT / "shots" / "test-more2d-csv.png"))
    page.close()


def test_hidden_space_3d_rotates(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{server}/circles?hidden=3")
    wait_view(page, "circles/main")
    page.locator("[data-testid=stButtonGroup] button", has_text="Hidden space").first.click()
    canvas = page.locator(".bp3d canvas").first
    canvas.wait_for(timeout=30000)
    page.wait_for_timeout(500)
    before = canvas.evaluate("c => c.toDataURL()")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 230, steps=5)
    page.mouse.up()
    assert canvas.evaluate("c => c.toDataURL()") != before, "dragging did not rotate the 3-D view"
    _no_exception(page)
    page.close()


def test_take_it_home_download_script_and_run_then_continue_in_a_new_session(server, browser, tmp_path):
    import subprocess
    import sys

    import numpy as np

    from test_browser_live import python_lab

    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/xor?hidden=5&batch=32")
    wait_view(page, "xor/main")
    for i in range(1, 4):
        button(page, "Step").click()
        page.wait_for_function(f"() => window.__bpLive.get('xor/main').status.step === {i}", timeout=20000)
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
    losses = [float(v) for v in out.stdout.split()]
    lab = python_lab("xor", {"hidden": "5", "batch": "32"}, 3)
    assert len(losses) == 100
    np.testing.assert_allclose(losses[:3], [r.loss for r in lab.trainer.history], rtol=1e-10)
    page.close()

    fresh = browser.new_page(viewport={"width": 1400, "height": 1400})  # a new session, default settings
    fresh.goto(f"{server}/xor")
    wait_view(fresh, "xor/main")
    fresh.get_by_role("tab", name="Take it home").click()
    fresh.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(run))
    fresh.get_by_text("Continued the saved run at step 3").wait_for(timeout=30000)
    fresh.wait_for_function("() => window.__bpLive.get('xor/main').status.step === 3", timeout=20000)
    button(fresh, "Step").click()
    fresh.wait_for_function("() => window.__bpLive.get('xor/main').status.step === 4", timeout=20000)
    lab.advance(1)
    got = fresh.evaluate("() => Array.from(window.__bpLive.get('xor/main').net.W[0])")
    assert np.array_equal(np.array(got), lab.net.weights[0].ravel())  # continued exactly
    _no_exception(fresh)
    fresh.close()


def test_projector_mode_at_1024x768(server, browser):
    """The classroom case: everything legible on a 1024 x 768 projector."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(server + "/xor")
    wait_view(page, "xor/main")
    sidebar = page.locator("[data-testid=stSidebar]")
    before = page.evaluate(SIZES)
    assert sidebar.bounding_box()["width"] > 200
    page.get_by_text("Projector mode").first.click()
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'", timeout=10000)
    page.wait_for_function(f"() => ({SIZES})().key > {before['key']}", timeout=10000)
    page.wait_for_timeout(800)
    after = page.evaluate(SIZES)
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 1, box        # the sidebar is folded away
    assert after["boundary"] >= before["boundary"], (before, after)
    assert after["boundaryTop"] + after["boundary"] <= 768, after      # the whole picture on screen
    assert after["key"] >= 1.4 * before["key"] and after["key"] >= 28, (before, after)
    assert after["axis"] > before["axis"], (before, after)            # chart ticks grew too
    button(page, "Play").click()
    page.wait_for_function("() => window.__bpLive.get('xor/main').status.step > 20", timeout=15000)
    no_exception(page)
    page.screenshot(path="shots/test-projector-xor.png")
    button(page, "Pause").click()
    page.get_by_role("button", name="Leave projector mode").click()
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '16px'", timeout=10000)
    page.wait_for_timeout(800)
    assert sidebar.bounding_box()["width"] > 200
    page.close()


# the live view's sizes: boundary square, a key number's font, a chart's tick font (px)
SIZES = """() => { const v = window.__bpLive.get('xor/main'), b = v.boundary;
  const host = v.root.getRootNode().host, key = v.root.querySelector('.bp-status .v');
  const u = v.curves.charts[0].u;
  return { boundary: b.size, boundaryTop: b.box.getBoundingClientRect().top,
           key: parseFloat(getComputedStyle(key).fontSize), axis: parseFloat(u.axes[0].font[0].split('px')[0]) }; }"""
