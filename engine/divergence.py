"""Refusing a step whose numbers are past use: the trainer's safety net, kept out of its maths.

The trainer refuses a step (raises ``Diverged`` before the optimizer changes anything) when
    - the loss is not finite (the outputs overflowed),
    - the loss has grown ``EXPLODED`` (1000) times its first value: long before an overflow the
      loss curve is past reading,
    - a gradient is not finite,
    - an update is not finite (the optimizer refuses it itself, engine.numerics).

A refused step changes nothing: ``undo_on_refusal`` puts back what the step's forward pass and
batch drawing touched (BatchNorm's running statistics, the dropout mask generator, the batch
order's generator and permutation, the loss reference), so the next call retries the very same
step. One exception on purpose: after an explosion the new loss level is the reference, so
training can go on from there (e.g. with a lower learning rate; the same batch at the same
weights has the same loss whatever the rate) and pauses again only at another 1000-fold rise.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

from .errors import Diverged
from .numerics import sqnorm

EXPLODED = 1000  # a batch loss this many times the first one pauses training (Diverged)


def refuse(tr, what: str, reason: str):
    """Raise Diverged for the step ``tr`` is about to take, with the advice."""
    step = tr.step_count + 1
    raise Diverged(
        f"Step {step}: {what}. The loss diverged — lower the learning rate (now {tr.opt.lr:g})"
        f" or the init variance, then continue or press Reset.", step=step, reason=reason)


def check_loss(tr, loss: float) -> None:
    """The batch loss must be finite and below ``explode_factor`` times the first step's."""
    if not math.isfinite(loss):
        refuse(tr, f"the loss became {loss} (the outputs overflowed)", "loss")
    if tr.loss_ref is None:
        tr.loss_ref = loss
    elif tr.explode_factor and loss > tr.explode_factor * max(tr.loss_ref, 1e-2):
        start, tr.loss_ref = tr.loss_ref, loss  # the new level is the reference from now on
        refuse(tr, f"the loss grew to {loss:.3g}, over {tr.explode_factor:,g} times its {start:.3g} at the start",
               "exploded")


def checked_grad_sqnorms(tr, names, grads) -> list[float]:
    """||g||^2 per parameter array, or a refusal naming the first gradient that overflowed."""
    grad_sq = [sqnorm(g) for g in grads]
    if not all(map(math.isfinite, grad_sq)):
        bad = names[next(i for i, v in enumerate(grad_sq) if not math.isfinite(v))]
        refuse(tr, f"the gradient of {bad} is not finite (it overflowed)", "gradient")
    return grad_sq


@contextmanager
def undo_on_refusal(tr):
    """Run a step; if it is refused (Diverged), put back everything it changed, then re-raise."""
    net = tr.net
    saved = (net.running_stats(), net.mask_rng.bit_generator.state, tr.rng.bit_generator.state,
             tr._perm, tr._perm_epoch, tr.loss_ref)
    try:
        yield
    except Diverged as exc:
        running, masks, order, tr._perm, tr._perm_epoch, loss_ref = saved
        net.set_running_stats(running)
        net.mask_rng.bit_generator.state = masks
        tr.rng.bit_generator.state = order
        if exc.reason != "exploded":
            tr.loss_ref = loss_ref
        raise


__all__ = ["EXPLODED", "check_loss", "checked_grad_sqnorms", "refuse", "undo_on_refusal"]
