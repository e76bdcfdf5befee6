"""Helpers of the hostile-input tests: crafted saved runs, a memory meter, the session-state
snapshot a refused input must leave unchanged.

A crafted run starts from a real saved run (engine.export.save_run of a page's Lab) and
edits its settings (the "meta" JSON) or its arrays, then is written back as the .npz a
visitor could upload. The test side reads the real file with np.load: it trusts itself.
"""
from __future__ import annotations

import io
import json
import pickle
import tracemalloc
import zipfile
from contextlib import contextmanager

import numpy as np

from engine import load_dataset
from engine.export import save_run
from ui.config import config_from_params, data_spec
from ui.lab import Lab


def load(c):
    if c.dataset == "mnist":
        return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
    return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                        seed=c.data_seed)


def saved_run(page: str = "xor", params: dict | None = None, steps: int = 3) -> bytes:
    """The bytes of a real saved run of ``page`` after ``steps`` steps."""
    cfg, warns = config_from_params(page, params or {})
    assert not warns, warns
    lb = Lab(page, cfg, load)
    lb.advance(steps)
    buf = io.BytesIO()
    save_run(lb.trainer, buf, data_spec=data_spec(lb.cfg))
    return buf.getvalue()


def unpack(blob: bytes) -> tuple[dict, dict]:
    """A run file -> (meta dict, {name: array}) (trusted: our own files)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("meta"))), arrays


def pack(meta, arrays: dict, compress: bool = True) -> bytes:
    """(meta, arrays) -> .npz bytes, as save_run writes them. ``meta`` may be any JSON value."""
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, meta=np.array(json.dumps(meta)), **arrays)
    return buf.getvalue()


def craft(blob: bytes, meta_edit=None, arrays_edit=None) -> bytes:
    """A copy of the run ``blob`` with its meta and/or arrays edited in place by the callables
    (a meta edit may instead return a new dict)."""
    meta, arrays = unpack(blob)
    if meta_edit is not None:
        got = meta_edit(meta)
        meta = got if isinstance(got, dict) else meta
    if arrays_edit is not None:
        arrays_edit(arrays)
    return pack(meta, arrays)


@contextmanager
def traced():
    """Measure the peak of Python + NumPy allocations (tracemalloc) inside the block, above
    what was allocated when it started: ``with traced() as m: ...; m["peak_mb"]``."""
    out = {}
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield out
    finally:
        out["peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 1e6
        if not was:
            tracemalloc.stop()


# ----------------------------------------------------------------------------- state snapshots
def _fingerprint(value):
    """A comparable stand-in for a session-state value (arrays by their bytes)."""
    from ui.lab import Lab as _Lab

    if isinstance(value, _Lab):
        return lab_fingerprint(value)
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    try:
        return pickle.dumps(value)
    except Exception:
        if isinstance(value, dict):  # a components-v2 element's state: a dict subclass that does not pickle
            return ("dict", _fingerprint(dict(value)))
        return ("object", type(value).__name__, id(value))


def lab_fingerprint(lb) -> tuple:
    """Everything of a Lab a refused input must leave as it was: settings, dataset, every
    parameter and optimizer-state array, the trainer's counters, generators and history."""
    tr = lb.trainer
    opt = {k: ([None if a is None else a.tobytes() for a in v] if isinstance(v, list) else v)
           for k, v in vars(lb.opt).items() if k not in ("last_update_sqnorms",)}
    return (lb.cfg, id(lb.dataset), lb.dataset.X_train.tobytes(), lb.builds, lb.playing, lb.error, lb.notice,
            id(lb.net), id(tr), [p.tobytes() for p in lb.net.params()], repr(opt),
            tr.step_count, tr.epoch, tr._cursor, tr._perm_epoch, None if tr._perm is None else tr._perm.tobytes(),
            repr(tr.rng.bit_generator.state), repr(lb.net.mask_rng.bit_generator.state), list(tr.history),
            tr.batch_size, lb.bugs)


def session_snapshot(at, ignore=()) -> dict:
    """Every session-state entry of an AppTest (except keys in ``ignore``), fingerprinted."""
    return {k: _fingerprint(v) for k, v in at.session_state.items() if k not in ignore}


def changed_keys(before: dict, after: dict) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k, "<missing>") != after.get(k, "<missing>"))


def npy_header_only(shape: tuple, dtype="<f8", data: bytes = b"") -> bytes:
    """A .npy file whose header claims ``shape`` but holds only ``data``: what an attacker
    writes to make a reader allocate (np.save would need the whole array)."""
    from numpy.lib import format as npy

    buf = io.BytesIO()
    npy.write_array_header_1_0(buf, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue() + data  # the header starts with the magic string and version


def with_member(blob: bytes, name: str, data: bytes | None) -> bytes:
    """``blob`` with member ``name`` (e.g. "param/W1.npy") replaced by ``data`` (None: removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info))
        if data is not None:
            dst.writestr(name, data)
    return out.getvalue()
