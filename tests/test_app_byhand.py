"""Changes by hand, server side (ui/byhand.py, ui/lab.py, ui/graph_part.py) through AppTest: a
browser message arrives as the channel element's trigger value (what setTriggerValue sends:
the element's events aggregator with [{"event": "edit", "value": ...}]), the page re-runs, the
callback applies it. Checked: the engine's arrays, the next frame, the ledger, the reply
sentences, the share link, the session's own data (never the shared cache), the limits, and
that every hostile message changes nothing. The browser half: tests/test_browser_graph.py."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from streamlit.components.v2.bidi_component.main import _make_trigger_id

from engine import load_dataset
from engine.ledger import shape_ledger
from tests.test_app_pages import lab, open_page, texts
from ui.config import EDIT_OPS, HAND_RADIUS, MAX_TYPED_VALUE
from ui.frames import unpack


def element(at, suffix: str):
    found = [e for e in at.get("bidi_component") if e.proto.id.endswith(suffix)]
    assert len(found) == 1, [e.proto.id for e in at.get("bidi_component")]
    return found[0]


def channel(at, page: str = "xor") -> dict:
    """The channel element's message of the last run (meta.edits)."""
    meta, arrays = unpack(element(at, f"bp-edits-{page}").proto.bytes)
    assert meta["parts"] == ["edits"] and arrays == {}
    return meta["edits"]


def frame(at, view: str = "main"):
    """The live view's frame of the last run -> (meta, arrays)."""
    return unpack(element(at, f"bp-live-{view}").proto.bytes)


def send(at, payload, page: str = "xor") -> dict:
    """What the browser's setTriggerValue('edit', payload) does: one re-run with the trigger."""
    el = element(at, f"bp-edits-{page}")
    states = at._tree.get_widget_states()
    ws = states.widgets.add()
    ws.id = _make_trigger_id(el.proto.id, "events")
    ws.json_trigger_value = json.dumps([{"event": "edit", "value": payload}])
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return channel(at, page)


def ops(at, *changes, page="xor", start=None) -> dict:
    """Send changes numbered after the last applied one."""
    ch = channel(at, page)
    first = ch["applied"] + 1 if start is None else start
    return send(at, {"token": ch["token"], "ops": [dict(c, seq=first + i) for i, c in enumerate(changes)]}, page)


def param(name, index, value):
    return {"kind": "param", "name": name, "index": list(index), "value": value}


# ----------------------------------------------------------------------------- typed parameters
def test_a_typed_weight_reaches_the_engine_the_next_frame_and_the_ledger():
    at = open_page("xor", {"hidden": "4"})
    at.button(key="xor._step").click().run()
    lb = lab(at, "xor")
    W1 = lb.net.weights[0]
    old = float(W1[1, 2])
    ch = ops(at, param("W1", (1, 2), -2.5))
    assert ch["applied"] == 1 and ch["results"][0]["ok"], ch
    assert "W1[1, 2] to -2.5" in ch["results"][0]["text"] and f"{old:.4g}" in ch["results"][0]["text"]
    assert lab(at, "xor").net.weights[0] is W1 and W1[1, 2] == -2.5       # the live array, in place
    meta, arrays = frame(at)
    assert arrays["W1"][1, 2] == -2.5 and np.array_equal(arrays["W1"], W1)  # the next frame carries it
    assert "by hand" not in texts(at)  # said where it was typed, not in a box above the picture (it would move)
    # the ledger is computed with it: z1 of the next batch, written out with the typed weight
    at.session_state["xor.inspect_tab"] = "Shape ledger"
    at.run()
    X, y = lb.trainer.peek_batch()
    z1 = X @ W1 + lb.net.biases[0]
    assert W1[1, 2] == -2.5
    row = next(r for r in shape_ledger(lb.net, X, y) if r.name == "z1")
    assert row.mean_abs == pytest.approx(np.abs(z1).mean(), rel=1e-12)
    assert f"| {np.abs(z1).mean():.3g} |" in texts(at)
    # the next step trains from it
    at.button(key="xor._step").click().run()
    assert lab(at, "xor").step == 2 and W1[1, 2] != -2.5


def test_biases_and_batch_norm_pages_take_typed_values_too():
    at = open_page("circles", {"hidden": "3", "bn": "1"})
    ch = ops(at, param("b2", (1,), 0.75), param("W2", (2, 0), 1e-3), page="circles")
    assert [r["ok"] for r in ch["results"]] == [True, True], ch
    lb = lab(at, "circles")
    assert lb.net.biases[1][1] == 0.75 and lb.net.weights[1][2, 0] == 1e-3


HOSTILE = [
    ("not a dict", ["ops"], "cannot read"),
    ("no ops", {"token": "T"}, "cannot read"),
    ("ops not a list", {"token": "T", "ops": {"seq": 1}}, "cannot read"),
    ("wrong token", {"token": "other", "ops": [{"seq": 1, **param("W1", (0, 0), 1.0)}]}, "reloaded"),
    ("too many", {"token": "T", "ops": [{"seq": i + 1, **param("W1", (0, 0), 1.0)} for i in range(EDIT_OPS + 1)]},
     "at once"),
    ("no seq", {"token": "T", "ops": [param("W1", (0, 0), 1.0)]}, "without its number"),
    ("bool seq", {"token": "T", "ops": [{"seq": True, **param("W1", (0, 0), 1.0)}]}, "without its number"),
    ("float seq", {"token": "T", "ops": [{"seq": 1.5, **param("W1", (0, 0), 1.0)}]}, "without its number"),
    ("huge seq", {"token": "T", "ops": [{"seq": 2 ** 60, **param("W1", (0, 0), 1.0)}]}, "without its number"),
    ("op not a dict", {"token": "T", "ops": ["W1"]}, "without its number"),
    ("unknown kind", {"token": "T", "ops": [{"seq": 1, "kind": "delete_all"}]}, "does not know"),
    ("unknown name", {"token": "T", "ops": [{"seq": 1, **param("W9", (0, 0), 1.0)}]}, "no parameter"),
    ("script name", {"token": "T", "ops": [{"seq": 1, **param("W1; import os", (0, 0), 1.0)}]}, "not the name"),
    ("private name", {"token": "T", "ops": [{"seq": 1, **param("__class__", (0, 0), 1.0)}]}, "not the name"),
    ("row out of range", {"token": "T", "ops": [{"seq": 1, **param("W1", (2, 0), 1.0)}]}, "row 2 does not exist"),
    ("column out of range", {"token": "T", "ops": [{"seq": 1, **param("W2", (0, 7), 1.0)}]}, "column 7"),
    ("negative index", {"token": "T", "ops": [{"seq": 1, **param("W1", (-1, 0), 1.0)}]}, "whole numbers from 0"),
    ("float index", {"token": "T", "ops": [{"seq": 1, **param("W1", (0.5, 0), 1.0)}]}, "whole numbers from 0"),
    ("index too long", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0, 0), 1.0)}]}, "row and column"),
    ("index a string", {"token": "T", "ops": [{"seq": 1, "kind": "param", "name": "W1", "index": "0,0", "value": 1}]},
     "row and column"),
    ("bias with two indices", {"token": "T", "ops": [{"seq": 1, **param("b1", (0, 0), 1.0)}]}, "one unit number"),
    ("NaN", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), float("nan"))}]}, "finite"),
    ("infinity", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), float("inf"))}]}, "finite"),
    ("1e400", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), 10 ** 400)}]}, "finite"),
    ("too large", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), MAX_TYPED_VALUE * 2)}]}, "too large"),
    ("too large negative", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), -MAX_TYPED_VALUE * 2)}]},
     "too large"),
    ("string value", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), "1.5")}]}, "must be a number"),
    ("bool value", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), True)}]}, "must be a number"),
    ("null value", {"token": "T", "ops": [{"seq": 1, **param("W1", (0, 0), None)}]}, "must be a number"),
    ("point outside", {"token": "T", "ops": [{"seq": 1, "kind": "add", "x": 9.0, "y": 0.0, "label": 0}]}, "outside"),
    ("point NaN", {"token": "T", "ops": [{"seq": 1, "kind": "add", "x": float("nan"), "y": 0.0, "label": 0}]},
     "finite"),
    ("point string", {"token": "T", "ops": [{"seq": 1, "kind": "add", "x": "0.1", "y": 0.0, "label": 0}]},
     "must be a number"),
    ("class 2", {"token": "T", "ops": [{"seq": 1, "kind": "add", "x": 0.1, "y": 0.0, "label": 2}]}, "class must be"),
    ("class as text", {"token": "T", "ops": [{"seq": 1, "kind": "add", "x": 0.1, "y": 0.0, "label": "1"}]},
     "class must be"),
    ("remove nothing near", {"token": "T", "ops": [{"seq": 1, "kind": "remove", "x": -1.2, "y": 1.2}]}, "no point within"),
    ("revert unedited", {"token": "T", "ops": [{"seq": 1, "kind": "revert"}]}, "as generated already"),
]


def _state(at) -> dict:
    """The session's state a change could touch (the channel's own reply aside)."""
    lb = lab(at, "xor")
    return {"params": [p.copy() for p in lb.net.params()], "X": lb.trainer.X.copy(), "y": lb.trainer.y.copy(),
            "ds": lb.dataset, "step": lb.step, "edits": lb.edits, "cfg": lb.cfg, "query": dict(at.query_params),
            "keys": {k: copy.copy(at.session_state[k]) for k in at.session_state if not k.startswith(("xor._edits",
                                                                                                     "xor._lab"))
                     and not k.startswith("$$")}}


def _same(a: dict, b: dict) -> None:
    for p, q in zip(a["params"], b["params"]):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a["X"], b["X"])
    np.testing.assert_array_equal(a["y"], b["y"])
    assert a["ds"] is b["ds"] and a["step"] == b["step"] and a["edits"] == b["edits"] and a["cfg"] == b["cfg"]
    assert a["query"] == b["query"]
    assert a["keys"].keys() == b["keys"].keys()


@pytest.mark.parametrize("name,payload,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_message_gets_a_sentence_and_changes_nothing(name, payload, words):
    at = open_page("xor", {"hidden": "3"})
    at.button(key="xor._step").click().run()
    tok = channel(at)["token"]
    if isinstance(payload, dict) and payload.get("token") == "T":
        payload = dict(payload, token=tok)
    before = _state(at)
    ch = send(at, payload)
    assert ch["results"] and not any(r["ok"] for r in ch["results"]), ch
    text = " ".join(r["text"] for r in ch["results"])
    assert words in text, text
    assert all(len(r["text"]) < 300 and "Traceback" not in r["text"] for r in ch["results"])
    _same(before, _state(at))
    at.button(key="xor._step").click().run()  # and the next step works
    assert not at.exception and lab(at, "xor").step == 2


def test_a_change_sent_again_applies_once_and_a_lost_message_is_carried_by_the_next():
    """Streamlit keeps only the newest trigger when two arrive before the script runs: the browser
    sends every unacknowledged change each time, and the numbers make each apply once."""
    at = open_page("xor", {"hidden": "3"})
    tok = channel(at)["token"]
    one = {"seq": 1, "kind": "add", "x": 0.5, "y": 0.5, "label": 1}
    two = {"seq": 2, "kind": "add", "x": -0.5, "y": 0.5, "label": 0}
    n = len(lab(at, "xor").trainer.y)
    ch = send(at, {"token": tok, "ops": [one, two]})   # the message with `one` alone was lost
    assert ch["applied"] == 2 and [r["seq"] for r in ch["results"]] == [1, 2]
    ch = send(at, {"token": tok, "ops": [one, two]})   # and sent once more before the answer came
    assert ch["applied"] == 2 and ch["results"] == []
    assert len(lab(at, "xor").trainer.y) == n + 2
    assert lab(at, "xor").dataset.meta["by_hand"] == {"added": 2, "removed": 0}


def test_a_bad_change_does_not_stop_the_good_ones_in_its_message():
    at = open_page("xor", {"hidden": "3"})
    ch = ops(at, param("W1", (0, 0), 1.0), param("W1", (0, 0), float("nan")), param("b1", (2,), -1.0))
    assert [r["ok"] for r in ch["results"]] == [True, False, True] and ch["applied"] == 3
    lb = lab(at, "xor")
    assert lb.net.weights[0][0, 0] == 1.0 and lb.net.biases[0][2] == -1.0


def test_each_refused_message_has_its_own_number_which_holds_over_reruns():
    """A refused message (seq 0) is said once in the browser (static/live/edits.js knows it by
    its number): the number stays while the page re-runs and the same reply is drawn again,
    and the next refused message, even with the same sentence, has a new one."""
    at = open_page("xor", {"hidden": "3"})
    first = send(at, {"token": "from-before-a-reload", "ops": []})
    [r] = first["results"]
    assert r["seq"] == 0 and not r["ok"] and "reloaded" in r["text"]
    at.button(key="xor._step").click().run()
    assert channel(at)["results"] == first["results"]        # a re-run draws the same reply, same number
    [again] = send(at, {"token": "from-before-a-reload", "ops": []})["results"]
    assert again["text"] == r["text"] and again["msg"] != r["msg"]
    tok = channel(at)["token"]
    ch = send(at, {"token": tok, "ops": [{"seq": "one", "kind": "revert"}, {"seq": 1, **param("W1", (0, 0), 0.25)}]})
    assert [(x["seq"], x["ok"]) for x in ch["results"]] == [(0, False), (1, True)]
    assert ch["results"][0]["msg"] not in (r["msg"], again["msg"])


def test_playing_goes_on_after_a_change():
    at = open_page("xor", {"hidden": "3"})
    at.button(key="xor._play").click().run()
    assert lab(at, "xor").playing
    ops(at, param("W1", (0, 0), 0.5))
    assert lab(at, "xor").playing and lab(at, "xor").net.weights[0][0, 0] == 0.5


# ----------------------------------------------------------------------------- the graph's frame part
def test_gradients_travel_only_while_the_graph_is_shown_and_are_the_last_steps():
    at = open_page("xor", {"hidden": "4,3"})
    at.button(key="xor._step").click().run()
    meta, arrays = frame(at)
    assert "graph" not in meta["parts"] and "graph" not in meta and not any(k.startswith("g") for k in arrays)
    plain = len(element(at, "bp-live-main").proto.bytes)
    at.session_state["xor.panel"] = "graph"
    at.run()
    meta, arrays = frame(at)
    assert meta["parts"] == ["status", "boundary", "hand", "graph", "weights", "layers"]
    g = meta["graph"]
    assert g["grad_step"] == 1 and g["after_change"] is False and g["max_units"] == 16
    lb = lab(at, "xor")
    for l, (dW, db) in enumerate(lb.trainer.last_grads, start=1):
        np.testing.assert_array_equal(arrays[f"gW{l}"], dW.astype(np.float32))
        np.testing.assert_array_equal(arrays[f"gb{l}"], db.astype(np.float32))
    grad_bytes = sum(a.nbytes for k, a in arrays.items() if k.startswith("g"))
    assert grad_bytes == 4 * lb.net.n_params
    assert len(element(at, "bp-live-main").proto.bytes) < plain + grad_bytes + 300  # nothing else grew
    # a change after the step: the gradients describe the network before it
    ops(at, param("W2", (0, 0), 1.0))
    assert frame(at)[0]["graph"]["after_change"] is True
    at.button(key="xor._step").click().run()
    assert frame(at)[0]["graph"] == dict(g, grad_step=2)


def test_the_graph_sends_no_gradients_before_the_first_step_or_for_a_net_too_big_to_draw():
    at = open_page("xor", {"hidden": "4"})
    at.session_state["xor.panel"] = "graph"
    at.run()
    meta, arrays = frame(at)
    assert meta["graph"]["grad_step"] is None and "gW1" not in arrays
    at = open_page("xor", {"hidden": "32"})
    at.session_state["xor.panel"] = "graph"
    at.run()
    at.button(key="xor._step").click().run()
    meta, arrays = frame(at)
    assert meta["graph"]["grad_step"] is None and "gW1" not in arrays


# ----------------------------------------------------------------------------- data by hand
def test_points_by_hand_are_this_sessions_training_points_and_the_link_says_so():
    at = open_page("xor", {"hidden": "3"})
    at.button(key="xor._step").click().run()
    lb = lab(at, "xor")
    shared = lb.dataset
    X0, y0 = shared.X_train.copy(), shared.y_train.copy()
    params = [p.copy() for p in lb.net.params()]
    ch = ops(at, {"kind": "add", "x": 0.31, "y": -0.52, "label": 1}, {"kind": "add", "x": -0.9, "y": 1.0, "label": 0})
    assert all(r["ok"] for r in ch["results"]), ch
    assert "Added a class 1 point at (0.31, -0.52)" in ch["results"][0]["text"]
    lb = lab(at, "xor")
    np.testing.assert_array_equal(lb.trainer.X[-2:], [[0.31, -0.52], [-0.9, 1.0]])
    np.testing.assert_array_equal(lb.trainer.y[-2:], [1, 0])
    for p, q in zip(lb.net.params(), params):
        np.testing.assert_array_equal(p, q)                     # the weights are kept
    assert lb.step == 1 and lb.trainer.X_test is shared.X_test  # the test set is the same
    np.testing.assert_array_equal(shared.X_train, X0)           # the shared, cached set is untouched
    np.testing.assert_array_equal(shared.y_train, y0)
    assert at.query_params["edited"] == ["points"] or at.query_params["edited"] == "points"
    assert "The weights are kept and training continues on the new data" in ch["results"][1]["text"]
    assert "by hand" not in texts(at)  # said under the picture (static/live/points.js), nothing moves above it
    meta, arrays = frame(at)                                    # the picture's points
    assert meta["data"]["n_train"] == len(lb.trainer.y) and meta["data"]["by_hand"] == {"added": 2, "removed": 0}
    np.testing.assert_array_equal(arrays["xy"][len(lb.trainer.y) - 2:len(lb.trainer.y)],
                                  np.float32([[0.31, -0.52], [-0.9, 1.0]]))
    # the next step trains on them (full batch: all of them)
    at.button(key="xor._step").click().run()
    assert lab(at, "xor").trainer.history[-1].batch_size == len(X0) + 2
    # another visitor's page has the data as generated
    other = open_page("xor", {"hidden": "3"})
    assert len(lab(other, "xor").trainer.y) == len(X0) and "edited" not in other.query_params


def test_shift_click_removes_the_nearest_training_point_and_never_a_test_point():
    at = open_page("xor", {"hidden": "3"})
    lb = lab(at, "xor")
    ds = lb.dataset
    target = ds.X_train[5]
    ch = ops(at, {"kind": "remove", "x": float(target[0]) + 0.01, "y": float(target[1])})
    assert ch["results"][0]["ok"], ch
    lb = lab(at, "xor")
    assert len(lb.trainer.y) == len(ds.y_train) - 1
    assert not np.any(np.all(lb.trainer.X == target, axis=1))
    t = ds.X_test[0]
    ch = ops(at, {"kind": "remove", "x": float(t[0]), "y": float(t[1])})
    assert not ch["results"][0]["ok"] and "test point" in ch["results"][0]["text"]
    assert len(lab(at, "xor").dataset.y_test) == len(ds.y_test)
    x0, x1 = ds.bounds[:2]
    assert HAND_RADIUS * (x1 - x0) < 0.2


def test_back_to_the_data_as_generated_keeps_the_weights_and_drops_the_marker():
    at = open_page("xor", {"hidden": "3"})
    n = len(lab(at, "xor").trainer.y)
    ops(at, {"kind": "add", "x": 0.2, "y": 0.2, "label": 1})
    W = lab(at, "xor").net.weights[0].copy()
    ch = ops(at, {"kind": "revert"})
    assert ch["results"][0]["ok"] and "as generated" in ch["results"][0]["text"]
    lb = lab(at, "xor")
    assert len(lb.trainer.y) == n and not lb.hand_data and "edited" not in at.query_params
    np.testing.assert_array_equal(lb.net.weights[0], W)


def test_a_data_setting_drops_the_points_by_hand_and_says_so_an_architecture_change_keeps_them():
    at = open_page("xor", {"hidden": "3"})
    ops(at, {"kind": "add", "x": 0.2, "y": 0.2, "label": 1})
    n = len(lab(at, "xor").trainer.y)
    at.number_input(key="xor.units0").set_value(4).run()        # rebuilds on the same (edited) data
    assert len(lab(at, "xor").trainer.y) == n and lab(at, "xor").hand_data
    at.button(key="xor._reset").click().run()                    # fresh weights, the same points
    assert len(lab(at, "xor").trainer.y) == n and lab(at, "xor").hand_data
    at.session_state["xor.noise"] = 0.1
    at.run()
    assert not lab(at, "xor").hand_data and len(lab(at, "xor").trainer.y) == n - 1
    assert "points you added or removed by hand belonged to the old data" in texts(at)
    assert "edited" not in at.query_params


def test_a_lesson_starts_on_the_data_as_generated():
    at = open_page("xor")
    ops(at, {"kind": "add", "x": 0.2, "y": 0.2, "label": 1})
    at.switch_page("app_pages/lessons.py").run()
    at.button(key="lesson-xor_hidden-0").click().run()          # "One hidden layer of 8": the page's own data
    lb = lab(at, "xor")
    assert not lb.hand_data and lb.step == 0
    ds = load_dataset("xor", n_samples=400, noise=0.05, seed=0)
    np.testing.assert_array_equal(lb.trainer.X, ds.X_train)


def test_a_link_with_the_marker_opens_the_data_as_generated_and_says_why():
    at = open_page("xor", {"edited": "points", "hidden": "3"})
    assert "a link cannot carry those points" in texts(at)
    assert not lab(at, "xor").hand_data and lab(at, "xor").cfg.hidden == (3,)


def test_the_number_of_points_is_bounded(monkeypatch):
    import ui.lab

    at = open_page("xor", {"n": "50"})
    monkeypatch.setattr(ui.lab, "HAND_MAX_TRAIN", 41)  # 40 training points now: one more, then no more
    ch = ops(at, {"kind": "add", "x": 0.2, "y": 0.2, "label": 1}, {"kind": "add", "x": 0.3, "y": 0.2, "label": 1})
    assert [r["ok"] for r in ch["results"]] == [True, False], ch
    assert "41 training points, the most" in ch["results"][1]["text"]
    assert len(lab(at, "xor").trainer.y) == 41
    monkeypatch.setattr(ui.lab, "HAND_MIN_TRAIN", 41)
    p = lab(at, "xor").trainer.X[0]
    ch = ops(at, {"kind": "remove", "x": float(p[0]), "y": float(p[1])})
    assert not ch["results"][0]["ok"] and "at least 41" in ch["results"][0]["text"]
    assert len(lab(at, "xor").trainer.y) == 41


def test_a_run_file_of_edited_data_holds_its_points_and_says_it_cannot_be_continued_on_the_page():
    from engine.export import load_run

    at = open_page("xor", {"hidden": "3"})
    ops(at, {"kind": "add", "x": 0.2, "y": 0.2, "label": 1})
    at.button(key="xor._step").click().run()
    from ui.export_view import run_bytes

    lb = lab(at, "xor")
    data = run_bytes(lb)
    tr = load_run(data)                      # in Python: the points come with the file
    np.testing.assert_array_equal(tr.X, lb.trainer.X)
    from ui.state import continue_run_bytes  # noqa: F401  (the page refuses it with a sentence)
    from ui.config import config_from_run
    from engine.export import run_settings

    with pytest.raises(ValueError, match="points added or removed by hand"):
        config_from_run("xor", run_settings(data), lb.cfg)
    at.session_state["xor.inspect_tab"] = "Take it home"
    at.run()
    assert "Changed by hand" in texts(at)
