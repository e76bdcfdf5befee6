"""Engine speed against torch (CPU), scikit-learn's MLPClassifier and a hand-fused NumPy loop,
on identical work, in one run. Every contender is pinned to ONE thread (torch.set_num_threads(1)
and threadpoolctl around everything: on this 2-core machine interleaved BLAS/torch threads
distort the comparison), contenders are interleaved repeat by repeat so load drift hits all
alike, and each time is the median of the repeats.

    python benchmarks/bench_engine.py [--repeats 7] [--tiny-calls 2000]

A. MNIST 784-100-10, ReLU, softmax cross-entropy, SGD lr 0.1 (no momentum), batch 100, one
   epoch of the 8,000 training digits (load_dataset("mnist")), float32.
   Target: engine <= 0.8x torch (issue 12: the engine is textbook code first; a speed trick
   stays only where it saves >= 10 % of this epoch). The fused-NumPy ratio is printed as the
   price of that readability, without a target.
B. One full-batch step of a 2-8-2 tanh net, softmax-CE, SGD, on 200 circles points, float64
   (the dtype ui/lab.py uses for the 2-D pages), per step over many steps.
   Printed for information (the per-step Python overhead of a readable engine).

Times are CPU seconds of the process (time.process_time): with one thread that is the work
done, unlike wall time not inflated when other processes share the 2 cores (wall medians are
printed next to them). Targets are judged on CPU time.

What each contender does per mini-batch:
- engine: Trainer.step() — gather, forward, loss, backward, SGD update, plus the StepRecord
  the UI needs: batch accuracy, mean |delta_l|, ||dW_l||, ||Delta W_l|| / ||W_l||.
- torch: the usual loop (index, zero_grad, forward, cross_entropy, backward, SGD.step).
  Autograd records the graph; torch computes no per-step statistics.
- scikit-learn: MLPClassifier(solver="sgd", momentum=0, nesterovs_momentum=False,
  learning_rate_init=0.1, batch_size=100, alpha=0).partial_fit, one epoch per call. It also
  validates and one-hot encodes its input on every call, adds the (zero) L2 term to the loss
  and gradients, and builds its update as momentum * velocity - lr * grad. float32 kept.
- fused NumPy: the fastest straightforward loop — float32, preallocated buffers, in-place
  ops, np.take(mode="clip", out=), fused softmax-CE delta — recording only the batch loss.
  "fused + records" adds the engine's per-step statistics, for reference.
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
try:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:
    MLPClassifier = None

LR, BATCH = 0.1, 100
TINY_LR = 0.03


# ----------------------------------------------------------------------------- A: MNIST epoch
def engine_epoch(X, y):
    net = MLP([784, 100, 10], "relu", init="he", seed=0, dtype=np.float32)
    tr = Trainer(net, SGD(LR), X, y, batch_size=BATCH, seed=0)
    return tr.run_epoch


def torch_epoch(X, y):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    gen = torch.Generator().manual_seed(0)
    cross_entropy = torch.nn.functional.cross_entropy

    def run():
        perm = torch.randperm(len(yt), generator=gen)
        for i in range(0, len(yt), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return run


def _sk(batch_size, activation, lr):
    return MLPClassifier(hidden_layer_sizes=(100,) if activation == "relu" else (8,), activation=activation,
                         solver="sgd", learning_rate_init=lr, learning_rate="constant", batch_size=batch_size,
                         momentum=0.0, nesterovs_momentum=False, alpha=0.0, shuffle=True, random_state=0,
                         tol=0.0, max_iter=1)


def sklearn_epoch(X, y):
    clf = _sk(BATCH, "relu", LR)
    classes = np.unique(y)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(X, y, classes=classes)  # one epoch of mini-batches, no re-init
    return run


def fused_epoch(X, y, records=False):
    """The fastest straightforward NumPy loop. With records=True it also computes what the
    engine's StepRecord holds (accuracy, mean |delta|, gradient norms, update ratios)."""
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
    log = []

    def run():
        nonlocal W1, b1, W2, b2, h, z, dh  # in-place -=, +=, *=: Python counts them as assignment
        perm = rng.permutation(len(y))
        for i in range(0, len(y), BATCH):
            idx = perm[i:i + BATCH]
            np.take(X, idx, axis=0, out=xb, mode="clip")  # "clip": no hidden copy (idx in range)
            yb = y[idx]
            np.matmul(xb, W1, out=h)
            h += b1
            np.maximum(h, 0, out=h)
            np.matmul(h, W2, out=z)
            z += b2
            if records:
                acc = np.count_nonzero(z.argmax(axis=1) == yb) / BATCH
            z -= z.max(axis=1, keepdims=True)
            picked = z[rows, yb]
            np.exp(z, out=z)
            s = z.sum(axis=1, keepdims=True)
            loss = float((np.log(s).sum() - picked.sum()) / BATCH)
            z /= s
            z[rows, yb] -= 1
            z /= BATCH  # z is now delta_2
            np.matmul(h.T, z, out=dW2)
            db2 = z.sum(axis=0)
            np.matmul(z, W2.T, out=dh)
            dh *= h > 0  # delta_1
            np.matmul(xb.T, dh, out=dW1)
            db1 = dh.sum(axis=0)
            if records:
                g1, g2 = float(np.vdot(dW1, dW1)), float(np.vdot(dW2, dW2))
                gb = float(np.vdot(db1, db1)) + float(np.vdot(db2, db2))
                w1, w2 = float(np.vdot(W1, W1)), float(np.vdot(W2, W2))
                log.append((loss, acc, float(np.abs(dh).sum()) / dh.size, float(np.abs(z).sum()) / z.size,
                            g1 ** 0.5, g2 ** 0.5, LR * (g1 / w1) ** 0.5, LR * (g2 / w2) ** 0.5, gb))
            else:
                log.append(loss)
            np.multiply(dW1, lr, out=dW1)
            W1 -= dW1
            b1 -= lr * db1
            np.multiply(dW2, lr, out=dW2)
            W2 -= dW2
            b2 -= lr * db2
    return run


# ----------------------------------------------------------------------------- B: tiny step
def engine_tiny(X, y):
    net = MLP([2, 8, 2], "tanh", seed=0, dtype=np.float64)
    tr = Trainer(net, SGD(TINY_LR), X, y, batch_size=None, seed=0)
    return tr.step


def torch_tiny(X, y):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    opt = torch.optim.SGD(model.parameters(), lr=TINY_LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    cross_entropy = torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad(set_to_none=True)
        cross_entropy(model(Xt), yt).backward()
        opt.step()
    return step


def sklearn_tiny(X, y):
    clf = _sk(len(y), "tanh", TINY_LR)
    classes = np.unique(y)

    def step():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(X, y, classes=classes)  # 200 points, batch 200: one step per call
    return step


def fused_tiny(X, y):
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((2, 8)) * 0.3, np.zeros(8)
    W2, b2 = rng.standard_normal((8, 2)) * 0.3, np.zeros(2)
    n = len(y)
    rows = np.arange(n)
    a = np.empty((n, 8))
    z = np.empty((n, 2))
    d1 = np.empty((n, 8))
    log = []

    def step():
        nonlocal W1, b1, W2, b2, a, z, d1
        np.matmul(X, W1, out=a)
        a += b1
        np.tanh(a, out=a)
        np.matmul(a, W2, out=z)
        z += b2
        z -= z.max(axis=1, keepdims=True)
        picked = z[rows, y]
        np.exp(z, out=z)
        s = z.sum(axis=1, keepdims=True)
        log.append(float((np.log(s).sum() - picked.sum()) / n))
        z /= s
        z[rows, y] -= 1
        z /= n
        np.matmul(z, W2.T, out=d1)
        d1 *= 1 - a * a
        W2 -= TINY_LR * (a.T @ z)
        b2 -= TINY_LR * z.sum(axis=0)
        W1 -= TINY_LR * (X.T @ d1)
        b1 -= TINY_LR * d1.sum(axis=0)
    return step


def per_call(fn, calls: int):
    def run():
        for _ in range(calls):
            fn()
    return run


def measure(contenders: dict, repeats: int, divide: dict | None = None):
    """Warm up, then `repeats` interleaved rounds; -> {name: (median cpu s, median wall s)}."""
    for fn in contenders.values():
        fn()  # first-touch allocations, BLAS init, sklearn's first partial_fit
    cpu = {k: [] for k in contenders}
    wall = {k: [] for k in contenders}
    for _ in range(repeats):
        for k, fn in contenders.items():
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            c1, w1 = time.process_time(), time.perf_counter()
            d = (divide or {}).get(k, 1)
            cpu[k].append((c1 - c0) / d)
            wall[k].append((w1 - w0) / d)
    return {k: (statistics.median(cpu[k]), statistics.median(wall[k])) for k in contenders}


def table(res: dict, unit: float, unit_name: str):
    eng = res["engine"][0]
    print(f"   {'contender':<18}{'cpu ' + unit_name:>12}{'wall ' + unit_name:>12}{'engine / it':>13}")
    for k, (c, w) in sorted(res.items(), key=lambda kv: kv[1][0]):
        print(f"   {k:<18}{c * unit:>12.1f}{w * unit:>12.1f}{eng / c:>12.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--tiny-calls", type=int, default=2000, help="steps per timed repeat in B")
    args = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    ds = load_dataset("mnist")  # the 8,000 / 2,000 split
    X, y = np.ascontiguousarray(ds.X_train, dtype=np.float32), ds.y_train
    assert X.shape == (8000, 784), X.shape
    toy = load_dataset("circles", n_samples=250, test_fraction=0.2, seed=0)
    Xs, ys = np.ascontiguousarray(toy.X_train[:200], dtype=np.float64), toy.y_train[:200]

    with threadpool_limits(1):
        contenders = {"engine": engine_epoch(X, y), "fused NumPy": fused_epoch(X, y),
                      "fused + records": fused_epoch(X, y, records=True)}
        if torch is not None:
            contenders["torch"] = torch_epoch(X, y)
        if MLPClassifier is not None:
            contenders["scikit-learn"] = sklearn_epoch(X, y)
        epoch = measure(contenders, args.repeats)

        calls = {"engine": args.tiny_calls, "fused NumPy": args.tiny_calls}
        tiny = {"engine": per_call(engine_tiny(Xs, ys), calls["engine"]),
                "fused NumPy": per_call(fused_tiny(Xs, ys), calls["fused NumPy"])}
        if torch is not None:
            calls["torch"] = args.tiny_calls
            tiny["torch"] = per_call(torch_tiny(Xs, ys), calls["torch"])
        if MLPClassifier is not None:
            calls["scikit-learn"] = max(20, args.tiny_calls // 20)  # ~1 ms a call
            tiny["scikit-learn"] = per_call(sklearn_tiny(Xs, ys), calls["scikit-learn"])
        step = measure(tiny, args.repeats, divide=calls)

    print(f"A. MNIST 784-100-10 ReLU, softmax-CE, SGD 0.1, batch 100, one epoch of 8,000, float32, "
          f"1 thread, median of {args.repeats}")
    table(epoch, 1e3, "ms")
    print(f"\nB. one full-batch step, 2-8-2 tanh, softmax-CE, SGD, 200 points, float64, 1 thread, "
          f"median of {args.repeats}")
    table(step, 1e6, "µs")

    e_a, e_b = epoch["engine"][0], step["engine"][0]
    print("\nRatios (cpu time)")
    for name, res, e in (("A MNIST epoch", epoch, e_a), ("B tiny step", step, e_b)):
        parts = [f"engine/{k.split()[0]} {e / res[k][0]:.2f}x" for k in ("torch", "fused NumPy", "scikit-learn")
                 if k in res]
        print(f"   {name:<15}" + "   ".join(parts))
    print("\nTargets")
    checks = []
    if torch is not None:
        checks.append(("MNIST epoch <= 0.8x torch", e_a / epoch["torch"][0], 0.8))
    for name, ratio, limit in checks:
        print(f"   {name:<34} {ratio:5.2f}x  {'PASS' if ratio <= limit else 'MISS'}")
    print(f"   (no target) MNIST epoch vs fused NumPy {e_a / epoch['fused NumPy'][0]:.2f}x, "
          f"tiny step vs fused NumPy {e_b / step['fused NumPy'][0]:.2f}x: the price of readable code")
    print(f"   (engine vs fused NumPy doing the same per-step records: "
          f"{e_a / epoch['fused + records'][0]:.2f}x)")


if __name__ == "__main__":
    main()
