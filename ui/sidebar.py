"""The shared sidebar: data, network and training controls of the current training page.

Every widget is keyed "<page>.<field>" (ui.state.key) and keeps its value for the whole
session, so each page remembers its own settings. Values are read back by
ui.state.read_config; this module only draws.
"""
from __future__ import annotations

import streamlit as st

from engine import HIDDEN_ACTIVATIONS, MSE_OUTPUTS
from engine.datasets import DataFileError, mnist_available

from . import limits, regression, state
from .echo import plain
from .lab import make_schedule
from .config import (
    BATCH_OPTIONS,
    CLIP_OPTIONS,
    CSV_DATASET,
    FEATURE_LABELS,
    L1_OPTIONS,
    MAX_SCHEDULE_STEPS,
    SCHEDULE_LABELS,
    INIT_LABELS,
    L2_OPTIONS,
    LOSS_LABELS,
    LR_OPTIONS,
    MAX_DROPOUT,
    MAX_HIDDEN_LAYERS,
    MORE_2D_SETS,
    OPTIMIZERS,
    REGRESSION_PAGES,
    VAR_OPTIONS,
)

ACT_LABELS = {"sigmoid": "sigmoid σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU (0.01)",
              "linear": "linear (none)"}
PERSIST = {"persist_state": "session"}


def _fmt_num(v: float) -> str:
    return "0" if v == 0 else f"{v:g}"


def data_controls(page: str) -> None:
    if page in REGRESSION_PAGES:
        return regression.data_controls(page)
    k = lambda name: state.key(page, name)
    if page == "mnist":
        st.pills("Digits", list(range(10)), selection_mode="multi", key=k("digits"), **PERSIST,
                 help="Which digits to classify. Two digits (e.g. 3 and 8) train in seconds; all ten is "
                      "the real task. Labels are renumbered 0..k-1 inside the network.")
        digits = state.ui_value(page, "digits") or []
        if len(set(digits)) < 2:
            st.warning("Choose at least two digits; the model keeps its last valid data meanwhile.")
            return
        try:
            available = mnist_available(digits)
        except (DataFileError, ValueError) as exc:
            st.error(str(exc))
            return
        lo_test, lo_train = limits.N_TEST[0], limits.N_TRAIN[0]
        hi_test = max(lo_test, min(limits.N_TEST[1], available // 2) // 100 * 100)
        state.clamp(page, "n_test", lo_test, hi_test)
        n_test = state.ui_value(page, "n_test", 2000)
        hi_train = max(lo_train, min(limits.N_TRAIN[1], available - n_test) // 100 * 100)
        state.clamp(page, "n_train", lo_train, hi_train)
        st.slider("Training digits", lo_train, hi_train, step=100, key=k("n_train"), **PERSIST,
                  help=f"How many digits to train on. The selected digits have {available:,} images in "
                       f"the shipped set (MNIST's 10,000-digit test set); train and test are split from them.")
        st.slider("Test digits", lo_test, hi_test, step=100, key=k("n_test"), **PERSIST,
                  help="Held-out digits, never trained on, used for test loss, test accuracy and the "
                       "confusion matrix.")
    else:
        is_csv = False
        if page == "more2d":
            st.selectbox("Dataset", (*MORE_2D_SETS, CSV_DATASET), key=k("dataset"), **PERSIST,
                         format_func=lambda s: {"moons": "Two moons", "spiral": "Two spirals",
                                                "gaussians": "Two Gaussian blobs", CSV_DATASET: "Your CSV file…"}[s],
                         help="Moons need a curved boundary, spirals a deep one, blobs almost none. "
                              "Or upload your own 2-D points as a CSV file.")
            is_csv = state.ui_value(page, "dataset") == CSV_DATASET
        if is_csv:
            st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key=k("csv_file"),
                             on_change=state.accept_csv, args=(page,),
                             help="A header row, two numeric feature columns and a label column (named "
                                  "label, class, y or target — else the last column); 8 to 5,000 rows, "
                                  "2 to 10 classes. Features are rescaled to [−1, 1]. The file stays in "
                                  "your session only; share links cannot carry it.")
            err = state.ui_value(page, "_csv_error")
            if err:
                st.error(plain(err) + " The page keeps using its last valid data.")  # it quotes the file
            elif state.ui_value(page, "csv_id"):
                st.caption(f"Using {plain(state.ui_value(page, '_csv_name', 'your file'))}.")
        else:
            st.slider("Points", *limits.N_SAMPLES, step=50, key=k("n_samples"), **PERSIST,
                      help="Number of data points (train + test).")
            st.slider("Noise", *limits.NOISE, step=0.01, key=k("noise"), **PERSIST,
                      help="Standard deviation of the Gaussian jitter added to every point; more noise "
                           "means overlapping classes and a test accuracy below 100 %.")
        st.slider("Test fraction", *limits.TEST_FRACTION, step=0.05, key=k("test_fraction"), **PERSIST,
                  help="Share of points held out for testing (hollow circles). The split is stratified.")
    st.number_input("Data seed", *limits.SEED, step=1, key=k("data_seed"), **PERSIST,
                    help="Which random sample of data (and split) to use.")


def feature_controls(page: str) -> None:
    """The input features of the 2-D pages: TF Playground's seven, as toggles."""
    st.pills("Input features", list(FEATURE_LABELS), selection_mode="multi", key=state.key(page, "features"),
             format_func=FEATURE_LABELS.get, **PERSIST,
             help="What the first layer sees of each point (x₁, x₂): x₁, x₂ themselves, x₁x₂, x₁², x₂², "
                  "sin x₁, sin x₂ (TensorFlow Playground's set). n₀, the rows of W₁, is the number chosen. "
                  "With only x₁² and x₂² a network without hidden layers draws an ellipse: the circles need "
                  "no depth. Changing them rebuilds the model.")
    if not state.ui_value(page, "features"):
        st.warning("Choose at least one input feature; the model keeps its last valid inputs meanwhile.")


def network_controls(page: str) -> None:
    k = lambda name: state.key(page, name)
    max_units = limits.max_units(page)
    if page not in ("mnist", "curve"):  # engineered features are of a point of the plane
        feature_controls(page)
    n_hidden = st.slider("Hidden layers", 0, MAX_HIDDEN_LAYERS, key=k("n_hidden"), **PERSIST,
                         help="0 = a linear classifier (logistic regression): it cannot solve XOR.")
    for row in range(0, n_hidden, 3):
        # one row of columns per three layers: on a phone columns stack, and row by row they
        # stack as Layer 1, 2, 3, 4 (one set of columns would stack as Layer 1, 4, 2, 3)
        cols = st.columns(3)
        for i in range(row, min(row + 3, n_hidden)):
            state.clamp(page, f"units{i}", 1, max_units)
            cols[i - row].number_input(f"Layer {i + 1}", 1, max_units, step=1, key=k(f"units{i}"), **PERSIST,
                                       help=f"Units in hidden layer {i + 1} (1–{max_units}).")
    each = n_hidden > 1 and state.ui_value(page, "per_layer_on")
    if n_hidden and not each:
        st.selectbox("Activation", HIDDEN_ACTIVATIONS, key=k("activation"), **PERSIST,
                     format_func=ACT_LABELS.get,
                     help="f in a_l = f(z_l) for every hidden layer. Its derivative f′ multiplies every δ "
                          "on the way back: sigmoid's f′ ≤ 0.25 is why deep sigmoid nets learn slowly.")
        st.toggle("Batch norm", key=k("batch_norm"), **PERSIST,
                  help="Normalise each hidden unit over the batch after the dense step, before the "
                       "activation: x̂ = (z − μ)/√(σ² + ε), y = γ x̂ + β with learnable γ, β (as "
                       "torch.nn.BatchNorm1d). Training uses the batch's μ, σ²; pictures and test "
                       "numbers use running averages. Lets deep sigmoid nets train.")
        st.slider("Dropout rate p", 0.0, MAX_DROPOUT, step=0.05, key=k("dropout"), **PERSIST,
                  help="Share p of hidden activations zeroed at random in each training step (the "
                       "kept ones scaled by 1/(1 − p)); off for pictures and test numbers. Fights "
                       "overfitting.")
    if n_hidden > 1:
        if st.toggle("Different settings per layer", key=k("per_layer_on"), **PERSIST,
                     help="Activation, batch norm and dropout chosen per hidden layer, e.g. ReLU below "
                          "and tanh above, dropout only in the widest layer."):
            for i in range(n_hidden):
                c1, c2, c3 = st.columns([1.5, 0.8, 1.2], vertical_alignment="bottom")
                c1.selectbox(f"f{i + 1}", HIDDEN_ACTIVATIONS, key=k(f"act{i}"), **PERSIST,
                             format_func=ACT_LABELS.get, help=f"Activation of hidden layer {i + 1}.")
                c2.toggle("BN", key=k(f"bn{i}"), **PERSIST, help=f"Batch norm in hidden layer {i + 1}.")
                c3.number_input("drop", 0.0, MAX_DROPOUT, step=0.05, key=k(f"drop{i}"), **PERSIST,
                                format="%.2f", help=f"Dropout rate after hidden layer {i + 1}.")
    if page in REGRESSION_PAGES:
        regression.loss_controls(page)
    else:
        st.selectbox("Loss", list(LOSS_LABELS), key=k("loss"), **PERSIST, format_func=LOSS_LABELS.get,
                     help="Softmax cross-entropy: δ_L = (p − t)/N. MSE: δ_L = (a − t)⊙g′(z)/N, which "
                          "vanishes when a sigmoid output saturates. BCE: a sigmoid per output, δ_L = (σ(z) − t)/N.")
    if state.ui_value(page, "loss") == "mse" and page not in REGRESSION_PAGES:
        st.selectbox("Output activation (MSE)", MSE_OUTPUTS, key=k("output_activation"), **PERSIST,
                     help="g in a_L = g(z_L) for the MSE loss.")
    st.selectbox("Initialisation", list(INIT_LABELS), key=k("init"), **PERSIST, format_func=INIT_LABELS.get,
                 help="How the first weights are drawn (biases start at 0). Normal: you choose the "
                      "variance. Xavier: 2/(n_in+n_out), keeps tanh signals stable. He: 2/n_in, for ReLU.")
    if state.ui_value(page, "init") == "zeros":
        st.warning("Every weight starts at 0, so every hidden unit of a layer computes the same value and gets "
                   "the same gradient: they stay identical for ever (and with tanh or ReLU, W1 never moves at "
                   "all). That is why weights start random.", icon="⚠️")
    if state.ui_value(page, "init") == "normal":
        st.select_slider("Init variance σ²", VAR_OPTIONS, key=k("init_var"), **PERSIST, format_func=_fmt_num,
                         help="W ~ N(0, σ²), log scale. Too small: signals and deltas shrink layer by layer "
                              "(vanishing). Too large: tanh/sigmoid saturate, or ReLU activations explode.")
    st.number_input("Seed", *limits.SEED, step=1, key=k("seed"), **PERSIST,
                    help="Seeds the initial weights and the mini-batch shuffling: same seed, same run.")


def training_controls(page: str) -> None:
    k = lambda name: state.key(page, name)
    opt = st.selectbox("Optimizer", list(OPTIMIZERS), key=k("optimizer"), **PERSIST, format_func=OPTIMIZERS.get,
                       help="Same maths as torch.optim. Momentum: v ← μv + g, W ← W − ηv. Nesterov looks "
                            "ahead: W ← W − η(g + μv). Adam scales each weight's step by its gradient history.")
    st.select_slider("Learning rate η", LR_OPTIONS, key=k("lr"), **PERSIST, format_func=_fmt_num,
                     help="Step size (log scale). Applies on the next step, no reset. Too large and the "
                          "loss diverges: training pauses and says so. 0 freezes the weights: each step "
                          "still runs forward and backward (the δ chart moves), nothing is updated.")
    st.slider("Momentum μ", *limits.MOMENTUM, step=0.01, key=k("momentum"), **PERSIST,
              disabled=opt not in ("momentum", "nesterov"),
              help="Fraction of the previous update kept (SGD + momentum and Nesterov). Applies live.")
    schedule_controls(page)
    st.select_slider("L2 weight decay λ", L2_OPTIONS, key=k("l2"), **PERSIST, format_func=_fmt_num,
                     help="Adds λp to the gradient of every parameter p (torch's weight_decay): the "
                          "weights W *and* the biases b (and batch norm's γ, β) are pulled towards 0.")
    st.select_slider("L1 λ₁", L1_OPTIONS, key=k("l1"), **PERSIST, format_func=_fmt_num,
                     help="Minimises L + λ₁ Σ|W|: adds λ₁·sign(W) to the gradient of every weight matrix W "
                          "(not the biases, not γ, β — as TensorFlow Playground; sign(0) = 0, as torch's "
                          "autograd). Unneeded weights shrink by η·λ₁ a step until they hover at 0: the "
                          "*Dead weights* chart counts |w| < 10⁻³. Applies live.")
    st.select_slider("Clip gradient norm", CLIP_OPTIONS, key=k("clip"), **PERSIST,
                     format_func=lambda v: "off" if v == 0 else _fmt_num(v),
                     help="torch.nn.utils.clip_grad_norm_: when the norm of all gradients together "
                          "(W, b, γ, β, the L1 term included) passes this value, every gradient is "
                          "multiplied by max_norm / (norm + 10⁻⁶): same direction, shorter step. Applies "
                          "live.")
    st.select_slider("Batch size", BATCH_OPTIONS, key=k("batch_size"), **PERSIST,
                     format_func=lambda b: "full" if b == 0 else str(b),
                     help="Samples per update. 'full' = the whole training set every step (smooth loss); "
                          "small batches are noisy but cheap. Larger than the data means full. Applies live.")
    st.slider("Steps per frame", *limits.STEPS_PER_FRAME, key=k("steps_per_frame"), **PERSIST,
              help="Engine updates between two pictures while playing: more = faster training, "
                   "same frame rate.")


def schedule_words(cfg) -> str:
    """What the schedule does, in numbers from the engine's own schedule (steps count from 1)."""
    sched, lr = make_schedule(cfg), cfg.lr
    if cfg.schedule == "step":
        n = cfg.sched_every
        rates = ", ".join(f"{sched.lr(lr, t):.3g} from step {t + 1:,}" for t in (n, 2 * n))
        return f"η = {lr:g} for steps 1–{n:,}, then {rates}, …"
    T = cfg.sched_tmax
    return (f"η = {lr:g} at step 1, {sched.lr(lr, T // 2):.3g} at step {T // 2 + 1:,}, η_min = "
            f"{sched.lr(lr, T):.3g} at step {T + 1:,}, back to {sched.lr(lr, 2 * T):.3g} at step {2 * T + 1:,}.")


def schedule_controls(page: str) -> None:
    """The learning-rate schedule and its settings (engine.schedules)."""
    k = lambda name: state.key(page, name)
    kind = st.selectbox("Learning-rate schedule", list(SCHEDULE_LABELS), key=k("schedule"), **PERSIST,
                        format_func=SCHEDULE_LABELS.get,
                        help="η per step from the η above (η₀), counted in updates from step 0 of the run. "
                             "Step decay (torch's StepLR): η₀·γ^⌊t/every⌋. Cosine annealing (torch's "
                             "CosineAnnealingLR): η_min + (η₀ − η_min)(1 + cos(πt/T))/2, "
                             "which reaches η_min at step T and, like torch's CosineAnnealingLR, climbs "
                             "back to η₀ by 2T. Applies live.")
    if kind == "step":
        c1, c2 = st.columns(2)
        c1.number_input("every (steps)", 1, MAX_SCHEDULE_STEPS, step=50, key=k("sched_every"), **PERSIST,
                        help="StepLR's step_size: the rate is multiplied by γ after every this many updates.")
        c2.number_input("× γ", 0.01, 1.0, step=0.05, format="%.2f", key=k("sched_decay"), **PERSIST,
                        help="StepLR's gamma: the factor applied each time.")
    elif kind == "cosine":
        c1, c2 = st.columns(2)
        c1.number_input("T (steps)", 1, MAX_SCHEDULE_STEPS, step=100, key=k("sched_tmax"), **PERSIST,
                        help="CosineAnnealingLR's T_max: the rate reaches η_min after T updates.")
        c2.select_slider("η_min", LR_OPTIONS, key=k("lr_min"), **PERSIST, format_func=_fmt_num,
                         help="CosineAnnealingLR's eta_min: the lowest rate.")
    if kind != "constant":
        st.caption(schedule_words(state.read_config(page)))


def render(page: str) -> None:
    """The whole sidebar for a training page."""
    with st.sidebar:
        with st.expander("Data — changes rebuild the model", expanded=False):
            data_controls(page)
        with st.expander("Network — changes rebuild the model", expanded=True):
            network_controls(page)
        with st.expander("Training — applies on the next step", expanded=True):
            training_controls(page)
