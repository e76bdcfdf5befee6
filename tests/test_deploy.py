"""The app behind a real load balancer: `deploy/local --replicas 2` (two `streamlit run app.py`
behind Debian's HAProxy with deploy/haproxy.cfg, the file compose mounts too), driven by
headless Chromium, one browser context per visitor (each its own cookie jar, as each student's
browser is). One deployment for the whole module; the last test stops it with SIGTERM.

- visitors spread over both replicas, and every request of a visitor (page, static files,
  WebSocket, health pings) reaches the replica its cookie names;
- a CSV upload and a run-file upload (PUT /_stcore/upload_file/<session>/..., which only the
  replica holding the session accepts) work through the balancer, on either replica;
- SIGKILL of one replica mid-run: its visitors' browsers reconnect through the balancer to the
  other replica and continue their run from the browser's checkpoint ("Continue your run from
  step N", the next loss and weights equal to an uninterrupted run's); the other visitors never
  notice (their WebSocket stays open, their steps keep coming); deploy/local restarts the killed
  replica and HAProxy takes it back;
- SIGTERM of deploy/local leaves no process and no listening port; SIGKILL of deploy/local
  leaves no process either (the children die with it).

What deploy/ looks like without running it: tests/test_deploy_files.py.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from _browser import button, free_port, no_exception, require_browser, wait_view

require_browser()

from engine.export import save_run  # noqa: E402
from ui.config import data_spec  # noqa: E402
from test_browser_live import python_lab  # noqa: E402
from test_deploy_files import deploy_local, tool  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COOKIE = "BACKPROP_REPLICA"
VIEW = "circles/main"


# ----------------------------------------------------------------------------- the deployment
class Deployment:
    """A running `deploy/local`: its output lines, state.json, HAProxy's view of the replicas."""

    def __init__(self, replicas: int, logs: Path):
        tool("haproxy", "haproxy")
        self.port, self.logs, self.lines = free_port(), logs, []
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "local"), "--replicas", str(replicas), "--port", str(self.port),
             "--logs", str(logs)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.address = f"http://127.0.0.1:{self.port}"
        self.wait_line(r"^deploy/local: ready: " + re.escape(self.address), 120)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hit = next((x for x in self.lines if re.search(pattern, x)), None)
            if hit:
                return hit
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.1)
        raise AssertionError(f"no line /{pattern}/ from deploy/local within {timeout:g} s:\n" + "\n".join(self.lines))

    def state(self) -> dict:
        return json.loads((self.logs / "state.json").read_text())

    def pid(self, name: str) -> int:
        return next(r["pid"] for r in self.state()["replicas"] if r["name"] == name)

    def servers(self) -> dict[str, str]:
        return deploy_local().servers_status(self.state()["stats"])

    def pids(self) -> list[int]:
        s = self.state()
        return [s["runner"], s["haproxy"]] + [r["pid"] for r in s["replicas"]]

    def ports(self) -> list[int]:
        s = self.state()
        return [self.port, int(s["stats"].rstrip("/").rsplit(":", 1)[1])] + [int(r["url"].rsplit(":", 1)[1])
                                                                            for r in s["replicas"]]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    d = Deployment(2, tmp_path_factory.mktemp("deploy-local"))
    yield d
    d.stop()


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ----------------------------------------------------------------------------- visitors
class Visitor:
    """One student: a browser context (own cookies), one page, what the balancer told it."""

    def __init__(self, browser, address: str, path: str, view: str | None = VIEW, height: int = 900):
        self.ctx = browser.new_context(viewport={"width": 1300, "height": height})
        self.page = self.ctx.new_page()
        self.answered_by: list[str] = []   # X-Backprop-Replica of every HTTP response
        self.sockets = []                  # the page's Streamlit WebSockets, in order
        self.played_at = 0.0
        self.page.on("response", self._response)
        self.page.on("websocket", lambda ws: self.sockets.append(ws) if "/_stcore/stream" in ws.url else None)
        self.page.goto(address + path)
        if view:
            wait_view(self.page, view)

    def _response(self, r) -> None:
        if r.url.startswith(("http://", "https://")):  # not data: or blob: URLs
            self.answered_by.append(r.headers.get("x-backprop-replica") or f"none: {r.status} {r.url}")

    @property
    def replica(self) -> str | None:
        return next((c["value"] for c in self.ctx.cookies() if c["name"] == COOKIE), None)

    def status(self, view: str = VIEW) -> dict:
        return self.page.evaluate(f"() => {{ const v = window.__bpLive && window.__bpLive.get({view!r});"
                                  " return v && v.status ? {step: v.status.step, loss: v.status.loss} : null; }")

    def close(self) -> None:
        self.ctx.close()


def open_visitors(browser, d: Deployment, seeds) -> list[Visitor]:
    return [Visitor(browser, d.address, f"/circles?seed={s}") for s in seeds]


def play(v: Visitor) -> None:
    v.played_at = time.monotonic()
    button(v.page, "Play").click()
    v.page.wait_for_function(f"() => window.__bpLive.get({VIEW!r}).status.step > 0", timeout=60000)


# ----------------------------------------------------------------------------- tests
def test_csv_and_run_file_uploads_work_through_the_balancer_on_both_replicas(deployment, browser, tmp_path):
    """A CSV on one replica, a saved run on the other: each upload is a PUT that only the
    replica holding the visitor's session accepts."""
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n" + "\n".join(f"{i % 7},{(i * 3) % 11},{'cat' if i % 2 else 'dog'}"
                                                 for i in range(40)))
    run = tmp_path / "run.npz"
    lab = python_lab("xor", {"hidden": "5", "batch": "32"}, 3)
    save_run(lab.trainer, run, data_spec=data_spec(lab.cfg))  # as Take it home's download does
    first = Visitor(browser, deployment.address, "/more-2d?data=moons", "more2d/main", height=1200)
    others = []
    try:
        while not others or others[-1].replica == first.replica:
            assert len(others) < 3, [first.replica] + [v.replica for v in others]
            others.append(Visitor(browser, deployment.address, "/xor", "xor/main", height=1200))
        second = others[-1]
        assert {first.replica, second.replica} == {"app1", "app2"}

        page, sidebar = first.page, first.page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Data — changes rebuild").click()
        sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
        page.get_by_role("option", name="Your CSV file…").click()
        page.get_by_text("Upload a CSV file").first.wait_for(timeout=30000)
        sidebar.locator('input[type="file"]').set_input_files(str(csv))
        page.get_by_text("Your CSV: 40 rows").wait_for(timeout=30000)
        no_exception(page)

        page = second.page
        page.get_by_role("tab", name="Take it home").click()
        uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Continue a saved run")
        uploader.wait_for(timeout=30000)  # the tab renders its content after the click
        uploader.locator('input[type="file"]').set_input_files(str(run))
        page.get_by_text("Continued the saved run at step 3").wait_for(timeout=30000)
        page.wait_for_function("() => window.__bpLive.get('xor/main').status.step === 3", timeout=30000)
        no_exception(page)
        for v in (first, second):
            assert set(v.answered_by) == {v.replica}, Counter(v.answered_by)
    finally:
        for v in [first] + others:
            v.close()


SEEDS = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def classroom(deployment, browser):
    """Four students on Circles, seeds 1-4, each in their own browser context, all playing
    (opened after the upload test, so that it runs on idle replicas)."""
    visitors = open_visitors(browser, deployment, SEEDS)
    yield dict(zip(SEEDS, visitors))
    for v in visitors:
        v.close()


def test_visitors_spread_over_the_replicas_and_every_request_reaches_their_own(classroom):
    visitors = list(classroom.values())
    count = Counter(v.replica for v in visitors)
    assert sorted(count) == ["app1", "app2"] and sorted(count.values()) == [2, 2], count
    for v in visitors:
        assert set(v.answered_by) == {v.replica}, (v.replica, Counter(v.answered_by))
        assert len(v.sockets) == 1 and not v.sockets[0].is_closed()
    for v in visitors:
        play(v)
    before = [v.status()["step"] for v in visitors]
    time.sleep(3)
    after = [v.status()["step"] for v in visitors]
    assert all(b > a for a, b in zip(before, after)), (before, after)  # every session animates
    for v in visitors:
        no_exception(v.page)
        assert set(v.answered_by) == {v.replica}


CONTINUE = re.compile(r"^Continue your run", re.IGNORECASE)
CHECKPOINT_AGE = 7.0  # seconds of play before the kill


def test_sigkill_of_a_replica_moves_its_visitors_to_the_other_where_they_continue_and_the_rest_never_notice(
        deployment, classroom, browser):
    """The classroom plays on (the previous test pressed Play); one replica dies mid-run."""
    seeds, visitors = list(classroom), list(classroom.values())
    for v in visitors:
        if v.page.evaluate(f"() => window.__bpLive.get({VIEW!r}).status.playing") is not True:
            play(v)  # this test alone
    # playing long enough for the browsers to have kept a checkpoint of the run in progress (one
    # every few seconds while playing: ui/checkpoint.py CHECKPOINT_SECONDS, 5 s)
    time.sleep(max(0.0, max(v.played_at for v in visitors) + CHECKPOINT_AGE - time.monotonic()))
    victim_name = "app1"
    victims = [(s, v) for s, v in zip(seeds, visitors) if v.replica == victim_name]
    others = [(s, v) for s, v in zip(seeds, visitors) if v.replica != victim_name]
    assert victims and others, [v.replica for v in visitors]
    before_kill = {s: v.status()["step"] for s, v in victims}

    os.kill(deployment.pid(victim_name), signal.SIGKILL)
    t_kill = time.monotonic()

    # the others: their steps keep coming, at no moment stalling, on the same WebSocket
    samples = {s: [] for s, _ in others}
    shown = dict(before_kill)  # the last step each victim's page showed from the killed replica
    states = set()  # what HAProxy said of the killed replica meanwhile
    while time.monotonic() - t_kill < 6:
        states.add(deployment.servers().get(victim_name))
        for s, v in others:
            samples[s].append((time.monotonic(), v.status()["step"]))
        for s, v in victims:
            st = v.status()
            if st and st["step"] >= shown[s]:  # (a fresh session's page starts again at 0)
                shown[s] = st["step"]
        time.sleep(0.2)
    for s, v in others:
        steps = [st for _, st in samples[s]]
        assert all(b >= a for a, b in zip(steps, steps[1:])), steps
        stall, last_t, last = 0.0, samples[s][0][0], steps[0]
        for t, st in samples[s][1:]:
            if st > last:
                last, last_t = st, t
            stall = max(stall, t - last_t)
        assert stall < 2.0, f"seed {s} on {v.replica}: no new step for {stall:.1f} s after the kill: {steps}"
        assert len(v.sockets) == 1 and not v.sockets[0].is_closed(), "a survivor's WebSocket was reconnected"
        assert v.replica != victim_name
        no_exception(v.page)

    # the victims: reconnected through the balancer to the survivor, which holds no session
    # of theirs; the browser's checkpoint brings the run back
    for s, v in victims:
        deadline = time.monotonic() + 30
        while v.replica == victim_name and time.monotonic() < deadline:
            time.sleep(0.2)
        assert v.replica != victim_name, f"seed {s} still has the cookie of the killed replica"
        assert len(v.sockets) >= 2, f"seed {s}: its WebSocket did not reconnect"
        assert not v.sockets[-1].is_closed()
        wait_view(v.page, VIEW)  # the page works on the new replica (a new server session)
        no_exception(v.page)
    (ROOT / "shots").mkdir(exist_ok=True)
    victims[0][1].page.screenshot(path=str(ROOT / "shots" / "test-deploy-after-kill.png"))
    # HAProxy took the dead replica out, deploy/local started it again, HAProxy took it back
    assert any(st and st.startswith("DOWN") for st in states), states
    deadline = time.monotonic() + 60
    while deployment.servers().get(victim_name) != "UP" or deployment.pid(victim_name) is None:
        assert time.monotonic() < deadline, (deployment.servers(), deployment.lines[-5:])
        time.sleep(0.5)
    assert any(re.search(rf"replica {victim_name} pid \d+ ended \(killed by SIGKILL\)", x) for x in deployment.lines)
    assert deployment.state()["replicas"][0]["restarts"] == 1

    for s, v in victims:
        offer = v.page.get_by_role("button", name=CONTINUE).first
        offer.wait_for(timeout=30000)
        label = offer.inner_text()
        n = int(re.search(r"step ([\d,]+)", label).group(1).replace(",", ""))
        assert 0 < n <= shown[s], (label, shown[s])  # a step this browser saw, not beyond
        offer.click()
        v.page.wait_for_function(f"() => window.__bpLive.get({VIEW!r}).status.step === {n}", timeout=30000)
        button(v.page, "Step").click()
        v.page.wait_for_function(f"() => window.__bpLive.get({VIEW!r}).status.step === {n + 1}", timeout=30000)
        lab = python_lab("circles", {"seed": str(s)}, n + 1)   # the same run, never interrupted
        assert v.status()["loss"] == float(f"{lab.trainer.history[-1].loss:.7g}")
        got = v.page.evaluate(f"() => Array.from(window.__bpLive.get({VIEW!r}).net.W[0])")
        assert np.array_equal(np.array(got), lab.net.weights[0].ravel())
        no_exception(v.page)

    # a newcomer now lands on the restarted replica (it has the fewest connections)
    newcomer = Visitor(browser, deployment.address, "/circles?seed=99")
    try:
        assert newcomer.replica == victim_name
        no_exception(newcomer.page)
    finally:
        newcomer.close()


def test_sigkill_of_deploy_local_takes_its_processes_with_it(tmp_path):
    """Even when the runner gets no chance to clean up: its children die with it."""
    d = Deployment(1, tmp_path)
    children = d.pids()[1:]
    assert all(alive(p) for p in children)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait(10)
    deadline = time.monotonic() + 20
    while any(alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in children if alive(p)], "processes outlived deploy/local"
    assert not [p for p in d.ports() if listening(p)]


def test_sigterm_of_deploy_local_stops_everything(deployment):
    """Last in the module: it ends the module's deployment."""
    pids, ports = deployment.pids(), deployment.ports()
    assert all(alive(p) for p in pids) and all(listening(p) for p in ports)
    deployment.proc.send_signal(signal.SIGTERM)
    assert deployment.proc.wait(30) == 0
    deployment.wait_line(r"^deploy/local: stopped$", 5)
    assert not [p for p in pids if alive(p)], "processes outlived deploy/local"
    assert not [p for p in ports if listening(p)], "ports still open"
