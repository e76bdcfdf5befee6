"""Engine speed against torch (CPU), scikit-learn's MLPClassifier and a hand-fused NumPy loop,
on identical work, in one run. Every contender is pinned to ONE thread (on this 2-core machine
interleaved BLAS/torch threads distort the comparison) and timed as the median of repeats.

    python benchmarks/bench_engine.py [--repeats 5]

A. MNIST 784-100-10, ReLU, softmax cross-entropy, SGD lr 0.1, batch 100, one epoch of the
   8,000 training digits, float32.        Targets: engine <= 0.9x torch, <= 1.1x fused NumPy.
B. One full-batch step of a 2-8-2 tanh net on 200 points (what the UI calls thousands of
   times), float64 like the 2-D pages.     Target: engine <= 2x fused NumPy.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threadpoolctl import threadpool_limits

from engine import MLP, SGD, Trainer, load_dataset

try:
    import torch
except ImportError:  # torch is a dev dependency only
    torch = None

LR, BATCH = 0.1, 100


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ----------------------------------------------------------------------------- A: MNIST epoch
def engine_epoch(X, y):
    net = MLP([784, 100, 10], "relu", init="he", seed=0, dtype=np.float32)
    tr = Trainer(net, SGD(LR), X, y, batch_size=BATCH, seed=0)
    return lambda: tr.run_epoch()


def torch_epoch(X, y):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    gen = torch.Generator().manual_seed(0)

    def run():
        perm = torch.randperm(len(yt), generator=gen)
        for i in range(0, len(yt), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return run


def sklearn_epoch(X, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="sgd", learning_rate_init=LR,
                        batch_size=BATCH, momentum=0.0, nesterovs_momentum=False, alpha=0.0, max_iter=1,
                        shuffle=True, random_state=0, tol=0.0)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)  # max_iter=1: exactly one epoch of mini-batches
    return run


def fused_epoch(X, y):
    """The fastest straightforward NumPy: float32, preallocated buffers, fused softmax-CE,
    recording only the batch loss (the engine also records accuracy, mean |delta|, gradient
    norms and update ratios per step)."""
    rng = np.random.default_rng(0)
    W1 = (rng.standard_normal((784, 100)) * np.sqrt(2 / 784)).astype(np.float32)
    b1 = np.zeros(100, np.float32)
    W2 = (rng.standard_normal((100, 10)) * np.sqrt(2 / 100)).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    xb = np.empty((BATCH, 784), np.float32)
    h = np.empty((BATCH, 100), np.float32)
    z = np.empty((BATCH, 10), np.float32)
    dh = np.empty((BATCH, 100), np.float32)
    dW1 = np.empty_like(W1)
    dW2 = np.empty_like(W2)
    rows = np.arange(BATCH)
    lr = np.float32(LR)
    losses = []

    def run():
        nonlocal W1, b1, W2, b2, h, z, dh  # updated in place (-=, +=): Python treats that as assignment
        perm = rng.permutation(len(y))
        for i in range(0, len(y), BATCH):
            idx = perm[i:i + BATCH]
            np.take(X, idx, axis=0, out=xb)
            yb = y[idx]
            np.matmul(xb, W1, out=h)
            h += b1
            np.maximum(h, 0, out=h)
            np.matmul(h, W2, out=z)
            z += b2
            z -= z.max(axis=1, keepdims=True)
            picked = z[rows, yb]
            np.exp(z, out=z)
            s = z.sum(axis=1, keepdims=True)
            losses.append((np.log(s).sum() - picked.sum()) / BATCH)  # every loop reports its loss
            z /= s
            z[rows, yb] -= 1
            z /= BATCH  # z is now delta_2
            np.matmul(h.T, z, out=dW2)
            db2 = z.sum(axis=0)
            np.matmul(z, W2.T, out=dh)
            dh *= h > 0
            np.matmul(xb.T, dh, out=dW1)
            db1 = dh.sum(axis=0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
    return run


# ----------------------------------------------------------------------------- B: tiny step
def engine_tiny(X, y):
    net = MLP([2, 8, 2], "tanh", seed=0, dtype=np.float64)
    tr = Trainer(net, SGD(0.03), X, y, batch_size=None, seed=0)
    return tr.step


def fused_tiny(X, y):
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((2, 8)) * 0.3, np.zeros(8)
    W2, b2 = rng.standard_normal((8, 2)) * 0.3, np.zeros(2)
    rows, n = np.arange(len(y)), len(y)

    def step():
        nonlocal W1, b1, W2, b2
        a = np.tanh(X @ W1 + b1)
        z = a @ W2 + b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        e /= e.sum(axis=1, keepdims=True)
        e[rows, y] -= 1
        e /= n
        d1 = (e @ W2.T) * (1 - a * a)
        W2 -= 0.03 * (a.T @ e)
        b2 -= 0.03 * e.sum(axis=0)
        W1 -= 0.03 * (X.T @ d1)
        b1 -= 0.03 * d1.sum(axis=0)
    return step


def per_call(fn, calls: int):
    def run():
        for _ in range(calls):
            fn()
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tiny-calls", type=int, default=2000)
    args = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    ds = load_dataset("mnist", n_train=8000, n_test=2000, seed=0)
    X, y = np.ascontiguousarray(ds.X_train, dtype=np.float32), ds.y_train
    toy = load_dataset("circles", n_samples=250, test_fraction=0.2, seed=0)
    Xs, ys = toy.X_train[:200], toy.y_train[:200]

    with threadpool_limits(1):
        contenders = {"engine": engine_epoch(X, y), "fused NumPy": fused_epoch(X, y),
                      "scikit-learn": sklearn_epoch(X, y)}
        if torch is not None:
            contenders["torch"] = torch_epoch(X, y)
        for fn in contenders.values():
            fn()  # warm-up: first-touch allocations, BLAS init
        times = {k: [] for k in contenders}
        for _ in range(args.repeats):  # interleaved, so drift hits everyone alike
            for k, fn in contenders.items():
                times[k].append(timed(fn, 1))
        epoch = {k: statistics.median(v) for k, v in times.items()}

        tiny = {"engine": per_call(engine_tiny(Xs, ys), args.tiny_calls),
                "fused NumPy": per_call(fused_tiny(Xs, ys), args.tiny_calls)}
        for fn in tiny.values():
            fn()
        ttimes = {k: [] for k in tiny}
        for _ in range(args.repeats):
            for k, fn in tiny.items():
                ttimes[k].append(timed(fn, 1) / args.tiny_calls)
        step = {k: statistics.median(v) for k, v in ttimes.items()}

    print("A. MNIST 784-100-10 ReLU, softmax-CE, SGD 0.1, batch 100, one epoch of 8,000, float32, 1 thread")
    print(f"   {'contender':<14}{'epoch (ms)':>12}{'engine / it':>14}")
    for k, v in sorted(epoch.items(), key=lambda kv: kv[1]):
        print(f"   {k:<14}{1000 * v:>12.1f}{epoch['engine'] / v:>13.2f}x")
    print("\nB. one full-batch step, 2-8-2 tanh, 200 points, float64, 1 thread")
    for k, v in step.items():
        print(f"   {k:<14}{1e6 * v:>10.1f} µs/step   engine / it {step['engine'] / v:.2f}x")
    print("\nTargets")
    checks = [("MNIST epoch <= 1.1x fused NumPy", epoch["engine"] / epoch["fused NumPy"], 1.1),
              ("tiny step   <= 2x fused NumPy", step["engine"] / step["fused NumPy"], 2.0)]
    if torch is not None:
        checks.insert(0, ("MNIST epoch <= 0.9x torch", epoch["engine"] / epoch["torch"], 0.9))
    for name, ratio, limit in checks:
        print(f"   {name:<34} {ratio:5.2f}x  {'PASS' if ratio <= limit else 'MISS'}")
    print(f"   (engine vs scikit-learn: {epoch['engine'] / epoch['scikit-learn']:.2f}x; sklearn also "
          f"computes its loss per batch and validates input on every fit)")


if __name__ == "__main__":
    main()
