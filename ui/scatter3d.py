"""A rotatable 3-D scatter (drag to turn it) as an inline Streamlit component
(st.components.v2): no plotting package to pin, a few KB per frame, and the view angle lives
in the browser, so it survives the redraws of a playing animation.

Vega-Lite (Altair) has no 3-D; the points are projected orthographically on a <canvas>,
far points first, with the input plane's grid drawn as a bent mesh.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from .charts import CLASS_COLORS

_HTML = ('<div class="bp3d"><canvas width="400" height="400" role="img" tabindex="0"></canvas>'
         '<div class="hint" aria-hidden="true">Drag or use the arrow keys to rotate</div></div>')
_CSS = """
.bp3d { position: relative; width: 100%; max-width: 400px; }
.bp3d canvas { width: 100%; aspect-ratio: 1; border: 1px solid #ccc; border-radius: 4px; cursor: grab;
  touch-action: none; display: block; background: #fff; }
.bp3d canvas:focus-visible { outline: 2px solid #1c5d99; outline-offset: 2px; }
.bp3d .hint { position: absolute; top: 4px; left: 8px; font: 11px sans-serif; color: #5a5e66; }
"""
_JS = """
export default function(component) {
  const { data, parentElement } = component;
  const canvas = parentElement.querySelector('canvas');
  const ctx = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height;
  // for a screen reader: what the picture shows (the caption under it says it too)
  canvas.setAttribute('aria-label', data.name + ' Arrow keys rotate it.');
  // the camera is kept per component instance across redraws (new data, same view)
  window.__bp3dCam = window.__bp3dCam || {};
  const cam = window.__bp3dCam[data.id] = window.__bp3dCam[data.id] || { yaw: 0.7, pitch: 0.45 };
  const norm = (arr) => {
    const n = arr.length / 3, lo = [1e9, 1e9, 1e9], hi = [-1e9, -1e9, -1e9];
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], arr[3 * i + k]); hi[k] = Math.max(hi[k], arr[3 * i + k]); }
    return { lo, hi };
  };
  const all = data.pts.concat(data.grid);
  const { lo, hi } = norm(all);
  const c = [0, 1, 2].map(k => (lo[k] + hi[k]) / 2);
  // each axis scaled to the data's extent (an affine change: what a plane separates stays separated)
  const sc = [0, 1, 2].map(k => Math.max(hi[k] - lo[k], 1e-9));
  const proj = (x, y, z) => {
    x = (x - c[0]) / sc[0]; y = (y - c[1]) / sc[1]; z = (z - c[2]) / sc[2];
    const cy = Math.cos(cam.yaw), sy = Math.sin(cam.yaw), cp = Math.cos(cam.pitch), sp = Math.sin(cam.pitch);
    const x1 = cy * x + sy * y, y1 = -sy * x + cy * y;
    const y2 = cp * y1 - sp * z, z2 = sp * y1 + cp * z;
    return [W / 2 + x1 * W * 0.5, H / 2 - z2 * H * 0.5, y2];
  };
  const draw = () => {
    ctx.clearRect(0, 0, W, H);
    // axes through the centre, labelled with the unit names
    const ax = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    ctx.font = '11px sans-serif'; ctx.fillStyle = '#555'; ctx.strokeStyle = '#0003';
    ax.forEach((a, k) => {
      const p0 = proj(c[0] - a[0] * sc[0] / 2, c[1] - a[1] * sc[1] / 2, c[2] - a[2] * sc[2] / 2);
      const p1 = proj(c[0] + a[0] * sc[0] / 2, c[1] + a[1] * sc[1] / 2, c[2] + a[2] * sc[2] / 2);
      ctx.beginPath(); ctx.moveTo(p0[0], p0[1]); ctx.lineTo(p1[0], p1[1]); ctx.stroke();
      ctx.fillText(data.labels[k], p1[0] + 3, p1[1] - 3);
    });
    const r = data.gres, G = data.grid;
    if (G.length === r * r * 3) {
      ctx.strokeStyle = '#0002'; ctx.lineWidth = 0.8;
      for (let dir = 0; dir < 2; dir++) for (let i = 0; i < r; i++) {
        ctx.beginPath();
        for (let j = 0; j < r; j++) {
          const q = dir ? (j * r + i) : (i * r + j);
          const p = proj(G[3 * q], G[3 * q + 1], G[3 * q + 2]);
          j ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1]);
        }
        ctx.stroke();
      }
    }
    const items = [];
    for (let q = 0; q < G.length / 3; q++)
      items.push([proj(G[3 * q], G[3 * q + 1], G[3 * q + 2]), data.gcls[q], 2]);
    const P = data.pts;
    for (let q = 0; q < P.length / 3; q++)
      items.push([proj(P[3 * q], P[3 * q + 1], P[3 * q + 2]), data.cls[q], data.test[q] ? 1 : 0]);
    items.sort((a, b) => a[0][2] - b[0][2]);
    for (const [p, k, kind] of items) {
      const col = data.colors[k % data.colors.length];
      ctx.beginPath();
      if (kind === 2) { ctx.globalAlpha = 0.35; ctx.fillStyle = col; ctx.fillRect(p[0] - 1.3, p[1] - 1.3, 2.6, 2.6);
        ctx.globalAlpha = 1; continue; }
      ctx.arc(p[0], p[1], 3.4, 0, 2 * Math.PI);
      if (kind === 1) { ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = col; ctx.lineWidth = 1.6; ctx.stroke(); }
      else { ctx.fillStyle = col; ctx.fill(); ctx.strokeStyle = '#fff'; ctx.lineWidth = 0.7; ctx.stroke(); }
    }
  };
  let drag = null;
  const down = (e) => { drag = [e.clientX, e.clientY]; canvas.setPointerCapture(e.pointerId); };
  const move = (e) => { if (!drag) return;
    cam.yaw += (e.clientX - drag[0]) * 0.01;
    cam.pitch = Math.max(-1.5, Math.min(1.5, cam.pitch + (e.clientY - drag[1]) * 0.01));
    drag = [e.clientX, e.clientY]; draw(); };
  const up = () => { drag = null; };
  // the keyboard turns it too: left / right about the vertical axis, up / down tilt
  const key = (e) => {
    const turn = { ArrowLeft: [-0.15, 0], ArrowRight: [0.15, 0], ArrowUp: [0, -0.15], ArrowDown: [0, 0.15] }[e.key];
    if (!turn) return;
    e.preventDefault();
    cam.yaw += turn[0];
    cam.pitch = Math.max(-1.5, Math.min(1.5, cam.pitch + turn[1]));
    draw();
  };
  canvas.addEventListener('keydown', key);
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  draw();
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('keydown', key);
  };
}
"""

_component = st.components.v2.component("backprop_scatter3d", html=_HTML, css=_CSS, js=_JS)


def _flat(a: np.ndarray) -> list:
    return np.round(np.asarray(a, dtype=np.float64), 4).reshape(-1).tolist()


def scatter3d(view_id: str, points, y, is_test, grid, grid_class, res: int, labels, name: str = "") -> None:
    """points (N, 3), y (N,), is_test (N,) bool, grid (res*res, 3), grid_class (res*res,); ``name``:
    what the picture shows, in words (the canvas's accessible name)."""
    _component(data={"id": view_id, "name": name or "A rotatable 3-D scatter of hidden activations.", "pts": _flat(points), "cls": np.asarray(y).tolist(),
                     "test": np.asarray(is_test, dtype=int).tolist(), "grid": _flat(grid),
                     "gcls": np.asarray(grid_class).tolist(), "gres": int(res), "labels": list(labels),
                     "colors": CLASS_COLORS})
