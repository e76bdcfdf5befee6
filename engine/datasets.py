"""Datasets: toy 2-D sets (scikit-learn generators), MNIST subsets from the shipped files, and
regression sets (real-valued targets): TensorFlow Playground's two 2-D ones and 1-D curves.

Every loader returns a ``Dataset`` with X_train (N_train, n_features), y_train (N_train,) int,
X_test, y_test likewise (possibly 0 rows), and the class count / names. Splits are stratified
(scikit-learn's ``train_test_split``), so every class keeps its share in both parts; all
randomness comes from ``seed``.

Regression sets (``problem == "regression"``) have real targets y (N,) float64 instead of
labels, no classes (``n_classes`` 0), and ``target`` says what y is:
    "reg-plane", "reg-gauss"   TensorFlow Playground's regressPlane and regressGaussian
                               (src/dataset.ts): points uniform in [-6, 6]^2, targets about
                               [-1, 1]; ``noise`` moves the point the target is computed at by
                               noise * U(-6, 6) per coordinate, as there. Same definitions, but
                               our own seeded NumPy generator: its random stream (seedrandom's
                               Math.random) cannot be matched point for point.
    CURVE_SETS                 1-D curve fitting, y = f(x) + N(0, noise^2), x uniform in [-3, 3].
Their splits are plain random (a real target has no class shares to keep).
"""
from __future__ import annotations

import gzip
import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checks import check_choice, check_int, check_real

TOY_SETS = ("xor", "circles", "moons", "spiral", "gaussians")
REGRESSION_SETS = ("reg-plane", "reg-gauss")                  # 2-D, TensorFlow Playground's
CURVE_SETS = ("sine", "abs", "step", "cubic", "xsinx")        # 1-D: y = f(x) + noise
DATASETS = TOY_SETS + ("mnist",) + REGRESSION_SETS + CURVE_SETS
DEFAULT_NOISE = {"xor": 0.05, "circles": 0.08, "moons": 0.12, "spiral": 0.04, "gaussians": 0.35,
                 "reg-plane": 0.0, "reg-gauss": 0.0, **{name: 0.1 for name in CURVE_SETS}}

MNIST_DIR = Path(__file__).resolve().parents[1] / "data" / "mnist"
MNIST_FILES = {
    "images": ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "labels": ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
MNIST_TOTAL = 10_000


class DataFileError(ValueError):
    """A shipped data file is missing or damaged (the message says which and what to do)."""


@dataclass
class Dataset:
    """A train/test split. ``bounds`` (x_min, x_max, y_min, y_max) is set for 2-D sets;
    ``image_shape`` (28, 28) for MNIST, whose ``class_names`` are the digits kept."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    class_names: list[str]
    image_shape: tuple[int, int] | None = None
    bounds: tuple[float, float, float, float] | None = None
    description: str = ""
    meta: dict = field(default_factory=dict)
    problem: str = "classification"  # or "regression": y are real targets, n_classes is 0
    target: str = ""                 # regression: what y is, e.g. "y = sin x + noise"

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Output units a network for this data needs: one per class (MNIST, CSV) or 2 for the
        2-class toy sets; for regression one per target column."""
        if self.problem == "regression":
            return 1 if self.y_train.ndim == 1 else self.y_train.shape[1]
        return self.n_classes

    def class_counts(self, split: str = "train") -> np.ndarray:
        y = self.y_train if split == "train" else self.y_test
        return np.bincount(y, minlength=self.n_classes)


# ---------------------------------------------------------------------- 2-D sets
def _xor(n, noise, rng):
    # Uniform in the square, kept 0.1 away from the axes so the four quadrants are separable
    # without noise; class 1 where the signs differ (x1 * x2 < 0), as in TensorFlow Playground.
    u = rng.uniform(-1, 1, size=(n, 2))
    X = u * 0.9 + np.sign(u) * 0.1
    y = (X[:, 0] * X[:, 1] < 0).astype(np.intp)
    return X + rng.normal(0, noise, size=X.shape), y


def _spiral(n, noise, rng):
    # Two interleaved arms of 1.75 turns; the classic "hard" set for a small network.
    k = np.arange(n) % 2
    t = np.sqrt(rng.uniform(0.02, 1, size=n))  # sqrt: even density along the arm
    theta = t * 3.5 * np.pi + k * np.pi
    X = np.c_[t * np.cos(theta), t * np.sin(theta)]
    return X + rng.normal(0, noise, size=X.shape), k.astype(np.intp)


def _toy(name, n, noise, seed):
    from sklearn import datasets as skd

    rng = np.random.default_rng(seed)
    if name == "xor":
        return _xor(n, noise, rng)
    if name == "spiral":
        return _spiral(n, noise, rng)
    if name == "circles":
        return skd.make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    if name == "moons":
        X, y = skd.make_moons(n_samples=n, noise=noise, random_state=seed)
        return (X - [0.5, 0.25]) / 1.5, y  # centred on 0 and inside [-1, 1] like the others
    X, y = skd.make_blobs(n_samples=n, centers=[(-0.5, -0.5), (0.5, 0.5)], cluster_std=noise,
                          random_state=seed)
    return X, y


def _split(X, y, test_fraction, seed, train_size=None, test_size=None, stratify=True):
    from sklearn.model_selection import train_test_split

    if test_size == 0 or (test_size is None and test_fraction == 0):
        idx = np.random.default_rng(seed).permutation(len(y))
        if train_size is not None:
            idx = idx[:train_size]
        return X[idx], X[:0], y[idx], y[:0]
    return train_test_split(X, y, train_size=train_size,
                            test_size=test_fraction if test_size is None else test_size,
                            stratify=y if stratify else None, random_state=seed)


def _bounds(X):
    r = max(1.2, float(np.abs(X).max()) * 1.05)
    r = float(np.ceil(r * 10) / 10)
    return (-r, r, -r, r)


# ---------------------------------------------------------------------- regression sets
TF_RADIUS = 6.0  # TensorFlow Playground draws its points in [-6, 6]^2
TF_GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def _tf_points(n, noise, rng):
    """(X (n, 2) uniform in [-6, 6]^2, where its target is computed): TensorFlow Playground
    computes each label at the point shifted by noise * U(-6, 6) per coordinate."""
    X = rng.uniform(-TF_RADIUS, TF_RADIUS, size=(n, 2))
    shift = rng.uniform(-TF_RADIUS, TF_RADIUS, size=(n, 2)) * noise
    return X, X + shift


def _reg_plane(n, noise, rng):
    # regressPlane: the label scale maps x1 + x2 from [-10, 10] to [-1, 1] (not clamped), a plane
    X, at = _tf_points(n, noise, rng)
    return X, (at[:, 0] + at[:, 1]) / 10


def _reg_gauss(n, noise, rng):
    # regressGaussian: six bumps of height +-1 falling linearly to 0 at distance 2 from their
    # centre (the label scale [0, 2] -> [1, 0], clamped); of the six values the one largest in
    # |value| wins, the first on a tie (TF PG replaces the label only when |new| > |old|).
    X, at = _tf_points(n, noise, rng)
    values = np.stack([s * np.clip(1 - np.hypot(at[:, 0] - cx, at[:, 1] - cy) / 2, 0, 1)
                       for cx, cy, s in TF_GAUSSIANS], axis=1)               # (n, 6)
    return X, values[np.arange(n), np.abs(values).argmax(axis=1)]


CURVE_X = 3.0  # curve sets: x uniform in [-3, 3]
CURVES = {  # name -> (what the target is, f)
    "sine": ("y = sin x", np.sin),
    "abs": ("y = |x|", np.abs),
    "step": ("y = −1 for x < 0, +1 for x ≥ 0 (a step)", lambda x: np.where(x < 0, -1.0, 1.0)),
    "cubic": ("y = x³ / 9", lambda x: x ** 3 / 9),
    "xsinx": ("y = x · sin x", lambda x: x * np.sin(x)),
}


def _curve(name, n, noise, rng):
    x = rng.uniform(-CURVE_X, CURVE_X, size=n)
    return x[:, None], CURVES[name][1](x) + rng.normal(0, noise, size=n)


def _generator_args(name, names, n_samples, noise, test_fraction, seed) -> tuple:
    """The checked arguments of a generated set (2-D classes or regression targets):
    -> (n, noise, test_fraction, seed); ValueError with a sentence otherwise."""
    check_choice("name", name, names)
    n = check_int("n_samples", n_samples, 8, 100_000)
    noise = DEFAULT_NOISE[name] if noise is None else check_real("noise", noise, low=0.0, high=2.0)
    test_fraction = check_real("test_fraction", test_fraction, low=0.0, high=0.9)
    seed = check_int("seed", seed, 0)
    if test_fraction > 0 and round(n * test_fraction) < 2:
        raise ValueError(f"test_fraction: {test_fraction:g} of {n} samples leaves fewer than 2 test "
                         f"points; use more samples or a larger fraction (or 0 for no test set).")
    return n, noise, test_fraction, seed


def load_regression(name, n_samples=400, noise=None, test_fraction=0.2, seed=0, dtype=np.float64) -> Dataset:
    """A regression set: REGRESSION_SETS (2-D) or CURVE_SETS (1-D); y (N,) real targets."""
    n, noise, test_fraction, seed = _generator_args(name, REGRESSION_SETS + CURVE_SETS, n_samples, noise,
                                                    test_fraction, seed)
    rng = np.random.default_rng(seed)
    if name in CURVE_SETS:
        X, y = _curve(name, n, noise, rng)
        target = f"{CURVES[name][0]}" + (f", plus Gaussian noise of standard deviation {noise:g}" if noise else "")
    else:
        X, y = (_reg_plane if name == "reg-plane" else _reg_gauss)(n, noise, rng)
        target = ({"reg-plane": "y = (x₁ + x₂) / 10, a tilted plane",
                   "reg-gauss": "six bumps of height +1 or −1 (0 between them)"}[name]
                  + (f", computed at the point moved by up to {noise:g} × 6 in each coordinate" if noise else ""))
    X, y = np.asarray(X, dtype=dtype), np.asarray(y, dtype=np.float64)
    Xtr, Xte, ytr, yte = _split(X, y, test_fraction, seed, stratify=False)
    if name in CURVE_SETS:
        lo, hi = float(y.min()), float(y.max())
        pad = 0.1 * max(hi - lo, 1.0)
        bounds = (-CURVE_X, CURVE_X, float(np.floor((lo - pad) * 10) / 10), float(np.ceil((hi + pad) * 10) / 10))
    else:
        bounds = (-TF_RADIUS, TF_RADIUS, -TF_RADIUS, TF_RADIUS)
    return Dataset(name, np.ascontiguousarray(Xtr), ytr, np.ascontiguousarray(Xte), yte, 0, [], bounds=bounds,
                   description=f"{name}: {n} points, noise {noise:g}, {len(ytr)} train / {len(yte)} test",
                   meta={"noise": noise, "n_samples": n}, problem="regression", target=target)


def load_toy(name, n_samples=400, noise=None, test_fraction=0.2, seed=0, dtype=np.float64) -> Dataset:
    n, noise, test_fraction, seed = _generator_args(name, TOY_SETS, n_samples, noise, test_fraction, seed)
    X, y = _toy(name, n, noise, seed)
    X = np.asarray(X, dtype=dtype)
    y = np.asarray(y, dtype=np.intp)
    Xtr, Xte, ytr, yte = _split(X, y, test_fraction, seed)
    return Dataset(name, np.ascontiguousarray(Xtr), ytr, np.ascontiguousarray(Xte), yte, 2,
                   ["class 0", "class 1"], bounds=_bounds(X),
                   description=f"{name}: {n} points, noise {noise:g}, {len(ytr)} train / {len(yte)} test",
                   meta={"noise": noise, "n_samples": n})


# ---------------------------------------------------------------------- data by hand
# A student clicks points into a 2-D set (ConvNetJS's classify2d demo does the same). Each edit
# returns a new Dataset and never writes into the old one: the loaded sets are shared,
# read-only, between visitors. Only the training set changes; the test set stays what it was, so
# test accuracy keeps measuring the network on points it never trained on.

def _hand(ds: Dataset) -> dict:
    return dict(ds.meta.get("by_hand", {"added": 0, "removed": 0}))


def _edited(ds: Dataset, X_train: np.ndarray, y_train: np.ndarray, hand: dict) -> Dataset:
    base = ds.meta.get("original_description", ds.description)
    meta = dict(ds.meta, by_hand=hand, original_description=base)
    desc = (f"{base}; by hand: {hand['added']} added, {hand['removed']} removed, now {len(y_train)} training points")
    return Dataset(ds.name, X_train, y_train, ds.X_test, ds.y_test, ds.n_classes, list(ds.class_names),
                   ds.image_shape, ds.bounds, desc, meta)


def _check_point(ds: Dataset, point) -> np.ndarray:
    if ds.bounds is None or ds.n_features != 2:
        raise ValueError(f"point: only the 2-D data sets take points by hand; {ds.name} has {ds.n_features} "
                         "features per example.")
    try:
        p = np.asarray(point, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"point: expected two numbers (x1, x2), got {point!r}.") from None
    if p.shape != (2,) or not np.isfinite(p).all():
        raise ValueError(f"point: expected two finite numbers (x1, x2), got {point!r}.")
    x0, x1, y0, y1 = ds.bounds
    if not (x0 <= p[0] <= x1 and y0 <= p[1] <= y1):
        raise ValueError(f"point: ({p[0]:.3g}, {p[1]:.3g}) lies outside the picture's square "
                         f"[{x0:g}, {x1:g}] × [{y0:g}, {y1:g}].")
    return p


def add_point(ds: Dataset, point, label: int) -> Dataset:
    """A copy of ``ds`` with one more training point: ``point`` (x1, x2) inside ``ds.bounds``,
    ``label`` a class index 0..n_classes-1. Appended last (the training set keeps its order)."""
    p = _check_point(ds, point)
    label = check_int("label", label, 0, ds.n_classes - 1)
    X = np.vstack([ds.X_train, p[None, :].astype(ds.X_train.dtype)])
    y = np.append(ds.y_train, label).astype(ds.y_train.dtype)
    hand = _hand(ds)
    hand["added"] += 1
    return _edited(ds, X, y, hand)


def remove_nearest(ds: Dataset, point, radius: float) -> tuple[Dataset, int]:
    """A copy of ``ds`` without the training point nearest to ``point`` -> (dataset, its index
    in the old X_train). Refused with a sentence when no point lies within ``radius`` (in data
    units), or when the nearest point within it is a test point: the test set stays as it is."""
    p = _check_point(ds, point)
    radius = check_real("radius", radius, low=0.0, low_open=True)
    d_train = np.hypot(*(ds.X_train - p).T)
    d_test = np.hypot(*(ds.X_test - p).T) if len(ds.y_test) else np.full(1, np.inf)
    i = int(np.argmin(d_train))
    if min(d_train[i], d_test.min()) > radius:
        raise ValueError(f"point: no point within {radius:.2g} of ({p[0]:.2f}, {p[1]:.2f}) to remove; "
                         "shift-click closer to a filled training point.")
    if d_test.min() < d_train[i]:
        raise ValueError("point: the nearest point there is a test point (hollow); the test set stays as it "
                         "is, so the network is still measured on points it never trained on. Shift-click "
                         "a filled training point.")
    keep = np.arange(len(ds.y_train)) != i
    hand = _hand(ds)
    hand["removed"] += 1
    return _edited(ds, ds.X_train[keep], ds.y_train[keep], hand), i


# ---------------------------------------------------------------------- MNIST
_MNIST_CACHE: dict = {}


def _read_idx(path: Path, sha256: str, magic: int) -> np.ndarray:
    if not path.is_file():
        raise DataFileError(f"The MNIST file {path.name} is missing from {path.parent}. Restore it "
                            f"(e.g. `git checkout -- data/mnist`) to use the MNIST page.")
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise DataFileError(f"The MNIST file {path.name} is damaged (its SHA-256 checksum does not "
                            f"match data/mnist/README.md). Restore it, e.g. `git checkout -- data/mnist`.")
    data = gzip.decompress(raw)
    got_magic, count = struct.unpack(">ii", data[:8])
    if got_magic != magic:
        raise DataFileError(f"The MNIST file {path.name} has magic number {got_magic}, expected {magic}.")
    if magic == 2051:
        rows, cols = struct.unpack(">ii", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def mnist_raw(data_dir: Path | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 shipped digits: images (10000, 28, 28) uint8 and labels (10000,) uint8,
    checksum-verified. Cached per file version; the arrays are read-only (shared)."""
    d = Path(data_dir) if data_dir is not None else MNIST_DIR
    paths = [d / MNIST_FILES[k][0] for k in ("images", "labels")]
    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) if p.is_file() else (str(p),) for p in paths)
    if key not in _MNIST_CACHE:
        images = _read_idx(paths[0], MNIST_FILES["images"][1], 2051)
        labels = _read_idx(paths[1], MNIST_FILES["labels"][1], 2049)
        _MNIST_CACHE.clear()  # one version at a time: a replaced file must not pin the old one
        _MNIST_CACHE[key] = (images, labels)
    return _MNIST_CACHE[key]


def check_digits(digits) -> tuple[int, ...]:
    try:
        ds = tuple(sorted({int(d) for d in digits}))
    except (TypeError, ValueError):
        raise ValueError(f"digits: expected digits like (0, 1, 7), got {digits!r}.") from None
    if len(ds) < 2 or ds[0] < 0 or ds[-1] > 9:
        raise ValueError(f"digits: choose at least two different digits from 0 to 9 (got {list(ds)}).")
    return ds


def mnist_available(digits=tuple(range(10)), data_dir=None) -> int:
    """How many of the shipped digits carry one of ``digits``."""
    _, labels = mnist_raw(data_dir)
    return int(np.isin(labels, check_digits(digits)).sum())


def load_mnist(n_train=8000, n_test=2000, digits=tuple(range(10)), seed=0, dtype=np.float32,
               data_dir=None) -> Dataset:
    digits = check_digits(digits)
    n_train = check_int("n_train", n_train, 10)
    n_test = check_int("n_test", n_test, 0)
    seed = check_int("seed", seed, 0)
    images, labels = mnist_raw(data_dir)
    keep = np.flatnonzero(np.isin(labels, digits))
    if n_train + n_test > len(keep):
        raise ValueError(f"n_train + n_test: {n_train} + {n_test} = {n_train + n_test}, but the digits "
                         f"{', '.join(map(str, digits))} have only {len(keep)} images in the shipped "
                         f"10,000-digit set.")
    remap = np.full(10, -1, dtype=np.intp)
    remap[list(digits)] = np.arange(len(digits))
    y_all = remap[labels[keep]]
    idx_tr, idx_te, ytr, yte = _split(keep, y_all, 0, seed, train_size=n_train, test_size=n_test)
    scale = np.asarray(1 / 255, dtype=dtype)
    n_pixels = images.shape[1] * images.shape[2]  # not -1: n_test = 0 gives an empty (0, 784) test set
    Xtr = images[idx_tr].reshape(len(idx_tr), n_pixels).astype(dtype) * scale
    Xte = images[idx_te].reshape(len(idx_te), n_pixels).astype(dtype) * scale
    return Dataset("mnist", Xtr, ytr, Xte, yte, len(digits), [str(d) for d in digits], image_shape=(28, 28),
                   description=(f"MNIST digits {', '.join(map(str, digits))}: {n_train} train / {n_test} test, "
                                f"split from MNIST's 10,000-digit test set"),
                   meta={"digits": digits, "train_index": idx_tr, "test_index": idx_te})


def load_dataset(name, n_samples=400, noise=None, test_fraction=0.2, seed=0, n_train=8000, n_test=2000,
                 digits=tuple(range(10)), dtype=None, data_dir=None) -> Dataset:
    """Load a dataset by name: "xor", "circles", "moons", "spiral", "gaussians" (2-D, float64 by
    default; n_samples, noise, test_fraction, seed), "mnist" (784 features in [0, 1], float32
    by default; n_train, n_test, digits, seed), or a regression set (real targets, see the
    module docstring; n_samples, noise, test_fraction, seed): "reg-plane", "reg-gauss" (2-D),
    "sine", "abs", "step", "cubic", "xsinx" (1-D)."""
    check_choice("name", name, DATASETS)
    if name == "mnist":
        return load_mnist(n_train, n_test, digits, seed, dtype or np.float32, data_dir)
    if name in REGRESSION_SETS + CURVE_SETS:
        return load_regression(name, n_samples, noise, test_fraction, seed, dtype or np.float64)
    return load_toy(name, n_samples, noise, test_fraction, seed, dtype or np.float64)
