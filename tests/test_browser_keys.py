"""In Chromium: the keyboard (static/live/keys.js), the Test data / Discretize switches painted by
the browser (static/live/boundary.js) and a teacher's hide= (ui/hiding.py).

Keys: Space = Play / Pause, → or Page Down = Step, R = Reset, on each training page and Compare,
whenever no text field (or other widget) has the focus; never with a modifier or a held key;
Space does not scroll the page.
"""
from __future__ import annotations

import numpy as np
import pytest
from _browser import FIELD, button, no_exception, require_browser, wait_step, wait_view

from engine import boundary_grid
from ui.charts import CLASS_COLORS
from ui.config import config_from_params

require_browser()

PAGES = [("/xor", "xor/main"), ("/circles", "circles/main"), ("/more-2d", "more-2d/main"),
         ("/mnist", "mnist/main"), ("/compare", "compare/main")]
VIEW_NAME = {"/more-2d": "more2d/main"}
SCROLL = """() => [document.scrollingElement.scrollTop,
  ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')].map(e => e.scrollTop)]"""


def open_page(browser, server, path, name, height=900):
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(server + path)
    wait_view(page, name, timeout=90)
    no_exception(page)
    return page


def state(page, name):
    return page.evaluate(f"() => {{ const v = window.__bpLive.get({name!r}); return v.status; }}")


def wait_playing(page, name, playing: bool, timeout=30):
    page.wait_for_function(f"() => window.__bpLive.get({name!r}).status.playing === {str(playing).lower()}",
                           timeout=timeout * 1000)


def focus_nothing(page):
    """The focus on the page body, as after a click on empty space."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")


@pytest.mark.parametrize("path,name", PAGES, ids=[p for p, _ in PAGES])
def test_space_arrow_pagedown_and_r_press_the_buttons(server, browser, path, name):
    name = VIEW_NAME.get(path, name)
    page = open_page(browser, server, path, name)
    assert state(page, name)["step"] == 0
    focus_nothing(page)
    page.keyboard.press("ArrowRight")
    wait_step(page, name, 1)
    page.keyboard.press("PageDown")
    wait_step(page, name, 2)
    page.keyboard.press("r")
    wait_step(page, name, 0)
    page.mouse.wheel(0, 300)  # somewhere down the page: Space must not scroll it further
    page.wait_for_timeout(300)
    focus_nothing(page)
    before = page.evaluate(SCROLL)
    page.keyboard.press(" ")
    wait_playing(page, name, True)
    focus_nothing(page)
    page.keyboard.press(" ")
    wait_playing(page, name, False)
    assert page.evaluate(SCROLL) == before, "Space scrolled the page"
    assert page.evaluate("() => window.__bpKeys.pressed") == 5
    # the tooltips say so
    page.locator(f".st-key-{name.split('/')[0]}-_step").hover()
    page.get_by_text("Page Down").first.wait_for(timeout=10000)
    no_exception(page)
    page.close()


def test_keys_typed_in_text_fields_and_sidebar_widgets_do_nothing(server, browser):
    name = "compare/main"
    page = open_page(browser, server, "/compare", name)
    field = page.get_by_label("Hidden layers", exact=True)
    field.click()
    page.keyboard.press("End")
    for key in (" ", "r", "R", "ArrowRight", "PageDown"):
        page.keyboard.press(key)
    page.wait_for_timeout(800)
    assert field.input_value().endswith(" rR"), field.input_value()  # the text field got the characters
    for _ in range(3):
        page.keyboard.press("Backspace")
    assert state(page, name)["step"] == 0 and state(page, name)["playing"] is False
    page.close()

    name = "xor/main"
    page = open_page(browser, server, "/xor", name)
    seed = page.get_by_label("Seed", exact=True)  # a number input
    seed.click()
    page.keyboard.press("End")
    for key in ("7", "ArrowRight", "PageDown", " ", "r"):
        page.keyboard.press(key)
    page.wait_for_timeout(800)
    assert seed.input_value().endswith("7"), seed.input_value()  # the field got the digit
    assert state(page, name)["step"] == 0 and state(page, name)["playing"] is False
    page.keyboard.press("Backspace")
    # a modifier, or a key held down (repeats), does nothing either
    focus_nothing(page)
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Shift+R")
    page.evaluate("() => document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', repeat: true, "
                  "bubbles: true}))")
    page.wait_for_timeout(800)
    assert state(page, name)["step"] == 0
    # one real press after them: exactly one step (a late step from the keys above would show here)
    page.keyboard.press("ArrowRight")
    wait_step(page, name, 1)
    page.wait_for_timeout(1000)
    assert state(page, name)["step"] == 1, "a modifier or a repeated key pressed Step"
    # Space on a focused button presses that button (its own meaning), here Step
    button(page, "Step").focus()
    page.keyboard.press(" ")
    wait_step(page, name, 2)
    assert state(page, name)["playing"] is False
    no_exception(page)
    page.close()


def test_keys_skip_buttons_a_link_hides(server, browser):
    name = "xor/main"
    page = open_page(browser, server, "/xor?hide=play,lr,inside,curves,text", name)
    assert not page.locator(".st-key-xor-_play").is_visible()
    assert not page.locator(".st-key-xor-lr").is_visible()
    assert page.locator(".st-key-xor-_step").is_visible() and page.locator(".st-key-xor-momentum").is_visible()
    assert page.get_by_text("Look inside backprop").count() == 0
    assert page.get_by_text("No straight line separates them", exact=False).count() == 0
    assert page.evaluate("() => window.__bpLive.get('xor/main').parts") == ["status", "boundary", "hand", "weights", "layers"]
    focus_nothing(page)
    page.keyboard.press(" ")
    page.wait_for_timeout(1000)
    assert state(page, name)["playing"] is False and state(page, name)["step"] == 0  # no (visible) Play button
    page.keyboard.press("ArrowRight")
    wait_step(page, name, 1)
    assert "hide=" in page.url  # the link keeps hiding in the students' own share link
    page.close()


def discrete_image(probs: np.ndarray) -> np.ndarray:
    """Discretize output, written out: the predicted class's colour at 72 % everywhere."""
    cls = (probs[..., 1] > 0.5).astype(int)
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CLASS_COLORS], dtype=np.float64)
    return (255.0 * (1 - 0.72) + rgb[cls] * 0.72).astype(np.uint8)


def test_test_data_and_discretize_are_painted_and_share_linked(server, browser):
    from test_browser_live import python_lab

    name = "circles/main"
    params = {"hidden": "4", "testdata": "0", "discretize": "1"}
    page = open_page(browser, server, "/circles?" + "&".join(f"{k}={v}" for k, v in params.items()), name)
    for i in (1, 2):
        button(page, "Step").click()
        wait_step(page, name, i)
    lab = python_lab("circles", params, 2)
    n_test = len(lab.dataset.y_test)
    drawn = page.evaluate(f"() => window.__bpLive.get({name!r}).boundary.drawn")
    assert drawn == {"train": len(lab.dataset.y_train), "test": 0}
    legend = page.locator(".bp-legend").inner_text()
    assert "test points not shown" in legend and "○" not in legend
    got = page.evaluate(FIELD, name)
    res = got["res"]
    probs = boundary_grid(lab.net, lab.dataset.bounds, res, normalize=True)  # (res, res, 2)
    want = discrete_image(probs)
    have = np.array(got["rgba"], dtype=np.uint8).reshape(res, res, 4)[..., :3]
    diff = np.abs(have.astype(int) - want.astype(int))
    assert diff.max() <= 1, f"{(diff > 1).any(axis=2).sum()} pixels differ"  # the same class everywhere
    assert len(np.unique(have.reshape(-1, 3), axis=0)) == 2  # two flat colours
    # switch both back in the page: test points drawn, shading by confidence, the link follows
    page.locator(".st-key-circles-show_test label").first.click()  # the toggle's label (its input is covered)
    page.wait_for_function(f"() => window.__bpLive.get({name!r}).boundary.drawn.test === {n_test}", timeout=20000)
    page.locator(".st-key-circles-discretize label").first.click()
    page.wait_for_function(f"() => !window.__bpLive.get({name!r}).boundary.show.discrete", timeout=20000)
    page.wait_for_timeout(300)
    got = page.evaluate(FIELD, name)
    have = np.array(got["rgba"], dtype=np.uint8).reshape(res, res, 4)[..., :3]
    assert len(np.unique(have.reshape(-1, 3), axis=0)) > 20  # shaded again
    assert "testdata" not in page.url and "discretize" not in page.url
    assert state(page, name)["step"] == 2  # what the picture shows does not touch the run
    cfg, _ = config_from_params("circles", params)
    assert cfg.show_test is False and cfg.discretize is True
    no_exception(page)
    page.close()


def test_keys_in_projector_mode_after_reruns_and_page_changes_press_once(server, browser):
    """The classroom case: projector mode on, the clicker's "next" steps; after reruns (a button
    click, a setting changed) and after moving to another page in the same tab (the live view is
    mounted again, keys.js is not loaded again) each key press is still exactly one press."""
    page = open_page(browser, server, "/xor", "xor/main", height=768)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.get_by_text("Projector mode").first.click()
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'", timeout=10000)
    page.locator('[data-testid="stExpandSidebarButton"]').wait_for(timeout=10000)  # folded away
    page.wait_for_timeout(400)

    def open_sidebar():
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().left >= 0")
        page.wait_for_timeout(300)

    def press_steps(name, start, keys=("ArrowRight", "PageDown")):
        for i, key in enumerate(keys, 1):
            focus_nothing(page)
            page.keyboard.press(key)
            wait_step(page, name, start + i)
        page.wait_for_timeout(600)
        assert state(page, name)["step"] == start + len(keys), "a key pressed more than once"

    press_steps("xor/main", 0)
    button(page, "Step").click()  # a rerun from a click
    wait_step(page, "xor/main", 3)
    press_steps("xor/main", 3)
    focus_nothing(page)
    page.keyboard.press("r")
    wait_step(page, "xor/main", 0)
    # to Circles through the folded sidebar, as a teacher would
    open_sidebar()
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Circles").first.click()
    page.wait_for_function("() => { const v = window.__bpLive && window.__bpLive.get('circles/main');"
                           "return v && v.root.isConnected && v.status && v.status.step === 0 && !v.dirty; }",
                           timeout=60000)
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "20px"
    press_steps("circles/main", 0)
    # a setting changed (a new network from another seed, a full frame), then Space plays
    open_sidebar()  # projector mode folded it again on the new page
    page.get_by_label("Seed", exact=True).fill("3")
    page.keyboard.press("Enter")
    page.wait_for_function("() => { const v = window.__bpLive.get('circles/main');"
                           "return v.root.isConnected && v.status && v.status.step === 0 && !v.dirty; }",
                           timeout=60000)
    press_steps("circles/main", 0, ("PageDown",))
    focus_nothing(page)
    page.keyboard.press(" ")
    wait_playing(page, "circles/main", True)
    focus_nothing(page)
    page.keyboard.press(" ")
    wait_playing(page, "circles/main", False)
    assert page.evaluate("() => window.__bpKeys.pressed") == 10
    no_exception(page)
    page.close()
