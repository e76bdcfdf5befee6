"""Pure functions: arrays -> pictures (inline HTML with PNG data URIs) and Altair chart specs.

No session state, no maths beyond colouring. Two kinds of output:

* Animated pictures (decision boundary, MNIST weight tiles) are small PNGs sent *inline* as
  data URIs inside HTML: served-by-URL images (st.image) freeze behind a hosted link's latency
  when frames replace each other faster than the browser fetches them.
* Charts are authored with Altair, but the spec (everything except the data) is built once per
  shape and cached, then sent with fresh data through st.vega_lite_chart: Altair's to_dict()
  costs ~10 ms per chart, which would dominate an animation frame.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache

import numpy as np
import pandas as pd

CLASS_COLORS = ["#e8862a", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"]
LAYER_PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6"]


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


def probability_image(probs: np.ndarray) -> np.ndarray:
    """Class probabilities (res, res, K) or (res, res) [P(class 1)] -> RGB uint8 (res, res, 3).

    Two classes: white at p = 0.5, towards the class colour as the network gets sure, kept
    light so the data points stay visible. K > 2: the argmax class's colour, by confidence.
    """
    probs = np.nan_to_num(probs, nan=0.5, posinf=1.0, neginf=0.0)  # a diverged net draws grey-ish
    if probs.ndim == 2:
        p1 = probs
        k_idx = (p1 > 0.5).astype(np.intp)
        conf = np.abs(2 * p1 - 1)
    elif probs.shape[2] == 2:
        p1 = probs[..., 1]
        k_idx = (p1 > 0.5).astype(np.intp)
        conf = np.abs(2 * p1 - 1)
    else:
        k_idx = probs.argmax(axis=2)
        top = np.take_along_axis(probs, k_idx[..., None], axis=2)[..., 0]
        k = probs.shape[2]
        conf = np.clip((top - 1 / k) / (1 - 1 / k), 0, 1)
    colors = np.stack([_rgb(c) for c in CLASS_COLORS])[k_idx % len(CLASS_COLORS)]
    strength = (0.72 * conf ** 0.8)[..., None]
    img = 255.0 * (1 - strength) + colors * strength
    return img.astype(np.uint8)


def webp_data_uri(img: np.ndarray, quality: int = 85) -> str:
    """uint8 RGB image -> 'data:image/webp;base64,...'. For smooth fields (the boundary's
    probability picture) lossy WebP is ~14x smaller than PNG: 0.7 KB vs 10 KB at 100x100."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="WEBP", quality=quality, method=2)
    return "data:image/webp;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ------------------------------------------------------------------------- decision boundary
@lru_cache(maxsize=32)
def _points_svg(key, X_train_b: bytes, y_train_b: bytes, X_test_b: bytes, y_test_b: bytes,
                bounds: tuple, size: int) -> str:
    """SVG circles for the data: train filled, test hollow. Cached: points never move."""
    x0, x1, y0, y1 = bounds
    out = []

    def px(X):
        return (X[:, 0] - x0) / (x1 - x0) * size, (y1 - X[:, 1]) / (y1 - y0) * size

    for Xb, yb, hollow in ((X_train_b, y_train_b, False), (X_test_b, y_test_b, True)):
        X = np.frombuffer(Xb, dtype=np.float64).reshape(-1, 2)
        y = np.frombuffer(yb, dtype=np.int64)
        xs, ys = px(X)
        # one group per class and split, so each circle carries only its position (~30 bytes)
        for c in np.unique(y):
            col = CLASS_COLORS[int(c) % len(CLASS_COLORS)]
            style = (f'fill="#fff" stroke="{col}" stroke-width="1.8"' if hollow
                     else f'fill="{col}" stroke="#fff" stroke-width="0.8"')
            r = 3.6 if hollow else 3.4
            dots = "".join(f'<circle cx="{a:.0f}" cy="{b:.0f}" r="{r}"/>' for a, b in zip(xs[y == c], ys[y == c]))
            out.append(f"<g {style}>{dots}</g>")
    return "".join(out)


def points_svg(X_train, y_train, X_test, y_test, bounds, size: int) -> str:
    """Circles for the data points in a ``size``-px square SVG; train filled, test hollow."""
    as64 = lambda a: np.ascontiguousarray(a, dtype=np.float64).tobytes()
    asint = lambda a: np.ascontiguousarray(a, dtype=np.int64).tobytes()
    return _points_svg(None, as64(X_train), asint(y_train), as64(X_test), asint(y_test),
                       tuple(float(b) for b in bounds), size)


def _square_svg(size: int, body: str, extra_style: str = "") -> str:
    return (f'<div style="width:100%;max-width:{size}px;aspect-ratio:1;border:1px solid #ccc;'
            f'border-radius:4px;overflow:hidden;box-sizing:border-box;{extra_style}">'
            f'<svg viewBox="0 0 {size} {size}" style="display:block;width:100%;height:100%">{body}</svg></div>')


def _segments_path(segments, k: float) -> str:
    """SVG path data of line segments (M, 4) scaled by k: whole pixels, and a segment that starts
    where the previous one ended continues it ("L") — about a third of the naive size, which
    matters for a twisted boundary (a spiral has ~500 segments) sent 20 times a second."""
    if len(segments) == 0:
        return ""
    pts = np.rint(np.asarray(segments, dtype=np.float64) * k).astype(np.int32).tolist()
    out, end = [], None
    for a, b, c, d in pts:
        if end != (a, b):
            out.append(f"M{a} {b}")
        out.append(f"L{c} {d}")
        end = (c, d)
    return "".join(out)


def boundary_html(probs: np.ndarray, segments: np.ndarray, bounds, size: int = 440) -> str:
    """The animated part of the decision-boundary picture, as inline HTML.

    probs (res, res[, K]) over the plane (row 0 = top), segments (M, 4) of the p = 0.5 line
    in field pixels. The field is a tiny WebP the browser smooths when scaling; the line is
    vector. The data points are a separate, static overlay (``points_overlay_html``) so each
    frame carries only what changed (~5 KB).
    """
    res = probs.shape[0]
    uri = webp_data_uri(probability_image(probs))
    k = size / (res - 1)
    # pixel centres of the field map to 0..size; the line is in the same coordinates
    path = _segments_path(segments, k)
    x0, x1, y0, y1 = bounds
    ax = []
    if x0 < 0 < x1:
        zx = (0 - x0) / (x1 - x0) * size
        ax.append(f'<line x1="{zx:.1f}" y1="0" x2="{zx:.1f}" y2="{size}" stroke="#00000022"/>')
    if y0 < 0 < y1:
        zy = (y1 - 0) / (y1 - y0) * size
        ax.append(f'<line x1="0" y1="{zy:.1f}" x2="{size}" y2="{zy:.1f}" stroke="#00000022"/>')
    body = (f'<image href="{uri}" x="0" y="0" width="{size}" height="{size}" preserveAspectRatio="none"/>'
            f'{"".join(ax)}<path d="{path}" stroke="#222" stroke-width="1.6" fill="none" opacity="0.85"/>')
    return f'<div class="bp-boundary">{_square_svg(size, body)}</div>'


def points_overlay_html(points: str, bounds, size: int = 440) -> str:
    """The data points (and corner coordinates) drawn over the boundary picture; static."""
    x0, x1, y0, y1 = bounds
    ticks = (f'<text x="3" y="{size - 4}" font-size="11" fill="#555">({x0:g}, {y0:g})</text>'
             f'<text x="{size - 3}" y="12" font-size="11" fill="#555" text-anchor="end">({x1:g}, {y1:g})</text>')
    return f'<div class="bp-points">{_square_svg(size, points + ticks, "border-color:transparent")}</div>'


def legend_html(class_names) -> str:
    """Class colours, train (filled) vs test (hollow), and what the background means."""
    items = []
    for i, name in enumerate(class_names):
        c = CLASS_COLORS[i % len(CLASS_COLORS)]
        items.append(f'<span style="white-space:nowrap"><span style="color:{c}">●</span> {name} train '
                     f'<span style="color:{c}">○</span> test</span>')
    return ('<div style="font-size:0.8rem;color:#555">' + " &nbsp; ".join(items) +
            " &nbsp;·&nbsp; background: the network's class probability, black line: p = 0.5</div>")


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


def matrix_picture_html(W: np.ndarray, b: np.ndarray, name: str, max_px: int = 260) -> str:
    """A weight matrix too large for a hover chart, as a picture: W (n_in, n_out) with b under
    it, blue < 0 < red on one symmetric scale, titled with the shape."""
    vmax = max(float(np.abs(W).max(initial=0)), float(np.abs(b).max(initial=0))) or 1.0
    rgb = diverging_rgb(np.vstack([W, np.full((1, W.shape[1]), np.nan), b[None, :]]), vmax)
    rgb[W.shape[0]] = 255  # a white gap row between W and b
    scale = max(1, max_px // max(W.shape))
    cap = f"{name} · {W.shape[0]}×{W.shape[1]} (bias row at the bottom; |w| ≤ {vmax:.3g})"
    return img_html(png_data_uri(rgb, scale=scale), max_px, name, cap)


def img_html(uri: str, width_px: int, alt: str = "", caption: str = "", pixelated: bool = True) -> str:
    style = f"width:100%;max-width:{width_px}px;" + ("image-rendering:pixelated;" if pixelated else "")
    cap = f'<div style="font-size:0.8rem;color:#666">{caption}</div>' if caption else ""
    return f'<div><img alt="{alt}" src="{uri}" style="{style}"/>{cap}</div>'


def first_layer_html(W1: np.ndarray, image_shape=(28, 28), max_units: int = 64, width_px: int = 420) -> str:
    """First-layer weights (784, n_1) as one 28x28 picture per hidden unit (blue -, red +).

    Each tile is scaled to its own max |w| so the pattern of every unit is visible.
    """
    n = min(W1.shape[1], max_units)
    tiles = W1[:, :n].T.reshape(n, *image_shape)
    scale = np.abs(tiles).max(axis=(1, 2), keepdims=True)
    rgb = diverging_rgb(tiles / np.where(scale > 0, scale, 1), vmax=1.0)
    ncols = int(np.ceil(np.sqrt(n)))
    grid = tile_grid(rgb, ncols, pad=2, pad_value=255)
    cap = f"W1 · {W1.shape[0]}×{W1.shape[1]}: each tile is one hidden unit's 784 incoming weights" + (
        f" (first {n} of {W1.shape[1]} units)" if n < W1.shape[1] else "")
    # lossy WebP at 1:1, upscaled by the browser: ~45 KB a frame instead of ~250 KB of PNG
    # (noisy weight tiles barely compress losslessly), which matters 10x a second on a hosted link
    return img_html(webp_data_uri(grid, quality=90), width_px, "first-layer weights", cap)


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


SERIES = ["train (batch)", "train (average)", "test"]
SERIES_COLORS = ["#9ecae9", "#1f5fa8", "#e45756"]


def _loss_spec(height: int, log: bool, smooth: bool) -> dict:
    alt = _altair()
    shown = [i for i, s in enumerate(SERIES) if smooth or s != "train (average)"]
    base = alt.Chart(alt.Data(name="d")).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("value:Q", title="loss", scale=alt.Scale(type="log" if log else "linear", zero=False)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=[SERIES[i] for i in shown], range=[SERIES_COLORS[i] for i in shown])),
        tooltip=["series:N", "step:Q", alt.Tooltip("value:Q", format=".4g")],
    )
    chart = alt.layer(
        base.mark_line(strokeWidth=1).transform_filter("datum.series == 'train (batch)'"),
        base.mark_line(strokeWidth=2).transform_filter("datum.series == 'train (average)'"),
        base.mark_line(point=True, strokeWidth=2).transform_filter("datum.series == 'test'"))
    return chart.properties(height=height, title="Loss").to_dict(validate=False)


def _acc_spec(height: int) -> dict:
    alt = _altair()
    chart = alt.Chart(alt.Data(name="d")).mark_line(strokeWidth=1.5).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("value:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["train (batch)", "test"],
                                                                range=["#4c78a8", "#e45756"]),
                        legend=alt.Legend(orient="top")),
        tooltip=["series:N", "step:Q", alt.Tooltip("value:Q", format=".1%")],
    )
    return chart.properties(height=height, title="Accuracy").to_dict(validate=False)


def _layers_spec(title: str, y_title: str, n_layers: int, height: int, band: bool) -> dict:
    alt = _altair()
    names = [f"layer {i + 1}" for i in range(n_layers)]
    line = alt.Chart(alt.Data(name="d")).mark_line(strokeWidth=1.5).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(type="log")),
        color=alt.Color("layer:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=LAYER_PALETTE[:n_layers] or ["#4c78a8"]),
                        legend=alt.Legend(orient="top")),
        tooltip=["layer:N", "step:Q", alt.Tooltip("value:Q", format=".3g")],
    )
    chart = line
    if band:
        # ~1e-3 is the classic healthy update size (cs231n); mark the 1e-4..1e-2 zone
        rule = alt.Chart(alt.Data(values=[{"lo": 1e-4, "hi": 1e-2}])).mark_rect(opacity=0.08, color="green").encode(
            y="lo:Q", y2="hi:Q")
        chart = alt.layer(rule, line)
    return chart.properties(height=height, title=title).to_dict(validate=False)


def _heatmap_spec(name: str, rows: int, cols: int, vmax: float, cell: int) -> dict:
    alt = _altair()
    # vmax is rounded by the caller so the spec cache is reused while the scale barely moves
    scale = alt.Scale(scheme="redblue", domain=[-vmax, vmax], reverse=True)
    w = alt.Chart(alt.Data(name="d")).mark_rect().encode(
        x=alt.X("j:O", title=f"to unit (n_out={cols})", axis=alt.Axis(labels=cols <= 16, ticks=False)),
        y=alt.Y("i:O", title=f"from (n_in={rows})", axis=alt.Axis(labels=rows <= 16, ticks=False)),
        color=alt.Color("w:Q", scale=scale, title=None, legend=alt.Legend(gradientLength=max(60, min(rows * cell, 160)))),
        tooltip=[alt.Tooltip("param:N"), alt.Tooltip("i:O", title="row"), alt.Tooltip("j:O", title="col"),
                 alt.Tooltip("w:Q", format=".4f", title="value")],
    ).transform_filter("datum.param != 'b'")
    b = alt.Chart(alt.Data(name="d")).mark_rect().encode(
        x=alt.X("j:O", title="bias", axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("w:Q", scale=scale, title=None),
        tooltip=[alt.Tooltip("param:N"), alt.Tooltip("j:O", title="unit"), alt.Tooltip("w:Q", format=".4f", title="value")],
    ).transform_filter("datum.param == 'b'").properties(height=cell, width=cols * cell)
    chart = alt.vconcat(w.properties(width=cols * cell, height=rows * cell), b, spacing=4)
    return chart.properties(title=f"{name} · {rows}×{cols}").to_dict(validate=False)


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


_SPEC_BUILDERS = {"incoming": _incoming_spec, "loss": _loss_spec, "acc": _acc_spec, "layers": _layers_spec, "heatmap": _heatmap_spec,
                  "confusion": _confusion_spec}


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


def thin(df: pd.DataFrame, max_rows: int = 400) -> pd.DataFrame:
    """Every k-th row so at most ~max_rows are drawn (the last row is always kept)."""
    if len(df) <= max_rows:
        return df
    k = -(-len(df) // max_rows)
    idx = np.r_[np.arange(0, len(df) - 1, k), len(df) - 1]
    return df.iloc[idx]


def loss_chart(hist: pd.DataFrame, height: int = 220, log: bool = True, smooth: bool = False):
    """hist: engine history_frame() -> spec of train loss per step + test loss per eval.
    ``smooth`` adds a moving average, for noisy mini-batch losses."""
    h = thin(hist)
    parts = [pd.DataFrame({"step": h["step"], "value": h["loss"], "series": "train (batch)"})]
    if smooth:
        avg = hist["loss"].ewm(alpha=0.05).mean().loc[h.index]
        parts.append(pd.DataFrame({"step": h["step"], "value": avg, "series": "train (average)"}))
    t = hist.dropna(subset=["test_loss"])
    parts.append(pd.DataFrame({"step": t["step"], "value": t["test_loss"], "series": "test"}).pipe(thin, 200))
    df = pd.concat(parts, ignore_index=True)
    df = df[np.isfinite(df["value"]) & (df["value"] > 0)] if log else df
    return _with_data(_spec_cached("loss", height, log, smooth), df)


def accuracy_chart(hist: pd.DataFrame, height: int = 220):
    h = thin(hist)
    t = hist.dropna(subset=["test_acc"])
    df = pd.concat([pd.DataFrame({"step": h["step"], "value": h["train_acc"], "series": "train (batch)"}),
                    pd.DataFrame({"step": t["step"], "value": t["test_acc"], "series": "test"}).pipe(thin, 200)],
                   ignore_index=True)
    return _with_data(_spec_cached("acc", height), df)


def layer_metric_chart(hist: pd.DataFrame, prefix: str, n_layers: int, title: str, y_title: str,
                       height: int = 200, band: bool = False):
    """One line per layer of columns ``{prefix}_1..L`` (log scale)."""
    h = thin(hist, 300)
    frames = [pd.DataFrame({"step": h["step"], "value": h[f"{prefix}_{l + 1}"], "layer": f"layer {l + 1}"})
              for l in range(n_layers)]
    df = pd.concat(frames, ignore_index=True)
    df = df[np.isfinite(df["value"]) & (df["value"] > 0)]
    return _with_data(_spec_cached("layers", title, y_title, n_layers, height, band), df)


def _nice_max(v: float) -> float:
    """Round |w|max up to 1, 2 or 5 x 10^k so the colour scale (and cached spec) is stable."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    e = np.floor(np.log10(v))
    for m in (1, 2, 5, 10):
        if v <= m * 10 ** e:
            return float(m * 10 ** e)
    return float(10 ** (e + 1))


def weight_heatmap(W: np.ndarray, b: np.ndarray, name: str, max_px: int = 240):
    """W (n_in, n_out) and b (n_out,) -> spec: a heatmap centred at 0 with the bias row
    under it, titled with the shape, e.g. "W2 · 8×8"."""
    rows, cols = W.shape
    cell = int(max(4, min(18, max_px // max(rows, cols))))
    vmax = _nice_max(max(float(np.abs(W).max(initial=0)), float(np.abs(b).max(initial=0))))
    i, j = np.indices(W.shape)
    df = pd.DataFrame({"param": "W", "i": i.ravel(), "j": j.ravel(), "w": W.ravel().astype(float)})
    dfb = pd.DataFrame({"param": "b", "i": 0, "j": np.arange(cols), "w": b.astype(float)})
    return _with_data(_spec_cached("heatmap", name, rows, cols, vmax, cell), pd.concat([df, dfb], ignore_index=True),
                      fit_width=False)


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
    return _square_svg(size, "".join(body))
