"""The Compare page: every race's "what to watch" claim checked in the engine with the runs the
page builds, the frames it sends, and the page through AppTest (race switch, Step advances
every run, Reset, bad link parameters get a sentence)."""
from __future__ import annotations

import math

import numpy as np
from streamlit.testing.v1 import AppTest

from engine import load_dataset
from ui.compare import RACES, CompareConfig, CompareLab, CompareMaker, config_from_params, params_from_config
from ui.frames import unpack

from test_app_pages import APP, texts

LN2 = math.log(2)


def load(c):
    return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                        seed=c.data_seed)


def race(name, steps, **kw):
    """{label: Lab} after `steps` lockstep steps of the race."""
    cl = CompareLab(CompareConfig(race=name, **kw), load)
    assert cl.advance(steps)
    return {label: lb for label, lb in cl.runs}


def loss(lb):
    return lb.trainer.history[-1].loss


def test_runs_share_everything_but_the_change():
    for name, (_, runs) in RACES.items():
        cfgs = CompareConfig(race=name).run_configs()
        assert [label for label, _ in cfgs] == [label for label, _ in runs]
        base = vars(cfgs[0][1])
        for (label, cfg), (_, change) in zip(cfgs, runs):
            differs = {k for k, v in vars(cfg).items() if v != base[k]}
            assert differs <= set(change) | set(runs[0][1]), (name, label, differs)


def test_optimizer_race():
    r = race("optimizers", 200)
    sgd, mom, nest, adam = (loss(r[k]) for k in ("SGD", "SGD + momentum 0.9", "Nesterov 0.9", "Adam, η = 0.01"))
    assert sgd > 0.55                       # "hardly left ln 2"
    assert mom < 0.1 and nest < 0.1         # "below 0.1 by then"
    assert adam < min(mom, nest)            # "lower still"


def test_init_race():
    r = race("inits", 600)
    assert loss(r["N(0, 0.01)"]) > LN2 - 0.01 and r["N(0, 0.01)"].test_metrics()[1] < 0.6
    for label in ("Xavier", "He", "N(0, 1)"):
        assert loss(r[label]) < 0.05, label


def test_activation_race_and_relu_is_piecewise_linear():
    r = race("activations", 300)
    assert loss(r["sigmoid"]) > LN2 - 0.01
    for label in ("tanh", "ReLU", "leaky ReLU"):
        assert loss(r[label]) < 0.05, label
    # along a line through the plane, a ReLU net's logits have zero second difference except
    # where the line crosses a unit's kink: straight pieces (tanh's curve everywhere)
    t = np.linspace(-1.3, 1.3, 2001)
    line = np.stack([t, 0.3 * t + 0.1], axis=1)
    kinked = {}
    for label in ("ReLU", "tanh"):
        z = r[label].net.logits(line)[:, 0]
        second = np.abs(np.diff(z, 2))
        kinked[label] = np.mean(second > 1e-9 * np.abs(z).max())
    assert kinked["ReLU"] < 0.02 and kinked["tanh"] > 0.9, kinked


def test_learning_rate_race():
    cl = CompareLab(CompareConfig(race="learning_rates"), load)
    first = None
    for _ in range(6):
        cl.advance(100)
        r = {label: lb for label, lb in cl.runs}
        first = first or r["η = 3"].trainer.history[0].loss
    losses = [h.loss for h in r["η = 3"].trainer.history]
    assert loss(r["η = 0.003"]) > 0.4                          # "barely moves"
    assert loss(r["η = 0.3"]) < loss(r["η = 0.03"]) < 0.1      # "0.3 fastest"
    assert min(losses[100:]) > first and np.median(losses[100:]) > 5 * first  # "far above where it started"
    assert max(np.abs(np.diff(losses[100:]))) > 1              # "jumps about"
    assert r["η = 3"].test_metrics()[1] <= 0.55                # "never beats a coin flip"


def test_batchnorm_race():
    r = race("batchnorm", 200)
    assert r["without"].net.sizes == r["with batch norm"].net.sizes == [2, 8, 8, 8, 8, 2]
    assert abs(loss(r["without"]) - LN2) < 0.01
    assert loss(r["with batch norm"]) < 0.05


def test_same_seed_same_start():
    w = [lb.net.weights[0] for lb in CompareLab(CompareConfig(), load).labs]
    assert all(np.array_equal(w[0], x) for x in w[1:])  # the race starts from one network


def test_frames_carry_every_run():
    cl = CompareLab(CompareConfig(race="inits", runs=3), load)
    maker = CompareMaker("compare/main", cl)
    meta, arrays = unpack(maker.frame())
    assert meta["full"] and [r["label"] for r in meta["runs"]] == ["N(0, 0.01)", "N(0, 1)", "Xavier"]
    cl.advance(3)
    meta, arrays = unpack(maker.frame())
    assert not meta["full"] and [r["hist"]["step"] for r in meta["runs"]] == [[1, 2, 3]] * 3
    for i, (_, lb) in enumerate(cl.runs):
        np.testing.assert_array_equal(arrays[f"r{i}/W1"], lb.net.weights[0])
    cl.reset()
    assert unpack(maker.frame())[0]["full"]


def test_link_parameters():
    cfg, warnings = config_from_params({"race": ["activations"], "data": ["spiral"], "hidden": ["4,4,4"],
                                        "runs": ["3"]})
    assert not warnings and cfg == CompareConfig("activations", "spiral", (4, 4, 4), 3)
    assert config_from_params(params_from_config(cfg))[0] == cfg
    cfg, warnings = config_from_params({"race": ["fastest"], "hidden": ["0,9000"], "runs": ["9"], "x": ["1"]})
    assert cfg == CompareConfig() and len(warnings) == 4
    assert any("hidden" in w and "1 to 64 units" in w for w in warnings)


# ----------------------------------------------------------------------------- the page
def open_compare(params=None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_steps_every_run_and_resets():
    at = open_compare()
    cl = at.session_state["compare._lab"]
    assert [label for label, _ in cl.runs] == [label for label, _ in RACES["optimizers"][1]]
    assert "What to watch" in texts(at)
    at.button(key="compare._step").click().run()
    at.button(key="compare._step").click().run()
    cl = at.session_state["compare._lab"]
    assert [lb.step for lb in cl.labs] == [2, 2, 2, 2]
    w1 = [lb.net.weights[0] for lb in cl.labs]
    assert not any(np.array_equal(a, b) for i, a in enumerate(w1) for b in w1[i + 1:])  # the runs differ
    at.button(key="compare._reset").click().run()
    assert [lb.step for lb in at.session_state["compare._lab"].labs] == [0, 0, 0, 0]


def test_page_race_switch_rebuilds():
    at = open_compare()
    at.selectbox(key="compare.race").set_value("batchnorm").run()
    assert not at.exception
    cl = at.session_state["compare._lab"]
    assert [label for label, _ in cl.runs] == ["without", "with batch norm"]
    assert "uses 8,8,8,8" in texts(at)
    assert not [s for s in at.slider if s.key == "compare.runs"]  # a two-run race: no runs slider
    at.selectbox(key="compare.race").set_value("inits").run()
    at.slider(key="compare.runs").set_value(2).run()
    assert len(at.session_state["compare._lab"].runs) == 2
    assert at.query_params["race"] in ("inits", ["inits"]) and at.query_params["runs"] in ("2", ["2"])


def test_page_bad_input_keeps_the_runs():
    at = open_compare({"race": "nope", "hidden": "8,x"})
    body = texts(at)
    assert "Ignored link parameter race='nope'" in body and "Ignored hidden='8,x'" in body
    at.button(key="compare._step").click().run()
    at.text_input(key="compare.hidden_text").set_value("999").run()
    assert not at.exception
    assert "Ignored hidden='999'" in texts(at)
    cl = at.session_state["compare._lab"]
    assert cl.compare.hidden == (8, 8) and cl.step == 1  # nothing the user did is lost
    at.text_input(key="compare.hidden_text").set_value("5").run()
    assert at.session_state["compare._lab"].labs[0].net.sizes == [2, 5, 2]


def test_runs_choice_survives_a_two_run_race():
    at = open_compare({"race": "inits", "runs": "3"})
    assert len(at.session_state["compare._lab"].runs) == 3
    at.selectbox(key="compare.race").set_value("batchnorm").run()
    at.selectbox(key="compare.race").set_value("activations").run()
    assert not at.exception
    assert at.slider(key="compare.runs").value == 3
    assert [label for label, _ in at.session_state["compare._lab"].runs] == ["sigmoid", "tanh", "ReLU"]


# ----------------------------------------------------------------------------- every claim, every step
# Each race's "what to watch" note names the run it speaks of ("in 200 steps", "to step 600"); these
# tests check every claim at every step of that run, with the thresholds the words give, and that the
# note still says what is checked (a rewritten note must come with its check).
from ui.compare import WATCH  # noqa: E402


def lockstep(name, steps, **kw):
    """{label: Lab} after ``steps`` lockstep steps, and the per-step records of every run."""
    cl = CompareLab(CompareConfig(race=name, **kw), load)
    for _ in range(steps):
        assert cl.advance(1)
    return {label: lb for label, lb in cl.runs}


def series(lb, key):
    return np.array([getattr(r, key) for r in lb.trainer.history], dtype=float)


def near_ln2(loss, tol):
    return np.abs(loss / LN2 - 1) < tol


def test_optimizer_race_whole_run():
    note = WATCH["optimizers"]
    assert "in 200 steps its loss only falls from 0.70 to 0.63" in note and "below 0.1 by step 200" in note
    assert "lower still at every step after the first" in note
    r = lockstep("optimizers", 200)
    sgd = series(r["SGD"], "loss")
    assert round(sgd[0], 2) == 0.70 and round(sgd[-1], 2) == 0.63 and sgd.min() >= 0.625   # "only falls"
    mom, nest, adam = (series(r[k], "loss") for k in ("SGD + momentum 0.9", "Nesterov 0.9", "Adam, η = 0.01"))
    assert mom[-1] < 0.1 and nest[-1] < 0.1
    assert np.all(adam[1:] < np.minimum(mom, nest)[1:])                                    # every step after the first


def test_init_race_whole_run():
    note = WATCH["inits"]
    assert "at every step the signal and the deltas shrink layer by layer" in note
    assert "for all of 600 steps its loss stays within 1 % of a coin flip's" in note
    cl = CompareLab(CompareConfig(race="inits"), load)
    small = dict(cl.runs)["N(0, 0.01)"]
    X = small.dataset.X_train
    for _ in range(600):
        assert cl.advance(1)
        d = small.trainer.history[-1].delta_norms
        assert all(a < b for a, b in zip(d, d[1:])), (small.step, d)           # deltas shrink going down
        signal = [np.abs(a).mean() for a in small.net.activations(X)[1:-1]] + [np.abs(small.net.logits(X)).mean()]
        assert all(a > b for a, b in zip(signal, signal[1:])), (small.step, signal)  # signal shrinks going up
    assert np.all(near_ln2(series(small, "loss"), 0.01))
    r = dict(cl.runs)
    for label in ("Xavier", "He", "N(0, 1)"):
        assert series(r[label], "loss")[-1] < 0.05, label                      # "learn"


def test_init_race_n01_saturates_every_unit_on_mnist():
    """ "give it MNIST's 784 inputs and every first-layer unit is saturated (|z| > 3, where tanh's slope is
    below 0.01) on most digits": the race's N(0, 1) net, same seed, with MNIST's inputs."""
    from engine import MLP

    note = WATCH["inits"]
    assert "every first-layer unit is saturated (|z| > 3, where tanh's slope is below 0.01) on most digits" in note
    cfg = dict(CompareConfig(race="inits").run_configs())["N(0, 1)"]
    ds = load_dataset("mnist", n_train=8000, n_test=100, seed=0)
    net = MLP([784, *cfg.hidden, 10], activations=cfg.activation, init=cfg.init, init_var=cfg.init_var, seed=cfg.seed)
    z = ds.X_train @ net.weights[0] + net.biases[0]
    assert 1 - np.tanh(3.0) ** 2 < 0.01
    assert (np.abs(z) > 3).mean(axis=0).min() > 0.5                            # every unit, most digits


def test_activation_race_whole_run():
    note = WATCH["activations"]
    assert "at every step its deltas shrink layer by layer" in note
    assert "within 2 % of a coin flip's (ln 2 ≈ 0.69) from step 30 to step 600" in note
    assert "pass 95 % test accuracy by step 120 and stay there" in note
    r = lockstep("activations", 600)
    d = np.array([x.delta_norms for x in r["sigmoid"].trainer.history])
    assert np.all(np.diff(d, axis=1) > 0)
    loss = series(r["sigmoid"], "loss")
    assert round(loss[0], 1) == 1.0 and np.all(near_ln2(loss[29:], 0.02))
    for label in ("tanh", "ReLU", "leaky ReLU"):
        acc = series(r[label], "test_acc")
        assert np.all(acc[119:] >= 0.95), label
    # piecewise linear at every stage, not only at the end: checked at steps 600 here and 300 above


def test_learning_rate_race_whole_run():
    note = WATCH["learning_rates"]
    assert "η = 0.003 crawls, its loss only from 0.70 to 0.47" in note and "barely" not in note
    assert "0.03 and 0.3 go down to below 0.02, 0.3 lower at every step after the first" in note
    assert "nearly always above where it started and mostly over ten times higher" in note
    assert "its test accuracy never reaches 70 %" in note and "coin flip" not in note
    r = lockstep("learning_rates", 600)
    slow = series(r["η = 0.003"], "loss")
    assert round(slow[0], 2) == 0.70 and round(slow[-1], 2) == 0.47 and slow.min() >= 0.465
    a, b = series(r["η = 0.03"], "loss"), series(r["η = 0.3"], "loss")
    assert a[-1] < 0.02 and b[-1] < 0.02 and np.all(b[1:] < a[1:])
    big = series(r["η = 3"], "loss")
    assert np.mean(big[1:] > big[0]) >= 0.95          # "nearly always": 95 % of the steps or more
    assert np.mean(big[1:] > 10 * big[0]) > 0.5       # "mostly": more than half of them
    assert series(r["η = 3"], "test_acc").max() < 0.70


def test_batchnorm_race_whole_run():
    note = WATCH["batchnorm"]
    assert "the deltas reaching the first layer are over 100 times smaller than the output layer's" in note
    assert "from step 40 to step 1,000 the loss sits within 2 % of ln 2 ≈ 0.69" in note
    assert "below 0.05 by step 100 and stays there" in note
    r = lockstep("batchnorm", 1000)
    d = np.array([x.delta_norms for x in r["without"].trainer.history])
    assert np.all(d[:, 0] < d[:, -1] / 100)
    assert np.all(near_ln2(series(r["without"], "loss")[39:], 0.02))
    assert np.all(series(r["with batch norm"], "loss")[99:] < 0.05)


def test_the_note_says_when_its_numbers_do_not_apply():
    """The numbers are the default data's and layers': other choices get a sentence saying so."""
    at = open_compare({"race": "learning_rates"})
    assert "other data" not in texts(at)
    at.selectbox(key="compare.dataset").set_value("spiral").run()
    assert "numbers in this note are for the Circles data with hidden layers 8,8" in texts(at)
