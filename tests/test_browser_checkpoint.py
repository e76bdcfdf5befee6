"""No run is lost when the server goes away: a real server, killed with SIGKILL and started again
on the same port, and the browser's checkpoint (static/live/checkpoint.js, ui/checkpoint.py).

One server restart for the whole module: the ``world`` fixture trains runs in several browser
contexts (each its own storage, as separate visitors), kills the server, starts a new one on the
same port, and hands the pages to the tests. Pages left open reconnect by themselves (a laptop
waking up); the others are reloaded (a student pressing F5 after "Connecting..."). The
reference for "continues exactly" is the engine itself, run from the same settings.
"""
from __future__ import annotations

import re
import signal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from _browser import WEIGHTS, button, free_port, no_exception, require_browser, start_server, wait_step, wait_view

from engine import load_dataset
from ui.config import config_from_params
from ui.frames import _num
from ui.lab import Lab

require_browser()

LINK_A = "/xor?hidden=6,4&act=relu&bn=1&drop=0.1&opt=adam&lr=0.01&batch=16&seed=3"
LINK_M = "/mnist?ntrain=500&ntest=100&digits=1,7&hidden=16&batch=32"
LINK_B = "/circles?hidden=6&batch=32&seed=2"
OFFER = re.compile(r"^Continue your run from step ")

CK = """name => { const p = window.__bpCheckpoint && window.__bpCheckpoint.get(name);
  return p ? { checked: p.checked, token: p.token, offer: p.offer ? p.offer.rec.step : null,
               note: p.note ? p.note.text : null, saved: p.savedStep, errors: p.errors } : null; }"""

# change this tab's record of a page in the browser's storage (a damaged or foreign entry)
TAMPER = """async ([page, change]) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('backprop-playground', 1);
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const key = `${page}|${sessionStorage.getItem('bp-tab')}`;
  const t = db.transaction(['meta', 'runs'], 'readwrite'), meta = t.objectStore('meta'), runs = t.objectStore('runs');
  const rec = await new Promise((ok) => { const r = meta.get(key); r.onsuccess = () => ok(r.result); });
  if (change.meta) meta.put({ ...rec, ...change.meta }, key);
  if (change.garbage) { const u = new Uint8Array(rec.bytes); for (let i = 0; i < u.length; i++) u[i] = (i * 37 + 11) & 255;
    runs.put(u.buffer, key); }
  await new Promise((ok, no) => { t.oncomplete = ok; t.onerror = () => no(t.error); });
  db.close();
  return rec; }"""


def load(c):
    if c.dataset == "mnist":
        return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
    return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                        seed=c.data_seed)


def reference(link: str, steps: int) -> Lab:
    """The uninterrupted run: the engine from the link's settings, ``steps`` steps."""
    page = urlsplit(link).path.strip("/").replace("-", "")
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    cfg, warns = config_from_params(page, params)
    assert not warns, warns
    lab = Lab(page, cfg, load)
    assert lab.advance(steps)
    return lab


def ck(page, name: str) -> dict:
    return page.evaluate(CK, name)


def wait_saved(page, name: str, step) -> None:
    """Until the browser has kept the run at ``step`` (None: until it holds nothing of this tab)."""
    page.wait_for_function("([n, s]) => { const p = window.__bpCheckpoint && window.__bpCheckpoint.get(n); "
                           "return p && p.savedStep === s; }", arg=[name, step], timeout=30_000)


def wait_checked(page, name: str) -> dict:
    """Until the new session's look for a checkpoint is done."""
    page.wait_for_function("n => { const p = window.__bpCheckpoint && window.__bpCheckpoint.get(n); return p && p.checked; }",
                           arg=name, timeout=60_000)
    return ck(page, name)


def status_step(page, view: str) -> int:
    return page.evaluate("v => window.__bpLive.get(v).status.step", view)


def open_page(context, url: str, view: str):
    page = context.new_page()
    page.goto(url)
    wait_view(page, view)
    no_exception(page)
    return page


def play_then_pause(page, name: str, view: str, seconds: float) -> int:
    button(page, "Play").click()
    page.wait_for_timeout(seconds * 1000)
    button(page, "Pause").click()
    page.wait_for_function("v => !window.__bpLive.get(v).status.playing", arg=view, timeout=30_000)
    n = status_step(page, view)
    assert n > 0
    wait_saved(page, name, n)
    return n


def click_steps(page, view: str, n: int) -> int:
    for _ in range(n):
        before = status_step(page, view)
        button(page, "Step").click()
        page.wait_for_function(f"v => window.__bpLive.get(v).status.step === {before + 1}", arg=view, timeout=30_000)
    return status_step(page, view)


def query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


@pytest.fixture(scope="module")
def world(browser):
    port = free_port()
    proc, url = start_server(port)
    w = SimpleNamespace(url=url, contexts=[])

    def context():
        c = browser.new_context(viewport={"width": 1400, "height": 1000})
        w.contexts.append(c)
        return c

    try:
        # A: XOR with batch norm, dropout, Adam, mini-batches: played, paused, the page kept open
        ca = context()
        w.a = open_page(ca, url + LINK_A, "xor/main")
        w.n_a = play_then_pause(w.a, "xor", "xor/main", 1.5)
        w.weights_a = w.a.evaluate(WEIGHTS, "xor/main")
        # M: MNIST (float32, tiles) in a second tab of the same browser, played and paused
        w.m = open_page(ca, url + LINK_M, "mnist/main")
        w.n_m = play_then_pause(w.m, "mnist", "mnist/main", 1.0)
        # B: Circles by Step and Step epoch only; its record then marked as another build's
        w.b = open_page(context(), url + LINK_B, "circles/main")
        click_steps(w.b, "circles/main", 3)
        button(w.b, "Step epoch").click()
        w.b.wait_for_function("v => window.__bpLive.get(v).status.step > 3", arg="circles/main", timeout=30_000)
        w.n_b = status_step(w.b, "circles/main")
        wait_saved(w.b, "circles", w.n_b)
        w.b.evaluate(TAMPER, ["circles", {"meta": {"build": "0ther0build0"}}])
        # C: trained, then Reset
        w.c = open_page(context(), url + "/xor", "xor/main")
        click_steps(w.c, "xor/main", 2)
        wait_saved(w.c, "xor", 2)
        button(w.c, "Reset").click()
        w.c.wait_for_function("v => window.__bpLive.get(v).status.step === 0", arg="xor/main", timeout=30_000)
        wait_saved(w.c, "xor", None)
        # D: three damaged records in one tab: XOR's bytes, Circles' description, More 2-D's size
        w.d = open_page(context(), url + "/xor", "xor/main")
        click_steps(w.d, "xor/main", 2)
        wait_saved(w.d, "xor", 2)
        w.d.evaluate(TAMPER, ["xor", {"garbage": True}])
        w.d.goto(url + "/circles")
        wait_view(w.d, "circles/main")
        click_steps(w.d, "circles/main", 1)
        wait_saved(w.d, "circles", 1)
        w.d.evaluate(TAMPER, ["circles", {"meta": {"step": "abc"}}])
        w.d.goto(url + "/more-2d")
        wait_view(w.d, "more2d/main")
        click_steps(w.d, "more2d/main", 1)
        wait_saved(w.d, "more2d", 1)
        w.d.evaluate(TAMPER, ["more2d", {"meta": {"bytes": 9 * 2**20}}])
        # F: two tabs of one browser on XOR with different settings, both kept open
        cf = context()
        w.f1 = open_page(cf, url + "/xor?hidden=3", "xor/main")
        w.f2 = open_page(cf, url + "/xor?hidden=5", "xor/main")
        click_steps(w.f1, "xor/main", 2)
        click_steps(w.f2, "xor/main", 4)
        wait_saved(w.f1, "xor", 2)
        wait_saved(w.f2, "xor", 4)
        w.tokens = {name: ck(getattr(w, name), page)["token"] for name, page in
                    (("a", "xor"), ("m", "mnist"), ("f1", "xor"), ("f2", "xor"))}

        # the server goes away without a word, and comes back on the same address
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc, _ = start_server(port)
        for page, path in ((w.b, "/circles?hidden=3"), (w.c, "/xor"), (w.d, "/xor")):
            page.goto(url + path)
        yield w
    finally:
        for c in w.contexts:
            c.close()
        proc.terminate()
        proc.wait(10)


def continue_run(page, name: str, view: str, n: int) -> None:
    offer = page.get_by_role("button", name=OFFER)
    offer.wait_for(timeout=60_000)
    assert offer.inner_text() == f"Continue your run from step {n:,}"
    offer.click()
    wait_step(page, view, n)
    page.get_by_role("button", name=OFFER).wait_for(state="detached", timeout=30_000)
    wait_saved(page, name, n)  # kept again, now by the new session
    assert ck(page, name)["token"] and not ck(page, name)["note"]
    no_exception(page)


def next_step_equals(page, view: str, ref: Lab, w_only_from: int = 0) -> None:
    """Step once in the browser and in the engine: the same loss, bit-equal parameters."""
    got = page.evaluate(WEIGHTS, view)
    for l, (W, b) in enumerate(zip(ref.net.weights, ref.net.biases)):  # the restored state itself
        if l >= w_only_from:
            assert np.array_equal(np.array(got["W"][l]), W.ravel()), f"W{l + 1}"
        assert np.array_equal(np.array(got["b"][l]), b), f"b{l + 1}"
    n = ref.step
    button(page, "Step").click()
    wait_step(page, view, n + 1)
    assert ref.advance(1)
    hist = page.evaluate("v => { const h = window.__bpLive.get(v).hist; return { step: h.step.slice(-1)[0], "
                         "loss: h.loss.slice(-1)[0] }; }", view)
    assert hist == {"step": n + 1, "loss": _num(ref.trainer.history[-1].loss)}
    got = page.evaluate(WEIGHTS, view)
    for l, (W, b) in enumerate(zip(ref.net.weights, ref.net.biases)):
        if l >= w_only_from:
            assert np.array_equal(np.array(got["W"][l]), W.ravel()), f"W{l + 1} after the next step"
        assert np.array_equal(np.array(got["b"][l]), b), f"b{l + 1} after the next step"


def test_a_paused_run_comes_back_on_the_page_left_open_and_continues_exactly(world):
    page = world.a
    continue_run(page, "xor", "xor/main", world.n_a)
    assert ck(page, "xor")["token"] != world.tokens["a"]  # a new server session
    assert query(page.url) == query(LINK_A)
    assert "Continued your run from step" in page.locator('[data-testid="stAlert"]').first.inner_text()
    ref = reference(LINK_A, world.n_a)
    assert world.weights_a["b"] == [list(b) for b in ref.net.biases]  # the reference is the run played
    next_step_equals(page, "xor/main", ref)
    wait_saved(page, "xor", world.n_a + 1)  # and the browser keeps the continued run


def test_an_mnist_run_comes_back_too(world):
    page = world.m
    continue_run(page, "mnist", "mnist/main", world.n_m)
    assert query(page.url) == query(LINK_M)
    next_step_equals(page, "mnist/main", reference(LINK_M, world.n_m), w_only_from=1)  # W1 travels as tiles


def test_a_step_only_run_comes_back_after_a_reload_with_its_own_settings(world):
    page = world.b
    wait_view(page, "circles/main")
    offer = page.locator(".bp-ckpt")
    offer.wait_for(timeout=60_000)
    why = offer.inner_text()
    assert "another version of the app" in why and "other settings than this page has now" in why, why
    assert query(page.url) == {"hidden": ["3"]}
    continue_run(page, "circles", "circles/main", world.n_b)
    assert query(page.url) == query(LINK_B)  # the run's settings, in the link and the sidebar
    assert page.get_by_role("spinbutton", name="Layer 1", exact=True).input_value() == "6"
    next_step_equals(page, "circles/main", reference(LINK_B, world.n_b))


def test_two_tabs_each_get_their_own_run_back(world):
    for page, n, hidden in ((world.f1, 2, "3"), (world.f2, 4, "5")):
        continue_run(page, "xor", "xor/main", n)
        assert query(page.url) == {"hidden": [hidden]}


def test_reset_discards_the_run_and_the_server_keeps_nothing(world, browser):
    page = world.c
    wait_view(page, "xor/main")
    state = wait_checked(page, "xor")
    assert state["offer"] is None and state["note"] is None, state
    assert page.get_by_role("button", name=OFFER).count() == 0
    # a visitor whose browser kept nothing gets nothing: no run is kept on the server
    fresh = browser.new_context()
    try:
        other = open_page(fresh, world.url + "/xor", "xor/main")
        state = wait_checked(other, "xor")
        assert state["offer"] is None and state["note"] is None, state
    finally:
        fresh.close()


def test_damaged_bytes_get_a_sentence_and_change_nothing(world):
    page = world.d
    wait_view(page, "xor/main")
    url = page.url
    page.get_by_role("button", name=OFFER).click(timeout=60_000)
    alert = page.locator(".bp-ckpt-note[role=alert]")
    alert.wait_for(timeout=30_000)
    text = alert.inner_text()
    assert text.startswith("The run this browser kept could not be continued: this is not a saved run"), text
    assert text.endswith("Nothing was changed.")
    assert status_step(page, "xor/main") == 0 and page.url == url
    no_exception(page)
    assert click_steps(page, "xor/main", 1) == 1  # the page works on
    page.get_by_role("alert").filter(has_text="could not be continued").wait_for(state="detached", timeout=30_000)


@pytest.mark.parametrize("path,name,words", [
    ("/circles", "circles", "its step number is not valid"),
    ("/more-2d", "more2d", "it is 9.0 MB, more than the 8.0 MB the app takes back"),
])
def test_an_unreadable_or_oversized_entry_gets_a_sentence_and_no_button(world, path, name, words):
    page = world.d
    page.goto(world.url + path)
    wait_view(page, f"{name}/main")
    state = wait_checked(page, name)
    assert state["offer"] is None
    assert state["note"] == (f"This browser kept a copy of a run on this page, but it cannot be used: {words}. "
                             "Nothing was changed (Reset discards it)."), state["note"]
    assert page.locator(".bp-ckpt-note[role=alert]").inner_text() == state["note"]
    assert page.get_by_role("button", name=OFFER).count() == 0 and status_step(page, f"{name}/main") == 0
    button(page, "Reset").click()  # discards it
    page.locator(".bp-ckpt-note").wait_for(state="detached", timeout=30_000)


def test_a_full_storage_is_said_and_the_run_kept_before_stays(world, browser):
    c = browser.new_context()
    try:
        page = open_page(c, world.url + "/xor", "xor/main")
        click_steps(page, "xor/main", 1)
        wait_saved(page, "xor", 1)
        page.evaluate("""() => { const put = IDBObjectStore.prototype.put;
          IDBObjectStore.prototype.put = function (value, key) {
            if (value instanceof ArrayBuffer) throw new DOMException('quota', 'QuotaExceededError');
            return put.call(this, value, key); }; }""")
        click_steps(page, "xor/main", 1)
        note = page.locator(".bp-ckpt-note[role=status]")
        note.wait_for(timeout=30_000)
        assert note.inner_text() == ("This browser did not keep a copy of the run at step 2 (its storage for this site "
                                     "is full): if the server restarts, the run is lost unless you download it (Look "
                                     "inside backprop → Take it home).")
        assert ck(page, "xor")["saved"] == 1  # the copy of step 1 is still there
        page.reload()
        wait_view(page, "xor/main")
        page.get_by_role("button", name="Continue your run from step 1").wait_for(timeout=30_000)
    finally:
        c.close()
