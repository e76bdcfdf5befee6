"""Many visitors on one server: N browser sessions (Playwright contexts in one headless
Chromium, 127.0.0.1 only) each open the Circles page with their own seed and press Play.

    python benchmarks/bench_sessions.py [--sessions 30] [--seconds 20]
    python benchmarks/bench_sessions.py --soak 600      # one session for 10 minutes: RSS growth

Prints the server's peak RSS (target <= 1 GB), each session's visible update rate (every
session must keep animating), and an isolation check: a session that never pressed Play still
shows step 0, and sessions with different seeds show their own losses.

Note: all N browsers run on the same 2-core machine as the server, so per-session rates here
are bounded by the *client* side too; on a real class every student brings their own CPU.
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

SEL = srv.PICTURE["circles"]
STATUS_JS = """() => { const s = document.querySelector('.bp-status'); return s ? s.innerText : ''; }"""


def _status(page) -> dict:
    text = page.evaluate(STATUS_JS)
    vals = re.findall(r"([A-Z][A-Z ()]+)\n([^\n]+)", text)
    return {k.strip().lower(): v.strip() for k, v in vals}


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.stop_flag = pid, every, [], False

    def run(self):
        while not self.stop_flag:
            self.samples.append((time.monotonic(), srv.rss_mb(self.pid)))
            time.sleep(self.every)


def many(n: int, seconds: float) -> int:
    proc, url = srv.start()
    sampler = RssSampler(proc.pid)
    sampler.start()
    problems = 0
    try:
        base_rss = srv.rss_mb(proc.pid)
        with srv.chromium() as browser:
            pages = []
            for i in range(n):
                ctx = browser.new_context(viewport={"width": 1100, "height": 800})
                page = ctx.new_page()
                page.goto(f"{url}/circles?seed={i}")
                pages.append(page)
            idle_ctx = browser.new_context(viewport={"width": 1100, "height": 800})
            idle = idle_ctx.new_page()
            idle.goto(f"{url}/circles?seed=999")
            for page in pages + [idle]:
                page.wait_for_selector(SEL, state="attached", timeout=120000)
            rss_loaded = srv.rss_mb(proc.pid)
            for page in pages:
                srv.press(page, "play")
            time.sleep(2.0)
            # count picture changes in every session at once (each page counts in its own renderer)
            handles = [p.evaluate_handle(f"() => {{ window.__bpRes = null; ({srv.COUNT_MO_JS})"
                                         f"([{SEL!r}, {int(seconds * 1000)}]).then(r => window.__bpRes = r); }}")
                       for p in pages]
            del handles
            steps0 = [int(_status(p).get("step", "0").replace(",", "")) for p in pages]
            t_start = time.monotonic()
            time.sleep(seconds + 1.0)
            rates = []
            for p in pages:
                res = p.evaluate("() => window.__bpRes")
                rates.append((res or {"frames": 0})["frames"] / seconds)
            statuses = [_status(p) for p in pages]
            span = time.monotonic() - t_start
            idle_status = _status(idle)
            errors = sum(p.locator('[data-testid="stException"]').count() for p in pages + [idle])
            for p in pages:  # best effort: under this load a page may be reconnecting
                try:
                    p.get_by_role("button", name=re.compile("pause", re.I)).first.click(timeout=5000)
                except Exception:
                    pass
    finally:
        sampler.stop_flag = True
        srv.stop(proc)
    peak = max(r for _, r in sampler.samples)
    steps = [int(s.get("step", "0").replace(",", "")) for s in statuses]
    served = [(b - a) / 2 / span for a, b in zip(steps0, steps)]  # 2 steps per frame on /circles
    losses = [s.get("test loss") for s in statuses]
    print(f"{n} sessions on /circles, each with its own seed, playing {seconds:g} s (one Chromium, 2 cores)")
    print(f"server RSS: idle {base_rss:.0f} MB, {n} sessions loaded {rss_loaded:.0f} MB, peak while playing "
          f"{peak:.0f} MB  (target <= 1024 MB: {'PASS' if peak <= 1024 else 'MISS'})")
    print(f"picture updates/s per session (DOM updates; background tabs do not paint): min {min(rates):.1f}, median {statistics.median(rates):.1f}, "
          f"max {max(rates):.1f}; sessions frozen (0/s): {sum(r == 0 for r in rates)}")
    print(f"frames the server computed and sent per session per second: min {min(served):.1f}, "
          f"median {statistics.median(served):.1f}, max {max(served):.1f} (sum {sum(served):.0f}/s)")
    print(f"steps reached: min {min(steps)}, median {statistics.median(steps):.0f}, max {max(steps)}")
    print(f"isolation: the idle session shows step {idle_status.get('step')} (must be 0); "
          f"{len(set(losses))} different test losses among {n} seeds")
    ok_iso = idle_status.get("step") == "0" and len(set(losses)) > n // 2
    print(f"exception boxes: {errors}")
    problems += (peak > 1024) + (min(rates) == 0) + (not ok_iso) + (errors > 0)
    print("RESULT:", "PASS" if not problems else "MISS")
    return problems


def soak(seconds: float) -> None:
    proc, url = srv.start()
    try:
        with srv.chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.goto(f"{url}/circles")
            page.wait_for_selector(SEL, state="attached", timeout=60000)
            srv.press(page, "play")
            t0 = time.monotonic()
            print(f"{'t (s)':>6}{'RSS (MB)':>10}{'step':>9}")
            while time.monotonic() - t0 < seconds:
                time.sleep(10)
                print(f"{time.monotonic() - t0:>6.0f}{srv.rss_mb(proc.pid):>10.0f}{_status(page).get('step', '?'):>9}",
                      flush=True)
    finally:
        srv.stop(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--soak", type=float, default=0.0, help="instead: one session for this many seconds")
    args = ap.parse_args()
    if args.soak:
        soak(args.soak)
    else:
        sys.exit(1 if many(args.sessions, args.seconds) else 0)


if __name__ == "__main__":
    main()
