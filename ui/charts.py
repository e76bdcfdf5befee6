"""Pure functions: arrays -> server-drawn pictures and Altair chart specs, for the views that
are not animated every frame (the live view is painted by the browser: ui.live_view).

No session state, no maths beyond colouring. Pictures are PNGs sent *inline* as data URIs
(served-by-URL images freeze behind a hosted link's latency when they replace each other
quickly); Altair specs are built once per shape and cached, then sent with fresh data through
st.vega_lite_chart: Altair's to_dict() costs ~10 ms per chart.
"""
from __future__ import annotations

import base64
import html
import io
from functools import lru_cache

import numpy as np
import pandas as pd

# Colours for every student (tests/test_palette.py): any two of a palette stay at least 20 apart
# (CIE 1976 ΔE*ab) for normal vision and for protanopia, deuteranopia and tritanopia as simulated
# by Machado, Oliveira & Fernandes (2009); each has at least 3:1 contrast on white (WCAG 1.4.11).
# No published palette does both at this size (Okabe-Ito's 8: ΔE 16 under tritanopia), so these
# were searched for: a max-min ΔE search over sRGB, with relative luminance 0.04-0.30 (visible on
# white, never near the black boundary line), chroma ≥ 30 (no greys), the first colours fixed.
# A dichromat's colours span only two dimensions, so ten of them cannot also be 20 apart in the
# stricter CIEDE2000 (the closest pair here is 10); the first two, the classes of every built-in
# data set, are 50 apart in CIEDE2000 under each simulation.
CLASS_COLORS = ["#d55e00", "#1f5fa8", "#8f975d", "#249dc3", "#4b069e", "#3f00f9", "#b24f7f", "#9a58ff",
                "#4e531b", "#720e48"]
LAYER_PALETTE = ["#1f5fa8", "#d57912", "#bd2867", "#68221c", "#785706", "#349fa2", "#3a00af"]


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


# ------------------------------------------------------------------------- PNG helpers
def png_data_uri(img: np.ndarray, scale: int = 1) -> str:
    """uint8 image (H, W) or (H, W, 3|4) -> 'data:image/png;base64,...' (nearest-upscaled)."""
    from PIL import Image

    if scale > 1:
        img = np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ------------------------------------------------------------------------- image grids
def diverging_rgb(values: np.ndarray, vmax: float | None = None) -> np.ndarray:
    """Any-shaped array -> RGB uint8: blue for negative, red for positive, white at 0."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64))
    m = float(np.abs(v).max(initial=0)) if vmax is None else vmax
    t = np.clip(v / (m if m > 0 else 1.0), -1, 1)[..., None]
    pos, neg, white = _rgb("#b2182b"), _rgb("#2166ac"), np.array([247.0, 247.0, 247.0])
    img = np.where(t >= 0, white + (pos - white) * t, white + (neg - white) * (-t))
    return img.astype(np.uint8)


def tile_grid(tiles: np.ndarray, ncols: int, pad: int = 1, pad_value=255) -> np.ndarray:
    """(n, h, w[, 3]) tiles -> one image with ``ncols`` columns and ``pad``-px gaps."""
    n, h, w = tiles.shape[:3]
    nrows = -(-n // ncols)
    shape = (nrows * (h + pad) + pad, ncols * (w + pad) + pad) + tiles.shape[3:]
    out = np.full(shape, pad_value, dtype=tiles.dtype)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = tiles[i]
    return out


def img_html(uri: str, width_px: int, alt: str = "", caption: str = "", pixelated: bool = True) -> str:
    style = f"width:100%;max-width:{width_px}px;" + ("image-rendering:pixelated;" if pixelated else "")
    cap = f'<div style="font-size:0.8rem;color:#666">{caption}</div>' if caption else ""
    return f'<div><img alt="{alt}" src="{uri}" style="{style}"/>{cap}</div>'


def digits_html(images: np.ndarray, labels, ncols: int = 12, width_px: int = 560, caption: str = "") -> str:
    """(n, 28, 28) images in [0, 1] -> a grid picture with the labels in the caption."""
    tiles = (255 - np.clip(images, 0, 1) * 255).astype(np.uint8)  # dark ink on white
    grid = tile_grid(tiles, ncols, pad=2, pad_value=255)
    return img_html(png_data_uri(grid, scale=2), width_px, "sample digits", caption)


# ------------------------------------------------------------------------- Altair specs
def _altair():
    import altair as alt

    return alt


@lru_cache(maxsize=64)
def _spec_cached(kind: str, *args) -> dict:
    return _SPEC_BUILDERS[kind](*args)


def _confusion_spec(n: int, cell: int) -> dict:
    alt = _altair()
    base = alt.Chart(alt.Data(name="d")).encode(
        x=alt.X("pred:O", title="predicted", sort=None), y=alt.Y("true:O", title="true digit", sort=None))
    rect = base.mark_rect().encode(
        color=alt.Color("frac:Q", title="share of row", scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=["true:O", "pred:O", "count:Q", alt.Tooltip("frac:Q", format=".1%")])
    text = base.mark_text(fontSize=10).encode(
        text="count:Q", color=alt.condition("datum.frac > 0.5", alt.value("white"), alt.value("#333")))
    return alt.layer(rect, text).properties(width=n * cell, height=n * cell,
                                            title="Confusion matrix (test set)").to_dict(validate=False)


def _incoming_spec(title: str) -> dict:
    alt = _altair()
    chart = alt.Chart(alt.Data(name="d")).mark_bar().encode(
        x=alt.X("weight:Q", title="weight"), y=alt.Y("from:N", sort=None, title=None),
        color=alt.condition("datum.weight > 0", alt.value("#b2182b"), alt.value("#2166ac")),
        tooltip=["from:N", alt.Tooltip("weight:Q", format=".4f")])
    return chart.properties(title=title, height=alt.Step(16)).to_dict(validate=False)


_SPEC_BUILDERS = {"incoming": _incoming_spec, "confusion": _confusion_spec}


def _with_data(spec: dict, df: pd.DataFrame, fit_width: bool = True) -> dict:
    """A shallow copy of the cached spec carrying ``df`` as its named dataset "d": pass it to
    st.vega_lite_chart(spec=...), which ships named datasets as Arrow. ``fit_width`` for
    charts that stretch to their column (not for fixed-size heatmaps)."""
    out = {**spec, "datasets": {"d": df}}
    if fit_width:
        # "contains: content" makes `height` the plot's own height: with Streamlit's default
        # (padding) the legend and title eat into it and a 190-px chart draws a 20-px plot.
        out["autosize"] = {"type": "fit-x", "contains": "content"}
    return out


def incoming_chart(df: pd.DataFrame, title: str):
    """df with columns from, weight -> horizontal bars of one unit's incoming weights."""
    return _with_data(_spec_cached("incoming", title), df)


def confusion_chart(cm: np.ndarray, class_names):
    """cm (K, K) counts, rows = true class -> spec heatmap with counts written in."""
    k = cm.shape[0]
    t, p = np.indices(cm.shape)
    rowsum = cm.sum(axis=1, keepdims=True)
    frac = cm / np.where(rowsum > 0, rowsum, 1)
    names = np.asarray(class_names)
    df = pd.DataFrame({"true": names[t.ravel()], "pred": names[p.ravel()], "count": cm.ravel(),
                       "frac": frac.ravel()})
    return _with_data(_spec_cached("confusion", k, max(22, min(40, 320 // k))), df, fit_width=False)


# ------------------------------------------------------------------------- hidden space
def _square_svg(size: int, body: str, name: str = "") -> str:
    """``name``: what the picture shows, in words (its accessible name: role img)."""
    return (f'<div style="width:100%;max-width:{size}px;aspect-ratio:1;border:1px solid #ccc;'
            f'border-radius:4px;overflow:hidden;box-sizing:border-box">'
            f'<svg viewBox="0 0 {size} {size}" role="img" aria-label="{html.escape(name)}" '
            f'style="display:block;width:100%;height:100%">{body}</svg></div>')


def _mesh_paths(P: np.ndarray, res: int, fx, fy) -> str:
    """The boundary grid's rows and columns as polylines: how the layer bends the plane."""
    if len(P) != res * res:
        return ""
    G = P.reshape(res, res, -1)
    out = []
    for line in list(G) + list(G.transpose(1, 0, 2)):
        xs, ys = fx(line[:, 0]), fy(line[:, 1])
        out.append("M" + "L".join(f"{a:.1f} {b:.1f}" for a, b in zip(xs, ys)))
    return "".join(out)


def hidden_scatter_html(view, y, is_test, res: int, size: int = 400) -> str:
    """A HiddenView (engine.hidden) in 2-D as inline SVG: the input plane's grid as a bent mesh
    (points coloured by the predicted class) and the data (train filled, test hollow)."""
    P, G = view.points[:, :2], view.grid[:, :2]
    both = np.vstack([P, G]) if len(G) else P
    lo, hi = both.min(axis=0), both.max(axis=0)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    pad = 18

    def fx(v):
        return pad + (v - lo[0]) / span[0] * (size - 2 * pad)

    def fy(v):
        return size - pad - (v - lo[1]) / span[1] * (size - 2 * pad)

    body = [f'<path d="{_mesh_paths(G, res, fx, fy)}" stroke="#00000024" stroke-width="0.8" fill="none"/>']
    for c in np.unique(view.grid_class):
        col = CLASS_COLORS[int(c) % len(CLASS_COLORS)]
        sel = view.grid_class == c
        dots = "".join(f'<rect x="{a - 1.3:.1f}" y="{b - 1.3:.1f}" width="2.6" height="2.6"/>'
                       for a, b in zip(fx(G[sel, 0]), fy(G[sel, 1])))
        body.append(f'<g fill="{col}" opacity="0.45">{dots}</g>')
    for hollow in (False, True):
        for c in np.unique(y):
            col = CLASS_COLORS[int(c) % len(CLASS_COLORS)]
            sel = (y == c) & (is_test == hollow)
            style = (f'fill="#fff" stroke="{col}" stroke-width="1.6"' if hollow
                     else f'fill="{col}" stroke="#fff" stroke-width="0.7"')
            dots = "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.2"/>' for a, b in zip(fx(P[sel, 0]), fy(P[sel, 1])))
            body.append(f"<g {style}>{dots}</g>")
    xl, yl = view.axis_labels[0], view.axis_labels[1]
    body.append(f'<text x="{size - 4}" y="{size - 4}" font-size="11" fill="#555" text-anchor="end">{xl} →</text>'
                f'<text x="4" y="12" font-size="11" fill="#555">↑ {yl}</text>')
    name = (f"Hidden space: {len(y)} data points (train filled, test hollow) and the input square's grid, "
            f"placed at {xl} (across) and {yl} (up), coloured by class")
    return _square_svg(size, "".join(body), name)
