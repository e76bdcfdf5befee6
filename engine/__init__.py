"""The backprop engine: a step-able NumPy MLP. Never imports streamlit.

    from engine import MLP, SGD, Adam, Trainer, load_dataset, gradient_check

Read in this order (the core, ~20 minutes):
    activations.py  f and f' per name               layers.py     Dense, BatchNorm, Activation, Dropout
    losses.py       L and delta_L of each loss      network.py    MLP: the layer list, forward, backward
    metrics.py      R², a regression net's score
    optimizers.py   SGD, Adam (torch.optim maths)   trainer.py    one mini-batch update per step()
    gradcheck.py    backprop vs central differences
Teaching tools (built on the core's public methods):
    ledger.py (shape ledger), phases.py (one step phase by phase), bugs.py (the bug zoo),
    hidden.py (hidden space), views.py (boundary grid, confusion, mistakes), digits.py (drawings)
Data: datasets.py (toy 2-D sets, shipped MNIST, regression sets), tabular.py (your CSV).

Classification (the default): y are integer class labels (N,). Regression (MLP(...,
loss="mse", problem="regression"), linear output by default): y are real targets, (N,) or
(N, n_out); the network's score is R² instead of an accuracy (StepRecord.train_r2 / test_r2;
train_acc and test_acc are None), and ``predict`` gives the values. Regression sets:
load_dataset("reg-plane" | "reg-gauss") (TensorFlow Playground's, 2-D) and the 1-D curves
"sine", "abs", "step", "cubic", "xsinx"; each says what its target is (Dataset.target).
Plumbing, kept out of the core so it reads like a textbook:
    checks.py (argument checks with a sentence, validated settings), errors.py (Diverged),
    numerics.py (float32-safe norms, refusing a non-finite update), divergence.py (refusing a
    step whose loss or gradients are past use, and undoing what it touched), snapshots.py
    (undoing steps for the live loop), trace.py (every intermediate array of one step, for the
    teaching tools), export.py + script_template.py (the standalone script, saved runs).
"""
from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .datasets import CURVE_SETS, DATASETS, REGRESSION_SETS, TOY_SETS, DataFileError, Dataset, load_dataset
from .errors import Diverged
from .gradcheck import GradCheckReport, gradient_check
from .losses import LOSSES, MSE_OUTPUTS, PROBLEMS
from .metrics import r2_score
from .checks import parse_hidden_spec
from .network import INITS, MLP
from .optimizers import SGD, Adam, Optimizer
from .trainer import StepRecord, Trainer
from .views import boundary_grid, grid_activations, unit_contributions

__all__ = [
    "ACTIVATIONS",
    "CURVE_SETS",
    "DATASETS",
    "HIDDEN_ACTIVATIONS",
    "INITS",
    "LOSSES",
    "MLP",
    "MSE_OUTPUTS",
    "PROBLEMS",
    "REGRESSION_SETS",
    "SGD",
    "TOY_SETS",
    "Adam",
    "DataFileError",
    "Dataset",
    "Diverged",
    "GradCheckReport",
    "Optimizer",
    "StepRecord",
    "Trainer",
    "boundary_grid",
    "gradient_check",
    "grid_activations",
    "load_dataset",
    "parse_hidden_spec",
    "r2_score",
    "unit_contributions",
]
