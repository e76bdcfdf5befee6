"""The playground's settings as one dataclass per training page, their defaults, the widget
option lists, and the conversion to and from URL query parameters (share links).

Pure Python: no streamlit here, so the URL parsing is tested directly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from engine import HIDDEN_ACTIVATIONS, LOSSES, MSE_OUTPUTS

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
BATCH_OPTIONS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]  # 0 = full batch
MAX_HIDDEN_LAYERS = 6


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

    def data_key(self) -> tuple:
        return tuple(getattr(self, f) for f in DATA_FIELDS)

    def arch_key(self) -> tuple:
        return tuple(getattr(self, f) for f in ARCH_FIELDS)


DATA_FIELDS = ("dataset", "n_samples", "noise", "test_fraction", "data_seed", "digits", "n_train", "n_test",
               "csv_id")
ARCH_FIELDS = ("hidden", "activation", "per_layer", "batch_norm", "dropout", "per_layer_bn", "per_layer_drop",
               "loss", "output_activation", "init", "init_var", "seed")
LIVE_FIELDS = ("optimizer", "lr", "momentum", "l2", "batch_size", "steps_per_frame")
VIEW_FIELDS = ("show_test", "discretize", "hide")  # only what the page shows: never a rebuild

PAGE_DEFAULTS: dict[str, LabConfig] = {
    "xor": LabConfig(dataset="xor", noise=0.05),
    "circles": LabConfig(dataset="circles", noise=0.08),
    "more2d": LabConfig(dataset="spiral", noise=0.04, hidden=(16, 16, 16), activation="tanh",
                        init="xavier", optimizer="adam", lr=0.01, batch_size=32, steps_per_frame=4),
    "mnist": LabConfig(dataset="mnist", hidden=(100,), activation="relu", init="he", optimizer="momentum",
                       lr=0.03, momentum=0.9, batch_size=64, steps_per_frame=5),
}
MORE_2D_SETS = ("moons", "spiral", "gaussians")
CSV_DATASET = "csv"  # the More 2-D page's "your own CSV file" choice

# ----------------------------------------------------------------------------- URL params
# short, stable names for share links
URL_NAMES = {
    "dataset": "data", "n_samples": "n", "noise": "noise", "test_fraction": "test", "data_seed": "dseed",
    "digits": "digits", "n_train": "ntrain", "n_test": "ntest", "hidden": "hidden", "activation": "act",
    "per_layer": "acts", "loss": "loss", "output_activation": "out", "init": "init", "init_var": "var",
    "seed": "seed", "optimizer": "opt", "lr": "lr", "momentum": "mom", "l2": "l2", "batch_size": "batch",
    "steps_per_frame": "spf", "batch_norm": "bn", "dropout": "drop", "per_layer_bn": "bns",
    "per_layer_drop": "drops", "show_test": "testdata", "discretize": "discretize", "hide": "hide",
}
MAX_DROPOUT = 0.9
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
    """-> (value, warning or None). Raises ValueError with a sentence if unusable."""
    max_units = 256 if page == "mnist" else 64
    if name == "dataset":
        allowed = MORE_2D_SETS if page == "more2d" else (cfg.dataset,)
        if raw == CSV_DATASET and page == "more2d":
            raise ValueError("names an uploaded CSV file, which a link cannot carry; upload it again")
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)} on this page")
        return raw, None
    if name in ("n_samples", "n_train", "n_test", "data_seed", "seed", "steps_per_frame", "batch_size"):
        v = _number(raw, int)
        lo, hi = {"n_samples": (50, 2000), "n_train": (100, 9000), "n_test": (100, 5000),
                  "data_seed": (0, 10**6), "seed": (0, 10**6), "steps_per_frame": (1, 50),
                  "batch_size": (0, 512)}[name]
        if not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        if name == "batch_size" and v not in BATCH_OPTIONS:
            snapped = min(BATCH_OPTIONS[1:], key=lambda o: abs(o - v))
            return snapped, f"batch size {v} is not offered; using {snapped}"
        return v, None
    if name in ("noise", "test_fraction", "momentum"):
        v = _number(raw)
        lo, hi = {"noise": (0.0, 0.5), "test_fraction": (0.1, 0.5), "momentum": (0.0, 0.99)}[name]
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ValueError(f"must be a number from {lo:g} to {hi:g}")
        return round(v, 2), None
    if name in ("lr", "init_var", "l2"):
        v = _number(raw)
        opts = {"lr": LR_OPTIONS, "init_var": VAR_OPTIONS, "l2": L2_OPTIONS}[name]
        zero_ok = name in ("l2", "lr")
        if not math.isfinite(v) or v < 0 or (v == 0 and not zero_ok):
            raise ValueError("must be a positive number" + (" or 0" if zero_ok else ""))
        if v in opts:
            return v, None
        smallest = min(o for o in opts if o > 0)
        snapped = 0.0 if (zero_ok and v < smallest / 2) else _nearest(v, [o for o in opts if o > 0])
        return snapped, f"{URL_NAMES[name]}={raw} is not on the slider; using {snapped:g}"
    if name == "hide":
        names = [n for n in raw.replace(" ", "").split(",") if n]
        known = hide_names()
        unknown = [n for n in names if n not in known]
        if names and len(unknown) == len(names):
            raise ValueError(f"names nothing that can be hidden: {', '.join(known)}")
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
        if raw not in LOSSES:
            raise ValueError(f"must be one of {', '.join(LOSSES)}")
        return raw, None
    if name == "output_activation":
        if raw not in MSE_OUTPUTS:
            raise ValueError(f"must be one of {', '.join(MSE_OUTPUTS)}")
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


def config_from_params(page: str, params: dict) -> tuple[LabConfig, list[str]]:
    """Query parameters -> (config, warnings). Unknown or malformed parameters are skipped
    with a warning each; the rest of the link still applies. Never raises."""
    cfg = replace(PAGE_DEFAULTS[page])
    warnings = []
    for key, raw in params.items():
        raw = raw[-1] if isinstance(raw, list) else str(raw)
        name = FIELD_OF.get(key)
        if name is None:
            warnings.append(f"Ignored unknown link parameter “{key}”.")
            continue
        if page != "mnist" and name in ("digits", "n_train", "n_test"):
            warnings.append(f"Ignored “{key}”: it only applies to the MNIST page.")
            continue
        if page == "mnist" and name in ("n_samples", "noise", "test_fraction", "dataset"):
            warnings.append(f"Ignored “{key}”: it does not apply to the MNIST page.")
            continue
        try:
            value, note = _parse_value(name, raw.strip(), page, cfg)
        except ValueError as exc:
            warnings.append(f"Ignored link parameter {key}={raw[:40]!r}: it {exc}.")
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
    return cfg, warnings


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
    for f in fields(LabConfig):
        v = getattr(cfg, f.name)
        if f.name not in URL_NAMES or (f.name == "dataset" and v == CSV_DATASET):
            continue  # an uploaded file cannot travel in a link
        if v != getattr(base, f.name):
            out[URL_NAMES[f.name]] = _fmt(v)
    return out



# ----------------------------------------------------------------------------- saved runs
PAGE_OF_DATASET = {"xor": "xor", "circles": "circles", "moons": "more2d", "spiral": "more2d",
                   "gaussians": "more2d", "mnist": "mnist"}
PAGE_TITLES = {"xor": "XOR", "circles": "Circles", "more2d": "More 2-D data", "mnist": "MNIST digits"}
PAGE_FILES = {"xor": "app_pages/xor.py", "circles": "app_pages/circles.py", "more2d": "app_pages/more_2d.py",
              "mnist": "app_pages/mnist.py"}  # for st.navigation (app.py) and st.switch_page


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
    sentence when the run belongs to another page or uses settings the sidebar cannot show."""
    spec = settings.get("data_spec")
    if not spec:
        raise ValueError("this run was trained on your own CSV data, which the file holds but the page cannot "
                         "show as a CSV upload; continue it in Python with engine.export.load_run.")
    home = PAGE_OF_DATASET.get(spec.get("name"))
    if home != page:
        where = PAGE_TITLES.get(home, "another page")
        raise ValueError(f"this run was saved on the {where} page (data “{spec.get('name')}”); open that page "
                         f"and load it there.")
    net, opt, tr = settings["net"], settings["optimizer"], settings["trainer"]
    acts, bns, drops = net["activations"], net["batch_norm"], net["dropout"]
    same = len(set(acts)) <= 1 and len(set(bns)) <= 1 and len(set(drops)) <= 1
    batch = tr["batch_size"] or 0
    if batch not in BATCH_OPTIONS or opt["lr"] not in LR_OPTIONS:
        raise ValueError("its batch size or learning rate is not one the sidebar offers.")
    values = dict(
        hidden=tuple(net["sizes"][1:-1]), activation=acts[0] if acts and same else current.activation,
        per_layer=() if same else tuple(acts), batch_norm=bool(bns[0]) if bns else False,
        dropout=float(drops[0]) if drops else 0.0, per_layer_bn=() if same else tuple(bns),
        per_layer_drop=() if same else tuple(float(d) for d in drops), loss=net["loss"],
        output_activation=net["output_activation"] or current.output_activation, init=net["init"],
        init_var=net["init_var"], seed=net["seed"], lr=opt["lr"], l2=opt["weight_decay"], batch_size=batch)
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
    return replace(current, **values)
