"""Shared helpers for the browser benchmarks: start/stop `streamlit run`, read the server's
memory and CPU from /proc, open headless Chromium, count visible picture changes in-page."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
# the picture that animates on each page
PICTURE = {"xor": ".bp-boundary image", "circles": ".bp-boundary image", "more-2d": ".bp-boundary image",
           "mnist": "img[alt='first-layer weights']"}

# In-page counter: polls the picture's signature every animation frame (no round trips), so
# it sees every frame the browser actually had on screen.
COUNT_JS = """([sel, ms]) => new Promise(resolve => {
  const sig = () => { const e = document.querySelector(sel); if (!e) return null;
    const s = e.getAttribute('href') || e.getAttribute('src') || ''; return s.length + ':' + s.slice(-64); };
  const charts = () => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas, '
    + '[data-testid="stVegaLiteChart"] svg')).map(c => c.tagName === 'CANVAS' ? c.toDataURL().length
    + ':' + c.toDataURL().slice(-32) : c.innerHTML.length).join('|');
  let last = null, n = 0, lastC = null, nc = 0, lastCheck = 0; const times = [];
  const t0 = performance.now();
  const tick = () => {
    const now = performance.now(), s = sig();
    if (s !== null && last !== null && s !== last) { n++; times.push(now - t0); }
    if (s !== null) last = s;
    if (now - lastCheck > 100) { lastCheck = now; const c = charts();
      if (lastC !== null && c !== lastC) nc++; lastC = c; }
    if (now - t0 < ms) requestAnimationFrame(tick); else resolve({ frames: n, chartChanges: nc, times });
  };
  tick();
})"""


# The same count for pages that are not in front (many sessions in one browser): background
# tabs get no animation frames, but DOM updates still arrive, so a MutationObserver counts them.
COUNT_MO_JS = """([sel, ms]) => new Promise(resolve => {
  const sig = () => { const e = document.querySelector(sel); if (!e) return null;
    const s = e.getAttribute('href') || e.getAttribute('src') || ''; return s.length + ':' + s.slice(-64); };
  let last = sig(), n = 0;
  const mo = new MutationObserver(() => { const s = sig(); if (s !== null && s !== last) { n++; last = s; } });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true });
  setTimeout(() => { mo.disconnect(); resolve({ frames: n }); }, ms);
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str = "app.py", cwd: Path = ROOT, port: int | None = None, wait: bool = True):
    """-> (process, url). The server is bound to 127.0.0.1 only."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    if wait:
        wait_healthy(url)
    return proc, url


def wait_healthy(url: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not become healthy in {timeout:.0f} s")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _children(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [c for k in f.read().split() for c in _children(int(k))]
    except OSError:
        pass
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children, MB."""
    total = 0
    for p in _children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its children so far, seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _children(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / tick


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def add_latency(page, ms: int) -> None:
    """Emulate a hosted link's round trip (Chrome DevTools network emulation)."""
    if ms:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": ms,
                                                      "downloadThroughput": -1, "uploadThroughput": -1})


def press(page, name: str) -> None:
    import re

    page.get_by_role("button", name=re.compile(name, re.IGNORECASE)).first.click()
