"""A drawing canvas for "draw a digit", as an inline Streamlit component (st.components.v2):
no third-party package to pin, and it works offline. White ink on black, like MNIST.

The browser sends the drawing as a PNG data URL when a stroke ends; ``decode`` turns it into
a grayscale array for engine.digits.preprocess_drawing.
"""
from __future__ import annotations

import base64
import io

import numpy as np
import streamlit as st

SIZE = 280

_HTML = f"""
<div class="bp-canvas">
  <canvas width="{SIZE}" height="{SIZE}" role="img"
    aria-label="Drawing area: draw one digit with the mouse or a finger, white on black"></canvas>
  <div class="row"><button type="button" class="clear">Clear</button>
  <span class="hint">Draw one digit, large, with the mouse or a finger.</span></div>
</div>
"""

_CSS = """
.bp-canvas canvas { width: 100%; max-width: 280px; aspect-ratio: 1; background: #000;
  border-radius: 6px; touch-action: none; cursor: crosshair; display: block; }
.bp-canvas .row { display: flex; gap: 10px; align-items: center; margin-top: 6px; }
.bp-canvas button { font: inherit; padding: 4px 14px; border-radius: 6px; border: 1px solid #bbb;
  background: #fff; cursor: pointer; min-height: 24px; }
.bp-canvas .hint { font-size: 0.8rem; color: #5a5e66; }
"""

_JS = f"""
export default function(component) {{
  const {{ setStateValue, parentElement }} = component;
  const canvas = parentElement.querySelector('canvas');
  const clear = parentElement.querySelector('button.clear');
  const ctx = canvas.getContext('2d');
  const wipe = () => {{ ctx.fillStyle = '#000'; ctx.fillRect(0, 0, {SIZE}, {SIZE}); }};
  if (!canvas.dataset.ready) {{ wipe(); canvas.dataset.ready = '1'; }}
  ctx.strokeStyle = '#fff'; ctx.fillStyle = '#fff';
  ctx.lineWidth = 20; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  let drawing = false, last = null;
  const pos = (e) => {{ const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * {SIZE} / r.width, (e.clientY - r.top) * {SIZE} / r.height]; }};
  const down = (e) => {{ drawing = true; last = pos(e); canvas.setPointerCapture(e.pointerId);
    ctx.beginPath(); ctx.arc(last[0], last[1], 10, 0, 2 * Math.PI); ctx.fill(); }};
  const move = (e) => {{ if (!drawing) return; const p = pos(e);
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke(); last = p; }};
  const up = () => {{ if (!drawing) return; drawing = false;
    setStateValue('image', canvas.toDataURL('image/png')); }};
  const reset = () => {{ wipe(); setStateValue('image', null); }};
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  clear.addEventListener('click', reset);
  return () => {{
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
    clear.removeEventListener('click', reset);
  }};
}}
"""

_component = st.components.v2.component("backprop_draw_canvas", html=_HTML, css=_CSS, js=_JS)


def draw_canvas(key: str) -> str | None:
    """Show the canvas; returns the latest drawing as a PNG data URL (None before any ink)."""
    result = _component(key=key, on_image_change=lambda: None, default={"image": None})
    return getattr(result, "image", None)


def decode(data_url: str) -> np.ndarray:
    """'data:image/png;base64,...' -> grayscale (H, W) uint8 (white ink on black).
    ValueError with a sentence if it is not a readable image."""
    from PIL import Image, UnidentifiedImageError

    try:
        header, b64 = data_url.split(",", 1)
        if not header.startswith("data:image/"):
            raise ValueError
        img = Image.open(io.BytesIO(base64.b64decode(b64)))
    except (ValueError, UnidentifiedImageError, base64.binascii.Error):
        raise ValueError("The drawing could not be read as an image; press Clear and draw again.") from None
    if img.mode in ("RGBA", "LA"):
        # transparent background counts as black: composite the ink over black
        bg = Image.new("RGBA", img.size, (0, 0, 0, 255))
        img = Image.alpha_composite(bg, img.convert("RGBA"))
    return np.asarray(img.convert("L"))
