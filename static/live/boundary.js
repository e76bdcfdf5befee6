// The decision-boundary picture: the network's class probability over the input square
// (computed here from the weights, see net.js), the boundary line, and the data points.
//
// Three stacked canvases: the field (one pixel per grid point, scaled up by the browser's
// compositor with smoothing: no per-frame resampling in JavaScript), the boundary line, and a
// static layer with the points, axes and corner coordinates (redrawn only when the data or
// the size changes).

// Sibling modules are imported with this module's own ?v= query (the app's version), so a
// redeployed app never mixes a fresh module with a browser-cached older one.
const V = new URL(import.meta.url).search;
const { boundaryFields, classProbabilities, colourField, gridPoints, logits } = await import(`./net.js${V}`);
const { contourSegments } = await import(`./contour.js${V}`);
const { remScale } = await import(`./scale.js${V}`);
const { label } = await import(`./a11y.js${V}`);

const MAX_PX = 440;

export class Boundary {
  constructor(host, maxPx = MAX_PX) {
    this.maxPx = maxPx;
    this.el = document.createElement('div');
    this.el.className = 'bp-bnd';
    this.el.innerHTML = '<div class="bp-bnd-box"><canvas class="bp-field" data-bp="boundary"></canvas>'
      + '<canvas class="bp-line"></canvas><canvas class="bp-points"></canvas><div class="bp-tip" hidden></div></div>'
      + '<div class="bp-legend"></div>';
    host.appendChild(this.el);
    this.box = this.el.querySelector('.bp-bnd-box');
    this.field = this.el.querySelector('.bp-field');  // res x res: one pixel per grid point
    this.line = this.el.querySelector('.bp-line');
    this.points = this.el.querySelector('.bp-points');
    this.tip = this.el.querySelector('.bp-tip');
    // one picture for a screen reader (its name, set with the data, says what it shows); the
    // three layers are its parts
    label(this.field, "the network's class probability over the input square");
    label(this.line, 'the decision boundary line');
    label(this.points, 'the data points');
    this.size = 0;
    this.show = { test: true, discrete: false };  // what the picture shows (ui.frames show)
    this.drawn = null;  // points drawn last: {train, test}, read by the browser tests
    this.last = null;  // what was drawn last: {res, rgba, segments}, read by the browser tests
    this.paints = 0;
    this.width = 0;
    new ResizeObserver((entries) => {
      this.width = entries[0].contentRect.width;
      if (this.data && this.resize() && this.net) this.paint(this.net);
    }).observe(this.el);
    this.points.addEventListener('mousemove', (e) => this.hover(e));
    this.points.addEventListener('mouseleave', () => { this.tip.hidden = true; });
  }

  setData(data, net) {
    let sum = 0;
    for (let i = 0; i < data.xy.length; i += 7) sum += data.xy[i];
    const key = JSON.stringify([data.bounds, data.res, data.classes, data.n_train, data.xy.length, sum, net.sizes.at(-1), data.by_hand]);
    if (key === this.dataKey) return;  // a full frame with the same data: keep the canvases as they are
    this.dataKey = key;
    this.data = data;
    this.res = data.res;
    this.grid = null;  // the grid points and their image, made at the first paint
    this.xy = data.xy;  // (N, 2) float32, train first
    this.y = data.y;    // (N,) uint8
    this.K = net.sizes[net.sizes.length - 1];
    this.describe();
    this.size = 0;  // force the static layer to redraw
  }

  // Test data / Discretize (ui/page2d.py view_switches): the points and the legend follow
  setShow(show) {
    if (!show || (show.test === this.show.test && show.discrete === this.show.discrete)) return;
    this.show = { test: !!show.test, discrete: !!show.discrete };
    if (this.data) { this.describe(); this.size = 0; }  // the points and the legend are drawn again
  }

  // the legend and the picture's name for a screen reader
  describe() {
    const data = this.data, K = this.K, test = this.show.test;
    const items = data.classes.map((name, k) => {
      const c = data.colors[k % data.colors.length];
      return `<span><b style="color:${c}">●</b> ${escape(name)} train${test ? ` <b style="color:${c}">○</b> test` : ''}</span>`;
    });
    const line = K > 2 ? 'black lines: where the predicted class changes' : 'black line: p = 0.5';
    const bg = this.show.discrete ? 'the class the network predicts' : "the network's class probability";
    this.el.querySelector('.bp-legend').innerHTML = items.join(' ')
      + `<span class="bp-legend-note">background: ${bg}; ${line}${test ? '' : '; test points not shown'}</span>`;
    const [x0, x1, y0, y1] = data.bounds, nTest = data.y.length - data.n_train;
    label(this.box, `Decision boundary over the input square x₁ from ${fmt(x0)} to ${fmt(x1)}, x₂ from ${fmt(y0)} to ${fmt(y1)}: `
      + `${data.n_train} training points (filled)${test ? ` and ${nTest} test points (hollow)` : ` (the ${nTest} test points are not shown)`} `
      + `of the classes ${data.classes.join(', ')}; background: ${bg}; ${line}. Hover with a mouse for the probability at a point.`);
  }

  // the square's size follows the element's width, read by a ResizeObserver: reading
  // clientWidth at every paint would force a layout per frame
  resize() {
    const max = Math.round(this.maxPx * remScale());  // larger in projector mode
    const S = Math.max(160, Math.min(max, Math.floor(this.width || max)));
    if (S === this.size) return false;
    this.size = S;
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.line, this.points]) {
      c.width = Math.round(S * dpr); c.height = Math.round(S * dpr);
      c.style.width = c.style.height = `${S}px`;
    }
    this.placeField();
    this.box.style.width = this.box.style.height = `${S}px`;
    this.drawPoints();
    return true;
  }

  // data coordinates -> CSS pixels of the square
  px(x, y) {
    const [x0, x1, y0, y1] = this.data.bounds, S = this.size;
    return [(x - x0) / (x1 - x0) * S, (y1 - y) / (y1 - y0) * S];
  }

  drawPoints() {
    const ctx = this.points.getContext('2d'), S = this.size, dpr = this.points.width / S;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, S, S);
    const [x0, x1, y0, y1] = this.data.bounds;
    ctx.strokeStyle = '#00000022'; ctx.lineWidth = 1;
    if (x0 < 0 && 0 < x1) { const [zx] = this.px(0, 0); ctx.beginPath(); ctx.moveTo(zx, 0); ctx.lineTo(zx, S); ctx.stroke(); }
    if (y0 < 0 && 0 < y1) { const [, zy] = this.px(0, 0); ctx.beginPath(); ctx.moveTo(0, zy); ctx.lineTo(S, zy); ctx.stroke(); }
    const n = this.y.length, nTrain = this.data.n_train, colors = this.data.colors;
    this.drawn = { train: nTrain, test: this.show.test ? n - nTrain : 0 };
    for (const test of this.show.test ? [false, true] : [false]) {  // train filled, test hollow (drawn on top)
      for (let i = test ? nTrain : 0; i < (test ? n : nTrain); i++) {
        const [px, py] = this.px(this.xy[2 * i], this.xy[2 * i + 1]);
        const c = colors[this.y[i] % colors.length];
        ctx.beginPath(); ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
        if (test) { ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = c; ctx.lineWidth = 1.6; ctx.stroke(); }
        else { ctx.fillStyle = c; ctx.fill(); ctx.strokeStyle = '#fff'; ctx.lineWidth = 0.7; ctx.stroke(); }
      }
    }
    ctx.font = '11px sans-serif'; ctx.fillStyle = '#555';
    ctx.textAlign = 'left'; ctx.fillText(`(${fmt(x0)}, ${fmt(y0)})`, 3, S - 4);
    ctx.textAlign = 'right'; ctx.fillText(`(${fmt(x1)}, ${fmt(y1)})`, S - 3, 12);
  }

  // grid point i sits at i * k: the field's pixel centres span 0..S, its outer half-pixels
  // are cut off by the box
  placeField() {
    const k = this.size / (this.res - 1);
    Object.assign(this.field.style, { left: `${-k / 2}px`, top: `${-k / 2}px`, width: `${this.res * k}px`, height: `${this.res * k}px` });
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
    if (this.overlay) { this.overlay(this, net, X, image); this.paints++; return; }  // a unit of the network graph, large (graph.js)
    const N = res * res, K = net.sizes[net.sizes.length - 1];
    const P = classProbabilities(net, logits(net, X, N), N);
    colourField(P, N, K, this.data.colors, image.data, this.show.discrete);
    this.field.getContext('2d').putImageData(image, 0, 0);
    const segments = boundaryFields(P, N, K).map((f) => contourSegments(f, res));
    const ctx = this.line.getContext('2d'), S = this.size, dpr = this.line.width / S, k = S / (res - 1);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, S, S);
    ctx.beginPath();
    for (const seg of segments) {
      let ex = NaN, ey = NaN;
      for (let i = 0; i < seg.length; i += 4) {
        if (seg[i] !== ex || seg[i + 1] !== ey) ctx.moveTo(seg[i] * k, seg[i + 1] * k);
        ctx.lineTo(seg[i + 2] * k, seg[i + 3] * k);
        ex = seg[i + 2]; ey = seg[i + 3];
      }
    }
    ctx.strokeStyle = '#222222d9'; ctx.lineWidth = 1.6; ctx.stroke();
    this.last = { res, segments };
    this.paints++;
  }

  hover(e) {
    if (!this.net || !this.data) return;
    const r = this.points.getBoundingClientRect(), [x0, x1, y0, y1] = this.data.bounds;
    const x = x0 + (e.clientX - r.left) / r.width * (x1 - x0), y = y1 - (e.clientY - r.top) / r.height * (y1 - y0);
    const net = this.net, K = net.sizes[net.sizes.length - 1];
    const P = classProbabilities(net, logits(net, new Float64Array([x, y]), 1), 1);
    const names = this.data.classes;
    let txt;
    if (K <= 2) txt = `P(${escape(names[1] || 'class 1')}) = ${P[K - 1].toFixed(3)}`;
    else {
      let best = 0;
      for (let k = 1; k < K; k++) if (P[k] > P[best]) best = k;
      txt = `predicted ${escape(names[best])} (${(100 * P[best]).toFixed(1)} %)`;
    }
    this.tip.innerHTML = `x₁ = ${x.toFixed(2)}, x₂ = ${y.toFixed(2)}<br>${txt}`;
    this.tip.hidden = false;
    const left = e.clientX - r.left, top = e.clientY - r.top;
    this.tip.style.left = `${Math.min(left + 12, r.width - 150)}px`;
    this.tip.style.top = `${top + 14 > r.height - 40 ? top - 44 : top + 14}px`;
  }
}

export function fmt(v) { return Number.isInteger(v) ? String(v) : String(+v.toPrecision(4)); }
export function escape(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}
