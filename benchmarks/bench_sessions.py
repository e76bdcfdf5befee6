"""Many visitors on one server: N browser sessions (Playwright contexts in one headless
Chromium, 127.0.0.1 only) each open the Circles page with their own seed (a share-link
parameter) and press Play; one more session opens the page and never plays.

    python benchmarks/bench_sessions.py                  # 30 sessions, 20 s of play
    python benchmarks/bench_sessions.py --sessions 10 --seconds 30
    python benchmarks/bench_sessions.py --soak 600       # one session for 10 minutes: RSS growth

Prints the server's peak RSS including child processes (target <= 1 GB), each session's
visible update rate (min / median / max; every session must keep animating), the frames the
server computed per session, isolation checks (the idle session stays at step 0, every session
keeps its own seed in its link and shows its own losses), and whether the server stops working
for sessions whose browser has gone.

Note: all N browser sessions run on the same machine as the server, so per-session rates here
are bounded by the *client* side too; in a class every student brings their own CPU.
Exit status 1 when a target or check fails.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server as srv
from playwright.sync_api import Error as PlaywrightError

SEL = srv.PICTURE["circles"]
STEPS_PER_FRAME = 2  # the Circles page's default (ui/config.py)
STATUS_JS = """() => { const s = document.querySelector('.bp-status'); return s ? s.innerText : ''; }"""
# counts picture changes in the page for ``ms`` ms; the result lands in window.__bpRes
START_COUNT_JS = ("([sel, ms]) => { window.__bpRes = null; (" + srv.COUNT_MO_JS + ")([sel, ms])"
                  ".then(r => { window.__bpRes = r; }); }")


def _status(page) -> dict:
    """The status line as {'step': '1,234', 'test loss': '0.1234', ...}."""
    try:
        text = page.evaluate(STATUS_JS)
    except PlaywrightError:
        return {}
    return {k.strip().lower(): v.strip() for k, v in re.findall(r"([A-Z][A-Z ()]+)\n([^\n]+)", text)}


def _step(status: dict) -> int:
    try:
        return int(status.get("step", "-1").replace(",", ""))
    except ValueError:
        return -1


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


def _exceptions(page) -> list[str]:
    """First line(s) of every exception box on the page."""
    try:
        loc = page.locator('[data-testid="stException"]')
        return [" ".join(loc.nth(i).inner_text(timeout=5000).split())[:240] for i in range(loc.count())]
    except PlaywrightError as e:
        return [f"(could not read: {str(e).splitlines()[0][:120]})"]


def many(n: int, seconds: float, after: float) -> bool:
    proc, url = srv.start()
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
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
                page.wait_for_selector(SEL, state="attached", timeout=180000)
                page.wait_for_selector(".bp-status", timeout=60000)
            open_s = time.monotonic() - t_open
            rss_loaded = srv.rss_mb(proc.pid)
            players, idle = pages[:n], pages[n]
            ok_press = [_press(p, "Play", then="Pause") for p in players]
            pressed = sum(ok_press)
            time.sleep(3.0)  # every loop running
            cpu0, t0 = srv.cpu_seconds(proc.pid), time.monotonic()
            for p in players:  # each page counts its own picture changes and steps, in-page
                p.evaluate(START_COUNT_JS, [SEL, int(seconds * 1000)])
            time.sleep(seconds)
            span, cpu = time.monotonic() - t0, srv.cpu_seconds(proc.pid) - cpu0
            time.sleep(1.0)
            results = []
            for p in players:
                try:
                    res = p.wait_for_function("() => window.__bpRes", timeout=15000).json_value()
                except PlaywrightError:
                    res = None
                results.append(res or {"frames": 0, "steps": None, "ms": seconds * 1000})
            rates = [r["frames"] / (r["ms"] / 1000) for r in results]
            steps = [r["steps"] if r["steps"] is not None else -1 for r in results]
            served = [max(k, 0) / STEPS_PER_FRAME / (r["ms"] / 1000) for k, r in zip(steps, results)]
            statuses = [_status(p) for p in players]
            idle_status = _status(idle)
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

    peak = max(r for t, r in sampler.samples if t <= t_closed)
    losses = [s.get("test loss") for s in statuses]
    distinct = len(set(losses))
    checks = {
        f"peak RSS {peak:.0f} MB <= 1024 MB": peak <= 1024,
        f"Play pressed in {pressed}/{n} sessions": pressed == n,
        f"every session animating (min {min(rates):.1f} picture updates/s > 0)": min(rates) > 0,
        f"idle session still at step {idle_status.get('step', '?')} (must be 0)": idle_status.get("step") == "0",
        f"{own_seed}/{n} sessions keep their own seed in the link": own_seed == n,
        f"{distinct} different test losses among {n} seeds (>= {n * 3 // 4})": distinct >= n * 3 // 4,
        f"server idle after the browsers left ({100 * cpu_after:.0f}% of a core, <= 10%)": cpu_after <= 0.10,
        f"no exception boxes ({errors})": errors == 0,
    }
    q = statistics.quantiles
    print(f"\n{n} sessions on /circles (seed=1..{n}) + 1 idle session, playing {seconds:g} s, "
          f"one headless Chromium on the same {srv.os.cpu_count()}-core machine")
    print(f"opening all {n + 1} sessions took {open_s:.1f} s")
    print(f"{'':<38}{'min':>7}{'median':>8}{'max':>7}{'p10':>7}")
    for name, xs in (("picture updates/s per session", rates), ("frames computed/s per session", served)):
        print(f"{name:<38}{min(xs):>7.1f}{statistics.median(xs):>8.1f}{max(xs):>7.1f}"
              f"{q(xs, n=10)[0] if len(xs) > 1 else xs[0]:>7.1f}")
    print(f"{'steps taken in the window':<38}{min(steps):>7}{statistics.median(steps):>8.0f}{max(steps):>7}")
    print(f"all sessions together: {sum(rates):.0f} picture updates/s, server CPU {100 * cpu / span:.0f}% of one core "
          f"({1000 * cpu / max(sum(served) * span, 1):.1f} ms per frame)")
    print(f"server RSS incl. children: idle {rss_idle:.0f} MB, {n + 1} sessions loaded {rss_loaded:.0f} MB, "
          f"peak while playing {peak:.0f} MB, {after:g} s after all browsers closed {rss_after:.0f} MB")
    for text, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {text}")
    # the sessions behind a failed check, one line each
    for i in range(n + 1):
        why = []
        if i < n:
            if not ok_press[i]:
                why.append("Play not confirmed (no Pause button within 30 s)")
            if rates[i] == 0:
                why.append(f"no picture update in the window (steps {steps[i]})")
            if statuses[i].get("test loss") is None:
                why.append("status line unreadable")
            elif losses.count(statuses[i].get("test loss")) > 1:
                why.append(f"test loss {statuses[i]['test loss']} shared with another seed at step "
                           f"{statuses[i].get('step', '?')}")
        why += [f"exception: {b}" for b in boxes[i]]
        if why:
            print(f"  session {f'seed={i + 1}' if i < n else 'idle'}: " + "; ".join(why))
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
            page.wait_for_selector(SEL, state="attached", timeout=60000)
            page.wait_for_selector(".bp-status", timeout=60000)
            rows.append((0.0, srv.rss_mb(proc.pid), _step(_status(page)), srv.cpu_seconds(proc.pid)))
            _press(page, "Play")
            t0 = time.monotonic()
            print(f"{'t (s)':>6}{'RSS (MB)':>10}{'step':>9}{'CPU %':>7}", flush=True)
            print(f"{0:>6.0f}{rows[0][1]:>10.0f}{rows[0][2]:>9}{'':>7}", flush=True)
            while time.monotonic() - t0 < seconds:
                time.sleep(min(every, max(0.0, seconds - (time.monotonic() - t0))))
                t, rss, cpu = time.monotonic() - t0, srv.rss_mb(proc.pid), srv.cpu_seconds(proc.pid)
                rows.append((t, rss, _step(_status(page)), cpu))
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
    ap.add_argument("--sessions", type=int, default=30, help="playing sessions (default 30)")
    ap.add_argument("--seconds", type=float, default=20.0, help="play window measured (default 20)")
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
