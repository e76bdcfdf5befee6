// The live curves: loss, accuracy, mean |δ_l| and update ratio per layer, as uPlot charts; with
// a learning-rate schedule its rate per step, with L1 or L2 the share of dead weights per layer.
//
// The server sends only the history records added since its previous frame; they are
// appended here. Past MAX_POINTS the older half is thinned to every other point (as the
// engine's Trainer does), so a long session stays cheap to draw.

import uPlot from '../vendor/uPlot.esm.js';  // pinned, unmodified: static/vendor/README.md

const V = new URL(import.meta.url).search;
const { remScale } = await import(`./scale.js${V}`);
const { label } = await import(`./a11y.js${V}`);

export const MAX_POINTS = 4000;
const REDRAW_MS = 66;  // at most 15 chart redraws a second: curves need no more, the boundary gets the rest

export class History {
  constructor(L) { this.L = L; this.clear(); }

  clear() {
    this.step = []; this.loss = []; this.avg = []; this.acc = []; this.tloss = []; this.tacc = [];
    this.delta = Array.from({ length: this.L }, () => []);
    this.ratio = Array.from({ length: this.L }, () => []);
    this.lr = []; this.small = Array.from({ length: this.L }, () => []);  // the training options' charts
    this.version = 0;
  }

  // h: the payload's column lists; records at or before the last kept step are skipped
  append(h) {
    const last = this.step.length ? this.step[this.step.length - 1] : -Infinity;
    for (let i = 0; i < h.step.length; i++) {
      if (h.step[i] <= last) continue;
      const loss = h.loss[i], prevStep = this.step.length ? this.step[this.step.length - 1] : null;
      let avg = loss;
      if (prevStep !== null && this.avg[this.avg.length - 1] != null && loss != null) {
        // exponential moving average with weight 0.05 per step (a step gap counts as that many steps)
        const a = 1 - Math.pow(0.95, h.step[i] - prevStep), prev = this.avg[this.avg.length - 1];
        avg = prev + a * (loss - prev);
      }
      this.step.push(h.step[i]); this.loss.push(loss); this.avg.push(avg);
      this.acc.push(h.acc[i]); this.tloss.push(h.tloss[i]); this.tacc.push(h.tacc[i]);
      for (let l = 0; l < this.L; l++) { this.delta[l].push(h.delta[l][i]); this.ratio[l].push(h.ratio[l][i]); }
      this.lr.push(h.lr ? h.lr[i] : null);
      for (let l = 0; l < this.L; l++) this.small[l].push(h.small ? h.small[l][i] : null);
    }
    if (this.step.length > MAX_POINTS) this.thin();
    this.version++;
  }

  // [step, test loss, test accuracy]: set it on its record if that one arrived without it
  // (or never arrived: then as a record of its own)
  setEval(ev) {
    if (!ev) return;
    const [step, tl, ta] = ev;
    let i = this.step.length - 1;
    while (i >= 0 && this.step[i] > step) i--;
    if (i >= 0 && this.step[i] === step) {
      if (this.tloss[i] != null) return;
      this.tloss[i] = tl; this.tacc[i] = ta;
    } else {
      const at = i + 1;
      for (const [k, v] of [['step', step], ['loss', null], ['avg', at > 0 ? this.avg[at - 1] : null], ['acc', null], ['tloss', tl], ['tacc', ta], ['lr', null]]) this[k].splice(at, 0, v);
      for (let l = 0; l < this.L; l++) { this.delta[l].splice(at, 0, null); this.ratio[l].splice(at, 0, null); this.small[l].splice(at, 0, null); }
    }
    this.version++;
  }

  thin() {
    for (const k of ['step', 'loss', 'avg', 'acc', 'tloss', 'tacc', 'lr']) this[k] = thinned(this[k]);
    this.delta = this.delta.map(thinned); this.ratio = this.ratio.map(thinned); this.small = this.small.map(thinned);
  }
}

// past MAX_POINTS a series keeps its newest half and every other point of the older half (as the
// engine's Trainer thins its history)
export function thinned(a) {
  const keep = MAX_POINTS / 2, n = a.length;
  return a.slice(0, n - keep).filter((_, i) => i % 2 === 0).concat(a.slice(n - keep));
}

export const fmt = (v) => (v == null ? '–' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4)));
export const pct = (v) => (v == null ? '–' : `${(100 * v).toFixed(1)} %`);
const positive = (a) => a.map((v) => (v != null && v > 0 ? v : null));  // log axes: no zeros
export const STEP_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

// log-axis tick labels: powers of ten as 1e-4 ... 1e4 (0.01 .. 100 written out), others short
function logTicks(u, splits) {
  return splits.map((v) => {
    if (v == null) return '';
    const e = Math.round(Math.log10(v));
    if (Math.abs(v / 10 ** e - 1) < 1e-9) return e >= -2 && e <= 2 ? String(+v.toPrecision(1)) : `1e${e}`;
    return fmt(v);
  });
}

// uPlot draws its axes on the canvas in px: sized here with the page's root font (projector mode)
function axisFonts() {
  const k = remScale(), px = (v) => Math.round(v * k);
  return { font: `${px(12)}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`,
    labelFont: `bold ${px(12)}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`, k };
}

export function chartOpts({ title, yLabel, log, series, band, width, height, yRange, percent }) {
  const { font, labelFont, k } = axisFonts();
  height = Math.round(height * k);
  return {
    title, width, height,
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { live: true },
    scales: {
      x: { time: false, range: (u, min, max) => [0, Math.max(10, max == null ? 10 : max)] },
      y: log ? { distr: 3, log: 10 } : { range: yRange },
    },
    axes: [
      { label: 'step', incrs: STEP_INCRS, size: 36 * k, labelSize: 16 * k, font, labelFont, values: (u, s) => s.map((v) => String(v)) },
      { label: yLabel, size: 56 * k, labelSize: 18 * k, font, labelFont, values: percent ? (u, s) => s.map((v) => `${Math.round(100 * v)}%`) : logTicks },
    ],
    series: [{ label: 'step', value: (u, v) => (v == null ? '–' : String(v)) }, ...series],
    hooks: band ? { drawClear: [drawBand(band)] } : {},
  };
}

// a shaded horizontal zone (the healthy update-ratio range), drawn under the lines
function drawBand([lo, hi]) {
  return (u) => {
    const top = Math.max(u.valToPos(hi, 'y', true), u.bbox.top);
    const bottom = Math.min(u.valToPos(lo, 'y', true), u.bbox.top + u.bbox.height);
    if (!(bottom > top)) return;
    u.ctx.save(); u.ctx.fillStyle = 'rgba(44, 160, 44, 0.09)';
    u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top); u.ctx.restore();
  };
}

export const line = (label, stroke, width = 1.5, extra = {}) => ({ label, stroke, width, spanGaps: true, points: { show: false }, value: (u, v) => fmt(v), ...extra });

// One chart: its box in the page, the uPlot instance, and how to turn the history (or the
// Compare view's runs) into data.
export class Chart {
  constructor(host, cls, make, toData) {
    this.el = document.createElement('div');
    this.el.className = `bp-chart ${cls}`;
    this.el.dataset.bp = cls;
    host.appendChild(this.el);
    this.make = make; this.toData = toData; this.u = null; this.width = 0; this.paints = 0;
    // the width comes from a ResizeObserver (reading it per redraw would force a layout)
    this.observed = 0;
    this.ro = new ResizeObserver((entries) => {
      this.observed = Math.floor(entries[0].contentRect.width);
      if (this.u && this.observed && this.observed !== this.width) {
        this.width = Math.max(240, this.observed);
        this.u.setSize({ width: this.width, height: this.u.height });
      }
    });
    this.ro.observe(this.el);
  }

  draw(src) {
    const data = this.toData(src);
    // before the first step: say what will appear here instead of showing empty axes
    if (!this.empty) {
      this.empty = document.createElement('div');
      this.empty.className = 'bp-empty';
      this.empty.textContent = 'Press Play or Step: the curve appears here.';
      this.el.appendChild(this.empty);
    }
    this.empty.hidden = data[0].length > 0;
    if (!this.u) {
      this.width = Math.max(240, this.observed || this.el.clientWidth || 400);
      this.u = new uPlot(this.make(this.width), data, this.el);
    } else {
      this.u.setData(data);
    }
    this.describe(data);
    this.paints++;
  }

  // the chart's name for a screen reader: its title and each series' latest value
  describe(data) {
    const u = this.u, xs = data[0], title = u.root.querySelector('.u-title');
    const latest = u.series.slice(1).map((s, k) => {
      const ys = data[k + 1];
      let i = ys.length - 1;
      while (i >= 0 && ys[i] == null) i--;
      return i < 0 ? null : `${s.label} ${s.value(u, ys[i], k + 1, i)}${xs[i] !== xs[xs.length - 1] ? ` (at step ${xs[i]})` : ''}`;
    }).filter(Boolean);
    label(u.ctx.canvas, `${title ? title.textContent : 'chart'}: `
      + (xs.length ? `latest at step ${xs[xs.length - 1]}: ${latest.join(', ')}` : 'no steps yet'));
  }

  destroy() { this.ro.disconnect(); if (this.u) this.u.destroy(); this.u = null; this.el.remove(); }
}

// R² of a regression network (the history's score columns): 1 is a perfect fit, 0 no better
// than predicting the mean; an untrained net is often far below 0, so the axis shows -1 .. 1:
// lower values are drawn on the bottom edge, while the legend and the chart's description read
// the real number (kept beside the clamped copy uPlot draws)
function r2Chart(host) {
  let raw = [[], []];
  const r2 = (si, i) => { const v = i == null ? null : raw[si - 1][i]; return v == null ? '–' : v.toFixed(3); };
  return new Chart(host, 'acc', (w) => chartOpts({ title: 'R² (1 = perfect fit)', yLabel: 'R²', width: w, height: 170,
    yRange: [-1, 1.0001],
    series: [line('train (batch)', '#4c78a8', 1.5, { value: (u, v, si, i) => r2(si, i) }),
      line('test', '#e45756', 2, { value: (u, v, si, i) => r2(si, i), points: { size: 4 } })] }),
  (h) => { raw = [h.acc.slice(), h.tacc.slice()]; return [h.step.slice(), raw[0].map(clampR2), raw[1].map(clampR2)]; });
}
const clampR2 = (v) => (v == null ? null : Math.max(v, -1));

export class Curves {
  // kind "curves": loss + accuracy; "layers": mean |δ_l| + update ratio
  constructor(host, kind, net, smooth) {
    this.el = document.createElement('div');
    this.el.className = `bp-curves bp-${kind}`;
    host.appendChild(this.el);
    const L = net.sizes.length - 1, colors = net.layer_colors;
    const layers = (label) => Array.from({ length: L }, (_, l) => line(`layer ${l + 1}`, colors[l % colors.length]));
    this.charts = [];
    // uPlot keeps the arrays it is given: each chart gets copies, so what it holds is what it drew
    // (the History keeps appending to its own arrays between the throttled redraws)
    if (kind === 'curves') {
      // mini-batch losses are noisy: then a moving average is drawn over them
      const lossSeries = [line('train (batch)', smooth ? '#9ecae9' : '#1f5fa8', smooth ? 1 : 1.5),
        ...(smooth ? [line('train (moving avg)', '#1f5fa8', 2)] : []),
        line('test', '#e45756', 2, { points: { size: 4 } })];
      this.charts.push(new Chart(this.el, 'loss', (w) => chartOpts({ title: 'Loss (log scale)', yLabel: 'loss', log: true,
        series: lossSeries, width: w, height: 210 }),
      (h) => [h.step.slice(), positive(h.loss), ...(smooth ? [positive(h.avg)] : []), positive(h.tloss)]));
      if (net.problem === 'regression') this.charts.push(r2Chart(this.el));  // a regression net has no accuracy
      else this.charts.push(new Chart(this.el, 'acc', (w) => chartOpts({ title: 'Accuracy', yLabel: 'accuracy', percent: true,
        yRange: [0, 1.0001], width: w, height: 170,
        series: [line('train (batch)', '#4c78a8', 1.5, { value: (u, v) => pct(v) }),
          line('test', '#e45756', 2, { value: (u, v) => pct(v), points: { size: 4 } })] }),
      (h) => [h.step.slice(), h.acc.slice(), h.tacc.slice()]));
    } else {
      this.charts.push(new Chart(this.el, 'delta', (w) => chartOpts({ title: 'Mean |δ_l| per layer (log)', yLabel: 'mean |δ|',
        log: true, series: layers(), width: w, height: 210 }),
      (h) => [h.step.slice(), ...h.delta.map(positive)]));
      this.charts.push(new Chart(this.el, 'ratio', (w) => chartOpts({ title: 'Update ratio ‖ΔW_l‖ / ‖W_l‖ per layer (log)',
        yLabel: 'ratio', log: true, band: [1e-4, 1e-2], series: layers(), width: w, height: 210 }),
      (h) => [h.step.slice(), ...h.ratio.map(positive)]));
      const charts = net.charts || [];
      if (charts.includes('lr')) {
        this.charts.push(new Chart(this.el, 'lr', (w) => chartOpts({ title: 'Learning rate η per step (the schedule, log)',
          yLabel: 'η', log: true, series: [line('η', '#333333', 2)], width: w, height: 170 }),
        (h) => [h.step.slice(), positive(h.lr)]));
      }
      if (charts.includes('small')) {
        this.charts.push(new Chart(this.el, 'small', (w) => chartOpts({ title: 'Dead weights: share of W_l with |w| < 10⁻³',
          yLabel: 'share', percent: true, yRange: [0, 1.0001], series: layers().map((s) => ({ ...s, value: (u, v) => pct(v) })),
          width: w, height: 170 }),
        (h) => [h.step.slice(), ...h.small.map((a) => a.slice())]));
      }
    }
    this.drawnHist = null; this.drawn = -1; this.latest = null; this.lastDraw = 0; this.timer = null;
  }

  // redraw at most every REDRAW_MS; the latest data is always drawn in the end. What was drawn
  // is the pair (History object, its version): every full frame (Step, Step epoch, Reset, a
  // lesson, an upload) brings a NEW History whose version restarts, so a version alone would
  // match the old one's and the charts would keep showing the run before the click.
  update(hist) {
    this.latest = hist;
    if (hist === this.drawnHist && hist.version === this.drawn) return;
    const now = performance.now(), wait = REDRAW_MS - (now - this.lastDraw);
    if (wait > 0) {
      // the timer draws whatever history is newest when it fires, not the one of this call
      if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.update(this.latest); }, wait);
      return;
    }
    this.lastDraw = now; this.drawnHist = hist; this.drawn = hist.version;
    for (const c of this.charts) c.draw(hist);
  }

  get paints() { return this.charts.reduce((s, c) => s + c.paints, 0); }

  destroy() { clearTimeout(this.timer); for (const c of this.charts) c.destroy(); this.el.remove(); }
}
