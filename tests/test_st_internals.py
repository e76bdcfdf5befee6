"""ui/st_internals.rerun_pending against every request state of the pinned Streamlit, and what
the live loop does with each answer (ui/live.py advance_frame): a Pause waiting undoes the
frame's steps; "unknown" (a Streamlit upgrade changed what it reads) must never undo them, or
Play would look frozen."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequestType

from ui import live, st_internals


def fake_ctx(monkeypatch, state, rerun_data=None):
    req = SimpleNamespace(_state=state, _rerun_data=rerun_data)
    monkeypatch.setattr(st_internals, "_ctx", lambda: SimpleNamespace(script_requests=req))


# every state the pinned version has, with what it means for a running full script
CASES = [
    (ScriptRequestType.CONTINUE, None, False),                                        # nothing waiting
    (ScriptRequestType.STOP, None, True),                                             # the session ends
    (ScriptRequestType.RERUN, RerunData(), True),                                     # a click: full re-run
    (ScriptRequestType.RERUN, RerunData(fragment_id_queue=["f"]), False),             # a fragment's timer
    (ScriptRequestType.RERUN, RerunData(fragment_id_queue=["f"], is_fragment_scoped_rerun=True), True),
]


def test_every_request_state_of_the_pinned_streamlit_is_covered():
    assert {s for s, _, _ in CASES} == set(ScriptRequestType)


@pytest.mark.parametrize("state,data,want", CASES, ids=[f"{s.name}-{i}" for i, (s, _, _) in enumerate(CASES)])
def test_rerun_pending_for_each_known_state(monkeypatch, state, data, want):
    fake_ctx(monkeypatch, state, data)
    assert st_internals.rerun_pending() is want


def test_an_unknown_state_is_unknown_not_pending(monkeypatch):
    """After an upgrade adds a state (say PAUSE), the loop must not take it for a waiting Pause."""
    fake_ctx(monkeypatch, SimpleNamespace(name="PAUSE", value="PAUSE"))
    assert st_internals.rerun_pending() is None
    fake_ctx(monkeypatch, "RERUN")  # a renamed enum: a plain string is no ScriptRequestType either
    assert st_internals.rerun_pending() is None


def test_no_context_or_changed_internals_are_unknown(monkeypatch):
    monkeypatch.setattr(st_internals, "_ctx", lambda: None)
    assert st_internals.rerun_pending() is None
    monkeypatch.setattr(st_internals, "_ctx", lambda: SimpleNamespace(script_requests=SimpleNamespace()))
    assert st_internals.rerun_pending() is None
    fake_ctx(monkeypatch, ScriptRequestType.RERUN, rerun_data=None)  # RERUN without its data
    assert st_internals.rerun_pending() is None


# ----------------------------------------------------------------------------- the live loop's use
class FakeLab:
    """A lab whose trainer counts steps and can be snapshotted (the part ui.live uses)."""

    def __init__(self):
        self.steps = 0
        self.cfg = SimpleNamespace(steps_per_frame=3)
        self.trainer = SimpleNamespace(snapshot=lambda: self.steps, restore=self._restore)

    def _restore(self, snap):
        self.steps = snap

    def advance(self, n):
        self.steps += n
        return True


class Slot:
    def __init__(self):
        self.emptied = 0

    def empty(self):
        self.emptied += 1


@pytest.mark.parametrize("answer,kept,checkpoints", [
    (False, True, 0),   # nothing waiting: the steps stand, no extra message
    (True, False, 2),   # a Pause waits: an element update before the step stops the script there
    (None, True, 1),    # unknown: the empty element before the step is the safe fallback; never undo
])
def test_the_live_loop_with_each_answer(monkeypatch, answer, kept, checkpoints):
    monkeypatch.setattr(st_internals, "rerun_pending", lambda: answer)
    lab, slot = FakeLab(), Slot()
    assert live.advance_frame(lab, slot) is True
    assert lab.steps == (3 if kept else 0), "the frame's steps"
    assert slot.emptied == checkpoints
