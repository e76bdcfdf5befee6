"""The layers an MLP is made of, one small class each (the from-scratch textbook style):

    forward(x, train) -> out      keeps what backward needs (its cache) on the layer
    backward(dout)    -> dx       dL/d(input) from dL/d(output); parameter gradients are stored

A hidden layer of the network is  Dense -> [BatchNorm] -> Activation -> [Dropout]; the output
layer is a Dense whose output z_L goes to the loss (engine.losses). Backprop is the list of
layers walked backwards, each ``backward`` turning the gradient of its output into the
gradient of its input. No layer modifies the arrays it is given.

Shapes, with N samples (rows), n_in inputs and n units:
    x (N, n_in)   W (n_in, n)   b (n,)   z, dout (N, n)   gamma, beta, running stats (n,)
"""
from __future__ import annotations

import copy as _copy

import numpy as np

from .activations import Activation as ActivationFn

BN_EPS = 1e-5        # torch.nn.BatchNorm1d's defaults
BN_MOMENTUM = 0.1


class Dense:
    """z = x W + b. The only layer with weights; ``delta`` (= dL/dz) is kept after backward,
    since it is what the playground plots and what textbooks call δ_l."""

    kind = "dense"

    def __init__(self, W: np.ndarray, b: np.ndarray, input_grad: bool = True):
        self.W, self.b = W, b          # (n_in, n), (n,): the live parameter arrays
        # Backprop needs the deltas down to delta_1 only: the first layer's input is the data X,
        # whose gradient nobody uses, so that layer does not compute delta W^T (textbook backprop
        # stops at delta_1 too; on MNIST it would be a third of the backward pass)
        self.input_grad = input_grad
        self.dW = self.db = self.delta = None
        self.x = None

    def params(self):
        return [("W", self.W), ("b", self.b)]

    def clone(self, dtype, rng=None):
        """A copy of the same class with its own parameters (in ``dtype``) and no cache."""
        new = _copy.copy(self)
        new.W, new.b = self.W.astype(dtype, copy=True), self.b.astype(dtype, copy=True)
        new.dW = new.db = new.delta = new.x = None
        return new

    def grads(self):
        return [("W", self.dW), ("b", self.db)]

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """x (N, n_in) -> z (N, n)."""
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """dout = dL/dz (N, n) -> dL/dx (N, n_in) (None for the first layer); stores dW
        (n_in, n) and db (n,)."""
        self.delta = dout
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T if self.input_grad else None


class BatchNorm:
    """Batch normalisation of each unit over the batch, exactly as torch.nn.BatchNorm1d:

    train:  mu = mean_n x,  var = mean_n (x - mu)^2  (the batch's, biased)
            x_hat = (x - mu) / sqrt(var + eps),   y = gamma * x_hat + beta
            running_mean <- (1 - m) running_mean + m mu
            running_var  <- (1 - m) running_var  + m var * N / (N - 1)   (unbiased)
    eval:   the same with the running statistics in place of mu and var.

    Conventions that differ between texts (these are torch's, which the tests check):
    - momentum m = 0.1 is the weight of the NEW batch; many texts (and Keras, 0.99) call the
      weight of the OLD running value the momentum: running = 0.9 running + 0.1 batch is the
      same average written with 0.9.
    - the running variance is the unbiased one (times N / (N - 1)), while the batch itself is
      normalised by its biased variance; eps = 1e-5 is added to the variance, not to the std.
    """

    kind = "batchnorm"

    def __init__(self, n: int, dtype, eps: float = BN_EPS, momentum: float = BN_MOMENTUM):
        self.gamma = np.ones(n, dtype=dtype)
        self.beta = np.zeros(n, dtype=dtype)
        self.running_mean = np.zeros(n, dtype=dtype)
        self.running_var = np.ones(n, dtype=dtype)
        self.eps, self.momentum = eps, momentum
        self.dgamma = self.dbeta = self.dout = None
        self.cache, self.batch_stats = None, True

    def params(self):
        return [("gamma", self.gamma), ("beta", self.beta)]

    def clone(self, dtype, rng=None):
        new = _copy.copy(self)
        for k in ("gamma", "beta", "running_mean", "running_var"):
            setattr(new, k, getattr(self, k).astype(dtype, copy=True))
        new.dgamma = new.dbeta = new.dout = new.cache = None
        return new

    def grads(self):
        return [("gamma", self.dgamma), ("beta", self.dbeta)]

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """x (N, n) -> y (N, n)."""
        if train:
            N = x.shape[0]
            if N < 2:
                raise ValueError("batch_norm: a training batch needs at least 2 samples (batch "
                                 "statistics of one sample are undefined); use a batch size of 2 or more.")
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            m = self.momentum
            # in place: the arrays are the live running statistics the app and export read
            self.running_mean *= 1 - m
            self.running_mean += m * mu
            self.running_var *= 1 - m
            self.running_var += m * var * (N / (N - 1))
        else:
            mu, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mu) * inv_std
        self.cache = (x_hat, inv_std, mu, var)
        self.batch_stats = train  # whether mu and var came from this batch (backward differs)
        return self.gamma * x_hat + self.beta

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout = dL/dy (N, n) -> dL/dx (N, n); stores dgamma, dbeta (n,).

        After a train-mode forward, mu and var depend on every row, so each x_i gets, besides
        its direct path, the two terms through the batch statistics (the cs231n derivation,
        simplified):
            dx = gamma * inv_std / N * (N dout - sum_n dout - x_hat * sum_n (dout * x_hat))
        After an eval-mode forward the running statistics are constants: dx = gamma * inv_std * dout.
        """
        x_hat, inv_std, _, _ = self.cache
        self.dout = dout  # kept for the teaching views (dL/dy)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * x_hat).sum(axis=0)
        if not self.batch_stats:
            return self.gamma * inv_std * dout
        N = dout.shape[0]
        return (self.gamma * inv_std / N) * (N * dout - self.dbeta - x_hat * self.dgamma)


class Activation:
    """a = f(z) elementwise; backward: dL/dz = dL/da * f'(z)."""

    kind = "activation"

    def __init__(self, fn: ActivationFn):
        self.fn = fn
        self.z = self.a = self.da = None

    @property
    def name(self) -> str:
        return self.fn.name

    def clone(self, dtype=None, rng=None):
        new = _copy.copy(self)
        new.z = new.a = new.da = None
        return new

    def forward(self, z: np.ndarray, train: bool = True) -> np.ndarray:
        """z (N, n) -> a (N, n)."""
        self.z = z
        self.a = self.fn.forward(z)
        return self.a

    def backward(self, da: np.ndarray) -> np.ndarray:
        """da = dL/da (N, n) -> dL/dz (N, n)."""
        self.da = da  # kept for the teaching views
        return self.fn.backward(da, self.z, self.a)


class Dropout:
    """Inverted dropout: in training each unit is kept with probability 1 - p and the kept
    ones are scaled by 1 / (1 - p), so the expected output equals the input and eval mode is
    the identity.

    Convention: p is the probability of DROPPING a unit (torch.nn.Dropout's p). The original
    paper (Srivastava et al. 2014) and some texts call the KEEP probability p, and the older
    non-inverted form scales at test time instead; here p = 0.2 drops a fifth of the units."""

    kind = "dropout"

    def __init__(self, p: float, rng: np.random.Generator):
        self.p, self.rng = p, rng
        self.mask = None  # (N, n) bool, True = kept; None in eval mode
        self.dout = None

    def clone(self, dtype=None, rng=None):
        """A copy drawing from ``rng`` (the copied network's generator)."""
        new = _copy.copy(self)
        new.rng = self.rng if rng is None else rng
        new.mask = new.dout = None
        return new

    def forward(self, x: np.ndarray, train: bool = True, mask="fresh") -> np.ndarray:
        """x (N, n) -> x * mask / (1 - p) in training, x in eval. ``mask``: "fresh" draws one
        from the generator; a given (N, n) bool array is used as it is; None keeps every unit."""
        if not train or self.p == 0 or mask is None:
            self.mask = None
            return x
        if isinstance(mask, str):
            mask = self.rng.random(x.shape) >= self.p
        elif mask.shape != x.shape:
            raise ValueError(f"dropout_masks: a mask of shape {mask.shape} was given for a layer output "
                             f"of shape {x.shape}.")
        self.mask = mask
        return x * mask / (1.0 - self.p)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dout = dout  # kept for the teaching views
        if self.mask is None:
            return dout
        return dout * self.mask / (1.0 - self.p)


__all__ = ["BN_EPS", "BN_MOMENTUM", "Activation", "BatchNorm", "Dense", "Dropout"]
