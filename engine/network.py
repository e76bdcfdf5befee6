"""The multilayer perceptron: a list of layers (engine.layers), forward through it, backward
through it reversed.

Conventions (samples are rows), for weight layers l = 1..L with sizes n_0 = n_in, ..., n_L:
    X = a_0 (N, n_0)    W_l (n_{l-1}, n_l)    b_l (n_l,)
    (with engineered features, engine.features: X (N, 2) and a_0 = phi(X) (N, n_0))
    z_l = a_{l-1} W_l + b_l                       (N, n_l)   the dense step
    hidden layer l:  [BatchNorm] -> a_l = f_l(.) -> [Dropout]
    output: z_L goes to the loss, whose output activation gives the predictions
    delta_l = dL/dz_l                             (N, n_l)
    dW_l = a_{l-1}^T delta_l   (n_{l-1}, n_l);    db_l = sum_n delta_l[n]   (n_l,)

Two modes, as in torch: *train* (``gradients``, the trainer's steps): BatchNorm uses the
batch's statistics and updates its running ones, dropout drops; *eval* (``forward``,
``predict``, ``loss``, every picture): running statistics, no dropout.
"""
from __future__ import annotations

import copy as _copy
import math
from numbers import Integral, Real

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, get_activation
from .checks import (check_bool, check_choice, check_dtype, check_features, check_int, check_labels,
                     check_rate, check_real, check_sizes, check_targets, per_layer)
from .features import check_feature_names, feature_map
from .features import describe as describe_features
from .layers import Activation, BatchNorm, Dense, Dropout
from .losses import PROBLEMS, make_loss
from .metrics import r2_score

INITS = ("normal", "xavier", "he", "zeros")


class MLP:
    """A fully connected network trained by backpropagation.

    Parameters
    ----------
    sizes : [n_in, hidden..., n_out], every entry >= 1, at least two entries.
    activations : one name for every hidden layer, or a list with one name per hidden layer:
        "sigmoid", "tanh", "relu", "leaky_relu" (slope 0.01), "linear".
    loss : "cross_entropy" (softmax output), "mse" or "bce" (sigmoid output).
    output_activation : only for "mse": "sigmoid" (default), "linear" or "tanh"; for
        regression the default is "linear".
    problem : "classification" (default: y are integer class labels) or "regression": y are
        real targets, (N,) with one output unit or (N, n_out); only the "mse" loss; the score
        is R² (engine.metrics), ``predict`` returns the predicted values.
    init : "normal" (W ~ N(0, init_var)), "xavier" (var 2/(fan_in+fan_out)), "he" (var 2/fan_in),
        or "zeros" (every W_l = 0: the symmetry lesson, all hidden units stay identical); biases
        start at 0.
    batch_norm : True / False, or one per hidden layer: BatchNorm after the dense step, before
        the activation (gamma = 1, beta = 0, eps 1e-5, momentum 0.1, as torch.nn.BatchNorm1d:
        0.1 weights the new batch in the running statistics, see engine.layers.BatchNorm).
    dropout : a rate p in [0, 1), or one per hidden layer: inverted dropout after the activation;
        p is the probability of dropping a unit (torch's convention; some texts use keep).
    seed : the only source of randomness (initial weights, then dropout masks).
    dtype : np.float64 (exact, for teaching and checks) or np.float32 (fast).
    features : None (the inputs are X itself) or engineered features of 2-D points, names from
        engine.features ("x1", "x2", "x1x2", "x1sq", "x2sq", "sin1", "sin2"): X is then (N, 2)
        and the first layer sees a_0 = feature_map(X, features) (N, k), so sizes[0] must be k.
    """

    def __init__(self, sizes, activations="tanh", loss="cross_entropy", output_activation=None,
                 init="normal", init_var=0.1, seed=0, dtype=np.float64, batch_norm=False, dropout=0.0,
                 problem="classification", features=None):
        # every argument checked (engine.checks): a ValueError names it, what was given, what is allowed
        self.sizes = check_sizes(sizes)
        n_hidden = len(self.sizes) - 2
        if isinstance(activations, str):
            get_activation(activations)  # reject unknown names even with no hidden layer
        self.activation_fns = per_layer("activations", activations, n_hidden, lambda name, v: get_activation(v, name))
        self.problem = check_choice("problem", problem, PROBLEMS)
        self.loss_fn = make_loss(loss, output_activation, self.problem)
        if loss == "cross_entropy" and self.sizes[-1] < 2:
            raise ValueError("sizes: cross_entropy (softmax) needs at least 2 output units; "
                             "use 2 outputs for two classes, or the bce/mse loss with 1 output.")
        self.batch_norm = per_layer("batch_norm", batch_norm, n_hidden, check_bool)
        self.dropout = per_layer("dropout", dropout, n_hidden, check_rate)
        self.init = check_choice("init", init, INITS)
        self.init_var = check_real("init_var", init_var, low=0.0, low_open=True)
        self.seed = check_int("seed", seed, 0)
        self.dtype = check_dtype(dtype)
        self.features = None if features is None else check_feature_names(features)
        if self.features is not None and self.sizes[0] != len(self.features):
            raise ValueError(f"sizes: with the {len(self.features)} input features {', '.join(self.features)} "
                             f"W_1 has {len(self.features)} rows, so sizes must start with {len(self.features)} "
                             f"(got {self.sizes[0]}).")
        self.reinitialize()

    # ------------------------------------------------------------------ building
    def reinitialize(self, seed: int | None = None) -> None:
        """Fresh weights from the init scheme and a fresh dropout generator (same seed -> same
        weights, in any dtype, and the same masks). BatchNorm starts at gamma 1, beta 0."""
        if seed is not None:
            self.seed = check_int("seed", seed, 0)
        rng = np.random.default_rng(self.seed)
        # dropout masks come from a stream of their own, so adding dropout never changes the init
        self.mask_rng = np.random.default_rng([self.seed, 1])
        self.layers = []  # the flat list backprop walks: Dense, [BatchNorm], Activation, [Dropout], Dense, ...
        n_hidden = len(self.sizes) - 2
        for l, ((fan_in, fan_out), var) in enumerate(zip(zip(self.sizes[:-1], self.sizes[1:]), self.init_variances())):
            # drawn in float64 then cast, so float32 and float64 nets of one seed match
            W = (rng.standard_normal((fan_in, fan_out)) * np.sqrt(var)).astype(self.dtype)
            self.layers.append(Dense(W, np.zeros(fan_out, dtype=self.dtype), input_grad=l > 0))
            if l < n_hidden:
                if self.batch_norm[l]:
                    self.layers.append(BatchNorm(fan_out, self.dtype))
                self.layers.append(Activation(self.activation_fns[l]))
                if self.dropout[l] > 0:
                    self.layers.append(Dropout(self.dropout[l], self.mask_rng))
        self._index_layers()
        self.last_deltas: list[np.ndarray] = []
        self.last_dropout_masks: list = []
        self.last_output: np.ndarray | None = None

    def _index_layers(self) -> None:
        """Name the layers by role: dense[l] for l = 0..L-1; per hidden layer l = 0..L-2 its
        bn[l] (or None), act[l] and drop[l] (or None)."""
        self.dense, self.bn, self.act, self.drop = [], [], [], []
        for layer in self.layers:
            if isinstance(layer, Dense):
                self.dense.append(layer)
            elif isinstance(layer, Activation):
                self.act.append(layer)
        groups = [[] for _ in self.act]  # the layers between dense l and dense l+1
        l = -1
        for layer in self.layers:
            if isinstance(layer, Dense):
                l += 1
            elif l < len(groups):
                groups[l].append(layer)
        self.bn = [next((x for x in g if isinstance(x, BatchNorm)), None) for g in groups]
        self.drop = [next((x for x in g if isinstance(x, Dropout)), None) for g in groups]

    def init_variances(self) -> list[float]:
        """The variance each W_l is drawn with, per layer."""
        out = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            out.append({"normal": self.init_var, "xavier": 2.0 / (fan_in + fan_out),
                        "he": 2.0 / fan_in, "zeros": 0.0}[self.init])
        return out

    # ------------------------------------------------------------------ parameters
    @property
    def weights(self) -> list[np.ndarray]:
        """[W_1, ..., W_L]: the live arrays (edit them in place)."""
        return [d.W for d in self.dense]

    @property
    def biases(self) -> list[np.ndarray]:
        return [d.b for d in self.dense]

    @property
    def running_means(self) -> list[np.ndarray | None]:
        """Per hidden layer: BatchNorm's running mean (n_l,), or None without BatchNorm."""
        return [None if bn is None else bn.running_mean for bn in self.bn]

    @property
    def running_vars(self) -> list[np.ndarray | None]:
        return [None if bn is None else bn.running_var for bn in self.bn]

    @property
    def activation_names(self) -> list[str]:
        return [fn.name for fn in self.activation_fns]

    @property
    def loss_name(self) -> str:
        return self.loss_fn.name

    @property
    def is_regression(self) -> bool:
        """True when the network predicts real numbers (``problem="regression"``), not classes."""
        return self.problem == "regression"

    @property
    def n_inputs(self) -> int:
        """Columns of X: 2 (a point of the plane) with engineered features, else sizes[0]."""
        return self.sizes[0] if self.features is None else 2

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """a_0 (N, n_0), what W_1 multiplies: X itself, or its features (engine.features)."""
        return X if self.features is None else feature_map(X, self.features)

    @property
    def n_layers(self) -> int:
        """Number of weight layers L (hidden layers + the output layer)."""
        return len(self.sizes) - 1

    @property
    def hidden(self) -> list:
        """The hidden layers' activation functions (engine.activations.Activation), one per layer."""
        return self.activation_fns

    @property
    def has_batch_norm(self) -> bool:
        return any(self.batch_norm)

    @property
    def has_dropout(self) -> bool:
        return any(p > 0 for p in self.dropout)

    def named_params(self) -> list[tuple[str, np.ndarray]]:
        """[("W1", W1), ("b1", b1), ("gamma1", ...), ("beta1", ...), ("W2", ...), ...]: the live
        arrays in the order optimizers use (BatchNorm's only where a layer has it)."""
        return self._named("params")

    def named_grads(self) -> list[tuple[str, np.ndarray]]:
        """The gradients of the last ``gradients`` call, named and ordered as ``named_params``."""
        return self._named("grads")

    def _named(self, what: str) -> list[tuple[str, np.ndarray]]:
        """Each layer's ``params()`` or ``grads()``, numbered by the weight layer l it belongs to."""
        out, l = [], 0
        for layer in self.layers:
            if isinstance(layer, Dense):
                l += 1
            if hasattr(layer, what):
                out += [(f"{name}{l}", a) for name, a in getattr(layer, what)()]
        return out

    def set_param(self, name: str, index, value) -> float:
        """Set one entry of a parameter array by hand, in place: ``name`` as in ``named_params``
        ("W1", "b2", "gamma1", ...), ``index`` (row, column) for a W, (unit,) or unit for a
        vector, ``value`` a finite real number. Returns the entry's old value.

        The playground's network graph types weights through this (TensorFlow Playground lets a
        student do the same): one checked door instead of writes into ``weights[l][i, j]``, so a
        typo ("W7", a row past the end, NaN, 1e400) is a sentence and changes nothing.
        """
        arrays = dict(self.named_params())
        if name not in arrays:
            raise ValueError(f"name: this network has no parameter {name!r}; it has {', '.join(arrays)}.")
        p = arrays[name]
        idx = (index,) if isinstance(index, Integral) and not isinstance(index, bool) else index
        if (not isinstance(idx, (tuple, list)) or len(idx) != p.ndim
                or any(isinstance(i, bool) or not isinstance(i, Integral) for i in idx)):
            what = "(row, column)" if p.ndim == 2 else "one unit number"
            raise ValueError(f"index: {name} has shape {p.shape}, so an entry is named by {what}; got {index!r}.")
        for axis, (i, n) in enumerate(zip(idx, p.shape)):
            if not 0 <= i < n:
                part = ("row", "column")[axis] if p.ndim == 2 else "unit"
                raise ValueError(f"index: {part} {i} does not exist in {name} (shape {p.shape}): "
                                 f"it must be from 0 to {n - 1}.")
        limit = float(np.finfo(self.dtype).max)
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            v = math.nan
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(v) or abs(v) > limit:
            raise ValueError(f"value: expected a finite number for {name}[{', '.join(map(str, idx))}] "
                             f"(at most {limit:.3g} in size in {self.dtype.name}), got {repr(value)[:40]}.")
        idx = tuple(int(i) for i in idx)
        old = float(p[idx])
        p[idx] = v  # the live array: the next forward pass, step, picture and ledger use it
        return old

    def running_stats(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """A copy of each BatchNorm's (running_mean, running_var), for ``set_running_stats``."""
        return [(bn.running_mean.copy(), bn.running_var.copy()) for bn in self.bn if bn is not None]

    def set_running_stats(self, stats) -> None:
        """Put back what ``running_stats`` returned (into the same arrays)."""
        for bn, (mean, var) in zip([bn for bn in self.bn if bn is not None], stats):
            bn.running_mean[...], bn.running_var[...] = mean, var

    def params(self) -> list[np.ndarray]:
        """The live parameter arrays in ``named_params`` order."""
        return [p for _, p in self.named_params()]

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params())

    def copy(self, dtype=None) -> MLP:
        """An independent copy (same settings, parameters, running statistics and dropout
        generator state; no caches of the last pass), optionally in another dtype."""
        new = _copy.copy(self)
        new.dtype = self.dtype if dtype is None else np.dtype(dtype)
        new.mask_rng = _copy.deepcopy(self.mask_rng)
        new.layers = [layer.clone(new.dtype, new.mask_rng) for layer in self.layers]
        new._index_layers()
        new.last_deltas, new.last_dropout_masks, new.last_output = [], [], None
        return new

    def clear_caches(self) -> None:
        """Forget the batch-sized arrays the last pass kept (each layer's input, activations,
        deltas, masks; ``last_deltas``, ``last_dropout_masks``, ``last_output``): a network
        waiting between steps then holds only its parameters and their gradients. The next
        pass computes them again. Why: a full-batch MNIST step of 784-256x6-10 leaves ~275 MB
        of them, and a server keeps one network per visitor."""
        for layer in self.layers:
            for name in ("x", "delta", "z", "a", "da", "cache", "dout", "mask"):
                if getattr(layer, name, None) is not None:
                    setattr(layer, name, None)
        self.last_deltas, self.last_dropout_masks, self.last_output = [], [], None

    def with_layers(self, layers: list, loss_fn=None) -> MLP:
        """A shallow copy that runs through the given layer objects (same roles, same order),
        e.g. the bug zoo's buggy twins, which share this network's parameter arrays."""
        new = _copy.copy(self)
        new.layers = list(layers)
        new._index_layers()
        if loss_fn is not None:
            new.loss_fn = loss_fn
        new.last_deltas, new.last_dropout_masks, new.last_output = [], [], None
        return new

    def describe(self) -> str:
        acts = ", ".join(self.activation_names) or "no hidden layer"
        extra = (", batch norm" if self.has_batch_norm else "") + (", dropout" if self.has_dropout else "")
        task = ", regression" if self.is_regression else ""
        if self.features is not None:
            extra += f"; inputs {describe_features(self.features)}"
        return (f"{'-'.join(map(str, self.sizes))} MLP ({acts}{extra}; {self.loss_name} with "
                f"{self.loss_fn.output_name} output{task}; {self.n_params:,} parameters)")

    # ------------------------------------------------------------------ forward
    def _check_X(self, X, name="X"):
        return check_features(name, X, self.n_inputs, self.dtype)

    def _run(self, X: np.ndarray, train: bool, dropout_masks=None) -> np.ndarray:
        """X (N, n_0) through every layer -> z_L (N, n_L). Each layer keeps its cache."""
        a = self.inputs(X)                                   # a_0: X, or its engineered features
        for l, dense in enumerate(self.dense):
            a = dense.forward(a, train)                      # z_l = a_{l-1} W_l + b_l
            if l < len(self.act):                            # a hidden layer
                if self.bn[l] is not None:
                    a = self.bn[l].forward(a, train)         # normalised, scaled, shifted
                a = self.act[l].forward(a, train)            # a_l = f(.)
                if self.drop[l] is not None:
                    a = self.drop[l].forward(a, train, "fresh" if dropout_masks is None else dropout_masks[l])
        return a

    def logits(self, X) -> np.ndarray:
        """Output pre-activations z_L (N, n_L), eval mode."""
        return self._run(self._check_X(X), train=False)

    def forward(self, X) -> np.ndarray:
        """Output activations (N, n_out), eval mode: class probabilities for cross_entropy,
        sigmoids for bce."""
        return self.loss_fn.output(self.logits(X))

    def activations(self, X) -> list[np.ndarray]:
        """[a_0, a_1, ..., a_{L-1}, forward(X)] (eval mode): each hidden layer's output; a_0 is
        X, or its engineered features."""
        X = self._check_X(X)
        zL = self._run(X, train=False)
        return [self.dense[0].x] + [act.a for act in self.act] + [self.loss_fn.output(zL)]

    def preactivations(self, X) -> list[np.ndarray]:
        """[z_1 (N, n_1), ..., z_L (N, n_L)]: each dense step's output (eval mode)."""
        X = self._check_X(X)
        zs, a = [], self.inputs(X)
        for layer in self.layers:
            a = layer.forward(a, False)
            if isinstance(layer, Dense):
                zs.append(a)
        return zs

    def classify(self, zL: np.ndarray) -> np.ndarray:
        """Predicted class per row (N,) from output pre-activations z_L (N, n_L): the argmax;
        with one output unit, class 1 when the output a_L > 0.5 (targets are 0 and 1, whatever
        the output activation). The one rule used for accuracy, predictions and pictures."""
        if self.is_regression:
            raise ValueError("classify: a regression network predicts numbers, not classes; use predict.")
        if zL.shape[1] == 1:
            return (self.loss_fn.output(zL)[:, 0] > 0.5).astype(np.intp)
        return zL.argmax(axis=1)

    def predict(self, X) -> np.ndarray:
        """Predicted class per row (N,) int (eval mode). Regression: the predicted values,
        (N,) with one output unit, else (N, n_out)."""
        zL = self.logits(X)
        if self.is_regression:
            out = self.loss_fn.output(zL)
            return out[:, 0] if out.shape[1] == 1 else out
        return self.classify(zL)

    def check_targets(self, name: str, y, n_rows: int) -> np.ndarray:
        """y checked for this network: integer labels (N,) for classification, real targets
        (N,) or (N, n_out) for regression; ValueError with a sentence otherwise."""
        if self.is_regression:
            return check_targets(name, y, n_rows, self.sizes[-1])
        return check_labels(name, y, n_rows, self.sizes[-1])

    def score(self, zL: np.ndarray, y) -> float | None:
        """How good the outputs z_L (N, n_L) are for the targets y: the accuracy (share of
        rows classified right) or, for regression, R² (engine.metrics; None when the targets
        of these rows have no variance, e.g. a single row)."""
        if self.is_regression:
            return r2_score(self.loss_fn.output(zL), self.loss_fn.targets(y, zL.shape[1], np.float64))
        return float(np.mean(self.classify(zL) == y))

    def loss(self, X, y, train: bool = False, dropout_masks=None) -> float:
        """Mean loss over the batch (see engine.losses for each formula). Eval mode by default;
        ``train=True`` evaluates what ``gradients`` differentiates: batch statistics (updating
        the running ones) and dropout, with ``dropout_masks`` or fresh masks."""
        X = self._check_X(X)
        y = self.check_targets("y", y, X.shape[0])
        return self.loss_fn.value(self._run(X, train=train, dropout_masks=dropout_masks), y)

    # ------------------------------------------------------------------ backward
    def gradients(self, X, y, dropout_masks=None):
        """One train-mode forward and backward pass on the batch X (N, n_0), y (N,) (regression:
        real targets, see ``check_targets``).

        Returns (loss, [(dW_1, db_1), ..., (dW_L, db_L)]) with the parameters' shapes. BatchNorm
        uses the batch statistics (and updates its running ones); dropout draws fresh masks
        from the network's generator, or uses ``dropout_masks``: one (N, n_l) bool array (True =
        kept) or None (keep every unit) per hidden layer. Afterwards: ``last_deltas`` [delta_1..delta_L],
        ``last_dropout_masks``, ``last_output`` (z_L) and ``named_grads()`` (BatchNorm's too).
        """
        X = self._check_X(X)
        y = self.check_targets("y", y, X.shape[0])
        if dropout_masks is not None and len(dropout_masks) != len(self.sizes) - 2:
            raise ValueError(f"dropout_masks: expected one mask (or None) per hidden layer, "
                             f"{len(self.sizes) - 2} in all; got {len(dropout_masks)}.")
        zL = self._run(X, train=True, dropout_masks=dropout_masks)
        loss, delta = self.loss_fn.value_and_delta(zL, y)
        for layer in reversed(self.layers):  # backprop: each layer turns dL/d(out) into dL/d(in)
            delta = layer.backward(delta)    # (the first layer returns None: X needs no gradient)
        self.last_output = zL
        self.last_deltas = [d.delta for d in self.dense]
        self.last_dropout_masks = [None if d is None else d.mask for d in self.drop]
        return loss, [(d.dW, d.db) for d in self.dense]


__all__ = ["HIDDEN_ACTIVATIONS", "INITS", "MLP"]
