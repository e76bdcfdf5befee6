"""What the pages hand a student, against computations written out here (issue 17): the
"Check my numbers" code for every activation x loss, the MNIST confusion matrix, and the files
"Take it home" offers (history CSV, weights, the MNIST standalone script), through the same
functions the buttons call."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _labs import engine_lab

from engine import HIDDEN_ACTIVATIONS
from engine.worked import B1, B2, W1, W2, X, Y
from test_app_inside import ok, open_tab
from test_app_pages import open_page

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- Check my numbers
def act_and_slope(name, z):
    """f(z) and f'(z), the textbook definitions."""
    if name == "sigmoid":
        a = 1 / (1 + np.exp(-z))
        return a, a * (1 - a)
    if name == "tanh":
        a = np.tanh(z)
        return a, 1 - a ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z), np.where(z > 0, 1.0, 0.01)
    if name == "linear":
        return z.copy(), np.ones_like(z)
    raise AssertionError(name)


def textbook_step(act, loss, lr):
    """One plain-SGD step of the 2-3-2 example, every array, from the formulas."""
    N, T = len(Y), np.eye(2)[Y]
    z1 = X @ W1 + B1
    a1, s1 = act_and_slope(act, z1)
    z2 = a1 @ W2 + B2
    if loss == "cross_entropy":
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        a2 = e / e.sum(axis=1, keepdims=True)
        L = -np.log(a2[np.arange(N), Y]).mean()
        d2 = (a2 - T) / N
    elif loss == "bce":
        a2 = 1 / (1 + np.exp(-z2))
        L = -(T * np.log(a2) + (1 - T) * np.log(1 - a2)).sum() / N
        d2 = (a2 - T) / N
    else:  # mse with the tab's sigmoid output
        a2 = 1 / (1 + np.exp(-z2))
        L = 0.5 * ((a2 - T) ** 2).sum() / N
        d2 = (a2 - T) * a2 * (1 - a2) / N
    d1 = (d2 @ W2.T) * s1
    dW1, dW2 = X.T @ d1, a1.T @ d2
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": L, "delta2": d2, "dW2": dW2, "db2": d2.sum(axis=0),
            "delta1": d1, "dW1": dW1, "db1": d1.sum(axis=0), "W1_new": W1 - lr * dW1, "b1_new": B1 - lr * d1.sum(axis=0),
            "W2_new": W2 - lr * dW2, "b2_new": B2 - lr * d2.sum(axis=0)}


def test_check_my_numbers_prints_the_textbook_step_for_every_activation_and_loss():
    at = open_tab("xor", "Check my numbers")
    combos = [(a, l) for a in HIDDEN_ACTIVATIONS for l in ("mse", "cross_entropy", "bce")]
    assert len(combos) == 15
    for act, loss in combos:
        at.selectbox(key="xor.worked_act").set_value(act)
        at.selectbox(key="xor.worked_loss").set_value(loss).run()
        ok(at)
        ns = {}
        exec(next(c.value for c in at.code if "W1_new" in c.value), ns)  # run the code the tab prints
        want = textbook_step(act, loss, lr=0.5)
        for name, value in want.items():
            np.testing.assert_allclose(ns[name], value, rtol=1e-12, atol=1e-15, err_msg=f"{act} + {loss}: {name}")


# ----------------------------------------------------------------------------- MNIST confusion matrix
def test_confusion_matrix_counts_the_test_digits_by_true_and_predicted_class():
    params = {"digits": "3,5,8", "ntrain": "600", "ntest": "300"}
    at = open_page("mnist", params)
    for _ in range(3):
        at.button(key="mnist._step").click().run()
    ok(at)
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    chart = at.get("vega_lite_chart")[0].proto
    df = convert_arrow_bytes_to_pandas_df(chart.datasets[0].data.data)
    lab = at.session_state["mnist._lab"]
    ds = lab.dataset
    pred = np.argmax(lab.net.forward(ds.X_test), axis=1)
    want = np.zeros((3, 3), dtype=int)
    for t, p in zip(ds.y_test, pred):
        want[t, p] += 1
    names = ds.class_names
    got = np.zeros((3, 3), dtype=int)
    for row in df.itertuples():
        got[names.index(row.true), names.index(row.pred)] = row.count
        np.testing.assert_allclose(row.frac, row.count / want[names.index(row.true)].sum())
    assert names == ["3", "5", "8"] and got.sum() == 300
    np.testing.assert_array_equal(got, want)
    # and the same as the engine's own run of these steps (what the page trained is reproducible)
    mine = engine_lab("mnist", params)
    mine.advance(3)
    np.testing.assert_array_equal(np.argmax(mine.net.forward(ds.X_test), axis=1), pred)


# ----------------------------------------------------------------------------- Take it home
def test_history_csv_and_weights_file_hold_the_run():
    from ui.export_view import _weights_bytes

    lab = engine_lab("circles", {"hidden": "6,5", "bn": "1", "batch": "64"})
    lab.advance(7)
    hist = pd.read_csv(io.StringIO(lab.trainer.history_frame().to_csv(index=False)))  # the button's content
    recs = lab.trainer.history
    assert list(hist["step"]) == [r.step for r in recs] == list(range(1, 8))
    np.testing.assert_allclose(hist["loss"], [r.loss for r in recs], rtol=1e-15)
    np.testing.assert_allclose(hist["train_acc"], [r.train_acc for r in recs])
    cols = [c for c in hist.columns if "delta" in c]
    assert len(cols) == 3, hist.columns
    np.testing.assert_allclose(hist[cols].to_numpy(), [r.delta_norms for r in recs], rtol=1e-15)
    w = np.load(io.BytesIO(_weights_bytes(lab)))
    names = dict(lab.net.named_params())
    assert set(names) <= set(w.files) and {"running_mean1", "running_var2"} <= set(w.files)
    for k, v in names.items():
        assert np.array_equal(w[k], v), k
    assert w["W1"].shape == (2, 6) and w["W3"].shape == (5, 2)   # (n_(l-1), n_l), as the help says
    np.testing.assert_array_equal(w["running_mean1"], lab.net.bn[0].running_mean)


@pytest.mark.parametrize("opt", ["momentum", "sgd"])
def test_the_mnist_script_reproduces_the_page_run(tmp_path, opt):
    """The MNIST page's "Script (run.py)": it reads the shipped digits (data/mnist, or $MNIST_DIR)
    and prints the page's first batch losses."""
    from engine.export import standalone_script
    from ui.config import data_spec

    lab = engine_lab("mnist", {"digits": "1,7", "ntrain": "300", "ntest": "100", "hidden": "16", "opt": opt})
    lab.advance(4)
    src = standalone_script(lab.trainer, 4, data_spec(lab.cfg))
    assert "mnist" in src.lower()
    (tmp_path / "run.py").write_text(src)
    out = subprocess.run([sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"MNIST_DIR": str(ROOT / "data" / "mnist"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-1500:]
    losses = [float(v) for v in out.stdout.split()]
    np.testing.assert_allclose(losses, [r.loss for r in lab.trainer.history], rtol=1e-10)  # the export contract
