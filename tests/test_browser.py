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

    page.get_by_role("button", name=re.compile("play", re.I)).first.click()
    changes, seen = _count_changes(page, sel, 3.0)
    assert page.evaluate(SIG, sel) != start, "the picture did not change while playing"
    assert changes >= 5, f"only {changes} picture updates in 3 s of play"
    _no_exception(page)
    (ROOT / "shots").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "shots" / f"test-{path}-playing.png"))

    page.get_by_role("button", name=re.compile("pause", re.I)).first.click()
    page.get_by_role("button", name=re.compile("play", re.I)).first.wait_for(timeout=5000)
    page.wait_for_timeout(700)
    after, _ = _count_changes(page, sel, 1.0)
    assert after == 0, f"the picture kept changing after Pause ({after} updates)"
    _no_exception(page)
    page.close()
