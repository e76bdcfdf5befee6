"""One training page's live objects: dataset, network, optimizer, trainer, play state.

A ``Lab`` turns a ``LabConfig`` into engine objects and keeps them in step with the sidebar:
changing data or architecture (input features included) rebuilds the model (and says so),
changing the learning rate, momentum, L2, L1, schedule, clipping, batch size or optimizer
applies on the next step without a reset. It never
imports streamlit: ``ui.state`` stores one Lab per page in the user's session.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace

import numpy as np

from engine import MLP, SGD, Adam, Diverged, Trainer
from engine.bugs import BUGS, UPDATE_BUGS, with_bugs, with_update_bug
from engine.datasets import Dataset, add_point, remove_nearest
from engine.schedules import Constant, Cosine, StepDecay

from . import limits, pacing
from .config import ARCH_FIELDS, DATA_FIELDS, HAND_MAX_TRAIN, HAND_MIN_TRAIN, HAND_RADIUS, LabConfig, data_spec

FIELD_LABELS = {
    "dataset": "dataset", "n_samples": "number of points", "noise": "noise", "test_fraction": "test fraction",
    "data_seed": "data seed", "digits": "digits", "n_train": "training size", "n_test": "test size",
    "hidden": "hidden layers", "activation": "activation", "per_layer": "per-layer activations",
    "batch_norm": "batch norm", "dropout": "dropout", "per_layer_bn": "per-layer batch norm",
    "per_layer_drop": "per-layer dropout",
    "loss": "loss", "output_activation": "output activation", "init": "initialisation",
    "init_var": "init variance", "seed": "seed", "csv_id": "data (your CSV file)", "features": "input features",
}


def make_optimizer(cfg: LabConfig):
    if cfg.optimizer == "adam":
        return Adam(lr=cfg.lr, weight_decay=cfg.l2)
    momentum = cfg.momentum if cfg.optimizer in ("momentum", "nesterov") else 0.0
    nesterov = cfg.optimizer == "nesterov" and momentum > 0
    return SGD(lr=cfg.lr, momentum=momentum, nesterov=nesterov, weight_decay=cfg.l2)


def make_schedule(cfg: LabConfig):
    """The learning-rate schedule of the settings (engine.schedules)."""
    if cfg.schedule == "step":
        return StepDecay(cfg.sched_every, cfg.sched_decay)
    if cfg.schedule == "cosine":
        return Cosine(cfg.sched_tmax, cfg.lr_min)
    return Constant()


def training_options(cfg: LabConfig) -> dict:
    """The Trainer's live options: L1, the schedule, gradient clipping (0 = off)."""
    return {"l1": cfg.l1, "schedule": make_schedule(cfg), "clip_norm": cfg.clip or None}


class Lab:
    """Dataset + model + trainer for one page of one user's session."""

    def __init__(self, page: str, cfg: LabConfig, load: Callable[[LabConfig], Dataset]):
        self.page = page
        self._load = load
        self.cfg = cfg
        self.dataset = load(cfg)
        self.playing = False
        self.error: str | None = None    # e.g. the Diverged message; cleared by the next action
        self.notice: str | None = None   # e.g. "rebuilt the model because ..."
        self.builds = 0
        self.bugs: frozenset = frozenset()  # bug-zoo bugs injected into this session's copy
        self.walk = None  # an engine.phases.StepWalk while the user steps through one update
        self.edits = 0    # changes by hand since the build (a typed parameter, a point): see set_param
        self.changed_at: int | None = None  # the step count at the last change by hand
        self._build()

    # ------------------------------------------------------------------ building
    @property
    def dtype(self):
        return np.float32 if self.cfg.dataset == "mnist" else np.float64

    def _build(self) -> None:
        c, ds = self.cfg, self.dataset
        features = c.net_features(ds.n_features)  # engineered inputs: n_0 is their number
        n_in = ds.n_features if features is None else len(features)
        self.net = MLP([n_in, *c.hidden, ds.n_outputs], activations=c.activations(), loss=c.loss,
                       output_activation=c.output_activation if c.loss == "mse" else None,
                       init=c.init, init_var=c.init_var, seed=c.seed, dtype=self.dtype,
                       batch_norm=c.batch_norms(), dropout=c.dropouts(), problem=ds.problem, features=features)
        self.opt = make_optimizer(c)
        has_test = len(ds.y_test) > 0
        self.trainer = Trainer(self.net, self.opt, ds.X_train, ds.y_train,
                               ds.X_test if has_test else None, ds.y_test if has_test else None,
                               batch_size=c.batch_size or None, seed=c.seed,
                               eval_every=limits.eval_every(self.page), max_history=limits.MAX_HISTORY,
                               **training_options(c))
        self.builds += 1
        self.error = None
        self.edits, self.changed_at = 0, None
        self._apply_bugs()

    def _apply_bugs(self) -> None:
        # The trainer drives a (shallow) buggy copy that shares the weight arrays: the clean
        # engine classes are never touched, and switching a bug off continues from the weights.
        self.net = with_bugs(self.net, self.bugs)
        self.opt = with_update_bug(self.opt, any(b in UPDATE_BUGS for b in self.bugs))
        self.trainer.net, self.trainer.opt = self.net, self.opt

    def set_bugs(self, bugs) -> None:
        """Switch bug-zoo bugs on/off (BUGS keys); training continues from the current weights."""
        bugs = frozenset(bugs)
        if bugs != self.bugs:
            self.bugs = bugs
            self._apply_bugs()
            self.error = None

    def update(self, cfg: LabConfig) -> str | None:
        """Bring the objects in line with ``cfg``. Returns a notice when the model was rebuilt.
        A ValueError (e.g. impossible data sizes) leaves the lab exactly as it was."""
        old = self.cfg
        changed = [f for f in DATA_FIELDS + ARCH_FIELDS if getattr(old, f) != getattr(cfg, f)]
        dropped = self.hand_data and any(f in DATA_FIELDS for f in changed)
        if changed:
            # the new data and model replace the old ones together or not at all: a model that
            # cannot be built on the new data (e.g. values a network cannot take) keeps its own
            previous = (self.cfg, self.dataset, self.net, self.opt, self.trainer, self.builds, self.error)
            try:
                if any(f in DATA_FIELDS for f in changed):
                    self.dataset = self._load(cfg)  # may raise ValueError
                self.cfg = cfg
                self._build()
            except ValueError:
                self.cfg, self.dataset, self.net, self.opt, self.trainer, self.builds, self.error = previous
                raise
            if "csv_id" in changed:  # a new file: one change for the student, not "dataset, CSV file"
                changed = ["csv_id"] + [f for f in changed if f not in DATA_FIELDS]
            what = ", ".join(FIELD_LABELS[f] for f in changed)
            self.notice = f"Rebuilt the model (step 0) because the {what} changed."
            if dropped:
                self.notice += " The points you added or removed by hand belonged to the old data and are gone."
            return self.notice
        self.apply_live(cfg)
        return None

    def apply_live(self, cfg: LabConfig) -> None:
        """Learning rate, momentum, L2, L1, schedule, clipping, batch size, optimizer: applied from
        the next step."""
        old, self.cfg = self.cfg, cfg
        if cfg.optimizer != old.optimizer:
            # a different update rule starts with fresh state (momentum buffers / Adam moments)
            self.opt = make_optimizer(cfg)
            self.trainer.opt = self.opt
            self._apply_bugs()
            self.notice = "Switched optimizer; the weights are kept, its state (momentum, moments) starts fresh."
        else:
            self.opt.lr = cfg.lr
            self.opt.weight_decay = cfg.l2
            if isinstance(self.opt, SGD):
                mom = cfg.momentum if cfg.optimizer in ("momentum", "nesterov") else 0.0
                self.opt.momentum = mom
                self.opt.nesterov = cfg.optimizer == "nesterov" and mom > 0
        self.trainer.batch_size = cfg.batch_size or None
        for name, value in training_options(cfg).items():
            setattr(self.trainer, name, value)

    def reset(self) -> None:
        """Back to step 0 with fresh weights from the same seed (same settings)."""
        self._build()
        self.notice = None
        self.playing = False

    def adopt(self, trainer, cfg: LabConfig, dataset: Dataset | None = None) -> None:
        """Continue a saved run (engine.export.load_run): its trainer becomes this lab's, with the
        settings ``cfg`` it was saved with and its ``dataset`` (by default this lab's loader's,
        for ``cfg``; pass the one the trainer was made with, so that nothing here can fail)."""
        dataset = self._load(cfg) if dataset is None else dataset
        self.cfg, self.trainer = cfg, trainer
        self.net, self.opt = trainer.net, trainer.opt
        self.dataset = dataset
        self.builds += 1
        self.playing, self.error, self.walk = False, None, None
        self.bugs = frozenset()
        self.edits, self.changed_at = 0, None
        self.notice = f"Continued the saved run at step {trainer.step_count:,}: everything as it was when saved."

    # ------------------------------------------------------------------ changes by hand
    # The network graph types one parameter; clicks on a 2-D picture add or remove a training
    # point. Each goes through the engine's checked door (Trainer.set_param / set_data), keeps the
    # weights and the optimizer's state, and training continues from there. A ValueError (with
    # its sentence) leaves everything as it was.
    @property
    def hand_data(self) -> bool:
        """Whether the training points were edited by hand (the share link says so)."""
        return "by_hand" in self.dataset.meta

    def data_spec(self) -> dict | None:
        """How a run file names this page's data: by its generator's settings, or None (the file
        then holds the training points) when they were edited by hand or uploaded."""
        return None if self.hand_data else data_spec(self.cfg)

    def _changed(self, sentence: str) -> str:
        # The sentence goes back to where the change was made (the graph's or the picture's own
        # message line), not into the page's notice: a box appearing above the picture would
        # move it under the student's mouse between two clicks.
        self.edits += 1
        self.changed_at = self.step
        self.walk = None  # a step walked through phase by phase was computed with the old numbers
        self.error = None
        return sentence

    def set_param(self, name: str, index, value) -> str:
        """One parameter typed by hand (engine: Trainer.set_param) -> the sentence saying so."""
        old = self.trainer.set_param(name, index, value)
        where = ", ".join(str(int(i)) for i in (index if isinstance(index, (tuple, list)) else (index,)))
        return self._changed(f"Set {name}[{where}] to {float(value):.6g} by hand (it was {old:.4g}). The next "
                             "picture, step and ledger use it; the optimizer keeps its state.")

    def _use_data(self, ds: Dataset) -> None:
        self.trainer.set_data(ds.X_train, ds.y_train)  # may raise: then nothing has changed
        self.dataset = ds

    def add_point(self, point, label: int) -> str:
        """A training point of class ``label`` at ``point`` (x1, x2)."""
        if len(self.dataset.y_train) >= HAND_MAX_TRAIN:
            raise ValueError(f"This set already has {len(self.dataset.y_train):,} training points, the most the "
                             "app trains on; shift-click to remove some first.")
        ds = add_point(self.dataset, point, label)
        self._use_data(ds)
        name = ds.class_names[int(label)]
        return self._changed(f"Added a {name} point at ({float(point[0]):.2f}, {float(point[1]):.2f}): "
                             f"{len(ds.y_train):,} training points now. {self._same_weights()}")

    def remove_point(self, point) -> str:
        """The training point nearest to ``point`` (within HAND_RADIUS of the square's side)."""
        if len(self.dataset.y_train) <= HAND_MIN_TRAIN:
            raise ValueError(f"Only {len(self.dataset.y_train)} training points are left; the network needs at "
                             f"least {HAND_MIN_TRAIN} to train on.")
        x0, x1 = self.dataset.bounds[:2] if self.dataset.bounds else (0.0, 1.0)
        ds, i = remove_nearest(self.dataset, point, HAND_RADIUS * (x1 - x0))
        x, y = self.dataset.X_train[i]
        name = ds.class_names[int(self.dataset.y_train[i])]
        self._use_data(ds)
        return self._changed(f"Removed the {name} point at ({x:.2f}, {y:.2f}): {len(ds.y_train):,} training "
                             f"points now. {self._same_weights()}")

    def revert_data(self) -> str:
        """Back to the data as generated (the sidebar's settings), weights kept."""
        if not self.hand_data:
            raise ValueError("The data are as generated already; nothing to undo.")
        self._use_data(self._load(self.cfg))
        return self._changed(f"Back to the data as generated ({len(self.dataset.y_train):,} training points). "
                             f"{self._same_weights()}")

    @staticmethod
    def _same_weights() -> str:
        return ("The weights are kept and training continues on the new data; the test set is unchanged. "
                "Reset starts from fresh weights on these points.")

    # ------------------------------------------------------------------ training
    def advance(self, n_steps: int, seconds: float | None = None, stop: Callable[[], bool] | None = None) -> bool:
        """Run n steps. On divergence: pause, keep the message, return False.

        ``seconds``: stop early (after at least one step) once the steps took this long;
        ``stop()``: checked between steps, stop early when it says so (e.g. a Pause waits).
        The live loop passes both, so one frame never holds the process for n heavy steps."""
        tr = self.trainer
        rows = tr.effective_batch_size  # the steps' batch, and the test set if an evaluation falls in
        if tr.X_test is not None and tr.eval_every and (tr.step_count + n_steps) // tr.eval_every > \
                tr.step_count // tr.eval_every:
            rows = max(rows, len(tr.y_test))
        if seconds is None and stop is None:
            return self._guard(lambda: self.trainer.run(n_steps), rows=rows)

        def some_steps():
            deadline = time.monotonic() + seconds if seconds is not None else None
            for i in range(n_steps):
                if i and ((deadline is not None and time.monotonic() > deadline) or (stop is not None and stop())):
                    break
                self.trainer.step()
        return self._guard(some_steps, stop, rows)

    def advance_epoch(self) -> bool:
        return self._guard(self.trainer.run_epoch)

    def release(self) -> None:
        """Drop the batch-sized arrays the last forward/backward pass kept (engine
        MLP.clear_caches): between steps a session holds only its parameters."""
        self.net.clear_caches()

    def pass_bytes(self, rows: int | None = None) -> int:
        """About how much memory one engine pass of this lab takes at its peak: a training step
        on the batch (the input, per hidden unit z, a, δ and their temporaries, the outputs)
        or a test-set evaluation, whichever is larger (or a pass on ``rows`` rows). 784-256x6-10
        on a full batch of 8,000 float32: ~320 MB; the XOR page's 2-8-8-2: ~0.3 MB."""
        sizes = self.net.sizes
        if rows is None:
            rows = max(self.trainer.effective_batch_size, len(self.dataset.y_test))
        return rows * (sizes[0] + 6 * sum(sizes[1:-1]) + 3 * sizes[-1]) * self.net.dtype.itemsize

    @contextmanager
    def working(self, stop: Callable[[], bool] | None = None, rows: int | None = None):
        """Around any engine pass of this lab (on ``rows`` rows; None: the larger of a step and
        a test-set evaluation): it waits until its memory fits the process's engine budget
        (ui.pacing.engine_memory; a small one never waits); afterwards the batch-sized caches
        are dropped. Yields False when ``stop()`` ended the wait."""
        with pacing.engine_memory(self.pass_bytes(rows), stop) as got:
            try:
                yield got
            finally:
                self.release()

    def _guard(self, action, stop=None, rows=None) -> bool:
        try:
            with self.working(stop, rows) as got:
                if got:
                    action()
            return True
        except (Diverged, ValueError) as exc:  # ValueError: e.g. batch norm on a batch of one
            self.playing = False
            self.error = str(exc)
            if self.bugs and isinstance(exc, Diverged):
                names = ", ".join(f"“{BUGS[b].title}”" for b in sorted(self.bugs))
                self.error += f" Bug zoo: {names} switched on — that is the likely cause."
            return False

    # ------------------------------------------------------------------ reading
    @property
    def step(self) -> int:
        return self.trainer.step_count

    def last(self):
        return self.trainer.history[-1] if self.trainer.history else None

    def dead_units_sentence(self) -> str | None:
        """engine.health's sentence when ReLU units have died on the training set, else None."""
        from engine.health import dead_relu_sentence

        return dead_relu_sentence(self.net, self.trainer.X, self.opt.lr)

    def test_metrics(self):
        """(test loss, test accuracy) of the current weights (regression: test R²), or None
        without a test set."""
        if self.trainer.X_test is None:
            return None
        if self.trainer.last_eval is None or self.step == 0:
            # evaluated once per state, not once per frame (MNIST evaluates in training only
            # every 50 steps), and as an engine pass: a heavy net's 2,000 test digits take ~40 MB
            key = (id(self.trainer), self.step, self.builds, self.edits)  # edits: changes by hand
            if getattr(self, "_eval", (None,))[0] != key:
                with self.working():
                    self._eval = (key, self.trainer.evaluate())
            return self._eval[1]
        return self.trainer.last_eval

    def with_cfg(self, **changes) -> LabConfig:
        return replace(self.cfg, **changes)
