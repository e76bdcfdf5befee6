"""Saved runs in the app: a page's run saved with its data spec comes back as the same settings
and continues exactly; runs of another page or of CSV data are refused with a sentence."""
from __future__ import annotations

import io

import pytest

from engine import load_dataset
from engine.export import load_run, run_settings, save_run
from ui.config import config_from_params, config_from_run, data_spec
from ui.lab import Lab


def load(c):
    if c.dataset == "mnist":
        return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
    return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                        seed=c.data_seed)


@pytest.mark.parametrize("page,params", [
    ("xor", {"hidden": "6,4", "opt": "nesterov", "mom": "0.8", "batch": "32", "bn": "1", "drop": "0.1"}),
    ("more2d", {"data": "moons", "opt": "adam", "lr": "0.01", "acts": "relu,tanh", "hidden": "8,8"}),
    ("mnist", {"ntrain": "500", "ntest": "200", "digits": "1,7", "hidden": "20"}),
    ("regression", {"data": "reg-gauss", "noise": "0.1", "hidden": "6,4", "opt": "momentum", "lr": "0.03"}),
    ("curve", {"data": "abs", "hidden": "3", "out": "tanh", "batch": "16", "n": "150"}),
])
def test_a_saved_page_run_continues_with_the_same_settings(page, params):
    cfg, warns = config_from_params(page, params)
    assert not warns
    a, b = Lab(page, cfg, load), Lab(page, cfg, load)
    a.advance(12)
    b.advance(7)
    buf = io.BytesIO()
    save_run(b.trainer, buf, data_spec=data_spec(b.cfg))
    blob = buf.getvalue()
    other = Lab(page, config_from_params(page, {})[0], load)  # a fresh page with its defaults
    cfg2 = config_from_run(page, run_settings(blob), other.cfg)
    # every setting comes back: the same network, optimizer, batch size and data
    assert (cfg2.activations(), cfg2.batch_norms(), cfg2.dropouts()) == (
        b.net.activation_names if cfg.per_layer else cfg.activations(), b.net.batch_norm if cfg.per_layer else
        cfg.batch_norms(), b.net.dropout if cfg.per_layer else cfg.dropouts())
    same = ("hidden", "loss", "init", "init_var", "seed", "optimizer", "lr", "momentum", "l2", "batch_size",
            "dataset", "n_samples", "noise", "test_fraction", "data_seed", "n_train", "n_test", "digits")
    assert all(getattr(cfg2, f) == getattr(cfg, f) for f in same), [f for f in same if getattr(cfg2, f) != getattr(cfg, f)]
    ds = load(cfg2)
    other.adopt(load_run(blob, ds.X_train, ds.y_train, ds.X_test, ds.y_test), cfg2)
    other.advance(5)
    assert other.step == a.step == 12 and "Continued the saved run at step 7" in other.notice
    for p, q in zip(a.net.params(), other.net.params()):
        assert p.tobytes() == q.tobytes()
    assert a.trainer.history == other.trainer.history


def test_a_run_of_another_page_or_of_csv_data_is_refused():
    cfg = config_from_params("xor", {})[0]
    lab = Lab("xor", cfg, load)
    lab.advance(2)
    buf = io.BytesIO()
    save_run(lab.trainer, buf, data_spec=data_spec(cfg))
    with pytest.raises(ValueError, match="saved on the XOR page"):
        config_from_run("circles", run_settings(buf.getvalue()), config_from_params("circles", {})[0])
    buf = io.BytesIO()
    save_run(lab.trainer, buf)  # no spec: the data is in the file (a CSV run)
    with pytest.raises(ValueError, match=r"your own data \(an uploaded CSV file"):
        config_from_run("xor", run_settings(buf.getvalue()), cfg)
