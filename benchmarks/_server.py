"""Shared helpers for the browser benchmarks: start/stop `streamlit run`, read the server's
memory and CPU from /proc (no psutil), open headless Chromium, count visible picture changes
in-page, and a TCP proxy that adds a network round trip (a hosted share link)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
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
  const step = () => { const s = document.querySelector('.bp-status');
    const m = s && s.textContent.match(/step\\s*([\\d,]+)/i); return m ? +m[1].replace(/,/g, '') : null; };
  let last = sig(), n = 0; const step0 = step(), t0 = performance.now();
  const mo = new MutationObserver(() => { const s = sig(); if (s !== null && s !== last) { n++; last = s; } });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true });
  setTimeout(() => { mo.disconnect(); const s1 = step();
    resolve({ frames: n, steps: step0 === null || s1 === null ? null : s1 - step0,
              ms: performance.now() - t0 }); }, ms);
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


class DelayProxy:
    """A TCP proxy on 127.0.0.1 that delays every byte by ``rtt_ms / 2`` in each direction, so
    any request/response - HTTP *and* the app's WebSocket messages - takes ``rtt_ms`` longer
    (Chrome's DevTools network emulation, used by shoot.py, does not delay WebSocket frames).
    Order is kept; no bandwidth limit. Use as a context manager: ``with DelayProxy(url, 100) as
    purl`` gives the URL to open instead of ``url``."""

    def __init__(self, target_url: str, rtt_ms: float):
        self.target_port = int(target_url.rsplit(":", 1)[1])
        self.delay = rtt_ms / 2000.0
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _pipe(self, reader, writer):
        queue: asyncio.Queue = asyncio.Queue()

        async def receive():
            while True:
                try:
                    data = await reader.read(65536)
                except OSError:
                    data = b""
                queue.put_nowait((self.loop.time() + self.delay, data))
                if not data:
                    return

        async def send():
            while True:
                due, data = await queue.get()
                wait = due - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    try:
                        writer.close()
                    except OSError:
                        pass
                    return
                try:
                    writer.write(data)
                    await writer.drain()
                except OSError:
                    return

        await asyncio.gather(receive(), send())

    async def _client(self, c_reader, c_writer):
        try:
            s_reader, s_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            c_writer.close()
            return
        try:
            await asyncio.gather(self._pipe(c_reader, s_writer), self._pipe(s_reader, c_writer),
                                 return_exceptions=True)
        except asyncio.CancelledError:  # shutting down: end quietly
            for w in (c_writer, s_writer):
                w.transport.abort()

    def __enter__(self) -> str:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._client, "127.0.0.1", self.port), self.loop).result(10)
        return f"http://127.0.0.1:{self.port}"

    async def _shutdown(self):
        self.server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc):
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            if not self.thread.is_alive():
                self.loop.close()


def add_latency(page, ms: int) -> None:
    """Emulate a round trip with Chrome DevTools network emulation (as shoot.py does). Note:
    it delays HTTP requests but not WebSocket messages; DelayProxy delays both."""
    if ms:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": ms,
                                                      "downloadThroughput": -1, "uploadThroughput": -1})


def press(page, name: str) -> None:
    import re

    page.get_by_role("button", name=re.compile(name, re.IGNORECASE)).first.click()


def warn_if_busy() -> float:
    """Print a warning when other work loads the machine (numbers would be unreliable); -> load."""
    load1 = os.getloadavg()[0]
    if load1 > 0.75 * (os.cpu_count() or 1):
        print(f"warning: the machine is busy before the benchmark starts (load average {load1:.1f} on "
              f"{os.cpu_count()} cores); the numbers below are unreliable", file=sys.stderr, flush=True)
    return load1


class OtherLoad:
    """CPU that processes *not* started by this benchmark used while it measured, in cores:
    the whole machine's busy time (/proc/stat) minus this process tree's (server, browser).
    Above ~0.3 cores the measurement was disturbed by other work on the machine."""

    def __init__(self):
        self.t0, self.busy0, self.own0 = time.monotonic(), self._busy(), cpu_seconds(os.getpid())

    @staticmethod
    def _busy() -> float:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / os.sysconf("SC_CLK_TCK")

    def cores(self) -> float:
        wall = max(time.monotonic() - self.t0, 1e-9)
        return max(0.0, (self._busy() - self.busy0) - (cpu_seconds(os.getpid()) - self.own0)) / wall
