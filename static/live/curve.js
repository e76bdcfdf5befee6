// The curve-fitting picture (1-D regression): the samples, the network's prediction ŷ(x), and
// what each unit of the last hidden layer adds to it.
//
// For x on a fine grid the browser runs the engine's eval forward (net.js) and splits the
// output pre-activation into its terms (engine.views.unit_contributions):
//     z_L(x) = sum_k w_k a_k(x) + b,   w_k = W_L[k, 0], a_k = the last hidden layer's unit k
// One thin line per unit (w_k a_k(x)), the bias b dashed, ŷ = g(z_L) thick. With ReLU units
// each thin line is a hinge: the fit is a sum of hinges. tests/test_browser_regression.py
// compares these numbers with the engine's.

const V = new URL(import.meta.url).search;
const { activate, batchNormEval, linspace, logits } = await import(`./net.js${V}`);
const { outputValues } = await import(`./regression.js${V}`);
const { escape, fmt } = await import(`./boundary.js${V}`);
const { remScale } = await import(`./scale.js${V}`);
const { label, num } = await import(`./a11y.js${V}`);

const M = 241;           // grid points along x
const MAX_W = 620;       // CSS px (times the projector scale); live.css caps the element's width too
const ASPECT = 0.62;     // height / width (live.css .bp-curvefit uses the same number)
const SETTLE_MS = 150;   // a new element width counts once it has lasted this long
const UNIT_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d',
  '#bab0ac', '#eeca3b'];

// a_{L-1} (N, H) of the last hidden layer (eval mode), or the inputs for a net without one
export function lastHidden(net, X, N) {
  const L = net.sizes.length - 1;
  if (L === 1) return { a: X, H: net.sizes[0] };
  const H = net.sizes[L - 1];
  // the network up to the last hidden layer's dense step: logits() leaves that step's z as is
  const sub = { ...net, sizes: net.sizes.slice(0, L), W: net.W.slice(0, L - 1), b: net.b.slice(0, L - 1) };
  const a = logits(sub, X, N);
  const bn = net.bnParams ? net.bnParams[L - 2] : null;
  if (bn) batchNormEval(a, N, H, bn, net.bn_eps);
  activate(a, net.acts[L - 2]);
  return { a, H };
}

// -> {xs, parts: H arrays of w_k a_k(x), bias, z: their sum + bias, yhat: the full forward's output}
export function contributions(net, xs) {
  const N = xs.length, L = net.sizes.length - 1, X = Float64Array.from(xs);
  const { a, H } = lastHidden(net, X, N);
  const W = net.W[L - 1], bias = net.b[L - 1][0], K = net.sizes[L];
  const parts = [], z = new Float64Array(N).fill(bias);
  for (let k = 0; k < H; k++) {
    const p = new Float64Array(N), w = W[k * K];
    for (let i = 0; i < N; i++) { p[i] = w * a[i * H + k]; z[i] += p[i]; }
    parts.push(p);
  }
  const yhat = outputValues(logits(net, X, N), net.out);  // the network's own forward, every layer
  return { xs: X, parts, bias, z, yhat };
}

export class CurveFit {
  constructor(host) {
    this.el = document.createElement('div');
    this.el.className = 'bp-curvefit';
    this.el.innerHTML = '<div class="bp-cf-box"><canvas class="bp-cf-canvas" data-bp="curve"></canvas>'
      + '<div class="bp-tip" hidden></div></div><div class="bp-legend"></div>';
    host.appendChild(this.el);
    this.canvas = this.el.querySelector('canvas');
    this.tip = this.el.querySelector('.bp-tip');
    this.paints = 0; this.width = 0; this.last = null;
    // the width follows the element's, once it has held for SETTLE_MS: a Streamlit re-run (Pause,
    // any click) can collapse the page's two columns for a frame or two, and a picture redrawn at
    // that width and back would flash (measured: 471 -> 620 -> 471 px within 50 ms of a Pause)
    new ResizeObserver((entries) => {
      const w = entries[0].contentRect.width;
      clearTimeout(this.settle);
      const apply = () => { this.width = w; if (this.data && this.net) this.paint(this.net); };
      if (!this.width) apply();  // the first width at once (a frame may have painted before it, at the maximum)
      else this.settle = setTimeout(apply, SETTLE_MS);
    }).observe(this.el);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
  }

  setData(data, net) {
    this.data = data;
    this.xs = linspace(data.bounds[0], data.bounds[1], M);
    const L = net.sizes.length - 1;
    const units = L === 1 ? 'the input (no hidden layer: ŷ is a straight line w·x + b)'
      : `the ${net.sizes[L - 1]} unit${net.sizes[L - 1] > 1 ? 's' : ''} of hidden layer ${L - 1} (${escape(net.acts[L - 2])})`;
    const out = net.out === 'linear' ? 'they add up to ŷ' : `they add up to z_L, and ŷ = ${escape(net.out)}(z_L)`;
    this.el.querySelector('.bp-legend').innerHTML = '<span><b class="bp-cf-key bp-cf-fit"></b> the network\'s ŷ(x)</span>'
      + '<span><b class="bp-cf-key bp-cf-unit"></b> one per unit: w<sub>k</sub>·a<sub>k</sub>(x)</span>'
      + '<span><b class="bp-cf-key bp-cf-bias"></b> output bias b</span>'
      + '<span>● train ○ test</span>'
      + `<span class="bp-legend-note">thin lines: what each of ${units} adds; with the bias ${out}. Samples: ${escape(data.target)}.</span>`;
    this.units = units;
  }

  // data coordinates -> CSS px inside the plot
  frame() {
    const k = remScale(), W = Math.max(260, Math.min(Math.round(MAX_W * k), Math.floor(this.width || MAX_W * k)));
    const H = Math.round(W * ASPECT), pad = { l: 40 * k, r: 10 * k, t: 10 * k, b: 26 * k };
    return { W, H, k, pad };
  }

  paint(net) {
    this.net = net;
    if (!this.data) return;
    const { W, H, k, pad } = this.frame(), dpr = window.devicePixelRatio || 1, c = this.canvas;
    if (c.width !== Math.round(W * dpr) || c.height !== Math.round(H * dpr)) {
      c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
      c.style.width = `${W}px`; c.style.height = `${H}px`;
    }
    const [x0, x1, y0, y1] = this.data.bounds;
    const X = (x) => pad.l + (x - x0) / (x1 - x0) * (W - pad.l - pad.r);
    const Y = (y) => pad.t + (y1 - y) / (y1 - y0) * (H - pad.t - pad.b);
    this.map = { X, x0, x1, pad, W };
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = `${Math.round(11 * k)}px sans-serif`; ctx.fillStyle = '#555'; ctx.strokeStyle = '#0000001f'; ctx.lineWidth = 1;
    for (const x of ticks(x0, x1)) {
      ctx.beginPath(); ctx.moveTo(X(x), pad.t); ctx.lineTo(X(x), H - pad.b); ctx.stroke();
      ctx.textAlign = 'center'; ctx.fillText(fmt(x), X(x), H - pad.b + 14 * k);
    }
    for (const y of ticks(y0, y1)) {
      ctx.beginPath(); ctx.moveTo(pad.l, Y(y)); ctx.lineTo(W - pad.r, Y(y)); ctx.stroke();
      ctx.textAlign = 'right'; ctx.fillText(fmt(y), pad.l - 5, Y(y) + 4);
    }
    ctx.textAlign = 'right'; ctx.fillText('x', W - pad.r, H - 4);
    ctx.save();
    ctx.beginPath(); ctx.rect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b); ctx.clip();
    const r = contributions(net, this.xs);
    const path = (ys, color, width, dash = []) => {
      ctx.beginPath();
      for (let i = 0; i < M; i++) { const px = X(this.xs[i]), py = Y(ys[i]); i ? ctx.lineTo(px, py) : ctx.moveTo(px, py); }
      ctx.setLineDash(dash); ctx.strokeStyle = color; ctx.lineWidth = width; ctx.stroke();
    };
    r.parts.forEach((p, j) => path(p, UNIT_COLORS[j % UNIT_COLORS.length] + 'cc', 1.2 * k));
    path(new Float64Array(M).fill(r.bias), '#666', 1.2 * k, [5 * k, 4 * k]);
    if (net.out !== 'linear') path(r.z, '#333', 1 * k, [2 * k, 3 * k]);  // z_L before the output activation
    const x = this.data.x, t = this.data.t, nTrain = this.data.n_train;
    for (let i = 0; i < t.length; i++) {
      ctx.beginPath(); ctx.arc(X(x[i]), Y(t[i]), 3 * k, 0, 2 * Math.PI);
      if (i < nTrain) { ctx.fillStyle = '#333'; ctx.fill(); } else { ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = '#333'; ctx.lineWidth = 1.4; ctx.stroke(); }
    }
    ctx.setLineDash([]);
    path(r.yhat, '#d62728', 3 * k);
    ctx.restore();
    this.last = { xs: Array.from(r.xs), yhat: Array.from(r.yhat), z: Array.from(r.z), bias: r.bias,
      parts: r.parts.map((p) => Array.from(p)) };
    this.result = r;
    // for a screen reader: what the picture shows, with the fit's values at five x
    const at = [0, 60, 120, 180, 240].map((i) => `ŷ(${num(r.xs[i])}) = ${num(r.yhat[i])}`).join(', ');
    label(this.canvas, `Curve fit over x from ${fmt(x0)} to ${fmt(x1)}: ${this.data.n_train} training samples (filled) and `
      + `${t.length - nTrain} test samples (hollow) of ${this.data.target}; the network's prediction, thick: ${at}; `
      + `thin lines: what each of ${this.units} adds, dashed: the output bias ${num(r.bias)}. Hover for the values at a point.`);
    this.paints++;
  }

  hover(e) {
    if (!this.result || !this.map) return;
    const rect = this.canvas.getBoundingClientRect(), { X, x0, x1, pad, W } = this.map;
    const x = x0 + (e.clientX - rect.left - pad.l) / (W - pad.l - pad.r) * (x1 - x0);
    const i = Math.max(0, Math.min(M - 1, Math.round((x - x0) / (x1 - x0) * (M - 1)))), r = this.result;
    const top = r.parts.map((p, k) => [k, p[i]]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, 3)
      .filter(([, v]) => v !== 0).map(([k, v]) => `unit ${k + 1}: ${v >= 0 ? '+' : ''}${v.toFixed(3)}`);
    this.tip.innerHTML = `x = ${r.xs[i].toFixed(2)}: ŷ = ${r.yhat[i].toFixed(3)}<br>bias ${r.bias.toFixed(3)}`
      + (top.length ? `; largest terms ${top.join(', ')}` : '; every unit adds 0 here');
    this.tip.hidden = false;
    const left = X(r.xs[i]);
    this.tip.style.left = `${Math.min(left + 12, rect.width - 260)}px`;
    this.tip.style.top = `${Math.max(4, e.clientY - rect.top - 40)}px`;
  }
}

// round tick positions covering [lo, hi]
function ticks(lo, hi) {
  const span = hi - lo, step0 = span / 6, mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : +v.toPrecision(6));
  return out;
}
