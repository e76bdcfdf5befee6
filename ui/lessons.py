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
    panel: str | None = None  # "hidden" / "neurons" / "graph": the right panel to open


LESSONS = [
    Lesson("xor_hidden", "XOR needs a hidden layer", "xor", {"hidden": ""},
           "A network without a hidden layer draws one straight line. Press Play and watch it try to "
           "separate the four corners; then open the second setting, one hidden layer of 8 tanh units.",
           "Why can no single line separate XOR, and what does the hidden layer give the output layer?",
           "No hidden layer: test accuracy stays at or below 75 % for 500 steps. One hidden layer of 8: "
           "above 95 % by step 500.", also=(("One hidden layer of 8", {"hidden": "8"}),)),
    Lesson("vanishing", "Vanishing gradients", "xor", {"hidden": "8,8,8,8", "act": "sigmoid", "var": "0.0001"},
           "Four sigmoid layers with tiny initial weights. Step a few times and read the *Mean |δ|* chart: "
           "each layer down, the error signal shrinks by σ′ ≤ 0.25 times a tiny W.",
           "Which layers learn first, and what would you change to let the signal through?",
           "After 50 steps the first layer's mean |δ| is over a million times smaller than the output "
           "layer's (about 5e-12 against 2e-3).",
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
           "accuracy stays below 80 % for all 300 steps.", panel="neurons",
           also=(("Leaky ReLU, same settings", {"act": "leaky_relu", "var": "3", "lr": "1", "opt": "sgd"}),)),
    Lesson("symmetry", "Symmetry: all-zero initialisation", "xor", {"init": "zeros"},
           "Every weight starts at 0, so every hidden unit computes the same thing and receives the same "
           "gradient. Play and look at the weight heatmaps and the *Neurons* panel.",
           "Why does random initialisation matter even though the loss does not care which unit is which?",
           "At every one of 200 steps the test accuracy is at most 75 %, and for all 200 steps every hidden unit of a "
           "layer computes exactly the same value.", panel="neurons"),
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
           "Without L2, after 2,000 steps: 100 % training accuracy, at most 85 % on test (a gap of 15 points or "
           "more). With L2 0.01 the gap shrinks to 5 points or less.",
           also=(("With L2 0.01", {"n": "100", "noise": "0.3", "test": "0.5", "hidden": "64,64", "opt": "adam",
                                   "lr": "0.01", "l2": "0.01"}),)),
    Lesson("batch_noise", "Batch size and noise", "circles", {"batch": "1", "opt": "sgd"},
           "One example per step: each step follows a single point's gradient. Watch the loss curve, then "
           "switch to full batches.",
           "Why is the batch loss so noisy, and why can the noise even help?",
           "With batches of 1 the step-to-step change of the log loss is over 100 times larger than with "
           "full batches, over the first 300 steps.", also=(("Full batches", {"batch": "0", "opt": "sgd"}),)),
    Lesson("batchnorm", "Batch norm rescues a deep sigmoid net", "circles", {"hidden": "8,8,8,8", "act": "sigmoid"},
           "Four sigmoid layers: the gradient vanishes and training stalls. Then switch on *Batch norm*: each "
           "layer's input is re-centred and re-scaled every step.",
           "What does normalising each unit over the batch do to σ′, and to the δ of the lower layers?",
           "Without batch norm: at most 60 % test accuracy for all 1,000 steps. With it: 95 % within 200 steps "
           "(69 measured), and stays there.", also=(("With batch norm", {"hidden": "8,8,8,8", "act": "sigmoid", "bn": "1"}),)),
    Lesson("hidden_space", "Circles, 2-3-2: untangling the rings", "circles", {"hidden": "3", "lr": "0.1"},
           "Three tanh units are three coordinates. Open *Hidden space*: the data as the hidden layer sees "
           "it, in 3-D (drag to rotate). Play and watch the rings come apart.",
           "Why can the output layer separate the rings with a plane in hidden space, but not with a line in "
           "the input?", "At least 95 % test accuracy within 800 steps, and stays there.", panel="hidden"),
    Lesson("xor_by_hand", "Set XOR's weights by hand", "xor",
           {"hidden": "2,2", "init": "zeros", "lr": "0", "opt": "sgd"},
           "Every weight starts at 0 and the learning rate is 0: nothing trains, you build the network. In the "
           "*Network graph* click a line or a bias square (or Tab, arrows, Enter) and type: "
           "W1[0, 0] = 5, W1[1, 1] = 5 (h1 unit 0 asks “is x₁ > 0?”, unit 1 “is x₂ > 0?”); "
           "W2[0, 0] = W2[0, 1] = W2[1, 0] = W2[1, 1] = 5, b2[0] = 5 (h2 unit 0: OR), b2[1] = −5 (unit 1: AND); "
           "W3[0, 1] = 5, W3[1, 1] = −5, b3[1] = −5 (output 1: OR and not AND).",
           "Hover each unit: what does it compute, and how do two layers of two units draw XOR's cross?",
           "Before you type, every output is 0.5 and the test accuracy is about 50 %. With the eleven values: "
           "100 % test accuracy and a test loss below 0.01 at step 0, and Play changes nothing (learning rate 0).",
           panel="graph"),
    Lesson("mnist_classic", "The classic 784-50-10 sigmoid network", "mnist",
           {"hidden": "50", "act": "sigmoid", "init": "xavier", "lr": "0.3", "batch": "32"},
           "Real handwriting: 784 pixels in, 50 sigmoid units, 10 outputs. Press *Step epoch* once and look "
           "at the first-layer tiles and the confusion matrix.",
           "What do the tiles look like after one epoch, and which digits does the network confuse?",
           "At least 88 % test accuracy after one epoch (90.55 % measured)."),
    Lesson("relu_hinges", "ReLU hinges add up", "curve", {"data": "abs", "hidden": "1"},
           "Regression of y = |x| with one ReLU unit: one unit is one hinge, flat on one side of its kink and "
           "a straight line on the other. Press Play: it can follow only one arm of the V. Then open *Two "
           "units*: two hinges facing opposite ways add up, with the bias, to the V. Then *Eight units on sin "
           "x*: each thin line is one unit's wₖ·aₖ(x); count the bends of the thick one.",
           "How many hinges does |x| need, and how many does a smooth-looking sin x take? With two units and "
           "seed 1 the fit stalls: what do the two thin lines show?",
           "One unit: test R² stays below 0.3 for all 1,000 steps. Two units: above 0.95 by step 100 (51 "
           "measured), the two hinges facing opposite ways. Eight units on sin x: above 0.95 by step 500 (304 "
           "measured); at every x the thin lines plus the bias make the thick one.",
           also=(("Two units", {"data": "abs", "hidden": "2"}), ("Eight units on sin x", {}))),
    Lesson("plane_and_bumps", "Linear regression, and when it is not enough", "regression", {"hidden": ""},
           "The plane y = (x₁ + x₂) / 10 with no hidden layer: ŷ = x·W + b is linear regression, and it fits. "
           "Then the six bumps with no hidden layer, and with the page's three layers of 16.",
           "Why can a network without a hidden layer fit the plane but not the bumps? What does W1 of the "
           "plane's fit look like?",
           "Plane, no hidden layer: test R² above 0.99 by step 50 (25 measured). Bumps: below 0.05 for all 2,000 "
           "steps without a hidden layer; above 0.9 by step 1,000 with 16-16-16 (995 measured).",
           also=(("Bumps, no hidden layer", {"data": "reg-gauss", "hidden": ""}),
                 ("Bumps, three layers of 16", {"data": "reg-gauss"}))),
    Lesson("features", "Features instead of depth", "circles", {"features": "x1sq,x2sq", "hidden": ""},
           "No hidden layer; the inputs are x₁², x₂² instead of x₁, x₂ (*Input features*; the ledger's first "
           "row is x = φ(X)). A line in (x₁², x₂²) is an ellipse in the plane. Play; then the plain inputs, "
           "then depth instead.",
           "Which features would a line need for XOR? What does a hidden layer do that these features do by hand?",
           "x₁², x₂²: 95 % test accuracy within 50 steps (20 measured), kept through step 1,000. x₁, x₂ "
           "alone: never above 70 % in 1,000 steps. Depth (8, 8) on x₁, x₂: 95 % later (91 measured).",
           also=(("x₁, x₂, no hidden layer", {"hidden": ""}), ("Depth instead: 8, 8 on x₁, x₂", {}))),
    Lesson("l1_dead", "L1 kills weights, L2 shrinks them", "circles",
           {"features": "x1,x2,x1x2,x1sq,x2sq,sin1,sin2", "hidden": "8", "l1": "0.01"},
           "Seven input features, 8 hidden units, an L1 penalty λ₁ = 0.01. Play; watch *Dead weights* (the "
           "share of |w| < 10⁻³) and W₁'s heatmap: whole rows go white. Then L2 at the same strength.",
           "Which rows of W₁ survive, and why? Why does L1 make weights exactly small while L2 only shrinks them?",
           "L1: from step 500 to 2,000 at least 75 % of W₁ is dead (76.8 % at least, measured); at step 2,000 "
           "every |w| > 0.01 in W₁ is from x₁² or x₂², test accuracy 100 %. L2: never over 15 % dead; four or "
           "more features keep a |w| > 0.01.",
           also=(("L2 0.01 instead", {"features": "x1,x2,x1x2,x1sq,x2sq,sin1,sin2", "hidden": "8",
                                       "l2": "0.01"}),)),
    Lesson("clip_cliff", "Clipping: a cliff in the loss", "circles",
           {"hidden": "8,8,8", "act": "relu", "var": "3", "lr": "0.1"},
           "Three ReLU layers, large initial weights: the first gradients are huge (*Update ratio* jumps off "
           "the band). Step twice, look at *Neurons*; then the same with *Clip gradient norm* at 1.",
           "Why can two steps ruin a network for good? What does clipping keep, and what does it give up?",
           "Unclipped, the first two steps (gradient norm above 20) kill every unit of hidden layers 2 and 3: "
           "the loss freezes at log 2 ≈ 0.693, test accuracy never 95 % in 1,000 steps. Clipped at 1: 95 % "
           "within 50 steps (31 measured), kept through step 1,000.",
           panel="neurons", also=(("Clip gradient norm at 1", {"hidden": "8,8,8", "act": "relu", "var": "3",
                                                               "lr": "0.1", "clip": "1"}),)),
    Lesson("anneal", "Annealing the learning rate", "more2d", {"lr": "0.03"},
           "Two spirals, Adam at η = 0.03, batches of 32: the loss keeps jumping, so does the test accuracy. "
           "Then a cosine schedule from 0.03 down to 0 over the same 2,000 steps (watch the η chart).",
           "Why does a constant rate keep bouncing at the bottom, and why not start small instead?",
           "Last 200 of 2,000 steps: the constant rate's test accuracy spans at least 5 points (91.25–100 % "
           "measured); the cosine's stays at 100 %, its training loss at step 2,000 at least 5 times lower "
           "(0.0028 against 0.033 measured).",
           also=(("Cosine over 2,000 steps", {"lr": "0.03", "sched": "cosine", "tmax": "2000"}),)),
]


BY_KEY = {ls.key: ls for ls in LESSONS}
# settings a lesson's claims do not depend on (speed only)
_NOT_SETTINGS = ("steps_per_frame", "show_test", "discretize", "hide")


def _open(lesson: Lesson, params: dict, label: str | None = None) -> None:
    """Put the lesson's settings into the page's sidebar (all others back to the page's
    defaults), remember which lesson is open there (its box, ``box``) and go there."""
    cfg, _ = config_from_params(lesson.page, dict(params))
    state.apply_lesson(lesson.page, cfg, lesson.panel)
    state.put(lesson.page, "_lesson", (lesson.key, label))
    st.switch_page(PAGE_FILES[lesson.page], query_params=params)


def _close(page: str) -> None:
    state.put(page, "_lesson", None)


# The Lessons page was scrolled down to the lesson's button, and Streamlit may keep that offset
# for the page it switches to: the lesson's page starts at its top, with the box on screen
# (once per opening: the nonce; again a moment later, after the page has laid itself out).
TO_TOP = ("<script>(() => {{ const w = window.parent; if (w.__bpTop === '{nonce}') return; w.__bpTop = '{nonce}';"
          " const up = () => {{ for (const e of [w.document.scrollingElement,"
          " ...w.document.querySelectorAll('[data-testid=\"stMain\"], [data-testid=\"stAppViewContainer\"]')])"
          " if (e) e.scrollTop = 0; }}; up(); setTimeout(up, 150); setTimeout(up, 600); }})();</script>")

BOX_CSS = """<style>
.st-key-lesson_box { position: relative; }
.st-key-lesson_box [data-testid='stMarkdownContainer'] { font-size: 0.9rem; }
.st-key-lesson_box [data-testid='stMarkdownContainer'] p { margin-bottom: 0.2rem; }
.st-key-lesson_close { position: absolute; top: 0.15rem; right: 0.3rem; width: auto !important; z-index: 1; }
</style>"""
# projected at 1024 x 768 the box sits above the picture: the title goes (the box names the
# lesson), the text is set at 16 px, and the picture's height budget (ui/projector.py) shrinks by
# the box's height, so the box, the picture and the key numbers are all on the first screen
BOX_CSS_PROJECTED = """<style>
[data-testid='stMain']:has(.st-key-lesson_box) h1 { display: none; }
.st-key-lesson_box [data-testid='stMarkdownContainer'] { font-size: 0.8rem; line-height: 1.3; }
:root:has(.st-key-lesson_box) { --bp-bnd-max: max(14rem, min(27.5rem, calc(100vh - 20.5rem)));
  --bp-tiles-max: max(12rem, min(27.5rem, calc(100vh - 24.5rem))); }
</style>"""


def box(page: str, lab=None) -> None:
    """The open lesson's "what to watch / ask / you should see" on the page it opened (left
    when a lesson button opened this page, until closed or another lesson is opened).
    ``lab``: the page's Lab; if its settings are no longer the lesson's, the box says so."""
    from . import projector

    if lab is not None and state.ui_value(page, "_lesson_opened"):
        state.put(page, "_lesson_opened", False)
        lab.notice = None  # "Rebuilt the model because ... changed": the lesson box says what is on
        n = state.ui_value(page, "_lesson_shown", 0) + 1
        state.put(page, "_lesson_shown", n)
        st.sidebar.html(TO_TOP.format(nonce=f"{page} {n}"), unsafe_allow_javascript=True)  # no space in the page
    cfg = lab.cfg if lab is not None else None
    opened = state.ui_value(page, "_lesson")
    lesson = BY_KEY.get(opened[0]) if opened else None
    if lesson is None:
        return
    label = opened[1]
    number = LESSONS.index(lesson) + 1
    st.html(BOX_CSS + (BOX_CSS_PROJECTED if projector.is_on() else ""))
    with st.container(border=True, key="lesson_box"):
        st.button("", key="lesson_close", type="tertiary", icon=":material/close:", on_click=_close, args=(page,),
                  help="Hide this lesson's text (the settings stay).")
        c1, c2, c3 = st.columns([1.35, 1, 1.1], gap="small")
        c1.markdown(f"**Lesson {number} · {lesson.title}**" + (f" (the setting “{label}”)" if label else "")
                    + f"  \n{lesson.watch}")
        c2.markdown(f"**Ask:** {lesson.question}")
        c3.markdown(f"**You should see:** {lesson.expect}")
        if cfg is not None and not _is_lesson_setting(lesson, cfg):
            st.caption("The settings have changed since the lesson opened: what you should see speaks of the "
                       "lesson's settings (open it again from *Lessons* to return to them).")


def _is_lesson_setting(lesson: Lesson, cfg) -> bool:
    """Whether ``cfg`` is the lesson's setting or one of its second settings (speed aside)."""
    from dataclasses import replace

    keep = {f: getattr(cfg, f) for f in _NOT_SETTINGS}
    for params in (lesson.params, *(p for _, p in lesson.also)):
        want, _ = config_from_params(lesson.page, dict(params))
        if replace(want, **keep, csv_id=cfg.csv_id) == cfg:
            return True
    return False


def render() -> None:
    st.title("Lessons")
    st.caption("Ready scenarios for a class: each button opens the page with the right settings (the "
               "address bar then holds a share link for the students). What you should see is checked by "
               "the project's tests, in the same engine.")
    from . import tfpg_view

    tfpg_view.paste_box("lessons")  # a TensorFlow Playground link from older course notes opens here too
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
                        _open(lesson, params, label)
