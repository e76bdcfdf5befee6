"""A Trainer's whole state as plain values, and an exact comparison of two such states: what
"a refused step changes nothing" and "a saved run comes back exactly" are tested with."""
from __future__ import annotations

import numpy as np

# written by every step and read by nothing before the next step overwrites it: outputs of
# the last step, not state (the network's caches of its last pass are left out likewise)
STEP_OUTPUTS = {"last_update_sqnorms", "last_grads"}
DATA = ("X", "y", "X_test", "y_test")


def plain(v):
    """Generators by their bit-generator state, arrays by dtype + bytes, containers recursively."""
    if isinstance(v, np.random.Generator):
        return ("generator", plain(v.bit_generator.state))
    if isinstance(v, np.ndarray):
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(plain(x) for x in v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def trainer_state(tr) -> dict:
    """Every attribute of the trainer and of its optimizer (their full ``vars``), the network's
    parameters, running statistics and dropout generator, and the data."""
    net = tr.net
    return {
        "trainer": {k: plain(v) for k, v in vars(tr).items() if k not in ("net", "opt", *DATA, *STEP_OUTPUTS)},
        "optimizer": (type(tr.opt).__name__,
                      {k: plain(v) for k, v in vars(tr.opt).items() if k not in STEP_OUTPUTS}),
        "params": [(name, plain(p)) for name, p in net.named_params()],
        "running": [None if bn is None else (plain(bn.running_mean), plain(bn.running_var)) for bn in net.bn],
        "mask_rng": plain(net.mask_rng),
        "net": {k: plain(getattr(net, k)) for k in ("sizes", "activation_names", "loss_name", "init", "init_var",
                                                     "seed", "dtype", "batch_norm", "dropout", "problem")},
        "data": {k: plain(getattr(tr, k)) for k in DATA},
    }


def assert_same_state(a: dict, b: dict) -> None:
    """Equal part by part, naming the first part (and attribute) that differs."""
    assert a.keys() == b.keys()
    for part in a:
        if isinstance(a[part], dict) and isinstance(b[part], dict):
            assert a[part].keys() == b[part].keys(), part
            for k in a[part]:
                assert a[part][k] == b[part][k], f"{part}.{k} differs"
        else:
            assert a[part] == b[part], f"{part} differs"
