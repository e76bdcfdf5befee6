"""Lessons on a classroom projector (issue 17), in a real browser at 1024 x 768.

A teacher switches projector mode on, opens a lesson from the Lessons page, and the page it
lands on must be projected at once (20 px root font, sidebar folded, the way back offered),
show the lesson's "what to watch / ask / you should see" text on screen beside the picture,
and keep the floating "Leave projector mode" button off the picture, the charts and the text.
Every lesson is opened this way, each through the Lessons page, in one browser tab.
"""
from __future__ import annotations

import pytest
from _browser import no_exception, require_browser

from ui.lessons import LESSONS

require_browser()

W, H = 1024, 768
VIEW_OF = {"xor": "xor/main", "circles": "circles/main", "more2d": "more2d/main", "mnist": "mnist/main",
           "regression": "regression/main", "curve": "curve/main"}

# rectangles (viewport px) of what must stay visible: the picture (boundary square or MNIST's
# tiles), every chart and heatmap of the page's live views, the lesson box, the leave button
GEOMETRY = """() => {
  const r = (e) => { if (!e) return null; const b = e.getBoundingClientRect();
    return b.width && b.height ? [b.left, b.top, b.right, b.bottom] : null; };
  const views = [...(window.__bpLive || new Map()).values()].filter(v => v.root && v.root.isConnected);
  const pictures = views.flatMap(v => [v.boundary && v.boundary.box, v.tiles && v.tiles.canvas, v.curve && v.curve.canvas])
    .filter(Boolean).map(r);
  const charts = views.flatMap(v => [...v.root.querySelectorAll('.bp-chart, .bp-hm canvas')]).map(r).filter(Boolean);
  const header = document.querySelector('[data-testid="stHeader"]');
  const side = document.querySelector('[data-testid="stSidebar"]');
  return { font: getComputedStyle(document.documentElement).fontSize, pictures, charts,
           box: r(document.querySelector('.st-key-lesson_box')),
           leave: r(document.querySelector('.st-key-leave_projector button')),
           header: r(header), sidebar: side ? r(side) : null,
           scrollY: Math.max(window.scrollY, ...[...document.querySelectorAll('[data-testid="stMain"], '
             + '[data-testid="stAppViewContainer"]')].map(e => e.scrollTop)),
           width: document.documentElement.scrollWidth }; }"""


def overlap(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def to_lessons(page) -> None:
    """Back to the Lessons page as a teacher would with the sidebar folded: open it, click."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count():  # Streamlit shows it only while the sidebar is folded (projector mode)
        expand.first.click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().left >= 0")
        page.wait_for_timeout(300)  # the slide-in animation ends
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Lessons").first.click()
    page.locator("h1", has_text="Lessons").wait_for(timeout=20000)


@pytest.fixture(scope="module")
def projected(server, browser):
    """One tab at 1024 x 768 on the Lessons page with projector mode switched on there."""
    page = browser.new_page(viewport={"width": W, "height": H})
    page.goto(server + "/lessons")
    page.locator("h1", has_text="Lessons").wait_for(timeout=30000)
    page.get_by_text("Projector mode").first.click()
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'", timeout=10000)
    page.locator('[data-testid="stExpandSidebarButton"]').wait_for(timeout=10000)  # folded away
    page.wait_for_timeout(400)
    yield page
    page.close()


@pytest.mark.parametrize("lesson", LESSONS, ids=[ls.key for ls in LESSONS])
def test_a_lesson_opened_in_projector_mode_is_projected_with_its_text_beside_the_picture(projected, lesson):
    page = projected
    to_lessons(page)
    page.locator(f".st-key-lesson-{lesson.key} button").click()
    name = VIEW_OF[lesson.page]
    # the graph is drawn in the main live view; like the other panels it sits beside the picture
    view = name.replace("main", "left") if lesson.panel not in (None, "graph") else name
    beside = lesson.panel is not None
    page.wait_for_function(f"() => {{ const v = window.__bpLive && window.__bpLive.get({view!r});"
                           "return v && v.root.isConnected && v.status && v.status.step === 0 && !v.dirty; }",
                           timeout=60000)
    page.wait_for_timeout(700)  # layout settles (fonts, ResizeObservers); no click in between
    no_exception(page)
    g = page.evaluate(GEOMETRY)
    page.screenshot(path=f"shots/test-lesson-projector-{lesson.key}.png")
    # projected at once, not after the next click
    assert g["font"] == "20px", f"{lesson.key}: the page opened at {g['font']}, not projector size"
    assert g["sidebar"] is None or g["sidebar"][2] <= 1, f"{lesson.key}: the sidebar is open: {g['sidebar']}"
    assert page.locator('[data-testid="stExpandSidebarButton"]').count() == 1, f"{lesson.key}: the sidebar is open"
    assert page.get_by_role("button", name="Leave projector mode").is_visible(), lesson.key
    # the lesson's text, on this page, all of it on the 1024 x 768 screen
    box = page.locator(".st-key-lesson_box")
    assert box.count() == 1, f"{lesson.key}: no lesson box on the page it opened"
    text = box.inner_text()
    for part in (f"Lesson {LESSONS.index(lesson) + 1} · {lesson.title}", lesson.watch.split(".")[0].replace("*", ""),
                 lesson.question.split("?")[0],
                 lesson.expect.split(".")[0].replace("*", "")):
        assert part in text, f"{lesson.key}: {part!r} is not in the lesson box ({text[:300]!r})"
    assert g["scrollY"] == 0 and g["width"] <= W, g
    b = g["box"]
    assert b[0] >= 0 and b[1] >= 0 and b[2] <= W and b[3] <= H, f"{lesson.key}: the lesson box is off screen: {b}"
    # the picture is on screen too, and nothing covers anything. With a right panel (Neurons,
    # Hidden space) the status line wraps in the narrower left column and the panel's picker takes
    # a row: there the panel and the picture's upper part are on the first screen
    assert g["pictures"], f"{lesson.key}: no picture drawn"
    pic = g["pictures"][0]
    if not beside:
        assert pic[3] <= H and pic[1] >= 0, f"{lesson.key}: the picture {pic} runs off the {W} x {H} screen"
    else:
        assert 0 <= pic[1] <= H - 150, f"{lesson.key}: the picture {pic} starts too low on the {W} x {H} screen"
    assert not overlap(b, pic), (lesson.key, b, pic)
    leave = g["leave"]
    for what, rect in [("lesson box", b), *(("picture", p) for p in g["pictures"]), *(("chart", c) for c in g["charts"])]:
        assert not overlap(leave, rect), f"{lesson.key}: 'Leave projector mode' {leave} covers the {what} {rect}"
    # scrolled down to the charts the button stays in the header band, which content passes under
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(300)
    g2 = page.evaluate(GEOMETRY)
    hd, lv = g2["header"], g2["leave"]
    assert hd and lv and lv[1] >= hd[1] and lv[3] <= hd[3], f"{lesson.key}: the button {lv} leaves the header {hd}"
    page.mouse.wheel(0, -2000)


# every text the visitor can read: the document and the live views' shadow roots, with typeset
# math (KaTeX, whose hidden MathML keeps the TeX source) left out
PAGE_TEXT = """() => {
  const hide = '.katex { display: none !important; }', roots = [document];
  document.querySelectorAll('*').forEach(e => { if (e.shadowRoot) roots.push(e.shadowRoot); });
  const styles = roots.map(r => { const s = document.createElement('style'); s.textContent = hide;
    (r === document ? document.head : r).appendChild(s); return s; });
  const text = [document.body.innerText, ...roots.slice(1).flatMap(r => [...r.children].map(c => c.innerText || ''))].join('\\n');
  styles.forEach(s => s.remove());
  return { text, math: document.querySelectorAll('.katex').length }; }"""

PAGES = [("Start here", "Backprop playground", None), ("Lessons", "Lessons", None), ("XOR", "XOR", "xor/main"),
         ("Circles", "Circles", "circles/main"), ("More 2-D data", "More 2-D data", "more2d/main"),
         ("MNIST digits", "MNIST digits", "mnist/main"), ("Compare", "Compare", "compare/main"),
         ("Regression", "Regression", "regression/main"), ("Curve fitting", "Curve fitting", "curve/main")]


def test_no_page_shows_raw_latex_in_the_browser(server, browser):
    """Every page, opened through the navigation of one session."""
    from test_visible_text import raw_latex

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/")
    for link, title, view in PAGES:
        page.locator('[data-testid="stSidebarNavLink"]', has_text=link).first.click()
        page.locator("h1", has_text=title).first.wait_for(timeout=30000)
        if view:
            page.wait_for_function(f"() => {{ const v = window.__bpLive && window.__bpLive.get({view!r});"
                                   "return v && v.root.isConnected && v.status; }", timeout=30000)
        if link == "Start here":  # KaTeX typesets after the markdown mounts
            page.wait_for_function("() => document.querySelectorAll('.katex').length >= 4", timeout=10000)
        page.wait_for_timeout(300)
        got = page.evaluate(PAGE_TEXT)
        assert len(got["text"]) > 200, (link, got["text"][:200])
        assert not raw_latex(got["text"]), (link, raw_latex(got["text"]))
        if link == "Start here":
            assert got["math"] >= 4, "the intro's formulas and the conventions caption are typeset"
        no_exception(page)
    page.close()
