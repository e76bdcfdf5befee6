"""The backprop engine: a step-able NumPy MLP. Never imports streamlit.

    from engine import MLP, SGD, Adam, Trainer, load_dataset, gradient_check
"""
from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .datasets import DATASETS, TOY_SETS, DataFileError, Dataset, load_dataset
from .errors import Diverged
from .gradcheck import GradCheckReport, gradient_check
from .losses import LOSSES, MSE_OUTPUTS
from .network import INITS, MLP, parse_hidden_spec
from .optimizers import SGD, Adam, Optimizer
from .trainer import StepRecord, Trainer
from .views import boundary_grid, grid_activations

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "HIDDEN_ACTIVATIONS",
    "INITS",
    "LOSSES",
    "MLP",
    "MSE_OUTPUTS",
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
]
