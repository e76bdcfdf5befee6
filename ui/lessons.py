"""Ready-made classroom scenarios: each opens a page with the right settings and says what to
watch, what to ask, and what the class should see. Every "you should see" line is checked by
tests/test_lessons.py, which runs the same settings in the engine."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import state
from .config import PAGE_FILES, PAGE_TITLES, config_from_params


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    page: str
    params: dict             # share-link parameters (ui.config URL names)
    watch: str               # what to do and watch, two or three sentences
    question: str            # the question for the class
    expect: str              # what you should see (checked by tests/test_lessons.py)
    also: tuple = ()         # (label, params) of a second setting to compare with
    panel: str | None = None  # "hidden" / "neurons": the right panel to open


LESSONS = [
    Lesson("xor_hidden", "XOR needs a hidden layer", "xor", {"hidden": ""},
           "A network without a hidden layer draws one straight line. Press Play and watch it try to "
           "separate the four corners; then open the second setting, one hidden layer of 8 tanh units.",
           "Why can no single line separate XOR, and what does the hidden layer give the output layer?",
           "No hidden layer: test accuracy stays at or below 75 % after 500 steps. One hidden layer of 8: "
           "above 95 % by step 500.", also=(("One hidden layer of 8", {"hidden": "8"}),)),
    Lesson("vanishing", "Vanishing gradients", "xor", {"hidden": "8,8,8,8", "act": "sigmoid", "var": "0.0001"},
           "Four sigmoid layers with tiny initial weights. Step a few times and read the *Mean |δ|* chart: "
           "each layer down, the error signal shrinks by σ′ ≤ 0.25 times a tiny W.",
           "Which layers learn first, and what would you change to let the signal through?",
           "After 50 steps the first layer's mean |δ| is over a million times smaller than the output "
           "layer's (about 1e-12 against 1e-3).",
           also=(("Init variance 1", {"hidden": "8,8,8,8", "act": "sigmoid", "var": "1"}),)),
    Lesson("lr_too_large", "A learning rate too large", "xor",
           {"hidden": "", "loss": "mse", "out": "linear", "lr": "10", "opt": "sgd"},
           "Mean squared error with a linear output is a bowl: each step jumps across it. At η = 10 every "
           "jump lands higher than the last. Press Play.",
           "Why does the loss grow although every step goes downhill? What is the largest safe η here?",
           "Training pauses within 10 steps with “The loss diverged — lower the learning rate”; the weights "
           "stay finite.", also=(("η = 0.3", {"hidden": "", "loss": "mse", "out": "linear", "lr": "0.3",
                                            "opt": "sgd"}),)),
    Lesson("dead_relu", "Dead ReLUs", "circles", {"act": "relu", "var": "3", "lr": "1", "opt": "sgd"},
           "Large initial weights and a large learning rate push many ReLU units to z < 0 for every input: "
           "their gradient is 0 there, so they never recover. Play, then open the *Neurons* panel.",
           "How many units are still alive? Why can't a dead ReLU come back by itself?",
           "After 300 steps at least half of the first layer's units output 0 for every point, and the test "
           "accuracy stays below 80 %.", panel="neurons",
           also=(("Leaky ReLU, same settings", {"act": "leaky_relu", "var": "3", "lr": "1", "opt": "sgd"}),)),
    Lesson("symmetry", "Symmetry: all-zero initialisation", "xor", {"init": "zeros"},
           "Every weight starts at 0, so every hidden unit computes the same thing and receives the same "
           "gradient. Play and look at the weight heatmaps and the *Neurons* panel.",
           "Why does random initialisation matter even though the loss does not care which unit is which?",
           "After 200 steps every hidden unit of a layer still computes exactly the same value, and the test "
           "accuracy is at most 75 %.", panel="neurons"),
    Lesson("momentum", "Momentum against plain SGD", "circles", {"opt": "sgd"},
           "Plain SGD at η = 0.03 on Circles, then the same with momentum 0.9 (the page's default). Count "
           "the steps until the test accuracy passes 95 %.",
           "What does the velocity remember, and why does it help on a long, shallow valley?",
           "Momentum reaches 95 % test accuracy in less than a third of the steps plain SGD needs "
           "(91 against 681 measured).", also=(("SGD + momentum 0.9", {}),)),
    Lesson("overfitting", "Overfitting, and what closes the gap", "circles",
           {"n": "100", "noise": "0.3", "test": "0.5", "hidden": "64,64", "opt": "adam", "lr": "0.01"},
           "100 noisy points, half of them held out, and a wide net (64, 64). Play for 2,000 steps and "
           "compare train and test accuracy; then add L2 0.01.",
           "Why does the boundary curl around single points, and why does a penalty on the weights stop it?",
           "Without L2: 100 % training accuracy, at most 85 % on test (a gap of 15 points or more). With L2 "
           "0.01 the gap shrinks to 5 points or less.",
           also=(("With L2 0.01", {"n": "100", "noise": "0.3", "test": "0.5", "hidden": "64,64", "opt": "adam",
                                   "lr": "0.01", "l2": "0.01"}),)),
    Lesson("batch_noise", "Batch size and noise", "circles", {"batch": "1", "opt": "sgd"},
           "One example per step: each step follows a single point's gradient. Watch the loss curve, then "
           "switch to full batches.",
           "Why is the batch loss so noisy, and why can the noise even help?",
           "With batches of 1 the step-to-step change of the log loss is over 100 times larger than with "
           "full batches.", also=(("Full batches", {"batch": "0", "opt": "sgd"}),)),
    Lesson("batchnorm", "Batch norm rescues a deep sigmoid net", "circles", {"hidden": "8,8,8,8", "act": "sigmoid"},
           "Four sigmoid layers: the gradient vanishes and training stalls. Then switch on *Batch norm*: each "
           "layer's input is re-centred and re-scaled every step.",
           "What does normalising each unit over the batch do to σ′, and to the δ of the lower layers?",
           "Without batch norm: at most 60 % test accuracy after 1,000 steps. With it: 95 % within 200 steps "
           "(69 measured).", also=(("With batch norm", {"hidden": "8,8,8,8", "act": "sigmoid", "bn": "1"}),)),
    Lesson("hidden_space", "Circles, 2-3-2: untangling the rings", "circles", {"hidden": "3", "lr": "0.1"},
           "Three tanh units are three coordinates. Open *Hidden space*: the data as the hidden layer sees "
           "it, in 3-D (drag to rotate). Play and watch the rings come apart.",
           "Why can the output layer separate the rings with a plane in hidden space, but not with a line in "
           "the input?", "At least 95 % test accuracy within 800 steps.", panel="hidden"),
    Lesson("mnist_classic", "The classic 784-50-10 sigmoid network", "mnist",
           {"hidden": "50", "act": "sigmoid", "init": "xavier", "lr": "0.3", "batch": "32"},
           "Real handwriting: 784 pixels in, 50 sigmoid units, 10 outputs. Press *Step epoch* once and look "
           "at the first-layer tiles and the confusion matrix.",
           "What do the tiles look like after one epoch, and which digits does the network confuse?",
           "At least 88 % test accuracy after one epoch (90.6 % measured)."),
    Lesson("relu_hinges", "ReLU hinges add up", "curve", {"data": "abs", "hidden": "1"},
           "Regression of y = |x| with one ReLU unit: one unit is one hinge, flat on one side of its kink and "
           "a straight line on the other. Press Play: it can follow only one arm of the V. Then open *Two "
           "units*: two hinges facing opposite ways add up, with the bias, to the V. Then *Eight units on sin "
           "x*: each thin line is one unit's w_k·a_k(x); count the bends of the thick one.",
           "How many hinges does |x| need, and how many does a smooth-looking sin x take? With two units and "
           "seed 1 the fit stalls: what do the two thin lines show?",
           "One unit: test R² stays below 0.3 for all 1,000 steps. Two units: above 0.95 by step 100 (51 "
           "measured), the two hinges facing opposite ways. Eight units on sin x: above 0.95 by step 500 (304 "
           "measured); at every x the thin lines plus the bias make the thick one.",
           also=(("Two units", {"data": "abs", "hidden": "2"}), ("Eight units on sin x", {}))),
    Lesson("plane_and_bumps", "Linear regression, and when it is not enough", "regression", {"hidden": ""},
           "TensorFlow Playground's plane, y = (x₁ + x₂) / 10, with no hidden layer: the network is ŷ = x·W + b, "
           "which is linear regression, and fits it exactly. Then the multi-Gaussian (six bumps) with no hidden "
           "layer, and with the page's three hidden layers of 16. Watch the background against the points.",
           "Why can a network without a hidden layer fit the plane but not the bumps? What does W1 of the "
           "plane's fit look like?",
           "Plane, no hidden layer: test R² above 0.99 by step 50 (25 measured). Bumps, no hidden layer: test R² "
           "stays below 0.05 for all 2,000 steps. Bumps, three hidden layers of 16: above 0.9 by step 1,000 (995 "
           "measured).",
           also=(("Bumps, no hidden layer", {"data": "reg-gauss", "hidden": ""}),
                 ("Bumps, three layers of 16", {"data": "reg-gauss"}))),
]


def _open(lesson: Lesson, params: dict) -> None:
    """Put the lesson's settings into the page's sidebar (all others back to the page's
    defaults) and go there."""
    cfg, _ = config_from_params(lesson.page, dict(params))
    state.apply_lesson(lesson.page, cfg, lesson.panel)
    st.switch_page(PAGE_FILES[lesson.page], query_params=params)


def render() -> None:
    st.title("Lessons")
    st.caption("Ready scenarios for a class: each button opens the page with the right settings (the "
               "address bar then holds a share link for the students). What you should see is checked by "
               "the project's tests, in the same engine.")
    cols = st.columns(2, gap="medium")
    for i, lesson in enumerate(LESSONS):
        with cols[i % 2].container(border=True):
            st.markdown(f"**{i + 1}. {lesson.title}** · {PAGE_TITLES[lesson.page]}")
            st.markdown(lesson.watch)
            st.markdown(f"*Ask:* {lesson.question}")
            st.markdown(f"**You should see:** {lesson.expect}")
            with st.container(horizontal=True, gap="small"):
                if st.button("Open", key=f"lesson-{lesson.key}", type="primary", icon=":material/play_lesson:"):
                    _open(lesson, lesson.params)
                for j, (label, params) in enumerate(lesson.also):
                    if st.button(label, key=f"lesson-{lesson.key}-{j}"):
                        _open(lesson, params)
