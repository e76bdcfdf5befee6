"""Property-based AppTest: random widget values on every training page, and garbage share-link
query strings, never produce an exception on the page (bad combinations become messages)."""
from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import HIDDEN_ACTIVATIONS, MSE_OUTPUTS
from tests.test_app_pages import PAGES, lab, open_page
from ui.config import (
    BATCH_OPTIONS,
    CLIP_OPTIONS,
    CSV_DATASET,
    FEATURE_LABELS,
    L1_OPTIONS,
    SCHEDULE_LABELS,
    INIT_LABELS,
    L2_OPTIONS,
    LOSS_LABELS,
    LR_OPTIONS,
    MORE_2D_SETS,
    OPTIMIZERS,
    PAGE_DATASETS,
    REGRESSION_OUTPUTS,
    REGRESSION_PAGES,
    URL_NAMES,
    VAR_OPTIONS,
)

SELECT_SLIDER_VALUES = {"lr": LR_OPTIONS, "init_var": VAR_OPTIONS, "l2": L2_OPTIONS, "batch_size": BATCH_OPTIONS,
                        "l1": L1_OPTIONS, "clip": CLIP_OPTIONS, "lr_min": LR_OPTIONS}
# AppTest's select_index hands the *formatted* label to format_func; set the real values instead
SELECTBOX_VALUES = {"activation": HIDDEN_ACTIVATIONS, "loss": list(LOSS_LABELS), "init": list(INIT_LABELS),
                    "optimizer": list(OPTIMIZERS), "output_activation": MSE_OUTPUTS,
                    "dataset": [*MORE_2D_SETS, CSV_DATASET], "schedule": list(SCHEDULE_LABELS)}
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _no_exception(at, context):
    assert not at.exception, (context, [e.value for e in at.exception])


def _poke_one(at, page, data):
    """Set one randomly chosen sidebar widget of ``page`` to a random allowed value."""
    pool = []
    for kind in ("slider", "select_slider", "selectbox", "number_input", "toggle", "pills"):
        # a disabled widget (e.g. momentum under Adam) is one a visitor cannot change
        pool += [(kind, w) for w in getattr(at, kind) if w.key and w.key.startswith(page + ".")
                 and not getattr(w, "disabled", False)]
    kind, w = data.draw(st.sampled_from(pool), label="widget")
    name = w.key.split(".", 1)[1]
    if kind == "slider":
        lo, hi = w.min, w.max
        if isinstance(w.value, int):
            value = data.draw(st.integers(int(lo), int(hi)), label=name)
        else:
            value = round(data.draw(st.floats(lo, hi), label=name), 2)
        w.set_value(value)
    elif kind == "select_slider":
        w.set_value(data.draw(st.sampled_from(SELECT_SLIDER_VALUES[name]), label=name))
    elif kind == "selectbox":
        values = HIDDEN_ACTIVATIONS if name.startswith("act") and name != "activation" else SELECTBOX_VALUES[name]
        if page in REGRESSION_PAGES and name in ("dataset", "output_activation"):  # what those pages offer
            values = PAGE_DATASETS[page] if name == "dataset" else REGRESSION_OUTPUTS
        w.set_value(data.draw(st.sampled_from(list(values)), label=name))
    elif kind == "number_input" and isinstance(w.value, float):  # e.g. the step decay's factor
        w.set_value(round(data.draw(st.floats(w.min, w.max), label=name), 2))
    elif kind == "number_input":
        hi = min(int(w.max), 300)  # units up to the page's maximum, seeds in a small range
        w.set_value(data.draw(st.integers(int(w.min), hi), label=name))
    elif kind == "toggle":
        w.set_value(not w.value)
    elif name == "features":  # input features (pills): any subset, including none
        w.set_value(data.draw(st.lists(st.sampled_from(list(FEATURE_LABELS)), max_size=7, unique=True), label=name))
    else:  # digits (pills): any subset, including too few
        w.set_value(data.draw(st.lists(st.integers(0, 9), max_size=4, unique=True), label=name))
    return f"{w.key}"


@given(data=st.data())
@FUZZ
def test_random_widget_values_never_raise(data):
    page = data.draw(st.sampled_from(list(PAGES)), label="page")
    at = open_page(page)
    touched = []
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        touched.append(_poke_one(at, page, data))
        at.run()
        _no_exception(at, touched)
    action = data.draw(st.sampled_from(["_step", "_epoch", "_play"]), label="action")
    if action == "_epoch" and page == "mnist":
        action = "_step"  # an MNIST epoch is slow for a unit test; Step exercises the same path
    at.button(key=f"{page}.{action}").click().run()
    _no_exception(at, touched + [action])
    lb = lab(at, page)
    assert lb is not None
    if action != "_play" and lb.error is None:
        assert lb.step >= 1  # a successful step really trained (or an error says why not)


URL_KEYS = st.sampled_from(sorted(URL_NAMES.values()) + ["foo", "", "hidden[]", "__proto__"])
JUNK = st.one_of(
    st.text(alphabet=string.printable, max_size=12),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "-1", "0", "8,8,8,8,8,8,8", "999999999999", ",,", "relu,",
                     "tanh,tanh,tanh", "0.0", "1e-300", "csv", "mnist", "3.5"]),
)


@given(page=st.sampled_from([None, *PAGES]), params=st.dictionaries(URL_KEYS, JUNK, max_size=5))
@FUZZ
def test_garbage_query_strings_never_raise(page, params):
    at = open_page(page, params)
    _no_exception(at, params)
    if page:
        assert lab(at, page) is not None  # the page still built a model from what was usable
