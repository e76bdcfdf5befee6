"""TensorFlow Playground links, translated into this app's own share links.

A TensorFlow Playground ("TF PG") link keeps its whole state after the ``#``:
``playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&...&networkShape=4,2``.
Course notes everywhere link to it. Here the same text after ``/playground?`` (or pasted into the
box on *Start here* and *Lessons*) opens the page of its data set with its settings.

Two steps, both pure Python (no streamlit; tested directly):

    fields = parse_fragment(text)     # TF PG's own reading of the text after "#"
    tr = translate(fields)            # -> Translation(page, params, notes)

``params`` are OUR share-link parameters (ui.config.URL_NAMES), so the landing page's link parser
(ui.config.config_from_params) applies them with its own limits and warnings; ``notes`` say, one
sentence each, what could not be matched.

The reading follows TF PG's source (github.com/tensorflow/playground, src/state.ts
``State.deserializeState`` and src/playground.ts) rule for rule:

- the text is split at "&", each part at "=" (the value is the part after the first "=" and before
  a second one; a part without "=" has no value); a later key overwrites an earlier one; nothing
  is percent-decoded;
- a key counts only with a non-blank value ("hasKey"), except ``networkShape``, which counts
  whenever present: an empty value is a network without hidden layers;
- numbers are JavaScript's ``+value`` (so "1e-2", " 3 " and "0x10" are numbers, "abc" is NaN);
- booleans: anything but "false" is true; ``*_hide`` keys: only "true" hides;
- choices (activation, dataset, regularization, problem ...) count only when they are one of TF
  PG's names, else its default stays (the same here, with a sentence);
- defaults are TF PG's (tanh, learning rate 0.03, batch 10, networkShape 4,2, noise 0, 50 % train,
  x and y only, circle), so a short link means what it means there;
- noise: above 80 it becomes 50, below 0 it becomes 0 (playground.ts); the data generators get
  noise / 100.
"""
from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass, field

from . import limits
from .config import hide_names

# ----------------------------------------------------------------------------- TF PG's names
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")          # state.ts activations
REGULARIZATIONS = ("none", "L1", "L2")                       # state.ts regularizations
DATASETS = ("circle", "xor", "gauss", "spiral")              # state.ts datasets (classification)
REG_DATASETS = ("reg-plane", "reg-gauss")                    # state.ts regDatasets
PROBLEMS = ("classification", "regression")
# state.ts PROPS: every key its deserializer reads (the rest of a link is ignored there too)
NUMBERS = ("batchSize", "learningRate", "regularizationRate", "noise", "percTrainData")
BOOLEANS = ("showTestData", "discretize", "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY",
            "sinY", "collectStats", "initZero", "hideText")
STRINGS = ("seed", "tutorial")
CHOICES = {"activation": ACTIVATIONS, "regularization": REGULARIZATIONS, "dataset": DATASETS,
           "regDataset": REG_DATASETS, "problem": PROBLEMS}
KNOWN = set(NUMBERS) | set(BOOLEANS) | set(STRINGS) | set(CHOICES) | {"networkShape"}
DEFAULTS = {"activation": "tanh", "regularization": "none", "batchSize": 10.0, "dataset": "circle",
            "regDataset": "reg-plane", "learningRate": 0.03, "regularizationRate": 0.0, "noise": 0.0,
            "networkShape": [4.0, 2.0], "seed": None, "tutorial": None, "showTestData": False,
            "discretize": False, "percTrainData": 50.0, "x": True, "y": True, "xTimesY": False,
            "xSquared": False, "ySquared": False, "cosX": False, "sinX": False, "cosY": False, "sinY": False,
            "collectStats": False, "problem": "classification", "initZero": False, "hideText": False}

# playground.ts INPUTS (in its order) -> our feature names (engine/features.py). cosX and cosY are
# read by state.ts but are not among INPUTS: TF PG's page ignores them.
INPUTS = {"x": "x1", "y": "x2", "xSquared": "x1sq", "ySquared": "x2sq", "xTimesY": "x1x2", "sinX": "sin1",
          "sinY": "sin2"}
FEATURE_ORDER = ("x1", "x2", "x1x2", "x1sq", "x2sq", "sin1", "sin2")  # our share links' order
# playground.ts HIDABLE_CONTROLS (and hideText) -> our hide= names (ui.config.HIDE_NAMES)
HIDES = {"showTestData": ("testdata",), "discretize": ("discretize",), "playButton": ("play",),
         "stepButton": ("step", "epoch"), "resetButton": ("reset",), "learningRate": ("lr",),
         "activation": ("act", "acts"), "regularization": ("l2", "l1"), "regularizationRate": ("l2", "l1"),
         "problem": (), "dataset": ("data",), "percTrainData": ("test",), "noise": ("noise",),
         "batchSize": ("batch",), "numHiddenLayers": ("hidden",)}

# our page of each data set (ui.config page ids), and the data set's name there
PAGE_OF = {"circle": ("circles", None), "xor": ("xor", None), "gauss": ("more2d", "gaussians"),
           "spiral": ("more2d", "spiral"), "reg-plane": ("regression", "reg-plane"),
           "reg-gauss": ("regression", "reg-gauss")}
POINTS = {"classification": 500, "regression": 1200}  # playground.ts NUM_SAMPLES_CLASSIFY / _REGRESS

MAX_CHARS = limits.TFPG_LINK_CHARS  # a real link is 600-1,300 characters (ui.limits)
MAX_PARTS = 200    # "&"-separated parts read from it
ECHO = 40          # characters of a visitor's key or value quoted back in a sentence


@dataclass
class Translation:
    """A TF PG link in this app's terms."""
    page: str                                   # our page id: "circles", "xor", "more2d", "regression"
    params: dict[str, str] = field(default_factory=dict)  # our share-link parameters
    notes: list[str] = field(default_factory=list)        # one sentence per thing that differs


# ----------------------------------------------------------------------------- reading
def parse_fragment(text: str) -> dict[str, str | None]:
    """The text of a TF PG link (the whole address, or only what follows "#") -> {key: value},
    read as TF PG's deserializeState reads ``window.location.hash``. A value is None for a part
    without "=". ValueError with a sentence for text that cannot be a TF PG link."""
    text = str(text).strip()
    if len(text) > MAX_CHARS:
        raise ValueError(f"That text is {len(text):,} characters long; a TensorFlow Playground link is at most a "
                         f"few hundred. Paste the address of one link.")
    # a browser drops tabs and line breaks from an address, and a link copied out of HTML source
    # may carry "&amp;" for each "&"
    text = re.sub(r"[\t\r\n]", "", text).replace("&amp;", "&")
    if "#" in text:
        text = text.split("#", 1)[1]
    elif "?" in text:
        text = text.split("?", 1)[1]
    fields: dict[str, str | None] = {}
    for part in text.split("&")[:MAX_PARTS]:
        pieces = part.split("=")
        fields[pieces[0]] = pieces[1] if len(pieces) > 1 else None
    return check_fields(fields)


def fields_from_query(query: dict) -> dict[str, str | None]:
    """Streamlit's query parameters of ``/playground?...`` ({key: value or [values]}) -> the same
    dict as parse_fragment. The browser and Streamlit have already split and percent-decoded
    them; the last of repeated keys wins, as in TF PG. ValueError as parse_fragment."""
    fields, size = {}, 0
    for key, value in list(query.items())[:MAX_PARTS]:
        value = value[-1] if isinstance(value, (list, tuple)) and value else value
        value = None if value is None or isinstance(value, (list, tuple)) else str(value)
        fields[str(key)] = value
        size += len(str(key)) + 1 + len(value or "")
    if size > MAX_CHARS:
        raise ValueError(f"That link is {size:,} characters long; a TensorFlow Playground link is at most a few "
                         f"hundred.")
    return check_fields(fields)


def check_fields(fields: dict) -> dict:
    """``fields`` if they name at least one TF PG setting, else ValueError with a sentence."""
    if not any(k in KNOWN or k.endswith("_hide") for k in fields):
        raise ValueError("That is not a TensorFlow Playground link: it names none of its settings (a link looks "
                         "like playground.tensorflow.org/#activation=tanh&dataset=circle&networkShape=4,2&…).")
    return fields


def js_number(text: str | None) -> float:
    """JavaScript's ``+text``: a decimal or 0x/0o/0b literal, Infinity, surrounding white space
    ignored, "" -> 0; anything else NaN."""
    if text is None:
        return math.nan
    t = text.strip()
    if t == "":
        return 0.0
    if re.fullmatch(r"[+-]?Infinity", t):
        return -math.inf if t.startswith("-") else math.inf
    m = re.fullmatch(r"0([xob])([0-9a-fA-F]+)", t, flags=re.IGNORECASE)
    if m:
        base = {"x": 16, "o": 8, "b": 2}[m.group(1).lower()]
        try:
            return float(int(m.group(2), base))
        except ValueError:
            return math.nan
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", t):
        return float(t)
    return math.nan


def tf_state(fields: dict[str, str | None]) -> dict:
    """The TF PG state of a link: its defaults, overwritten by what the link sets, by
    deserializeState's rules (module docstring). ``hide``: the *_hide keys that are "true"."""
    has = lambda k: k in fields and fields[k] is not None and fields[k].strip() != ""  # noqa: E731
    s = dict(DEFAULTS, networkShape=list(DEFAULTS["networkShape"]))
    for k, names in CHOICES.items():
        if has(k) and fields[k] in names:
            s[k] = fields[k]
    for k in NUMBERS:
        if has(k):
            s[k] = js_number(fields[k])
    for k in STRINGS:
        if has(k):
            s[k] = fields[k]
    for k in BOOLEANS:
        if has(k):
            s[k] = fields[k] != "false"
    if "networkShape" in fields:
        v = fields["networkShape"]
        s["networkShape"] = None if v is None else [] if v.strip() == "" else [js_number(p) for p in v.split(",")]
    s["hide"] = [k[:-len("_hide")] for k, v in fields.items() if k.endswith("_hide") and v == "true"]
    # playground.ts: the noise slider stops at 50; a link may ask for up to 80, above that 50
    if s["noise"] > 80:
        s["noise"] = 50.0
    elif s["noise"] < 0:
        s["noise"] = 0.0
    return s


# ----------------------------------------------------------------------------- translating
def _q(text) -> str:
    """A visitor's text, shortened, for a sentence (displayed escaped by the caller)."""
    text = str(text)
    return text if len(text) <= ECHO else text[:ECHO - 1] + "…"


def _num(v: float) -> str:
    return f"{v:g}"


def seed_number(seed: str) -> int:
    """TF PG's seed (a string, "0.12345" when it made it) -> our data and weight seed: its digits
    after "0." when it has that form (0.54001 -> 54001), else a checksum of the text; 0 .. 10**6."""
    m = re.fullmatch(r"0?\.(\d{1,6})", seed.strip())
    if m:
        return int(m.group(1))
    return zlib.crc32(seed.encode("utf-8", "replace")) % (10**6 + 1)


def noise_for(dataset: str, nu: float) -> float:
    """TF PG's noise (nu = its slider / 100, 0 .. 0.8) -> our data set's noise, matched by the
    spread of the disturbance relative to the data's size (each generator differs; see
    NOISE_NOTES). Rounded like our slider (0.01), not clipped."""
    if dataset in ("circle",):
        # labels read at the point moved by U(-5, 5)·nu per coordinate (std 5·nu/√3) on a disc of
        # radius 5; ours: Gaussian jitter of the points on circles of radius 1 -> scale 1/5
        v = nu / math.sqrt(3)
    elif dataset == "xor":
        # U(-5, 5)·nu on quadrants of width 5 (+0.3 padding); ours are 0.9 wide (+0.1) -> 0.9/5
        v = 0.9 * nu / math.sqrt(3)
    elif dataset == "spiral":
        # points moved by U(-1, 1)·nu (std nu/√3) on arms of radius 5; ours reach radius 1
        v = nu / (5 * math.sqrt(3))
    elif dataset == "gauss":
        # blobs at ±(2, 2) with variance 0.5 + 7·nu (d3's linear scale 0..0.5 -> 0.5..4, extended);
        # ours sit at ±(0.5, 0.5) -> the standard deviation scaled by 1/4
        v = math.sqrt(0.5 + 7 * nu) / 4
    else:
        v = nu  # reg-plane, reg-gauss: the same generators here (engine/datasets.py), same noise
    return round(v, 2)


NOISE_NOTES = {
    "circle": "TensorFlow Playground's noise {n} computes each point's label at the point moved by up to ±{d} in x "
              "and y (its data reach radius 5: labels flip near the class border, points stay); here the points themselves "
              "are jittered by a Gaussian of the same spread relative to the data (noise {v}, our rings have radius "
              "1 and 0.5), so the classes overlap alike but not point for point.",
    "xor": "TensorFlow Playground's noise {n} computes each point's label at the point moved by up to ±{d} in x "
           "and y (its quadrants are 5 wide: labels flip near the axes, points stay); here the points themselves are "
           "jittered by a Gaussian of the same spread relative to the data (noise {v}, our quadrants are 1 wide).",
    "spiral": "TensorFlow Playground's noise {n} moves each point by up to ±{d} in x and y (uniform) on arms of "
              "radius 5; here by a Gaussian of the same spread relative to the data (noise {v}, our arms reach "
              "radius 1).",
    "gauss": "TensorFlow Playground's noise {n} gives its two blobs (at ±(2, 2)) the variance 0.5 + 7 × {nu}; here "
             "the blobs sit at ±(0.5, 0.5), so their standard deviation is scaled by 1/4 (noise {v}).",
    "reg-plane": "TensorFlow Playground's noise {n} is {nu} here: this page's generator is its own regressPlane "
                 "(targets computed at the point moved by noise × U(−6, 6)).",
    "reg-gauss": "TensorFlow Playground's noise {n} is {nu} here: this page's generator is its own regressGaussian "
                 "(targets computed at the point moved by noise × U(−6, 6)).",
}
DATA_NOTES = {
    "circle": "Its 500 points come from its own generator (a disc of radius 2.5 inside a ring from 3.5 to 5) and "
              "its random numbers; here 500 points of this page's circles (two rings), so the picture agrees in "
              "shape, not point for point.",
    "xor": "Its 500 points come from its own generator and random numbers; here 500 points of this page's XOR "
           "(the same four quadrants, scaled to [−1, 1]), so they agree in shape, not point for point.",
    "spiral": "Its 500 points come from its own generator and random numbers; here 500 points of this page's "
              "two spirals (the same 1.75 turns, scaled to radius 1), so they agree in shape, not point for point.",
    "gauss": "Its 500 points come from its own generator and random numbers; here 500 points of this page's two "
             "Gaussian blobs, so they agree in shape, not point for point.",
    "reg-plane": "Its 1,200 points come from the same definition here but from other random numbers, so they "
                 "agree in distribution, not point for point.",
    "reg-gauss": "Its 1,200 points come from the same definition here but from other random numbers, so they "
                 "agree in distribution, not point for point.",
}
MAX_UNKNOWN_SHOWN = 5


def translate(fields: dict[str, str | None]) -> Translation:
    """A TF PG link's fields (parse_fragment / fields_from_query) -> our page, our share-link
    parameters and one sentence per thing that is not matched exactly. Never raises."""
    s = tf_state(fields)
    notes: list[str] = []
    regression = s["problem"] == "regression"
    dataset = s["regDataset"] if regression else s["dataset"]
    page, our_data = PAGE_OF[dataset]
    p: dict[str, str] = {}
    if our_data is not None:
        p["data"] = our_data
    if regression:
        p["problem"] = "regression"
    for key, names in CHOICES.items():
        if key in fields and fields[key] is not None and fields[key].strip() != "" and fields[key] not in names:
            notes.append(f"{key}={_q(fields[key])} is not one of TensorFlow Playground's ({', '.join(names)}); "
                         f"like it, the link uses its default {DEFAULTS[key]}.")

    # --- the network
    shape = s["networkShape"]
    if shape is None:
        notes.append("networkShape has no value (no “=”), which TensorFlow Playground itself cannot open; the "
                     "page's own hidden layers are kept.")
    elif any(not math.isfinite(u) or u <= 0 for u in shape):
        notes.append(f"networkShape={_q(fields.get('networkShape'))} asks for a layer without units (TensorFlow "
                     f"Playground would build it and learn nothing through it); the page's own hidden layers are kept.")
    else:
        units = [math.ceil(u) for u in shape]  # TF PG's `for (i = 0; i < numNodes; i++)` builds ceil(n) units
        if any(u != v for u, v in zip(units, shape)):
            notes.append(f"networkShape={_q(fields.get('networkShape'))} has a fractional layer size; TensorFlow "
                         f"Playground builds {','.join(map(str, units))} units, and so does this page.")
        p["hidden"] = ",".join(map(str, units))
    p["act"] = s["activation"]
    if s["initZero"]:
        p["init"] = "zeros"  # TF PG's initZero: every weight and bias 0, as our "zeros"
    else:
        p.update(init="normal", var="0.1")
        notes.append("Its weights start uniform in (−0.5, 0.5) and its biases at 0.1; here the weights are drawn from "
                     "N(0, 0.1) (variance 0.1, close to the uniform's 1/12) and the biases start at 0.")
    inputs = {name: s[name] for name in INPUTS if name not in s["hide"]}  # x_hide etc. remove the input there
    features = [INPUTS[name] for name, on in inputs.items() if on]
    if not features:
        notes.append("The link switches every input off (TensorFlow Playground would then draw a constant); the "
                     "page keeps x₁ and x₂.")
    elif set(features) != {"x1", "x2"}:
        p["features"] = ",".join(f for f in FEATURE_ORDER if f in features)
        if "sin1" in features or "sin2" in features:
            notes.append("Its sin X₁ and sin X₂ see points in [−6, 6], where the sine waves several times; this "
                         "page's points lie in about [−1.2, 1.2], where sin x is almost x.")
    if s["cosX"] or s["cosY"]:
        notes.append("cosX and cosY change nothing in TensorFlow Playground either (its page has no cosine inputs); "
                     "ignored.")

    # --- training
    p["opt"] = "sgd"  # TF PG's update is plain gradient descent on the batch mean (nn.ts updateWeights)
    lr = s["learningRate"]
    if not math.isfinite(lr) or lr < 0:
        notes.append(f"learningRate={_q(fields.get('learningRate'))} is not a learning rate; the page's own is kept.")
    elif 0 < lr < 1e-4:
        p["lr"] = "0.0001"
        notes.append(f"Its learning rate {_num(lr)} is below this page's smallest step; using 0.0001.")
    else:
        p["lr"] = _num(lr)
    batch = s["batchSize"]
    if math.isfinite(batch) and batch >= 1 and batch == int(batch):
        p["batch"] = str(int(batch))
    else:
        notes.append(f"batchSize={_q(fields.get('batchSize'))} is not a whole number of at least 1; the page's own "
                     f"batch size is kept.")
    rate, reg = s["regularizationRate"], s["regularization"]
    if not math.isfinite(rate) or rate < 0:
        notes.append(f"regularizationRate={_q(fields.get('regularizationRate'))} is not a rate; no regularisation.")
    elif reg != "none" and rate > 0:
        p[reg.lower()] = _num(rate)
        if reg == "L2":
            notes.append("Its L2 pulls only the weights towards 0; here it is torch's weight decay, which pulls the "
                         "biases too.")
        else:
            notes.append("Its L1 sets a weight that crosses 0 to exactly 0 and freezes it there for good; here L1 "
                         "is a plain subgradient term, so such a weight can move again.")
    notes.append("TensorFlow Playground trains one tanh output against the labels −1 and +1 with squared error; "
                 "here two softmax outputs with cross-entropy (the same boundary where p = 0.5, a different loss "
                 "scale)." if not regression else
                 "Both train one linear output with squared error ½(ŷ − y)², averaged over the batch.")
    notes.append("Its epoch is one pass over the training points in a fixed order with an update every batchSize "
                 "points; here “Step” is one mini-batch update and “Step epoch” one pass in a fresh random order.")

    # --- data
    p["n"] = str(POINTS["regression" if regression else "classification"])
    nu = s["noise"] / 100 if math.isfinite(s["noise"]) else math.nan
    if math.isnan(nu):
        notes.append(f"noise={_q(fields.get('noise'))} is not a number; the page's own noise is kept.")
    else:
        v = noise_for(dataset, nu)
        if v > 0.5:
            notes.append(f"Its noise {_num(s['noise'])} would be {v:g} here, above this page's 0.5; using 0.5.")
            v = 0.5
        p["noise"] = _num(v)
        d = _num(round(5 * nu, 2)) if dataset != "spiral" else _num(round(nu, 2))
        notes.append(NOISE_NOTES[dataset].format(n=_num(s["noise"]), d=d, nu=_num(nu), v=_num(v)))
    notes.append(DATA_NOTES[dataset])
    perc = s["percTrainData"]
    if not math.isfinite(perc):
        notes.append(f"percTrainData={_q(fields.get('percTrainData'))} is not a number; the page's own test share "
                     f"is kept.")
    else:
        test = round((100 - perc) / 100 * 20) / 20  # our slider's steps of 0.05
        if not 0.1 <= test <= 0.5:
            clipped = min(max(test, 0.1), 0.5)
            notes.append(f"Its {_num(perc)} % training data leaves {_num(max(0.0, 100 - perc))} % for testing; this "
                         f"page holds out 10 % to 50 %, so {clipped:g} of the points are test points.")
            test = clipped
        p["test"] = f"{test:g}"
    if s["seed"] is not None:
        n = seed_number(s["seed"])
        p["dseed"] = p["seed"] = str(n)
        notes.append(f"Its seed {_q(s['seed'])} drives TensorFlow Playground's own random numbers; here it becomes "
                     f"the data seed and weight seed {n}: the same link always gives the same run here, but not the "
                     f"same points or weights as there.")
    else:
        notes.append("The link has no seed, so TensorFlow Playground draws new data at every opening; here the "
                     "page's seeds are used.")

    # --- what the page shows
    p["testdata"] = "1" if s["showTestData"] else "0"
    p["discretize"] = "1" if s["discretize"] else "0"
    hide, ours_known = [], set(hide_names())
    for name in s["hide"]:
        for ours in HIDES.get(name, ()):
            if ours not in hide and ours in ours_known:  # e.g. l1 only where this app has L1
                hide.append(ours)
    if s["hideText"]:
        hide.append("text")
    if hide:
        p["hide"] = ",".join(hide)
    if s["tutorial"] is not None:
        notes.append(f"Its tutorial text (tutorial={_q(s['tutorial'])}) is not shown here.")
    unknown = [k for k in fields if k not in KNOWN and not k.endswith("_hide") and k != ""]
    if unknown:
        shown = ", ".join(_q(k) for k in unknown[:MAX_UNKNOWN_SHOWN])
        more = f" and {len(unknown) - MAX_UNKNOWN_SHOWN} more" if len(unknown) > MAX_UNKNOWN_SHOWN else ""
        notes.append(f"Not TensorFlow Playground settings, ignored there and here: {shown}{more}.")
    return Translation(page, p, notes)
