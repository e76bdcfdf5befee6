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
