// The regression picture of a 2-D page: the network's predicted value ŷ over the input square
// as a colour field (orange < 0 < blue, the scale of the targets), and the data points
// coloured by their target y. A Boundary (boundary.js) with another field, points and legend:
// the canvases, sizing and hover machinery are the same.
//
// The value is the engine's eval-mode forward (net.js logits, then the output activation),
// i.e. engine.views.boundary_grid of a regression network; tests/test_browser_regression.py
// checks the browser's grid values against it.

const V = new URL(import.meta.url).search;
const { Boundary, escape, fmt } = await import(`./boundary.js${V}`);
const { gridPoints, logits, sigmoid } = await import(`./net.js${V}`);
const { label } = await import(`./a11y.js${V}`);

function hexRGB(h) { return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)); }

// z_L -> ŷ = g(z_L), the loss's output activation (engine.losses MeanSquaredError.output)
export function outputValues(z, kind) {
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    out[i] = kind === 'tanh' ? Math.tanh(v) : kind === 'sigmoid' ? sigmoid(v) : v;
  }
  return out;
}

// value -> [r, g, b]: colors[1] at 0, towards colors[0] for -vmax and colors[2] for +vmax
// (clamped beyond), mixed with white by `light` (0: full colour); NaN -> the middle colour
export function valueRGB(v, vmax, colors, light = 0) {
  const [neg, mid, pos] = colors.map(hexRGB);
  let t = v / vmax;
  if (!(t === t)) t = 0;
  t = Math.max(-1, Math.min(1, t));
  const end = t < 0 ? neg : pos, a = Math.abs(t);
  return [0, 1, 2].map((k) => {
    const c = mid[k] + (end[k] - mid[k]) * a;
    return Math.round(c + (255 - c) * light);
  });
}

const css = ([r, g, b]) => `rgb(${r},${g},${b})`;
const FIELD_LIGHT = 0.35;  // the background lighter than the points: both stay readable

export class ValueField extends Boundary {
  setData(data, net) {
    let sum = 0;
    for (let i = 0; i < data.t.length; i += 7) sum += data.t[i] + data.xy[2 * i];
    const key = JSON.stringify([data.bounds, data.res, data.vmax, data.n_train, data.t.length, sum]);
    if (key === this.dataKey) return;
    this.dataKey = key;
    this.data = data;
    this.res = data.res;
    this.grid = null;
    this.xy = data.xy;  // (N, 2) float32, train first
    this.t = data.t;    // (N,) float32 targets
    const v = data.vmax, c = data.value_colors;
    const stops = [-1, -0.5, 0, 0.5, 1].map((s) => css(valueRGB(s * v, v, c))).join(', ');
    this.el.querySelector('.bp-legend').innerHTML = `<span class="bp-vbar"><b>${fmt(-v)}</b>`
      + `<i style="background:linear-gradient(90deg, ${stops})"></i><b>+${fmt(v)}</b></span>`
      + '<span>● train &nbsp;◉ test (dark ring)</span>'
      + `<span class="bp-legend-note">background: the network's prediction ŷ(x₁, x₂); points: their target y (${escape(data.target)})</span>`;
    const [x0, x1, y0, y1] = data.bounds, nTest = data.t.length - data.n_train;
    label(this.field, "the network's predicted value over the input square");
    label(this.line, 'empty: a regression has no decision boundary');
    label(this.points, 'the data points, coloured by their targets');
    label(this.box, `Regression over the input square x₁ from ${fmt(x0)} to ${fmt(x1)}, x₂ from ${fmt(y0)} to ${fmt(y1)}: `
      + `${data.n_train} training points and ${nTest} test points (dark ring), coloured by their target, ${data.target}, `
      + `from orange (${fmt(-v)}) through white (0) to blue (${fmt(v)}); background: the network's prediction in the same `
      + 'colours. Hover with a mouse for the prediction at a point.');
    this.size = 0;
  }

  drawPoints() {
    const ctx = this.points.getContext('2d'), S = this.size, dpr = this.points.width / S;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, S, S);
    const [x0, x1, y0, y1] = this.data.bounds, v = this.data.vmax, c = this.data.value_colors;
    ctx.strokeStyle = '#00000022'; ctx.lineWidth = 1;
    if (x0 < 0 && 0 < x1) { const [zx] = this.px(0, 0); ctx.beginPath(); ctx.moveTo(zx, 0); ctx.lineTo(zx, S); ctx.stroke(); }
    if (y0 < 0 && 0 < y1) { const [, zy] = this.px(0, 0); ctx.beginPath(); ctx.moveTo(0, zy); ctx.lineTo(S, zy); ctx.stroke(); }
    const n = this.t.length, nTrain = this.data.n_train;
    for (const test of [false, true]) {  // test points on top, with a dark ring
      for (let i = test ? nTrain : 0; i < (test ? n : nTrain); i++) {
        const [px, py] = this.px(this.xy[2 * i], this.xy[2 * i + 1]);
        ctx.beginPath(); ctx.arc(px, py, test ? 3.4 : 3.2, 0, 2 * Math.PI);
        ctx.fillStyle = css(valueRGB(this.t[i], v, c)); ctx.fill();
        ctx.strokeStyle = test ? '#111' : '#444'; ctx.lineWidth = test ? 1.6 : 0.6; ctx.stroke();
      }
    }
    ctx.font = '11px sans-serif'; ctx.fillStyle = '#555';
    ctx.textAlign = 'left'; ctx.fillText(`(${fmt(x0)}, ${fmt(y0)})`, 3, S - 4);
    ctx.textAlign = 'right'; ctx.fillText(`(${fmt(x1)}, ${fmt(y1)})`, S - 3, 12);
  }

  paint(net) {
    this.net = net;
    this.resize();
    const res = this.res;
    if (!this.grid) this.grid = { X: gridPoints(this.data.bounds, res), image: new ImageData(res, res) };
    const { X, image } = this.grid;
    if (this.field.width !== res) {
      this.field.width = this.field.height = res;
      this.placeField();
    }
    const N = res * res, K = net.sizes[net.sizes.length - 1];
    const z = logits(net, X, N);
    const values = outputValues(z, net.out);  // (N, K); the colour shows output 0
    const px = image.data, v = this.data.vmax, c = this.data.value_colors;
    for (let i = 0; i < N; i++) {
      const [r, g, b] = valueRGB(values[i * K], v, c, FIELD_LIGHT);
      px[4 * i] = r; px[4 * i + 1] = g; px[4 * i + 2] = b; px[4 * i + 3] = 255;
    }
    this.field.getContext('2d').putImageData(image, 0, 0);
    const ctx = this.line.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.line.width, this.line.height);  // no decision line in regression
    this.last = { res, values, segments: [] };
    this.paints++;
  }

  hover(e) {
    if (!this.net || !this.data) return;
    const r = this.points.getBoundingClientRect(), [x0, x1, y0, y1] = this.data.bounds;
    const x = x0 + (e.clientX - r.left) / r.width * (x1 - x0), y = y1 - (e.clientY - r.top) / r.height * (y1 - y0);
    const yhat = outputValues(logits(this.net, new Float64Array([x, y]), 1), this.net.out)[0];
    this.tip.innerHTML = `x₁ = ${x.toFixed(2)}, x₂ = ${y.toFixed(2)}<br>prediction ŷ = ${yhat.toFixed(3)}`;
    this.tip.hidden = false;
    const left = e.clientX - r.left, top = e.clientY - r.top;
    this.tip.style.left = `${Math.min(left + 12, r.width - 150)}px`;
    this.tip.style.top = `${top + 14 > r.height - 40 ? top - 44 : top + 14}px`;
  }
}
