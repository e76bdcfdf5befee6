"""Take a run home: a standalone NumPy script, and a saved run that continues exactly.

    src = standalone_script(tr, steps=100)   # Python source needing only NumPy
    save_run(tr, "run.npz")                  # config, parameters, optimizer state, history
    tr2 = load_run("run.npz")                # a Trainer that continues where tr stopped

The script rebuilds the same network and optimizer from the trainer's settings and seed, with
the training data written into it (MNIST: read from the shipped files), and prints the batch
loss of its first ``steps`` steps, in the trainer's batch order: the same numbers as the
engine (tests/test_export.py checks it for every activation, loss and optimizer).
"""
from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np

from .network import MLP
from .optimizers import SGD, Adam
from .runfile import NO_LIMIT, Budget, RunArchive
from .schedules import make_schedule
from .trainer import StepRecord, Trainer

FORMAT = "backprop-playground run v1"


# ----------------------------------------------------------------------------- settings
def _net_config(net: MLP) -> dict:
    cfg = {"sizes": net.sizes, "activations": net.activation_names, "loss": net.loss_name,
           "output_activation": net.loss_fn.output_name if net.loss_name == "mse" else None,
           "init": net.init, "init_var": net.init_var, "seed": net.seed, "dtype": net.dtype.name,
           "batch_norm": list(net.batch_norm), "dropout": list(net.dropout),
           "features": None if net.features is None else list(net.features)}
    if net.is_regression:  # only then: a classification run's file stays as it always was
        cfg["problem"] = "regression"
    return cfg


def _opt_config(opt) -> dict:
    if isinstance(opt, Adam):
        return {"name": "adam", "lr": opt.lr, "betas": list(opt.betas), "eps": opt.eps, "weight_decay": opt.weight_decay}
    return {"name": "sgd", "lr": opt.lr, "momentum": opt.momentum, "nesterov": opt.nesterov,
            "weight_decay": opt.weight_decay}


def _make_opt(cfg: dict):
    cfg = dict(cfg)
    name = cfg.pop("name")
    if name == "adam":
        cfg["betas"] = tuple(cfg["betas"])
        return Adam(**cfg)
    return SGD(**cfg)


# ----------------------------------------------------------------------------- save / load
def save_run(tr: Trainer, path, data_spec: dict | None = None) -> None:
    """Everything needed to continue ``tr`` exactly, in one .npz (no pickles).

    ``data_spec`` (the keyword arguments of engine.load_dataset) names the data instead of
    storing it; without one the training and test arrays are stored in the file.
    """
    net, opt = tr.net, tr.opt
    arrays = {f"param/{name}": p for name, p in net.named_params()}
    for l, bn in enumerate(net.bn, start=1):
        if bn is not None:
            arrays[f"running/mean{l}"], arrays[f"running/var{l}"] = bn.running_mean, bn.running_var
    if isinstance(opt, Adam):
        for i, (m, v) in enumerate(zip(opt.m, opt.v)):
            arrays[f"opt/m{i}"], arrays[f"opt/v{i}"] = m, v
    else:
        for i, b in enumerate(opt.buffers):
            if b is not None:
                arrays[f"opt/buf{i}"] = b
    if tr._perm is not None:
        arrays["trainer/perm"] = tr._perm
    if data_spec is None:
        arrays["data/X_train"], arrays["data/y_train"] = tr.X, tr.y
        if tr.X_test is not None:
            arrays["data/X_test"], arrays["data/y_test"] = tr.X_test, tr.y_test
    h = tr.history
    L = net.n_layers
    nan = lambda v: np.nan if v is None else v  # noqa: E731  (a record's "not measured")
    arrays["history/numbers"] = np.array(
        [[r.step, r.epoch, r.loss, nan(r.train_acc), nan(r.test_loss), nan(r.test_acc), r.batch_size, r.lr,
          *r.delta_norms, *r.grad_norms, *r.update_ratios, r.total_grad_norm, *_per_layer(r.small_weights, L)]
         for r in h], dtype=np.float64).reshape(len(h), 9 + 4 * L)
    if net.is_regression:  # R² in place of the accuracies (which are NaN above): train, test
        arrays["history/r2"] = np.array([[nan(r.train_r2), nan(r.test_r2)] for r in h],
                                        dtype=np.float64).reshape(len(h), 2)
    meta = {
        "format": FORMAT, "net": _net_config(net), "optimizer": _opt_config(opt),
        "optimizer_state": {"t": opt.t, "slots": len(opt.m) if isinstance(opt, Adam) else len(opt.buffers)},
        "trainer": {"batch_size": tr.batch_size, "seed": tr.seed, "eval_every": tr.eval_every,
                    "max_history": tr.max_history, "explode_factor": tr.explode_factor,
                    "step_count": tr.step_count, "epoch": tr.epoch, "cursor": tr._cursor,
                    "perm_epoch": tr._perm_epoch, "loss_ref": tr.loss_ref,
                    "last_eval": list(tr.last_eval) if tr.last_eval is not None else None,
                    "rng": tr.rng.bit_generator.state, "mask_rng": net.mask_rng.bit_generator.state,
                    "l1": tr.l1, "schedule": tr.schedule.config(), "clip_norm": tr.clip_norm},
        "data_spec": data_spec,
    }
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
    if hasattr(path, "write"):
        path.write(buf.getvalue())
    else:
        Path(path).write_bytes(buf.getvalue())


def run_settings(path, budget: Budget | None = None) -> dict:
    """The settings saved in a run file (net, optimizer, optimizer_state, trainer, data_spec),
    reading no array but the settings and building nothing: what a caller checks before
    ``load_run``. ValueError with a sentence for a foreign or damaged file. ``budget``
    (engine.runfile.Budget) bounds what reading the file may cost (None: no limit)."""
    return _open(path, budget)[0]


def _open(path, budget: Budget | None):
    """-> (settings, RunArchive): the settings read and checked for shape (types, keys), no
    other array read yet."""
    raw = path if isinstance(path, (bytes, bytearray)) else (
        path.read() if hasattr(path, "read") else Path(path).read_bytes())
    try:
        run = RunArchive(bytes(raw), budget or NO_LIMIT)
        if "meta" not in run:
            raise ValueError("it has no settings (no “meta” array).")
        meta = json.loads(str(run.array("meta", shape=(), kinds="U")))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; nesting 10**5 deep recurses
        reason = str(exc) if not isinstance(exc, json.JSONDecodeError) else f"its settings are not JSON ({exc})."
        raise ValueError(f"load_run: this is not a saved run of the playground (a .npz it wrote), or it is "
                         f"damaged: {reason}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"load_run: this .npz is not a saved run of the playground's save_run "
                         f"(format {_short(meta.get('format')) if isinstance(meta, dict) else None}, "
                         f"expected {FORMAT!r}).")
    _check_settings(meta)
    return meta, run


# ----------------------------------------------------------------------------- checking a file from anywhere
# A saved run may have been edited by hand (or by someone else): every setting is checked for
# its type before anything is built from it, so that a broken file gets a sentence here, not a
# KeyError now or an IndexError at the first step. The values themselves are checked by the
# classes they build (MLP, SGD, Adam, Trainer), as for any caller.
def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _damaged(what: str) -> ValueError:
    return ValueError(f"load_run: the saved run is damaged or incomplete: {what}.")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _field(d: dict, key: str, ok, what: str, where: str):
    if key not in d:
        raise _damaged(f"its {where} settings have no “{key}”")
    if not ok(d[key]):
        raise _damaged(f"its {where} setting “{key}” is {_short(d[key])}, not {what}")
    return d[key]


def _section(meta: dict, name: str) -> dict:
    if not isinstance(meta.get(name), dict):
        raise _damaged(f"its “{name}” settings are {'missing' if name not in meta else _short(meta[name])}")
    return meta[name]


def _check_settings(meta: dict) -> None:
    net = _section(meta, "net")
    sizes = _field(net, "sizes", lambda v: isinstance(v, list) and len(v) >= 2 and all(_is_int(s) and s >= 1 for s in v),
                   "a list of layer sizes like [2, 8, 2]", "net")
    n_hidden = len(sizes) - 2
    per_layer = lambda ok: lambda v: isinstance(v, list) and len(v) == n_hidden and all(map(ok, v))  # noqa: E731
    _field(net, "activations", per_layer(lambda a: isinstance(a, str)), f"{n_hidden} activation names", "net")
    _field(net, "batch_norm", per_layer(lambda b: isinstance(b, bool)), f"{n_hidden} true/false values", "net")
    _field(net, "dropout", per_layer(_is_num), f"{n_hidden} rates", "net")
    for key in ("loss", "init"):
        _field(net, key, lambda v: isinstance(v, str), "a name", "net")
    _field(net, "output_activation", lambda v: v is None or isinstance(v, str), "a name", "net")
    _field(net, "init_var", _is_num, "a number", "net")
    _field(net, "seed", _is_int, "a whole number", "net")
    _field(net, "dtype", lambda v: v in ("float32", "float64"), "float32 or float64", "net")
    if "features" in net:  # written since engineered input features (MLP checks the names)
        _field(net, "features", lambda v: v is None or (isinstance(v, list) and all(isinstance(f, str) for f in v)),
               "a list of input feature names", "net")
    if "problem" in net:  # written by regression runs only
        _field(net, "problem", lambda v: v in ("classification", "regression"), "classification or regression", "net")
    opt = _section(meta, "optimizer")
    name = _field(opt, "name", lambda v: v in ("sgd", "adam"), "sgd or adam", "optimizer")
    keys = {"adam": {"name", "lr", "betas", "eps", "weight_decay"},
            "sgd": {"name", "lr", "momentum", "nesterov", "weight_decay"}}[name]
    if set(opt) != keys:
        raise _damaged(f"its optimizer settings are {sorted(opt)}, expected {sorted(keys)}")
    state = _section(meta, "optimizer_state")
    _field(state, "t", lambda v: _is_int(v) and v >= 0, "a step count", "optimizer state")
    _field(state, "slots", _is_int, "a whole number", "optimizer state")
    tr = _section(meta, "trainer")
    count = lambda low: lambda v: _is_int(v) and v >= low  # noqa: E731
    for key, ok, what in (
            ("batch_size", lambda v: v is None or count(1)(v), "a batch size"), ("seed", count(0), "a seed"),
            ("eval_every", lambda v: v is None or count(1)(v), "a step count"),
            ("max_history", count(10), "a record count"),
            ("explode_factor", lambda v: v is None or (_is_num(v) and v > 0), "a positive number"),
            ("step_count", count(0), "a step count"), ("epoch", count(0), "an epoch"),
            ("cursor", count(0), "a position"), ("perm_epoch", count(-1), "an epoch"),
            ("loss_ref", lambda v: v is None or _is_num(v), "a number"),
            ("last_eval", lambda v: v is None or (isinstance(v, list) and len(v) == 2 and _is_num(v[0])
                                                  and (v[1] is None or _is_num(v[1]))),
             "a (loss, accuracy or R²) pair"),
            ("rng", lambda v: isinstance(v, dict), "a generator state"),
            ("mask_rng", lambda v: isinstance(v, dict), "a generator state")):
        _field(tr, key, ok, what, "trainer")
    # written since L1, schedules and clipping (older files have none); values checked by Trainer
    for key, ok, what in (("l1", _is_num, "a number"), ("clip_norm", lambda v: v is None or _is_num(v), "a number"),
                          ("schedule", lambda v: v is None or isinstance(v, dict), "a schedule's settings")):
        if key in tr:
            _field(tr, key, ok, what, "trainer")
    spec = meta.get("data_spec")
    if spec is not None and not (isinstance(spec, dict) and isinstance(spec.get("name"), str)):
        raise _damaged(f"its data spec is {_short(spec)}, not the arguments of engine.load_dataset")


def _param_shapes(net_cfg: dict) -> dict:
    """{"W1": (n_0, n_1), "b1": (n_1,), "gamma1": ..., ...} in MLP.named_params order, from the
    settings alone (nothing built)."""
    sizes, bns = net_cfg["sizes"], net_cfg["batch_norm"]
    shapes = {}
    for l in range(1, len(sizes)):
        shapes[f"W{l}"], shapes[f"b{l}"] = (sizes[l - 1], sizes[l]), (sizes[l],)
        if l - 1 < len(bns) and bns[l - 1]:
            shapes[f"gamma{l}"], shapes[f"beta{l}"] = (sizes[l],), (sizes[l],)
    return shapes


def _finite(name: str, a: np.ndarray) -> np.ndarray:
    if not np.isfinite(a).all():
        raise _damaged(f"its array “{name}” holds NaN or infinite values")
    return a


def load_run(path, X_train=None, y_train=None, X_test=None, y_test=None, budget: Budget | None = None) -> Trainer:
    """The Trainer saved in ``path`` (a path, bytes or a file), continuing exactly.

    If the file names its data (a data spec) it is loaded with engine.load_dataset, unless the
    arrays are given. ValueError with a sentence for a damaged or foreign file. ``budget``
    (engine.runfile.Budget) bounds what reading it may cost: every array's header is checked
    against it before its data is read, and only the arrays the format defines are read.
    """
    meta, run = _open(path, budget)
    try:
        return _rebuild(meta, run, X_train, y_train, X_test, y_test)
    except ValueError as exc:  # an array refused by its header, or a setting the engine's classes refuse
        if str(exc).startswith("load_run:"):
            raise
        raise ValueError(f"load_run: the saved run cannot be used: {exc}") from None
    except KeyError as exc:
        raise _damaged(f"it has no array “{exc.args[0]}”") from None
    except (TypeError, IndexError, AttributeError, OverflowError) as exc:
        raise _damaged(f"{type(exc).__name__}: {exc}") from None


def _rebuild(meta, run: RunArchive, X_train, y_train, X_test, y_test) -> Trainer:
    nc, tc, st = meta["net"], meta["trainer"], meta["optimizer_state"]
    dtype = np.dtype(nc["dtype"])
    shapes = _param_shapes(nc)
    limit = run.budget.array_bytes
    need = sum(math.prod(s) for s in shapes.values()) * dtype.itemsize
    if limit is not None and need > limit:
        n = sum(math.prod(s) for s in shapes.values())
        raise ValueError(f"load_run: its settings ({'-'.join(map(str, nc['sizes']))}) make a network of {n:,} "
                         f"parameters ({need / 1e6:,.0f} MB), more than this app allows.")
    # every array the format defines, each checked from its header before it is read
    params = {name: _finite(f"param/{name}", run.array(f"param/{name}", shape, dtype=dtype))
              for name, shape in shapes.items()}
    running = {}
    for l, bn in enumerate(nc["batch_norm"], start=1):
        if bn:
            for kind in ("mean", "var"):
                running[f"{kind}{l}"] = _finite(f"running/{kind}{l}", run.array(
                    f"running/{kind}{l}", (nc["sizes"][l],), dtype=dtype))
    slot_shapes = list(shapes.values())
    # the optimizer makes its slots at its first step: a run saved before any step has none
    if st["slots"] != len(slot_shapes) and not (st["slots"] == 0 and st["t"] == 0):
        raise _damaged(f"its optimizer state has {st['slots']} slots for {len(slot_shapes)} parameter arrays")
    opt_arrays = {}
    names = ("m", "v") if meta["optimizer"]["name"] == "adam" else ("buf",)
    for i, shape in enumerate(slot_shapes[:st["slots"]]):
        for kind in names:
            key = f"opt/{kind}{i}"
            if kind == "buf" and key not in run:
                continue  # SGD without momentum (or before its first step) has no buffer
            opt_arrays[key] = _finite(key, run.array(key, shape, dtype=dtype))
    L = len(nc["sizes"]) - 1
    history = run.array("history/numbers", kinds="f", dtype=np.float64, ndim=2)
    # 9 + 4L columns; files written before the total gradient norm and the dead-weight
    # fractions were recorded have 8 + 3L
    if history.shape[1] not in (8 + 3 * L, 9 + 4 * L) or history.shape[0] > tc["max_history"]:
        raise _damaged(f"its history has shape {history.shape}, expected at most {tc['max_history']} rows of "
                       f"{9 + 4 * L} numbers")
    regression = nc.get("problem", "classification") == "regression"
    _check_history(history, L, regression)

    if X_train is None:
        if "data/X_train" in run:
            X_train = run.array("data/X_train", ndim=2)
            # class labels (N,), or real targets (N,) / (N, n_out) of a regression
            y_kinds, y_ndim = ("f", None) if regression else ("iu", 1)
            y_train = run.array("data/y_train", kinds=y_kinds, ndim=y_ndim)
            if "data/X_test" in run:
                X_test, y_test = run.array("data/X_test", ndim=2), run.array("data/y_test", kinds=y_kinds, ndim=y_ndim)
        elif meta.get("data_spec"):
            from .datasets import load_dataset

            spec = dict(meta["data_spec"])
            ds = load_dataset(spec.pop("name"), **spec)
            X_train, y_train = ds.X_train, ds.y_train
            X_test, y_test = (ds.X_test, ds.y_test) if len(ds.y_test) else (None, None)
        else:
            raise ValueError("load_run: the file holds neither the data nor a data spec; pass X_train and y_train.")
    n_train = len(X_train)
    perm = run.array("trainer/perm", (n_train,), kinds="iu", ndim=1) if "trainer/perm" in run else None
    if (perm is None) != (tc["perm_epoch"] == -1) or tc["perm_epoch"] > tc["epoch"]:
        raise _damaged("its batch order (trainer/perm) does not match its epoch counters")
    if perm is not None and not np.array_equal(np.sort(perm), np.arange(n_train)):
        raise _damaged(f"its batch order (trainer/perm) is not an ordering of the {n_train} training samples")
    if tc["cursor"] >= n_train:
        raise _damaged(f"its position in the epoch ({tc['cursor']}) is past the {n_train} training samples")

    net = MLP(nc["sizes"], nc["activations"], loss=nc["loss"], output_activation=nc["output_activation"],
              init=nc["init"], init_var=nc["init_var"], seed=nc["seed"], dtype=dtype,
              batch_norm=nc["batch_norm"], dropout=nc["dropout"], problem=nc.get("problem", "classification"),
              features=nc.get("features"))
    for name, p in net.named_params():
        p[...] = params[name]
    for l, bn in enumerate(net.bn, start=1):
        if bn is not None:
            bn.running_mean[...], bn.running_var[...] = running[f"mean{l}"], running[f"var{l}"]
    opt = _make_opt(meta["optimizer"])
    opt.t = st["t"]
    if isinstance(opt, Adam):
        opt.m = [opt_arrays[f"opt/m{i}"] for i in range(st["slots"])]
        opt.v = [opt_arrays[f"opt/v{i}"] for i in range(st["slots"])]
    else:
        opt.buffers = [opt_arrays.get(f"opt/buf{i}") for i in range(st["slots"])]
    tr = Trainer(net, opt, X_train, y_train, X_test, y_test, batch_size=tc["batch_size"], seed=tc["seed"],
                 eval_every=tc["eval_every"], max_history=tc["max_history"], explode_factor=tc["explode_factor"],
                 l1=tc.get("l1", 0.0), schedule=make_schedule(tc.get("schedule")), clip_norm=tc.get("clip_norm"))
    tr.step_count, tr.epoch, tr._cursor, tr._perm_epoch = tc["step_count"], tc["epoch"], tc["cursor"], tc["perm_epoch"]
    tr._perm = perm
    tr.loss_ref = tc["loss_ref"]
    tr.last_eval = tuple(tc["last_eval"]) if tc["last_eval"] is not None else None
    for gen, state, what in ((tr.rng, tc["rng"], "rng"), (net.mask_rng, tc["mask_rng"], "mask_rng")):
        try:
            gen.bit_generator.state = state
        except (TypeError, ValueError, KeyError, OverflowError):
            raise _damaged(f"its random generator state “{what}” is not one NumPy's PCG64 can take") from None
    r2 = (run.array("history/r2", (len(history), 2), dtype=np.float64) if net.is_regression
          else np.full((len(history), 2), np.nan))
    num = lambda v: None if math.isnan(v) else float(v)  # noqa: E731
    new_columns = history.shape[1] == 9 + 4 * L  # total gradient norm and dead-weight fractions
    for row, (r2_train, r2_test) in zip(history, r2):
        tr.history.append(StepRecord(
            step=int(row[0]), epoch=int(row[1]), loss=float(row[2]), train_acc=num(row[3]),
            test_loss=num(row[4]), test_acc=num(row[5]),
            batch_size=int(row[6]), lr=float(row[7]), delta_norms=tuple(float(v) for v in row[8:8 + L]),
            grad_norms=tuple(float(v) for v in row[8 + L:8 + 2 * L]),
            update_ratios=tuple(float(v) for v in row[8 + 2 * L:8 + 3 * L]),
            train_r2=num(r2_train), test_r2=num(r2_test),
            total_grad_norm=float(row[8 + 3 * L]) if new_columns else math.nan,
            small_weights=_from_columns(row[9 + 3 * L:9 + 4 * L]) if new_columns else ()))
    return tr


def _per_layer(values: tuple, L: int) -> list[float]:
    """A per-layer tuple as L numbers (NaN for a record without it)."""
    return list(values) if len(values) == L else [math.nan] * L


def _from_columns(row) -> tuple:
    return () if np.isnan(row).all() else tuple(float(v) for v in row)


def _check_history(h: np.ndarray, L: int, regression: bool = False) -> None:
    """history/numbers (n, 9 + 4L; 8 + 3L in older files): step, epoch, loss, train_acc, test_loss, test_acc, batch_size,
    lr, then per layer mean |delta|, ||dW||, update ratio (then the total gradient norm and per
    layer the dead-weight fraction, which may be NaN: not recorded). Test columns may be NaN (no
    evaluation that step), and so is train_acc of a regression (its R² is history/r2); an update
    ratio may be inf (W was 0); everything else is finite and counts are whole numbers >= 0."""
    finite = np.r_[0:3, 6:8 + 2 * L] if regression else np.r_[0:4, 6:8 + 2 * L]
    counts = h[:, [0, 1, 6]]
    if (not np.isfinite(h[:, finite]).all() or np.isnan(h[:, 8 + 2 * L:8 + 3 * L]).any()
            or (counts < 0).any() or (counts != np.round(counts)).any() or (counts > 2**53).any()):
        raise _damaged("its history holds numbers no training step can record")


# ----------------------------------------------------------------------------- the script
def standalone_script(tr: Trainer, steps: int = 100, data_spec: dict | None = None) -> str:
    """NumPy source that trains the same network from the same seed for ``steps`` steps and
    prints each step's batch loss ("%.17g"). 2-D data is written into the script; MNIST
    (``data_spec`` name "mnist") is read from the shipped files."""
    from . import script_template

    net, opt = tr.net, tr.opt
    if data_spec and data_spec.get("name") == "mnist":
        data = script_template.mnist_loader(data_spec)
    else:
        what = "real targets" if net.is_regression else "class labels"
        data = (f"# the training data: X (N, n_in), y (N,) {what}\nX = np.array(" + _rows(tr.X)
                + ")\ny = np.array(" + repr(tr.y.tolist()) + ")\n")
    return script_template.render(net=_net_config(net), init_vars=net.init_variances(), opt=_opt_config(opt),
                                  batch_size=tr.batch_size,
                                  seed=tr.seed, steps=int(steps), data=data, l1=tr.l1, clip_norm=tr.clip_norm,
                                  schedule=tr.schedule.config())


def _rows(X: np.ndarray, per_line: int = 3) -> str:
    """X as a nested list literal, exact (repr of float64), ``per_line`` rows a line."""
    rows = ["[" + ", ".join(repr(float(v)) for v in row) + "]" for row in X]
    lines = [", ".join(rows[i:i + per_line]) for i in range(0, len(rows), per_line)]
    return "[" + ",\n     ".join(lines) + "]"


__all__ = ["FORMAT", "Budget", "load_run", "run_settings", "save_run", "standalone_script"]
