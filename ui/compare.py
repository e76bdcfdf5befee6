"""Side by side: two to four configurations on the same data and seed, trained in lockstep.

A race (optimizers, inits, activations, learning rates) is a base configuration plus one change
per run. ``CompareLab`` holds one ``Lab`` per run and looks like a single Lab to the animation
loop (ui.live): ``advance`` steps every run, ``playing`` is shared. ``CompareMaker`` packs the
frames the browser draws (static/live/compare.js): every run's parameters, status and new
loss / test-accuracy points. No maths here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


from .config import LR_OPTIONS, PAGE_DEFAULTS, LabConfig, _int_list
from .frames import (FULL_HISTORY, MAX_RECORDS, _num, _records_after, _thinned, data_meta, net_meta, pack,
                     param_arrays, status)
from .lab import Lab

DATASETS = ("circles", "xor", "moons", "spiral", "gaussians")
RACES = {
    "optimizers": ("Optimizer race", [("SGD", {"optimizer": "sgd"}), ("SGD + momentum 0.9", {"optimizer": "momentum"}),
                                      ("Nesterov 0.9", {"optimizer": "nesterov"}),
                                      ("Adam, η = 0.01", {"optimizer": "adam", "lr": 0.01})]),
    "inits": ("Initialisation race", [("N(0, 0.01)", {"init": "normal", "init_var": 0.01}),
                                      ("N(0, 1)", {"init": "normal", "init_var": 1.0}),
                                      ("Xavier", {"init": "xavier"}), ("He", {"init": "he"})]),
    "activations": ("Activation race", [("sigmoid", {"activation": "sigmoid"}), ("tanh", {"activation": "tanh"}),
                                        ("ReLU", {"activation": "relu"}), ("leaky ReLU", {"activation": "leaky_relu"})]),
    "learning_rates": ("Learning-rate race", [("η = 0.003", {"lr": 0.003}), ("η = 0.03", {"lr": 0.03}),
                                              ("η = 0.3", {"lr": 0.3}), ("η = 3", {"lr": 3.0})]),
    "batchnorm": ("Batch norm on a deep sigmoid net", [("without", {"batch_norm": False}),
                                                      ("with batch norm", {"batch_norm": True})]),
}
# what to look for in each race (the claims are checked in the engine by tests/test_compare.py)
WATCH = {
    "optimizers": "Plain SGD crawls: in 200 steps its loss only falls from 0.70 to 0.63 (ln 2 ≈ 0.69 is a coin "
                  "flip's). Momentum and Nesterov keep adding up steps that point the same way and are below 0.1 by "
                  "step 200; Adam divides each parameter's step by the size of its own recent gradients and is "
                  "lower still at every step after the first.",
    "inits": "N(0, 0.01) starts every unit near 0: at every step the signal and the deltas shrink layer by layer, "
             "and for all of 600 steps its loss stays within 1 % of a coin flip's (ln 2 ≈ 0.69). Xavier and He "
             "scale the variance by the fan-in and learn (loss below 0.05 by step 600); on a net this narrow "
             "(fan-in 2 and 8) N(0, 1) learns too, but give it MNIST's 784 inputs and every first-layer unit is "
             "saturated (|z| > 3, where tanh's slope is below 0.01) on most digits.",
    "activations": "Same init, same η: sigmoid's slope is at most 1/4 and its outputs are all positive, so at every "
                   "step its deltas shrink layer by layer, and after a swing down from 1.0 its loss sits within 2 % "
                   "of a coin flip's (ln 2 ≈ 0.69) from step 30 to step 600, while tanh, ReLU and leaky ReLU pass "
                   "95 % test accuracy by step 120 and stay there. A ReLU net is piecewise linear: its boundary is "
                   "made of straight pieces.",
    "learning_rates": "In 600 steps: η = 0.003 crawls, its loss only from 0.70 to 0.47; 0.03 and 0.3 go down to "
                      "below 0.02, 0.3 lower at every step after the first; η = 3 overshoots: its loss jumps about, "
                      "nearly always above where it started and mostly over ten times higher, and its test accuracy "
                      "never reaches 70 %.",
    "batchnorm": "Four sigmoid layers: without batch norm the deltas reaching the first layer are over 100 times "
                 "smaller than the output layer's, and from step 40 to step 1,000 the loss sits within 2 % of "
                 "ln 2 ≈ 0.69; batch norm re-centres and re-scales every layer's input, and the same network is "
                 "below 0.05 by step 100 and stays there.",
}
# the notes' numbers are measured on the default data and layers (tests/test_compare.py)
WATCH_SETTING = "the Circles data with hidden layers 8,8"


def watch_applies(cfg) -> bool:
    """Whether the race's note speaks of these runs: the default data and layers."""
    return cfg.run_configs() == CompareConfig(race=cfg.race, runs=cfg.runs).run_configs()


DEEP = (8, 8, 8, 8)  # the batch-norm race needs a deep net: fewer than 3 hidden layers become this
# any two at least 20 apart in CIEDE2000 under protanopia, deuteranopia and tritanopia (the old
# momentum red and Nesterov green were 2 apart for a deuteranope): tests/test_palette.py
RUN_COLORS = ["#1f5fa8", "#d08400", "#682600", "#17a4b3"]


@dataclass(frozen=True)
class CompareConfig:
    race: str = "optimizers"
    dataset: str = "circles"
    hidden: tuple = (8, 8)
    runs: int = 4
    steps_per_frame: int = 2

    def run_configs(self) -> list[tuple[str, LabConfig]]:
        base = replace(PAGE_DEFAULTS["circles"], dataset=self.dataset, hidden=self.hidden,
                       steps_per_frame=self.steps_per_frame,
                       noise=0.04 if self.dataset == "spiral" else PAGE_DEFAULTS["circles"].noise)
        if self.race == "batchnorm":
            base = replace(base, activation="sigmoid", hidden=self.hidden if len(self.hidden) >= 3 else DEEP)
        runs = RACES[self.race][1][:max(2, self.runs)]
        return [(label, replace(base, **change)) for label, change in runs]


def config_from_params(params: dict) -> tuple[CompareConfig, list[str]]:
    """Share-link parameters race, data, hidden, runs -> (config, warnings for the bad ones)."""
    cfg, warnings = CompareConfig(), []
    for key, raw in params.items():
        raw = raw[-1] if isinstance(raw, list) else str(raw)
        if key == "race" and raw in RACES:
            cfg = replace(cfg, race=raw)
        elif key == "data" and raw in DATASETS:
            cfg = replace(cfg, dataset=raw)
        elif key == "hidden":
            try:
                units = _int_list(raw)
            except ValueError:
                units = None
            if units is None or not 1 <= len(units) <= 6 or not all(1 <= u <= 64 for u in units):
                warnings.append(f"Ignored hidden={raw[:30]!r}: it needs 1 to 6 layers of 1 to 64 units, like 8,8.")
            else:
                cfg = replace(cfg, hidden=units)
        elif key == "runs" and raw in ("2", "3", "4"):
            cfg = replace(cfg, runs=int(raw))
        else:
            warnings.append(f"Ignored link parameter {key}={raw[:30]!r}: this page takes race ({', '.join(RACES)}), "
                            f"data ({', '.join(DATASETS)}), hidden and runs (2-4).")
    return cfg, warnings


def params_from_config(cfg: CompareConfig) -> dict[str, str]:
    base, out = CompareConfig(), {}
    if cfg.race != base.race:
        out["race"] = cfg.race
    if cfg.dataset != base.dataset:
        out["data"] = cfg.dataset
    if cfg.hidden != base.hidden:
        out["hidden"] = ",".join(map(str, cfg.hidden))
    if cfg.runs != base.runs:
        out["runs"] = str(cfg.runs)
    return out


class _Trainers:
    """snapshot / restore over every run's trainer (what ui.live needs to undo steps)."""

    def __init__(self, labs):
        self.labs = labs

    def snapshot(self):
        return [lb.trainer.snapshot() for lb in self.labs]

    def restore(self, snaps):
        for lb, snap in zip(self.labs, snaps):
            lb.trainer.restore(snap)


class CompareLab:
    """Every run's Lab, stepped together. Looks like one Lab to ui.live.run_live."""

    def __init__(self, cfg: CompareConfig, load):
        self.compare = cfg
        self.runs = [(label, Lab("compare", c, load)) for label, c in cfg.run_configs()]
        self.playing = False
        self.builds = 1
        self.cfg = self.runs[0][1].cfg  # steps_per_frame, for the loop

    @property
    def labs(self):
        return [lb for _, lb in self.runs]

    @property
    def trainer(self):
        return _Trainers(self.labs)

    @property
    def step(self) -> int:
        return max(lb.step for lb in self.labs)

    @property
    def error(self):
        return None

    def advance(self, n: int) -> bool:
        """n steps of every run that has not diverged; False only when none can go on."""
        going = [lb for lb in self.labs if not lb.error]
        for lb in going:
            lb.advance(n)
        if all(lb.error for lb in self.labs):
            self.playing = False
            return False
        return True

    def reset(self) -> None:
        for lb in self.labs:
            lb.reset()
        self.builds += 1
        self.playing = False


class CompareMaker:
    """The frames of the compare view (see ui.frames for the wire format)."""

    def __init__(self, view: str, lab: CompareLab):
        self.view, self.lab, self.sent = view, lab, None
        self._id = None

    def frame(self) -> bytes:
        lab = self.lab
        full = self.sent is None or self._id != f"compare:{lab.builds}"
        self._id = f"compare:{lab.builds}"
        runs, arrays = [], {}
        for r, (label, lb) in enumerate(lab.runs):
            tr = lb.trainer
            recs = (_thinned(tr.history, FULL_HISTORY) if full
                    else _thinned(_records_after(tr.history, self.sent[r]), MAX_RECORDS))
            run = {"label": label, "color": RUN_COLORS[r % len(RUN_COLORS)], "error": lb.error, "status": status(lb),
                   "hist": {"step": [x.step for x in recs], "loss": [_num(x.loss) for x in recs],
                            "tacc": [_num(x.test_acc, 5) for x in recs]}}
            if full:
                run["net"] = dict(net_meta(lb.net), describe=lb.net.describe(), optimizer=lb.opt.describe())
            runs.append(run)
            arrays.update(param_arrays(lb.net, prefix=f"r{r}/"))
        self.sent = [lb.trainer.history[-1].step if lb.trainer.history else 0 for lb in lab.labs]
        meta = {"view": self.view, "id": self._id, "parts": ["compare"], "full": full, "runs": runs,
                "playing": bool(lab.playing), "step": lab.step}
        if full:
            meta["data"] = dict(data_meta(lab.labs[0].dataset, arrays), race=RACES[lab.compare.race][0])
        return pack(meta, arrays)


assert all(c.get("lr", 0.03) in LR_OPTIONS for _, runs in RACES.values() for _, c in runs)
