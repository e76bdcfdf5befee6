"""The standalone script engine.export.standalone_script writes: the whole training loop in plain
NumPy, in the engine's conventions, readable on its own. ``render`` fills in the settings."""
from __future__ import annotations

TEMPLATE = '''"""Train a {arch} network with plain NumPy: the playground's run, written out.

Run it with `python run.py` (only NumPy needed). It prints the batch loss of each of the first
{steps} steps: the same numbers the playground computed. Conventions: one example per row,
X (N, n_in), W_l (n_(l-1), n_l), z_l = a_(l-1) @ W_l + b_l, delta_l = dL/dz_l (N, n_l).
"""
import math
import os

# One BLAS thread, as the playground computes: a matrix product split over several threads adds
# its terms in another order, and in float32 that changes the last bit of some losses.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402  (after the thread settings, which NumPy reads when it loads)

SIZES = {sizes}            # [n_in, hidden..., n_out]
ACTS = {acts}              # hidden activations, one per hidden layer
LOSS, OUT = {loss!r}, {out!r}    # the loss, and the output activation (mse only)
PROBLEM = {problem!r}   # "classification": y are class labels; "regression": y are real targets
INIT, DTYPE = {init!r}, np.{dtype}
INIT_VARS = {init_vars!r}   # the variance W_l is drawn with: INIT's rule (MLP.init_variances)
NET_SEED, BATCH_SEED = {net_seed}, {seed}       # initial weights and dropout masks; batch order
BATCH_NORM, DROPOUT, EPS = {bn}, {dropout}, 1e-5
OPT = {opt}
BATCH, STEPS = {batch}, {steps}

{data}X = X.astype(DTYPE)
{features}N_TRAIN, L = len(y), len(SIZES) - 1

# ---- initial parameters, in the order the optimizer keeps its state: W1 b1 [gamma1 beta1] W2 ...
rng = np.random.default_rng(NET_SEED)
params = []
for l, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
    params += [(rng.standard_normal((n_in, n_out)) * np.sqrt(INIT_VARS[l])).astype(DTYPE), np.zeros(n_out, DTYPE)]
    if l < L - 1 and BATCH_NORM[l]:
        params += [np.ones(n_out, DTYPE), np.zeros(n_out, DTYPE)]       # gamma, beta
mask_rng = np.random.default_rng([NET_SEED, 1])                          # dropout masks


def sigmoid(z):
    e = np.exp(-np.abs(z))           # exp of -|z| only: never overflows
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


F = {{"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
     "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z), "linear": lambda z: z}}
DF = {{"sigmoid": lambda z, a: a * (1.0 - a), "tanh": lambda z, a: 1.0 - a * a,       # f'(z), from z or a
      "relu": lambda z, a: (z > 0).astype(z.dtype), "linear": lambda z, a: np.ones_like(z),
      "leaky_relu": lambda z, a: np.where(z > 0, 1.0, 0.01).astype(z.dtype)}}


def loss_and_delta(z, y):
    """z (N, K) -> mean loss and delta_L = dL/dz (N, K)."""
    n, k = z.shape
    if PROBLEM == "regression":
        t = y.astype(z.dtype).reshape(n, k)                              # the real targets
    else:
        t = y.astype(z.dtype).reshape(-1, 1) if k == 1 else np.eye(k, dtype=z.dtype)[y]   # targets
    if LOSS == "cross_entropy":
        rows, top = np.arange(n), z.argmax(axis=1)
        e = z - z[rows, top][:, None]                                    # minus the row max: no overflow
        others = np.exp(e)
        others[rows, top] = 0.0                                          # log sum_k e^e_k = log1p(the others)
        loss = float((np.log1p(others.sum(axis=1)) - e[rows, y]).sum() / n)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)                                # softmax
        return loss, (p - t) / n
    if LOSS == "bce":
        loss = float((np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))).sum() / n)
        return loss, (sigmoid(z) - t) / n
    a = F[OUT](z)                                                        # mse
    diff = a - t
    return float(0.5 * np.vdot(diff, diff) / n), diff * DF[OUT](z, a) / n


def step(Xb, yb):
    """One forward and backward pass on a batch -> loss, gradients (in params' order)."""
    a, caches, i = Xb, [], 0
    for l in range(L):
        W, b = params[i], params[i + 1]
        z = a @ W + b                                                    # (N, n_l)
        c = {{"x": a, "W": W, "i": i}}
        i += 2
        if l < L - 1:
            if BATCH_NORM[l]:                                            # batch statistics
                gamma, beta = params[i], params[i + 1]
                mu, var = z.mean(axis=0), z.var(axis=0)
                inv_std = 1.0 / np.sqrt(var + EPS)
                x_hat = (z - mu) * inv_std
                c.update(bn=(x_hat, inv_std, gamma))
                i += 2
                z = gamma * x_hat + beta
            act = F[ACTS[l]](z)
            c.update(z=z, a=act, f=ACTS[l])
            if DROPOUT[l] > 0:                                           # inverted dropout
                c["mask"] = mask_rng.random(act.shape) >= DROPOUT[l]
                act = act * c["mask"] / (1.0 - DROPOUT[l])
            a = act
        caches.append(c)
    loss, d = loss_and_delta(z, yb)
    grads = [None] * len(params)
    for l in reversed(range(L)):                                         # backprop
        c = caches[l]
        if l < L - 1:
            if "mask" in c:
                d = d * c["mask"] / (1.0 - DROPOUT[l])
            d = d * DF[c["f"]](c["z"], c["a"])                           # through f
            if "bn" in c:                                                # through the batch norm
                x_hat, inv_std, gamma = c["bn"]
                n, j = d.shape[0], c["i"] + 2
                grads[j + 1], grads[j] = d.sum(axis=0), (d * x_hat).sum(axis=0)
                d = (gamma * inv_std / n) * (n * d - grads[j + 1] - x_hat * grads[j])
        grads[c["i"]], grads[c["i"] + 1] = c["x"].T @ d, d.sum(axis=0)   # dW, db
        if l > 0:
            d = d @ c["W"].T                                             # dL/d(input)
    return loss, grads


state = {{"t": 0, "buf": [None] * len(params), "m": [np.zeros_like(p) for p in params],
         "v": [np.zeros_like(p) for p in params]}}
{extras}

def update(grads):
    """p <- p - update: torch.optim.SGD (momentum, Nesterov, weight decay) or torch.optim.Adam."""
    state["t"] += 1
{prepare}    for k, (p, g) in enumerate(zip(params, grads)):
        if OPT["weight_decay"]:
            g = g + OPT["weight_decay"] * p
        if OPT["name"] == "adam":
            b1, b2 = OPT["betas"]
            state["m"][k] = state["m"][k] + (1 - b1) * (g - state["m"][k])
            state["v"][k] = state["v"][k] * b2 + (1 - b2) * (g * g)
            # math.sqrt: a Python float, which keeps a float32 update in float32 (np.sqrt of
            # a Python float gives a float64 NumPy scalar, and that would promote it)
            denom = np.sqrt(state["v"][k]) / math.sqrt(1 - b2 ** state["t"]) + OPT["eps"]
            p -= {lr} / (1 - b1 ** state["t"]) * (state["m"][k] / denom)
            continue
        if OPT["momentum"]:
            buf = state["buf"][k]
            buf = g.copy() if buf is None else OPT["momentum"] * buf + g
            state["buf"][k] = buf
            g = g + OPT["momentum"] * buf if OPT["nesterov"] else buf
        p -= {lr} * g


batch_rng, cursor, perm = np.random.default_rng(BATCH_SEED), 0, None
for s in range(STEPS):
    if BATCH is None or BATCH >= N_TRAIN:                                # full batch
        Xb, yb = X, y
    else:
        if cursor == 0:
            perm = batch_rng.permutation(N_TRAIN)                        # reshuffled every epoch
        end = cursor + BATCH
        if N_TRAIN - end == 1 and any(BATCH_NORM):
            end += 1                                                     # never a batch of one with BN
        Xb, yb = X[perm[cursor:end]], y[perm[cursor:end]]
        cursor = 0 if end >= N_TRAIN else end
    loss, grads = step(Xb, yb)
    update(grads)
    print("%.17g" % loss)
'''

MNIST = '''import gzip

HERE = os.environ.get("MNIST_DIR", "data/mnist")   # the playground's shipped files (MNIST test set)


def idx(name):
    with gzip.open(os.path.join(HERE, name)) as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


X_all = idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(DTYPE) * np.asarray(1 / 255, DTYPE)
y_all = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
TRAIN_ROWS = {rows}   # which of the 10,000 digits the playground trained on, in its order
CLASSES = {classes}   # the digits kept, relabelled 0..K-1
X = X_all[TRAIN_ROWS]
y = np.searchsorted(CLASSES, y_all[TRAIN_ROWS])
'''


def mnist_loader(spec: dict) -> str:
    """The data section for MNIST: read the shipped files, take the trainer's rows in order."""
    from .datasets import load_dataset

    ds = load_dataset("mnist", **{k: v for k, v in spec.items() if k != "name"})
    return MNIST.format(rows=[int(i) for i in ds.meta["train_index"]], classes=[int(d) for d in ds.meta["digits"]])


FEATURES = '''FEATURES = {names!r}   # the inputs the first layer sees, from each point (x1, x2)
x1, x2 = X[:, 0], X[:, 1]
X = np.stack([{columns}], axis=1)   # {labels}: X is now (N, {k})
'''

L1 = '''L1 = {l1!r}   # L1 strength: we minimise L + L1 * sum |W| over the weight matrices (not b, gamma, beta)
IS_WEIGHT = [p.ndim == 2 for p in params]   # W1, W2, ...


def with_l1(grads):
    """dL/dW + L1 * sign(W) for every weight matrix (sign(0) = 0, as torch's autograd has it)."""
    return [g + L1 * np.sign(p) if IS_WEIGHT[k] else g for k, (p, g) in enumerate(zip(params, grads))]
'''

CLIP = '''CLIP = {clip!r}   # max norm of all gradients together, as torch.nn.utils.clip_grad_norm_


def clipped(grads):
    """Every gradient times min(1, CLIP / (total norm + 1e-6)): one factor, the direction kept."""
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    scale = min(1.0, CLIP / (total + 1e-6))
    return [g * g.dtype.type(scale) for g in grads]
'''

SCHEDULE = '''SCHEDULE = {schedule!r}


def learning_rate(t):
    """The rate of the update after t updates: torch's StepLR / CosineAnnealingLR, closed form."""
    s, base = SCHEDULE, OPT["lr"]
    if s["name"] == "step":
        return base * s["gamma"] ** (t // s["step_size"])
    return s["eta_min"] + (base - s["eta_min"]) * (1 + math.cos(math.pi * t / s["T_max"])) / 2
'''


def render(net: dict, init_vars: list, opt: dict, batch_size, seed: int, steps: int, data: str,
           l1: float = 0.0, clip_norm: float | None = None, schedule: dict | None = None) -> str:
    """The script. Features, L1, clipping and a schedule add their few lines only when the run
    uses them, so a plain run's script stays as short as it was."""
    from .features import FEATURES as ALL_FEATURES
    from .features import describe

    names = net.get("features")
    features = "" if names is None else FEATURES.format(
        names=list(names), columns=", ".join(ALL_FEATURES[n].formula for n in names), labels=describe(names),
        k=len(names))
    extras, prepare = [], ""
    scheduled = schedule is not None and schedule.get("name", "constant") != "constant"
    if scheduled:
        extras.append(SCHEDULE.format(schedule=schedule))
        prepare += '    lr = learning_rate(state["t"] - 1)   # this step\'s learning rate\n'
    if l1:
        extras.append(L1.format(l1=l1))
        prepare += "    grads = with_l1(grads)\n"
    if clip_norm is not None:
        extras.append(CLIP.format(clip=clip_norm))
        prepare += "    grads = clipped(grads)\n"
    return TEMPLATE.format(
        arch="-".join(map(str, net["sizes"])), sizes=net["sizes"], acts=net["activations"], loss=net["loss"],
        problem=net.get("problem", "classification"),
        out=net["output_activation"], init=net["init"], init_vars=init_vars, net_seed=net["seed"],
        seed=seed, dtype=net["dtype"], bn=net["batch_norm"], dropout=net["dropout"], opt=repr(opt),
        batch=batch_size, steps=steps, data=data, features=features,
        extras="".join("\n\n" + e for e in extras), prepare=prepare, lr="lr" if scheduled else 'OPT["lr"]')
