"""Datasets: shapes, balance, ranges, determinism; MNIST subsets and the checksum guard."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from engine import DataFileError, load_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spiral", "gaussians"])
def test_toy_sets(name):
    ds = load_dataset(name, n_samples=300, test_fraction=0.2, seed=5)
    assert ds.X_train.shape == (240, 2) and ds.X_test.shape == (60, 2)
    assert ds.X_train.dtype == np.float64 and ds.n_classes == 2
    for y in (ds.y_train, ds.y_test):
        counts = np.bincount(y, minlength=2)
        assert abs(counts[0] - counts[1]) <= max(2, 0.1 * len(y))  # balanced, stratified
    X = np.vstack([ds.X_train, ds.X_test])
    assert np.isfinite(X).all()
    x0, x1, y0, y1 = ds.bounds
    assert x0 <= X[:, 0].min() and X[:, 0].max() <= x1 and y0 <= X[:, 1].min() and X[:, 1].max() <= y1
    again = load_dataset(name, n_samples=300, test_fraction=0.2, seed=5)
    assert np.array_equal(again.X_train, ds.X_train) and np.array_equal(again.y_test, ds.y_test)
    other = load_dataset(name, n_samples=300, test_fraction=0.2, seed=6)
    assert not np.array_equal(other.X_train, ds.X_train)


def test_no_test_set_and_bad_arguments():
    ds = load_dataset("xor", n_samples=100, test_fraction=0.0)
    assert len(ds.y_test) == 0 and len(ds.y_train) == 100
    for kw, match in [(dict(name="rings"), "name"), (dict(name="xor", n_samples=3), "n_samples"),
                      (dict(name="xor", noise=-1), "noise"), (dict(name="xor", test_fraction=0.95), "test_fraction")]:
        with pytest.raises(ValueError, match=match):
            load_dataset(**kw)


def test_mnist_default_split():
    ds = load_dataset("mnist")
    assert ds.X_train.shape == (8000, 784) and ds.X_test.shape == (2000, 784)
    assert ds.X_train.dtype == np.float32 and ds.image_shape == (28, 28)
    assert 0.0 == ds.X_train.min() and ds.X_train.max() == 1.0
    assert ds.class_names == [str(d) for d in range(10)]
    share_tr = np.bincount(ds.y_train, minlength=10) / 8000
    share_te = np.bincount(ds.y_test, minlength=10) / 2000
    assert np.abs(share_tr - share_te).max() < 0.005  # stratified
    assert not set(ds.meta["train_index"]) & set(ds.meta["test_index"])  # disjoint


def test_mnist_digit_subset_remaps_labels():
    ds = load_dataset("mnist", digits=(7, 3), n_train=500, n_test=200, seed=1)
    assert ds.class_names == ["3", "7"] and ds.n_classes == 2
    assert set(np.unique(ds.y_train)) == {0, 1} and len(ds.y_test) == 200
    with pytest.raises(ValueError, match="digits"):
        load_dataset("mnist", digits=(4,))
    with pytest.raises(ValueError, match="n_train"):
        load_dataset("mnist", digits=(0, 1), n_train=5000, n_test=2000)


def _copy_mnist(tmp_path):
    d = tmp_path / "mnist"
    shutil.copytree(ROOT / "data" / "mnist", d)
    return d


def test_mnist_checksum_detects_a_damaged_file(tmp_path):
    d = _copy_mnist(tmp_path)
    f = d / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(f.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    f.write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match="damaged"):
        load_dataset("mnist", data_dir=d, n_train=100, n_test=100)
    assert issubclass(DataFileError, ValueError)  # the app shows it as a message


def test_mnist_missing_file_says_how_to_restore(tmp_path):
    d = _copy_mnist(tmp_path)
    (d / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataFileError, match="missing"):
        load_dataset("mnist", data_dir=d, n_train=100, n_test=100)
