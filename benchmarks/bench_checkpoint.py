"""The browser's checkpoint (ui/checkpoint.py): how big the run file is that each page's live view
sends the browser, and how long the server takes to write it, per page at its default settings
after a few steps, after many, and with a full history (the trainer keeps 4,000 records), plus
the largest run the sidebar allows (MNIST, 6 x 256, batch norm, Adam).

    python benchmarks/bench_checkpoint.py

While playing a checkpoint is written every CHECKPOINT_SECONDS (5 s), or less often when writing
it would take more than WRITE_SHARE (1 %) of the time: printed are that interval, the write's
cost per animation frame (its time spread over the frames of one interval) and the bytes per
second it adds to the WebSocket. "long": trained until the history holds the trainer's 4,000
records (the 6 x 256 net: its last record repeated with random numbers, as incompressible as
real ones). Target: every run fits CHECKPOINT_BYTES.
"""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ui.blas  # noqa: E402,F401  (one BLAS thread, as in the app)
from engine import load_dataset  # noqa: E402
import numpy as np  # noqa: E402

from ui.checkpoint import CHECKPOINT_SECONDS, WRITE_SHARE  # noqa: E402
from ui.config import config_from_params  # noqa: E402
from ui.limits import CHECKPOINT_BYTES  # noqa: E402
from ui.export_view import run_bytes  # noqa: E402
from ui.lab import Lab  # noqa: E402
from ui.page2d import _frame_interval  # noqa: E402
from ui.page_mnist import FRAME_INTERVAL  # noqa: E402

CASES = [("xor", {}), ("circles", {}), ("more2d", {}), ("mnist", {}),
         ("mnist", {"hidden": ",".join(["256"] * 6), "bn": "1", "opt": "adam", "lr": "0.001"})]


def load(c):
    if c.dataset == "mnist":
        return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
    return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                        seed=c.data_seed)


def timed(lab, repeats=5) -> tuple[int, float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        data = run_bytes(lab)
        times.append(time.perf_counter() - t)
    return len(data), statistics.median(times)


def main() -> int:
    print(f"{'page':<24}{'steps':>7}{'history':>9}{'bytes':>12}{'write':>10}{'every':>8}{'per frame':>11}"
          f"{'B/s played':>12}")
    ok = True
    rng = np.random.default_rng(0)
    for page, params in CASES:
        cfg, warns = config_from_params(page, params)
        assert not warns, warns
        lab = Lab(page, cfg, load)
        frame = FRAME_INTERVAL if page == "mnist" else _frame_interval(lab.net)
        name = page + ("" if not params else " 6x256 BN Adam")
        rows = []
        for steps in (10, 500, None):
            if steps is None and params:  # too slow to train: a full history of random records
                r = lab.trainer.history[-1]
                lab.trainer.history = [replace(r, step=i + 1, loss=float(rng.random()), train_acc=float(rng.random()),
                                               delta_norms=tuple(rng.random(len(r.delta_norms))),
                                               grad_norms=tuple(rng.random(len(r.grad_norms))),
                                               update_ratios=tuple(rng.random(len(r.update_ratios))))
                                       for i in range(lab.trainer.max_history)]
            elif steps is None:
                while len(lab.trainer.history) < lab.trainer.max_history:
                    lab.advance(500)
            else:
                lab.advance(steps - lab.step)
            rows.append(("long" if steps is None else steps, len(lab.trainer.history), *timed(lab)))
        for steps, hist, size, secs in rows:
            gap = max(CHECKPOINT_SECONDS, secs / WRITE_SHARE)
            ok &= size <= CHECKPOINT_BYTES
            print(f"{name:<24}{steps:>7}{hist:>9}{size:>12,}{secs * 1000:>8.1f} ms{gap:>6.0f} s"
                  f"{secs / (gap / frame) * 1000:>8.3f} ms{size / gap:>12,.0f}")
    print(f"\nlargest run vs the limit ({CHECKPOINT_BYTES:,} bytes): {'fits' if ok else 'TOO LARGE'}")
    print("RESULT:", "PASS" if ok else "MISS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
