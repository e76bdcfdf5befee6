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

    # the loop's frame is advance_frame (tests/test_st_internals.py covers its Pause answers)
    assert "advance_frame(lab, checkpoint)" in inspect.getsource(live.run_live)
    asked = {}

    class Lab:
        class cfg:
            steps_per_frame = 50

        class trainer:
            snapshot = staticmethod(lambda: None)

        @staticmethod
        def advance(n, seconds=None, stop=None):
            asked.update(n=n, seconds=seconds, stop=stop)
            return True

    class Slot:
        def empty(self):
            pass

    assert live.advance_frame(Lab, Slot()) is True
    assert asked["n"] == 50 and asked["seconds"] == limits.FRAME_WORK_SECONDS and callable(asked["stop"])
    assert 0 < limits.FRAME_WORK_SECONDS <= 0.5


def _run_all(requests, hold=0.15):
    """Threads asking pacing.engine_memory for these byte counts at once -> (the most held at
    one moment, the order in which they got in)."""
    lock, held, most, order = threading.Lock(), [0], [0], []

    def work(i, nbytes):
        with pacing.engine_memory(nbytes) as got:
            assert got
            with lock:
                order.append(i)
                held[0] += min(nbytes, limits.ENGINE_BYTES) if nbytes > limits.ENGINE_SMALL_BYTES else 0
                most[0] = max(most[0], held[0])
            threading.Event().wait(hold)
            with lock:
                held[0] -= min(nbytes, limits.ENGINE_BYTES) if nbytes > limits.ENGINE_SMALL_BYTES else 0

    threads = []
    for i, n in enumerate(requests):
        threads.append(threading.Thread(target=work, args=(i, n)))
        threads[-1].start()
        threading.Event().wait(0.01)  # arrival order
    for t in threads:
        t.join(20)
    return most[0], order


def test_engine_passes_of_all_sessions_share_a_memory_budget():
    big = int(0.6 * limits.ENGINE_BYTES)  # two cannot run at once
    most, _ = _run_all([big] * 4)
    assert most == big
    most, _ = _run_all([limits.ENGINE_BYTES // 5] * 8)
    assert limits.ENGINE_BYTES // 5 * 4 <= most <= limits.ENGINE_BYTES
    most, _ = _run_all([10 * limits.ENGINE_BYTES] * 2)  # bigger than the budget: alone, never stuck
    assert most == limits.ENGINE_BYTES


def test_a_big_pass_is_not_starved_by_smaller_ones():
    small, big = limits.ENGINE_BYTES // 3, limits.ENGINE_BYTES
    _, order = _run_all([small, small, big] + [small] * 6)
    assert order.index(2) <= 2  # it goes third, as it arrived, not after the stream of smaller passes


def test_light_passes_never_wait_and_a_pause_does_not_wait_for_memory(monkeypatch):
    lb = Lab("xor", config_from_params("xor", {})[0], load)
    assert lb.pass_bytes() < limits.ENGINE_SMALL_BYTES
    with pacing.engine_memory(limits.ENGINE_BYTES):  # a heavy session computes
        assert lb.advance(3) and lb.step == 3  # a light session does not wait for it
        with pacing.engine_memory(limits.ENGINE_BYTES, stop=lambda: True) as got:
            assert got is False  # gave up waiting: the Pause goes through
        monkeypatch.setattr(limits, "ENGINE_SMALL_BYTES", 0)  # now this lab's passes must wait too
        assert lb.advance(5, stop=lambda: True) and lb.step == 3  # no memory, no step, no error
    assert lb.advance(1) and lb.step == 4


def test_the_heaviest_link_is_a_heavy_pass_and_the_defaults_are_not():
    heavy = config_from_params("mnist", HEAVIEST)[0]

    class Probe(Lab):  # the estimate only needs sizes and rows: skip the build
        def __init__(self, cfg, rows, test_rows, sizes, itemsize):
            self.trainer = type("T", (), {"effective_batch_size": rows})()
            self.dataset = type("D", (), {"y_test": range(test_rows)})()
            self.net = type("N", (), {"sizes": sizes, "dtype": np.dtype(itemsize)})()

    assert Probe(heavy, 8000, 2000, [784] + [256] * 6 + [10], "f4").pass_bytes() > 300e6
    assert Probe(heavy, 8000, 2000, [784] + [256] * 6 + [10], "f4").pass_bytes() <= 1.1 * limits.ENGINE_BYTES
    assert Probe(None, 64, 2000, [784, 100, 10], "f4").pass_bytes() < 20e6  # the MNIST default: its test set
    assert Probe(None, 320, 80, [2, 8, 8, 2], "f8").pass_bytes() < limits.ENGINE_SMALL_BYTES  # XOR
    assert 20e6 < Probe(None, 1600, 400, [2] + [64] * 6 + [2], "f8").pass_bytes() < 40e6


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


def test_the_step_walkthrough_is_refused_where_it_would_keep_a_whole_heavy_step():
    from ui import walkthrough

    lb = Lab("mnist", config_from_params("mnist", HEAVIEST)[0], load)
    walkthrough._start(lb)
    assert lb.walk is None and "smaller batch" in lb.error and "321 MB" in lb.error
    lb.error = None
    lb.apply_live(lb.with_cfg(batch_size=256))  # a batch of 256: ~10 MB, offered
    walkthrough._start(lb)
    assert lb.walk is not None and lb.error is None


def test_freed_activations_go_back_to_the_system():
    """glibc keeps freed memory in per-thread arenas (four sessions' heavy steps one after another
    kept ~800 MB resident): the app limits the arenas and trims after every big pass."""
    import subprocess
    import sys

    code = ("import ui.memory as m, sys; from ui import limits; "
            "sys.exit(0 if m.APPLIED and m.trim() in (True, False) and limits.MALLOC_ARENAS == 1 else 1)")
    if sys.platform.startswith("linux"):
        assert subprocess.run([sys.executable, "-c", code], cwd=str(__import__("pathlib").Path(__file__).parents[1])
                              ).returncode == 0
    import inspect

    assert "memory.trim()" in inspect.getsource(pacing.engine_memory)
    assert "ui.memory" in (__import__("pathlib").Path(__file__).parents[1] / "app.py").read_text()
