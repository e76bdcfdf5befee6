"""Export (GUIDE, "Export"): the standalone script reproduces the trainer's losses with NumPy only,
for every activation, loss and optimizer; save -> load -> continue equals an uninterrupted run
bit for bit; a damaged or foreign file gets a sentence and changes nothing."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

from engine import MLP, SGD, Adam, Trainer, load_dataset
from engine.export import load_run, save_run, standalone_script

DS = load_dataset("circles", n_samples=120, noise=0.1, test_fraction=0.25, seed=1)
HEADS = [("cross_entropy", None), ("mse", "sigmoid"), ("mse", "linear"), ("mse", "tanh"), ("bce", None)]
OPTS = {"sgd": lambda: SGD(0.1), "momentum": lambda: SGD(0.05, momentum=0.9),
        "nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
        "adam": lambda: Adam(0.01, weight_decay=0.001)}
ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")


@pytest.fixture(autouse=True)
def one_blas_thread():
    """The trainer computes with one BLAS thread, as in the app (ui.blas); the script pins
    itself to one (a product split over threads sums in another order: in float32 that moved
    the last bit of some losses)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def run_script(src: str, tmp_path, **env) -> np.ndarray:
    """Run the script as a student would: `python run.py` in an empty folder, isolated (-I: no
    user site, no current directory on the path), so only NumPy can be imported, in a shell
    that sets no thread counts (the script must pin its own)."""
    assert "engine" not in src and "streamlit" not in src
    f = tmp_path / "run.py"
    f.write_text(src)
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-I", str(f)], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env=clean | env)
    assert out.returncode == 0, out.stderr[-2000:]
    return np.array([float(v) for v in out.stdout.split()])


def trainer(act="tanh", head=HEADS[0], opt="momentum", batch=16, seed=2, **kw):
    loss, out = head
    net = MLP([2, 6, 5, 2], act, loss=loss, output_activation=out, init_var=0.5, seed=seed, **kw)
    return Trainer(net, OPTS[opt](), DS.X_train, DS.y_train, DS.X_test, DS.y_test, batch_size=batch, seed=seed)


@pytest.mark.parametrize("opt", list(OPTS))
@pytest.mark.parametrize("head", HEADS, ids=[f"{h[0]}-{h[1] or 'default'}" for h in HEADS])
def test_script_reproduces_the_losses(head, opt, tmp_path):
    act = ACTS[(HEADS.index(head) + list(OPTS).index(opt)) % len(ACTS)]  # every activation, spread out
    tr = trainer(act, head, opt)
    src = standalone_script(tr, steps=30)
    tr.run(30)
    got = run_script(src, tmp_path)
    want = np.array([r.loss for r in tr.history])
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=0)


@pytest.mark.parametrize("opt", list(OPTS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_script_reproduces_every_optimizer_in_both_dtypes(opt, dtype, tmp_path):
    """Issue 17: float32 + Adam (MNIST's setting) parted from step 2: the script's
    np.sqrt(1 - b2 ** t) is a float64 scalar, which promoted the float32 update to float64.
    Every optimizer x dtype, with batch norm and dropout on the way, must give the trainer's
    losses exactly (as floats of the net's dtype)."""
    tr = trainer("relu", HEADS[0], opt, batch=16, dtype=dtype, batch_norm=[True, False], dropout=[0.0, 0.2])
    src = standalone_script(tr, steps=30)
    tr.run(30)
    got, want = run_script(src, tmp_path), np.array([r.loss for r in tr.history])
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_script_of_an_mnist_float32_adam_run_reads_the_shipped_digits(tmp_path):
    """The MNIST page's own setting: float32, Adam, mini-batches, the data read from data/mnist."""
    from pathlib import Path

    spec = {"name": "mnist", "n_train": 300, "n_test": 50, "digits": (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), "seed": 0}
    ds = load_dataset(**spec)
    net = MLP([784, 30, 10], "relu", init="he", seed=0, dtype=np.float32)
    tr = Trainer(net, Adam(0.003), ds.X_train, ds.y_train, batch_size=64, seed=0)
    src = standalone_script(tr, steps=12, data_spec=spec)
    assert "np.array(" not in src.split("TRAIN_ROWS")[0].split("def idx")[-1]  # the digits are read, not embedded
    tr.run(12)
    got = run_script(src, tmp_path, MNIST_DIR=str(Path(__file__).resolve().parents[1] / "data" / "mnist"))
    np.testing.assert_array_equal(got, [r.loss for r in tr.history])


@pytest.mark.parametrize("init", ["xavier", "he", "zeros"])
def test_script_with_every_init(init, tmp_path):
    """The symmetry lesson exports an all-zero net: its script must run too (it stopped with a
    KeyError when the script had its own copy of the init rules)."""
    tr = trainer(init=init)
    src = standalone_script(tr, steps=10)
    tr.run(10)
    np.testing.assert_allclose(run_script(src, tmp_path), [r.loss for r in tr.history], rtol=1e-10)


@pytest.mark.parametrize("act", ACTS)
def test_script_with_every_activation_batch_norm_and_dropout(act, tmp_path):
    tr = trainer(act, HEADS[0], "adam", batch=32, batch_norm=[True, False], dropout=[0.0, 0.3])
    src = standalone_script(tr, steps=25)
    tr.run(25)
    np.testing.assert_allclose(run_script(src, tmp_path), [r.loss for r in tr.history], rtol=1e-10)


def test_script_reads_clearly():
    src = standalone_script(trainer(), steps=5)
    code = [line for line in src.splitlines() if line.strip() and not line.startswith(("X = ", "     [", "y = "))]
    assert len(code) <= 150, len(code)  # the training code itself, without the embedded data
    for words in ("z = a @ W + b", "backprop", "d.sum(axis=0)", "np.random.default_rng", '"%.17g"'):
        assert words in src, words


def _continue_equals_uninterrupted(make, k, m, data_spec=None):
    a, b = make(), make()
    a.run(k + m)
    b.run(k)
    buf = io.BytesIO()
    save_run(b, buf, data_spec=data_spec)
    c = load_run(buf.getvalue())
    c.run(m)
    for (n1, p1), (n2, p2) in zip(a.net.named_params(), c.net.named_params()):
        assert n1 == n2 and p1.dtype == p2.dtype and p1.tobytes() == p2.tobytes(), n1
    assert a.history == c.history and a.step_count == c.step_count and a.epoch == c.epoch
    for x, y in zip(a.net.bn, c.net.bn):
        assert (x is None) == (y is None) and (x is None or x.running_var.tobytes() == y.running_var.tobytes())


@pytest.mark.parametrize("opt", list(OPTS))
def test_save_load_continue_is_bit_for_bit(opt):
    _continue_equals_uninterrupted(
        lambda: trainer("relu", HEADS[0], opt, batch=16, batch_norm=True, dropout=0.2), k=13, m=17)


def test_save_load_continue_with_a_data_spec_instead_of_the_data():
    spec = {"name": "circles", "n_samples": 120, "noise": 0.1, "test_fraction": 0.25, "seed": 1}
    _continue_equals_uninterrupted(lambda: trainer("tanh", HEADS[4], "sgd"), k=9, m=9, data_spec=spec)


@pytest.mark.parametrize("opt", ["momentum", "adam"])
@pytest.mark.parametrize("with_data", [True, False], ids=["data-in-file", "data-spec"])
def test_save_load_round_trips_every_field(opt, with_data):
    """Issue 17: a run saved without its loss_ref passed every test. Every attribute of the
    trainer and of its optimizer (their whole vars), the parameters, BatchNorm's running
    statistics, both generators, the history (thinned) and the data come back equal."""
    from _state import assert_same_state, trainer_state

    spec = {"name": "circles", "n_samples": 120, "noise": 0.1, "test_fraction": 0.25, "seed": 1}
    tr = trainer("relu", HEADS[0], opt, batch=16, batch_norm=[True, False], dropout=[0.2, 0.3])
    tr.max_history, tr.eval_every, tr.explode_factor = 12, 3, 50.0
    tr.opt.lr *= 0.5  # a live change after the build
    tr.run(40)
    assert tr.loss_ref is not None and len(tr.history) < 40 and tr._perm is not None and tr.last_eval
    buf = io.BytesIO()
    save_run(tr, buf, data_spec=None if with_data else spec)
    assert_same_state(trainer_state(tr), trainer_state(load_run(buf.getvalue())))


def test_a_resumed_exploding_run_pauses_where_the_uninterrupted_one_does():
    """Without loss_ref in the file, the resumed run took its first loss after loading as the
    reference and paused at step 6 instead of 4."""
    from engine import Diverged

    ds = load_dataset("xor", n_samples=400, noise=0.05, test_fraction=0.2, seed=0)

    def make():
        net = MLP([2, 2], loss="mse", output_activation="linear", init_var=0.3, seed=0)
        return Trainer(net, SGD(3.0), ds.X_train, ds.y_train)  # the loss x4 a step: paused at step 7

    def pause_step(tr):
        with pytest.raises(Diverged) as exc:
            tr.run(100)
        assert exc.value.reason == "exploded"
        return exc.value.step, str(exc.value)

    whole = make()
    want = pause_step(whole)
    assert want[0] == 7
    part = make()
    part.run(2)
    buf = io.BytesIO()
    save_run(part, buf)
    assert pause_step(load_run(buf.getvalue())) == want


@pytest.mark.parametrize("blob,match", [
    (b"not a zip at all", "not a saved run"),
    (b"", "not a saved run"),
])
def test_garbage_gets_a_sentence(blob, match):
    with pytest.raises(ValueError, match=match):
        load_run(blob)


def test_a_foreign_npz_and_a_damaged_run_get_a_sentence():
    buf = io.BytesIO()
    np.savez(buf, weights=np.ones(3))
    with pytest.raises(ValueError, match="not a saved run|not written by"):
        load_run(buf.getvalue())
    tr = trainer()
    tr.run(3)
    good = io.BytesIO()
    save_run(tr, good)
    raw = bytearray(good.getvalue())
    raw[len(raw) // 2: len(raw) // 2 + 64] = b"\0" * 64  # a damaged middle
    with pytest.raises(ValueError):
        load_run(bytes(raw))
    with np.load(io.BytesIO(good.getvalue())) as z:
        parts = {k: z[k] for k in z.files if k != "param/W2"}
    broken = io.BytesIO()
    np.savez(broken, **parts)
    with pytest.raises(ValueError, match="damaged or incomplete"):
        load_run(broken.getvalue())
