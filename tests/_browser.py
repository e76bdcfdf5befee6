"""Shared by the browser tests: Debian's Chromium through Playwright against `streamlit run
app.py`, and the in-page readers of the live view (static/live/main.js exposes its views as
``window.__bpLive``, a Map from a view name such as "xor/main" to its state and canvases).

Locally the browser tests are skipped when playwright or /usr/bin/chromium is missing; CI
sets BACKPROP_REQUIRE_BROWSER=1 so that they fail instead.
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


def require_browser() -> None:
    """Call at the top of a browser test module."""
    if sync_playwright is None or not Path(CHROMIUM).exists():
        if REQUIRED:
            raise RuntimeError("browser test required but playwright or /usr/bin/chromium is missing")
        pytest.skip("playwright or Debian chromium not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    """-> (process, url) of `streamlit run app.py` on a free local port, once healthy."""
    port = free_port()
    (ROOT / "shots").mkdir(exist_ok=True)
    log = open(ROOT / "shots" / f"browser-test-server-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("streamlit did not answer /_stcore/health within 30 s")


def no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()[:500]


def button(page, name: str):
    return page.get_by_role("button", name=re.compile(f"^{re.escape(name)}$", re.IGNORECASE)).first


# ----------------------------------------------------------------------------- the live view
VIEW = """name => { const v = window.__bpLive && window.__bpLive.get(name);
  if (!v || !v.status) return null;
  return { frames: v.frames, paints: v.paints, status: v.status, points: v.hist ? v.hist.step.length : 0,
           lastStep: v.hist && v.hist.step.length ? v.hist.step[v.hist.step.length - 1] : null,
           dirty: !!v.dirty }; }"""

# every pixel of the boundary's field canvas (one pixel per grid point) and the line segments
FIELD = """name => { const b = window.__bpLive.get(name).boundary, r = b.last.res;
  const d = b.field.getContext('2d').getImageData(0, 0, r, r).data;
  return { res: r, rgba: Array.from(d), segments: b.last.segments, size: b.size,
           dpr: b.line.width / b.size }; }"""

# alpha of the line canvas at CSS pixel positions [[x, y], ...]
LINE_ALPHA = """([name, pts]) => { const b = window.__bpLive.get(name).boundary, k = b.line.width / b.size;
  const ctx = b.line.getContext('2d');
  return pts.map(([x, y]) => { const d = ctx.getImageData(Math.max(0, Math.round(x * k) - 1),
      Math.max(0, Math.round(y * k) - 1), 3, 3).data; let m = 0; for (let i = 3; i < d.length; i += 4) m = Math.max(m, d[i]);
    return m; }); }"""

# the parameters the view received (what it draws from)
WEIGHTS = """name => { const n = window.__bpLive.get(name).net;
  return { W: n.W.map(w => w ? Array.from(w) : null), b: n.b.map(b => Array.from(b)) }; }"""

HEATMAP_PIXELS = """name => window.__bpLive.get(name).heatmaps.blocks.map(blk =>
  Array.from(blk.canvas.getContext('2d').getImageData(0, 0, blk.canvas.width, blk.canvas.height).data))"""

# Counted in the page at every animation frame for `ms`: changes of the field (or tiles)
# canvas content, heatmap repaints, curve points, chart redraws.
WATCH = """([name, ms]) => new Promise(resolve => {
  const v = window.__bpLive.get(name);
  const canvas = () => v.boundary ? v.boundary.field : v.tiles.canvas;
  const sig = () => { const c = canvas(); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0; return h; };
  let last = sig(), changes = 0; const p0 = v.paints, n0 = v.hist.step.length, s0 = v.status.step, t0 = performance.now();
  const tick = () => { const s = sig(); if (s !== last) { changes++; last = s; }
    if (performance.now() - t0 < ms) requestAnimationFrame(tick);
    else { const p1 = v.paints, d = {}; for (const k in p1) d[k] = p1[k] - p0[k];
      resolve({ changes, paints: d, points: v.hist.step.length - n0, steps: v.status.step - s0,
                seconds: (performance.now() - t0) / 1000 }); } };
  requestAnimationFrame(tick); })"""


def wait_view(page, name: str, timeout: float = 60) -> dict:
    page.wait_for_function(f"() => ({VIEW})({name!r}) !== null", timeout=timeout * 1000)
    return page.evaluate(VIEW, name)


def wait_step(page, name: str, step: int, timeout: float = 30) -> dict:
    """Until the view shows ``step`` and has painted it."""
    page.wait_for_function(f"() => {{ const s = ({VIEW})({name!r}); return s && s.status.step === {step} && !s.dirty; }}",
                           timeout=timeout * 1000)
    page.wait_for_timeout(100)  # one more animation frame
    return page.evaluate(VIEW, name)

# every chart of a view, by its name ("loss", "acc", "delta", "ratio"): the data uPlot holds
# (what it drew last: [x, series...], NaN/undefined as null) and whether the "Press Play or Step"
# placeholder shows. Single views keep their charts in .curves and .layers, Compare in .charts.
CHARTS = """name => { const v = window.__bpLive.get(name);
  const list = v.charts || [...(v.curves ? v.curves.charts : []), ...(v.layers ? v.layers.charts : [])];
  const out = {};
  for (const c of list) out[c.el.dataset.bp] = {
    data: c.u ? c.u.data.map(a => Array.from(a, x => (x == null || Number.isNaN(x)) ? null : x)) : [],
    placeholder: !!(c.empty && !c.empty.hidden) };
  return out; }"""


def wait_charts(page, name: str, steps: list, timeout: float = 8) -> dict:
    """The view's charts once their x data is ``steps`` (or, after ``timeout`` s, as they are:
    the caller's assertion then says what differs). Charts redraw at most 15 times a second."""
    want = repr(list(steps))
    try:
        page.wait_for_function(
            f"() => {{ const c = ({CHARTS})({name!r}), w = {want}; const all = Object.values(c);"
            "return all.length > 0 && all.every(x => (x.data[0] || []).length === w.length"
            " && (x.data[0] || []).every((s, i) => s === w[i])); }", timeout=timeout * 1000)
    except Exception:  # noqa: BLE001 - a timeout: return what is drawn, the assertion explains
        pass
    return page.evaluate(CHARTS, name)
