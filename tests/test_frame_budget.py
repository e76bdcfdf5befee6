"""A frame of the live loop is bounded: its engine work stops after FRAME_WORK_SECONDS (at least
one step) or as soon as a Pause waits, the sessions' steps share a few engine slots, and a
network between steps keeps no batch-sized arrays (the heaviest link held ~275 MB per visitor).
No timing here (speed is benchmarked): step counts, callables, and tracemalloc."""
from __future__ import annotations

import gc
import threading
import tracemalloc

import numpy as np
import pytest

from engine import MLP
from tests._hostile import load
from ui import limits, pacing
from ui.config import config_from_params
from ui.lab import Lab

HEAVIEST = {"hidden": "256,256,256,256,256,256", "batch": "0", "spf": "50"}  # the heaviest accepted link


def test_a_frame_stops_after_its_time_budget_but_takes_at_least_one_step():
    lb = Lab("xor", config_from_params("xor", {"spf": "50"})[0], load)
    assert lb.advance(50, seconds=0.0) and lb.step == 1  # the budget was spent by the first step
    assert lb.advance(50, seconds=60.0) and lb.step == 51


def test_a_waiting_pause_stops_the_frame_between_steps():
    lb = Lab("xor", config_from_params("xor", {})[0], load)
    asked = []

    def stop():
        asked.append(lb.step)
        return len(asked) >= 3  # "a Pause arrived" after the third step

    assert lb.advance(50, stop=stop) and lb.step == 3 and asked == [1, 2, 3]


def test_the_live_loop_uses_the_budget():
    import inspect

    from ui import live

    src = inspect.getsource(live.run_live)
    assert "seconds=limits.FRAME_WORK_SECONDS" in src and "stop=" in src
    assert 0 < limits.FRAME_WORK_SECONDS <= 0.5


def test_engine_slots_bound_how_many_sessions_compute_at_once():
    inside, most = [0], [0]
    lock = threading.Lock()
    gate = threading.Event()

    def work():
        with pacing.engine_slot() as got:
            assert got
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            gate.wait(0.2)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == limits.ENGINE_WORKERS


def test_a_pause_does_not_wait_for_a_slot():
    held = [pacing._engine.acquire() for _ in range(limits.ENGINE_WORKERS)]
    try:
        with pacing.engine_slot(stop=lambda: True) as got:
            assert got is False  # gave up waiting: the Pause goes through
        lb = Lab("xor", config_from_params("xor", {})[0], load)
        assert lb.advance(5, stop=lambda: True) and lb.step == 0  # no slot, no step, no error
    finally:
        for _ in held:
            pacing._engine.release()


def test_clear_caches_changes_no_number():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    a = MLP([3, 6, 5, 2], ["relu", "tanh"], batch_norm=[True, False], dropout=[0.0, 0.3], seed=4)
    b = a.copy()
    la, ga = a.gradients(X, y)
    lb_, gb = b.gradients(X, y)
    a.clear_caches()
    assert a.last_deltas == [] and a.last_output is None and all(d.x is None for d in a.dense)
    la2, ga2 = a.gradients(X, y)
    lb2, gb2 = b.gradients(X, y)
    assert la2 == lb2 and all(np.array_equal(p, q) for pair_a, pair_b in zip(ga2, gb2) for p, q in zip(pair_a, pair_b))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_a_session_between_steps_holds_no_batch_sized_arrays():
    """The heaviest accepted link kept ~275 MB of caches per session after every step."""
    cfg, warns = config_from_params("mnist", HEAVIEST)
    assert not warns
    lb = Lab("mnist", cfg, load)
    lb.advance(1)  # the first step makes the momentum buffers
    gc.collect()
    tracemalloc.start()
    try:
        lb.advance(1)
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lb.step == 2
    assert peak > 100e6  # the step itself needs the activations of a full batch of 8,000 digits...
    assert kept < 10e6, f"{kept / 1e6:.0f} MB kept after the step"  # ...and keeps none of them
