"""A network with a known-wrong backward pass, to show that a gradient check can fail."""
from __future__ import annotations


def with_scaled_delta(net, factor: float):
    """A copy of ``net`` whose loss hands backprop ``factor`` times the right output delta
    (the loss value itself stays right): every gradient is off by that factor."""
    inner = net.loss_fn

    class Scaled(type(inner)):
        def value_and_delta(self, zL, y):
            loss, delta = super().value_and_delta(zL, y)
            return loss, factor * delta

    bad = net.copy()
    bad.loss_fn = Scaled.__new__(Scaled)
    bad.loss_fn.__dict__.update(inner.__dict__)
    return bad
