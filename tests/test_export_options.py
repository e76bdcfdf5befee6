"""Export with engineered features, L1, gradient clipping and learning-rate schedules (issue 19,
items 2, 3 and 8): the standalone script prints the trainer's losses (float64 and float32,
exactly), and save -> load -> continue equals the uninterrupted run bit for bit, every field."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from test_export import DS, OPTS, run_script

from engine import MLP, Trainer
from engine.export import load_run, run_settings, save_run, standalone_script
from engine.schedules import Constant, Cosine, StepDecay


@pytest.fixture(autouse=True)
def one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


CASES = {
    "features-all": dict(features=("x1", "x2", "x1x2", "x1sq", "x2sq", "sin1", "sin2")),
    "features-squares-no-hidden": dict(features=("x1sq", "x2sq"), hidden=()),
    "l1": dict(l1=0.01),
    "clip": dict(clip_norm=0.05),
    "step-decay": dict(schedule=StepDecay(7, 0.5)),
    "cosine": dict(schedule=Cosine(20, 0.001)),
    "everything": dict(features=("sin2", "x1x2", "x1sq"), l1=0.003, clip_norm=0.1, schedule=Cosine(15)),
}


def trainer(opt="momentum", batch=16, dtype=np.float64, features=None, hidden=(6, 5), **options):
    n0 = len(features) if features else 2
    net = MLP([n0, *hidden, 2], "tanh", init_var=0.5, seed=2, dtype=dtype, features=features)
    return Trainer(net, OPTS[opt](), DS.X_train, DS.y_train, DS.X_test, DS.y_test, batch_size=batch, seed=2,
                   **options)


@pytest.mark.parametrize("opt", ["momentum", "adam"])
@pytest.mark.parametrize("case", list(CASES))
def test_script_reproduces_the_losses(case, opt, tmp_path):
    tr = trainer(opt, **CASES[case])
    src = standalone_script(tr, steps=40)
    tr.run(40)
    got, want = run_script(src, tmp_path), np.array([r.loss for r in tr.history])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=0)
    if "clip_norm" in CASES[case]:
        assert sum(r.total_grad_norm > tr.clip_norm for r in tr.history) >= 5  # it did clip


@pytest.mark.parametrize("case", ["everything", "features-all"])
def test_script_in_float32_is_exact(case, tmp_path):
    tr = trainer("adam", dtype=np.float32, **CASES[case])
    src = standalone_script(tr, steps=30)
    tr.run(30)
    np.testing.assert_array_equal(run_script(src, tmp_path), [r.loss for r in tr.history])


def test_script_shows_the_features_and_options_only_when_used():
    plain = standalone_script(trainer(), steps=3)
    for words in ("FEATURES", "with_l1", "clipped", "learning_rate("):
        assert words not in plain, words
    src = standalone_script(trainer(**CASES["everything"]), steps=3)
    assert "FEATURES = ['sin2', 'x1x2', 'x1sq']" in src and "np.stack([np.sin(x2), x1 * x2, x1 * x1], axis=1)" in src
    assert "sin x₂, x₁x₂, x₁²" in src and "SIZES = [3, 6, 5, 2]" in src
    for words in ("L1 = 0.003", "np.sign(p)", "CLIP = 0.1", "1e-6", "SCHEDULE = {'name': 'cosine'", "math.cos"):
        assert words in src, words


def _continue_equals_uninterrupted(make, k, m, data_spec=None):
    from _state import assert_same_state, trainer_state

    a, b = make(), make()
    a.run(k + m)
    b.run(k)
    buf = io.BytesIO()
    save_run(b, buf, data_spec=data_spec)
    c = load_run(buf.getvalue())
    assert_same_state(trainer_state(b), trainer_state(load_run(buf.getvalue())))
    assert c.net.features == b.net.features and c.l1 == b.l1 and c.clip_norm == b.clip_norm
    assert c.schedule == b.schedule
    c.run(m)
    for (n1, p1), (n2, p2) in zip(a.net.named_params(), c.net.named_params()):
        assert n1 == n2 and p1.dtype == p2.dtype and p1.tobytes() == p2.tobytes(), n1
    assert a.history == c.history and a.step_count == c.step_count


@pytest.mark.parametrize("case", list(CASES))
def test_save_load_continue_is_bit_for_bit(case):
    _continue_equals_uninterrupted(lambda: trainer("momentum", **CASES[case]), k=11, m=14)


def test_save_load_with_a_data_spec_keeps_the_raw_points_and_the_features():
    spec = {"name": "circles", "n_samples": 120, "noise": 0.1, "test_fraction": 0.25, "seed": 1}
    _continue_equals_uninterrupted(lambda: trainer("adam", **CASES["everything"]), k=9, m=9, data_spec=spec)
    buf = io.BytesIO()
    save_run(trainer(**CASES["everything"]), buf, data_spec=spec)
    settings = run_settings(buf.getvalue())
    assert settings["net"]["features"] == ["sin2", "x1x2", "x1sq"]
    assert settings["trainer"]["schedule"] == {"name": "cosine", "T_max": 15, "eta_min": 0.0}
    assert settings["trainer"]["l1"] == 0.003 and settings["trainer"]["clip_norm"] == 0.1


def test_a_run_saved_before_these_options_still_loads():
    """Files written before issue 19 have no features, l1, schedule or clip, and 8 + 3L history
    columns: they load as a plain run with a constant rate."""
    tr = trainer()
    tr.run(5)
    buf = io.BytesIO()
    save_run(tr, buf)
    with np.load(io.BytesIO(buf.getvalue())) as z:
        files = {k: z[k] for k in z.files}
    meta = json.loads(str(files.pop("meta")))
    del meta["net"]["features"]
    for k in ("l1", "schedule", "clip_norm"):
        del meta["trainer"][k]
    L = tr.net.n_layers
    files["history/numbers"] = files["history/numbers"][:, :8 + 3 * L]
    old = io.BytesIO()
    np.savez_compressed(old, meta=np.array(json.dumps(meta)), **files)
    back = load_run(old.getvalue())
    assert back.net.features is None and back.l1 == 0.0 and back.clip_norm is None and back.schedule == Constant()
    assert [r.loss for r in back.history] == [r.loss for r in tr.history]
    assert np.isnan(back.history[0].total_grad_norm) and back.history[0].small_weights == ()
    back.run(3)


def test_a_damaged_schedule_in_a_file_gets_a_sentence():
    tr = trainer(schedule=StepDecay(3))
    buf = io.BytesIO()
    save_run(tr, buf)
    with np.load(io.BytesIO(buf.getvalue())) as z:
        files = {k: z[k] for k in z.files}
    meta = json.loads(str(files.pop("meta")))
    meta["trainer"]["schedule"] = {"name": "step", "step_size": -4, "gamma": 0.5}
    bad = io.BytesIO()
    np.savez_compressed(bad, meta=np.array(json.dumps(meta)), **files)
    with pytest.raises(ValueError, match="step_size"):
        load_run(bad.getvalue())


@pytest.mark.parametrize("opt", ["momentum", "adam"])
def test_a_run_saved_before_its_first_step_loads_and_continues_exactly(opt):
    # the optimizer makes its state at its first step: a file of step 0 has no slots (the run-file
    # checks once refused it: "its optimizer state has 0 slots for 6 parameter arrays")
    tr = trainer(opt)
    buf = io.BytesIO()
    save_run(tr, buf)
    back = load_run(buf.getvalue())
    assert back.step_count == 0
    for _ in range(3):
        assert tr.step().loss == back.step().loss
