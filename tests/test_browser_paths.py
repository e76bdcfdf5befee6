"""Every button that changes the run draws what Play draws (issue 17).

Play is one way to train; Step, Step epoch, Reset, a lesson, an upload and Compare's Step are
the others, and each must send the browser what its charts need. One test per training page
walks those paths with Step only (never Play) in one browser tab and, after every click,
compares the data the charts hold (uPlot's own arrays, read through window.__bpLive) with the
history of the same run rebuilt in the engine here: the same steps, losses, accuracies, mean
|δ_l| and update ratios, and the "Press Play or Step" placeholder exactly when there is no step.
"""
from __future__ import annotations

import io
import math

from _browser import button, no_exception, require_browser, wait_charts, wait_step, wait_view

from _labs import engine_lab

from engine import load_dataset
from engine.export import save_run
from ui.config import data_spec
from ui.lab import Lab
from ui.lessons import LESSONS

require_browser()

LESSON = {ls.key: ls for ls in LESSONS}


# ----------------------------------------------------------------------------- the oracle
def _finite(xs):
    return [x if x is not None and math.isfinite(x) else None for x in xs]


def _positive(xs):  # log axes show no zeros
    return [x if x is not None and x > 0 else None for x in _finite(xs)]


def _moving_average(steps, losses):
    """The loss chart's moving average (weight 0.05 per step), written out independently."""
    out = []
    for i, loss in enumerate(losses):
        prev = out[-1] if out else None
        if prev is None or loss is None:
            out.append(loss)
        else:
            out.append(prev + (1 - 0.95 ** (steps[i] - steps[i - 1])) * (loss - prev))
    return out


def expected_charts(history, n_layers: int, smooth: bool) -> dict:
    """What each chart must hold for an engine history: [x, series...] per chart."""
    steps = [r.step for r in history]
    loss = _finite([r.loss for r in history])
    return {
        "loss": [steps, _positive(loss), *([_positive(_moving_average(steps, loss))] if smooth else []),
                 _positive([r.test_loss for r in history])],
        "acc": [steps, _finite([r.train_acc for r in history]), _finite([r.test_acc for r in history])],
        "delta": [steps, *(_positive([r.delta_norms[l] for r in history]) for l in range(n_layers))],
        "ratio": [steps, *(_positive([r.update_ratios[l] for r in history]) for l in range(n_layers))],
    }


def expected_compare(labs) -> dict:
    """The Compare view's two charts: every run's batch loss and test accuracy on the union of steps."""
    xs = sorted({r.step for lb in labs for r in lb.trainer.history})

    def col(lb, key, positive):
        at = {r.step: getattr(r, key) for r in lb.trainer.history}
        vals = _finite([at.get(x) for x in xs])
        return _positive(vals) if positive else vals
    return {"loss": [xs, *(col(lb, "loss", True) for lb in labs)],
            "acc": [xs, *(col(lb, "test_acc", False) for lb in labs)]}


def close(a, b, rtol) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)


# the frames round losses to 7 significant digits, accuracies, |δ| and ratios to 5
RTOL = {"loss": 1e-6, "acc": 6e-5, "delta": 6e-5, "ratio": 6e-5}


def assert_charts(got: dict, want: dict, where: str) -> None:
    for chart, series in want.items():
        assert chart in got, f"{where}: no {chart!r} chart drawn ({sorted(got)})"
        data, steps = got[chart]["data"], series[0]
        assert data and data[0] == steps, (
            f"{where}: the {chart} chart shows steps {data[0] if data else None}, the engine has {steps}")
        assert len(data) == len(series), f"{where}: {chart} has {len(data)} series, expected {len(series)}"
        for k, (g, w) in enumerate(zip(data[1:], series[1:]), start=1):
            bad = [i for i, (x, y) in enumerate(zip(g, w)) if not close(x, y, RTOL[chart])]
            assert len(g) == len(w) and not bad, (
                f"{where}: {chart} series {k} differs from the engine at steps {[steps[i] for i in bad][:5]}: "
                f"drawn {[g[i] for i in bad][:5]}, engine {[w[i] for i in bad][:5]}")
        assert got[chart]["placeholder"] == (not steps), (
            f"{where}: the {chart} chart's 'Press Play or Step' placeholder is "
            f"{'shown' if got[chart]['placeholder'] else 'hidden'} at {len(steps)} steps")


def check(page, name: str, lab: Lab, where: str, charts=("loss", "acc", "delta", "ratio")) -> None:
    """The view's status line and its charts equal the engine's lab."""
    tr = lab.trainer
    smooth = tr.effective_batch_size < tr.n_train
    want = {k: v for k, v in expected_charts(tr.history, lab.net.n_layers, smooth).items() if k in charts}
    got = wait_charts(page, name, want[charts[0]][0])
    assert_charts(got, want, where)
    status = page.evaluate(f"() => window.__bpLive.get({name!r}).status")
    assert status["step"] == lab.step and status["epoch"] == tr.epoch, (where, status, lab.step)
    if tr.history:
        assert close(status["loss"], tr.history[-1].loss, 1e-6), (where, status)
    # what the status line shows: step, epoch, batch loss (4 significant digits)
    shown = page.evaluate(f"() => {{ const c = window.__bpLive.get({name!r}).statusCells; "
                          "return c ? c.map(e => e.textContent) : null; }")
    if shown is None:  # a view without the status line (the lower half of a split page)
        return
    assert shown[0] == f"{lab.step:,}" and shown[1] == f"{tr.epoch:,}", (where, shown, lab.step)
    if tr.history:
        assert close(float(shown[2]), float(f"{tr.history[-1].loss:.4g}"), 1e-9), (where, shown)
    else:
        assert shown[2] == "–", (where, shown)


def click_and_wait(page, name: str, label: str, step: int) -> None:
    button(page, label).click()
    wait_step(page, name, step)


def open_view(browser, server, path, name, height=1100):
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(server + path)
    wait_view(page, name)
    no_exception(page)
    return page


def open_lesson(page, key: str, name: str) -> None:
    """Through the sidebar's Lessons link (same session, same tab), then the lesson's button."""
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Lessons").first.click()
    page.locator("h1", has_text="Lessons").wait_for(timeout=20000)
    page.locator(f".st-key-lesson-{key} button").click()
    page.wait_for_function(f"() => {{ const v = window.__bpLive && window.__bpLive.get({name!r});"
                           "return v && v.root.isConnected && v.status && v.status.step === 0 && !v.dirty; }",
                           timeout=30000)
    no_exception(page)


# ----------------------------------------------------------------------------- the pages
def test_xor_step_epoch_reset_upload_and_a_lesson_draw_the_curves(server, browser, tmp_path):
    name = "xor/main"
    page = open_view(browser, server, "/xor", name)
    lab = engine_lab("xor", {})
    check(page, name, lab, "XOR opened")
    for i in range(1, 4):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"XOR after Step {i}")
    click_and_wait(page, name, "Step epoch", 4)
    lab.advance_epoch()
    check(page, name, lab, "XOR after Step epoch")
    click_and_wait(page, name, "Reset", 0)
    lab.reset()
    check(page, name, lab, "XOR after Reset")
    click_and_wait(page, name, "Step", 1)
    lab.advance(1)
    check(page, name, lab, "XOR after Reset and Step")

    # a saved run uploaded in Take it home (5 steps of a 2-5-2 net on mini-batches)
    saved = engine_lab("xor", {"hidden": "5", "batch": "32"})
    saved.advance(5)
    buf = io.BytesIO()
    save_run(saved.trainer, buf, data_spec=data_spec(saved.cfg))
    (tmp_path / "run.npz").write_bytes(buf.getvalue())
    page.get_by_role("tab", name="Take it home").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(tmp_path / "run.npz"))
    page.get_by_text("Continued the saved run at step 5").wait_for(timeout=30000)
    wait_step(page, name, 5)
    check(page, name, saved, "XOR after uploading a run")
    click_and_wait(page, name, "Step", 6)
    saved.advance(1)
    check(page, name, saved, "XOR after the upload and Step")

    lesson = LESSON["vanishing"]
    open_lesson(page, lesson.key, name)
    lab = engine_lab("xor", lesson.params)
    check(page, name, lab, "XOR opened by a lesson")
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"the vanishing-gradients lesson after Step {i}")
    no_exception(page)
    page.close()


def test_circles_step_epoch_reset_panels_and_a_lesson_draw_the_curves(server, browser):
    name = "circles/main"
    page = open_view(browser, server, "/circles", name)
    lab = engine_lab("circles", {})
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"Circles after Step {i}")
    click_and_wait(page, name, "Step epoch", 3)
    lab.advance_epoch()
    check(page, name, lab, "Circles after Step epoch")
    # the Neurons panel splits the view: the per-layer charts move to the lower element
    page.locator("[data-testid=stButtonGroup] button", has_text="Neurons").first.click()
    wait_view(page, "circles/lower")
    click_and_wait(page, "circles/left", "Step", 4)
    lab.advance(1)
    check(page, "circles/lower", lab, "Circles' lower view after Step", charts=("delta", "ratio"))
    page.locator("[data-testid=stButtonGroup] button", has_text="Loss & accuracy").first.click()
    click_and_wait(page, name, "Reset", 0)
    lab.reset()
    check(page, name, lab, "Circles after Reset")

    lesson = LESSON["momentum"]
    open_lesson(page, lesson.key, name)
    lab = engine_lab("circles", lesson.params)
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"the momentum lesson after Step {i}")
    no_exception(page)
    page.close()


def test_more_2d_mini_batches_and_a_csv_upload_draw_the_curves(server, browser, tmp_path):
    name = "more2d/main"
    page = open_view(browser, server, "/more-2d", name, height=1200)
    lab = engine_lab("more2d", {})
    assert lab.trainer.effective_batch_size < lab.trainer.n_train  # the moving average is drawn too
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"More 2-D after Step {i}")
    lab.advance_epoch()
    click_and_wait(page, name, "Step epoch", lab.step)
    check(page, name, lab, "More 2-D after Step epoch")

    data = ("x1,x2,label\n" + "\n".join(f"{i % 7 / 7:.3f},{(i * 3) % 11 / 11:.3f},{'cat' if i % 2 else 'dog'}"
                                         for i in range(60))).encode()
    (tmp_path / "points.csv").write_bytes(data)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Data — changes rebuild").click()
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
    page.get_by_role("option", name="Your CSV file…").click()
    sidebar.locator('input[type="file"]').set_input_files(str(tmp_path / "points.csv"))
    page.get_by_text("Your CSV: 60 rows").wait_for(timeout=20000)
    page.wait_for_function(f"() => window.__bpLive.get({name!r}).data.classes.join() === 'cat,dog'", timeout=20000)
    lab = engine_lab("more2d", {}, csv=data)
    wait_step(page, name, 0)
    check(page, name, lab, "More 2-D after the CSV upload")
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"More 2-D with the CSV after Step {i}")
    no_exception(page)
    page.close()


def test_mnist_step_epoch_reset_and_its_lesson_draw_the_curves(server, browser):
    name = "mnist/main"
    page = open_view(browser, server, "/mnist", name, height=1300)
    lab = engine_lab("mnist", {})
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        lab.advance(1)
        check(page, name, lab, f"MNIST after Step {i}")
    lab.advance_epoch()
    click_and_wait(page, name, "Step epoch", lab.step)
    check(page, name, lab, "MNIST after Step epoch")
    click_and_wait(page, name, "Reset", 0)
    lab.reset()
    check(page, name, lab, "MNIST after Reset")

    lesson = LESSON["mnist_classic"]
    open_lesson(page, lesson.key, name)
    lab = engine_lab("mnist", lesson.params)
    click_and_wait(page, name, "Step", 1)
    lab.advance(1)
    check(page, name, lab, "the MNIST lesson after Step")
    no_exception(page)
    page.close()


def test_compare_step_reset_and_a_race_switch_draw_the_curves(server, browser):
    from ui.compare import CompareConfig, CompareLab

    def compare_lab(cfg):
        return CompareLab(cfg, lambda c: load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise,
                                                      test_fraction=c.test_fraction, seed=c.data_seed))

    def check_compare(cl, where):
        want = expected_compare(cl.labs)
        got = wait_charts(page, name, want["loss"][0])
        assert_charts(got, want, where)
        runs = page.evaluate(f"() => window.__bpLive.get({name!r}).runs.map(r => r.status.step)")
        assert runs == [lb.step for lb in cl.labs], (where, runs)

    name = "compare/main"
    page = open_view(browser, server, "/compare?runs=3", name)
    cl = compare_lab(CompareConfig(runs=3))
    check_compare(cl, "Compare opened")
    for i in range(1, 4):
        click_and_wait(page, name, "Step", i)
        cl.advance(1)
        check_compare(cl, f"Compare after Step {i}")
    click_and_wait(page, name, "Reset", 0)
    cl.reset()
    check_compare(cl, "Compare after Reset")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Race").click()
    page.get_by_role("option", name="Learning-rate race").click()
    page.wait_for_function(f"() => window.__bpLive.get({name!r}).runs[0].label === 'η = 0.003'", timeout=20000)
    cl = compare_lab(CompareConfig(race="learning_rates", runs=3))
    for i in range(1, 3):
        click_and_wait(page, name, "Step", i)
        cl.advance(1)
        check_compare(cl, f"the learning-rate race after Step {i}")
    no_exception(page)
    page.close()

