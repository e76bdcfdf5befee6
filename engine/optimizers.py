"""Update rules with exactly torch.optim's maths (SGD with momentum / Nesterov / weight decay,
and Adam), kept apart from the network as in torch: the optimizer owns its state (momentum
buffers, Adam moments) and ``step(params, grads)`` changes the parameters in place.

``params`` and ``grads`` are parallel lists of arrays ([W_1, b_1, W_2, b_2, ...]); state is
kept per list position, so pass them in the same order every step.

Every step is atomic: all updates are computed first; if any is not finite the step raises
``Diverged`` and neither the parameters nor the optimizer state change. Hyper-parameters are
plain attributes read at every step, so changing ``opt.lr`` or ``opt.momentum`` between steps
takes effect on the next step without losing the momentum buffers. ``step(..., lr=...)`` runs
one step at another learning rate (a schedule's, engine.schedules) and leaves ``opt.lr``, the
base rate, as it is.
"""
from __future__ import annotations

import math

import numpy as np

from .checks import Setting, check_betas, check_flag, check_real
from .numerics import checked_update_sqnorms


class Optimizer:
    """Base class: the hyper-parameters (validated on every assignment, engine.checks.Setting),
    the step count, and the atomic ``step``. A subclass writes its rule in ``_updates``."""

    name = ""
    lr = Setting(check_real, "lr (learning rate)", low=0.0)
    weight_decay = Setting(check_real, "weight_decay (L2)", low=0.0)

    def __init__(self, lr: float, weight_decay: float):
        self.lr = lr
        self.weight_decay = weight_decay
        self.t = 0  # steps taken (committed); Adam's bias correction counts from its moments' start
        self.last_update_sqnorms: list[float] = []  # ||Delta p||^2 per parameter, last step

    def reset(self) -> None:
        """Forget all state (momentum buffers, moments, step count)."""
        self.t = 0

    def state_dict(self) -> dict:
        """A copy of the state, e.g. to compare with torch.optim."""
        raise NotImplementedError

    def _updates(self, params, grads, lr: float):
        """-> (updates, new_state): updates[i] is subtracted from params[i], at learning rate
        ``lr``. Pure: no mutation."""
        raise NotImplementedError

    def _commit(self, new_state) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        """The rule and its settings in words, e.g. "SGD + momentum 0.9, learning rate 0.03"."""
        wd = f", L2 {self.weight_decay:g}" if self.weight_decay else ""
        return f"{self._rule()}, learning rate {self.lr:g}{wd}"

    def _rule(self) -> str:
        return self.name

    def proposed_updates(self, params, grads, lr: float | None = None) -> list[np.ndarray]:
        """What ``step`` would subtract from each parameter, without changing anything."""
        return self._updates(params, grads, self.lr if lr is None else check_real("lr", lr, low=0.0))[0]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], names=None, lr: float | None = None) -> None:
        """Apply one update in place: p <- p - update(p, g). Raises Diverged (changing nothing)
        if an update is not finite. ``names`` ("W1", "b1", ...) only make messages precise.
        ``lr``: this step's learning rate (a schedule's); None = ``self.lr``."""
        if len(params) != len(grads):
            raise ValueError(f"step: got {len(params)} parameters but {len(grads)} gradients.")
        lr = self.lr if lr is None else check_real("lr", lr, low=0.0)
        updates, new_state = self._updates(params, grads, lr)
        sq = checked_update_sqnorms(self, updates, names)  # Diverged here: nothing has changed yet
        for p, u in zip(params, updates):
            p -= u
        self._commit(new_state)
        self.last_update_sqnorms = sq


class SGD(Optimizer):
    """torch.optim.SGD (dampening 0):
        g <- g + weight_decay * p
        buf <- g (first step), else buf <- momentum * buf + g
        g <- g + momentum * buf (Nesterov), else g <- buf        (only when momentum > 0)
        p <- p - lr * g
    """

    name = "SGD"
    momentum = Setting(check_real, "momentum", low=0.0, high=1.0, high_open=True)
    nesterov = Setting(check_flag, "nesterov")

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.momentum = momentum
        self.nesterov = nesterov
        self.buffers: list[np.ndarray | None] = []  # one per parameter; None before its first step

    def reset(self):
        super().reset()
        self.buffers = []

    def _rule(self) -> str:
        if not self.momentum:
            return "plain SGD"
        return f"{'Nesterov' if self.nesterov else 'SGD +'} momentum {self.momentum:g}"

    def state_dict(self):
        return {"t": self.t, "momentum_buffers": [None if b is None else b.copy() for b in self.buffers]}

    def _updates(self, params, grads, lr):
        mu, wd = self.momentum, self.weight_decay
        if self.nesterov and mu == 0:
            raise ValueError("nesterov: Nesterov momentum needs a momentum > 0 (torch rule); "
                             "set momentum, or switch Nesterov off.")
        buffers = list(self.buffers) + [None] * (len(params) - len(self.buffers))
        updates, new_buffers = [], []
        for p, g, buf in zip(params, grads, buffers):
            if wd:
                g = g + wd * p
            if mu:
                buf = g.copy() if buf is None or buf.shape != g.shape else mu * buf + g
                d = g + mu * buf if self.nesterov else buf
            else:
                d = g
            new_buffers.append(buf)
            updates.append(lr * d)
        return updates, new_buffers

    def _commit(self, new_buffers):
        self.buffers = new_buffers
        self.t += 1


class Adam(Optimizer):
    """torch.optim.Adam (amsgrad off; weight decay is L2 added to the gradient, as in torch):
        g <- g + weight_decay * p
        m <- m + (1 - beta1) (g - m)          (torch's lerp, same rounding)
        v <- beta2 v + (1 - beta2) g^2
        p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    name = "Adam"
    betas = Setting(check_betas, "betas")

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.betas = betas
        self.eps = check_real("eps", eps, low=0.0)
        self.m: list[np.ndarray] = []  # first moments, one per parameter
        self.v: list[np.ndarray] = []  # second moments

    def reset(self):
        super().reset()
        self.m, self.v = [], []

    def _rule(self) -> str:
        return f"Adam (β₁ {self.betas[0]:g}, β₂ {self.betas[1]:g})"

    def state_dict(self):
        return {"t": self.t, "exp_avg": [m.copy() for m in self.m], "exp_avg_sq": [v.copy() for v in self.v]}

    def _updates(self, params, grads, lr):
        b1, b2 = self.betas
        # new parameter shapes (a rebuilt model) start fresh moments, and with them the bias
        # correction's step count
        fresh = len(self.m) != len(params) or any(m.shape != p.shape for m, p in zip(self.m, params))
        t = 1 if fresh else self.t + 1
        bc1 = 1 - b1 ** t
        bc2_sqrt = math.sqrt(1 - b2 ** t)  # a Python float: a float32 update stays float32
        step_size = lr / bc1
        updates, ms, vs = [], [], []
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.weight_decay:
                g = g + self.weight_decay * p
            m = np.zeros_like(p) if fresh else self.m[i]
            v = np.zeros_like(p) if fresh else self.v[i]
            m = m + (1 - b1) * (g - m)
            v = v * b2 + (1 - b2) * (g * g)
            denom = np.sqrt(v) / bc2_sqrt + self.eps
            updates.append(step_size * (m / denom))
            ms.append(m)
            vs.append(v)
        return updates, (ms, vs, t)

    def _commit(self, state):
        self.m, self.v, self.t = state
