"""The MNIST page: real handwritten digits, first-layer weights as tiles, confusion matrix,
the most confident mistakes. Layout and drawing only; numbers come from the engine. The
tiles, curves and heatmaps are the browser-painted live view (ui.live_view)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.views import confident_mistakes, confusion

from . import charts, controls, hiding, inspect, lessons, projector, state
from .echo import plain
from .draw_digit import draw_digit_tab, output_meaning
from .frames import FrameMaker
from .live import run_live
from .live_view import live_element

MISTAKES = 12
# the classic textbook network (Nielsen, ch. 1), as sidebar settings
CLASSIC = {"hidden": (30,), "activation": "sigmoid", "per_layer_on": False, "batch_norm": False, "dropout": 0.0,
           "loss": "mse", "output_activation": "sigmoid", "init": "normal", "init_var": 1.0,
           "optimizer": "sgd", "lr": 3.0, "batch_size": 16}
LIVE_PARTS = ("status", "tiles", "curves", "weights", "layers")
FRAME_INTERVAL = 1 / 30  # a frame carries 50 KB of weight tiles: 30 a second is plenty


def _layout(lab):
    """The live view (status, first-layer tiles, curves, upper weights, per-layer charts,
    painted by the browser), then the server-drawn confusion matrix and mistakes."""
    slots = {"live": [live_element("bp-live-mnist", FrameMaker("mnist/main", "mnist", LIVE_PARTS, lab))]}
    c1, c2 = st.columns([1, 1], gap="medium")
    slots["confusion"] = c1.empty()
    with c2:
        _, is_prob = output_meaning(lab.net)
        st.markdown("### Most confident mistakes (test set)")
        st.caption("Under each digit: the network's three largest " + (
            "probabilities." if is_prob else "outputs (raw numbers of a linear/tanh output, not probabilities)."))
        slots["mistakes"] = st.empty()
    _draw_slow(lab, slots)
    return slots


def _mistakes_html(lab) -> str:
    ds = lab.dataset
    idx, pred, probs = confident_mistakes(lab.net, ds.X_test, ds.y_test, MISTAKES)
    if len(idx) == 0:
        return "<p>No test digit is misclassified.</p>"
    names = ds.class_names
    _, is_prob = output_meaning(lab.net)
    cells = []
    for i, p, pr in zip(idx, pred, probs):
        img = (255 - ds.X_test[i].reshape(ds.image_shape) * 255).astype(np.uint8)
        top = np.argsort(-pr)[:3]
        probs_txt = " ".join(f"{names[k]}:{100 * pr[k]:.0f}%" if is_prob else f"{names[k]}:{pr[k]:+.2f}"
                             for k in top)
        alt = f"test digit {i}, a handwritten {names[ds.y_test[i]]}"  # the caption says what the network made of it
        cells.append(
            f'<figure style="margin:0;text-align:center;width:86px"><img alt="{alt}" src="{charts.png_data_uri(img, 2)}" '
            f'style="width:56px;border:1px solid #ddd"/><figcaption style="font-size:0.72rem;line-height:1.2">'
            f'true <b>{names[ds.y_test[i]]}</b> → <b style="color:#b03a2e">{names[p]}</b><br>'
            f'<span style="color:#5a5e66">{probs_txt}</span></figcaption></figure>')
    return f'<div style="display:flex;flex-wrap:wrap;gap:6px">{"".join(cells)}</div>'


def _draw_slow(lab, slots):
    """Confusion matrix and most confident mistakes (test set): server-drawn, every ~0.6 s."""
    ds = lab.dataset
    cm = confusion(lab.net, ds.X_test, ds.y_test)
    slots["confusion"].vega_lite_chart(spec=charts.confusion_chart(cm, ds.class_names), width="content")
    slots["mistakes"].html(_mistakes_html(lab))


def _data_section(lab) -> None:
    ds = lab.dataset
    with st.expander(f"The data: {len(ds.y_train):,} training and {len(ds.y_test):,} test digits "
                     f"({', '.join(ds.class_names)})"):
        n = min(48, len(ds.y_train))
        imgs = ds.X_train[:n].reshape(n, *ds.image_shape)
        labels = " ".join(ds.class_names[y] for y in ds.y_train[:n])
        st.html(charts.digits_html(imgs, ds.y_train[:n], ncols=16, width_px=900,
                                   caption=f"The first {n} training digits; labels: {labels}"))
        counts = ds.class_counts("train")
        st.caption("Training digits per class: " + ", ".join(f"{c}: {k}" for c, k in zip(ds.class_names, counts))
                   + ". Both subsets are a stratified split of MNIST's 10,000-digit *test* set, which is "
                     "shipped with this app (the 60,000-digit training set is not); each pixel is scaled "
                     "to [0, 1], so the network sees 784 numbers per digit.")


def render() -> None:
    page = "mnist"
    st.title("MNIST digits")
    if hiding.shown(page, "text"):
        projector.intro("Real handwriting: 28 × 28 pixels = 784 inputs per digit. **Train and test subsets are split "
               "from MNIST's 10,000-digit test set** (shipped with the app for offline use; the 60,000-digit "
               "training set is not included). Choose digits and sizes under *Data* in the sidebar.")
    cfg = state.read_config(page)
    lab, error = state.ensure_lab(page, cfg)
    if lab is None:
        st.error(plain(error or "Could not load MNIST."))
        st.info("The other pages work without the MNIST files.")
        return
    state.sync_url(page, lab.cfg)
    lessons.box(page, lab)
    controls.messages(page, lab, error)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        controls.control_bar(page, lab)
        st.button("Classic 784-30-10 sigmoid network", key=state.key(page, "_classic"), icon=":material/history_edu:",
                  on_click=state.apply_settings, args=(page, CLASSIC),
                  help="The network of many textbooks (e.g. Nielsen's Neural Networks and Deep Learning, ch. 1): "
                       "784 inputs, 30 sigmoid hidden units, 10 sigmoid outputs with the quadratic (MSE) cost, "
                       "weights N(0, 1), plain SGD with η = 3 on mini-batches (16 here; the book uses 10). "
                       "Rebuilds the model.")
    _data_section(lab)
    run_live(page, lambda: _layout(lab), _draw_slow, frame_interval=FRAME_INTERVAL)
    if hiding.shown(page, "inside"):
        inspect.render_static(page, lab, extra={"Draw a digit": draw_digit_tab})
