"""Trainer: one mini-batch update per ``step()``, with a bounded history of what backprop did.

Each step: take the next mini-batch (reshuffled every epoch from ``seed``), forward and
backward (``net.gradients``), add the L1 penalty's gradient (engine.regularization), clip the
gradients' total norm (engine.clipping), update through the optimizer at the schedule's
learning rate (engine.schedules), and record a ``StepRecord``. That is torch's loop:
``(loss + l1 * sum|W|).backward(); clip_grad_norm_(params, clip); opt.step(); sched.step()``.
A step whose loss, gradients or update are not finite, or whose loss has grown 1000-fold
since the first step, is refused (``Diverged``, engine.divergence) *before* the update and
changes nothing, so the same step is retried on the next call. ``snapshot`` / ``restore``
(engine.snapshots) undo steps for the live loop.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import snapshots
from .checks import Setting, check_features, check_int, check_optional_int, check_real
from .clipping import clip_grad_norm
from .divergence import EXPLODED, check_loss, checked_grad_sqnorms, refuse, undo_on_refusal
from .errors import Diverged
from .network import MLP
from .numerics import sqnorm
from .optimizers import Optimizer
from .regularization import small_weight_fractions, with_l1
from .schedules import check_schedule


@dataclass(slots=True)
class StepRecord:
    """What one update did. Per-layer tuples have one value per weight layer l = 1..L.

    step          updates done so far, this one included (1, 2, ...)
    epoch         0-based epoch the batch was drawn from
    loss          batch loss from this step's forward pass (before the update)
    train_acc     accuracy on that batch, from the same forward pass (None for regression)
    test_loss, test_acc   on the test set, only on evaluation steps (else None; test_acc None
                  for regression)
    delta_norms   mean |delta_l| = mean |dL/dz_l| over the batch and units
    grad_norms    ||dJ/dW_l|| (Frobenius), J = L + l1 sum|W| (just dL/dW_l with L1 off), before clipping
    update_ratios ||Delta W_l|| / ||W_l|| (W before the update): ~1e-3 is healthy
    batch_size, lr  the settings this step ran with (lr: the schedule's rate for this step)
    train_r2, test_r2   regression only (else None): R² (engine.metrics) on the batch, from the
                  same forward pass (None when its targets are all equal, e.g. a batch of
                  one), and on the test set on evaluation steps. A regression net has no
                  accuracy: these take its place.
    total_grad_norm  the norm of all gradients as one vector (L1 term included), before
                  clipping: what clipping compares with its max_norm
    small_weights the fraction of W_l's entries with |w| < 1e-3 after the update (dead weights,
                  engine.regularization)
    """

    step: int
    epoch: int
    loss: float
    train_acc: float
    test_loss: float | None
    test_acc: float | None
    delta_norms: tuple
    grad_norms: tuple
    update_ratios: tuple
    batch_size: int
    lr: float
    train_r2: float | None = None
    test_r2: float | None = None
    total_grad_norm: float = math.nan
    small_weights: tuple = ()


class Trainer:
    """Train ``net`` with ``optimizer`` on (X_train, y_train), one mini-batch per ``step()``.

    X_train (N, n_in) and y_train (N,) int (a regression net: real targets (N,) or (N, n_out));
    X_test / y_test likewise (optional).
    batch_size None = full batch; a batch size above N is treated as N. It may be changed
    between steps (``tr.batch_size = 32``) and applies from the next step.
    eval_every: evaluate on the test set every k steps; None = at the end of every epoch.
    max_history: records kept; past it, the older half is thinned to every other record so
    a session that trains for hours keeps a bounded, still representative history.
    explode_factor: a batch loss this many times the first one raises Diverged (None: only
    overflows do).
    l1: L1 strength, the objective is L + l1 * sum|W| over the weight matrices (engine.regularization).
    schedule: the learning rate per step from the optimizer's lr (engine.schedules; None = constant).
    clip_norm: max_norm of the gradients' total norm (engine.clipping; None = no clipping).
    l1, schedule and clip_norm may be changed between steps and apply from the next step.
    """

    batch_size = Setting(check_optional_int, "batch_size", low=1)  # checked on every assignment
    l1 = Setting(check_real, "l1 (L1 strength)", low=0.0)
    schedule = Setting(check_schedule, "schedule")
    clip_norm = Setting(lambda name, v: None if v is None else check_real(name, v, low=0.0, low_open=True),
                        "clip_norm (max gradient norm)")

    def __init__(self, net: MLP, optimizer: Optimizer, X_train, y_train, X_test=None, y_test=None,
                 batch_size=None, seed=0, eval_every=None, max_history: int = 4000,
                 explode_factor: float | None = EXPLODED, l1: float = 0.0, schedule=None,
                 clip_norm: float | None = None):
        if not isinstance(net, MLP):
            raise ValueError(f"net: expected an engine.MLP, got {type(net).__name__}.")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer: expected engine.SGD or engine.Adam, got {type(optimizer).__name__}.")
        self.net, self.opt = net, optimizer
        self.X = check_features("X_train", X_train, net.n_inputs, net.dtype)
        self.y = net.check_targets("y_train", y_train, self.X.shape[0])
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test, y_test: give both or neither.")
        if X_test is not None:
            self.X_test = check_features("X_test", X_test, net.n_inputs, net.dtype)
            self.y_test = net.check_targets("y_test", y_test, self.X_test.shape[0])
        else:
            self.X_test = self.y_test = None
        self.batch_size = batch_size
        self.l1, self.schedule, self.clip_norm = l1, schedule, clip_norm
        self.seed = check_int("seed", seed, 0)
        self.eval_every = None if eval_every is None else check_int("eval_every", eval_every, 1)
        self.max_history = check_int("max_history", max_history, 10)
        self.rng = np.random.default_rng(self.seed)
        self.history: list[StepRecord] = []
        self.step_count = 0
        self.epoch = 0
        self._cursor = 0  # position in the current epoch's permutation
        self._perm: np.ndarray | None = None
        self._perm_epoch = -1  # the epoch _perm was drawn for
        self.last_eval: tuple[float, float | None] | None = None  # (test loss, test score) of the last evaluation
        self.loss_ref: float | None = None  # the first step's loss, for the explosion check
        self.explode_factor = explode_factor
        self.last_grads: list[tuple[np.ndarray, np.ndarray]] = []  # [(dW_l, db_l)] of the last step

    # ------------------------------------------------------------------ settings
    @property
    def n_train(self) -> int:
        return self.X.shape[0]

    @property
    def effective_batch_size(self) -> int:
        return self.n_train if self.batch_size is None else min(self.batch_size, self.n_train)

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n_train // self.effective_batch_size)

    # ------------------------------------------------------------------ batches
    def _next_batch(self):
        """-> (Xb (B, n_in), yb (B,), ends_epoch). Does not advance; ``_advance`` does.
        The permutation of an epoch is drawn at its first step."""
        n, B = self.n_train, self.batch_size
        if B is None or B >= n:
            return self.X, self.y, True
        if self._perm_epoch != self.epoch:
            self._perm = self.rng.permutation(n)
            self._perm_epoch = self.epoch
        end = self._cursor + B
        if n - end == 1 and self.net.has_batch_norm:
            end += 1  # BatchNorm cannot train on one sample: the epoch's last one joins this batch
        idx = self._perm[self._cursor:end]
        return self.X[idx], self.y[idx], end >= n

    def _advance(self, batch_len: int, ends_epoch: bool) -> None:
        self.step_count += 1
        if ends_epoch:
            self._cursor = 0
            self.epoch += 1
        else:
            self._cursor += batch_len

    def peek_batch(self, max_rows: int | None = None):
        """A copy of the batch the next step will use (rows capped at max_rows), for inspection."""
        Xb, yb, _ = self._next_batch()
        rows = slice(None) if max_rows is None else slice(0, max_rows)
        return Xb[rows].copy(), yb[rows].copy()

    # ------------------------------------------------------------------ training
    def evaluate(self, X=None, y=None) -> tuple[float, float | None]:
        """(mean loss, accuracy) on the test set (or on the given X, y), eval mode, no update;
        for a regression net (mean loss, R²) (net.score)."""
        if X is None:
            if self.X_test is None:
                raise ValueError("evaluate: this trainer has no test set; pass X and y.")
            X, y = self.X_test, self.y_test
        zL = self.net.logits(X)
        return self.net.loss_fn.value(zL, y), self.net.score(zL, y)

    def step(self) -> StepRecord:
        """One mini-batch update. Returns its StepRecord (also appended to ``history``).

        forward + backward (net.gradients, train mode) -> the loss and gradients must be finite
        -> + L1 gradient -> clip the total norm -> optimizer update at the scheduled learning
        rate -> record. A refused step (Diverged) changes nothing.
        """
        net = self.net
        with undo_on_refusal(self):
            Xb, yb, ends_epoch = self._next_batch()
            loss, dense_grads = net.gradients(Xb, yb)
            check_loss(self, loss)                            # finite, and not 1000x the first
            names, grads = zip(*net.named_grads())
            params = net.params()
            grads = with_l1(names, params, grads, self.l1)    # dL/dW + l1 sign(W)
            grad_sq = checked_grad_sqnorms(self, names, grads)  # ||g||^2 per array, all finite
            w_sq = [sqnorm(W) for W in net.weights]           # before the update, for the update ratio
            total_norm = math.sqrt(sum(grad_sq))              # all gradients as one vector
            grads = clip_grad_norm(grads, self.clip_norm, total_norm)  # one factor for all, <= 1
            lr = self.schedule.lr(self.opt.lr, self.step_count)  # this step's learning rate
            try:
                self.opt.step(params, grads, names=names, lr=lr)
            except Diverged as exc:
                refuse(self, exc.detail, "update")
        score = net.score(net.last_output, yb)  # accuracy on the batch, or R² for regression
        self._advance(len(yb), ends_epoch)
        test_loss = test_score = None
        due = (self.step_count % self.eval_every == 0) if self.eval_every else ends_epoch
        if due and self.X_test is not None:
            test_loss, test_score = self.last_eval = self.evaluate()
        if net.is_regression:
            scores = dict(train_acc=None, test_acc=None, train_r2=score, test_r2=test_score)
        else:
            scores = dict(train_acc=score, test_acc=test_score)
        sq = dict(zip(names, grad_sq))
        upd = dict(zip(names, self.opt.last_update_sqnorms))
        L = net.n_layers
        rec = StepRecord(
            step=self.step_count, epoch=self.epoch - 1 if ends_epoch else self.epoch,
            loss=loss, test_loss=test_loss, **scores,
            delta_norms=tuple(float(np.mean(np.abs(d))) for d in net.last_deltas),
            grad_norms=tuple(math.sqrt(sq[f"W{l}"]) for l in range(1, L + 1)),
            update_ratios=tuple(math.sqrt(upd[f"W{l}"] / w) if w > 0 else math.inf
                                for l, w in zip(range(1, L + 1), w_sq)),
            batch_size=len(yb), lr=lr, total_grad_norm=total_norm,
            small_weights=small_weight_fractions(net.weights))
        self.last_grads = dense_grads
        self.history.append(rec)
        if len(self.history) > self.max_history:
            self._thin_history()
        return rec

    # ------------------------------------------------------------------ changes by hand
    def set_param(self, name: str, index, value) -> float:
        """One parameter entry set by hand between steps (``MLP.set_param``: checked, in place);
        returns its old value. Training continues from it: the optimizer keeps its state.

        Two things measured on the old weights no longer describe the network, so they go: the
        last test evaluation (the next read evaluates again) and the explosion check's reference
        loss (the next step's loss becomes it, so a hand-set net is not called diverged for
        having a larger loss than the first step had)."""
        old = self.net.set_param(name, index, value)
        self.last_eval = None
        self.loss_ref = None
        return old

    def set_data(self, X_train, y_train) -> None:
        """Train on new training data from the next step on: X_train (N, n_in), y_train (N,),
        checked like the constructor's. The weights, the optimizer's state, the step count and
        the history stay; the current epoch starts over on the new data (its permutation is
        drawn at the next step from the trainer's generator, so the same edits give the same
        run). The test set does not change."""
        X = check_features("X_train", X_train, self.net.sizes[0], self.net.dtype)
        y = self.net.check_targets("y_train", y_train, X.shape[0])
        self.X, self.y = X, y
        self._cursor = 0
        self._perm, self._perm_epoch = None, -1

    def snapshot(self) -> dict:
        """Everything a step changes, for ``restore`` (engine.snapshots)."""
        return snapshots.snapshot(self)

    def restore(self, snap: dict) -> None:
        """Back to the state ``snap`` was taken in (engine.snapshots)."""
        snapshots.restore(self, snap)

    def run(self, n_steps: int) -> StepRecord | None:
        """``n_steps`` updates; returns the last record (None for 0 steps)."""
        rec = None
        for _ in range(check_int("n_steps", n_steps, 0)):
            rec = self.step()
        return rec

    def run_epoch(self) -> StepRecord | None:
        """Steps until the current epoch ends (a whole epoch from a fresh start)."""
        rec = self.step()
        while self._cursor != 0:
            rec = self.step()
        return rec

    def _thin_history(self) -> None:
        # Keep the newest half at full resolution, every other record of the older half.
        keep = self.max_history // 2
        old, new = self.history[:-keep], self.history[-keep:]
        self.history = old[::2] + new

    # ------------------------------------------------------------------ reporting
    def history_frame(self):
        """DataFrame, one row per kept step: step, epoch, loss, train_acc, test_loss, test_acc,
        batch_size, lr, then delta_l, grad_norm_l, update_ratio_l for l = 1..L. A regression
        net has train_r2 and test_r2 in place of the accuracies."""
        import pandas as pd

        L = self.net.n_layers
        train, test = ("train_r2", "test_r2") if self.net.is_regression else ("train_acc", "test_acc")
        cols = {k: [getattr(r, k) for r in self.history]
                for k in ("step", "epoch", "loss", train, "test_loss", test, "batch_size", "lr")}
        for name, attr in (("delta", "delta_norms"), ("grad_norm", "grad_norms"), ("update_ratio", "update_ratios")):
            values = [getattr(r, attr) for r in self.history]
            for l in range(L):
                cols[f"{name}_{l + 1}"] = [v[l] for v in values]
        df = pd.DataFrame(cols)
        for k in ("test_loss", test) + ((train,) if self.net.is_regression else ()):
            df[k] = df[k].astype(float)  # None -> NaN
        return df
