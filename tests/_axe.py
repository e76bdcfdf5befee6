"""axe-core in the page, for the accessibility tests (tests/test_browser_a11y.py).

axe-core is the engine behind most accessibility checkers (Deque, MPL 2.0). Its browser build
ships inside PyPI's axe-playwright-python (requirements-dev.txt); it is injected into the page
from that file, so nothing is fetched at run time. axe walks open shadow roots, which is where
the live view (a components-v2 element) draws.

Also a command that prints the violations of every page, for the README's before/after table:
    python tests/_axe.py                 # 1400 x 900, every page and state the test scans
    python tests/_axe.py --width 390 --height 844
(start it under the shared lock: it starts a server and a browser).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from axe_playwright_python.base import AXE_FILE_PATH

AXE_JS = Path(AXE_FILE_PATH).read_text(encoding="utf-8")
BLOCKING = ("critical", "serious")  # what the test allows none of


def run_axe(page) -> list[dict]:
    """axe's violations on the whole document (every rule axe runs by default: WCAG 2.0-2.2
    A and AA and best practices), as axe reports them: id, impact, help, nodes."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE_JS)
    return page.evaluate("""async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary, html: n.html.slice(0, 200) })) }));
    }""")


def counts(violations: list[dict]) -> Counter:
    """Violating elements per impact (a rule failing on 12 images counts 12, as axe's report does)."""
    c = Counter()
    for v in violations:
        c[v["impact"]] += len(v["nodes"])
    return c


def describe(violations: list[dict], impacts=BLOCKING) -> str:
    """A readable list for an assertion message: rule, impact, help, the first elements."""
    lines = []
    for v in violations:
        if v["impact"] in impacts:
            lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}")
            for n in v["nodes"][:4]:
                summary = re.sub(r"\s+", " ", n["summary"] or "")[:220]
                lines.append(f"    {n['target']} :: {summary}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the page states
LIVE = {"/xor": "xor/main", "/circles": "circles/main", "/more-2d": "more2d/main", "/mnist": "mnist/main",
        "/compare": "compare/main"}


def settle(page, path: str) -> None:
    """Until the page's components are drawn: its live view has painted, then one Play/Pause
    round (some parts render only then), then the server's re-run is over."""
    from _browser import button, wait_view

    if path in LIVE:
        wait_view(page, LIVE[path])
        button(page, "Play").click()
        page.wait_for_function(f"() => window.__bpLive.get({LIVE[path]!r}).status.step > 0", timeout=30000)
        button(page, "Pause").click()
        button(page, "Play").wait_for(timeout=30000)
        page.wait_for_function(f"() => !window.__bpLive.get({LIVE[path]!r}).status.playing", timeout=30000)
    else:
        page.locator("h1").first.wait_for(timeout=30000)
    idle(page)


def idle(page) -> None:
    """Streamlit's "running" indicator gone and a moment for late components."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
    page.wait_for_timeout(600)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_function(f"""() => [...document.querySelectorAll('[role=tab]')].some(t =>
        t.textContent.trim() === {name!r} && t.getAttribute('aria-selected') === 'true')""", timeout=30000)
    idle(page)


PAGES = ["/", "/lessons", "/xor", "/circles", "/more-2d", "/mnist", "/compare"]
TABS = ["Shape ledger", "Gradient check", "Bug zoo", "Step phases", "Check my numbers", "Take it home"]


def scan_all(browser, server: str, width: int = 1400, height: int = 900):
    """Yield (state name, violations) for every page, the Look-inside tabs (on XOR; the same code
    on every training page), Draw a digit, the 3-D hidden space and the projector mode."""
    from _browser import button

    def fresh(path):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(server + path)
        settle(page, path.split("?")[0])
        return page

    for path in PAGES:
        page = fresh(path)
        yield path, run_axe(page)
        if path == "/xor":
            for tab in TABS:
                open_tab(page, tab)
                if tab == "Gradient check":
                    button(page, "Run gradient check").click()
                    page.get_by_text("Largest relative error").first.wait_for(timeout=30000)
                    idle(page)
                yield f"{path} · {tab}", run_axe(page)
        if path == "/mnist":
            open_tab(page, "Draw a digit")
            yield f"{path} · Draw a digit", run_axe(page)
        page.close()
    page = fresh("/circles?hidden=3")
    page.locator("[data-testid=stButtonGroup] button", has_text="Hidden space").first.click()
    page.locator(".bp3d canvas").first.wait_for(timeout=30000)
    idle(page)
    yield "/circles?hidden=3 · Hidden space (3-D)", run_axe(page)
    page.locator("[data-testid=stButtonGroup] button", has_text="Neurons").first.click()
    page.locator("img[title*='incoming weights']").first.wait_for(timeout=30000)
    idle(page)
    yield "/circles?hidden=3 · Neurons", run_axe(page)
    page.close()
    for path in ("/xor", "/compare"):
        page = fresh(path)
        if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true":  # a phone
            page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_text("Projector mode", exact=True).click()
        page.locator(".st-key-leave_projector").wait_for(timeout=30000)
        idle(page)
        yield f"{path} · projector mode", run_axe(page)
        page.close()


if __name__ == "__main__":  # the before/after table
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from _browser import ARGS, CHROMIUM, start_server, sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("-v", action="store_true", help="list the violations too")
    a = ap.parse_args()
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            total = Counter()
            print(f"| page ({a.width} x {a.height}) | critical | serious | moderate | minor | rules |")
            print("|---|---|---|---|---|---|")
            for name, v in scan_all(b, url, a.width, a.height):
                c = counts(v)
                total += c
                rules = ", ".join(sorted(f"{x['id']} {len(x['nodes'])}" for x in v))
                print(f"| {name} | {c['critical']} | {c['serious']} | {c['moderate']} | {c['minor']} | {rules} |",
                      flush=True)
                if a.v:
                    print(describe(v, ("critical", "serious", "moderate", "minor")))
            print(f"| total | {total['critical']} | {total['serious']} | {total['moderate']} | {total['minor']} | |")
            b.close()
    finally:
        proc.terminate()
