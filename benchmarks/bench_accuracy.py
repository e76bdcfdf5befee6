"""Test accuracy of the engine against scikit-learn's MLPClassifier on the same data and
config: MNIST 784-100-10 ReLU, SGD lr 0.1 (no momentum, no L2), batch 100, 6 epochs, the
8,000 / 2,000 split; median over 3 seeds.   Targets: engine >= 90 %, within 0.5 points of sklearn.

    python benchmarks/bench_accuracy.py [--seeds 3] [--epochs 6]

Differences that remain: the engine uses He-normal init, scikit-learn its own Glorot-uniform
variant; both shuffle every epoch with their own generator.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import MLP, SGD, Trainer, load_dataset


def engine_acc(ds, seed, epochs):
    net = MLP([784, 100, 10], "relu", init="he", seed=seed, dtype=np.float32)
    tr = Trainer(net, SGD(0.1), ds.X_train, ds.y_train, ds.X_test, ds.y_test, batch_size=100, seed=seed)
    for _ in range(epochs):
        tr.run_epoch()
    return float(np.mean(net.predict(ds.X_test) == ds.y_test))


def sklearn_acc(ds, seed, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="sgd", learning_rate_init=0.1,
                        batch_size=100, momentum=0.0, nesterovs_momentum=False, alpha=0.0, max_iter=epochs,
                        shuffle=True, random_state=seed, tol=0.0, n_iter_no_change=epochs + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(ds.X_train, ds.y_train)
    return float(clf.score(ds.X_test, ds.y_test))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args()
    ds = load_dataset("mnist", n_train=8000, n_test=2000, seed=0)
    rows = []
    for seed in range(args.seeds):
        rows.append((seed, engine_acc(ds, seed, args.epochs), sklearn_acc(ds, seed, args.epochs)))
    print(f"MNIST 784-100-10 ReLU, SGD 0.1, batch 100, {args.epochs} epochs, 8,000 train / 2,000 test")
    print(f"{'seed':>6}{'engine':>10}{'sklearn':>10}")
    for seed, e, s in rows:
        print(f"{seed:>6}{100 * e:>9.2f}%{100 * s:>9.2f}%")
    e_med = statistics.median(r[1] for r in rows)
    s_med = statistics.median(r[2] for r in rows)
    diff = 100 * (e_med - s_med)
    print(f"{'median':>6}{100 * e_med:>9.2f}%{100 * s_med:>9.2f}%   difference {diff:+.2f} points")
    ok = e_med >= 0.90 and abs(diff) <= 0.5
    print(f"target: engine >= 90 % and within 0.5 points of sklearn -> {'PASS' if ok else 'MISS'}"
          + ("" if ok or e_med < s_med else " (the engine is *better* by more than 0.5 points)"))


if __name__ == "__main__":
    main()
