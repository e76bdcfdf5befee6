"""The browser's checkpoint, server side (ui/checkpoint.py): what the checkpoint element sends
after each kind of change of the run, and how a run the browser sends back is checked and
continued (through ui.state.continue_run_bytes, like an uploaded run file). The browser half and
a real server restart: tests/test_browser_checkpoint.py."""
from __future__ import annotations

import base64
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import load_dataset
from engine.export import load_run, run_settings, save_run
from ui.config import CHECKPOINT_BYTES, config_from_params, data_spec
from ui.frames import unpack
from ui.lab import Lab

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


def load(c):
    if c.dataset == "mnist":
        return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
    return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                        seed=c.data_seed)


def run_file(lab) -> bytes:
    buf = io.BytesIO()
    save_run(lab.trainer, buf, data_spec=data_spec(lab.cfg))
    return buf.getvalue()


def npz_content(data: bytes) -> dict:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: (z[k].dtype.str, z[k].shape, z[k].tobytes()) for k in z.files}


# ----------------------------------------------------------------------------- what is sent
def open_xor(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("app_pages/xor.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sent(at: AppTest, page: str = "xor") -> tuple[dict, dict]:
    """The checkpoint element's message of the last run -> (meta.ck, arrays)."""
    found = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"bp-ckpt-{page}")]
    assert len(found) == 1, [e.proto.id for e in at.get("bidi_component")]
    meta, arrays = unpack(found[0].proto.bytes)
    assert meta["parts"] == ["checkpoint"]
    return meta["ck"], arrays


def click(at: AppTest, name: str) -> AppTest:
    at.button(key=f"xor.{name}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_new_session_keeps_nothing_and_discards_nothing_it_did_not_write():
    at = open_xor()
    ck, arrays = sent(at)
    # step 0 of a fresh session: "clear", which the browser applies only to a record this session
    # wrote, so a run kept by an earlier session stays on offer
    assert ck["op"] == "clear" and ck["reset"] is False and "run" not in arrays
    assert ck["page"] == "xor" and ck["step"] == 0 and ck["max"] == CHECKPOINT_BYTES
    assert ck["token"] and ck["token"] == at.session_state["_session_token"]
    at.run()  # nothing changed: nothing to do
    assert sent(at)[0]["op"] is None


def test_step_and_step_epoch_send_the_run_file_of_that_moment():
    at = open_xor({"hidden": "5,3", "batch": "16", "opt": "adam", "lr": "0.01"})
    for name, steps in (("_step", 1), ("_step", 2), ("_epoch", 20)):
        click(at, name)
        lab = at.session_state["xor._lab"]
        ck, arrays = sent(at)
        assert ck["op"] == "save" and ck["step"] == lab.step == steps and ck["epoch"] == lab.trainer.epoch
        assert ck["query"] == "hidden=5%2C3&opt=adam&lr=0.01&batch=16"
        data = arrays["run"].tobytes()
        assert set(npz_content(data)) == set(npz_content(run_file(lab)))  # "Take it home"'s file
        # continued, it is the page's run: the next steps equal (the page may have drawn the next
        # epoch's batch order since, from the same generator: the same order)
        ds = lab.dataset
        back = load_run(data, ds.X_train, ds.y_train, ds.X_test, ds.y_test)
        twin = load_run(run_file(lab), ds.X_train, ds.y_train, ds.X_test, ds.y_test)
        back.run(3)
        twin.run(3)
        assert back.step_count == steps + 3 and back.history == twin.history
        for p, q in zip(back.net.params(), twin.net.params()):
            assert p.tobytes() == q.tobytes()


def test_a_live_setting_is_a_change_of_the_run_and_is_kept():
    at = open_xor()
    click(at, "_step")
    at.select_slider(key="xor.lr").set_value(0.1).run()
    ck, arrays = sent(at)
    assert ck["op"] == "save" and "lr=0.1" in ck["query"]
    assert run_settings(arrays["run"].tobytes())["optimizer"]["lr"] == 0.1


def test_reset_discards_and_a_rebuild_clears_only_this_sessions_copy():
    at = open_xor()
    click(at, "_step")
    assert sent(at)[0]["op"] == "save"
    click(at, "_reset")
    ck, arrays = sent(at)
    assert (ck["op"], ck["reset"], ck["step"]) == ("clear", True, 0) and "run" not in arrays
    click(at, "_step")
    at.number_input(key="xor.units0").set_value(5).run()  # architecture: rebuilt at step 0
    ck, _ = sent(at)
    assert (ck["op"], ck["reset"], ck["step"]) == ("clear", False, 0)


def test_a_lesson_starts_a_new_run_at_step_0_so_this_sessions_copy_is_cleared():
    at = open_xor()
    click(at, "_step")
    assert sent(at)[0]["op"] == "save"
    at.switch_page("app_pages/lessons.py").run()
    at.button(key="lesson-vanishing").click().run()  # opens XOR with 4 sigmoid layers
    assert not at.exception, [e.value for e in at.exception]
    ck, _ = sent(at)
    assert (ck["op"], ck["reset"], ck["step"]) == ("clear", False, 0) and "hidden=8%2C8%2C8%2C8" in ck["query"]


def test_compare_keeps_no_checkpoint():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.get("bidi_component") if "bp-ckpt" in e.proto.id]


# ----------------------------------------------------------------------------- coming back
def _script(tmp_path) -> Path:
    """A page's lab in a session, and checkpoint.restore(page, payload) called as the
    element's callback would (payload from session state)."""
    f = tmp_path / "restore_app.py"
    f.write_text(f"""import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from ui import checkpoint, state
page = st.session_state.get("page", "xor")
state.init_page(page)
lab, err = state.ensure_lab(page, state.read_config(page))
steps = st.session_state.pop("steps", 0)
if steps:
    lab.advance(steps)
if "payload" in st.session_state:
    st.session_state["result"] = checkpoint.restore(page, st.session_state.pop("payload"))
st.session_state["page_keys"] = sorted(k for k in st.session_state.keys() if k.startswith(page + ".") and k != page + "._lab")
""")
    return f


def _page_state(at: AppTest, page: str) -> dict:
    """Every value of the page in the session (widgets' values, the run's numbers)."""
    lab = at.session_state[f"{page}._lab"]
    keys = at.session_state["page_keys"]
    return {"values": {k: at.session_state[k] for k in keys}, "step": lab.step, "cfg": lab.cfg,
            "params": [p.tobytes() for p in lab.net.params()], "history": list(lab.trainer.history)}


def _session(tmp_path, page: str = "xor", steps: int = 0) -> AppTest:
    at = AppTest.from_file(str(_script(tmp_path)), default_timeout=60)
    at.session_state["page"] = page
    at.session_state["steps"] = steps
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_run_sent_back_continues_exactly_with_its_settings(tmp_path):
    cfg, warns = config_from_params("xor", {"hidden": "6,4", "act": "relu", "bn": "1", "drop": "0.1",
                                            "opt": "adam", "lr": "0.01", "batch": "16", "seed": "3"})
    assert not warns
    a, b = Lab("xor", cfg, load), Lab("xor", cfg, load)
    a.advance(40)
    b.advance(31)
    at = _session(tmp_path, steps=3)  # a new session with its own (default) run
    at.session_state["payload"] = {"data": base64.b64encode(run_file(b)).decode(), "step": 31}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["result"] is None
    lab = at.session_state["xor._lab"]
    assert lab.step == 31 and lab.cfg.hidden == (6, 4) and lab.cfg.batch_norm and lab.cfg.optimizer == "adam"
    assert at.session_state["xor.units0"] == 6 and at.session_state["xor.lr"] == 0.01  # the sidebar's values
    assert "Continued your run from step 31" in lab.notice
    lab.advance(9)
    for p, q in zip(a.net.params(), lab.net.params()):
        assert p.tobytes() == q.tobytes()
    assert a.trainer.history == lab.trainer.history  # every loss of steps 32..40 equal


@pytest.mark.parametrize("payload,words", [
    (None, "no readable checkpoint"),
    ({"data": 12}, "no readable checkpoint"),
    ("abc", "no readable checkpoint"),
    ({"data": "not base64 !"}, "not base64"),
    ({"data": "é" * 10}, "not base64"),
    ({"data": base64.b64encode(b"PK\x03\x04 garbage " * 50).decode()}, "not a saved run"),
    ({"data": "A" * (4 * -(-CHECKPOINT_BYTES // 3) + 4)}, "more than the 8.0 MB"),
])
def test_a_damaged_or_oversized_run_gets_a_sentence_and_changes_nothing(tmp_path, payload, words):
    at = _session(tmp_path, steps=4)
    before = _page_state(at, "xor")
    at.session_state["payload"] = payload
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["result"]
    assert words in result and result.endswith("Nothing was changed."), result
    assert _page_state(at, "xor") == before
    at.session_state["steps"] = 1  # the next step works
    at.run()
    assert at.session_state["xor._lab"].step == 5


def test_a_run_of_another_page_is_refused_with_the_pages_name(tmp_path):
    other = Lab("circles", config_from_params("circles", {})[0], load)
    other.advance(2)
    at = _session(tmp_path, steps=1)
    before = _page_state(at, "xor")
    at.session_state["payload"] = {"data": base64.b64encode(run_file(other)).decode()}
    at.run()
    assert "saved on the Circles page" in at.session_state["result"]
    assert _page_state(at, "xor") == before


def test_the_largest_run_the_sidebar_allows_fits_what_the_browser_keeps():
    """MNIST, 6 layers of 256 units (the sidebar's maximum), batch norm, Adam (two moments per
    parameter), the full 8,000 digits, a full history: the checkpoint limit must hold it."""
    cfg, warns = config_from_params("mnist", {"hidden": ",".join(["256"] * 6), "bn": "1", "opt": "adam",
                                              "lr": "0.001", "batch": "64"})
    assert not warns
    lab = Lab("mnist", cfg, load)
    lab.advance(2)
    tr = lab.trainer
    r = tr.history[-1]
    rng = np.random.default_rng(0)
    tr.history = [replace(r, step=i + 1, loss=float(rng.random())) for i in range(tr.max_history)]
    size = len(run_file(lab))
    assert 5 * 2**20 < size < CHECKPOINT_BYTES, size
