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
        work = self.net.copy()  # the user's net keeps its last_deltas until the real step
        with np.errstate(all="ignore"):
            loss, grads, deltas, zs, acts = work._backprop(X, y)
            out = work.loss_fn.output(zs[-1])
        self.X, self.y, self.loss, self.grads, self.deltas = X, y, loss, grads, deltas
        self.record = None
        L = work.n_layers
        N = X.shape[0]
        phases = []
        for l in range(1, L + 1):
            a_in = acts[l - 1]
            a_out = acts[l] if l < L else out
            f = work.hidden[l - 1].name if l < L else work.loss_fn.output_name
            phases.append(Phase(
                "forward", l, f"Forward, layer {l}",
                f"z{l} = {'x' if l == 1 else f'a{l - 1}'} · W{l} + b{l}, then a{l} = {f}(z{l}): "
                f"({N}×{a_in.shape[1]}) · ({_shape(work.weights[l - 1])}) + ({work.sizes[l]}) → {N}×{work.sizes[l]}.",
                (f"z{l}", f"a{l}"),
                {f"z{l} ({_shape(zs[l - 1])})": zs[l - 1], f"a{l} ({_shape(a_out)})": a_out}))
        phases.append(Phase(
            "loss", 0, "Loss", f"Mean {work.loss_name.replace('_', '-')} over the {N} examples of the batch: "
            f"L = {loss:.6g}.", ("L",), {}))
        for l in range(L, 0, -1):
            dW, db = grads[l - 1]
            how = ("from the loss: δ_L = ∂L/∂z_L" if l == L else
                   f"δ{l} = (δ{l + 1} · W{l + 1}ᵀ) ⊙ {work.hidden[l - 1].name}′(z{l})")
            phases.append(Phase(
                "backward", l, f"Backward, layer {l}",
                f"{how}; then ∂W{l} = {'x' if l == 1 else f'a{l - 1}'}ᵀ · δ{l} ({_shape(dW)}) and "
                f"∂b{l} = Σ_n δ{l} ({_shape(db)}). Mean |δ{l}| = {float(np.abs(deltas[l - 1]).mean()):.3g}.",
                (f"delta{l}", f"dW{l}", f"db{l}"),
                {f"δ{l} ({_shape(deltas[l - 1])})": deltas[l - 1], f"∂W{l} ({_shape(dW)})": dW}))
        phases.append(Phase(
            "update", 0, "Update", f"The optimizer ({type(trainer.opt).__name__}, learning rate "
            f"{trainer.opt.lr:g}) changes every W_l and b_l from its gradient. This is the trainer's real "
            f"step {self.start_step + 1}.", tuple(f"W{l}" for l in range(1, L + 1)), {}))
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
