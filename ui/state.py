"""The ONLY module that reads or writes st.session_state and the URL's query parameters.

Per user (st.session_state, never shared): one ``Lab`` (model, optimizer, trainer, play state)
per training page, and the sidebar widgets' values, keyed "<page>.<field>" and kept across
page switches. Shared by all visitors (st.cache_resource): only the datasets, which are
read-only arrays nobody trains in place.

Data flow: URL (first visit) -> widget values -> LabConfig -> Lab -> engine; and back
LabConfig -> URL, so the address bar is always a share link of the current settings.
"""
from __future__ import annotations

import hashlib
from dataclasses import fields, replace

import streamlit as st

from engine import load_dataset
from engine.datasets import Dataset
from engine.tabular import csv_dataset

from . import limits
from .config import (
    CSV_DATASET,
    PAGE_DATASETS,
    PAGE_DEFAULTS,
    LabConfig,
    config_from_params,
    limit_problems,
    params_from_config,
)
from .lab import Lab


# ----------------------------------------------------------------------------- datasets
# Shared by every visitor and bounded (ui.limits): a few entries each, dropped after a while.
# A session keeps its own dataset alive through its Lab, so an evicted entry costs nothing
# that is in use; the cache only saves the next visitor with the same settings the loading.
def _read_only(ds: Dataset) -> Dataset:
    for a in (ds.X_train, ds.y_train, ds.X_test, ds.y_test):
        a.setflags(write=False)  # shared between sessions: make accidental writes fail loudly
    return ds


@st.cache_resource(max_entries=limits.MNIST_CACHE_ENTRIES, ttl=limits.CACHE_TTL_SECONDS,
                   show_spinner="Loading data…")
def _cached_mnist(n_train: int, n_test: int, digits: tuple, seed: int) -> Dataset:
    return _read_only(load_dataset("mnist", n_train=n_train, n_test=n_test, digits=digits, seed=seed))


@st.cache_resource(max_entries=limits.TOY_CACHE_ENTRIES, ttl=limits.CACHE_TTL_SECONDS,
                   show_spinner="Loading data…")
def _cached_toy(name: str, n_samples: int, noise: float, test_fraction: float, seed: int) -> Dataset:
    return _read_only(load_dataset(name, n_samples=n_samples, noise=noise, test_fraction=test_fraction, seed=seed))


@st.cache_resource(max_entries=limits.CSV_CACHE_ENTRIES, ttl=limits.CACHE_TTL_SECONDS,
                   show_spinner="Reading your CSV…")
def _cached_csv(data: bytes, test_fraction: float, seed: int) -> Dataset:
    # keyed by the file's content: two visitors uploading the same file share the parsed copy
    return _read_only(csv_dataset(data, test_fraction=test_fraction, seed=seed, **limits.CSV_LIMITS))


def load_data(cfg: LabConfig) -> Dataset:
    """The dataset for a config; cached and shared (read-only) across sessions."""
    from . import preload  # noqa: F401  (scikit-learn imported once, not by two sessions at a time)
    from .config import DATA_FIELDS

    if cfg.dataset == CSV_DATASET:
        data = st.session_state.get("_csv_files", {}).get(cfg.csv_id)
        if data is None:
            raise ValueError("Upload a CSV file in the sidebar (Data → CSV file): two numeric columns and "
                             "a label column, like “x1,x2,label”.")
        return _cached_csv(data, cfg.test_fraction, cfg.data_seed)
    if cfg.dataset == "mnist":
        return _cached_mnist(cfg.n_train, cfg.n_test, tuple(cfg.digits), cfg.data_seed)
    return _cached_toy(cfg.dataset, cfg.n_samples, cfg.noise, cfg.test_fraction, cfg.data_seed)


def accept_csv(page: str) -> None:
    """Upload callback: validate the file; keep it (this session only) if it is usable, else
    remember the message. A bad file never replaces the last good one."""
    upload = st.session_state.get(key(page, "csv_file"))
    st.session_state[key(page, "_csv_error")] = None
    if upload is None:
        return
    data = upload.getvalue()
    try:
        csv_dataset(data, **limits.CSV_LIMITS)  # the same checks the page's loader will run
    except ValueError as exc:
        st.session_state[key(page, "_csv_error")] = f"{upload.name}: {exc}"
        return
    digest = hashlib.sha1(data).hexdigest()[:16]
    st.session_state["_csv_files"] = {digest: data}  # one file per session: modest memory
    st.session_state[key(page, "csv_id")] = digest
    st.session_state[key(page, "_csv_name")] = upload.name


# ----------------------------------------------------------------------------- widgets
def key(page: str, name: str) -> str:
    """Session-state key of a sidebar widget of ``page``."""
    return f"{page}.{name}"


def _widget_values(cfg: LabConfig) -> dict:
    """Config -> the values of the widgets that edit it (units/activations spread per layer)."""
    vals = {f.name: getattr(cfg, f.name) for f in fields(LabConfig)
            if f.name not in ("hidden", "per_layer", "per_layer_bn", "per_layer_drop", "digits")}
    vals["n_hidden"] = len(cfg.hidden)
    base_units = cfg.hidden[-1] if cfg.hidden else 8
    for i in range(6):
        vals[f"units{i}"] = cfg.hidden[i] if i < len(cfg.hidden) else base_units
        vals[f"act{i}"] = cfg.per_layer[i] if i < len(cfg.per_layer) else cfg.activation
        vals[f"bn{i}"] = cfg.per_layer_bn[i] if i < len(cfg.per_layer_bn) else cfg.batch_norm
        vals[f"drop{i}"] = cfg.per_layer_drop[i] if i < len(cfg.per_layer_drop) else cfg.dropout
    vals["per_layer_on"] = bool(cfg.per_layer or cfg.per_layer_bn or cfg.per_layer_drop)
    vals["digits"] = list(cfg.digits)
    vals["features"] = list(cfg.features)  # a multi-select's value is a list
    return vals


def init_page(page: str) -> None:
    """First visit of ``page`` in this session: seed its widgets from the URL (or defaults)
    and remember any link warnings to show on the page."""
    if st.session_state.get(key(page, "_seeded")):
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    cfg, warnings = config_from_params(page, params) if params else (replace(PAGE_DEFAULTS[page]), [])
    for name, value in _widget_values(cfg).items():
        st.session_state.setdefault(key(page, name), value)
    st.session_state[key(page, "_seeded")] = True
    st.session_state[key(page, "_link_warnings")] = warnings


def link_warnings(page: str, clear: bool = False) -> list[str]:
    out = st.session_state.get(key(page, "_link_warnings"), [])
    if clear:
        st.session_state[key(page, "_link_warnings")] = []
    return out


def read_config(page: str) -> LabConfig:
    """The widgets' current values -> LabConfig (only widgets that apply are read)."""
    g = lambda name: st.session_state[key(page, name)]
    n_hidden = int(g("n_hidden"))
    hidden = tuple(int(g(f"units{i}")) for i in range(n_hidden))
    each = g("per_layer_on") and n_hidden
    per_layer = tuple(g(f"act{i}") for i in range(n_hidden)) if each else ()
    per_layer_bn = tuple(bool(g(f"bn{i}")) for i in range(n_hidden)) if each else ()
    per_layer_drop = tuple(float(g(f"drop{i}")) for i in range(n_hidden)) if each else ()
    base = PAGE_DEFAULTS[page]
    values = {}
    for f in fields(LabConfig):
        k = key(page, f.name)
        values[f.name] = st.session_state[k] if k in st.session_state else getattr(base, f.name)
    values.update(hidden=hidden, per_layer=per_layer, per_layer_bn=per_layer_bn, per_layer_drop=per_layer_drop,
                  digits=tuple(sorted(int(d) for d in st.session_state.get(key(page, "digits"), base.digits))),
                  features=_chosen_features(st.session_state.get(key(page, "features"), base.features)))
    if page not in PAGE_DATASETS:  # pages without a Dataset choice
        values["dataset"] = base.dataset
    return LabConfig(**values)


def _chosen_features(chosen) -> tuple:
    """The feature toggles' value -> the names in the sidebar's (canonical) order."""
    from engine.features import FEATURE_NAMES

    return tuple(n for n in FEATURE_NAMES if n in chosen)


def sync_url(page: str, cfg: LabConfig, extra: dict | None = None) -> None:
    """Write the non-default settings to the address bar (a share link), if they changed;
    ``extra``: more parameters (e.g. ui.byhand's marker of data edited by hand)."""
    want = {**params_from_config(page, cfg), **(extra or {})}
    have = {k: st.query_params.get(k) for k in st.query_params.keys()}
    if want != have:
        st.query_params.from_dict(want)


# ----------------------------------------------------------------------------- labs
def lab(page: str) -> Lab | None:
    return st.session_state.get(key(page, "_lab"))


def ensure_lab(page: str, cfg: LabConfig) -> tuple[Lab | None, str | None]:
    """Create this session's Lab for ``page`` or bring it in line with ``cfg``.

    Returns (lab, error). On a ValueError (e.g. impossible data sizes, a damaged data file)
    the previous lab is kept untouched and the error sentence is returned for display.
    """
    current = lab(page)
    bad_file = ui_value(page, "_csv_error")
    if cfg.dataset == CSV_DATASET and bad_file and not ui_value(page, "csv_id"):
        # a file was uploaded but could not be used: say that, not "upload a file"
        return current, (f"Your file could not be used — {bad_file} Upload a corrected file (Data → CSV "
                         "file); the page keeps its last valid data.")
    problems = limit_problems(page, cfg)
    if problems:  # the sidebar's values are the browser's: checked like a link's before anything is built
        return current, f"This page does not offer that setting: {problems[0]}."
    try:
        if current is None:
            current = Lab(page, cfg, load_data)
            st.session_state[key(page, "_lab")] = current
        elif cfg != current.cfg:
            current.update(cfg)
    except ValueError as exc:
        return current, str(exc)
    return current, None


def set_current_page(page: str | None) -> None:
    """Pause the lab of the page the user just left: its animation is no longer on screen."""
    prev = st.session_state.get("_current_page")
    if prev != page and prev is not None and lab(prev) is not None:
        lab(prev).playing = False
    st.session_state["_current_page"] = page


# ----------------------------------------------------------------------------- compare page
def compare_config():
    """The Compare page's widgets -> CompareConfig (seeded from the URL on the first visit)."""
    from .compare import config_from_params

    if not st.session_state.get(key("compare", "_seeded")):
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        cfg, warnings = config_from_params(params)
        st.session_state[key("compare", "_link_warnings")] = warnings
        for name, value in (("race", cfg.race), ("dataset", cfg.dataset), ("runs", cfg.runs),
                            ("hidden_text", ",".join(map(str, cfg.hidden)))):
            st.session_state.setdefault(key("compare", name), value)
        st.session_state[key("compare", "_seeded")] = True
        st.session_state[key("compare", "_runs")] = cfg.runs
    # a two-run race shows no runs slider, and Streamlit forgets an unshown widget's value:
    # keep the last one the user chose
    if key("compare", "runs") in st.session_state:
        st.session_state[key("compare", "_runs")] = st.session_state[key("compare", "runs")]
    else:
        st.session_state[key("compare", "runs")] = st.session_state[key("compare", "_runs")]
    g = lambda name: st.session_state[key("compare", name)]
    cfg, warnings = config_from_params({"race": g("race"), "data": g("dataset"), "runs": str(g("runs")),
                                        "hidden": g("hidden_text")})
    st.session_state[key("compare", "_bad_hidden")] = warnings[0] if warnings else None
    if warnings and lab("compare") is not None:  # bad layers typed: keep the runs' current ones
        cfg = replace(cfg, hidden=lab("compare").compare.hidden)
    return cfg


def compare_link_warnings() -> list[str]:
    out = st.session_state.get(key("compare", "_link_warnings"), [])
    bad = st.session_state.get(key("compare", "_bad_hidden"))
    return out + ([bad] if bad else [])


def compare_lab(cfg):
    """This session's CompareLab, rebuilt when the race, data, layers or number of runs change."""
    from .compare import CompareLab

    current = lab("compare")
    if current is None or current.compare != cfg:
        try:
            for _, run_cfg in cfg.run_configs():  # every run within the limits, before any is built
                problems = limit_problems("compare", run_cfg)
                if problems:
                    raise ValueError(f"This page does not offer that setting: {problems[0]}.")
            st.session_state[key("compare", "_lab")] = CompareLab(cfg, load_data)
        except ValueError as exc:
            if current is None:  # the first visit: the default race, and the sentence
                from .compare import CompareConfig

                st.session_state[key("compare", "_lab")] = CompareLab(CompareConfig(), load_data)
            return lab("compare"), str(exc)
    return lab("compare"), None


def sync_compare_url(want: dict) -> None:
    have = {k: st.query_params.get(k) for k in st.query_params.keys()}
    if want != have:
        st.query_params.from_dict(want)


def toggle_compare_play() -> None:
    lb = lab("compare")
    lb.playing = not lb.playing


def step_compare() -> None:
    lb = lab("compare")
    lb.playing = False
    lb.advance(1)


def reset_compare() -> None:
    lab("compare").reset()


def mark_full_run(page: str, value: bool) -> None:
    """True while the page's full script run draws the live fragment. The fragment then draws
    one still frame and returns instead of looping, so the rest of the page is not held up;
    its own timed re-run starts the loop a moment later."""
    st.session_state[key(page, "_full_run")] = value


def in_full_run(page: str) -> bool:
    return bool(st.session_state.get(key(page, "_full_run")))


def ui_value(page: str, name: str, default=None):
    """A page-local UI choice (e.g. which inspector tab is open)."""
    return st.session_state.get(key(page, name), default)


def session_id() -> str:
    """This browser session's id (for the shared frame budget, ui.pacing), or "" outside a run."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        return ctx.session_id if ctx is not None else ""
    except Exception:
        return ""


def session_token() -> str:
    """A random name of this server session (not Streamlit's session id): the browser's
    checkpoint (ui.checkpoint) records which session wrote it, and offers it only to another."""
    if "_session_token" not in st.session_state:
        import secrets

        st.session_state["_session_token"] = secrets.token_urlsafe(9)
    return st.session_state["_session_token"]


def element_event(element_key: str, event: str):
    """The value a browser element (components v2) sent with setTriggerValue(event, ...) for the
    current run, or None; read from the element's callback."""
    value = st.session_state.get(element_key)
    try:
        return value.get(event)
    except AttributeError:
        return None


def browser_gone() -> bool:
    """True only when we know this user's browser has disconnected (tab closed, network gone);
    any doubt (no served runtime, an internal API that changed) answers False."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        if ctx is None or not Runtime.exists():
            return False
        return not Runtime.instance().is_active_session(ctx.session_id)
    except Exception:
        return False


def resume_run(page: str) -> None:
    """Upload callback: continue the uploaded saved run on this page. A file that is foreign,
    damaged or from another page leaves everything as it was and says why."""
    upload = st.session_state.get(key(page, "run_file"))
    st.session_state[key(page, "_run_error")] = None
    if upload is None:
        return
    err = continue_run_bytes(page, upload.getvalue())
    if err:
        st.session_state[key(page, "_run_error")] = f"{upload.name}: {err}"


def continue_run_bytes(page: str, data: bytes) -> str | None:
    """Continue the saved run ``data`` (engine.export.save_run's content) on ``page``: its
    settings go to the sidebar and its trainer becomes the page's. -> None on success, else the
    sentence saying why it could not be used (and nothing has changed). One path for every way
    a saved run comes back (an uploaded file, the browser's checkpoint)."""
    from engine.export import Budget, load_run, run_settings

    from .config import config_from_run

    current = lab(page)
    if current is None:
        return "this page has no model yet; open it first."
    if len(data) > limits.RUN_FILE_BYTES:
        return (f"the file has {len(data) / 1e6:.1f} MB; a saved run of this app is at most "
                f"{limits.RUN_FILE_BYTES / 1e6:.0f} MB.")
    # everything is read, checked and built first; the session changes only once all of it worked
    budget = Budget(array_bytes=limits.RUN_ARRAY_BYTES, settings_bytes=limits.RUN_SETTINGS_BYTES,
                    members=limits.RUN_MEMBERS)
    try:
        cfg = config_from_run(page, run_settings(data, budget), current.cfg)  # the link's limits
        ds = load_data(cfg)
        tr = load_run(data, ds.X_train, ds.y_train, *((ds.X_test, ds.y_test) if len(ds.y_test) else (None, None)),
                      budget=budget)
    except ValueError as exc:
        return str(exc).removeprefix("load_run: ")
    apply_settings(page, _widget_values(cfg))
    current.adopt(tr, cfg, ds)
    return None


def apply_lesson(page: str, cfg: LabConfig, panel: str | None = None) -> None:
    """Every sidebar widget of ``page`` from ``cfg`` (a lesson's settings on the page's defaults),
    and its right panel; the page counts as visited, so the link does not seed it again."""
    apply_settings(page, _widget_values(cfg))
    st.session_state[key(page, "panel")] = panel or "curves"
    st.session_state[key(page, "_seeded")] = True
    st.session_state[key(page, "_link_warnings")] = []
    st.session_state[key(page, "_lesson_opened")] = True
    st.session_state[key(page, "_tfpg_notes")] = []
    if lab(page) is not None:
        if lab(page).hand_data:  # a lesson's claims speak of the data as generated
            lab(page).revert_data()
        lab(page).reset()  # a lesson starts at step 0, also when its settings are the page's current ones


def apply_link(page: str, cfg: LabConfig, warnings: list[str], notes: list[str]) -> None:
    """Every sidebar widget of ``page`` from ``cfg`` (a translated TensorFlow Playground link, ui.tfpg),
    with the link parser's ``warnings`` and the translation's ``notes`` to show there; the page
    counts as visited (its address is not read again), an open lesson box closes, step 0."""
    apply_settings(page, _widget_values(cfg))
    st.session_state[key(page, "panel")] = "curves"
    st.session_state[key(page, "_seeded")] = True
    st.session_state[key(page, "_link_warnings")] = list(warnings)
    st.session_state[key(page, "_tfpg_notes")] = list(notes)
    st.session_state[key(page, "_lesson")] = None
    if lab(page) is not None:
        lab(page).reset()


def apply_settings(page: str, changes: dict) -> None:
    """Set sidebar widgets of ``page`` (LabConfig field names; "hidden" as a tuple of units) from a
    button callback: the next run reads them like a user's own changes (and rebuilds if needed)."""
    for name, value in changes.items():
        if name == "hidden":
            st.session_state[key(page, "n_hidden")] = len(value)
            for i, units in enumerate(value):
                st.session_state[key(page, f"units{i}")] = units
        else:
            st.session_state[key(page, name)] = value


def put(page: str, name: str, value) -> None:
    """Remember a page-local value for this user (e.g. the last gradient-check report)."""
    st.session_state[key(page, name)] = value


def clamp(page: str, name: str, lo, hi) -> None:
    """Keep a widget's stored value inside the range it is about to be drawn with (a slider
    whose stored value falls outside its new range would otherwise be an error)."""
    k = key(page, name)
    if k in st.session_state:
        st.session_state[k] = min(max(st.session_state[k], lo), hi)
