"""The bug zoo: classic hand-written-backprop bugs, injected into a *copy* of the engine.

Each bug is a subclass of one layer (engine.layers) or loss whose ``backward`` /
``value_and_delta`` has the student's mistake; ``with_bugs`` swaps those classes into a copy
of the network whose layers share the original's parameter arrays. The update bug is a
subclass of the optimizer (``with_update_bug``). The engine's own classes are never modified.

    buggy = with_bugs(net, {"no_mean"})          # shares net's weight arrays, new class
    report = gradient_check(buggy, X, y)          # turns red: backprop != finite differences
    upd = update_check(opt_with_bug, buggy, X, y) # the update bug is caught here instead

The update bug (``W -= lr * W * dW``) leaves the gradients right, so ``gradient_check`` cannot
see it; ``update_check`` compares the applied change with what the clean rule would do.
"""
from __future__ import annotations

import copy as _copy
from dataclasses import dataclass

import numpy as np

from .gradcheck import ParamCheck, _rel_error
from .layers import Activation, BatchNorm, Dense, Dropout
from .network import MLP
from .optimizers import Optimizer


@dataclass(frozen=True)
class Bug:
    key: str
    title: str
    wrong: str  # the buggy line, as a student writes it
    right: str  # the correct line
    effect: str  # what goes wrong, and how the check exposes it
    exposed_by: str  # "gradient" or "update"


BUGS: dict[str, Bug] = {b.key: b for b in [
    Bug("derivative_of_a", "f′ evaluated at a instead of z",
        "delta = da * sigmoid_prime(a)", "delta = da * sigmoid_prime(z)",
        "The derivative is taken at the activation a = f(z) instead of at z, i.e. σ′(σ(z)). "
        "The gradient check shows hidden-layer errors near 1; training crawls. ReLU/leaky ReLU hide it "
        "(a > 0 exactly when z > 0), so with those the check stays green.", "gradient"),
    Bug("shortcut_on_z", "a(1−a) shortcut fed with z",
        "delta = da * z * (1 - z)", "delta = da * a * (1 - a)",
        "The shortcut σ′ = a(1−a) (tanh′ = 1−a²) is written with z instead of a. "
        "Hidden-layer gradients get the wrong size and even sign wherever z is not small; "
        "the gradient check flags every hidden layer. ReLU-type and linear units are unaffected.", "gradient"),
    Bug("missing_transpose", "missing transpose of W",
        "da_prev = delta @ W", "da_prev = delta @ W.T",
        "Back through a layer δ must meet Wᵀ. Without the transpose the shapes only fit when W is square: "
        "with layers of different sizes the step crashes with a shape error (the classic symptom); with "
        "square W it runs silently and the gradient check shows the layers below it are wrong.", "gradient"),
    Bug("no_mean", "forgot the 1/N of the mean",
        "delta_L = softmax(z) - T", "delta_L = (softmax(z) - T) / N",
        "The loss is a mean over the batch but δ_L is not divided by N: every gradient is N times too "
        "large (relative error ≈ 1 − 1/N in every layer). Training behaves like a learning rate N times "
        "larger and often diverges.", "gradient"),
    Bug("softmax_no_max", "softmax without subtracting the max",
        "e = exp(z); p = e / e.sum()", "e = exp(z - z.max()); p = e / e.sum()",
        "Mathematically the same, numerically not: exp overflows once a logit passes ~709 (float64) or "
        "~88 (float32) and the loss becomes NaN. While logits are small the check stays green — raise the "
        "init variance (or the learning rate) to see it fail. Only affects the cross-entropy loss.", "gradient"),
    Bug("bias_mean", "bias gradient averaged, not summed",
        "db = delta.mean(axis=0)", "db = delta.sum(axis=0)",
        "δ already carries the 1/N of the mean loss; averaging it again gives the biases 1/N of their "
        "gradient, so they hardly move and the boundary cannot shift away from the origin. The gradient "
        "check flags every b_l (error ≈ 1 − 1/N) while the W_l stay green.", "gradient"),
    Bug("bn_no_batch_terms", "BatchNorm backward without the batch-statistics terms",
        "dx = dout * gamma / sqrt(var + eps)",
        "dx = gamma / sqrt(var + eps) / N * (N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))",
        "μ and σ² are computed from the whole batch, so every x_i also moves them. Treating them as "
        "constants drops two terms: the layers *below* each BatchNorm get wrong gradients (the check "
        "flags W and b under it) while γ and β, above the normalisation, stay green. Needs batch norm on.",
        "gradient"),
    Bug("update_times_weights", "update scaled by the weights",
        "W -= lr * W * dW", "W -= lr * dW",
        "The gradients are right (the gradient check stays green!) but the update multiplies them by W: "
        "weights near 0 never move, biases that start at 0 stay 0, signs can flip. The update check "
        "compares the applied change with −lr·∂W and turns red.", "update"),
]}

NET_BUGS = tuple(k for k, b in BUGS.items() if b.exposed_by == "gradient")

_PRIME = {"sigmoid": "sigmoid_prime", "tanh": "tanh_prime", "relu": "relu_prime",
          "leaky_relu": "leaky_relu_prime", "linear": "linear_prime"}
_SHORTCUT = {"sigmoid": ("{x} * (1 - {x})"), "tanh": "(1 - {x}**2)"}


def bug_code(key: str, activation: str, loss: str) -> tuple[str, str]:
    """(wrong, right) lines of ``key`` as a student writes them for this activation and loss."""
    bug = BUGS[key]
    if key == "derivative_of_a":
        f = _PRIME.get(activation, "f_prime")
        return f"delta = da * {f}(a)", f"delta = da * {f}(z)"
    if key == "shortcut_on_z":
        form = _SHORTCUT.get(activation)
        if form is None:
            return (f"delta = da * {_PRIME.get(activation, 'f_prime')}(z)  # no a-shortcut for {activation}",) * 2
        return f"delta = da * {form.format(x='z')}", f"delta = da * {form.format(x='a')}"
    if key == "no_mean" and loss != "cross_entropy":
        out = {"bce": "sigmoid(z) - T", "mse": "(a - T) * g_prime(z)"}[loss]
        return f"delta_L = {out}", f"delta_L = ({out}) / N"
    return bug.wrong, bug.right


@dataclass(frozen=True)
class Quiet:
    """Why a switched-on bug may not show with the current settings, and settings (LabConfig
    fields) where its symptom appears."""

    reason: str
    show: dict
    show_label: str


def quiet(key: str, net, batch_size: int) -> Quiet | None:
    """None when the bug shows with this network and (effective) batch size, else why not and
    where it does."""
    acts = set(net.activation_names)
    if key == "derivative_of_a":
        if acts and acts <= {"relu", "leaky_relu", "linear"}:
            return Quiet("With ReLU, leaky ReLU or linear units f′(a) = f′(z) (a > 0 exactly when z > 0): "
                         "the check stays green.", {"activation": "sigmoid", "per_layer_on": False}, "switch to sigmoid")
        if "tanh" in acts:
            return Quiet("The check is red, yet with tanh the network may still train (XOR reaches 100 % in 500 "
                         "steps): tanh′(tanh z) has the same sign and a similar shape as tanh′(z), so the wrong "
                         "gradient still points downhill. With sigmoid, σ′(σ(z)) ≈ 0.2 everywhere and training "
                         "stalls (55 % after 500 steps).", {"activation": "sigmoid", "per_layer_on": False},
                         "switch to sigmoid")
    if key == "shortcut_on_z" and acts and acts <= {"relu", "leaky_relu", "linear"}:
        return Quiet("ReLU-type and linear units have no a(1−a) shortcut, so nothing changes.",
                     {"activation": "sigmoid", "per_layer_on": False}, "switch to sigmoid")
    if key in ("no_mean", "bias_mean") and batch_size == 1:
        return Quiet("With one example per batch, 1/N = 1: the missing (or extra) division changes nothing.",
                     {"batch_size": 0}, "use full batches")
    if key == "softmax_no_max":
        if net.is_regression:
            return Quiet("A regression network has no softmax (its output is the predicted value itself): "
                         "this bug cannot happen here. Try it on a classification page.", {}, "")
        if net.loss_name != "cross_entropy":
            return Quiet("Only the softmax of the cross-entropy loss is affected.", {"loss": "cross_entropy"},
                         "switch to cross-entropy")
        # Linear units: each layer multiplies the scale by ~sqrt(8 x 10) ~ 9 and nothing bends,
        # so the clean check stays green. (ReLU at this variance kills whole rows: their
        # pre-activations sit exactly on the kink at 0 and the clean check turns red too.)
        return Quiet("Mathematically the bug changes nothing: it shows only once a logit passes ~709 "
                     "(float64; 88 in float32) and exp overflows. Three linear layers at init variance 10 "
                     "multiply the inputs by ~9 each: logits in the thousands at once, while the clean "
                     "check stays green.",
                     {"hidden": (8, 8, 8), "activation": "linear", "per_layer_on": False, "init": "normal",
                      "init_var": 10.0, "seed": 0}, "three linear layers, init variance 10")
    if key == "bn_no_batch_terms" and not net.has_batch_norm:
        return Quiet("There is no batch norm in this network.", {"batch_norm": True, "per_layer_on": False},
                     "switch batch norm on")
    if key == "missing_transpose" and all(net.sizes[l] == net.sizes[l + 1] for l in range(1, len(net.sizes) - 1)):
        return Quiet("Every W below the output is square, so delta @ W has the right shape and runs "
                     "silently wrong (the check shows it).", {}, "")
    return None
UPDATE_BUGS = tuple(k for k, b in BUGS.items() if b.exposed_by == "update")


class BugShapeError(ValueError):
    """A bug made two arrays' shapes incompatible (what the student's code would crash with)."""


class BuggyDense(Dense):
    bugs: frozenset = frozenset()

    def backward(self, dout):
        dx = super().backward(dout)
        if "missing_transpose" in self.bugs and self.input_grad:
            W = self.W
            if dout.shape[1] != W.shape[0]:
                raise BugShapeError(
                    f"Bug “missing transpose”: delta @ W cannot be computed — δ is "
                    f"{dout.shape[0]}×{dout.shape[1]} but W is {W.shape[0]}×{W.shape[1]} (it needs Wᵀ, "
                    f"{W.shape[1]}×{W.shape[0]}). This crash is how the bug shows when layers differ in size; "
                    f"with square weight matrices (e.g. hidden layers 2, 2 on a 2-class set) it runs silently.")
            dx = dout @ W  # the bug
        if "bias_mean" in self.bugs:
            self.db = dout.mean(axis=0)  # the bug: averaged, although delta already carries 1/N
        return dx


class BuggyActivation(Activation):
    bugs: frozenset = frozenset()

    def backward(self, da):
        if "derivative_of_a" in self.bugs:
            with np.errstate(all="ignore"):
                return da * self.fn.derivative(self.a, self.fn.forward(self.a))  # f'(a), not f'(z)
        if "shortcut_on_z" in self.bugs:
            return da * self.fn.derivative(self.z, self.z)  # a(1-a) / 1-a^2 written with z
        return super().backward(da)


class BuggyBatchNorm(BatchNorm):
    bugs: frozenset = frozenset()

    def backward(self, dout):
        dx = super().backward(dout)  # gamma and beta's gradients stay right
        if "bn_no_batch_terms" in self.bugs:
            _, inv_std, _, _ = self.cache
            dx = dout * self.gamma * inv_std  # the bug: mu and var treated as constants
        return dx


class BuggyLoss:
    """Wraps a loss; the output delta has the loss bugs in ``bugs``."""

    def __init__(self, loss, bugs):
        self.inner, self.bugs = loss, bugs

    def __getattr__(self, name):  # output, value, name, output_name, ... as the wrapped loss
        return getattr(self.inner, name)

    def value_and_delta(self, zL, y):
        if "softmax_no_max" in self.bugs and self.inner.name == "cross_entropy":
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                e = np.exp(zL)  # the bug: no max subtracted, overflows to inf for large logits
                s = e.sum(axis=1, keepdims=True)
                rows = np.arange(zL.shape[0])
                loss = float(np.mean(np.log(s[:, 0]) - zL[rows, y]))
                delta = e / s
            delta[rows, y] -= 1
            delta /= zL.shape[0]
        else:
            loss, delta = self.inner.value_and_delta(zL, y)
        if "no_mean" in self.bugs:
            delta = delta * zL.shape[0]  # the bug: the 1/N of the mean loss is missing
        return loss, delta


_BUGGY = {Dense: BuggyDense, Activation: BuggyActivation, BatchNorm: BuggyBatchNorm}


def with_bugs(net: MLP, bugs) -> MLP:
    """A network object with the given backward-pass bugs (BUGS keys; update bugs are ignored).

    Its layers are new objects sharing ``net``'s parameter arrays and running statistics (so
    training continues from them and the optimizer state still fits); with no bugs it is a
    clean network again. ``net`` itself is not changed.
    """
    bugs = frozenset(bugs)
    _check_known(bugs)
    bugs = frozenset(b for b in bugs if b in NET_BUGS)
    layers = []
    for layer in net.layers:
        clean = next((c for c in (Dense, Activation, BatchNorm, Dropout) if isinstance(layer, c)), type(layer))
        twin = _copy.copy(layer)  # shares W, b, gamma, beta, running stats, the mask generator
        twin.__class__ = _BUGGY.get(clean, clean) if bugs else clean
        if bugs and clean in _BUGGY:
            twin.bugs = bugs
        elif "bugs" in twin.__dict__:
            del twin.__dict__["bugs"]
        layers.append(twin)
    loss = net.loss_fn.inner if isinstance(net.loss_fn, BuggyLoss) else net.loss_fn
    new = net.with_layers(layers, BuggyLoss(loss, bugs) if bugs else loss)
    new.bugs = bugs
    return new


class _WeightScaledUpdate:
    """Mixin: the update rule's step multiplied elementwise by the parameter (W -= lr * W * dW)."""

    def _updates(self, params, grads, lr):
        updates, state = super()._updates(params, grads, lr)
        return [u * p for u, p in zip(updates, params)], state


def clean_optimizer_class(opt: Optimizer) -> type:
    cls = type(opt)
    return cls.__mro__[2] if issubclass(cls, _WeightScaledUpdate) else cls


def with_update_bug(opt: Optimizer, on: bool) -> Optimizer:
    """The same optimizer (state and hyper-parameters shared by a shallow copy) with or without
    the ``update_times_weights`` bug."""
    base = clean_optimizer_class(opt)
    new = _copy.copy(opt)
    new.__class__ = _buggy_class(base) if on else base
    return new


_BUGGY_CLASSES: dict[type, type] = {}


def _buggy_class(base: type) -> type:
    if base not in _BUGGY_CLASSES:
        _BUGGY_CLASSES[base] = type(f"Buggy{base.__name__}", (_WeightScaledUpdate, base), {})
    return _BUGGY_CLASSES[base]


def _check_known(bugs) -> None:
    unknown = sorted(set(bugs) - set(BUGS))
    if unknown:
        raise ValueError(f"bugs: unknown bug {unknown[0]!r}; choose from {', '.join(BUGS)}.")


def update_check(opt: Optimizer, net: MLP, X, y) -> list[ParamCheck]:
    """Does ``opt`` apply the update its (clean) rule prescribes? One row per parameter array.

    Takes the network's own gradients on (X (N, n_in), y (N,)), applies one step of ``opt`` and
    one of a clean copy of it to two float64 copies of the network, and compares the changes
    Δp: relative error max|Δ_opt − Δ_clean| / max|Δ_clean|. Nothing of ``opt`` or ``net`` changes.
    """
    work = net.copy(dtype=np.float64)
    work.gradients(X, y)
    names, grads = zip(*work.named_grads())
    flat = [g.astype(np.float64) for g in grads]
    params = work.params()
    results = []
    with np.errstate(all="ignore"):
        # proposed_updates changes nothing, so the optimizer itself and a clean view of it
        # (with_update_bug's shallow copy) can both be asked
        ua = opt.proposed_updates(params, flat)
        uc = with_update_bug(opt, False).proposed_updates(params, flat)
        for name, p, a, c in zip(names, params, ua, uc):
            a, c = np.asarray(a, np.float64).reshape(-1), np.asarray(c, np.float64).reshape(-1)
            rel, absd, scale, w = _rel_error(a, c)
            if scale == 0.0 and absd == 0.0:
                rel = 0.0
            results.append(ParamCheck(name, p.shape, a.size, a.size, rel, absd, scale,
                                      np.unravel_index(w, p.shape), float(-a[w]), float(-c[w])))
    return results


__all__ = [
    "BUGS",
    "Quiet",
    "bug_code",
    "quiet",
    "NET_BUGS",
    "UPDATE_BUGS",
    "Bug",
    "BugShapeError",
    "update_check",
    "with_bugs",
    "with_update_bug",
]
