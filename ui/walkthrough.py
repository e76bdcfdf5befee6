"""The shape & equation ledger and the "step through one update" mode.

Both show the same rows (engine.ledger); the walkthrough highlights the rows and the weight
matrix of the phase it is in (engine.phases). No maths here: arrays come from the engine.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine import Diverged
from engine.ledger import shape_ledger, shape_ledger_columns
from engine.phases import StepWalk

from . import charts, state
from .sidebar import PERSIST

PHASE_LABELS = {"forward": "forward", "loss": "loss", "backward": "backward", "update": "update"}
MAX_ROWS_SHOWN = 12  # rows of a batch array drawn as a picture


def _num(v: float) -> str:
    return f"{v:.3g}"


def _ledger_markdown(rows, per_sample_rows=None, highlight=None) -> str:
    """A markdown table; LaTeX cells render with KaTeX. With ``highlight`` (step phases) a first
    column "now" marks the rows of the phase shown (every column has a header: a screen reader
    announces it with each cell)."""
    marks = highlight is not None
    head = ("| now " if marks else "") + "| quantity | batch (matrices) |" + \
        (" one example (vectors) |" if per_sample_rows else "") + " shape | mean \\|x\\| |"
    sep = ("|---" if marks else "") + "|---|---|" + ("---|" if per_sample_rows else "") + "---|---|"
    lines = [head, sep]
    for i, r in enumerate(rows):
        lit = marks and r.name in highlight
        name = f":orange-background[**{r.name}**]" if lit else r.name
        cells = (["▶" if lit else ""] if marks else []) + [name, f"${r.latex}$"]
        if per_sample_rows:
            cells.append(f"${per_sample_rows[i].latex}$")
        cells += ["×".join(map(str, r.shape)) or "scalar", _num(r.mean_abs)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _batch(lab):
    return lab.trainer.peek_batch()


CONVENTIONS = (
    "**Two ways to write the same step.** Here (rows): one example is a row, a batch X is N × n_in, "
    "Wₗ is nₗ₋₁ × nₗ and z = a·W + b — NumPy's and scikit-learn's habit. Many textbooks (columns): one "
    "example is a column vector, Wₗ is nₗ × nₗ₋₁ and z = W·a + b, δₗ = (Wₗ₊₁ᵀ δₗ₊₁) ⊙ f′(zₗ), ∂Wₗ = δₗ aₗ₋₁ᵀ. "
    "**Their Wₗ is our Wₗᵀ, and our batch matrix stacks their column vectors as rows (ours = theirsᵀ).** "
    "A 784-30-10 network has W₁ 784 × 30 here and 30 × 784 there. PyTorch's nn.Linear sits in between: "
    "it stores weight as n_out × n_in (the columns convention) but computes x·Wᵀ + b on rows of a batch.")


def _convention_toggle(page: str) -> bool:
    """The switch between the engine's rows convention and the textbooks' column vectors."""
    on = st.toggle("Column vectors (Wₗ is nₗ × nₗ₋₁, as in many textbooks)", key=state.key(page, "ledger_columns"),
                   **PERSIST, help="The same numbers and shapes, written with column vectors: every shape "
                                   "transposed, products in the other order.")
    st.caption(CONVENTIONS)
    return on


def ledger_tab(page: str, lab) -> None:
    st.markdown(
        "Every array one training step computes, with its equation and **live shapes** for this "
        "architecture and batch (rows = examples). The numbers under each symbol are its shape; "
        "*mean |x|* is the live size of the values. Change the hidden layers or the batch size and "
        "watch the shapes follow.")
    if lab.playing:
        # The ledger is one step's snapshot; while playing it would only be stale, and its many
        # formulas cost every browser frame (Streamlit re-renders the page's elements with each
        # frame it receives: ~25 % of a playing tab's CPU, measured with Chrome's tracing).
        st.info("While training plays, the ledger waits: press **Pause** and it shows every array of "
                "the next step with its live shape.", icon="⏸️")
        return
    bn = lab.net.has_batch_norm
    one = st.toggle("Show one example next to the batch", key=state.key(page, "ledger_one"), **PERSIST,
                    disabled=bn,
                    help="The per-sample view: vectors instead of matrices. ∂W is then an outer product "
                         "a ⊗ δ; the batch ∂W is the sum of those over the N examples."
                         + (" Off with batch norm: one example has no batch mean and variance." if bn else ""))
    columns = _convention_toggle(page)
    build = shape_ledger_columns if columns else shape_ledger
    X, y = _batch(lab)
    try:
        rows = build(lab.net, X, y)
        per = build(lab.net, X, y, per_sample=True) if one and not bn else None
    except ValueError as exc:  # a bug-zoo shape error, or batch norm on a batch of one
        st.error(str(exc))
        return
    by_phase = {}
    for i, r in enumerate(rows):
        by_phase.setdefault(r.phase, []).append(i)
    for phase, idx in by_phase.items():
        st.markdown(f"**{phase.capitalize()}**")
        st.markdown(_ledger_markdown([rows[i] for i in idx], [per[i] for i in idx] if per else None))
    st.caption(f"Batch: the next mini-batch, N = {X.shape[0]}. δ_l = ∂L/∂z_l. Update shown for plain SGD; "
               "momentum and Adam transform ∂W first, the shapes are the same.")


# ----------------------------------------------------------------------------- step phases
def _walk(lab):
    walk = getattr(lab, "walk", None)
    if walk is not None and walk.stale:
        lab.walk = walk = None
    return walk


def _start(lab) -> None:
    lab.playing = False
    try:
        lab.walk = StepWalk(lab.trainer)
        lab.walk.advance()
    except ValueError as exc:  # a bug-zoo shape error, or batch norm on a batch of one
        lab.walk, lab.error = None, str(exc)


def _next(lab) -> None:
    walk = _walk(lab)
    if walk is None:
        return _start(lab)
    if walk.done:
        return _start(lab)
    try:
        walk.advance()
    except Diverged as exc:
        lab.error = str(exc)


def _array_picture(label: str, a: np.ndarray) -> str:
    """A small array as a diverging-colour picture at its natural size (cells ≤ 20 px)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    shown = a[:MAX_ROWS_SHOWN]
    scale = max(1, min(20, 220 // max(shown.shape)))
    uri = charts.png_data_uri(charts.diverging_rgb(shown), scale=scale)
    more = f", first {MAX_ROWS_SHOWN} of {a.shape[0]} rows" if a.shape[0] > MAX_ROWS_SHOWN else ""
    return (f'<figure style="margin:0"><img alt="{label}" src="{uri}" style="width:{shown.shape[1] * scale}px;'
            f'max-width:100%;image-rendering:pixelated;border:1px solid #ddd"/><figcaption style="font-size:0.8rem;'
            f'color:#666">{label}{more}; |x| ≤ {float(np.abs(shown).max(initial=0)):.3g}</figcaption></figure>')


def phases_tab(page: str, lab) -> None:
    st.markdown(
        "One training step, slowly: each click runs one phase — the forward pass layer by layer, the "
        "loss, the backward pass from the top, then the update — on the batch the next *Step* uses. "
        "The last phase **is** that step, so the numbers are exactly those of training.")
    walk = _walk(lab)
    label = "Next phase" if walk is not None and not walk.done else "Start: forward, layer 1"
    with st.container(horizontal=True, gap="small"):
        st.button(label, key=state.key(page, "_phase_next"), on_click=_next, args=(lab,), type="primary",
                  icon=":material/skip_next:", help="Run the next phase of one training step (pauses Play).")
        if walk is not None:
            st.button("Abandon", key=state.key(page, "_phase_stop"),
                      on_click=lambda: setattr(lab, "walk", None), help="Leave the walkthrough; nothing is updated.")
    if walk is None:
        st.caption("Press *Start* to begin; training is paused while you step through.")
        return
    names = [p.title for p in walk.phases]
    st.markdown(" → ".join(f"**{n}**" if i == walk.index else
                           (f"~~{n}~~" if i < walk.index else n) for i, n in enumerate(names)))
    phase = walk.current
    st.info(f"**{phase.title}.** {phase.text}")
    build = shape_ledger_columns if _convention_toggle(page) else shape_ledger
    if phase.kind != "update":
        # only what exists at this moment: the rows of the phases done so far, this one highlighted
        done = {name for p in walk.phases[:walk.index + 1] for name in p.ledger}
        rows = [r for r in build(walk.net, walk.X, walk.y) if r.name in done]
        st.markdown(_ledger_markdown(rows, highlight=phase.ledger))
    cols = st.columns(3)
    pics = list(phase.arrays.items())
    L = walk.net.n_layers
    # the weight matrix in this phase's formula: W_l forward (z_l = a W_l + b_l), W_{l+1} backward
    # (delta_l = delta_{l+1} W_{l+1}^T ...); the top layer's delta comes from the loss alone
    used = phase.layer if phase.kind == "forward" else (phase.layer + 1 if phase.kind == "backward" else None)
    if used and used <= L:
        W, b = walk.net.weights[used - 1], walk.net.biases[used - 1]
        role = "in z = a·W + b" if phase.kind == "forward" else f"its transpose carries δ{used} down to δ{phase.layer}"
        pics.insert(0, (f"W{used} with b{used} as its last row ({role})", np.vstack([W, b[None, :]])))
    for i, (cap, arr) in enumerate(pics[:6]):
        cols[i % 3].html(_array_picture(cap, arr))
    if walk.done and walk.record is not None:
        st.success(f"Step {walk.record.step} done: batch loss {walk.record.loss:.6g} (the value the loss phase "
                   f"showed). Press *{label}* to walk through the following step.")
