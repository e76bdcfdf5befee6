"""The messages the live view receives: numbers only, and per frame only what changed.

A *full* frame (the first of every script run) carries what the browser needs to start
from nothing: the architecture, the data points, the class names and the whole (thinned)
history. Every later frame of the run carries the parameters, the status line and the
history records added since the previous frame: ~1.6 KB for a 2-8-8-2 net.

Wire format (``pack`` / static/live/frame.js ``unpack``), sent as the component's bytes:
    b"BPF1", uint32 little-endian header length, the header as UTF-8 JSON
    {"meta": {...}, "arrays": {name: [dtype, shape, offset, nbytes]}}, then the arrays' raw
    little-endian bytes, each starting at a multiple of 8 from the start of the data section.
Raw bytes instead of JSON numbers or base64: a float64 weight is 8 bytes, not ~20 characters,
and Streamlit sends bytes as they are (a dict would be inspected key by key for dataframes,
10 % of the server's time per frame, measured with py-spy).

meta:
    view    "xor/main": which element (the browser keeps one view state per element)
    id      "xor:3": page and model build; the browser drops its history when it changes
    parts   which views this element shows ("status", "boundary", "tiles", "curves",
            "weights", "layers", "graph", "hand")
    graph   with the "graph" part: the network graph's numbers (ui/graph_part.py, with its
            arrays gW1.., gb1..)
    full    True on full frames
    net     full frames: sizes [n_0..n_L], hidden activations, output kind, dtype, problem
            ("classification" or "regression")
    data    full frames: class names and colours; 2-D pages: bounds, grid resolution, n_train;
            regression: what the target is, the colour scale's half-range vmax and its three
            colours (negative, 0, positive)
    status  step, epoch, batch loss and score, test loss and score, playing
    hist    columns of the new records: step, loss, acc, tloss, tacc, delta (L lists),
            ratio (L lists); non-finite values are null (JSON has no NaN)
            "acc"/"tacc" are the network's score: its accuracy, or for a regression network
            its R² (StepRecord.train_r2 / test_r2; a regression net has no accuracy)
    net     (also) features (the engineered inputs' names, or null) and input_labels; charts:
            the optional charts of the training options in use ("lr" with a schedule, "small"
            with L1 or L2)
    hist    (also) lr (the step's scheduled rate), small (L lists: the share of |w| < 1e-3 in
            W_l)
    last_eval  [step, test loss, test accuracy] of the latest evaluation (MNIST evaluates
            every 50 steps: a frame the browser skipped must not lose its test point)
    smooth  mini-batches: the loss chart adds a moving average
    show    what the picture shows: {"test": the test points, "discrete": flat class colours}
    tiles   MNIST: {"n": tiles, "n_units": units of layer 1, "max": each tile's max |w|}
arrays:
    W1.., b1..  the parameters in the net's dtype, W_l row-major (n_{l-1}, n_l); MNIST sends
                W1 as "tiles" instead: (n, 784) uint8, one 28x28 tile per shown unit
    gamma, beta, mean, var + l   hidden layer l's BatchNorm (n_l,): scale, shift, running
                statistics (what eval mode, and so every picture, uses)
    xy, y       full frames of 2-D pages: the points (N, 2) float32, train first, labels uint8
    t           regression: the targets (N,) float32 instead of y; 1-D data sends its inputs
                as x (N,) float32 instead of xy
No maths here beyond packing: every number comes from the engine's objects.
"""
from __future__ import annotations

import json
import math
import struct

import numpy as np

from engine.features import labels as feature_labels
from engine.layers import BN_EPS

from .charts import CLASS_COLORS, LAYER_PALETTE
from .graph_part import graph_part

BOUNDARY_RES = 72      # the browser evaluates the net on a 72 x 72 grid: half the work of 100 x 100
                       # (the grid forward pass is most of a paint), smoothed by the compositor
FULL_HISTORY = 1500    # records sent in a full frame (thinned evenly, the newest always kept)
MAX_RECORDS = 8        # records sent in a delta frame (thinned likewise)
MAX_TILES = 64         # MNIST: first-layer units shown as 28x28 tiles
MAGIC = b"BPF1"


def pack(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """meta (JSON-able, no NaN) and named arrays -> one bytes message (see the module doc)."""
    index, chunks, offset = {}, [], 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        if a.dtype.byteorder == ">":
            a = a.astype(a.dtype.newbyteorder("<"))
        index[name] = [a.dtype.name, list(a.shape), offset, a.nbytes]
        pad = -a.nbytes % 8
        chunks += [a.tobytes(), b"\0" * pad]
        offset += a.nbytes + pad
    header = json.dumps({"meta": meta, "arrays": index}, separators=(",", ":"), allow_nan=False).encode()
    header += b" " * (-(len(MAGIC) + 4 + len(header)) % 8)  # the data section starts 8-aligned
    return b"".join([MAGIC, struct.pack("<I", len(header)), header, *chunks])


def unpack(msg: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The inverse of ``pack`` (for tests)."""
    if msg[:4] != MAGIC:
        raise ValueError("not a live-view frame")
    (n,) = struct.unpack("<I", msg[4:8])
    head = json.loads(msg[8:8 + n])
    base = 8 + n
    arrays = {name: np.frombuffer(msg, dtype=dt, count=int(np.prod(shape)), offset=base + off).reshape(shape)
              for name, (dt, shape, off, _) in head["arrays"].items()}
    return head["meta"], arrays


def _num(v, digits: int = 7):
    """A float for JSON: rounded to ``digits`` significant digits (the charts need no more),
    None for NaN / inf / missing."""
    if v is None:
        return None
    v = float(v)
    if not math.isfinite(v):
        return None
    return float(f"{v:.{digits}g}")


def tiles_uint8(W1: np.ndarray, n: int) -> tuple[np.ndarray, list[float]]:
    """First-layer weights (784, n_1) -> (n, 784) uint8 tiles and each tile's max |w|.

    Each tile is scaled to its own max |w| (so every unit's pattern is visible): 128 is 0,
    1 is -max, 255 is +max. One byte per weight: 64 tiles are 50 KB a frame instead of
    200 KB of float32.
    """
    T = np.asarray(W1[:, :n], dtype=np.float32).T
    scale = np.abs(T).max(axis=1, keepdims=True)
    q = np.rint(T / np.where(scale > 0, scale, 1) * 127) + 128
    return np.nan_to_num(q, nan=128).astype(np.uint8), [_num(s, 4) for s in scale[:, 0]]


def history_columns(records, L: int, regression: bool = False) -> dict:
    """StepRecords -> the ``hist`` columns (see the module docstring)."""
    train, test = ("train_r2", "test_r2") if regression else ("train_acc", "test_acc")
    return {
        "step": [r.step for r in records],
        "loss": [_num(r.loss) for r in records],
        "acc": [_num(getattr(r, train), 5) for r in records],
        "tloss": [_num(r.test_loss) for r in records],
        "tacc": [_num(getattr(r, test), 5) for r in records],
        "delta": [[_num(r.delta_norms[l], 5) for r in records] for l in range(L)],
        "ratio": [[_num(r.update_ratios[l], 5) for r in records] for l in range(L)],
        "lr": [_num(r.lr, 5) for r in records],
        "small": [[_num(r.small_weights[l], 5) if len(r.small_weights) > l else None for r in records]
                  for l in range(L)],
    }


def _thinned(history: list, max_rows: int) -> list:
    if len(history) <= max_rows:
        return history
    idx = np.linspace(0, len(history) - 1, max_rows).round().astype(int)
    return [history[i] for i in np.unique(idx)]


def _records_after(history: list, step: int) -> list:
    """The records with step > ``step`` (the history is in step order)."""
    i = len(history)
    while i > 0 and history[i - 1].step > step:
        i -= 1
    return history[i:]


class FrameMaker:
    """Builds the frames of one live-view element for one script run. ``frame()`` returns
    a full frame the first time, then deltas; it remembers the last history step sent."""

    def __init__(self, view: str, page: str, parts: tuple, lab):
        self.view, self.page, self.parts, self.lab = view, page, tuple(parts), lab
        self.sent_step = None  # None: nothing sent yet in this run -> full frame
        self._id = None

    def frame(self) -> bytes:
        return pack(*self.frame_parts())

    def frame_parts(self) -> tuple[dict, dict]:
        """-> (meta, arrays) of the next frame."""
        lab = self.lab
        net, tr = lab.net, lab.trainer
        full = self.sent_step is None or self._id != f"{self.page}:{lab.builds}"
        self._id = f"{self.page}:{lab.builds}"
        meta = {"view": self.view, "id": self._id, "parts": list(self.parts), "full": full, "status": status(lab),
                "smooth": tr.effective_batch_size < tr.n_train, "show": show(lab.cfg)}
        arrays = {}
        # one snapshot of the records for the whole frame: a Pause can leave an overlapping
        # script run whose live loop undoes steps (engine.snapshots.restore deletes the list's
        # tail) while this frame is built; reading the live list twice raised IndexError
        history = list(tr.history)
        if full:
            meta["net"] = dict(net_meta(net), charts=option_charts(tr))
            meta["data"] = data_meta(lab.dataset, arrays)
            records = _thinned(history, FULL_HISTORY)
        else:
            # Streamlit may replace a frame still waiting in its send queue by the next one
            # (same element), and the browser may skip one: records are a sample, not a log.
            # The newest are always included; every full frame re-sends the whole history.
            records = _thinned(_records_after(history, self.sent_step), MAX_RECORDS)
        self.sent_step = history[-1].step if history else 0
        meta["hist"] = history_columns(records, net.n_layers, net.is_regression)
        if tr.last_eval is not None and history:
            ev = next((r for r in reversed(history) if r.test_loss is not None), None)
            if ev is not None:
                score = ev.test_r2 if net.is_regression else ev.test_acc
                meta["last_eval"] = [ev.step, _num(ev.test_loss), _num(score, 5)]
        first = 0
        if lab.dataset.image_shape is not None:
            n = min(net.sizes[1], MAX_TILES) if net.n_layers > 1 else net.sizes[1]
            arrays["tiles"], scale = tiles_uint8(net.weights[0], n)
            meta["tiles"] = {"max": scale, "n": n, "n_units": net.sizes[1]}
            first = 1
        arrays.update(param_arrays(net, first))
        if "graph" in self.parts:  # the network graph's gradients, only while it is shown
            graph_part(lab, meta, arrays)
        return meta, arrays


def net_meta(net) -> dict:
    """What the browser needs to know of the architecture (full frames)."""
    features = None if net.features is None else list(net.features)
    return {"sizes": list(net.sizes), "acts": list(net.activation_names), "out": net.loss_fn.output_name,
            "loss": net.loss_name, "dtype": net.dtype.name, "bn": [bn is not None for bn in net.bn],
            "bn_eps": BN_EPS, "dropout": list(net.dropout), "layer_colors": LAYER_PALETTE, "problem": net.problem,
            "features": features, "input_labels": None if features is None else feature_labels(features)}


def option_charts(tr) -> list[str]:
    """The charts of the training options in use: the scheduled learning rate ("lr") when it is
    not constant, the dead weights ("small") when a penalty (L1 or L2) acts on the weights."""
    return ((["lr"] if tr.schedule.name != "constant" else [])
            + (["small"] if tr.l1 > 0 or tr.opt.weight_decay > 0 else []))


def param_arrays(net, first: int = 0, prefix: str = "") -> dict[str, np.ndarray]:
    """The parameters the browser draws from: W_l from layer ``first`` + 1 on, every b_l, and
    each BatchNorm's γ, β and running statistics (eval mode: what every picture uses)."""
    arrays = {}
    for l in range(first, net.n_layers):
        arrays[f"{prefix}W{l + 1}"] = net.weights[l]
    for l in range(net.n_layers):
        arrays[f"{prefix}b{l + 1}"] = net.biases[l]
    for l, bn in enumerate(net.bn, start=1):
        if bn is not None:
            arrays[f"{prefix}gamma{l}"], arrays[f"{prefix}beta{l}"] = bn.gamma, bn.beta
            arrays[f"{prefix}mean{l}"], arrays[f"{prefix}var{l}"] = bn.running_mean, bn.running_var
    return arrays


def data_meta(ds, arrays: dict) -> dict:
    """The data's part of a full frame: class names and colours; for 2-D data also the
    points (added to ``arrays`` as xy, y), the bounds and the grid resolution."""
    if ds.problem == "regression":
        return regression_data_meta(ds, arrays)
    d = {"classes": list(ds.class_names), "colors": CLASS_COLORS}
    if ds.image_shape is not None:
        d["image_shape"] = list(ds.image_shape)
        return d
    arrays["xy"] = np.vstack([ds.X_train, ds.X_test]).astype(np.float32)
    arrays["y"] = np.concatenate([ds.y_train, ds.y_test]).astype(np.uint8)
    d.update(bounds=[float(v) for v in ds.bounds], res=BOUNDARY_RES, n_train=int(len(ds.y_train)))
    if ds.meta.get("by_hand"):
        d["by_hand"] = ds.meta["by_hand"]  # points added / removed by hand (ui/byhand.py)
    return d


def regression_data_meta(ds, arrays: dict) -> dict:
    """A regression set's part of a full frame: the inputs (xy (N, 2), or x (N,) for 1-D data)
    and the targets t (N,), train first; what the target is; the bounds and grid resolution;
    the colour scale (ui.regression.value_scale)."""
    from .regression import VALUE_COLORS, value_scale

    X = np.vstack([ds.X_train, ds.X_test]).astype(np.float32)
    if X.shape[1] == 1:
        arrays["x"] = X[:, 0]
    else:
        arrays["xy"] = X
    arrays["t"] = np.concatenate([ds.y_train, ds.y_test]).astype(np.float32)
    return {"classes": ["ŷ"], "colors": CLASS_COLORS, "target": ds.target, "vmax": value_scale(ds),
            "value_colors": list(VALUE_COLORS), "bounds": [float(v) for v in ds.bounds], "res": BOUNDARY_RES,
            "n_train": int(len(ds.y_train))}


def show(cfg) -> dict:
    """What the picture shows (ui.config VIEW_FIELDS): the test points, flat class colours."""
    return {"test": bool(cfg.show_test), "discrete": bool(cfg.discretize)}


def status(lab) -> dict:
    """The status line's numbers ("acc", "tacc": the score, R² for a regression network)."""
    rec = lab.last()
    tm = lab.test_metrics()
    score = (rec.train_r2 if lab.net.is_regression else rec.train_acc) if rec else None
    return {"step": lab.step, "epoch": lab.trainer.epoch,
            "loss": _num(rec.loss if rec else None), "acc": _num(score),
            "tloss": _num(tm[0] if tm else None), "tacc": _num(tm[1] if tm else None),
            "playing": bool(lab.playing)}
