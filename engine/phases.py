"""Step through one training update phase by phase: forward (one layer at a time), loss,
backward (δ, ∂W, ∂b one layer at a time, from the top), update.

All the numbers are computed up front on the exact batch the trainer's next ``step()`` will
use, by the same network code; the final "update" phase *is* that ``trainer.step()``. So the
walkthrough cannot differ from real training: it only shows it slowly.

    walk = StepWalk(trainer)
    while not walk.done:
        phase = walk.advance()     # Phase: what happened, its arrays, the ledger rows involved
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .features import describe as describe_features
from .trace import trace


@dataclass
class Phase:
    """One phase. ``arrays`` maps a label ("z2 (N×8)") to the array; ``ledger`` names the
    shape-ledger rows (engine.ledger) it computes; ``layer`` the weight layer involved (1-based,
    0 for the loss)."""

    kind: str  # "forward" | "loss" | "backward" | "update"
    layer: int
    title: str
    text: str
    ledger: tuple
    arrays: dict = field(default_factory=dict)


def _shape(a) -> str:
    return "×".join(map(str, np.shape(a))) or "scalar"


class StepWalk:
    """The phases of the trainer's next step. ``advance()`` moves one phase on; the last one
    calls ``trainer.step()`` (which may raise engine.Diverged, like any step)."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.net = trainer.net
        self.start_step = trainer.step_count
        X, y = trainer.peek_batch()
        work = self.net.copy()  # the user's net keeps its last_deltas and running stats until the real step
        with np.errstate(all="ignore"):
            tr = trace(work, X, y)
        grads = [(t.dW, t.db) for t in tr.layers]
        deltas = [t.delta for t in tr.layers]
        self.X, self.y, self.loss, self.grads, self.deltas = X, y, tr.loss, grads, deltas
        self.record = None
        L = work.n_layers
        N = X.shape[0]
        phases = []
        for l in range(1, L + 1):
            t = tr.layers[l - 1]
            a_out = t.a if l < L else tr.output
            f = t.activation if l < L else work.loss_fn.output_name
            x_name = "x" if l == 1 else (f"ã{l - 1}" if tr.layers[l - 2].mask is not None else f"a{l - 1}")
            text = (f"z{l} = {x_name} · W{l} + b{l}: ({N}×{t.x.shape[1]}) · ({_shape(t.W)}) + ({work.sizes[l]}) "
                    f"→ {N}×{work.sizes[l]}. ")
            arrays = {f"z{l} ({_shape(t.z)})": t.z}
            ledger = [f"z{l}"]
            if l == 1 and work.features is not None:  # engineered inputs: x = phi(X), not X itself
                text = (f"x = φ(X) = [{describe_features(work.features)}]: ({N}×2) → ({_shape(t.x)}). " + text)
                arrays = {f"x ({_shape(t.x)})": t.x, **arrays}
                ledger.insert(0, "x")
            if t.mu is not None:
                text += (f"Batch norm: μ{l}, σ²{l} over the {N} rows, x̂{l} = (z{l} − μ{l}) / √(σ²{l} + ε), "
                         f"y{l} = γ{l} ⊙ x̂{l} + β{l}. ")
                arrays[f"x̂{l} ({_shape(t.x_hat)})"] = t.x_hat
                ledger += [f"mu{l}", f"var{l}", f"xhat{l}", f"y{l}"]
            text += f"a{l} = {f}({'y' if t.mu is not None else 'z'}{l})."
            arrays[f"a{l} ({_shape(a_out)})"] = a_out
            ledger.append(f"a{l}")
            if t.mask is not None:
                text += (f" Dropout: {int(t.mask.sum())} of {t.mask.size} values kept (p = {t.p:g}), "
                         f"ã{l} = a{l} ⊙ m{l} / {1 - t.p:g}.")
                arrays[f"m{l} ({_shape(t.mask)})"] = t.mask.astype(float)
                ledger += [f"m{l}", f"at{l}"]
            phases.append(Phase("forward", l, f"Forward, layer {l}", text, tuple(ledger), arrays))
        phases.append(Phase(
            "loss", 0, "Loss", f"Mean {work.loss_name.replace('_', '-')} over the {N} examples of the batch: "
            f"L = {tr.loss:.6g}.", ("L",), {}))
        for l in range(L, 0, -1):
            t = tr.layers[l - 1]
            if l == L:
                how = "from the loss: δ_L = ∂L/∂z_L"
            elif t.mu is not None:
                how = (f"∂a{l} = δ{l + 1} · W{l + 1}ᵀ{' (through the dropout mask)' if t.mask is not None else ''}, "
                       f"∂y{l} = ∂a{l} ⊙ {t.activation}′(y{l}), ∂γ{l} = Σ_n ∂y{l} ⊙ x̂{l}, ∂β{l} = Σ_n ∂y{l}, "
                       f"and δ{l} through the batch statistics")
            else:
                how = (f"δ{l} = (δ{l + 1} · W{l + 1}ᵀ{' ⊙ m' + str(l) + ' / ' + format(1 - t.p, 'g') if t.mask is not None else ''})"
                       f" ⊙ {t.activation}′(z{l})")
            ledger = [f"delta{l}", f"dW{l}", f"db{l}"]
            if t.mu is not None:
                ledger = [f"da{l}", f"dy{l}", f"dgamma{l}", f"dbeta{l}"] + ledger
            elif t.mask is not None:
                ledger = [f"da{l}"] + ledger
            if t.mask is not None:
                ledger = [f"dat{l}"] + ledger
            x_name = "x" if l == 1 else f"a{l - 1}"
            phases.append(Phase(
                "backward", l, f"Backward, layer {l}",
                f"{how}; then ∂W{l} = {x_name}ᵀ · δ{l} ({_shape(t.dW)}) and "
                f"∂b{l} = Σ_n δ{l} ({_shape(t.db)}). Mean |δ{l}| = {float(np.abs(t.delta).mean()):.3g}.",
                tuple(ledger), {f"δ{l} ({_shape(t.delta)})": t.delta, f"∂W{l} ({_shape(t.dW)})": t.dW}))
        phases.append(Phase(
            "update", 0, "Update", f"The optimizer ({trainer.opt.describe()}) changes every W_l and "
            f"b_l{' (and γ, β)' if work.has_batch_norm else ''} "
            f"from its gradient. This is the trainer's real step {self.start_step + 1}.",
            tuple(f"W{l}" for l in range(1, L + 1)), {}))
        self.phases = phases
        self.index = -1

    @property
    def current(self) -> Phase | None:
        return self.phases[self.index] if self.index >= 0 else None

    @property
    def done(self) -> bool:
        return self.index >= len(self.phases) - 1

    @property
    def stale(self) -> bool:
        """True when training moved on (or the model changed) since the walk began."""
        return (self.trainer.net is not self.net or
                self.trainer.step_count != self.start_step + (1 if self.record is not None else 0))

    def advance(self) -> Phase:
        if self.done:
            raise ValueError("advance: this walkthrough is finished; start a new one for the next step.")
        nxt = self.phases[self.index + 1]
        if nxt.kind == "update":
            before = [W.copy() for W in self.net.weights]
            self.record = self.trainer.step()  # may raise Diverged: the phase index stays put
            for l, (W0, W) in enumerate(zip(before, self.net.weights), start=1):
                nxt.arrays[f"ΔW{l} ({_shape(W)})"] = W - W0
        self.index += 1
        return nxt


__all__ = ["Phase", "StepWalk"]
