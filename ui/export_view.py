"""The "Take it home" tab: download the run, its history, its weights, a standalone NumPy script;
upload a saved run to continue it. The files come from engine.export; this module only offers them."""
from __future__ import annotations

import io

import numpy as np
import streamlit as st

from engine.export import save_run, standalone_script

from . import limits, state
from .echo import plain
from .config import data_spec


def run_bytes(lab) -> bytes:
    """The run file: engine.export.save_run with the page's data spec (also the browser's
    checkpoint, ui.checkpoint)."""
    buf = io.BytesIO()
    save_run(lab.trainer, buf, data_spec=lab.data_spec())
    return buf.getvalue()


def _weights_bytes(lab) -> bytes:
    arrays = dict(lab.net.named_params())
    for l, bn in enumerate(lab.net.bn, start=1):
        if bn is not None:
            arrays[f"running_mean{l}"], arrays[f"running_var{l}"] = bn.running_mean, bn.running_var
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def export_tab(page: str, lab) -> None:
    st.markdown(
        "Take the run with you. **The run** holds the settings, every parameter, the optimizer's state "
        "(momentum buffers or Adam's moments), the batch order and the history: upload it here later and "
        "training continues exactly where it stopped. **The script** is the whole training loop in plain "
        "NumPy (`python run.py`, nothing else to install) and prints the same losses as this page, step "
        "for step.")
    if lab.playing:
        st.info("Pause first: the files are written from one moment of the run.", icon="⏸️")
        return
    name = f"{page}-step{lab.step}"
    lo, hi = limits.SCRIPT_STEPS
    # past step 100,000 (XOR at 50 steps a frame: about a minute) the run's step is above the
    # input's maximum: the default and a remembered value stay inside it
    state.clamp(page, "script_steps", lo, hi)
    steps = st.number_input("Steps the script runs", lo, hi, value=min(max(100, lab.step), hi), step=50,
                            key=state.key(page, "script_steps"),
                            help="From step 0 with the same seed: its losses equal this page's first steps.")
    with st.container(horizontal=True, gap="small"):
        st.download_button("The run (.npz)", lambda: run_bytes(lab), f"{name}.npz", "application/octet-stream",
                           key=state.key(page, "_dl_run"), icon=":material/save:", on_click="ignore",
                           help="Everything to continue exactly: upload it below (this page, later).")
        st.download_button("History (.csv)", lambda: lab.trainer.history_frame().to_csv(index=False),
                           f"{name}-history.csv", "text/csv", key=state.key(page, "_dl_hist"),
                           icon=":material/table:", on_click="ignore",
                           help="One row per kept step: loss, accuracies, mean |δ_l|, ‖∂W_l‖, update ratios.")
        st.download_button("Weights (.npz)", lambda: _weights_bytes(lab), f"{name}-weights.npz",
                           "application/octet-stream", key=state.key(page, "_dl_weights"), icon=":material/grid_on:",
                           on_click="ignore", help="np.load(...) gives W1, b1, ... (and batch norm's γ, β, running "
                                                   "statistics), W_l of shape (n_(l-1), n_l).")
        st.download_button("Script (run.py)", lambda: standalone_script(lab.trainer, int(steps), lab.data_spec()),
                           "run.py", "text/x-python", key=state.key(page, "_dl_script"), icon=":material/code:",
                           on_click="ignore", help="Plain NumPy. MNIST's script reads data/mnist/ of this repository "
                                                   "(or the folder in $MNIST_DIR).")
    if lab.edits or lab.hand_data:
        st.caption("Changed by hand (a typed weight or bias, points added or removed): the run file holds the run "
                   "as it is now and continues exactly, with the training points in the file; the script starts "
                   "from step 0 on the current training points, so its losses match this page's only up to the "
                   "first change.")
    st.file_uploader("Continue a saved run (.npz)", type=["npz"], key=state.key(page, "run_file"),
                     on_change=state.resume_run, args=(page,),
                     help="A run downloaded from this page. The sidebar takes its settings; nothing is lost if the "
                          "file cannot be used.")
    err = state.ui_value(page, "_run_error")
    if err:
        st.error(f"{plain(err)} Nothing was changed.", icon="⚠️")  # it quotes the file's name and contents
