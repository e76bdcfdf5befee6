"""The Lab the app builds for a page and its share link, rebuilt in the test process (the oracle
side of the browser and AppTest tests: the same settings through the same ui.config parsing,
data straight from engine.load_dataset)."""
from __future__ import annotations

from dataclasses import replace

from engine import load_dataset
from engine.tabular import csv_dataset
from ui.config import config_from_params
from ui.lab import Lab


def engine_lab(page_id: str, params: dict, csv: bytes | None = None) -> Lab:
    """The Lab the app builds for this page and link (or, with ``csv``, for that upload)."""
    cfg, warnings = config_from_params(page_id, dict(params))
    assert not warnings, warnings
    if csv is not None:
        cfg = replace(cfg, dataset="csv")
        return Lab(page_id, cfg, lambda c: csv_dataset(csv, test_fraction=c.test_fraction, seed=c.data_seed))

    def load(c):
        if c.dataset == "mnist":
            return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
        return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                            seed=c.data_seed)
    return Lab(page_id, cfg, load)
