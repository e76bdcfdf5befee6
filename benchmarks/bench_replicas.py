"""A class on several processes: `deploy/local --replicas 2` (two Streamlit processes behind
Debian's HAProxy, deploy/haproxy.cfg) on this 2-core machine, K visitors in headless Chromium,
each in its own browser context (own cookies, as each student's own browser).

    python benchmarks/bench_replicas.py                   # 6 sessions, 15 s of play
    python benchmarks/bench_replicas.py --sessions 8 --seconds 20

1. Spread: K sessions open /circles?seed=1..K; which replica each landed on, counted twice:
   by its cookie (BACKPROP_REPLICA) and by HAProxy's own count of open connections per
   replica (its stats); every HTTP response a session got came from its replica
   (X-Backprop-Replica header).
2. Uploads through the balancer, on each replica: a CSV file (More 2-D data) and a saved run
   (Take it home) - both are PUT /_stcore/upload_file/<session>/..., accepted only by the
   replica that holds the session.
3. Play: every session plays; each page counts its own picture updates (as bench_sessions.py);
   each replica's CPU (/proc) over the frames it computed: CPU per frame.
4. SIGKILL of replica app1 mid-run: for its visitors, the time until their browser reconnected
   through HAProxy (a new WebSocket, the other replica's cookie) and until "Continue your run
   from step N" (the browser's checkpoint) is offered; clicking it continues at step N and the
   next step's loss equals an uninterrupted run's. For the others: the longest time without a
   new step, and whether their WebSocket was ever reconnected (it must not be). HAProxy: when
   it marked app1 DOWN; deploy/local: when the restarted app1 was back UP.
5. Capacity: sessions per replica at 15 pictures/s, from the measured CPU per frame and the
   process's frame budget (ui/pacing.py); replicas and cores for a class of 30, 100, 300.

The browsers run on the same 2 cores as the servers: the per-session picture rates printed are
bound by the browsers (as in bench_sessions.py); the capacity is computed from the servers' CPU.
Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _server as srv  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from engine import load_dataset  # noqa: E402
from engine.export import save_run  # noqa: E402
from ui.config import config_from_params, data_spec  # noqa: E402
from ui.lab import Lab  # noqa: E402
from ui.pacing import FRAMES_PER_SECOND  # noqa: E402

ROOT = srv.ROOT
T = srv.target("circles")
VIEW = T["view"]
STEPS_PER_FRAME = 2           # the Circles page's default
RATE = 15.0                   # pictures/s the sizing is for
HEADROOM = 0.8                # plan servers to at most 80 % of their CPU
CLASSES = (30, 100, 300)
COOKIE = "BACKPROP_REPLICA"
CONTINUE = re.compile(r"^Continue your run", re.IGNORECASE)


# ----------------------------------------------------------------------------- the deployment
class Deployment:
    def __init__(self, replicas: int):
        self.logs = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
        self.port = srv.free_port()
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "local"), "--replicas", str(replicas),
                                      "--port", str(self.port), "--logs", str(self.logs)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        threading.Thread(target=self._read, daemon=True).start()
        self.address = f"http://127.0.0.1:{self.port}"
        t0 = time.monotonic()
        while not any(x.startswith("deploy/local: ready:") for x in self.lines):
            if self.proc.poll() is not None or time.monotonic() - t0 > 180:
                raise RuntimeError("deploy/local did not get ready:\n" + "\n".join(self.lines))
            time.sleep(0.1)
        self.ready_s = time.monotonic() - t0

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def state(self) -> dict:
        return json.loads((self.logs / "state.json").read_text())

    def pid(self, name: str) -> int:
        return next(r["pid"] for r in self.state()["replicas"] if r["name"] == name)

    def stats(self) -> dict[str, dict]:
        """HAProxy's CSV stats of the replicas: {server: {status, scur (open connections), ...}}."""
        import urllib.request
        with urllib.request.urlopen(self.state()["stats"] + ";csv", timeout=2) as r:
            rows = r.read().decode().splitlines()
        head = rows[0].lstrip("# ").split(",")
        out = {}
        for row in rows[1:]:
            f = dict(zip(head, row.split(",")))
            if f.get("pxname") == "replicas" and f.get("svname") not in ("FRONTEND", "BACKEND"):
                out[f["svname"]] = f
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


class Visitor:
    def __init__(self, browser, address: str, path: str, view: str | None, timeout: float = 180000):
        self.ctx = browser.new_context(viewport={"width": 1300, "height": 1100})
        self.page = self.ctx.new_page()
        self.answered_by: Counter = Counter()
        self.sockets: list[tuple[float, object]] = []   # (time seen, WebSocket)
        self.page.on("response", lambda r: self.answered_by.update([r.headers.get("x-backprop-replica")])
                     if r.url.startswith("http") else None)
        self.page.on("websocket", lambda ws: self.sockets.append((time.monotonic(), ws))
                     if "/_stcore/stream" in ws.url else None)
        self.page.goto(address + path, wait_until="commit")
        if view:
            self.page.wait_for_function(f"() => window.__bpLive && window.__bpLive.get({view!r})"
                                        f" && window.__bpLive.get({view!r}).status", timeout=timeout)

    @property
    def replica(self) -> str | None:
        return next((c["value"] for c in self.ctx.cookies() if c["name"] == COOKIE), None)

    def step(self) -> int | None:
        try:
            return self.page.evaluate(f"() => {{ const v = window.__bpLive && window.__bpLive.get({VIEW!r});"
                                      " return v && v.status ? v.status.step : null; }")
        except PlaywrightError:
            return None

    def close(self):
        self.ctx.close()


def _button(page, label: str):
    return page.get_by_role("button", name=re.compile(f"^{label}$", re.IGNORECASE)).first


def oracle(seed: int, steps: int) -> Lab:
    """The uninterrupted run of /circles?seed=<seed>: the engine, the page's own config."""
    cfg, warnings = config_from_params("circles", {"seed": str(seed)})
    assert not warnings, warnings
    lab = Lab("circles", cfg, lambda c: load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise,
                                                    test_fraction=c.test_fraction, seed=c.data_seed))
    for _ in range(steps):
        lab.advance(1)
    return lab


# ----------------------------------------------------------------------------- phases
def uploads(browser, d: Deployment, tmp: Path) -> dict[str, dict]:
    """A CSV and a saved run uploaded through the balancer, by a visitor on each replica."""
    csv = tmp / "points.csv"
    csv.write_text("x1,x2,label\n" + "\n".join(f"{i % 7},{(i * 3) % 11},{'cat' if i % 2 else 'dog'}"
                                                 for i in range(40)))
    lab = Lab("xor", config_from_params("xor", {"hidden": "5"})[0],
              lambda c: load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise,
                                     test_fraction=c.test_fraction, seed=c.data_seed))
    for _ in range(3):
        lab.advance(1)
    run = tmp / "run.npz"
    save_run(lab.trainer, run, data_spec=data_spec(lab.cfg))
    out, visitors = {}, []
    try:
        while len(out) < 2 and len(visitors) < 6:
            v = Visitor(browser, d.address, "/more-2d?data=moons", "more2d/main")
            visitors.append(v)
            if v.replica in out:
                continue
            page, res = v.page, {}
            t0 = time.monotonic()
            try:
                sidebar = page.locator('[data-testid="stSidebar"]')
                sidebar.get_by_text("Data — changes rebuild").click()
                sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
                page.get_by_role("option", name="Your CSV file…").click()
                page.get_by_text("Upload a CSV file").first.wait_for(timeout=60000)
                t0 = time.monotonic()
                sidebar.locator('input[type="file"]').set_input_files(str(csv))
                page.get_by_text("Your CSV: 40 rows").wait_for(timeout=60000)
                res["csv"] = time.monotonic() - t0
            except PlaywrightError as e:
                res["csv"] = f"failed: {str(e).splitlines()[0][:100]}"
            try:
                page.goto(d.address + "/xor", wait_until="commit")
                page.wait_for_function("() => window.__bpLive && window.__bpLive.get('xor/main')"
                                       " && window.__bpLive.get('xor/main').status", timeout=120000)
                page.get_by_role("tab", name="Take it home").click()
                up = page.locator('[data-testid="stFileUploader"]').filter(has_text="Continue a saved run")
                up.wait_for(timeout=60000)
                t0 = time.monotonic()
                up.locator('input[type="file"]').set_input_files(str(run))
                page.get_by_text("Continued the saved run at step 3").wait_for(timeout=60000)
                page.wait_for_function("() => window.__bpLive.get('xor/main').status.step === 3", timeout=60000)
                res["run"] = time.monotonic() - t0
            except PlaywrightError as e:
                res["run"] = f"failed: {str(e).splitlines()[0][:100]}"
            res["stray"] = sum(n for r, n in v.answered_by.items() if r != v.replica)
            out[v.replica] = res
    finally:
        for v in visitors:
            v.close()
    return out


def run(n: int, seconds: float) -> bool:
    srv.warn_if_busy()
    checks: dict[str, bool] = {}
    d = Deployment(2)
    print(f"deploy/local --replicas 2: ready in {d.ready_s:.1f} s ({d.address}; logs {d.logs})", flush=True)
    names = [r["name"] for r in d.state()["replicas"]]
    try:
        with srv.chromium() as browser:
            # 1. spread ---------------------------------------------------------------
            t0 = time.monotonic()
            visitors = []
            for i in range(n):
                visitors.append(Visitor(browser, d.address, f"/circles?seed={i + 1}", VIEW))
            open_s = time.monotonic() - t0
            by_cookie = Counter(v.replica for v in visitors)
            stats = d.stats()
            by_haproxy = {s: int(stats[s]["scur"]) for s in names}
            stray = sum(sum(c for r, c in v.answered_by.items() if r != v.replica) for v in visitors)
            print(f"\n1. {n} sessions on /circles (seed=1..{n}), one browser context each, opened in {open_s:.1f} s")
            print(f"   per replica by cookie:              " + ", ".join(f"{s} {by_cookie.get(s, 0)}" for s in names))
            print(f"   per replica by HAProxy (open conns): " + ", ".join(f"{s} {by_haproxy[s]}" for s in names))
            print(f"   responses from another replica than the session's: {stray} "
                  f"(of {sum(sum(v.answered_by.values()) for v in visitors)})")
            checks[f"sessions on both replicas ({dict(by_cookie)})"] = all(by_cookie.get(s, 0) > 0 for s in names)
            checks["every response from the session's own replica"] = stray == 0

            # 2. uploads ----------------------------------------------------------------
            with tempfile.TemporaryDirectory() as tmp:
                up = uploads(browser, d, Path(tmp))
            print("\n2. uploads through the balancer (CSV on More 2-D data; saved run in Take it home):")
            for rep in names:
                r = up.get(rep, {})
                fmt = lambda x: f"{x:.2f} s" if isinstance(x, float) else (x or "not tried")  # noqa: E731
                print(f"   on {rep}: CSV {fmt(r.get('csv'))}, run file {fmt(r.get('run'))}, "
                      f"responses from another replica {r.get('stray', '-')}")
                checks[f"CSV and run-file uploads work on {rep}"] = (isinstance(r.get("csv"), float)
                                                                     and isinstance(r.get("run"), float))

            # 3. play -------------------------------------------------------------------
            for v in visitors:
                _button(v.page, "Play").click()
            for v in visitors:
                _button(v.page, "Pause").wait_for(timeout=60000)
            time.sleep(3)
            pids = {s: d.pid(s) for s in names}
            cpu0 = {s: srv.cpu_seconds(p) for s, p in pids.items()}
            other = srv.OtherLoad()
            t0 = time.monotonic()
            for v in visitors:
                v.page.evaluate(srv.START_COUNT_JS, [T, int(seconds * 1000)])
            time.sleep(seconds)
            span = time.monotonic() - t0
            cpu = {s: srv.cpu_seconds(p) - cpu0[s] for s, p in pids.items()}
            other_cores = other.cores()
            rss = {s: srv.rss_mb(p) for s, p in pids.items()}
            results = []
            for v in visitors:
                try:
                    results.append(v.page.wait_for_function("() => window.__bpRes", timeout=30000).json_value())
                except PlaywrightError:
                    results.append(None)
            rows = []
            for v, r in zip(visitors, results):
                if not r or not r.get("start") or not r.get("end"):
                    rows.append({"replica": v.replica, "pictures": 0.0, "computed": 0.0})
                    continue
                s = r["ms"] / 1000
                rows.append({"replica": v.replica, "pictures": r["changes"] / s,
                             "computed": (r["end"]["step"] - r["start"]["step"]) / STEPS_PER_FRAME / s})
            print(f"\n3. all {n} playing, {span:.0f} s window")
            print(f"   {'session':<9}{'replica':<9}{'pictures/s':>11}{'frames/s computed':>19}")
            for i, row in enumerate(rows):
                print(f"   {'seed=' + str(i + 1):<9}{row['replica']:<9}{row['pictures']:>11.1f}{row['computed']:>19.1f}")
            per_frame = {}
            for s in names:
                frames = sum(r["computed"] for r in rows if r["replica"] == s) * span
                per_frame[s] = 1000 * cpu[s] / frames if frames else float("nan")
                print(f"   {s}: {sum(r['replica'] == s for r in rows)} sessions, {frames / span:.0f} frames/s computed, "
                      f"CPU {100 * cpu[s] / span:.0f}% of a core, {per_frame[s]:.2f} ms per frame, RSS {rss[s]:.0f} MB")
            print(f"   other work on the machine: {other_cores:.2f} cores"
                  + (" (above 0.3: numbers disturbed)" if other_cores > 0.3 else ""))
            checks["every session animates"] = all(r["pictures"] > 0 for r in rows)

            # 4. SIGKILL of one replica ---------------------------------------------------
            victim = names[0]
            victims = [i for i, v in enumerate(visitors) if v.replica == victim]
            others = [i for i, v in enumerate(visitors) if v.replica != victim]
            sockets_before = [len(v.sockets) for v in visitors]
            trace = {i: [] for i in range(n)}
            t_down = t_up = None
            for _ in range(8):  # 2 s of steps before the kill
                for i, v in enumerate(visitors):
                    trace[i].append((time.monotonic(), v.step()))
                time.sleep(0.25)
            before_kill = {i: trace[i][-1][1] for i in victims}
            srv.os.kill(d.pid(victim), signal.SIGKILL)
            t_kill = time.monotonic()
            cookie_moved, offered = {}, {}
            while time.monotonic() - t_kill < 20:
                for i, v in enumerate(visitors):
                    trace[i].append((time.monotonic(), v.step()))
                    if i in victims and i not in cookie_moved and v.replica not in (victim, None):
                        cookie_moved[i] = time.monotonic() - t_kill
                    if i in victims and i not in offered:
                        try:
                            if v.page.get_by_role("button", name=CONTINUE).count():
                                offered[i] = time.monotonic() - t_kill
                        except PlaywrightError:
                            pass
                try:
                    st = d.stats()[victim]["status"]
                except (OSError, KeyError):
                    st = None
                if t_down is None and st and st.startswith("DOWN"):
                    t_down = time.monotonic() - t_kill
                if t_down is not None and t_up is None and st == "UP":
                    t_up = time.monotonic() - t_kill
                time.sleep(0.2)
            while t_up is None and time.monotonic() - t_kill < 90:
                if d.stats()[victim]["status"] == "UP":
                    t_up = time.monotonic() - t_kill
                time.sleep(0.25)

            def stall(i, after: float) -> float:
                """Longest time (s) without a new step, from ``after`` (monotonic) on."""
                pts = [(t, s) for t, s in trace[i] if t >= after and s is not None]
                longest, last_t, last = 0.0, pts[0][0], pts[0][1]
                for t, s in pts[1:]:
                    if s > last:
                        last, last_t = s, t
                    longest = max(longest, t - last_t)
                return longest

            def rate(i, a: float, b: float) -> float:
                pts = [(t, s) for t, s in trace[i] if a <= t <= b and s is not None]
                return (pts[-1][1] - pts[0][1]) / STEPS_PER_FRAME / (pts[-1][0] - pts[0][0]) if len(pts) > 1 else 0.0

            print(f"\n4. SIGKILL of {victim} mid-run ({len(victims)} of its sessions; {len(others)} on the other)")
            print(f"   HAProxy marked {victim} DOWN after {t_down if t_down is None else round(t_down, 2)} s; "
                  f"deploy/local restarted it, back UP after {t_up if t_up is None else round(t_up, 1)} s")
            for i in others:
                v = visitors[i]
                s_kill = stall(i, t_kill)
                reconnected = len(v.sockets) - sockets_before[i]
                print(f"   survivor seed={i + 1} on {v.replica}: longest stall {s_kill:.2f} s after the kill "
                      f"(before: {stall(i, t_kill - 2.0):.2f} s over 2 s), frames/s {rate(i, t_kill - 2, t_kill):.1f} "
                      f"before, {rate(i, t_kill, t_kill + 20):.1f} after; WebSocket reconnects {reconnected}")
                checks[f"survivor seed={i + 1} never stalls 2 s and keeps its WebSocket"] = s_kill < 2.0 and reconnected == 0
            for i in victims:
                v = visitors[i]
                ws_new = [t - t_kill for t, _ in v.sockets if t > t_kill]
                line = f"   victim seed={i + 1}: at step {before_kill[i]} when killed; " + (
                    f"new WebSocket after {ws_new[0]:.2f} s" if ws_new else "NO new WebSocket")
                line += f", cookie {v.replica} after {cookie_moved.get(i, float('nan')):.2f} s"
                checks[f"victim seed={i + 1} reconnected to another replica"] = bool(ws_new) and v.replica != victim
                try:
                    offer = v.page.get_by_role("button", name=CONTINUE).first
                    offer.wait_for(timeout=20000)
                    t_offer = offered.get(i, time.monotonic() - t_kill)
                    label = offer.inner_text()
                    step_n = int(re.search(r"step ([\d,]+)", label).group(1).replace(",", ""))
                    offer.click()
                    v.page.wait_for_function(f"() => window.__bpLive.get({VIEW!r}).status.step === {step_n}",
                                             timeout=60000)
                    _button(v.page, "Step").click()
                    v.page.wait_for_function(f"() => window.__bpLive.get({VIEW!r}).status.step === {step_n + 1}",
                                             timeout=60000)
                    got = v.page.evaluate(f"() => window.__bpLive.get({VIEW!r}).status.loss")
                    want = float(f"{oracle(i + 1, step_n + 1).trainer.history[-1].loss:.7g}")
                    line += (f"; offered 'Continue your run' at step {step_n} ({before_kill[i] - step_n} steps "
                             f"behind) after {t_offer:.1f} s; next loss {got} vs uninterrupted {want}")
                    checks[f"victim seed={i + 1} continues its run (next loss equal)"] = got == want
                except PlaywrightError:
                    line += "; no 'Continue your run' offer within 20 s (the browser checkpoint is not in this build)"
                    checks[f"victim seed={i + 1} continues its run from the browser's checkpoint"] = False
                print(line)
            errors = [srv.errors_in(Path(r["log"])) for r in d.state()["replicas"]]
            for e in (x for es in errors for x in es):
                print(f"   server error: {e}")
            for v in visitors:
                v.close()
    finally:
        d.stop()

    # 5. capacity -------------------------------------------------------------------------
    ms = statistics.median(x for x in per_frame.values() if x == x)
    per_core = 1000 / (RATE * ms)                       # sessions one core can feed at RATE
    budget = FRAMES_PER_SECOND / RATE                   # sessions one process gives RATE (ui/pacing.py)
    per_replica = int(min(budget, per_core * HEADROOM))
    cores_per_replica = per_replica * RATE * ms / 1000
    rss_rep = max(rss.values())
    print(f"\n5. capacity at {RATE:g} pictures/s per student, from {ms:.2f} ms of server CPU per frame "
          f"(median of the replicas):")
    print(f"   one core could feed {per_core:.0f} sessions; one replica's frame budget ({FRAMES_PER_SECOND}/s, "
          f"ui/pacing.py) gives {budget:.0f} sessions {RATE:g}/s each, using {cores_per_replica:.2f} of a core; "
          f"RSS {rss_rep:.0f} MB with {max(by_cookie.values())} sessions")
    print(f"   {'class':>6}{'replicas':>10}{'server CPU (cores)':>20}{'memory (GB)':>13}")
    for c in CLASSES:
        reps = math.ceil(c / per_replica)
        print(f"   {c:>6}{reps:>10}{c * RATE * ms / 1000:>20.1f}{reps * max(rss_rep, 250) / 1024:>13.1f}")
    print("   (replicas = ceil(class / sessions per replica); CPU = class x 15 frames/s x CPU per frame; "
          "memory at >= 250 MB per replica)")

    ok = all(checks.values())
    print()
    for text, good in checks.items():
        print(f"  [{'PASS' if good else 'MISS'}] {text}")
    print("RESULT:", "PASS" if ok else "MISS")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--sessions", type=int, default=6, help="playing sessions (default 6)")
    ap.add_argument("--seconds", type=float, default=15.0, help="play window measured (default 15)")
    args = ap.parse_args()
    sys.exit(0 if run(args.sessions, args.seconds) else 1)


if __name__ == "__main__":
    main()
