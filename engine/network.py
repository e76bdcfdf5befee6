"""The multilayer perceptron: forward with caches, backward returning gradients and deltas.

Conventions (samples are rows), for layers l = 1..L with sizes n_0 = n_in, ..., n_L = n_out:
    X = a_0 (N, n_0)    W_l (n_{l-1}, n_l)    b_l (n_l,)
    z_l = a_{l-1} @ W_l + b_l            (N, n_l)
    a_l = f_l(z_l) for hidden layers     (N, n_l);   the output layer's activation is the loss's
    delta_l = dL/dz_l                    (N, n_l)
    delta_L from the loss;  delta_l = (delta_{l+1} @ W_{l+1}^T) * f_l'(z_l)
    dW_l = a_{l-1}^T @ delta_l  (n_{l-1}, n_l);   db_l = sum_n delta_l[n]  (n_l,)
"""
from __future__ import annotations

import copy as _copy

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, get_activation
from .checks import check_choice, check_features, check_int, check_labels, check_real
from .layers import dense_backward, dense_forward
from .losses import make_loss

INITS = ("normal", "xavier", "he")
DTYPES = (np.float32, np.float64)


class MLP:
    """A fully connected network trained by backpropagation.

    Parameters
    ----------
    sizes : [n_in, hidden..., n_out], every entry >= 1, at least two entries.
    activations : one name for every hidden layer, or a list with one name per hidden layer:
        "sigmoid", "tanh", "relu", "leaky_relu" (slope 0.01), "linear".
    loss : "cross_entropy" (softmax output), "mse" or "bce" (sigmoid output).
    output_activation : only for "mse": "sigmoid" (default), "linear" or "tanh".
    init : "normal" (W ~ N(0, init_var)), "xavier" (var 2/(fan_in+fan_out)) or "he" (var 2/fan_in);
        biases start at 0.
    seed : the only source of randomness of the initial weights.
    dtype : np.float64 (exact, for teaching and checks) or np.float32 (fast).
    """

    def __init__(self, sizes, activations="tanh", loss="cross_entropy", output_activation=None,
                 init="normal", init_var=0.1, seed=0, dtype=np.float64):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise ValueError(f"sizes: expected a list like [2, 8, 2] (inputs, hidden units..., outputs), got {sizes!r}.")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes: needs at least an input and an output size, like [2, 2]; got {sizes!r}.")
        self.sizes = [check_int(f"sizes[{i}]", s, 1) for i, s in enumerate(sizes)]
        n_hidden = len(self.sizes) - 2

        if isinstance(activations, str):
            names = [activations] * n_hidden
            get_activation(activations)  # reject unknown names even with no hidden layer
        else:
            names = list(activations)
            if len(names) != n_hidden:
                raise ValueError(
                    f"activations: got {len(names)} names {names!r} but the network has {n_hidden} "
                    f"hidden layer{'s' if n_hidden != 1 else ''}; give one name per hidden layer "
                    f"or a single name for all."
                )
        self.hidden = [get_activation(n, f"activations[{i}]" if not isinstance(activations, str) else "activations")
                       for i, n in enumerate(names)]
        self.loss_fn = make_loss(loss, output_activation)
        if loss == "cross_entropy" and self.sizes[-1] < 2:
            raise ValueError("sizes: cross_entropy (softmax) needs at least 2 output units; "
                             "use 2 outputs for two classes, or the bce/mse loss with 1 output.")
        self.init = check_choice("init", init, INITS)
        self.init_var = check_real("init_var", init_var, low=0.0, low_open=True)
        self.seed = check_int("seed", seed, 0)
        if np.dtype(dtype) not in [np.dtype(d) for d in DTYPES]:
            raise ValueError(f"dtype: got {dtype!r}; choose np.float64 or np.float32.")
        self.dtype = np.dtype(dtype)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.last_deltas: list[np.ndarray] = []
        self.reinitialize()

    # ------------------------------------------------------------------ parameters
    @property
    def loss_name(self) -> str:
        return self.loss_fn.name

    @property
    def activation_names(self) -> list[str]:
        return [a.name for a in self.hidden]

    @property
    def n_layers(self) -> int:
        """Number of weight layers L (hidden layers + the output layer)."""
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases))

    def init_variances(self) -> list[float]:
        """The variance each W_l is drawn with, per layer."""
        out = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            out.append({"normal": self.init_var, "xavier": 2.0 / (fan_in + fan_out),
                        "he": 2.0 / fan_in}[self.init])
        return out

    def reinitialize(self, seed: int | None = None) -> None:
        """Draw fresh weights from the init scheme (same seed -> same weights, in any dtype)."""
        if seed is not None:
            self.seed = check_int("seed", seed, 0)
        rng = np.random.default_rng(self.seed)
        self.weights, self.biases = [], []
        for (fan_in, fan_out), var in zip(zip(self.sizes[:-1], self.sizes[1:]), self.init_variances()):
            # Drawn in float64 then cast, so float32 and float64 nets of one seed match.
            W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(var)
            self.weights.append(W.astype(self.dtype))
            self.biases.append(np.zeros(fan_out, dtype=self.dtype))
        self.last_deltas = []

    def params(self) -> list[np.ndarray]:
        """[W_1, b_1, W_2, b_2, ...]: the live arrays, in the order optimizers expect."""
        out = []
        for W, b in zip(self.weights, self.biases):
            out += [W, b]
        return out

    def copy(self, dtype=None) -> MLP:
        """An independent deep copy (same class, same settings), optionally in another dtype."""
        new = _copy.copy(self)
        new.dtype = self.dtype if dtype is None else np.dtype(dtype)
        new.weights = [W.astype(new.dtype, copy=True) for W in self.weights]
        new.biases = [b.astype(new.dtype, copy=True) for b in self.biases]
        new.last_deltas = []
        return new

    def describe(self) -> str:
        acts = ", ".join(self.activation_names) or "no hidden layer"
        return (f"{'-'.join(map(str, self.sizes))} MLP ({acts}; {self.loss_name} with "
                f"{self.loss_fn.output_name} output; {self.n_params:,} parameters)")

    # ------------------------------------------------------------------ forward
    def _check_X(self, X, name="X"):
        return check_features(name, X, self.sizes[0], self.dtype)

    def _forward_cache(self, X: np.ndarray):
        """Forward pass keeping what backward needs.

        X (N, n_0) -> zs [z_1..z_L], acts [a_0=X, a_1..a_{L-1}] (hidden activations), caches.
        """
        acts, zs, caches = [X], [], []
        a = X
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z, cache = dense_forward(a, W, b)
            zs.append(z)
            caches.append(cache)
            if l < len(self.hidden):
                a = self.hidden[l].forward(z)
                acts.append(a)
        return zs, acts, caches

    def forward(self, X) -> np.ndarray:
        """Output activations (N, n_out): class probabilities for cross_entropy, sigmoid for bce."""
        X = self._check_X(X)
        zs, _, _ = self._forward_cache(X)
        return self.loss_fn.output(zs[-1])

    def activations(self, X) -> list[np.ndarray]:
        """[a_0 = X (N, n_0), a_1 (N, n_1), ..., a_L (N, n_L) = forward(X)]: every layer's output."""
        X = self._check_X(X)
        zs, acts, _ = self._forward_cache(X)
        return acts + [self.loss_fn.output(zs[-1])]

    def preactivations(self, X) -> list[np.ndarray]:
        """[z_1 (N, n_1), ..., z_L (N, n_L)]."""
        return self._forward_cache(self._check_X(X))[0]

    def predict(self, X) -> np.ndarray:
        """Predicted class per row (N,) int: argmax of the outputs, or output > 0.5 with one unit."""
        zs, _, _ = self._forward_cache(self._check_X(X))
        return self._classes_from_logits(zs[-1])

    def _classes_from_logits(self, zL: np.ndarray) -> np.ndarray:
        if zL.shape[1] == 1:
            # sigmoid(z) > 0.5 <=> z > 0; for mse with linear/tanh output the threshold differs
            a = self.loss_fn.output(zL)[:, 0]
            thr = 0.0 if self.loss_fn.output_name == "tanh" else 0.5
            if self.loss_fn.name != "mse":
                return (zL[:, 0] > 0).astype(np.intp)
            return (a > thr).astype(np.intp)
        return zL.argmax(axis=1)

    def loss(self, X, y) -> float:
        """Mean loss over the batch (see engine.losses for each formula)."""
        X = self._check_X(X)
        y = check_labels("y", y, X.shape[0], self.sizes[-1])
        zs, _, _ = self._forward_cache(X)
        return self.loss_fn.value(zs[-1], y)

    # ------------------------------------------------------------------ backward
    # The three hooks below are the places hand-written backprop goes wrong; engine.bugs
    # overrides them in a subclass (never here) to show what each classic bug does.
    def _output_delta(self, zL: np.ndarray, y: np.ndarray):
        """(loss, delta_L (N, n_L))."""
        return self.loss_fn.value_and_delta(zL, y)

    def _activation_backward(self, da, z, a, act):
        """delta_l (N, n_l) = da_l (N, n_l) * f'(z_l); a_l = f(z_l) is passed to save work.
        da is the temporary delta_{l+1} W_{l+1}^T made for this call, so it is overwritten."""
        return act.backward(da, z, a, out=da)

    def _dense_backward(self, delta, cache, need_input_grad):
        """(da_prev, dW, db) of one layer; see engine.layers.dense_backward."""
        return dense_backward(delta, cache, need_input_grad)

    def _backprop(self, X: np.ndarray, y: np.ndarray):
        """One forward + backward pass on a checked batch.

        Returns loss, grads [(dW_l, db_l)], deltas [delta_1..delta_L], zs [z_1..z_L],
        acts [a_0..a_{L-1}].
        """
        zs, acts, caches = self._forward_cache(X)
        loss, delta = self._output_delta(zs[-1], y)
        L = len(self.weights)
        deltas = [None] * L
        grads = [None] * L
        for l in range(L - 1, -1, -1):
            deltas[l] = delta
            da_prev, dW, db = self._dense_backward(delta, caches[l], l > 0)
            grads[l] = (dW, db)
            if l > 0:
                delta = self._activation_backward(da_prev, zs[l - 1], acts[l], self.hidden[l - 1])
        self.last_deltas = deltas
        return loss, grads, deltas, zs, acts

    def gradients(self, X, y):
        """(loss, [(dW_1, db_1), ..., (dW_L, db_L)]) for the batch; shapes equal the parameters'.

        Also sets ``self.last_deltas`` = [delta_1 (N, n_1), ..., delta_L (N, n_L)].
        """
        X = self._check_X(X)
        y = check_labels("y", y, X.shape[0], self.sizes[-1])
        loss, grads, _, _, _ = self._backprop(X, y)
        return loss, grads


def parse_hidden_spec(text: str, max_layers: int = 6, max_units: int = 256) -> list[int]:
    """'8, 8' or '8-8' or '8 8' -> [8, 8]; '' -> []. ValueError with a clear sentence otherwise."""
    cleaned = str(text).replace("-", " ").replace(",", " ").replace("x", " ").split()
    units = []
    for tok in cleaned:
        try:
            units.append(int(tok))
        except ValueError:
            raise ValueError(f"hidden layers: {tok!r} is not a whole number; write sizes like '8, 8'.") from None
    if len(units) > max_layers:
        raise ValueError(f"hidden layers: {len(units)} layers given, at most {max_layers} are allowed.")
    for u in units:
        if not 1 <= u <= max_units:
            raise ValueError(f"hidden layers: {u} units in a layer; each layer needs 1 to {max_units} units.")
    return units


__all__ = ["HIDDEN_ACTIVATIONS", "INITS", "MLP", "parse_hidden_spec"]
