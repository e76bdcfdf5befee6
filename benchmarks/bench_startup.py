"""Cold start: from launching `streamlit run` to the first page's content visible in headless
Chromium, for this app and for a hello-world Streamlit page measured the same way
(interleaved repeats, median). Also the first picture of XOR and MNIST in a fresh session.

    python benchmarks/bench_startup.py [--repeats 3]

Target: app <= 1.3x hello world.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server as srv


def cold_start(browser, script: str, cwd: Path, heading: str) -> float:
    """Seconds from Popen to the heading being visible (polling the page until the server answers)."""
    t0 = time.perf_counter()
    proc, url = srv.start(script, cwd=cwd, wait=False)
    try:
        page = browser.new_page()
        while True:
            try:
                page.goto(url, timeout=2000)
                break
            except Exception:  # connection refused until the server listens
                if time.perf_counter() - t0 > 60:
                    raise
                time.sleep(0.05)
        page.get_by_role("heading", name=heading).first.wait_for(timeout=60000)
        elapsed = time.perf_counter() - t0
        page.close()
        return elapsed
    finally:
        srv.stop(proc)


def first_picture(browser, url: str, path: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    t0 = time.perf_counter()
    page.goto(url + path)
    page.wait_for_selector(srv.PICTURE[path.strip("/")], state="attached", timeout=60000)
    elapsed = time.perf_counter() - t0
    page.close()
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    hello_dir = Path(tempfile.mkdtemp(prefix="hello-"))
    (hello_dir / "hello.py").write_text('import streamlit as st\nst.title("Hello")\n')
    times = {"hello world": [], "this app": []}
    with srv.chromium() as browser:
        for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
            times["hello world"].append(cold_start(browser, "hello.py", hello_dir, "Hello"))
            times["this app"].append(cold_start(browser, "app.py", srv.ROOT, "Backprop playground"))
        proc, url = srv.start()
        try:
            firsts = {p: first_picture(browser, url, p) for p in ("/xor", "/mnist")}
            again = {p: first_picture(browser, url, p) for p in ("/xor", "/mnist")}
        finally:
            srv.stop(proc)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"cold start to first content in Chromium, median of {args.repeats}")
    for k, v in times.items():
        print(f"   {k:<12} {med[k]:.2f} s   ({', '.join(f'{t:.2f}' for t in v)})")
    ratio = med["this app"] / med["hello world"]
    print(f"   ratio {ratio:.2f}x  (target <= 1.3x: {'PASS' if ratio <= 1.3 else 'MISS'})")
    print("first picture in a fresh session (first visitor of the page / next visitor):")
    for p in firsts:
        print(f"   {p:<7} {firsts[p]:.2f} s / {again[p]:.2f} s")


if __name__ == "__main__":
    main()
