// The page's root font size over Streamlit's default 16 px: 1 normally, 1.25 in projector
// mode (ui/projector.py). Canvas sizes and chart fonts are multiplied by it, so the pictures
// grow with the text. Read when a view lays itself out, never per frame.
export const remScale = () => (parseFloat(getComputedStyle(document.documentElement).fontSize) || 16) / 16;

// Calls back when the root font size changes (projector mode switched): a hidden 10rem-wide
// probe is watched by a ResizeObserver, so the order in which Streamlit applies the new style
// and delivers the next frame does not matter.
const listeners = new Set();
let probe = null, last = null;
export function onRemChange(cb) {
  listeners.add(cb);
  if (probe) return;
  probe = document.createElement('div');
  probe.style.cssText = 'position:absolute;left:-9999px;top:0;width:10rem;height:1px;visibility:hidden;pointer-events:none';
  document.body.appendChild(probe);
  last = remScale();
  new ResizeObserver(() => {
    const s = remScale();
    if (s !== last) { last = s; listeners.forEach((f) => f(s)); }
  }).observe(probe);
}
