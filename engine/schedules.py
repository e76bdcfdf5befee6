"""Learning-rate schedules: the learning rate of each step from the base rate eta_0 (the
optimizer's ``lr``, what the student set) and t, the number of updates done before this one.

    constant   eta_t = eta_0
    step       eta_t = eta_0 * gamma ** (t // step_size)                   torch StepLR
    cosine     eta_t = eta_min + (eta_0 - eta_min) (1 + cos(pi t / T_max)) / 2   torch CosineAnnealingLR

These are the closed forms of torch.optim.lr_scheduler.StepLR and CosineAnnealingLR, counted as
torch counts when ``scheduler.step()`` follows every ``optimizer.step()``: the first update uses
t = 0 (eta_0 itself), the k-th update t = k - 1. The playground's unit of time is the update
(a mini-batch step), so step_size and T_max are in updates, not epochs. Like torch's, the
cosine does not stop at T_max: it reaches eta_min there and climbs back to eta_0 at 2 T_max
(torch computes it recursively, equal to this closed form within rounding; tests check 1e-12).

A schedule holds no state: the trainer asks ``lr(base_lr, t)`` with its step count, so a saved
run, an undone step or a changed base rate need no bookkeeping, and changing eta_0 mid-run
scales the rest of the schedule (torch would need its ``base_lrs`` edited for that).
"""
from __future__ import annotations

import math

from .checks import check_choice, check_int, check_real

SCHEDULES = ("constant", "step", "cosine")


class Schedule:
    """Base class: ``lr(base_lr, t)`` and the settings as a dict (``config``) and in words."""

    name = ""

    def lr(self, base_lr: float, t: int) -> float:
        raise NotImplementedError

    def config(self) -> dict:
        return {"name": self.name}

    def describe(self) -> str:
        raise NotImplementedError

    def __eq__(self, other):
        return type(other) is type(self) and other.config() == self.config()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """eta_t = eta_0."""

    name = "constant"

    def lr(self, base_lr, t):
        return base_lr

    def describe(self):
        return "constant learning rate"


class StepDecay(Schedule):
    """torch.optim.lr_scheduler.StepLR: eta_t = eta_0 * gamma ** (t // step_size), i.e. the rate
    is multiplied by gamma after every step_size updates."""

    name = "step"

    def __init__(self, step_size: int, gamma: float = 0.1):
        self.step_size = check_int("step_size", step_size, 1)
        self.gamma = check_real("gamma", gamma, low=0.0, high=1.0, low_open=True)

    def lr(self, base_lr, t):
        return base_lr * self.gamma ** (t // self.step_size)

    def config(self):
        return {"name": self.name, "step_size": self.step_size, "gamma": self.gamma}

    def describe(self):
        return f"step decay: × {self.gamma:g} every {self.step_size:,} steps"


class Cosine(Schedule):
    """torch.optim.lr_scheduler.CosineAnnealingLR: half a cosine from eta_0 down to eta_min over
    T_max updates, eta_t = eta_min + (eta_0 - eta_min) (1 + cos(pi t / T_max)) / 2."""

    name = "cosine"

    def __init__(self, T_max: int, eta_min: float = 0.0):
        self.T_max = check_int("T_max", T_max, 1)
        self.eta_min = check_real("eta_min", eta_min, low=0.0)

    def lr(self, base_lr, t):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2

    def config(self):
        return {"name": self.name, "T_max": self.T_max, "eta_min": self.eta_min}

    def describe(self):
        floor = f" to {self.eta_min:g}" if self.eta_min else " to 0"
        return f"cosine{floor} over {self.T_max:,} steps"


def make_schedule(config: dict | None) -> Schedule:
    """A schedule from its ``config()`` dict (None: constant)."""
    if config is None:
        return Constant()
    cfg = dict(config)
    name = check_choice("schedule", cfg.pop("name", None), SCHEDULES)
    return {"constant": Constant, "step": StepDecay, "cosine": Cosine}[name](**cfg)


def check_schedule(name: str, value) -> Schedule:
    """None (constant) or a Schedule (for engine.checks.Setting)."""
    if value is None:
        return Constant()
    if not isinstance(value, Schedule):
        raise ValueError(f"{name}: expected an engine.schedules schedule (Constant, StepDecay, Cosine) or None, "
                         f"got {type(value).__name__}.")
    return value


__all__ = ["SCHEDULES", "Constant", "Cosine", "Schedule", "StepDecay", "check_schedule", "make_schedule"]
