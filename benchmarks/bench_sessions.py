"""Many visitors on one server: N browser sessions (one Playwright context each, so each gets
its own renderer, in one headless Chromium on 127.0.0.1) open the Circles page with their own
seed (a share-link parameter, seed=1..N) and press Play; one more session opens the page and
never plays.

    python benchmarks/bench_sessions.py                  # 10 sessions, 15 s of play
    python benchmarks/bench_sessions.py --sessions 20 --seconds 30
    python benchmarks/bench_sessions.py --soak 600       # one session for 10 minutes: RSS growth

Each page counts, in the page, its own visible picture updates over the window (a hash of the
boundary's field canvas at every animation frame, as bench_browser.py does) and the frames its
live view received (window.__bpLive). Printed: every session's rate, how many of N keep moving
and how many reach 10 updates/s (target: N of N, each >= 10/s), the server's RSS including
child processes (idle, N+1 sessions loaded, peak while playing; must stay <= 1 GB), its CPU
per frame and a capacity estimate, isolation checks (the idle session stays at step 0, every
session keeps its own seed in its link and shows its own loss), and whether the server goes
idle once the browsers are gone.

Note: all N browser renderers run on the same 2-core machine as the server, so per-session
rates here are bounded by the *client* side too; in a class every student brings their own CPU.
Exit status 1 when a target or check fails.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server as srv
from playwright.sync_api import Error as PlaywrightError

PAGE = "circles"
T = srv.target(PAGE)
STEPS_PER_FRAME = 2  # the Circles page's default (ui/config.py)
MIN_RATE = 10.0      # visible picture updates/s every session must reach


class Sampler(threading.Thread):
    """RSS (MB, incl. children) every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.halt = pid, every, [], threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.samples.append((time.monotonic(), srv.rss_mb(self.pid)))
            self.halt.wait(self.every)


def _press(page, label: str, timeout: float = 30000, then: str | None = None) -> bool:
    """Click the button ``label``; with ``then``, True only once the button reads ``then`` (the
    click went through a full run; a loaded machine can take many seconds)."""
    try:
        page.get_by_role("button", name=re.compile(label + "$")).first.click(timeout=timeout)
        if then:
            page.get_by_role("button", name=re.compile(then + "$")).first.wait_for(timeout=timeout)
        return True
    except PlaywrightError:
        return False


def _probe(page) -> dict:
    """The live view now: {sig, frames, step, loss, paints}, or {} when unreadable."""
    try:
        return page.evaluate(srv.PROBE_NOW_JS, T) or {}
    except PlaywrightError:
        return {}


def _exceptions(page) -> list[str]:
    """First line(s) of every exception box on the page."""
    try:
        loc = page.locator('[data-testid="stException"]')
        return [" ".join(loc.nth(i).inner_text(timeout=5000).split())[:240] for i in range(loc.count())]
    except PlaywrightError as e:
        return [f"(could not read: {str(e).splitlines()[0][:120]})"]


def many(n: int, seconds: float, after: float) -> bool:
    log = Path(tempfile.gettempdir()) / "bench_sessions_server.log"
    proc, url = srv.start(log=log)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        time.sleep(1.0)
        rss_idle = srv.rss_mb(proc.pid)
        with srv.chromium() as browser:
            t_open = time.monotonic()
            contexts, pages = [], []
            for i in range(n + 1):  # the last one is the idle session
                ctx = browser.new_context(viewport={"width": 1100, "height": 800})
                page = ctx.new_page()
                # seeds from 1: seed 0 is the default, which a share link leaves out
                page.goto(f"{url}/circles?seed={i + 1 if i < n else 999}", wait_until="commit")
                contexts.append(ctx)
                pages.append(page)
            for page in pages:
                srv.wait_view(page, T, timeout=180000)
            open_s = time.monotonic() - t_open
            rss_loaded = srv.rss_mb(proc.pid)
            players, idle = pages[:n], pages[n]
            ok_press = [_press(p, "Play", then="Pause") for p in players]
            time.sleep(3.0)  # every loop running
            t_play = time.monotonic()
            cpu0, t0, other = srv.cpu_seconds(proc.pid), time.monotonic(), srv.OtherLoad()
            own0 = srv.cpu_seconds(srv.os.getpid())  # server + Chromium + Playwright + this script
            for p in players:  # each page counts its own picture changes and frames, in-page
                p.evaluate(srv.START_COUNT_JS, [T, int(seconds * 1000)])
            time.sleep(seconds)
            span, cpu, other = time.monotonic() - t0, srv.cpu_seconds(proc.pid) - cpu0, other.cores()
            client = (srv.cpu_seconds(srv.os.getpid()) - own0 - cpu) / span
            t_stop = time.monotonic()
            results = []
            for p in players:
                try:
                    res = p.wait_for_function("() => window.__bpRes", timeout=30000).json_value()
                except PlaywrightError:
                    res = None
                results.append(res)
            probes = [_probe(p) for p in players]
            idle_probe = _probe(idle)
            own_seed = sum(f"seed={i + 1}" in p.url for i, p in enumerate(players))
            boxes = [_exceptions(p) for p in pages]
            errors = sum(len(b) for b in boxes)
            # sessions whose browser goes away must stop costing the server: close them all
            for ctx in contexts:
                ctx.close()
        t_closed = time.monotonic()
        time.sleep(3.0)
        cpu_a = srv.cpu_seconds(proc.pid)
        time.sleep(after)
        cpu_after = (srv.cpu_seconds(proc.pid) - cpu_a) / after
        rss_after = srv.rss_mb(proc.pid)
    finally:
        sampler.halt.set()
        srv.stop(proc)

    rows = []
    for r in results:
        if not r or not r.get("start") or not r.get("end"):
            rows.append({"ok": False, "pictures": 0.0, "received": 0.0, "computed": 0.0, "browser": 0.0, "steps": -1})
            continue
        s = r["ms"] / 1000
        a, b = r["start"], r["end"]
        rows.append({"ok": True, "pictures": r["changes"] / s, "received": (b["frames"] - a["frames"]) / s,
                     "computed": (b["step"] - a["step"]) / STEPS_PER_FRAME / s, "browser": r["rafs"] / s,
                     "steps": b["step"] - a["step"]})
    rates = [r["pictures"] for r in rows]
    moving = sum(x > 0 for x in rates)
    fast = sum(x >= MIN_RATE for x in rates)
    computed = sum(r["computed"] for r in rows)  # frames/s the server computed, all sessions
    visible = sum(rates)
    cpu_frame = 1000 * cpu / max(computed * span, 1)
    cpu_vis = 1000 * cpu / max(visible * span, 1)
    peak = max(r for t, r in sampler.samples if t_play <= t <= t_stop)
    peak_all = max(r for t, r in sampler.samples if t <= t_closed)
    losses = [p.get("loss") for p in probes]
    distinct = len({x for x in losses if x is not None})
    idle_step = idle_probe.get("step")

    print(f"\n{n} sessions on /circles (seed=1..{n}, one browser context each) + 1 idle session, "
          f"playing {seconds:g} s, one headless Chromium on the same {srv.os.cpu_count()}-core machine")
    print(f"opening all {n + 1} sessions took {open_s:.1f} s; Play confirmed in {sum(ok_press)}/{n}")
    head = f"{'session':<9}{'picture/s':>10}{'frames/s':>9}{'computed/s':>11}{'browser':>8}{'steps':>7}{'loss':>11}  >= {MIN_RATE:g}/s"
    print(head)
    print("-" * len(head))
    for i, (r, p) in enumerate(zip(rows, probes)):
        loss = p.get("loss")
        print(f"{'seed=' + str(i + 1):<9}{r['pictures']:>10.1f}{r['received']:>9.1f}{r['computed']:>11.1f}"
              f"{r['browser']:>8.1f}{r['steps']:>7}{'–' if loss is None else f'{loss:.6g}':>11}"
              f"  {'yes' if r['pictures'] >= MIN_RATE else 'NO'}")
    print(f"{'median':<9}{statistics.median(rates):>10.1f}{statistics.median(r['received'] for r in rows):>9.1f}"
          f"{statistics.median(r['computed'] for r in rows):>11.1f}{statistics.median(r['browser'] for r in rows):>8.1f}")
    print(f"\nall sessions together: {visible:.0f} picture updates/s, {computed:.0f} frames/s computed; "
          f"server CPU {100 * cpu / span:.0f}% of one core; the browsers (Chromium, Playwright) {client:.2f} cores")
    print(f"server CPU per frame computed {cpu_frame:.2f} ms, per visible picture update {cpu_vis:.2f} ms")
    print(f"capacity estimate: sessions at 20 fps per server core = 1 / (20 x CPU per frame) = "
          f"{1000 / (20 * cpu_frame):.1f} (per frame computed), {1000 / (20 * cpu_vis):.1f} (per visible update)")
    print(f"server RSS incl. children: idle {rss_idle:.0f} MB, {n + 1} sessions loaded {rss_loaded:.0f} MB, "
          f"peak while playing {peak:.0f} MB (overall {peak_all:.0f} MB), {after:g} s after all browsers closed "
          f"{rss_after:.0f} MB")
    used = cpu / span + client + other
    if used >= 0.85 * (srv.os.cpu_count() or 1):
        print(f"note: the machine's {srv.os.cpu_count()} cores were saturated (server {cpu / span:.2f}, browsers "
              f"{client:.2f}, other {other:.2f} cores): the per-session rates are bound by what the browsers got, "
              f"not by the server alone")
    print(f"other work on the machine during the window: {other:.1f} cores"
          + (" (above 0.3: unreliable, run again on a quiet machine)" if other > 0.3 else ""))
    checks = {
        f"{moving}/{n} sessions keep moving (picture updates/s > 0)": moving == n,
        f"{fast}/{n} sessions at >= {MIN_RATE:g} picture updates/s (min {min(rates):.1f})": fast == n,
        f"Play confirmed in {sum(ok_press)}/{n} sessions": all(ok_press),
        f"peak RSS {peak_all:.0f} MB <= 1024 MB": peak_all <= 1024,
        f"idle session still at step {idle_step} (must be 0)": idle_step == 0,
        f"{own_seed}/{n} sessions keep their own seed in the link": own_seed == n,
        f"{distinct} different losses among {n} seeds (>= {n * 3 // 4})": distinct >= n * 3 // 4,
        f"server idle after the browsers left ({100 * cpu_after:.0f}% of a core, <= 10%)": cpu_after <= 0.10,
        f"no exception boxes ({errors})": errors == 0,
    }
    for text, ok in checks.items():
        print(f"  [{'PASS' if ok else 'MISS'}] {text}")
    for i in range(n + 1):  # the sessions behind a failed check, one line each
        why = []
        if i < n:
            if not ok_press[i]:
                why.append("Play not confirmed (no Pause button within 30 s)")
            if not rows[i]["ok"]:
                why.append("no count result from the page")
            elif rates[i] == 0:
                why.append(f"no picture update in the window (steps {rows[i]['steps']})")
            if losses[i] is not None and losses.count(losses[i]) > 1:
                why.append(f"loss {losses[i]} shared with another seed")
        why += [f"exception: {b}" for b in boxes[i]]
        if why:
            print(f"  session {f'seed={i + 1}' if i < n else 'idle'}: " + "; ".join(why))
    for e in srv.errors_in(log):
        print(f"  server error (log {log}): {e}")
    ok = all(checks.values())
    print("RESULT:", "PASS" if ok else "MISS")
    return ok


def soak(seconds: float, every: float) -> bool:
    proc, url = srv.start()
    rows = []
    try:
        with srv.chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.goto(f"{url}/circles")
            srv.wait_view(page, T, timeout=60000)
            rows.append((0.0, srv.rss_mb(proc.pid), _probe(page).get("step", -1), srv.cpu_seconds(proc.pid)))
            _press(page, "Play")
            t0 = time.monotonic()
            print(f"{'t (s)':>6}{'RSS (MB)':>10}{'step':>9}{'CPU %':>7}", flush=True)
            print(f"{0:>6.0f}{rows[0][1]:>10.0f}{rows[0][2]:>9}{'':>7}", flush=True)
            while time.monotonic() - t0 < seconds:
                time.sleep(min(every, max(0.0, seconds - (time.monotonic() - t0))))
                t, rss, cpu = time.monotonic() - t0, srv.rss_mb(proc.pid), srv.cpu_seconds(proc.pid)
                rows.append((t, rss, _probe(page).get("step", -1), cpu))
                pct = 100 * (cpu - rows[-2][3]) / max(t - rows[-2][0], 1e-9)
                print(f"{t:>6.0f}{rss:>10.0f}{rows[-1][2]:>9}{pct:>7.0f}", flush=True)
            errors = page.locator('[data-testid="stException"]').count()
    finally:
        srv.stop(proc)
    rss = [r[1] for r in rows[1:]]
    half = rss[len(rss) // 2:]
    t_half = rows[1 + len(rss) // 2][0]
    slope = (half[-1] - half[0]) / max((rows[-1][0] - t_half) / 60, 1e-9) if len(half) > 1 else 0.0
    steps = rows[-1][2] - rows[0][2]
    print(f"\nsoak: one session playing /circles for {rows[-1][0]:.0f} s, {steps} steps "
          f"({steps / STEPS_PER_FRAME / max(rows[-1][0], 1):.1f} frames/s)")
    print(f"RSS: before Play {rows[0][1]:.0f} MB, first sample {rss[0]:.0f} MB, max {max(rss):.0f} MB, "
          f"last {rss[-1]:.0f} MB; growth {rss[-1] - rss[0]:+.0f} MB overall, "
          f"{slope:+.2f} MB/min over the second half")
    bounded = slope <= 1.0 and max(rss) <= 1024
    print(f"history bounded (second-half growth <= 1 MB/min, RSS <= 1 GB): {'PASS' if bounded else 'MISS'}; "
          f"exception boxes: {errors}")
    return bounded and not errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--sessions", type=int, default=10, help="playing sessions (default 10)")
    ap.add_argument("--seconds", type=float, default=15.0, help="play window measured (default 15)")
    ap.add_argument("--after", type=float, default=10.0,
                    help="seconds to watch the server's CPU after all browsers closed (default 10)")
    ap.add_argument("--soak", type=float, default=0.0, help="instead: one session playing this many seconds")
    ap.add_argument("--every", type=float, default=10.0, help="soak: RSS sample interval (default 10 s)")
    args = ap.parse_args()
    srv.warn_if_busy()
    ok = soak(args.soak, args.every) if args.soak else many(args.sessions, args.seconds, args.after)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
