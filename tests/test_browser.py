"""A real headless Chromium session (Playwright) against `streamlit run app.py`: every page
opens without an exception box, Play makes the picture change, Pause stops it.

Needs Debian's chromium at /usr/bin/chromium and the playwright package. Locally the test is
skipped when they are missing; CI sets BACKPROP_REQUIRE_BROWSER=1 so that it fails instead.
Screenshots of every page go to shots/ (git-ignored) to look at.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run"]
REQUIRED = os.environ.get("BACKPROP_REQUIRE_BROWSER") == "1"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if sync_playwright is None or not Path(CHROMIUM).exists():
    if REQUIRED:
        raise RuntimeError("browser test required but playwright or /usr/bin/chromium is missing")
    pytest.skip("playwright or Debian chromium not installed", allow_module_level=True)

# the picture that animates on each page: the boundary SVG, or MNIST's first-layer tiles
PICTURE = {"xor": ".bp-boundary image", "circles": ".bp-boundary image", "more-2d": ".bp-boundary image",
           "mnist": "img[alt='first-layer weights']"}
SIG = """sel => { const e = document.querySelector(sel); if (!e) return null;
  const s = e.getAttribute('href') || e.getAttribute('src') || ''; return s.length + ':' + s.slice(-80); }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    log = open(ROOT / "shots" / "browser-test-server.log", "w") if (ROOT / "shots").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("streamlit did not answer /_stcore/health within 30 s")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _count_changes(page, sel: str, seconds: float) -> tuple[int, set]:
    seen, last, changes = set(), None, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sig = page.evaluate(SIG, sel)
        if sig:
            seen.add(sig)
            if last is not None and sig != last:
                changes += 1
            last = sig
        page.wait_for_timeout(30)
    return changes, seen


def _no_exception(page):
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()[:500]


def test_intro_page_opens(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/")
    page.wait_for_selector("h1:has-text('Backprop playground')", timeout=30000)
    _no_exception(page)
    (ROOT / "shots").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "shots" / "test-intro.png"))
    page.close()


@pytest.mark.parametrize("path", list(PICTURE))
def test_play_changes_the_picture_and_pause_stops_it(server, browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{path}")
    sel = PICTURE[path]
    page.wait_for_selector(sel, state="attached", timeout=60000)
    page.wait_for_timeout(800)
    _no_exception(page)
    before, _ = _count_changes(page, sel, 1.0)
    assert before == 0, "the picture changes before Play is pressed"
    start = page.evaluate(SIG, sel)

    page.get_by_role("button", name=re.compile("play", re.IGNORECASE)).first.click()
    changes, seen = _count_changes(page, sel, 3.0)
    assert page.evaluate(SIG, sel) != start, "the picture did not change while playing"
    assert changes >= 5, f"only {changes} picture updates in 3 s of play"
    _no_exception(page)
    (ROOT / "shots").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "shots" / f"test-{path}-playing.png"))

    page.get_by_role("button", name=re.compile("pause", re.IGNORECASE)).first.click()
    page.get_by_role("button", name=re.compile("play", re.IGNORECASE)).first.wait_for(timeout=5000)
    page.wait_for_timeout(700)
    after, _ = _count_changes(page, sel, 1.0)
    assert after == 0, f"the picture kept changing after Pause ({after} updates)"
    _no_exception(page)
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
    page.wait_for_selector(PICTURE["mnist"], state="attached", timeout=60000)
    page.get_by_role("button", name=re.compile("step epoch", re.IGNORECASE)).first.click()  # a trained model
    page.wait_for_function("() => !document.body.innerText.includes('EPOCH\\n0')", timeout=60000)
    page.get_by_role("tab", name="Draw a digit").click()
    page.wait_for_selector(".bp-canvas canvas", timeout=30000)
    assert page.get_by_text("Nothing drawn yet").count() == 1
    _draw_seven(page)
    page.get_by_text("Class probabilities").wait_for(timeout=30000)
    page.locator("img[alt='your digit, MNIST-style']").wait_for(timeout=10000)
    _no_exception(page)
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
    page.wait_for_selector(PICTURE["more-2d"], state="attached", timeout=60000)
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
    assert page.get_by_text("cat train").count() >= 1  # the legend uses the file's class names
    _no_exception(page)
    page.screenshot(path=str(ROOT / "shots" / "test-more2d-csv.png"))
    page.close()


def test_hidden_space_3d_rotates(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{server}/circles?hidden=3")
    page.wait_for_selector(PICTURE["circles"], state="attached", timeout=60000)
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
