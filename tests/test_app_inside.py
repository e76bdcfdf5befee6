"""AppTest over the 'Look inside backprop' tabs and the hidden-space panel (issue 5)."""
from __future__ import annotations

import pytest

from tests.test_app_pages import lab, open_page, texts


def open_tab(page: str, tab: str, params: dict | None = None):
    at = open_page(page, params)
    at.session_state[f"{page}.inspect_tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", ["xor", "mnist"])
def test_shape_ledger_shows_live_shapes_and_follows_the_architecture(page):
    at = open_tab(page, "Shape ledger")
    body = texts(at)
    n_in = 784 if page == "mnist" else 2
    assert r"\partial W_{1}" in body and rf"{n_in}\times" in body
    at.toggle(key=f"{page}.ledger_one").set_value(True).run()
    ok(at)
    assert r"\otimes" in texts(at)  # the per-example outer product appears
    if page == "xor":
        at.number_input(key="xor.units0").set_value(5).run()
        ok(at)
        assert r"2\times5" in texts(at)


def test_gradient_check_tab_reports_good():
    at = open_tab("xor", "Gradient check")
    at.button(key="xor._gc").click().run()
    ok(at)
    assert any("good" in s.value for s in at.success), texts(at)
    assert at.dataframe, "the per-parameter table"


def _boxes(at):
    """The coloured verdict boxes on the page: (kind, text)."""
    return ([("good", s.value) for s in at.success] + [("suspicious", w.value) for w in at.warning]
            + [("broken", e.value) for e in at.error])


@pytest.mark.parametrize("params", [{}, {"bn": "1"}], ids=["plain", "batch-norm"])
def test_gradient_check_summary_tells_what_the_table_shows(params):
    """Issue 17: "Largest relative error 0.00e+00 ... good" above a table whose b1 row read
    1.00e+00 (batch norm), and 0.00e+00 over a plain XOR table reaching 2.48e-10. The box is
    now the worst row's verdict and quotes the table's largest relative error with its row;
    every row's verdict column says why a noted row is good."""
    at = open_tab("xor", "Gradient check", params)
    at.button(key="xor._gc").click().run()
    ok(at)
    report = at.session_state["xor._gc_report"][-1]
    table = at.dataframe[0].value
    table = getattr(table, "data", table)  # a Styler's frame
    assert list(table["parameter"]) == [p.name for p in report.params]
    for verdict, p in zip(table["verdict"], report.params):
        assert verdict == p.verdict + (f" ({p.note})" if p.note else "")
    boxes = [b for b in _boxes(at) if "relative error" in b[1]]
    assert len(boxes) == 1, boxes
    kind, text = boxes[0]
    order = ["good", "suspicious", "broken"]
    assert kind == max((p.verdict for p in report.params), key=order.index)
    top = max(report.params, key=lambda p: p.max_rel_error)
    assert top.max_rel_error > 0 and f"{top.max_rel_error:.2e}" in text and top.name in text, text
    if params:
        assert "1.00e+00" in text and "b1" in text and "zero both ways" in text, text


def test_bug_zoo_turns_the_check_red_and_back():
    at = open_tab("xor", "Bug zoo")
    at.toggle(key="xor.bug_no_mean").set_value(True).run()
    ok(at)
    assert lab(at, "xor").bugs == frozenset({"no_mean"})
    assert any("Bug zoo" in w.value for w in at.warning)
    at.button(key="xor._zoo_check").click().run()
    ok(at)
    assert any("broken" in e.value for e in at.error), texts(at)
    at.button(key="xor._step").click().run()  # training with the bug does not crash the page
    ok(at)
    at.toggle(key="xor.bug_no_mean").set_value(False).run()
    at.button(key="xor._zoo_check").click().run()
    ok(at)
    assert lab(at, "xor").bugs == frozenset()
    assert not any("broken" in e.value for e in at.error)


def test_update_bug_shows_in_the_update_check():
    at = open_tab("xor", "Bug zoo")
    at.toggle(key="xor.bug_update_times_weights").set_value(True).run()
    at.button(key="xor._zoo_check").click().run()
    ok(at)
    assert any("good" in s.value for s in at.success)  # gradients are right ...
    assert any("broken" in e.value for e in at.error)  # ... the update is not


def test_missing_transpose_crash_is_a_message_not_a_traceback():
    at = open_tab("xor", "Bug zoo")  # default XOR net 2-8-8-2: W3 is 8x2, not square
    at.toggle(key="xor.bug_missing_transpose").set_value(True).run()
    at.button(key="xor._step").click().run()
    ok(at)
    lb = lab(at, "xor")
    assert lb.step == 0 and "missing transpose" in (lb.error or "")
    at.button(key="xor._zoo_check").click().run()
    ok(at)
    assert any("crashed" in e.value for e in at.error)


def test_step_phases_walk_one_real_step():
    at = open_tab("circles", "Step phases")
    assert lab(at, "circles").step == 0
    n_phases = None
    seen = {}
    for i in range(20):
        at.button(key="circles._phase_next").click().run()
        ok(at)
        walk = lab(at, "circles").walk
        n_phases = len(walk.phases)
        seen[walk.current.title] = "\n".join(m.value for m in at.markdown) + "\n".join(
            str(h.proto) for h in at.get("html"))
        if walk.done:
            break
    assert n_phases == 3 + 1 + 3 + 1  # 2-8-8-2: three layers forward, loss, three backward, update
    assert lab(at, "circles").step == 1
    done = " ".join(s.value for s in at.success)
    assert "Step 1 done" in done and "Start: forward, layer 1" in done  # the button's real label
    # each phase shows only what exists then, and the weight matrix of its own formula
    first = seen["Forward, layer 1"]
    assert r"z_{1}" in first and r"z_{2}" not in first and r"\delta" not in first and "W1 with b1" in first
    back2 = seen["Backward, layer 2"]
    assert r"\delta_{2}" in back2 and r"\delta_{3}" in back2 and r"\delta_{1}" not in back2
    assert r"\partial W_{1}" not in back2 and "W3 with b3" in back2 and "W2 with b2" not in back2
    assert "SGD + momentum 0.9" in " ".join(i.value for i in at.info)


@pytest.mark.parametrize("params", [{}, {"hidden": "3"}, {"hidden": "2"}])
def test_hidden_space_panel(params):
    at = open_page("circles", params)
    at.session_state["circles.panel"] = "hidden"
    at.run()
    ok(at)
    at.button(key="circles._step").click().run()
    ok(at)
    cap = texts(at)
    # by default the last hidden layer: the one the output layer separates with a hyperplane
    assert ("Hidden layer 2" if not params else "Hidden layer 1") in cap
    if params.get("hidden") == "3":
        assert "Drag to rotate" in cap
    elif params.get("hidden") == "2":
        assert "the axes are the activations" in cap
    else:
        assert "principal axes" in cap


def test_mnist_draw_tab_without_a_drawing():
    at = open_tab("mnist", "Draw a digit")
    assert "Nothing drawn yet" in texts(at)


def test_ledger_phases_and_check_show_batch_norm_and_dropout():
    params = {"bn": "1", "drop": "0.25"}
    at = open_tab("xor", "Shape ledger", params)
    body = texts(at)
    assert r"\hat x_{1}" in body and r"\sigma^2_{1}" in body and r"\partial\gamma_{1}" in body
    assert r"\tilde a_{1}" in body and "Bernoulli" in body
    at = open_tab("xor", "Gradient check", params)
    at.button(key="xor._gc").click().run()
    ok(at)
    assert any("good" in s.value for s in at.success), texts(at)
    assert "zero both ways" in texts(at)


def test_bug_zoo_writes_the_bug_for_the_activation_in_use_and_shows_the_symptom_in_one_click():
    at = open_tab("xor", "Bug zoo")  # tanh
    body = texts(at)
    assert "tanh_prime(a)" in body and "sigmoid_prime" not in body
    at.toggle(key="xor.bug_derivative_of_a").set_value(True).run()
    ok(at)
    assert any("may still train" in i.value for i in at.info)
    at.button(key="xor._zoo_show_derivative_of_a").click().run()
    ok(at)
    lb = lab(at, "xor")
    assert lb.net.activation_names == ["sigmoid", "sigmoid"] and lb.bugs == frozenset({"derivative_of_a"})
    assert "sigmoid_prime(a)" in texts(at)


def test_softmax_bug_symptom_setting_really_overflows():
    """The button's setting: the bug's check red, the clean net's green (issue 17: at seed 0 the
    old setting, three ReLU layers, was red without the bug)."""
    at = open_tab("xor", "Bug zoo")
    at.toggle(key="xor.bug_softmax_no_max").set_value(True).run()
    at.button(key="xor._zoo_show_softmax_no_max").click().run()
    ok(at)
    lb = lab(at, "xor")
    assert lb.net.sizes == [2, 8, 8, 8, 2] and lb.net.activation_names == ["linear"] * 3
    at.button(key="xor._zoo_check").click().run()
    ok(at)
    assert any("broken" in e.value for e in at.error), texts(at)
    at.toggle(key="xor.bug_softmax_no_max").set_value(False).run()
    at.button(key="xor._zoo_check").click().run()
    ok(at)
    gradient_box = [s.value for s in at.success if "arrays agree" in s.value]
    assert gradient_box and not any("relative error" in e.value for e in at.error), texts(at)


def test_check_my_numbers_prints_every_array_as_numpy():
    at = open_tab("xor", "Check my numbers")
    code = " ".join(c.value for c in at.code)
    for name in ("W1 = np.array", "z1 = np.array", "delta2 = np.array", "dW1 = np.array", "W1_new = np.array"):
        assert name in code, name
    at.selectbox(key="xor.worked_loss").set_value("cross_entropy").run()
    ok(at)
    assert "softmax(z2)" in " ".join(c.value for c in at.code)


def test_ledger_in_the_column_vector_convention_of_a_784_30_10_net():
    at = open_tab("mnist", "Shape ledger", {"hidden": "30", "act": "sigmoid"})
    at.toggle(key="mnist.ledger_columns").set_value(True).run()
    ok(at)
    body = texts(at)
    # their W1 is 30 x 784 and z = W a + b; delta_1 = (W2^T delta_2) * sigma'(z_1)
    assert r"\underset{30\times784}{W_{1}}\,\underset{784\times" in body
    assert r"\underset{30\times10}{W_{2}^\top}" in body and "Their Wₗ is our Wₗᵀ" in body
    at.toggle(key="mnist.ledger_columns").set_value(False).run()
    assert r"\underset{784\times30}{W_{1}}" in texts(at)
