"""Start here: what the playground is and how to read each view."""
import streamlit as st

from ui import tfpg_view

st.title("Backprop playground")
st.markdown(
    "Train small neural networks and **watch backpropagation work**: every number it computes — "
    "activations, deltas, gradients, updates — is on screen, with its shape. The engine is plain "
    "NumPy, written to be read, and checked against PyTorch to the last digit."
)

c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown("## What to do")
    st.markdown(
        "1. Open **XOR** in the sidebar and press **▶ Play**. Watch the boundary bend until the four "
        "corners are separated.\n"
        "2. Change the **learning rate**, **momentum** or **batch size** while it plays — they apply on "
        "the next step. Changing **layers, activation, loss or init** rebuilds the model (the page says so).\n"
        "3. Pick the *mean squared error* loss with a *linear* output and push the learning rate to 1: "
        "the loss diverges, training pauses and tells you why.\n"
        "4. Set the **init variance** to 0.0001 with 4 sigmoid layers: watch the δ of the lower layers "
        "vanish in the *Mean |δ|* chart.\n"
        "5. Below each page, **Look inside backprop**: the **shape ledger** (every matrix of one step "
        "with its live shape), the numerical **gradient check**, the **bug zoo** (switch on a classic "
        "backprop bug and watch the check turn red) and **step phases** (one update, phase by phase).\n"
        "6. On **Circles**, switch the right panel to **Hidden space** and watch the hidden layer "
        "untangle the rings.\n"
        "7. On **MNIST digits**, train on real handwriting, look at what the first layer learns, then "
        "**draw a digit** yourself. On **More 2-D data** you can upload your own CSV points.\n"
        "8. **Batch norm rescues a deep sigmoid net**: [Circles with four sigmoid layers]"
        "(/circles?hidden=8,8,8,8&act=sigmoid) stays near 50 % test accuracy after 3,000 steps "
        "(mean |δ₁| ≈ 3·10⁻⁵: the gradient vanishes). Switch on **Batch norm** under *Network* — or open "
        "[the same net with batch norm](/circles?hidden=8,8,8,8&act=sigmoid&bn=1) — and it passes 95 % "
        "in about 70 steps (measured by `benchmarks/lesson_batchnorm.py`).\n"
        "9. **Regression** predicts a number instead of a class (TensorFlow Playground's plane and six "
        "bumps: the background is the predicted value); **Curve fitting** fits y = f(x) and draws what each "
        "hidden unit adds: with ReLU, a sum of hinges.\n"
        "10. Teaching? **Lessons** has thirteen one-click scenarios with what to watch and a question for "
        "the class; **Compare** races optimizers, initialisations, activations or learning rates side "
        "by side; **Projector mode** (top of the sidebar) makes everything legible on a projector. "
        "Under each page, **Take it home** downloads the run, its history, the weights or a plain "
        "NumPy script that reproduces it."
    )
    st.markdown("## Controls")
    st.markdown(
        "- **Play / Pause**: train continuously; *steps per frame* sets the speed.\n"
        "- **Step**: exactly one mini-batch update. **Step epoch**: one pass over the training set.\n"
        "- **Reset**: fresh weights from the same seed — same seed, same run, every time.\n"
        "- The address bar always holds a **share link** with your settings."
    )
with c2:
    st.markdown("## What each view means")
    st.markdown(
        "- **Decision boundary**: the network's class probability at every point of the plane "
        "(a forward pass over a 72 × 72 grid, computed by your browser from the weights the server "
        "sends, and tested to equal the NumPy engine's). Filled dots are training points, hollow dots "
        "test points; the black line is where p = 0.5.\n"
        "- **Loss & accuracy**: the loss of each mini-batch (before its update) and, for the test set, "
        "at every evaluation.\n"
        "- **Weights and biases**: every Wₗ (nₗ₋₁ × nₗ) as a heatmap centred at 0, bias underneath "
        "(and batch norm's γ, β where it is on). Hover for values.\n"
        "- **Mean |δ_l|**: the size of dL/dz_l per layer, log scale. Lines drifting apart by orders "
        "of magnitude are vanishing (or exploding) gradients.\n"
        "- **Update ratio ‖ΔW‖/‖W‖**: how much each step changes a layer. Around 10⁻³ is healthy; "
        "10⁻¹ is too fast, 10⁻⁶ is stuck.\n"
        "- **Neurons**: each hidden unit's activation over the plane — what every unit has learned.\n"
        "- **Hidden space**: the data as a hidden layer sees it (2 units: as is; 3: rotatable 3-D; "
        "more: PCA). The grey mesh is the input plane, bent by the layers below.\n"
    )
    st.markdown("## The maths, in the engine's conventions")
    st.latex(r"z_l = a_{l-1} W_l + b_l,\qquad a_l = f(z_l)")
    st.latex(r"\delta_l = \frac{\partial L}{\partial z_l} = (\delta_{l+1} W_{l+1}^{\top}) \odot f'(z_l)")
    st.latex(r"\frac{\partial L}{\partial W_l} = a_{l-1}^{\top}\,\delta_l,\qquad "
             r"\frac{\partial L}{\partial b_l} = \textstyle\sum_n \delta_{l,n}")
    st.caption(r"Samples are rows: a batch $X$ is $N \times n_{in}$, $W_l$ is $n_{l-1} \times n_l$, "
               r"$\delta_l$ is $N \times n_l$.")
st.markdown("## Coming from TensorFlow Playground?")
st.caption("A link from playground.tensorflow.org (course notes are full of them) opens here with the same data set, "
           "network and settings; the page then says what differs.")
tfpg_view.paste_box("intro")
