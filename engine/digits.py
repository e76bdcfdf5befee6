"""Turn a free-hand drawing into an MNIST-style input, the way MNIST itself was made:
crop to the ink's bounding box, scale it (keeping its aspect ratio) to fit a 20×20 box,
then place it in a 28×28 field so that its centre of mass is the field's centre.

Without this a network trained on MNIST fails on drawings that are merely off-centre or
too big: a fully connected layer has no notion of translation.
"""
from __future__ import annotations

import numpy as np

SIDE, BOX = 28, 20
INK_THRESHOLD = 0.1  # fraction of full brightness below which a pixel is background


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, col) of the brightness-weighted centre of an (H, W) image."""
    total = float(img.sum())
    if total <= 0:
        return (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    rows, cols = np.indices(img.shape)
    return float((rows * img).sum() / total), float((cols * img).sum() / total)


def preprocess_drawing(gray) -> np.ndarray | None:
    """Drawing (H, W), white ink on black (uint8 0..255 or float 0..1) -> (784,) float32 in
    [0, 1], MNIST-style; None when there is no ink."""
    from PIL import Image

    a = np.asarray(gray, dtype=np.float64)
    if a.ndim == 3:  # RGB(A): brightness
        a = a[..., :3].mean(axis=2)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"drawing: expected a 2-D grayscale image, got shape {np.shape(gray)}.")
    if a.max(initial=0) > 1.0:
        a = a / 255.0
    ink = a > INK_THRESHOLD
    if not ink.any():
        return None
    r = np.flatnonzero(ink.any(axis=1))
    c = np.flatnonzero(ink.any(axis=0))
    crop = a[r[0]:r[-1] + 1, c[0]:c[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    # LANCZOS anti-aliases like MNIST's own downsampling (its digits have grey edges)
    small = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize((nw, nh), Image.LANCZOS),
                       dtype=np.float64) / 255.0
    out = np.zeros((SIDE, SIDE))
    cy, cx = centre_of_mass(small)
    top = int(round((SIDE - 1) / 2 - cy))
    left = int(round((SIDE - 1) / 2 - cx))
    top = min(max(top, 0), SIDE - nh)  # keep the whole digit inside the field
    left = min(max(left, 0), SIDE - nw)
    out[top:top + nh, left:left + nw] = small
    return np.clip(out, 0.0, 1.0).astype(np.float32).reshape(-1)


__all__ = ["centre_of_mass", "preprocess_drawing"]
