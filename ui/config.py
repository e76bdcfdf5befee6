"""The playground's settings as one dataclass per training page, their defaults, the widget
option lists, and the conversion to and from URL query parameters (share links).

Pure Python: no streamlit here, so the URL parsing is tested directly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from engine import CURVE_SETS, HIDDEN_ACTIVATIONS, LOSSES, MSE_OUTPUTS, REGRESSION_SETS
from engine.features import FEATURE_NAMES, RAW
from engine.features import labels as feature_labels

from . import limits

OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "nesterov": "Nesterov momentum", "adam": "Adam"}
INIT_LABELS = {"normal": "Normal N(0, σ²)", "xavier": "Xavier (Glorot)", "he": "He (Kaiming)",
               "zeros": "All zeros (symmetry!)"}
LOSS_LABELS = {"cross_entropy": "Softmax cross-entropy", "mse": "Mean squared error", "bce": "Binary cross-entropy"}


def log_options(lo_exp: int, hi_exp: int) -> list[float]:
    """1-3 steps per decade from 10**lo_exp to 10**hi_exp, e.g. 1e-3, 3e-3, 0.01, 0.03, ..."""
    out = []
    for e in range(lo_exp, hi_exp + 1):
        for m in (1, 3):
            v = float(f"{m}e{e}")
            if v <= 10.0 ** hi_exp + 1e-12:
                out.append(v)
    return out


LR_OPTIONS = [0.0] + log_options(-4, 1)  # 0 (frozen: backprop still runs, nothing moves), 1e-4 .. 10
VAR_OPTIONS = log_options(-4, 1)         # init variance 1e-4 .. 10
L2_OPTIONS = [0.0] + log_options(-5, -1)
# every size a visitor can ask for lives in ui.limits (the one place); these names stay here too
BATCH_OPTIONS = limits.BATCH_OPTIONS  # 0 = full batch
MAX_HIDDEN_LAYERS = limits.MAX_HIDDEN_LAYERS
L1_OPTIONS = [0.0] + log_options(-5, -1)
CLIP_OPTIONS = [0.0] + log_options(-2, 2)  # max gradient norm, 0 = no clipping
SCHEDULE_LABELS = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine annealing"}
MAX_SCHEDULE_STEPS = limits.SCHEDULE_STEPS[1]  # a schedule's period (step decay's "every", the cosine's T_max)
FEATURE_LABELS = dict(zip(FEATURE_NAMES, feature_labels(FEATURE_NAMES)))  # "x1sq" -> "x₁²"


@dataclass
class LabConfig:
    """Every setting of one training page. Grouped by what a change does:
    DATA_FIELDS reload the data and rebuild, ARCH_FIELDS rebuild the model, the rest apply
    live on the next step (learning rate, momentum, L2, batch size, optimizer, speed)."""

    dataset: str = "xor"
    n_samples: int = 400
    noise: float = 0.05
    test_fraction: float = 0.2
    data_seed: int = 0
    digits: tuple = tuple(range(10))
    n_train: int = 8000
    n_test: int = 2000
    hidden: tuple = (8, 8)
    activation: str = "tanh"
    per_layer: tuple = ()  # one activation per hidden layer, or () = `activation` everywhere
    batch_norm: bool = False
    dropout: float = 0.0
    per_layer_bn: tuple = ()    # with the per-layer switch: one bool per hidden layer, else () = batch_norm
    per_layer_drop: tuple = ()  # likewise one dropout rate per hidden layer
    loss: str = "cross_entropy"
    output_activation: str = "sigmoid"  # used by mse only
    init: str = "normal"
    init_var: float = 0.3
    seed: int = 0
    optimizer: str = "momentum"
    lr: float = 0.03
    momentum: float = 0.9
    l2: float = 0.0
    batch_size: int = 0  # 0 = full batch
    steps_per_frame: int = 2
    csv_id: str = ""  # content hash of the user's uploaded CSV (dataset "csv"); never in links
    problem: str = "classification"  # fixed per page: "regression" on the regression pages
    features: tuple = RAW  # engineered inputs of the 2-D pages (engine.features), canonical order
    l1: float = 0.0        # L1 strength on the weights (engine.regularization)
    schedule: str = "constant"  # learning-rate schedule (engine.schedules): constant | step | cosine
    sched_every: int = 500      # step decay: multiply the rate by sched_decay every this many steps
    sched_decay: float = 0.5
    sched_tmax: int = 1000      # cosine: from lr down to lr_min over this many steps
    lr_min: float = 0.0
    clip: float = 0.0           # max norm of all gradients together; 0 = no clipping
    # what the page shows (no effect on the run; TF Playground's showTestData, discretize, *_hide)
    show_test: bool = True      # the test points on the 2-D pages' picture
    discretize: bool = False    # the picture's background in two flat colours (the predicted class)
    hide: tuple = ()            # controls and panels a teacher's link hides (HIDE_PARTS, share-link names)

    def activations(self):
        return list(self.per_layer) if self.per_layer else self.activation

    def batch_norms(self):
        return [bool(b) for b in self.per_layer_bn] if self.per_layer_bn else self.batch_norm

    def dropouts(self):
        return [float(p) for p in self.per_layer_drop] if self.per_layer_drop else self.dropout

    def net_features(self, n_features: int):
        """The MLP's ``features`` for data with ``n_features`` columns: None (the inputs as they
        are) for MNIST or the plain x1, x2; else the chosen names."""
        return None if n_features != 2 or self.features == RAW else self.features

    def data_key(self) -> tuple:
        return tuple(getattr(self, f) for f in DATA_FIELDS)

    def arch_key(self) -> tuple:
        return tuple(getattr(self, f) for f in ARCH_FIELDS)


DATA_FIELDS = ("dataset", "n_samples", "noise", "test_fraction", "data_seed", "digits", "n_train", "n_test",
               "csv_id")
ARCH_FIELDS = ("hidden", "activation", "per_layer", "batch_norm", "dropout", "per_layer_bn", "per_layer_drop",
               "loss", "output_activation", "init", "init_var", "seed", "features")
LIVE_FIELDS = ("optimizer", "lr", "momentum", "l2", "batch_size", "steps_per_frame", "l1", "schedule", "sched_every",
               "sched_decay", "sched_tmax", "lr_min", "clip")
SCHEDULE_FIELDS = {"step": ("sched_every", "sched_decay"), "cosine": ("sched_tmax", "lr_min")}  # each schedule's own
VIEW_FIELDS = ("show_test", "discretize", "hide")  # only what the page shows: never a rebuild

PAGE_DEFAULTS: dict[str, LabConfig] = {
    "xor": LabConfig(dataset="xor", noise=0.05),
    "circles": LabConfig(dataset="circles", noise=0.08),
    "more2d": LabConfig(dataset="spiral", noise=0.04, hidden=(16, 16, 16), activation="tanh",
                        init="xavier", optimizer="adam", lr=0.01, batch_size=32, steps_per_frame=4),
    "mnist": LabConfig(dataset="mnist", hidden=(100,), activation="relu", init="he", optimizer="momentum",
                       lr=0.03, momentum=0.9, batch_size=64, steps_per_frame=5),
    # regression (ui.regression): TF Playground's 2-D sets, and 1-D curve fitting
    "regression": LabConfig(dataset="reg-plane", noise=0.0, hidden=(16, 16, 16), activation="tanh", init="xavier",
                            optimizer="adam", lr=0.01, batch_size=32, steps_per_frame=4, loss="mse",
                            output_activation="linear", problem="regression"),
    "curve": LabConfig(dataset="sine", n_samples=100, noise=0.1, hidden=(8,), activation="relu", init="he",
                       optimizer="adam", lr=0.03, loss="mse", output_activation="linear", problem="regression"),
}
MORE_2D_SETS = ("moons", "spiral", "gaussians")
PAGE_DATASETS = {"more2d": MORE_2D_SETS, "regression": REGRESSION_SETS, "curve": CURVE_SETS}  # a Dataset choice
REGRESSION_PAGES = ("regression", "curve")
REGRESSION_OUTPUTS = ("linear", "tanh")  # a regression output: any real number, or within (-1, 1)
CSV_DATASET = "csv"  # the More 2-D page's "your own CSV file" choice

# ----------------------------------------------------------------------------- URL params
# short, stable names for share links
URL_NAMES = {
    "dataset": "data", "n_samples": "n", "noise": "noise", "test_fraction": "test", "data_seed": "dseed",
    "digits": "digits", "n_train": "ntrain", "n_test": "ntest", "hidden": "hidden", "activation": "act",
    "per_layer": "acts", "loss": "loss", "output_activation": "out", "init": "init", "init_var": "var",
    "seed": "seed", "optimizer": "opt", "lr": "lr", "momentum": "mom", "l2": "l2", "batch_size": "batch",
    "steps_per_frame": "spf", "batch_norm": "bn", "dropout": "drop", "per_layer_bn": "bns",
    "per_layer_drop": "drops", "problem": "problem", "features": "features", "l1": "l1", "schedule": "sched",
    "sched_every": "every", "sched_decay": "decay", "sched_tmax": "tmax", "lr_min": "lrmin", "clip": "clip",
    "show_test": "testdata", "discretize": "discretize", "hide": "hide",
}
TWO_D_ONLY = ("n_samples", "noise", "test_fraction", "dataset", "features")  # settings the MNIST page ignores
MAX_DROPOUT = limits.MAX_DROPOUT
FIELD_OF = {v: k for k, v in URL_NAMES.items()}
# hide= (a teacher's link, ui.hiding): a sidebar control by its share-link name, or one of these
HIDE_PARTS = {"play": "the Play button", "step": "the Step button", "epoch": "the Step epoch button",
              "reset": "the Reset button", "text": "the page's introduction", "panel": "the right-panel switch",
              "curves": "the loss and accuracy charts", "weights": "the weight heatmaps",
              "charts": "the per-layer charts", "inside": "Look inside backprop"}


def hide_names() -> tuple:
    """Every name hide= takes: the parts above, then the share-link names of the controls."""
    return tuple(HIDE_PARTS) + tuple(n for n in URL_NAMES.values() if n not in HIDE_PARTS and n != "hide")


def _int_list(text: str) -> tuple:
    parts = [p for p in text.replace(" ", "").split(",") if p != ""]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("must be whole numbers separated by commas") from None


def _number(raw: str, kind=float):
    try:
        return kind(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("is not a number") from None


def _nearest(value: float, options: list[float]) -> float:
    if value <= 0:
        return min(options)
    return min(options, key=lambda o: abs(math.log10(max(o, 1e-12)) - math.log10(value)))


def _parse_value(name: str, raw: str, page: str, cfg: LabConfig):
    """-> (value, warning or None). Raises ValueError with a sentence if unusable.

    The one set of range checks for every setting a visitor sends: share links, and through
    ``limit_problems`` the sidebar's values, a saved run's settings and Compare's runs."""
    max_units = limits.max_units(page)
    if name == "problem":
        return _parse_problem(raw, page)
    if name == "dataset":
        allowed = PAGE_DATASETS.get(page, (cfg.dataset,))
        if raw == CSV_DATASET and page == "more2d":
            raise ValueError("names an uploaded CSV file, which a link cannot carry; upload it again")
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)} on this page")
        return raw, None
    if name in ("n_samples", "n_train", "n_test", "data_seed", "seed", "steps_per_frame", "batch_size",
                "sched_every", "sched_tmax"):
        v = _number(raw, int)
        lo, hi = {"n_samples": limits.N_SAMPLES, "n_train": limits.N_TRAIN, "n_test": limits.N_TEST,
                  "data_seed": limits.SEED, "seed": limits.SEED, "steps_per_frame": limits.STEPS_PER_FRAME,
                  "batch_size": limits.BATCH, "sched_every": limits.SCHEDULE_STEPS,
                  "sched_tmax": limits.SCHEDULE_STEPS}[name]
        if not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        if name == "batch_size" and v not in BATCH_OPTIONS:
            snapped = min(BATCH_OPTIONS[1:], key=lambda o: abs(o - v))
            return snapped, f"batch size {v} is not offered; using {snapped}"
        return v, None
    if name in ("noise", "test_fraction", "momentum"):
        v = _number(raw)
        lo, hi = {"noise": limits.NOISE, "test_fraction": limits.TEST_FRACTION, "momentum": limits.MOMENTUM}[name]
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ValueError(f"must be a number from {lo:g} to {hi:g}")
        return round(v, 2), None
    if name in ("lr", "init_var", "l2", "l1", "lr_min", "clip"):
        v = _number(raw)
        opts = {"lr": LR_OPTIONS, "init_var": VAR_OPTIONS, "l2": L2_OPTIONS, "l1": L1_OPTIONS, "lr_min": LR_OPTIONS,
                "clip": CLIP_OPTIONS}[name]
        zero_ok = name != "init_var"
        if not math.isfinite(v) or v < 0 or (v == 0 and not zero_ok):
            raise ValueError("must be a positive number" + (" or 0" if zero_ok else ""))
        if v in opts:
            return v, None
        smallest = min(o for o in opts if o > 0)
        snapped = 0.0 if (zero_ok and v < smallest / 2) else _nearest(v, [o for o in opts if o > 0])
        return snapped, f"{URL_NAMES[name]}={raw} is not on the slider; using {snapped:g}"
    if name == "sched_decay":
        v = _number(raw)
        if not (math.isfinite(v) and 0.01 <= v <= 1):
            raise ValueError("must be a factor from 0.01 to 1 (the rate is multiplied by it)")
        return round(v, 2), None
    if name == "schedule":
        if raw not in SCHEDULE_LABELS:
            raise ValueError(f"must be one of {', '.join(SCHEDULE_LABELS)}")
        return raw, None
    if name == "features":
        names = [p for p in raw.replace(" ", "").split(",") if p]
        unknown = [n for n in names if n not in FEATURE_NAMES]
        if unknown or not names:
            raise ValueError(f"must name input features from {', '.join(FEATURE_NAMES)}, like x1sq,x2sq"
                             + (f" (“{unknown[0][:20]}” is not one)" if unknown else ""))
        return tuple(n for n in FEATURE_NAMES if n in names), None  # the sidebar's order
    if name == "hide":
        names = [n for n in raw.replace(" ", "").split(",") if n]
        known = hide_names()
        unknown = [n for n in names if n not in known]
        if names and len(unknown) == len(names):
            # the first names only: the whole list (~50) would make a warning of 400 characters
            raise ValueError(f"names nothing that can be hidden: it takes {', '.join(known[:8])} or any setting's "
                             "link name, like hide=lr,mom")
        kept = tuple(n for n in known if n in names)  # one order, whatever the link's
        return kept, (f"hide= names {len(unknown)} thing{'s' if len(unknown) > 1 else ''} that cannot be hidden "
                      f"(“{unknown[0][:20]}”…); the rest is hidden" if unknown else None)
    if name in ("batch_norm", "show_test", "discretize"):
        if raw.lower() not in ("0", "1", "true", "false", "on", "off"):
            raise ValueError("must be 1 (on) or 0 (off)")
        return raw.lower() in ("1", "true", "on"), None
    if name == "dropout":
        v = _number(raw)
        if not (math.isfinite(v) and 0 <= v <= MAX_DROPOUT):
            raise ValueError(f"must be a rate from 0 to {MAX_DROPOUT:g}")
        return round(v, 2), None
    if name == "per_layer_bn":
        parts = [p for p in raw.split(",") if p]
        if any(p not in ("0", "1") for p in parts):
            raise ValueError("must be 0s and 1s separated by commas, one per hidden layer, like 1,0")
        return tuple(p == "1" for p in parts), None
    if name == "per_layer_drop":
        try:
            rates = tuple(round(float(p), 2) for p in raw.split(",") if p)
        except ValueError:
            raise ValueError("must be rates separated by commas, one per hidden layer, like 0.2,0") from None
        if any(not (math.isfinite(r) and 0 <= r <= MAX_DROPOUT) for r in rates):
            raise ValueError(f"each rate must be from 0 to {MAX_DROPOUT:g}")
        return rates, None
    if name == "hidden":
        units = _int_list(raw) if raw not in ("", "none", "-") else ()
        if len(units) > MAX_HIDDEN_LAYERS or any(not 1 <= u <= max_units for u in units):
            raise ValueError(f"needs 0 to {MAX_HIDDEN_LAYERS} layers of 1 to {max_units} units, like 8,8")
        return units, None
    if name == "digits":
        ds = tuple(sorted(set(_int_list(raw))))
        if len(ds) < 2 or ds[0] < 0 or ds[-1] > 9:
            raise ValueError("needs at least two different digits 0-9, like 0,1,7")
        return ds, None
    if name == "activation":
        if raw not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"must be one of {', '.join(HIDDEN_ACTIVATIONS)}")
        return raw, None
    if name == "per_layer":
        names = tuple(p for p in raw.split(",") if p)
        if any(n not in HIDDEN_ACTIVATIONS for n in names):
            raise ValueError(f"each must be one of {', '.join(HIDDEN_ACTIVATIONS)}")
        return names, None
    if name == "loss":
        if page in REGRESSION_PAGES and raw != "mse":
            raise ValueError("must be mse on a regression page (it predicts numbers, not classes)")
        if raw not in LOSSES:
            raise ValueError(f"must be one of {', '.join(LOSSES)}")
        return raw, None
    if name == "output_activation":
        allowed = REGRESSION_OUTPUTS if page in REGRESSION_PAGES else MSE_OUTPUTS
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}" + (" on a regression page" if page in
                                                                        REGRESSION_PAGES else ""))
        return raw, None
    if name == "init":
        if raw not in INIT_LABELS:
            raise ValueError(f"must be one of {', '.join(INIT_LABELS)}")
        return raw, None
    if name == "optimizer":
        if raw not in OPTIMIZERS:
            raise ValueError(f"must be one of {', '.join(OPTIMIZERS)}")
        return raw, None
    raise ValueError("is not a setting")  # pragma: no cover - every field is handled above


def _parse_problem(raw: str, page: str):
    """problem=classification|regression (TensorFlow Playground's name): each page solves one
    kind of problem, so the value must be the page's own; otherwise the sentence names the
    pages that solve the other kind."""
    mine = PAGE_DEFAULTS[page].problem if page in PAGE_DEFAULTS else LabConfig.problem  # Compare classifies
    if raw == mine:
        return raw, None
    if raw == "regression":
        raise ValueError("asks for regression, which has its own pages: Regression (the 2-D sets reg-plane and "
                         "reg-gauss) and Curve fitting (1-D); this page classifies")
    if raw == "classification":
        raise ValueError("asks for classification, which the XOR, Circles, More 2-D data and MNIST pages do; "
                         "this page predicts numbers (regression)")
    raise ValueError("must be classification or regression")


def config_from_params(page: str, params: dict) -> tuple[LabConfig, list[str]]:
    """Query parameters -> (config, warnings). Unknown or malformed parameters are skipped
    with a warning each; the rest of the link still applies. Never raises."""
    cfg = replace(PAGE_DEFAULTS[page])
    warnings = []
    for key, raw in params.items():
        raw = raw[-1] if isinstance(raw, list) else str(raw)
        if key == EDITED_PARAM:  # the honest marker of data edited by hand (ui/byhand.py)
            warnings.append(EDITED_WARNING)
            continue
        name = FIELD_OF.get(key)
        if name is None:
            warnings.append(f"Ignored unknown link parameter “{echo(key)}”.")
            continue
        if page != "mnist" and name in ("digits", "n_train", "n_test"):
            warnings.append(f"Ignored “{key}”: it only applies to the MNIST page.")
            continue
        if page == "mnist" and name in TWO_D_ONLY:
            warnings.append(f"Ignored “{key}”: it does not apply to the MNIST page.")
            continue
        try:
            value, note = _parse_value(name, raw.strip(), page, cfg)
        except ValueError as exc:
            warnings.append(f"Ignored link parameter {key}={echo(raw)!r}: it {exc}.")
            continue
        if note:
            warnings.append(note[0].upper() + note[1:] + ".")
        cfg = replace(cfg, **{name: value})
    for field, what in (("per_layer", "activations"), ("per_layer_bn", "batch-norm switches"),
                        ("per_layer_drop", "dropout rates")):
        if getattr(cfg, field) and len(getattr(cfg, field)) != len(cfg.hidden):
            warnings.append(f"Ignored “{URL_NAMES[field]}”: it names {len(getattr(cfg, field))} {what} for "
                            f"{len(cfg.hidden)} hidden layers.")
            cfg = replace(cfg, **{field: ()})
    return cfg, few(warnings)


def echo(text: str) -> str:
    """A visitor's text (a link's key or value, a cell, a file name) shortened for a sentence.
    (Shown as plain text, never Markdown: ui.echo.plain escapes it where it is drawn.)"""
    text = str(text)
    return text if len(text) <= limits.ECHO_CHARS else text[:limits.ECHO_CHARS - 1] + "…"


def few(warnings: list[str]) -> list[str]:
    """At most MAX_LINK_WARNINGS warnings, then one line counting the rest: a link with a
    thousand parameters gets a few lines, not a thousand."""
    most = limits.MAX_LINK_WARNINGS
    if len(warnings) <= most:
        return warnings
    return warnings[:most - 1] + [f"… and {len(warnings) - most + 1} more link parameters were ignored."]


def _same(a, b) -> bool:
    """Equal, floats within rounding (a slider's 0.15000000000000002 is 0.15)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


def limit_problems(page: str, cfg: LabConfig) -> list[str]:
    """What in ``cfg`` a share link of ``page`` could not ask for, one sentence each ([] = all
    within limits). The sidebar's values, a saved run's settings and Compare's runs pass
    through here before anything is built: the same rules (``_parse_value``) as a link, so the
    ranges are written once. A value counts as within limits when the link parser takes its
    text back unchanged (up to float rounding)."""
    problems = []
    for name, url in URL_NAMES.items():
        value = getattr(cfg, name)
        if (page != "mnist" and name in ("digits", "n_train", "n_test")) or (
                page == "mnist" and name in ("n_samples", "noise", "test_fraction", "dataset")) or (
                name == "dataset" and (page not in ("more2d",) or value == CSV_DATASET)):
            continue  # settings the page does not use (or an uploaded file, checked when read)
        if name in ("per_layer", "per_layer_bn", "per_layer_drop") and value and len(value) != len(cfg.hidden):
            problems.append(f"{url}: it names {len(value)} values for {len(cfg.hidden)} hidden layers")
            continue
        text = _fmt(value)
        try:
            got, note = _parse_value(name, text, page, cfg)
        except (ValueError, TypeError) as exc:
            problems.append(f"{url}={echo(text)}: it {exc}")
            continue
        if not _same(got, value):  # e.g. snapped to a slider's stop, or rounded to its step
            problems.append(f"{url}={echo(text)}: it is not one the sidebar offers")
    return problems


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(_fmt(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def params_from_config(page: str, cfg: LabConfig) -> dict[str, str]:
    """The settings that differ from the page defaults, as short query parameters."""
    base = PAGE_DEFAULTS[page]
    out = {}
    others = {f for kind, fs in SCHEDULE_FIELDS.items() if kind != cfg.schedule for f in fs}
    for f in fields(LabConfig):
        v = getattr(cfg, f.name)
        if f.name not in URL_NAMES or (f.name == "dataset" and v == CSV_DATASET):
            continue  # an uploaded file cannot travel in a link
        if f.name in others:
            continue  # the settings of a schedule not chosen: the link stays short
        if v != getattr(base, f.name):
            out[URL_NAMES[f.name]] = _fmt(v)
    return out



# ----------------------------------------------------------------------------- saved runs
PAGE_OF_DATASET = {"xor": "xor", "circles": "circles", "moons": "more2d", "spiral": "more2d",
                   "gaussians": "more2d", "mnist": "mnist", **{name: "regression" for name in REGRESSION_SETS},
                   **{name: "curve" for name in CURVE_SETS}}
PAGE_TITLES = {"xor": "XOR", "circles": "Circles", "more2d": "More 2-D data", "mnist": "MNIST digits",
               "regression": "Regression", "curve": "Curve fitting"}
PAGE_FILES = {"xor": "app_pages/xor.py", "circles": "app_pages/circles.py", "more2d": "app_pages/more_2d.py",
              "mnist": "app_pages/mnist.py", "regression": "app_pages/regression.py",
              "curve": "app_pages/curve_fitting.py"}  # for st.navigation (app.py) and st.switch_page


def data_spec(cfg: LabConfig) -> dict | None:
    """The engine.load_dataset arguments of a config's data (None for an uploaded CSV)."""
    if cfg.dataset == CSV_DATASET:
        return None
    if cfg.dataset == "mnist":
        return {"name": "mnist", "n_train": cfg.n_train, "n_test": cfg.n_test, "digits": list(cfg.digits),
                "seed": cfg.data_seed}
    return {"name": cfg.dataset, "n_samples": cfg.n_samples, "noise": cfg.noise,
            "test_fraction": cfg.test_fraction, "seed": cfg.data_seed}


def config_from_run(page: str, settings: dict, current: LabConfig) -> LabConfig:
    """The page settings of a saved run (engine.export.run_settings), or ValueError with a
    sentence when the run belongs to another page or uses settings the sidebar cannot show.

    Nothing is built here: a saved run's settings pass the same limits as a share link
    (``limit_problems``) before the caller loads its data or its arrays."""
    spec = settings.get("data_spec") if isinstance(settings, dict) else None
    if not spec:
        raise ValueError("this run was trained on your own data (an uploaded CSV file, or points added or "
                         "removed by hand), which the file holds but the page cannot show; continue it in Python "
                         "with engine.export.load_run.")
    name = spec.get("name") if isinstance(spec, dict) else None
    home = PAGE_OF_DATASET.get(name) if isinstance(name, str) else None
    if home != page:
        where = PAGE_TITLES.get(home, "another page")
        raise ValueError(f"this run was saved on the {where} page (data “{echo(name)}”); open that page "
                         f"and load it there.")
    try:
        values, extra = _run_values(settings, spec, current)
        cfg = replace(current, **values)
    except _Unshowable:
        raise  # already a sentence
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
        what = f"“{exc.args[0]}” is missing" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {echo(exc)}"
        raise ValueError(f"its settings are incomplete or malformed ({what}); it was not written by this page, "
                         f"or it was edited.") from None
    problems = limit_problems(page, cfg) + _engine_problems(page, cfg, extra)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValueError(f"its settings ask for what this page does not offer: {problems[0]}{more}.")
    return cfg


def _run_values(settings: dict, spec: dict, current: LabConfig) -> tuple[dict, dict]:
    """A saved run's settings -> (LabConfig field values, the other settings a Lab fixes)."""
    net, opt, tr = settings["net"], settings["optimizer"], settings["trainer"]
    acts, bns, drops = list(net["activations"]), list(net["batch_norm"]), list(net["dropout"])
    same = len(set(acts)) <= 1 and len(set(bns)) <= 1 and len(set(drops)) <= 1
    sizes = list(net["sizes"])
    values = dict(
        hidden=tuple(sizes[1:-1]), activation=acts[0] if acts and same else current.activation,
        per_layer=() if same else tuple(acts), batch_norm=bool(bns[0]) if bns else False,
        dropout=float(drops[0]) if drops else 0.0, per_layer_bn=() if same else tuple(bns),
        per_layer_drop=() if same else tuple(float(d) for d in drops), loss=net["loss"],
        output_activation=net["output_activation"] or current.output_activation, init=net["init"],
        init_var=net["init_var"], seed=net["seed"], lr=opt["lr"], l2=opt["weight_decay"],
        batch_size=tr["batch_size"] or 0)
    values.update(_options_from_run(net, tr))
    if opt["name"] == "adam":
        values["optimizer"] = "adam"
    elif opt["momentum"]:
        values.update(optimizer="nesterov" if opt["nesterov"] else "momentum", momentum=opt["momentum"])
    else:
        values["optimizer"] = "sgd"
    if spec["name"] == "mnist":
        values.update(dataset="mnist", n_train=spec["n_train"], n_test=spec["n_test"],
                      digits=tuple(spec["digits"]), data_seed=spec["seed"])
    else:
        values.update(dataset=spec["name"], n_samples=spec["n_samples"], noise=spec["noise"],
                      test_fraction=spec["test_fraction"], data_seed=spec["seed"])
    extra = {"n_in": sizes[0], "n_out": sizes[-1], "problem": net.get("problem", "classification"),
             "dtype": net["dtype"], "trainer_seed": tr["seed"],
             "eval_every": tr["eval_every"], "max_history": tr["max_history"],
             "adam": (opt.get("betas"), opt.get("eps")) if opt["name"] == "adam" else None,
             "spec_keys": sorted(spec)}
    return values, extra


def _engine_problems(page: str, cfg: LabConfig, extra: dict) -> list[str]:
    """The settings of a saved run that a Lab of ``page`` fixes rather than shows (ui.lab): the
    data's inputs and classes, the float type, the trainer's seed, evaluation and history."""
    mnist = page == "mnist"
    # inputs and outputs of the page's data: MNIST's pixels and digits; a curve is y = f(x); a
    # 2-D regression predicts one number; the 2-D classification sets have two classes
    n_in, n_out = (784, len(cfg.digits)) if mnist else {"curve": (1, 1), "regression": (2, 1)}.get(page, (2, 2))
    features = cfg.net_features(n_in)
    if features is not None:  # engineered inputs: W_1 has one row per feature
        n_in = len(features)
    spec_keys = sorted(data_spec(cfg))
    out = []
    if extra["spec_keys"] != spec_keys:
        out.append(f"its data is described by {echo(', '.join(map(str, extra['spec_keys'])))}, not {', '.join(spec_keys)}")
    if extra["n_in"] != n_in:
        out.append(f"its network has {echo(extra['n_in'])} inputs, but this page's data has {n_in}")
    if extra["problem"] != cfg.problem:
        out.append(f"it solves {echo(extra['problem'])}, this page {cfg.problem}")
    elif extra["n_out"] != n_out:
        what = f"{n_out} classes" if cfg.problem == "classification" else f"{n_out} target{'s' * (n_out > 1)}"
        out.append(f"its network has {echo(extra['n_out'])} outputs, but this data has {what}")
    dtype = "float32" if mnist else "float64"
    if extra["dtype"] != dtype:
        out.append(f"its numbers are {echo(extra['dtype'])}, this page computes in {dtype}")
    if extra["trainer_seed"] != cfg.seed:
        out.append("its batch order has its own seed, which the sidebar cannot show")
    if extra["eval_every"] != limits.eval_every(page):
        out.append(f"it evaluates the test set every {echo(extra['eval_every'])} steps, this page every "
                   f"{limits.eval_every(page)}")
    if extra["max_history"] != limits.MAX_HISTORY:
        out.append(f"it keeps a history of {echo(extra['max_history'])} steps, this page {limits.MAX_HISTORY:,}")
    if extra["adam"] is not None and (list(extra["adam"][0] or ()) != [0.9, 0.999] or extra["adam"][1] != 1e-8):
        out.append("its Adam has betas or eps the sidebar does not offer")
    return out


class _Unshowable(ValueError):
    """A saved run's setting that is well-formed but not one the sidebar offers (a sentence)."""


def _options_from_run(net: dict, tr: dict) -> dict:
    """The features, L1, clipping and schedule of a saved run as page settings (a run saved
    before they existed has none of them: the defaults). ValueError when the sidebar cannot show
    them."""
    features = tuple(net.get("features") or RAW)
    if features != tuple(n for n in FEATURE_NAMES if n in features):
        raise _Unshowable("its input features are in an order the sidebar cannot show "
                         f"({', '.join(features)}); continue it in Python with engine.export.load_run.")
    l1, clip = tr.get("l1", 0.0), tr.get("clip_norm") or 0.0
    sched = dict(tr.get("schedule") or {"name": "constant"})
    values = dict(features=features, l1=l1, clip=clip, schedule=sched.get("name", "constant"))
    if values["schedule"] == "step":
        values.update(sched_every=sched["step_size"], sched_decay=sched["gamma"])
    elif values["schedule"] == "cosine":
        values.update(sched_tmax=sched["T_max"], lr_min=sched["eta_min"])
    if (l1 not in L1_OPTIONS or clip not in CLIP_OPTIONS or values.get("lr_min", 0.0) not in LR_OPTIONS
            or values["schedule"] not in SCHEDULE_LABELS
            or not 1 <= values.get("sched_every", 1) <= MAX_SCHEDULE_STEPS
            or not 1 <= values.get("sched_tmax", 1) <= MAX_SCHEDULE_STEPS
            or round(values.get("sched_decay", 0.5), 2) != values.get("sched_decay", 0.5)):
        raise _Unshowable("its L1, gradient clipping or learning-rate schedule is not one the sidebar offers; "
                         "continue it in Python with engine.export.load_run.")
    return values


# ----------------------------------------------------------------------------- changes by hand (ui/byhand.py)
# the sizes a visitor can reach by hand live in ui.limits (the one place); these names stay here too
HAND_MAX_TRAIN, HAND_MIN_TRAIN = limits.HAND_MAX_TRAIN, limits.HAND_MIN_TRAIN
MAX_TYPED_VALUE, EDIT_OPS, GRAPH_MAX_UNITS = limits.MAX_TYPED_VALUE, limits.EDIT_OPS, limits.GRAPH_MAX_UNITS
HAND_RADIUS = 0.04        # a shift-click removes the nearest point within this share of the square's side
EDITED_PARAM = "edited"   # share link: "edited=points" says the data were edited by hand (a link cannot carry them)
EDITED_WARNING = ("This link comes from a page whose training points were edited by hand (added or removed by "
                  "clicking); a link cannot carry those points, so this page shows the data as generated.")
