"""Live view in a real browser, per page, against a stub: after pressing Play, how often the
main picture visibly changes (the decision boundary on the 2-D pages, the first-layer tiles on
MNIST), how many frames the browser receives, how often the heatmaps, the delta chart and the
loss chart redraw, the server's CPU per visible frame (and as a multiple of the stub's CPU per
frame), WebSocket bytes per frame, and how soon Pause stops the picture.

    python benchmarks/bench_browser.py                    # stub + all pages, 6 s of play each
    python benchmarks/bench_browser.py --latency 100      # everything through a 100 ms round-trip proxy
    python benchmarks/bench_browser.py --pages xor --seconds 10 --pauses 5

The stub (benchmarks/stub_app.py) is the cheapest live loop Streamlit allows: one ~2 KB
st.markdown per frame at 25 Hz from an @st.fragment loop shaped like ui/live.py. Its server
CPU per frame is the yardstick. It runs on its own server first, then the app's server.

Counting happens inside the page at every requestAnimationFrame, with no Playwright round
trips in the loop: a picture update is a change of a cheap hash of the picture's pixels (the
boundary's 72x72 field canvas; MNIST's tiles canvas; every 7th byte of getImageData); frames
received and repaints come from the live view's counters (window.__bpLive, static/live/main.js;
the curves and the layer charts count one paint per chart, 2 charts each, so they are halved).
Server CPU is the server process's utime + stime (incl. children) from /proc over the play
window. WebSocket bytes: a CDP session counts Network.webSocketFrameReceived payloads (binary
frames decoded from base64) over the same window, divided by the frames the view received
(its .frames counts the frames the page rendered; when the browser falls behind, frames sent
meanwhile are superseded and never rendered, so bytes per WebSocket message is shown too).
--latency N sends every byte (HTTP and WebSocket) through a TCP proxy adding N ms round trip.

Targets: XOR (2-8-8-2) >= 30 picture updates/s; XOR heatmaps, delta chart and loss chart each
>= 10 updates/s; XOR server CPU per visible frame <= 4x the stub's CPU per frame; XOR
WebSocket bytes per frame <= 3 KB; MNIST >= 20 tile updates/s and server CPU per frame <= 15x
the stub's; Pause: picture stopped and button reading Play within 300 ms (worst trial) on every
page; no exception box. Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server as srv

sys.path.insert(0, str(srv.ROOT))
from ui.config import PAGE_DEFAULTS  # steps per frame of each page

STUB = "benchmarks/stub_app.py"
STUB_SECONDS = 12.0  # the stub's play window at least
# (name, path): XOR with hidden=8,8 is the 2-8-8-2 net of the target (also its default)
PAGES = [("xor", "/xor?hidden=8,8"), ("circles", "/circles"), ("more-2d", "/more-2d"), ("mnist", "/mnist"),
         ("regression", "/regression?data=reg-gauss"), ("curve", "/curve-fitting")]
KB = 1024

# Pause: watch from before the click; the click time is taken from the pointerdown event. The
# result (ms after the click: the picture's last change, the button reading "Play" again;
# changes after that; frames received after the click) lands in window.__bpPause.
PAUSE_JS = "([t, ms]) => {" + srv.PROBE_JS + """
  window.__bpPause = null;
  const p0 = __probe(t); let last = p0 && p0.sig, t0 = null, f0 = 0, lastChange = null, flip = null, n = 0, late = 0;
  document.addEventListener('pointerdown', () => { if (t0 === null) { t0 = performance.now();
    const p = __probe(t); f0 = p ? p.frames : 0; } }, { capture: true, once: true });
  const isPlay = () => Array.from(document.querySelectorAll('button')).some(b => /Play$/.test(b.innerText.trim()));
  __afterFrames(now => { const p = __probe(t);
    if (p && p.sig !== null) { if (t0 !== null && now > t0 && last !== null && p.sig !== last) {
      lastChange = now; n++; if (flip !== null) late++; } last = p.sig; }
    if (t0 !== null && flip === null && isPlay()) flip = now;
    if (t0 === null || now - t0 < ms) return true;
    window.__bpPause = { last: lastChange === null ? 0 : lastChange - t0, flip: flip === null ? -1 : flip - t0,
                         changes: n, late, frames: p ? p.frames - f0 : 0 };
    return false; });
}"""


def _button(page, label: str):
    """The Play/Pause button (the app's text is the icon's name, then the label: "play_arrowPlay")."""
    return page.get_by_role("button", name=re.compile(label + "$")).first


def _pause_once(page, t: dict, watch_ms: int = 2000) -> dict:
    btn = _button(page, "Pause")
    btn.wait_for(timeout=15000)
    page.evaluate(PAUSE_JS, [t, watch_ms])
    btn.click()
    return page.wait_for_function("() => window.__bpPause", timeout=watch_ms + 20000).json_value()


def measure(browser, url: str, name: str | None, path: str, seconds: float, pauses: int, pid: int) -> dict:
    """One page (name None: the stub): play, count for ``seconds``, then Pause ``pauses`` times."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    t = srv.target(name)
    page.goto(url + path)
    try:
        srv.wait_view(page, t, timeout=90000)
    except Exception:
        shot = Path(tempfile.gettempdir()) / f"bench_browser_{name or 'stub'}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"{name or 'stub'}: no live view after 90 s (screenshot {shot}); views: "
              f"{page.evaluate('() => window.__bpLive ? Array.from(window.__bpLive.keys()) : null')}; "
              f"exceptions: {page.locator('[data-testid=stException]').all_inner_texts()}", file=sys.stderr)
        raise
    page.wait_for_timeout(1000)
    _button(page, "Play").click()
    _button(page, "Pause").wait_for(timeout=15000)
    page.wait_for_timeout(1500)  # the loop running, the charts drawn once
    cpu0, t0, other = srv.cpu_seconds(pid), time.monotonic(), srv.OtherLoad()
    own0 = srv.cpu_seconds(os.getpid())  # server + Chromium + Playwright + this script
    ws = srv.WsBytes(page)  # CDP Network events only during the window
    ws.start()
    res = page.evaluate(srv.COUNT_JS, [t, int(seconds * 1000)])
    ws.stop()
    cpu, wall, other = srv.cpu_seconds(pid) - cpu0, time.monotonic() - t0, other.cores()
    client = (srv.cpu_seconds(os.getpid()) - own0 - cpu) / wall
    ws.close()
    errors = page.locator('[data-testid="stException"]').count()
    trials = []
    for i in range(pauses):  # Pause, watch 2 s, Play again for 1.5 s, ...
        if i:
            _button(page, "Play").click()
            _button(page, "Pause").wait_for(timeout=15000)
            page.wait_for_timeout(1500)
        trials.append(_pause_once(page, t))
    errors += page.locator('[data-testid="stException"]').count()
    page.close()

    span = res["ms"] / 1000
    a, b = res["start"], res["end"]
    frames = b["frames"] - a["frames"]
    paints = {k: (b["paints"].get(k, 0) - a["paints"].get(k, 0)) / span for k in b["paints"]}
    for k in ("curves", "layers"):  # two charts each, one paint per chart
        if k in paints:
            paints[k] /= 2
    spf = 1 if name is None else PAGE_DEFAULTS[name.replace("-", "")].steps_per_frame
    changes = res["changes"]
    gaps = [y - x for x, y in itertools.pairwise(res["times"])]
    return {"page": name or "stub", "pictures": changes / span, "received": frames / span,
            "computed": (b["step"] - a["step"]) / spf / span, "rafs": res["rafs"] / span,
            "gap_max": max(gaps, default=0.0), "paints": paints, "heat_vis": res["heatChanges"] / span,
            "cpu_vis": 1000 * cpu / max(changes, 1), "cpu_recv": 1000 * cpu / max(frames, 1),
            "cpu_pct": 100 * cpu / wall, "client": client, "ws_frame": ws.bytes / max(frames, 1),
            "ws_msg": ws.bytes / max(ws.messages, 1), "ws_msgs": ws.messages / max(frames, 1), "other": other,
            "pause": [x["last"] for x in trials], "flip": [x["flip"] for x in trials],
            "late": sum(x["late"] for x in trials), "errors": errors}


def _run_server(script: str, browser_url_wrap, fn):
    log = Path(tempfile.gettempdir()) / f"bench_browser_{Path(script).stem}.log"
    proc, url = srv.start(script, log=log)
    try:
        with contextlib.ExitStack() as stack:
            return fn(browser_url_wrap(stack, url), proc.pid)
    finally:
        srv.stop(proc)
        for e in srv.errors_in(log):
            print(f"server error ({script}, log {log}): {e}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--seconds", type=float, default=6.0, help="play window measured per page (default 6)")
    ap.add_argument("--latency", type=int, default=0,
                    help="added network round trip in ms, as for a hosted link (e.g. 100): a TCP proxy "
                         "delays every byte, HTTP and WebSocket")
    ap.add_argument("--pauses", type=int, default=3, help="Pause-latency trials per page (default 3)")
    ap.add_argument("--pages", default=",".join(p for p, _ in PAGES), help="comma-separated subset")
    args = ap.parse_args()
    wanted = args.pages.split(",")
    unknown = set(wanted) - {p for p, _ in PAGES}
    if unknown:
        ap.error(f"unknown page(s) {', '.join(sorted(unknown))}")
    srv.warn_if_busy()

    def wrap(stack, url):
        return stack.enter_context(srv.DelayProxy(url, args.latency)) if args.latency else url

    rows = []
    with srv.chromium() as browser:
        def stub(url, pid):
            # the yardstick gets a longer window: its CPU is small (10 ms clock ticks) and noisy
            return measure(browser, url, None, "/", max(args.seconds, STUB_SECONDS), args.pauses, pid)

        def app(url, pid):
            out = []
            for name, path in [p for p in PAGES if p[0] in wanted]:
                out.append(measure(browser, url, name, path, args.seconds, args.pauses, pid))
                print(f"  measured {name}", file=sys.stderr, flush=True)
            return out

        rows.append(_run_server(STUB, wrap, stub))
        print("  measured the stub", file=sys.stderr, flush=True)
        rows += _run_server("app.py", wrap, app)
    report(rows, args)


def _f(v, fmt=".1f", width=8):
    return f"{'–':>{width}}" if v is None else f"{v:>{width}{fmt}}"


def report(rows: list[dict], args) -> None:
    stub, pages = rows[0], {r["page"]: r for r in rows[1:]}
    yard = stub["cpu_recv"]  # the stub's server CPU per frame sent (= per frame received)
    print(f"\nPlaying {args.seconds:g} s per page ({max(args.seconds, STUB_SECONDS):g} s the stub), round trip +{args.latency} ms"
          f"{' (TCP proxy: HTTP and WebSocket)' if args.latency else ''}, headless Chromium; "
          f"Pause measured {args.pauses}x per page")
    print("\nAnimation (per second of the play window)")
    head = (f"{'page':<9}{'picture':>8}{'max gap':>9}{'frames':>8}{'computed':>9}{'browser':>8}"
            f"{'heatmaps':>9}{'heat vis':>9}{'δ chart':>8}{'loss ch':>8}{'tiles':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        p, stubrow = r["paints"], r is stub
        print(f"{r['page']:<9}{r['pictures']:>8.1f}{r['gap_max']:>6.0f} ms{r['received']:>8.1f}{r['computed']:>9.1f}"
              f"{r['rafs']:>8.1f}{_f(None if stubrow else p.get('heatmaps'), width=9)}"
              f"{_f(None if stubrow or 'heatmaps' not in p else r['heat_vis'], width=9)}"
              f"{_f(None if stubrow else p.get('layers'))}{_f(None if stubrow else p.get('curves'))}"
              f"{_f(None if stubrow else p.get('tiles'), width=7)}")
    print("\nCost and Pause")
    head = (f"{'page':<9}{'CPU/visible':>12}{'CPU/recv':>10}{'x stub':>7}{'srv CPU':>8}{'WS B/frame':>11}"
            f"{'B/msg':>7}{'msgs/fr':>8}{'Pause: stopped':>16}{'Play again':>14}{'late':>5}{'err':>4}{'other':>6}")
    print(head)
    print("-" * len(head))
    for r in rows:
        flips = [f for f in r["flip"] if f >= 0]
        flip = (f"{statistics.median(flips):.0f}/{max(flips):.0f} ms" if len(flips) == len(r["flip"]) and flips
                else "never")
        print(f"{r['page']:<9}{r['cpu_vis']:>9.2f} ms{r['cpu_recv']:>7.2f} ms{r['cpu_vis'] / yard:>6.1f}x"
              f"{r['cpu_pct']:>7.0f}%{r['ws_frame']:>11.0f}{r['ws_msg']:>7.0f}{r['ws_msgs']:>8.2f}{r['client']:>8.2f}"
              f"{statistics.median(r['pause'] or [0]):>9.0f}/{max(r['pause'] or [0]):.0f} ms{flip:>14}"
              f"{r['late']:>5}{r['errors']:>4}{r['other']:>6.1f}")
    print("""
picture: visible changes of the main picture (boundary field; MNIST: tiles; stub: its frame number),
  counted at every animation frame; max gap: longest time between two of them; frames: messages the
  view received and processed; computed: frames the server computed (step counter / steps per frame);
  browser: animation frames the browser ran; heatmaps, δ chart, loss ch(art), tiles: repaints per
  second (the charts redraw at most 15/s); heat vis: visible changes of the heatmaps' pixels.
CPU/visible: server CPU (utime+stime incl. children) in the window / picture changes; CPU/recv: per
  frame received; x stub: CPU/visible over the stub's CPU per frame; srv CPU: of one core;
WS B/frame: WebSocket bytes received / frames the view received; B/msg: per WebSocket message;
  msgs/fr: WebSocket messages per frame the view received (above 1: the server's frame messages
  plus Streamlit's own, and frames superseded before the page rendered them); browser: CPU cores
  used by Chromium and Playwright (this machine also runs the browser);
Pause: ms from the click to the picture's last change / until the button read Play (median/worst);
  late: picture changes after the button read Play; err: exception boxes; other: CPU cores used by
  processes this benchmark did not start, during the play window.""")

    checks = []

    def target(text: str, ok: bool) -> None:
        checks.append(ok)
        print(f"  [{'PASS' if ok else 'MISS'}] {text}")

    print(f"\nTargets (round trip +{args.latency} ms); yardstick: the stub's server CPU per frame = {yard:.2f} ms")
    if "xor" in pages:
        x = pages["xor"]
        target(f"XOR picture updates {x['pictures']:.1f}/s >= 30", x["pictures"] >= 30)
        for k, label in (("heatmaps", "heatmaps"), ("layers", "δ chart"), ("curves", "loss chart")):
            v = x["paints"].get(k, 0.0)
            target(f"XOR {label} {v:.1f} updates/s >= 10", v >= 10)
        target(f"XOR server CPU per visible frame {x['cpu_vis']:.2f} ms = {x['cpu_vis'] / yard:.1f}x the stub's "
               f"<= 4x", x["cpu_vis"] <= 4 * yard)
        target(f"XOR WebSocket bytes per frame received {x['ws_frame']:.0f} <= 3 KB ({3 * KB}) (per WebSocket "
               f"message, i.e. per frame sent: {x['ws_msg']:.0f})", x["ws_frame"] <= 3 * KB)
    if "mnist" in pages:
        m = pages["mnist"]
        target(f"MNIST tile updates {m['pictures']:.1f}/s >= 20", m["pictures"] >= 20)
        target(f"MNIST server CPU per visible frame {m['cpu_vis']:.2f} ms = {m['cpu_vis'] / yard:.1f}x the "
               f"stub's <= 15x", m["cpu_vis"] <= 15 * yard)
    for r in rows[1:]:
        flips = [f for f in r["flip"] if f >= 0]
        worst_flip = max(flips) if len(flips) == len(r["flip"]) and flips else float("inf")
        target(f"{r['page']}: Pause: picture stopped {max(r['pause'] or [0]):.0f} ms, button reads Play "
               f"{worst_flip:.0f} ms (worst of {len(r['pause'])}) <= 300 ms",
               max(r["pause"] or [0]) <= 300 and worst_flip <= 300)
    errors = sum(r["errors"] for r in rows)
    target(f"no exception box ({errors})", errors == 0)

    print("\nCapacity estimate: sessions at 20 fps per server core = 1 / (20 x CPU per visible frame)")
    for name in ("xor", "circles"):
        if name in pages:
            r = pages[name]
            print(f"  {name:<8} {1000 / (20 * r['cpu_vis']):5.1f} sessions/core at 20 fps "
                  f"(CPU per visible frame {r['cpu_vis']:.2f} ms; as the loop runs now, one playing session "
                  f"costs {r['cpu_pct']:.0f}% of a core -> {100 / max(r['cpu_pct'], 1e-9):.1f} sessions/core)")
    print(f"  stub     {1000 / (20 * yard):5.1f} sessions/core at 20 fps (its CPU per frame {yard:.2f} ms)")

    for r in rows:
        if r["other"] > 0.3:
            print(f"warning: {r['page']}: other work used {r['other']:.1f} cores while measuring; "
                  "its numbers are unreliable (run again on a quiet machine)")
    ok = all(checks)
    print(f"\nRESULT: {'PASS' if ok else 'MISS'} ({checks.count(False)} of {len(checks)} targets missed)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
