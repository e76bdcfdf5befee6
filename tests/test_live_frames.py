"""The live view's messages (ui.frames) and the Streamlit internals the live loop relies on
(ui.st_internals): what a frame carries is exactly the engine's numbers, a delta frame
carries only what changed and stays small, and a keyed element can be updated many times in
one script run with the pinned Streamlit."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import load_dataset
from ui.config import config_from_params
from ui.frames import FrameMaker, pack, tiles_uint8, unpack
from ui.lab import Lab

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("status", "boundary", "curves", "weights", "layers")


def make_lab(page="xor", **params):
    cfg, warnings = config_from_params(page, {k: str(v) for k, v in params.items()})
    assert not warnings, warnings
    if page == "mnist":
        def load(c):
            return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
    else:
        def load(c):
            return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise,
                                test_fraction=c.test_fraction, seed=c.data_seed)
    return Lab(page, cfg, load)


def test_pack_round_trip_keeps_every_bit():
    rng = np.random.default_rng(0)
    arrays = {"a": rng.standard_normal((3, 5)), "b": rng.standard_normal(7).astype(np.float32),
              "c": np.arange(11, dtype=np.uint8), "empty": np.zeros((0, 2))}
    meta = {"x": [1, None, 2.5], "s": "ü"}
    msg = pack(meta, arrays)
    m2, a2 = unpack(msg)
    assert m2 == meta
    for k, v in arrays.items():
        assert a2[k].dtype == v.dtype and a2[k].shape == v.shape and np.array_equal(a2[k], v)
    head_len = int.from_bytes(msg[4:8], "little")
    assert (8 + head_len) % 8 == 0  # the data section is 8-aligned (typed arrays in the browser)


def test_pack_refuses_nan_in_meta():
    with pytest.raises(ValueError):
        pack({"loss": float("nan")}, {})


def test_first_frame_is_full_then_deltas_carry_only_new_records():
    lab = make_lab(hidden="8,8")
    maker = FrameMaker("xor/main", "xor", PARTS, lab)
    meta, arrays = unpack(maker.frame())
    assert meta["full"] and meta["net"]["sizes"] == [2, 8, 8, 2] and meta["net"]["acts"] == ["tanh", "tanh"]
    assert meta["net"]["out"] == "softmax" and meta["hist"]["step"] == []
    ds = lab.dataset
    assert arrays["xy"].shape == (len(ds.y_train) + len(ds.y_test), 2)
    np.testing.assert_allclose(arrays["xy"][: len(ds.y_train)], ds.X_train, rtol=1e-6)
    assert np.array_equal(arrays["y"], np.concatenate([ds.y_train, ds.y_test]))
    assert meta["data"]["n_train"] == len(ds.y_train) and meta["data"]["bounds"] == list(ds.bounds)

    lab.advance(3)
    meta, arrays = unpack(maker.frame())
    assert not meta["full"] and "xy" not in arrays and "net" not in meta
    assert meta["hist"]["step"] == [1, 2, 3]
    recs = lab.trainer.history
    assert meta["hist"]["loss"] == pytest.approx([r.loss for r in recs], rel=1e-6)
    assert meta["hist"]["delta"][2] == pytest.approx([r.delta_norms[2] for r in recs], rel=1e-4)
    assert meta["status"]["step"] == 3 and meta["last_eval"][0] == 3
    for l in range(3):  # the parameters are the engine's, bit for bit
        assert np.array_equal(arrays[f"W{l + 1}"], lab.net.weights[l])
        assert np.array_equal(arrays[f"b{l + 1}"], lab.net.biases[l])

    meta, _ = unpack(maker.frame())  # nothing new
    assert meta["hist"]["step"] == []
    lab.advance(40)
    meta, _ = unpack(maker.frame())
    steps = meta["hist"]["step"]
    assert len(steps) <= 8 and steps[-1] == 43 and steps == sorted(steps)  # a sample, the newest kept


def test_delta_frame_of_the_2_8_8_2_net_fits_the_3_kb_budget():
    lab = make_lab(hidden="8,8")
    maker = FrameMaker("xor/main", "xor", PARTS, lab)
    maker.frame()
    sizes = []
    for _ in range(20):
        lab.advance(2)
        sizes.append(len(maker.frame()))
    # the component's own fields (name, id, a ~400-byte loader) add ~600 bytes on the wire
    assert max(sizes) <= 2400, sizes


def test_a_rebuilt_model_gets_a_full_frame():
    lab = make_lab()
    maker = FrameMaker("xor/main", "xor", PARTS, lab)
    maker.frame()
    lab.advance(2)
    lab.reset()
    meta, _ = unpack(maker.frame())
    assert meta["full"] and meta["id"].endswith(":2")


def test_non_finite_numbers_become_null():
    lab = make_lab()
    lab.advance(1)
    rec = lab.trainer.history[-1]
    rec.update_ratios = (float("inf"),) + tuple(rec.update_ratios[1:])
    meta, _ = unpack(FrameMaker("v", "xor", PARTS, lab).frame())
    assert meta["hist"]["ratio"][0] == [None]
    json.dumps(meta, allow_nan=False)


def test_mnist_frame_sends_tiles_not_the_first_weight_matrix():
    lab = make_lab("mnist", ntrain=500, ntest=200)
    meta, arrays = unpack(FrameMaker("mnist/main", "mnist", ("status", "tiles"), lab).frame())
    assert "W1" not in arrays and arrays["tiles"].shape == (64, 784) and arrays["tiles"].dtype == np.uint8
    assert meta["tiles"]["n"] == 64 and meta["tiles"]["n_units"] == 100
    assert arrays["W2"].shape == (100, 10) and arrays["W2"].dtype == np.float32
    assert meta["data"]["image_shape"] == [28, 28]


def test_tiles_are_each_units_weights_scaled_to_its_own_max():
    W = np.random.default_rng(1).standard_normal((784, 5)).astype(np.float32)
    W[:, 3] = 0.0
    q, scale = tiles_uint8(W, 4)
    assert q.shape == (4, 784)
    for j in (0, 1, 2):
        back = (q[j].astype(float) - 128) / 127 * scale[j]
        assert np.abs(back - W[:, j]).max() <= scale[j] / 127  # one quantisation step
        assert q[j].max() == 255 or q[j].min() == 1  # the largest |w| reaches the end
    assert (q[3] == 128).all() and scale[3] == 0.0


# ----------------------------------------------------------------------------- Streamlit
def _script(tmp_path, body: str) -> Path:
    f = tmp_path / "app.py"
    f.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + body)
    return f


def test_a_keyed_live_element_updates_many_times_in_one_run(tmp_path):
    app = _script(tmp_path, """
import streamlit as st
from ui.live_view import LiveView
v = LiveView("bp-live-test")
for i in range(5):
    v.send(bytes([66, 80, 70, 49, i]))
st.session_state["reused"] = v._reuse_key
st.session_state["sent"] = v.sent
""")
    at = AppTest.from_file(str(app), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["sent"] == 5
    # the pinned Streamlit still lets the same key be released and reused (no remount per frame)
    assert at.session_state["reused"] is True


def test_rerun_pending_reads_the_request_state(tmp_path):
    app = _script(tmp_path, """
import streamlit as st
from ui import st_internals
st.session_state["pending"] = st_internals.rerun_pending()
""")
    at = AppTest.from_file(str(app), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["pending"] is False  # known (not None) and nothing waiting


def test_the_browser_code_is_served_by_static_serving():
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["enableStaticServing"] is True
    for f in ("main.js", "net.js", "contour.js", "boundary.js", "heatmaps.js", "curves.js", "frame.js", "live.css"):
        assert (ROOT / "static" / "live" / f).is_file(), f
    assert (ROOT / "static" / "vendor" / "uPlot.esm.js").is_file()
    assert (ROOT / "static" / "vendor" / "uPlot.LICENSE").read_text().startswith("The MIT License")


def test_the_app_runs_numpy_with_one_blas_thread():
    """ui/blas.py: an idle OpenBLAS helper thread spinning beside Streamlit cost two thirds of
    the server's CPU per frame; importing ui.blas (app.py's first import) limits every pool to 1.
    In a fresh interpreter, as the app starts: this test process has torch's pools too."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import ui.blas, engine; print(ui.blas.blas_threads())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr[-1000:]
    threads = eval(out.stdout)
    assert threads and set(threads) == {1}, threads


def test_a_full_frame_survives_steps_undone_while_it_is_built():
    """Seen once in benchmarks/bench_browser.py on the Regression page (an exception box after a
    Pause): a full frame's thinning read ``tr.history[i]`` after the live loop of an overlapping
    script run had undone steps (engine.snapshots.restore deletes the history's tail), and
    raised IndexError. Simulated here: a history list whose tail is deleted at the first read of
    an entry, as the other thread's restore would. The frame must come from one consistent
    snapshot of the records."""
    lab = make_lab(hidden="4")
    lab.advance(1600)  # more than a full frame's 1500 records: the thinning path

    class UndoneWhileRead(list):
        def __getitem__(self, i):
            if isinstance(i, (int, np.integer)) and i > 0 and len(self) > 1200:
                del self[1200:]  # the other run's restore, midway through the thinning: steps 1201.. undone
            return super().__getitem__(i)

    lab.trainer.history = UndoneWhileRead(lab.trainer.history)
    meta, _ = unpack(FrameMaker("xor/main", "xor", PARTS, lab).frame())
    steps = meta["hist"]["step"]
    assert steps == sorted(steps) and steps[0] == 1 and len(steps) <= 1500
