"""Visible animation speed in a real browser, per page: how often the main picture changes
while playing, how often the charts (heatmaps, δ chart, loss curve) change, the server's CPU
time per visible frame, and how fast Pause stops the picture.

    python benchmarks/bench_browser.py [--seconds 6] [--latency 100]

Targets (issue "Smooth, sturdy and shareable"): XOR with a 2-8-8-2 net >= 15 picture
updates/s, charts >= 2/s, Pause acts within 0.3 s.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server as srv

PAGES = [("xor", "/xor?hidden=8,8"), ("circles", "/circles"), ("more-2d", "/more-2d"), ("mnist", "/mnist")]

PAUSE_JS = """() => new Promise(resolve => {
  // After the click: when did the picture's *content* last change (a re-mounted element with the
  // same picture is not a change), and when did the button turn back into "Play"?
  const sel = window.__bpSel;
  const sig = () => { const e = document.querySelector(sel); if (!e) return null;
    const s = e.getAttribute('href') || e.getAttribute('src') || ''; return s.length + ':' + s.slice(-64); };
  let last = sig(), lastChange = null, flip = null; const t0 = window.__bpClick;
  const tick = () => { const s = sig(), now = performance.now();
    if (s !== null && s !== last) { lastChange = now; last = s; }
    if (flip === null && Array.from(document.querySelectorAll('button')).some(
        b => /play_arrow/.test(b.innerText) || /^\\W*Play\\W*$/.test(b.innerText))) flip = now;
    if (now - t0 < 2000) requestAnimationFrame(tick);
    else resolve({ last: lastChange === null ? 0 : Math.max(0, lastChange - t0), flip: flip === null ? -1 : flip - t0 }); };
  tick();
})"""


def measure(browser, url: str, page_name: str, path: str, seconds: float, latency: int, pid: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    srv.add_latency(page, latency)
    sel = srv.PICTURE[page_name]
    page.goto(url + path)
    page.wait_for_selector(sel, state="attached", timeout=60000)
    page.wait_for_timeout(1000)
    srv.press(page, "play")
    page.wait_for_timeout(1000)  # let the loop start
    cpu0 = srv.cpu_seconds(pid)
    res = page.evaluate(srv.COUNT_JS, [sel, int(seconds * 1000)])
    cpu = srv.cpu_seconds(pid) - cpu0
    errors = page.locator('[data-testid="stException"]').count()
    # Pause latency: remember the click time in the page, then watch for the last change
    page.evaluate(f"() => {{ window.__bpSel = {sel!r}; }}")
    btn = page.get_by_role("button", name="Pause").first
    btn.evaluate("b => b.addEventListener('pointerdown', () => { window.__bpClick = performance.now(); },"
                 " { once: true })")
    btn.click()
    pause = page.evaluate(PAUSE_JS)
    page.close()
    frames = res["frames"]
    return {"page": page_name, "fps": frames / seconds, "charts": res["chartChanges"] / seconds,
            "cpu_ms": 1000 * cpu / max(frames, 1), "pause_ms": pause["last"], "flip_ms": pause["flip"],
            "errors": errors}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--latency", type=int, default=0, help="added round trip in ms (a hosted link: 100)")
    ap.add_argument("--pages", default=",".join(p for p, _ in PAGES), help="comma-separated subset")
    args = ap.parse_args()
    wanted = args.pages.split(",")
    proc, url = srv.start()
    rows = []
    try:
        with srv.chromium() as browser:
            for name, path in [p for p in PAGES if p[0] in wanted]:
                rows.append(measure(browser, url, name, path, args.seconds, args.latency, proc.pid))
    finally:
        srv.stop(proc)
    print(f"Playing {args.seconds:g} s per page, latency {args.latency} ms, Chromium headless")
    print(f"{'page':<10}{'picture/s':>11}{'charts/s':>10}{'server CPU/frame':>18}{'last change':>13}"
          f"{'button is Play':>16}{'errors':>8}")
    for r in rows:
        print(f"{r['page']:<10}{r['fps']:>11.1f}{r['charts']:>10.1f}{r['cpu_ms']:>15.1f} ms"
              f"{r['pause_ms']:>10.0f} ms{r['flip_ms']:>13.0f} ms{r['errors']:>8}")
    print("(last change / button: ms after pressing Pause until the picture's last new content, and until "
          "the button reads Play again)")
    xor = next((r for r in rows if r["page"] == "xor"), None)
    ok = (xor is None or (xor["fps"] >= 15 and xor["charts"] >= 2)) and all(r["pause_ms"] <= 300 for r in rows)
    print(f"targets (xor >= 15/s, charts >= 2/s, pause <= 300 ms): {'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    main()
