"""Hostile-input fuzz (hypothesis): random edits of a saved run's settings and arrays (crafted
.npz bytes, headers claiming any shape), and random share-link parameters. Every input gets a
sentence or a working page — never an exception — and bounded memory (tracemalloc)."""
from __future__ import annotations

import json
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests._hostile import craft, npy_header_only, saved_run, traced, unpack, with_member
from tests.test_app_pages import lab, open_page
from ui import limits
from ui.config import FIELD_OF, URL_NAMES, config_from_params, limit_problems
from ui.echo import plain

FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
MAX_MB = 20

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=12), st.sampled_from([0, 1, -1, 2, 8, 64, 65, 256, 257, 4000, 10**6, 10**9, 0.5, 0.99,
                                                     0.995, 1e308, "adam", "sgd", "relu", "float32", "float64"])),
    lambda inner: st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)


@pytest.fixture(scope="module")
def runs():
    return {"sgd": saved_run("xor", {"hidden": "8,8", "batch": "32", "bn": "1"}, 6),
            "adam": saved_run("xor", {"hidden": "4", "opt": "adam", "lr": "0.01"}, 4)}


@pytest.fixture(scope="module")
def home():
    at = open_page("xor")
    at.session_state["xor.inspect_tab"] = "Take it home"
    at.run()
    at.button(key="xor._step").click().run()
    return at


def _paths(meta, prefix=()):
    """Every path to a value in the settings (dict keys and list indices)."""
    out = []
    items = meta.items() if isinstance(meta, dict) else enumerate(meta) if isinstance(meta, list) else []
    for k, v in items:
        out.append(prefix + (k,))
        out += _paths(v, prefix + (k,))
    return out


def _set_path(meta, path, value):
    node = meta
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


@st.composite
def crafted_runs(draw, runs):
    blob = runs[draw(st.sampled_from(sorted(runs)), label="run")]
    meta, arrays = unpack(blob)
    for _ in range(draw(st.integers(0, 3), label="setting edits")):
        path = draw(st.sampled_from(_paths(meta)), label="path")
        if draw(st.booleans(), label="delete"):
            parent = meta
            for k in path[:-1]:
                parent = parent[k]
            if isinstance(parent, dict):
                del parent[path[-1]]
                continue
        _set_path(meta, path, draw(JSON, label="value"))
    blob = craft(blob, lambda m: meta)
    for _ in range(draw(st.integers(0, 2), label="array edits")):
        name = draw(st.sampled_from(sorted(arrays) + ["junk", "meta"]), label="array") + ".npy"
        kind = draw(st.sampled_from(["drop", "header", "small"]), label="kind")
        if kind == "drop":
            blob = with_member(blob, name, None)
        elif kind == "header":  # a header claiming a shape (up to ~10**18 bytes) with few data bytes
            shape = draw(st.lists(st.integers(0, 10**6), max_size=3), label="shape")
            dtype = draw(st.sampled_from(["<f8", "<f4", "<i8", "|u1", "<U4", "|b1", "<c16"]), label="dtype")
            blob = with_member(blob, name, npy_header_only(tuple(shape), dtype, b"\0" * draw(st.integers(0, 64))))
        else:
            shape = draw(st.lists(st.integers(0, 6), max_size=3), label="small shape")
            a = np.full(shape, draw(st.sampled_from([0.0, np.nan, np.inf, -1.0, 3.0])), dtype=np.float64)
            import io

            buf = io.BytesIO()
            np.save(buf, a)
            blob = with_member(blob, name, buf.getvalue())
    return blob


@given(data=st.data())
@FUZZ
def test_crafted_saved_runs_get_a_sentence_or_continue(home, runs, data):
    at = home
    blob = data.draw(crafted_runs(runs), label="file")
    with traced() as mem:
        at.file_uploader(key="xor.run_file").set_value(("fuzz.npz", blob, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert mem["peak_mb"] < MAX_MB, mem
    errors = [e.value for e in at.error if "fuzz" in e.value]
    notices = [i.value for i in at.info if "Continued the saved run" in i.value]
    assert len(errors) + len(notices) == 1, (errors, notices)  # a sentence, or the run continues
    event("continued" if notices else "refused")
    step = lab(at, "xor").step
    at.button(key="xor._step").click().run()  # and the page works on
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, "xor")
    assert lb.step == step + 1 or lb.error, (step, lb.step)


# ----------------------------------------------------------------------------- links
LINK_KEYS = st.one_of(st.sampled_from(sorted(FIELD_OF)), st.text(string.printable, max_size=60))
LINK_VALUES = st.one_of(
    st.text(string.printable, max_size=60),
    st.sampled_from(["4000", "64", "65", "256", "257", "8,8,8,8,8,8,8", "1e999", "nan", "-0", "0.995", "3000",
                     "100000", "[x](https://evil.example)", "![i](https://evil.example/i.png)", "9" * 5000,
                     ",".join(["8"] * 5000), "www.evil.example", "a@evil.example", ":red[x]", "$x$"]))


@given(page=st.sampled_from(["xor", "circles", "more2d", "mnist"]),
       params=st.dictionaries(LINK_KEYS, LINK_VALUES, max_size=30))
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_any_link_yields_settings_within_the_limits_and_few_plain_warnings(page, params):
    with traced() as mem:
        cfg, warnings = config_from_params(page, params)
    assert mem["peak_mb"] < 5
    assert limit_problems(page, cfg) == []  # whatever a link says, what it builds is within the limits
    assert len(warnings) <= limits.MAX_LINK_WARNINGS
    for w in warnings:
        shown = plain(w)
        assert "](" not in shown and "://" not in shown and len(w) < 400, w


@given(page=st.sampled_from(["xor", "mnist"]), params=st.dictionaries(LINK_KEYS, LINK_VALUES, max_size=6))
@settings(max_examples=8, deadline=None, derandomize=True, database=None)
def test_any_link_opens_a_working_page(page, params):
    with traced() as mem:
        at = open_page(page, params)
    assert mem["peak_mb"] < 200  # the first page's imports and data included (MNIST: 31 MB)
    at.button(key=f"{page}._step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, page)
    assert lb.step == 1 or lb.error
    for w in at.warning:
        assert "](" not in w.value and "://" not in w.value
