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
from .schedules import make_schedule
from .trainer import StepRecord, Trainer

FORMAT = "backprop-playground run v1"


# ----------------------------------------------------------------------------- settings
def _net_config(net: MLP) -> dict:
    return {"sizes": net.sizes, "activations": net.activation_names, "loss": net.loss_name,
            "output_activation": net.loss_fn.output_name if net.loss_name == "mse" else None,
            "init": net.init, "init_var": net.init_var, "seed": net.seed, "dtype": net.dtype.name,
            "batch_norm": list(net.batch_norm), "dropout": list(net.dropout),
            "features": None if net.features is None else list(net.features)}


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
    arrays["history/numbers"] = np.array(
        [[r.step, r.epoch, r.loss, r.train_acc, np.nan if r.test_loss is None else r.test_loss,
          np.nan if r.test_acc is None else r.test_acc, r.batch_size, r.lr, *r.delta_norms, *r.grad_norms,
          *r.update_ratios, r.total_grad_norm, *_per_layer(r.small_weights, L)] for r in h],
        dtype=np.float64).reshape(len(h), 9 + 4 * L)
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


def run_settings(path) -> dict:
    """The settings saved in a run file (net, optimizer, trainer, data_spec), without building
    anything: what a caller checks before ``load_run``. ValueError for a foreign file."""
    return _read(path)[0]


def _read(path):
    try:
        raw = path if isinstance(path, (bytes, bytearray)) else (
            path.read() if hasattr(path, "read") else Path(path).read_bytes())
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            files = {k: z[k] for k in z.files}
        meta = json.loads(str(files.pop("meta")))
    except Exception as exc:  # a damaged zip raises zlib.error, BadZipFile, EOFError, ...: all one answer
        raise ValueError(f"load_run: this is not a saved run of the playground (a .npz it wrote), or it is "
                         f"damaged ({type(exc).__name__}: {exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"load_run: this .npz was not written by the playground's save_run "
                         f"(format {meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT!r}).")
    return meta, files


def load_run(path, X_train=None, y_train=None, X_test=None, y_test=None) -> Trainer:
    """The Trainer saved in ``path`` (a path, bytes or a file), continuing exactly.

    If the file names its data (a data spec) it is loaded with engine.load_dataset, unless the
    arrays are given. ValueError with a sentence for a damaged or foreign file.
    """
    meta, files = _read(path)
    try:
        return _rebuild(meta, files, X_train, y_train, X_test, y_test)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"load_run: the saved run is damaged or incomplete ({type(exc).__name__}: {exc}).") from None


def _rebuild(meta, files, X_train, y_train, X_test, y_test) -> Trainer:
    nc, tc = meta["net"], meta["trainer"]
    net = MLP(nc["sizes"], nc["activations"], loss=nc["loss"], output_activation=nc["output_activation"],
              init=nc["init"], init_var=nc["init_var"], seed=nc["seed"], dtype=np.dtype(nc["dtype"]),
              batch_norm=nc["batch_norm"], dropout=nc["dropout"], features=nc.get("features"))
    for name, p in net.named_params():
        saved = files[f"param/{name}"]
        if saved.shape != p.shape:
            raise ValueError(f"load_run: parameter {name} has shape {saved.shape} in the file but the saved "
                             f"settings build {p.shape}: the file is damaged.")
        p[...] = saved
    for l, bn in enumerate(net.bn, start=1):
        if bn is not None:
            bn.running_mean[...], bn.running_var[...] = files[f"running/mean{l}"], files[f"running/var{l}"]
    net.mask_rng.bit_generator.state = tc["mask_rng"]
    if X_train is None:
        if "data/X_train" in files:
            X_train, y_train = files["data/X_train"], files["data/y_train"]
            X_test, y_test = files.get("data/X_test"), files.get("data/y_test")
        elif meta.get("data_spec"):
            from .datasets import load_dataset

            spec = dict(meta["data_spec"])
            ds = load_dataset(spec.pop("name"), **spec)
            X_train, y_train = ds.X_train, ds.y_train
            X_test, y_test = (ds.X_test, ds.y_test) if len(ds.y_test) else (None, None)
        else:
            raise ValueError("load_run: the file holds neither the data nor a data spec; pass X_train and y_train.")
    opt = _make_opt(meta["optimizer"])
    st = meta["optimizer_state"]
    opt.t = st["t"]
    if isinstance(opt, Adam):
        opt.m = [files[f"opt/m{i}"].copy() for i in range(st["slots"])]
        opt.v = [files[f"opt/v{i}"].copy() for i in range(st["slots"])]
    else:
        opt.buffers = [files[f"opt/buf{i}"].copy() if f"opt/buf{i}" in files else None for i in range(st["slots"])]
    tr = Trainer(net, opt, X_train, y_train, X_test, y_test, batch_size=tc["batch_size"], seed=tc["seed"],
                 eval_every=tc["eval_every"], max_history=tc["max_history"], explode_factor=tc["explode_factor"],
                 l1=tc.get("l1", 0.0), schedule=make_schedule(tc.get("schedule")), clip_norm=tc.get("clip_norm"))
    tr.step_count, tr.epoch, tr._cursor, tr._perm_epoch = tc["step_count"], tc["epoch"], tc["cursor"], tc["perm_epoch"]
    tr._perm = files.get("trainer/perm")
    tr.loss_ref = tc["loss_ref"]
    tr.last_eval = tuple(tc["last_eval"]) if tc["last_eval"] is not None else None
    tr.rng.bit_generator.state = tc["rng"]
    L = net.n_layers
    numbers = files["history/numbers"]
    new_columns = numbers.shape[1] == 9 + 4 * L  # total gradient norm and dead-weight fractions
    for row in numbers:
        tl, ta = float(row[4]), float(row[5])
        tr.history.append(StepRecord(
            step=int(row[0]), epoch=int(row[1]), loss=float(row[2]), train_acc=float(row[3]),
            test_loss=None if math.isnan(tl) else tl, test_acc=None if math.isnan(ta) else ta,
            batch_size=int(row[6]), lr=float(row[7]), delta_norms=tuple(float(v) for v in row[8:8 + L]),
            grad_norms=tuple(float(v) for v in row[8 + L:8 + 2 * L]),
            update_ratios=tuple(float(v) for v in row[8 + 2 * L:8 + 3 * L]),
            total_grad_norm=float(row[8 + 3 * L]) if new_columns else math.nan,
            small_weights=_from_columns(row[9 + 3 * L:9 + 4 * L]) if new_columns else ()))
    return tr


def _per_layer(values: tuple, L: int) -> list[float]:
    """A per-layer tuple as L numbers (NaN for a record without it)."""
    return list(values) if len(values) == L else [math.nan] * L


def _from_columns(row) -> tuple:
    return () if np.isnan(row).all() else tuple(float(v) for v in row)


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
        data = ("# the training data: X (N, n_in), y (N,) class labels\nX = np.array(" + _rows(tr.X)
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


__all__ = ["FORMAT", "load_run", "run_settings", "save_run", "standalone_script"]
