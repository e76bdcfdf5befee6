"""Undoing steps: ``snapshot(tr)`` copies everything a step changes, ``restore(tr, snap)``
puts it back into the same objects. The live loop (ui.live) takes a snapshot before a frame's
steps and undoes those a Pause made invisible, so the run goes on as if they never happened.
Bookkeeping only; the training maths is in engine.trainer.
"""
from __future__ import annotations

# the trainer's counters and caches a step writes (its arrays are replaced, never modified in place)
TRAINER_FIELDS = ("step_count", "epoch", "_cursor", "_perm", "_perm_epoch", "last_eval", "last_grads", "loss_ref")


def snapshot(tr) -> dict:
    """Everything a step changes, copied cheaply: parameters, batch-norm statistics, optimizer
    state, counters, generators, history."""
    net, opt = tr.net, tr.opt
    return {
        "params": [p.copy() for p in net.params()],
        "running": net.running_stats(),
        "mask_rng": net.mask_rng.bit_generator.state,
        # optimizer state arrays are replaced, never modified in place, by a step
        "opt": {k: (list(v) if isinstance(v, list) else v) for k, v in vars(opt).items()},
        "trainer": {k: getattr(tr, k) for k in TRAINER_FIELDS},
        "rng": tr.rng.bit_generator.state,
        "history": (tr.history, len(tr.history)),
    }


def restore(tr, snap: dict) -> None:
    """Back to the state ``snap`` was taken in (same objects, same arrays, same numbers)."""
    net = tr.net
    for p, old in zip(net.params(), snap["params"]):
        p[...] = old
    net.set_running_stats(snap["running"])
    net.mask_rng.bit_generator.state = snap["mask_rng"]
    vars(tr.opt).update(snap["opt"])
    for k, v in snap["trainer"].items():
        setattr(tr, k, v)
    tr.rng.bit_generator.state = snap["rng"]
    history, n = snap["history"]
    del history[n:]  # the steps since appended to the same list (thinning replaces the list)
    tr.history = history


__all__ = ["restore", "snapshot"]
