"""A class on one server process: peak memory with 30 sessions playing, 10 of them on MNIST at
the heaviest settings a link can ask for (target: peak RSS under 1.5 GB; Community Cloud gives
the whole app ~2.7 GB, then "This app has gone over its resource limits" for everyone).

    python benchmarks/bench_memory.py                       # 30 sessions, 10 on MNIST, 40 s of play
    python benchmarks/bench_memory.py --sessions 30 --mnist 10 --seconds 60
    python benchmarks/bench_memory.py --mnist-link default  # MNIST at its page defaults instead

Sessions are real Streamlit sessions of one `streamlit run app.py`, driven by a protocol
client (benchmarks/_wsclient.py: the browser's WebSocket messages, no rendering) — not
Chromium and not AppTest. Why: what is measured is the server (every session's Lab, their live
loops stepping at the same time, the shared data caches); 30 Chromium renderers would take the
2 cores the server needs, and AppTest runs scripts one at a time without the fragments' timed
loops, so it would miss the peak of many sessions stepping at once.

The MNIST sessions each use another data seed (dseed=1..10), so each holds its own 8,000 +
2,000 digits (31 MB) and the shared cache (ui.limits.MNIST_CACHE_ENTRIES) cannot dedupe them:
the worst case for memory. The 2-D sessions alternate between the heaviest 2-D settings
(6 x 64 units, 2,000 points, full batch, 50 steps a frame, batch norm) and the page defaults.

Printed: server RSS (with children) idle, with every session loaded, peak while playing, after
the sessions left; per session the frames received per second (every session must keep
moving); exception boxes and server-log tracebacks. Exit status 1 on a miss.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server as srv
from _wsclient import Session

TARGET_MB = 1500
HEAVIEST_MNIST = {"hidden": "256,256,256,256,256,256", "batch": "0", "spf": "50"}
HEAVIEST_2D = {"hidden": "64,64,64,64,64,64", "n": "2000", "batch": "0", "spf": "50", "bn": "1"}
PAGES_2D = ("xor", "circles", "more-2d")


class Sampler(threading.Thread):
    """RSS (MB, with children) every ``every`` seconds, with a label for each phase."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.halt, self.phase = pid, every, [], threading.Event(), "idle"

    def run(self):
        while not self.halt.is_set():
            self.samples.append((time.monotonic(), self.phase, srv.rss_mb(self.pid)))
            self.halt.wait(self.every)

    def peak(self, phase: str | None = None) -> float:
        return max((mb for _, p, mb in self.samples if phase is None or p == phase), default=0.0)


def plan(n: int, n_mnist: int, mnist_link: str) -> list[tuple[str, dict]]:
    out = []
    for i in range(n_mnist):
        params = dict(HEAVIEST_MNIST) if mnist_link == "heaviest" else {}
        out.append(("mnist", dict(params, dseed=str(i + 1))))
    for i in range(n - n_mnist):
        page = PAGES_2D[i % len(PAGES_2D)]
        params = dict(HEAVIEST_2D) if i % 2 == 0 else {}
        out.append((page, dict(params, seed=str(i + 1))))
    return out


async def run(url: str, sessions: list[tuple[str, dict]], seconds: float, sampler: Sampler) -> dict:
    clients = [Session(url) for _ in sessions]
    t0 = time.monotonic()
    for c, (page, params) in zip(clients, sessions):  # one after another, as a class arrives
        await c.open(page, params)
    loaded = time.monotonic() - t0
    await asyncio.sleep(2)
    sampler.phase = "loaded"
    await asyncio.sleep(2)
    sampler.phase = "playing"
    await asyncio.gather(*(c.click("Play") for c in clients))
    start = [c.frames for c in clients]
    t1 = time.monotonic()
    await asyncio.sleep(seconds)
    rates = [(c.frames - f0) / (time.monotonic() - t1) for c, f0 in zip(clients, start)]
    exceptions = sum(c.exceptions for c in clients)
    sampler.phase = "closing"
    await asyncio.gather(*(c.close() for c in clients))
    return {"loaded_s": loaded, "rates": rates, "exceptions": exceptions}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--mnist", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--mnist-link", choices=("heaviest", "default"), default="heaviest")
    args = ap.parse_args()
    srv.warn_if_busy()
    log = Path(tempfile.mkdtemp()) / "server.log"
    proc, url = srv.start(log=log)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        time.sleep(2)
        idle = sampler.peak("idle")
        sessions = plan(args.sessions, args.mnist, args.mnist_link)
        res = asyncio.run(run(url, sessions, args.seconds, sampler))
        time.sleep(10)
        sampler.phase = "after"
        time.sleep(1)
    finally:
        sampler.halt.set()
        sampler.join()
        srv.stop(proc)
    peak = sampler.peak()
    rates = res["rates"]
    mnist, flat = rates[:args.mnist], rates[args.mnist:]
    moving = sum(r > 0.5 for r in rates)
    # a client leaving mid-frame makes Starlette log WebSocketDisconnected: the protocol clients
    # close all at once; that is not the app's error
    errors = [e for e in srv.errors_in(log, limit=20) if "WebSocket" not in e][:3]
    print(f"{args.sessions} sessions on one server ({args.mnist} on MNIST at the {args.mnist_link} link, each its own "
          f"data seed; the 2-D ones alternate the heaviest 2-D link and the page defaults), {args.seconds:.0f} s of "
          f"play, opened one after another in {res['loaded_s']:.0f} s")
    print(f"server RSS: idle {idle:.0f} MB, all loaded {sampler.peak('loaded'):.0f} MB, peak while playing "
          f"{sampler.peak('playing'):.0f} MB, after they left {sampler.peak('after'):.0f} MB; peak overall "
          f"{peak:.0f} MB (target < {TARGET_MB} MB: {'PASS' if peak < TARGET_MB else 'MISS'})")
    print(f"frames received per second: MNIST median {statistics.median(mnist) if mnist else 0:.1f} "
          f"(min {min(mnist, default=0):.1f}); 2-D median {statistics.median(flat) if flat else 0:.1f} "
          f"(min {min(flat, default=0):.1f}); {moving} of {len(rates)} sessions moving")
    print(f"exception boxes: {res['exceptions']}; server-log tracebacks: {errors or 'none'}")
    ok = peak < TARGET_MB and moving == len(rates) and not res["exceptions"] and not errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
