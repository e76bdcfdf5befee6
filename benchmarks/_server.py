"""Shared helpers for the browser benchmarks: start/stop `streamlit run`, read the server's
memory and CPU from /proc (no psutil), open headless Chromium, count visible picture changes
in-page (through the live view's window.__bpLive), count WebSocket bytes (CDP), and a TCP
proxy that adds a network round trip (a hosted share link)."""
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
# The live view (static/live/main.js) registers every view in window.__bpLive: name -> View,
# with .frames (server messages processed), .paints ({boundary, heatmaps, tiles, curves,
# layers} repaint counts), .status and the canvases. View names are "<page>/main" (page ids
# of ui/config.py: xor, circles, more2d, mnist). The animated picture is the boundary's field
# canvas (72 x 72, one pixel per grid point) on the 2-D pages and the tiles canvas on MNIST.
VIEW = {"xor": "xor/main", "circles": "circles/main", "more-2d": "more2d/main", "mnist": "mnist/main",
        "regression": "regression/main", "curve": "curve/main"}
CANVAS = {"xor": "field", "circles": "field", "more-2d": "field", "mnist": "tiles", "regression": "field",
          "curve": "curve"}  # the curve-fitting page's picture: its one canvas (static/live/curve.js)

# In-page helpers shared by the counting scripts. A target is {view, canvas} for the app or
# {stub: true} for benchmarks/stub_app.py. __probe(t) -> {sig, heat, frames, step, paints}:
# sig is a cheap hash of the picture's pixels (every 7th byte of getImageData), or the stub's
# frame number; heat the same for the weight heatmaps; frames the messages the view processed.
# __afterFrames(cb) calls cb(time of the animation frame) once per animation frame, at the
# end of that frame's requestAnimationFrame callbacks, before it is painted: the state cb
# sees is what the frame puts on screen. (A ResizeObserver on a 1-px box whose width the
# rAF callback toggles: its notifications come after all rAF callbacks and layout. Sampled
# inside our own rAF callback, it would run before the view's rAF paint and could see a state
# that never reaches the screen: a full frame resizes, hence clears, the field canvas until
# the paint later in the same animation frame; sampled after the frame, a message handled in
# between could do the same.) cb returns false to stop.
PROBE_JS = """
const __hash = (c, h = 0x811c9dc5) => { if (!c || !c.width || !c.height) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i], 16777619);
  return h; };
const __probe = t => {
  if (t.stub) { const e = document.querySelector('.stub-frame'); if (!e) return null;
    const n = +e.textContent; return { sig: n, heat: null, frames: n, step: n, paints: {} }; }
  const v = window.__bpLive && window.__bpLive.get(t.view); if (!v || !v.frames) return null;
  const c = t.canvas === 'tiles' ? (v.tiles && v.tiles.canvas)
    : t.canvas === 'curve' ? (v.curve && v.curve.canvas) : (v.boundary && v.boundary.field);
  let heat = null;
  if (v.heatmaps) { heat = 0x811c9dc5; for (const b of v.heatmaps.blocks) heat = __hash(b.canvas, heat); }
  return { sig: __hash(c), heat, frames: v.frames, step: v.status ? v.status.step : null,
           loss: v.status ? v.status.loss : null, paints: v.paints }; };
const __afterFrames = cb => { const box = document.createElement('div');
  box.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;visibility:hidden;pointer-events:none';
  document.body.appendChild(box);
  let t = 0, w = 1, go = true;
  const ro = new ResizeObserver(() => { if (!go || !t) return;
    if (cb(t) === false) { go = false; ro.disconnect(); box.remove(); } });
  const tick = () => { if (!go) return; t = performance.now(); w = 3 - w; box.style.width = `${w}px`;
    requestAnimationFrame(tick); };
  ro.observe(box); requestAnimationFrame(tick); };
"""

# Count visible changes for ``ms`` ms: the picture's hash after every animation frame (no
# Playwright round trips in the loop, so it sees what the browser had at each of its frames).
COUNT_JS = "([t, ms]) => new Promise(resolve => {" + PROBE_JS + """
  const first = __probe(t); let last = first && first.sig, lastHeat = first && first.heat;
  let n = 0, nh = 0, rafs = 0; const times = [], t0 = performance.now();
  __afterFrames(now => { const p = __probe(t); rafs++;
    if (p && p.sig !== null) { if (last !== null && p.sig !== last) { n++; times.push(now - t0); } last = p.sig; }
    if (p && p.heat !== null) { if (lastHeat !== null && p.heat !== lastHeat) nh++; lastHeat = p.heat; }
    if (now - t0 < ms) return true;
    resolve({ changes: n, heatChanges: nh, rafs, times, start: first, end: p, ms: now - t0 }); return false; });
})"""

# The same, started without waiting: the result lands in window.__bpRes (many pages at once).
START_COUNT_JS = ("([t, ms]) => { window.__bpRes = null; (" + COUNT_JS + ")([t, ms])"
                  ".then(r => { window.__bpRes = r; }); }")

# -> the probe now (or null before the view exists)
PROBE_NOW_JS = "t => {" + PROBE_JS + " return __probe(t); }"


def target(page: str | None) -> dict:
    """The COUNT_JS target of a benchmark page name (None: the stub)."""
    return {"stub": True} if page is None else {"view": VIEW[page], "canvas": CANVAS[page]}


def wait_view(page, t: dict, timeout: float = 60000) -> None:
    """Until the view (or the stub's frame counter) has received and drawn its first frame."""
    page.wait_for_function("t => {" + PROBE_JS + " const p = __probe(t); return p && p.sig !== null; }",
                           arg=t, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str = "app.py", cwd: Path = ROOT, port: int | None = None, wait: bool = True,
          log: Path | None = None):
    """-> (process, url). The server is bound to 127.0.0.1 only. With ``log``, its output
    (tracebacks included) goes to that file; see errors_in()."""
    port = port or free_port()
    out = open(log, "w") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.address",
             "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=cwd, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    finally:
        if log:
            out.close()
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


def errors_in(log: Path, limit: int = 3) -> list[str]:
    """The last lines of the first ``limit`` tracebacks in a server log (the app shows visitors
    only a generic error box; the details are in the log)."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return []
    out = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j, where = i + 1, ""
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                if lines[j].startswith("  File "):
                    where = lines[j].strip()
                j += 1
            if j < len(lines):
                out.append(f"{lines[j].strip()} ({where})")
    return out[:limit]


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


class WsBytes:
    """WebSocket bytes the page receives, from a CDP session (Network.webSocketFrameReceived):
    binary frames (opcode 2) come base64-encoded, so a binary frame counts its decoded length,
    a text frame its UTF-8 length. Counts only between start() and stop(). (Events are
    delivered while Playwright waits on any call, in the order the browser sent them.) The
    Network domain may be enabled on an open connection; close() disables it again, so the
    payloads stop travelling to this process (~1.4 MB/s on MNIST) outside the window."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.on, self.bytes, self.messages = False, 0, 0
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def _frame(self, event: dict) -> None:
        if not self.on:
            return
        r = event.get("response", {})
        data = r.get("payloadData", "")
        if r.get("opcode") == 2:
            n = len(data) * 3 // 4 - (2 if data.endswith("==") else 1 if data.endswith("=") else 0)
        else:
            n = len(data.encode())
        self.bytes += n
        self.messages += 1

    def start(self) -> None:
        self.bytes = self.messages = 0
        self.on = True

    def stop(self) -> None:
        self.on = False

    def close(self) -> None:
        self.on = False
        self.cdp.send("Network.disable")
        self.cdp.detach()


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
