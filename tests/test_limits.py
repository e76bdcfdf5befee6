"""ui.limits is the one place that decides what a visitor may ask of the server: every
setting the app itself offers (page defaults, lessons, Compare's races, the classic MNIST
network) is inside the limits, everything the issue's crafted inputs asked for is outside,
and the sidebar and Streamlit's own upload and message sizes are the limits' numbers."""
from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_app_pages import open_page
from ui import limits
from ui.compare import DATASETS, RACES, CompareConfig
from ui.config import PAGE_DEFAULTS, config_from_params, limit_problems
from ui.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]


def test_everything_the_app_offers_is_within_the_limits():
    for page, cfg in PAGE_DEFAULTS.items():
        assert limit_problems(page, cfg) == [], page
    for lesson in LESSONS:
        for params in [lesson.params] + [p for _, p in lesson.also]:
            cfg, warns = config_from_params(lesson.page, params)
            assert not warns and limit_problems(lesson.page, cfg) == [], (lesson.key, params)
    from ui.page_mnist import CLASSIC

    classic = replace(PAGE_DEFAULTS["mnist"], **{k: v for k, v in CLASSIC.items() if k != "per_layer_on"})
    assert limit_problems("mnist", classic) == []
    for race in RACES:
        for data in DATASETS:
            for hidden in ((8, 8), (64,) * 6, (1,)):
                for _, run in CompareConfig(race, data, hidden, 4).run_configs():
                    assert limit_problems("compare", run) == [], (race, data, hidden)
    heaviest = config_from_params("mnist", {"hidden": "256,256,256,256,256,256", "batch": "0", "spf": "50"})
    assert heaviest[1] == [] and limit_problems("mnist", heaviest[0]) == []


@pytest.mark.parametrize("page,changes,word", [
    ("xor", {"hidden": (4000,)}, "hidden"), ("mnist", {"hidden": (257,)}, "hidden"),
    ("circles", {"hidden": (8,) * 7}, "hidden"), ("xor", {"momentum": 0.995}, "mom"),
    ("xor", {"n_samples": 3000}, "n=3000"), ("more2d", {"n_samples": 100_000}, "n=100000"),
    ("xor", {"steps_per_frame": 51}, "spf"), ("xor", {"batch_size": 1000}, "batch"),
    ("xor", {"batch_size": 20}, "batch"), ("xor", {"lr": 0.05}, "lr"), ("xor", {"init_var": 1e-9}, "var"),
    ("xor", {"dropout": 0.95}, "drop"), ("mnist", {"n_train": 20_000}, "ntrain"),
    ("mnist", {"digits": (3,)}, "digits"), ("xor", {"seed": -1}, "seed"), ("xor", {"activation": "swish"}, "act"),
    ("xor", {"per_layer": ("relu",)}, "acts"), ("xor", {"noise": float("nan")}, "noise"),
])
def test_what_the_crafted_inputs_asked_for_is_outside(page, changes, word):
    problems = limit_problems(page, replace(PAGE_DEFAULTS[page], **changes))
    assert len(problems) == 1 and problems[0].startswith(word), problems


def test_slider_float_noise_is_not_a_problem():
    cfg = replace(PAGE_DEFAULTS["circles"], test_fraction=0.15000000000000002, momentum=0.8999999999999999)
    assert limit_problems("circles", cfg) == []


def test_streamlit_upload_and_message_sizes_are_the_limits():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["maxUploadSize"] == limits.UPLOAD_MB and server["maxMessageSize"] == limits.MESSAGE_MB
    assert limits.RUN_FILE_BYTES <= limits.MESSAGE_MB * 1e6  # a checkpoint sent by the browser fits a message
    assert limits.IMAGE_MAX_BYTES <= limits.MESSAGE_MB * 1e6


def test_a_legit_run_of_the_heaviest_settings_fits_the_run_file_budget():
    """The largest run the sidebar can make (MNIST 784-256x6-10, batch norm, Adam) must load."""
    import io

    import numpy as np

    from engine import MLP, Adam, Trainer
    from engine.export import Budget, load_run, save_run

    net = MLP([784] + [256] * 6 + [10], "relu", batch_norm=True, dtype=np.float32, init="he")
    X = np.random.default_rng(0).random((limits.N_TRAIN[1], 784), dtype=np.float32)
    y = np.arange(limits.N_TRAIN[1]) % 10
    tr = Trainer(net, Adam(lr=1e-3), X, y, batch_size=512, max_history=limits.MAX_HISTORY)
    tr.run(2)
    tr.history = tr.history * (limits.MAX_HISTORY // 2)  # a full history
    buf = io.BytesIO()
    save_run(tr, buf, data_spec={"name": "mnist"})
    raw = buf.getvalue()
    assert len(raw) <= limits.RUN_FILE_BYTES == limits.UPLOAD_MB * 1024 * 1024  # it can be uploaded
    budget = Budget(limits.RUN_ARRAY_BYTES, limits.RUN_SETTINGS_BYTES, limits.RUN_MEMBERS)
    back = load_run(raw, X, y, budget=budget)
    assert back.step_count == 2 and len(back.history) == limits.MAX_HISTORY


def test_the_sidebar_draws_the_limits():
    at = open_page("xor")
    assert (at.slider(key="xor.n_samples").min, at.slider(key="xor.n_samples").max) == limits.N_SAMPLES
    assert at.slider(key="xor.n_hidden").max == limits.MAX_HIDDEN_LAYERS
    assert at.number_input(key="xor.units0").max == limits.max_units("xor")
    assert at.slider(key="xor.steps_per_frame").max == limits.STEPS_PER_FRAME[1]
    assert at.slider(key="xor.momentum").max == limits.MOMENTUM[1]
    assert at.number_input(key="xor.seed").max == limits.SEED[1]
    at = open_page("mnist")
    assert at.number_input(key="mnist.units0").max == limits.max_units("mnist")
    assert at.slider(key="mnist.n_test").max <= limits.N_TEST[1] and at.slider(key="mnist.n_train").max <= limits.N_TRAIN[1]
