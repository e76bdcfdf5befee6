"""The two places where the live loop reads Streamlit's internals, kept together and tested
against the pinned version (tests/test_live_view.py). Each has a safe fallback that only
costs speed if a Streamlit upgrade changes what it reads.

1. ``release_ids``: a keyed element may be sent many times in one script run. The live loop
   updates its view element every frame; Streamlit rejects a key used twice in one run, so
   the ids that call registered are removed again. A stable key is what lets the browser
   keep the mounted element (its canvases and charts) and merely receive new data.
2. ``rerun_pending``: whether a Pause (or any full re-run) is waiting. Streamlit stops a
   running script only at its next element update; the loop asks before each engine step,
   so a Pause never leaves a computed but unshown step. Reading the flag costs nothing; the
   fallback, an empty element sent before each step, doubles the messages per frame, and
   the browser's cost is per message (measured: 118 messages/s for 59 frames/s saturated a
   core of Chromium while 37 frames/s were painted).
"""
from __future__ import annotations


def _ctx():
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True)


def registered_ids():
    """-> (sets, snapshot) of the per-run element id and key registries, or None."""
    try:
        shared = _ctx().shared
        sets = (shared.widget_ids_this_run, shared.widget_user_keys_this_run)
        return sets, [set(s._data) for s in sets]
    except Exception:
        return None


def release_ids(registered) -> bool:
    """Forget the ids registered since ``registered_ids()`` was taken. -> success."""
    try:
        sets, snapshot = registered
        for s, old in zip(sets, snapshot):
            with s._lock:
                s._data.intersection_update(old)
        return True
    except Exception:
        return False


def rerun_pending() -> bool | None:
    """True if a re-run that would stop this script is waiting, False if not, None if unknown."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import (
            ScriptRequestType,
            _fragment_run_should_not_preempt_script,
        )

        req = _ctx().script_requests
        if req._state == ScriptRequestType.CONTINUE:
            return False
        if req._state == ScriptRequestType.RERUN:
            data = req._rerun_data
            return not _fragment_run_should_not_preempt_script(data.fragment_id_queue,
                                                               data.is_fragment_scoped_rerun)
        if req._state == ScriptRequestType.STOP:
            return True
        # a state this code does not know (a Streamlit upgrade): unknown, never "pending" — the
        # loop would undo every frame's steps and Play would look frozen
        return None
    except Exception:
        return None
