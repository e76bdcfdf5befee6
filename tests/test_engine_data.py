"""Datasets: toy 2-D sets (shapes, balance, ranges, test_fraction, determinism, geometry) and
MNIST subsets (sizes, pixels equal the shipped files, stratified, digit remapping, checksum)."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from engine import TOY_SETS, DataFileError, load_dataset

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT / "data" / "mnist"
IMAGES, LABELS = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"


# ----------------------------------------------------------------------------- toy sets
@pytest.mark.parametrize("test_fraction", [0.0, 0.1, 0.25, 0.5])
@pytest.mark.parametrize("name", TOY_SETS)
def test_toy_sets_shapes_balance_ranges(name, test_fraction):
    n = 300
    ds = load_dataset(name, n_samples=n, test_fraction=test_fraction, seed=5)
    n_test = len(ds.y_test)
    assert abs(n_test - n * test_fraction) <= 1 and len(ds.y_train) + n_test == n
    assert ds.X_train.shape == (n - n_test, 2) and ds.X_test.shape == (n_test, 2)
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype.kind == "i" and ds.y_test.dtype.kind == "i"
    assert ds.n_classes == 2 and len(ds.class_names) == 2 and ds.image_shape is None and ds.n_features == 2
    X = np.vstack([ds.X_train, ds.X_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    assert set(np.unique(y)) == {0, 1}
    counts = np.bincount(y, minlength=2)
    if name == "xor":
        assert abs(counts[0] - counts[1]) <= 0.15 * n  # random quadrants: balanced on average
    else:
        assert counts[0] == counts[1] == n // 2  # generated half and half
    if n_test:  # stratified: each class keeps its share in both parts
        for part in (ds.y_train, ds.y_test):
            assert abs(np.mean(part) - np.mean(y)) <= 1.0 / len(part) + 1e-12
    assert np.isfinite(X).all() and np.abs(X).max() < 3
    x0, x1, y0, y1 = ds.bounds
    assert x0 <= X[:, 0].min() and X[:, 0].max() <= x1 and y0 <= X[:, 1].min() and X[:, 1].max() <= y1
    assert len({tuple(r) for r in X}) == n  # no duplicated point; train and test disjoint


@pytest.mark.parametrize("name", TOY_SETS)
def test_toy_sets_are_determined_by_the_seed(name):
    a = load_dataset(name, n_samples=120, seed=3)
    b = load_dataset(name, n_samples=120, seed=3)
    for part in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(a, part), getattr(b, part))
    c = load_dataset(name, n_samples=120, seed=4)
    assert not np.array_equal(a.X_train, c.X_train)
    f32 = load_dataset(name, n_samples=120, seed=3, dtype=np.float32)
    assert f32.X_train.dtype == np.float32 and np.allclose(f32.X_train, a.X_train, rtol=1e-6)


def test_toy_sets_without_noise_have_their_shapes():
    xor = load_dataset("xor", n_samples=400, noise=0.0, test_fraction=0.0)
    assert np.array_equal(xor.y_train, (xor.X_train[:, 0] * xor.X_train[:, 1] < 0).astype(int))
    assert np.abs(xor.X_train).min() >= 0.1 - 1e-12  # kept off the axes
    circles = load_dataset("circles", n_samples=400, noise=0.0, test_fraction=0.0)
    r = np.linalg.norm(circles.X_train, axis=1)
    assert np.allclose(r[circles.y_train == 0], 1.0) and np.allclose(r[circles.y_train == 1], 0.5)
    g = load_dataset("gaussians", n_samples=400, noise=0.1, test_fraction=0.0)
    for k, centre in enumerate([(-0.5, -0.5), (0.5, 0.5)]):
        assert np.allclose(g.X_train[g.y_train == k].mean(axis=0), centre, atol=0.03)
    for name in ("moons", "spiral"):
        ds = load_dataset(name, n_samples=400, noise=0.0, test_fraction=0.0)
        assert np.abs(ds.X_train).max() <= 1.0 + 1e-12


def test_no_test_set():
    ds = load_dataset("spiral", n_samples=100, test_fraction=0.0)
    assert ds.X_test.shape == (0, 2) and len(ds.y_test) == 0 and len(ds.y_train) == 100


# ----------------------------------------------------------------------------- MNIST
def read_idx(path: Path) -> np.ndarray:
    """The shipped IDX file, parsed here independently of the engine."""
    data = gzip.decompress(path.read_bytes())
    magic = int.from_bytes(data[:4], "big")
    count = int.from_bytes(data[4:8], "big")
    if magic == 2051:
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, 28, 28)
    return np.frombuffer(data, np.uint8, offset=8)


@pytest.fixture(scope="module")
def raw():
    return read_idx(MNIST / IMAGES), read_idx(MNIST / LABELS)


def assert_mnist_split(ds, raw, digits, n_train, n_test):
    images, labels = raw
    assert ds.X_train.shape == (n_train, 784) and ds.X_test.shape == (n_test, 784)
    assert ds.image_shape == (28, 28) and ds.n_classes == len(digits)
    assert ds.class_names == [str(d) for d in sorted(digits)]
    for X, y, idx in ((ds.X_train, ds.y_train, ds.meta["train_index"]), (ds.X_test, ds.y_test, ds.meta["test_index"])):
        assert ((0.0 <= X) & (X <= 1.0)).all()
        assert np.allclose(X, images[idx].reshape(len(idx), 784) / 255.0, atol=1e-7)  # the shipped pixels
        # labels 0..k-1 in the order of the sorted digits; class_names gives the digit back
        assert np.array_equal(np.array(ds.class_names)[y], labels[idx].astype(str))
        assert set(np.unique(y)) <= set(range(len(digits)))
    assert not set(ds.meta["train_index"]) & set(ds.meta["test_index"])  # disjoint
    assert len(set(ds.meta["train_index"])) == n_train


def test_mnist_default_split(raw):
    ds = load_dataset("mnist")
    assert_mnist_split(ds, raw, range(10), 8000, 2000)
    assert ds.X_train.dtype == np.float32 and ds.X_train.min() == 0.0 and ds.X_train.max() == 1.0
    share_tr = np.bincount(ds.y_train, minlength=10) / 8000
    share_te = np.bincount(ds.y_test, minlength=10) / 2000
    assert np.abs(share_tr - share_te).max() < 0.005  # stratified
    assert np.abs(share_tr - np.bincount(raw[1], minlength=10) / 10000).max() < 0.005


@pytest.mark.parametrize("digits,n_train,n_test", [(range(10), 300, 100), ((7, 3), 500, 200), ((9, 0, 4), 120, 0),
                                                   ((1, 2), 1000, 1000)])
def test_mnist_custom_sizes_and_digit_subsets(raw, digits, n_train, n_test):
    ds = load_dataset("mnist", digits=digits, n_train=n_train, n_test=n_test, seed=1)
    assert_mnist_split(ds, raw, digits, n_train, n_test)
    k = len(tuple(digits))
    assert set(np.unique(ds.y_train)) == set(range(k))
    if n_test:
        share_tr = np.bincount(ds.y_train, minlength=k) / n_train
        share_te = np.bincount(ds.y_test, minlength=k) / n_test
        assert np.abs(share_tr - share_te).max() <= 1.5 / n_test + 1.0 / n_train  # stratified


def test_mnist_seed_and_dtype():
    a = load_dataset("mnist", n_train=200, n_test=50, seed=2)
    b = load_dataset("mnist", n_train=200, n_test=50, seed=2)
    c = load_dataset("mnist", n_train=200, n_test=50, seed=3)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.meta["train_index"], c.meta["train_index"])
    d = load_dataset("mnist", n_train=200, n_test=50, seed=2, dtype=np.float64)
    assert d.X_train.dtype == np.float64 and np.allclose(d.X_train, a.X_train, atol=1e-7)


def _copy_mnist(tmp_path):
    d = tmp_path / "mnist"
    shutil.copytree(MNIST, d)
    return d


@pytest.mark.parametrize("name", [IMAGES, LABELS])
@pytest.mark.parametrize("where", [0.0, 0.5, 0.999])
def test_mnist_checksum_detects_one_damaged_byte(tmp_path, name, where):
    d = _copy_mnist(tmp_path)
    assert load_dataset("mnist", data_dir=d, n_train=100, n_test=100).X_train.shape == (100, 784)  # intact copy
    f = d / name
    raw = bytearray(f.read_bytes())
    raw[int(where * (len(raw) - 1))] ^= 0x01
    f.write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match="damaged") as exc:
        load_dataset("mnist", data_dir=d, n_train=100, n_test=100)
    assert name in str(exc.value) and "checksum" in str(exc.value)
    assert isinstance(exc.value, ValueError)  # the app shows it as a message


@pytest.mark.parametrize("name", [IMAGES, LABELS])
def test_mnist_missing_file_says_which_and_how_to_restore(tmp_path, name):
    d = _copy_mnist(tmp_path)
    (d / name).unlink()
    with pytest.raises(DataFileError, match="missing") as exc:
        load_dataset("mnist", data_dir=d, n_train=100, n_test=100)
    assert name in str(exc.value) and "Restore" in str(exc.value)


def test_mnist_from_an_empty_directory(tmp_path):
    with pytest.raises(DataFileError, match=IMAGES.replace(".", r"\.")):
        load_dataset("mnist", data_dir=tmp_path, n_train=100, n_test=100)
