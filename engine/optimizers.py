"""Update rules with exactly torch.optim's maths (SGD with momentum / Nesterov / weight decay,
and Adam), kept apart from the network as in torch: the optimizer owns its state (momentum
buffers, Adam moments) and ``step(params, grads)`` changes the parameters in place.

``params`` and ``grads`` are parallel lists of arrays ([W_1, b_1, W_2, b_2, ...]); state is
kept per list position, so pass them in the same order every step.

Every step is atomic: all updates are computed first; if any is not finite the step raises
``Diverged`` and neither the parameters nor the optimizer state change. Hyper-parameters are
plain attributes read at every step, so changing ``opt.lr`` or ``opt.momentum`` between steps
takes effect on the next step without losing the momentum buffers.
"""
from __future__ import annotations

import math

import numpy as np

from .checks import check_real
from .errors import Diverged


def _sqnorm(a: np.ndarray) -> float:
    return float(np.vdot(a, a))


_DTYPE_MAX = {np.dtype(np.float32): float(np.finfo(np.float32).max)}


def _scaled_sqnorms(scale: float, grad_sqnorms, params) -> list[float]:
    """||lr g||^2 per array from ||g||^2 (Python floats), inf where g or lr * g overflows. Capped
    at the parameters' dtype like _sqnorm of the update itself: in float32 lr * g can overflow
    (max 3.4e38) while its float64 norm is still finite, and must be rejected, not applied."""
    s2 = scale * scale
    out = []
    for g, p in zip(grad_sqnorms, params):
        v = s2 * float(g)
        out.append(v if v <= _DTYPE_MAX.get(p.dtype, math.inf) else math.inf)
    return out


class Optimizer:
    """Base class: validated hyper-parameters as properties, state per parameter slot."""

    name = ""

    def __init__(self, lr: float, weight_decay: float):
        self.lr = lr
        self.weight_decay = weight_decay
        self.t = 0  # steps taken (committed)
        self.last_update_sqnorms: list[float] = []  # ||Delta p||^2 per parameter, last step

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_real("lr (learning rate)", value, low=0.0)

    @property
    def weight_decay(self) -> float:
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value):
        self._weight_decay = check_real("weight_decay (L2)", value, low=0.0)

    def reset(self) -> None:
        """Forget all state (momentum buffers, moments, step count)."""
        self.t = 0

    def state_dict(self) -> dict:
        """A copy of the state, e.g. to compare with torch.optim."""
        raise NotImplementedError

    def _updates(self, params, grads):
        """-> (updates, new_state): updates[i] is subtracted from params[i]. Pure: no mutation."""
        raise NotImplementedError

    def _commit(self, new_state) -> None:
        raise NotImplementedError

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], grad_sqnorms=None) -> None:
        """Apply one update in place: p <- p - update(p, g). Raises Diverged (changing nothing)
        if an update is not finite. ``grad_sqnorms`` (||g||^2 per array, optional) lets a rule
        whose update is just lr * g skip recomputing the norms of the updates."""
        if len(params) != len(grads):
            raise ValueError(f"step: got {len(params)} parameters but {len(grads)} gradients.")
        updates, new_state = self._updates(params, grads)
        scale = self._plain_scale()
        if grad_sqnorms is not None and scale is not None and len(grad_sqnorms) == len(updates):
            sq = _scaled_sqnorms(scale, grad_sqnorms, params)  # ||lr g||^2, inf if g or lr*g overflows
        else:
            sq = [_sqnorm(u) for u in updates]
        # sum of squares finite <=> every entry finite and < ~1e154, so p - u cannot overflow
        # either (given finite p): checking the norms is enough to keep parameters finite.
        self._check_finite(sq)
        for p, u in zip(params, updates):
            p -= u
        self._commit(new_state)
        self.t += 1
        self.last_update_sqnorms = sq

    def _check_finite(self, sq: list[float]) -> None:
        """Raise Diverged naming the first parameter whose update norm^2 is not finite."""
        if not all(map(math.isfinite, sq)):
            bad = next(i for i, v in enumerate(sq) if not math.isfinite(v))
            detail = (f"the {self.name} update of {'W' if bad % 2 == 0 else 'b'}{bad // 2 + 1} "
                      f"is not a finite number (learning rate {self.lr:g})")
            raise Diverged(detail + " — lower the learning rate.", reason="update", detail=detail)

    def _plain_scale(self) -> float | None:
        """lr when this step's update is exactly lr * g (no state, no decay), else None."""
        return None


class SGD(Optimizer):
    """torch.optim.SGD (dampening 0):
        g <- g + weight_decay * p
        buf <- g (first step), else buf <- momentum * buf + g
        g <- g + momentum * buf (Nesterov), else g <- buf        (only when momentum > 0)
        p <- p - lr * g
    """

    name = "SGD"

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.momentum = momentum
        self.nesterov = nesterov
        self.buffers: list[np.ndarray | None] = []

    @property
    def momentum(self) -> float:
        return self._momentum

    @momentum.setter
    def momentum(self, value):
        self._momentum = check_real("momentum", value, low=0.0, high=1.0, high_open=True)

    @property
    def nesterov(self) -> bool:
        return self._nesterov

    @nesterov.setter
    def nesterov(self, value):
        self._nesterov = bool(value)

    def reset(self):
        super().reset()
        self.buffers = []

    def state_dict(self):
        return {"t": self.t, "momentum_buffers": [None if b is None else b.copy() for b in self.buffers]}

    def _plain_scale(self):
        # only the plain class: a subclass (e.g. the bug zoo's) may change the update rule
        plain = type(self) is SGD and not self.momentum and not self.weight_decay and not self.nesterov
        return self.lr if plain else None

    def step(self, params, grads, grad_sqnorms=None):
        scale = self._plain_scale()
        n = len(params)
        if scale is None or grad_sqnorms is None or len(grads) != n or len(grad_sqnorms) != n:
            return super().step(params, grads, grad_sqnorms)
        # Plain SGD, the update lr * g of every array: the same maths as the general path
        # (norms from ||g||^2, all checked before any parameter changes), without its lists.
        sq = _scaled_sqnorms(scale, grad_sqnorms, params)  # ||lr g||^2, inf if g or lr*g overflows
        self._check_finite(sq)
        scratch = self.__dict__.get("_scratch")  # as _scaled, inlined: this runs every step
        if scratch is None:
            scratch = self._scratch = {}
        multiply = np.multiply
        for i, (p, g) in enumerate(zip(params, grads)):
            buf = scratch.get(i)
            if buf is None or buf.shape != g.shape or buf.dtype != g.dtype:
                buf = scratch[i] = np.empty_like(g)
            p -= multiply(g, scale, out=buf)
        if len(self.buffers) != n:  # as _updates: momentum buffers kept (momentum may come back)
            self.buffers = (list(self.buffers) + [None] * n)[:n]
        self.t += 1
        self.last_update_sqnorms = sq

    def _updates(self, params, grads):
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if self.nesterov and mu == 0:
            raise ValueError("nesterov: Nesterov momentum needs a momentum > 0 (torch rule); "
                             "set momentum, or switch Nesterov off.")
        buffers = list(self.buffers) + [None] * (len(params) - len(self.buffers))
        updates, new_buffers = [], []
        for p, g, buf in zip(params, grads, buffers):
            if wd:
                g = g + wd * p
            if mu:
                if buf is None or buf.shape != g.shape:
                    buf = g.copy()
                else:
                    buf = buf * mu
                    buf += g
                d = g + mu * buf if self.nesterov else buf
            else:
                d = g
            new_buffers.append(buf)
            updates.append(self._scaled(len(updates), d, lr))
        return updates, new_buffers

    def _scaled(self, slot: int, d: np.ndarray, lr: float) -> np.ndarray:
        """lr * d into a scratch array reused every step (not state: overwritten each call), so a
        step allocates no update arrays. A copied optimizer (update_check) gets its own."""
        scratch = self.__dict__.setdefault("_scratch", {})
        buf = scratch.get(slot)
        if buf is None or buf.shape != d.shape or buf.dtype != d.dtype:
            buf = scratch[slot] = np.empty_like(d)
        return np.multiply(d, lr, out=buf)

    def _commit(self, new_buffers):
        self.buffers = new_buffers


class Adam(Optimizer):
    """torch.optim.Adam (amsgrad off; weight decay is L2 added to the gradient, as in torch):
        g <- g + weight_decay * p
        m <- m + (1 - beta1) (g - m)          (torch's lerp, same rounding)
        v <- beta2 v + (1 - beta2) g^2
        p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    name = "Adam"

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.betas = betas
        self.eps = check_real("eps", eps, low=0.0)
        self.m: list[np.ndarray] = []
        self.v: list[np.ndarray] = []

    @property
    def betas(self):
        return self._betas

    @betas.setter
    def betas(self, value):
        try:
            b1, b2 = value
        except (TypeError, ValueError):
            raise ValueError(f"betas: expected two numbers like (0.9, 0.999), got {value!r}.") from None
        self._betas = (check_real("betas[0]", b1, low=0.0, high=1.0, high_open=True),
                       check_real("betas[1]", b2, low=0.0, high=1.0, high_open=True))

    def reset(self):
        super().reset()
        self.m, self.v = [], []

    def state_dict(self):
        return {"t": self.t, "exp_avg": [m.copy() for m in self.m], "exp_avg_sq": [v.copy() for v in self.v]}

    def _updates(self, params, grads):
        b1, b2 = self.betas
        t = self.t + 1
        fresh = len(self.m) != len(params) or any(m.shape != p.shape for m, p in zip(self.m, params))
        bc1 = 1 - b1 ** t
        bc2_sqrt = math.sqrt(1 - b2 ** t)
        step_size = self.lr / bc1
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
        return updates, (ms, vs)

    def _commit(self, state):
        self.m, self.v = state
