// The Compare view: one small decision boundary per run and the runs' loss and test-accuracy
// curves overlaid (the server half: ui/compare.py CompareMaker). Each run's boundary is drawn
// from its weights by the same code as the single view (boundary.js, net.js).

import uPlot from '../vendor/uPlot.esm.js';

const V = new URL(import.meta.url).search;
const { Boundary, escape } = await import(`./boundary.js${V}`);
const { axisFonts, STEP_INCRS } = await import(`./curves.js${V}`);
const { onRemChange } = await import(`./scale.js${V}`);

const fmt = (v) => (v == null ? '–' : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : String(+v.toPrecision(4)));
const pct = (v) => (v == null ? '–' : `${(100 * v).toFixed(1)} %`);
const MAX_POINTS = 4000;

class Run {
  constructor() { this.step = []; this.loss = []; this.tacc = []; }
  append(h) {
    const last = this.step.length ? this.step[this.step.length - 1] : -Infinity;
    for (let i = 0; i < h.step.length; i++) {
      if (h.step[i] <= last) continue;
      this.step.push(h.step[i]); this.loss.push(h.loss[i]); this.tacc.push(h.tacc[i]);
    }
    if (this.step.length > MAX_POINTS) {  // older half thinned, as the engine's history
      const keep = MAX_POINTS / 2, n = this.step.length;
      const cut = (a) => a.slice(0, n - keep).filter((_, i) => i % 2 === 0).concat(a.slice(n - keep));
      this.step = cut(this.step); this.loss = cut(this.loss); this.tacc = cut(this.tacc);
    }
  }
}

// the runs' series on one x axis (the union of their steps; lockstep runs share them)
function aligned(runs, key) {
  const xs = [...new Set(runs.flatMap((r) => r.step))].sort((a, b) => a - b);
  const cols = runs.map((r) => {
    const at = new Map(r.step.map((s, i) => [s, r[key][i]]));
    return xs.map((x) => { const v = at.get(x); return v == null || (key === 'loss' && v <= 0) ? null : v; });
  });
  return [xs, ...cols];
}

function chart(el, title, yLabel, runs, log, width) {
  const { font, labelFont, k } = axisFonts();
  const u = new uPlot({
    title, width, height: Math.round(220 * k), legend: { live: true }, cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: (u, a, b) => [0, Math.max(10, b == null ? 10 : b)] },
      y: log ? { distr: 3, log: 10 } : { range: [0, 1.0001] } },
    axes: [{ label: 'step', incrs: STEP_INCRS, size: 36 * k, font, labelFont, values: (u, s) => s.map(String) },
      { label: yLabel, size: 56 * k, font, labelFont, values: log ? (u, s) => s.map((v) => (v == null ? '' : fmt(v)))
        : (u, s) => s.map((v) => `${Math.round(100 * v)}%`) }],
    series: [{ label: 'step' }, ...runs.map((r) => ({ label: r.label, stroke: r.color, width: 2, spanGaps: true,
      points: { show: false }, value: (u, v) => (log ? fmt(v) : pct(v)) }))],
  }, [[]].concat(runs.map(() => [])), el);
  // the width follows the chart's box (read by a ResizeObserver, never per redraw)
  const ro = new ResizeObserver((entries) => {
    const w = Math.max(240, Math.floor(entries[0].contentRect.width));
    if (w !== u.width) u.setSize({ width: w, height: u.height });
  });
  ro.observe(el);
  const destroy = u.destroy.bind(u);
  u.destroy = () => { ro.disconnect(); destroy(); };
  return u;
}

export class CompareView {
  constructor(name) {
    this.name = name; this.frames = 0; this.id = null;
    this.root = document.createElement('div');
    this.root.className = 'bp-live bp-compare';
    this.paintsBoundary = 0; this.paintsCharts = 0; this.lastDraw = 0;
    onRemChange(() => { if (this.runs) { this.build(); this.dirty = true; this.lastDraw = 0; this.paint(); } });  // projector mode
  }

  get paints() { return { boundary: this.paintsBoundary, curves: this.paintsCharts }; }

  receive(meta, arrays, parent) {
    this.frames++;
    if (this.root.parentNode !== parent) parent.appendChild(this.root);
    if (meta.full || meta.id !== this.id) this.start(meta, arrays);
    meta.runs.forEach((r, i) => {
      if (!meta.full) this.runs[i].append(r.hist);
      this.runs[i].status = r.status; this.runs[i].error = r.error;
      const n = this.runs[i].net, L = n.sizes.length - 1;
      n.W = Array.from({ length: L }, (_, l) => arrays[`r${i}/W${l + 1}`]);
      n.b = Array.from({ length: L }, (_, l) => arrays[`r${i}/b${l + 1}`]);
      n.bnParams = Array.from({ length: L - 1 }, (_, l) => (arrays[`r${i}/gamma${l + 1}`]
        ? { gamma: arrays[`r${i}/gamma${l + 1}`], beta: arrays[`r${i}/beta${l + 1}`], mean: arrays[`r${i}/mean${l + 1}`],
          var: arrays[`r${i}/var${l + 1}`] } : null));
    });
    this.status = meta;
    this.dirty = true;
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.paint(); });
  }

  start(meta, arrays) {
    this.id = meta.id;
    const key = JSON.stringify([meta.runs.map((r) => [r.label, r.net && r.net.sizes]), meta.data]);
    this.runs = meta.runs.map((r) => Object.assign(new Run(), { label: r.label, color: r.color, net: { ...r.net } }));
    this.runs.forEach((run, i) => run.append(meta.runs[i].hist));
    if (key === this.layoutKey) { this.boundaries.forEach((b, i) => b.setData(this.data, this.runs[i].net)); return; }
    this.layoutKey = key;
    this.data = { ...meta.data, xy: arrays.xy, y: arrays.y };
    this.build();
  }

  // the DOM: heading, one cell per run, the two charts
  build() {
    if (this.charts) this.charts.forEach((c) => c.destroy());
    // what all runs share is said once, under the heading; a cell names only what differs
    const same = (k) => this.runs.every((r) => r.net[k] === this.runs[0].net[k]);
    const shared = [same('describe') && this.runs[0].net.describe, same('optimizer') && this.runs[0].net.optimizer].filter(Boolean);
    const own = (r) => [!same('describe') && r.net.describe, !same('optimizer') && r.net.optimizer].filter(Boolean).join('; ');
    this.root.innerHTML = `<h5>${escape(this.data.race)}</h5>`
      + (shared.length ? `<div class="bp-cmp-desc bp-cmp-shared">Every run: ${escape(shared.join('; '))}</div>` : '')
      + '<div class="bp-cmp-grid"></div><div class="bp-cmp-charts"></div>';
    const grid = this.root.querySelector('.bp-cmp-grid');
    this.statusEls = [];
    this.boundaries = this.runs.map((run) => {
      const cell = document.createElement('div');
      cell.className = 'bp-cmp-cell';
      cell.innerHTML = `<div class="bp-cmp-title" style="border-color:${run.color}"><b>${escape(run.label)}</b>`
        + `<div class="bp-cmp-desc">${escape(own(run))}</div>`
        + '<div class="bp-cmp-status"></div></div>';
      grid.appendChild(cell);
      this.statusEls.push(cell.querySelector('.bp-cmp-status'));
      const b = new Boundary(cell, 300);
      b.setData(this.data, run.net);
      return b;
    });
    const charts = this.root.querySelector('.bp-cmp-charts');
    const w = Math.max(300, Math.floor((this.root.clientWidth || 900) / 2) - 20);
    this.charts = [chart(Object.assign(charts.appendChild(document.createElement('div')), { className: 'bp-chart' }),
      'Batch loss (log)', 'loss', this.runs, true, w),
    chart(Object.assign(charts.appendChild(document.createElement('div')), { className: 'bp-chart' }),
      'Test accuracy', 'accuracy', this.runs, false, w)];
  }

  paint() {
    if (!this.dirty) return;
    this.dirty = false;
    this.runs.forEach((run, i) => {
      this.boundaries[i].paint(run.net);
      const s = run.status;
      // three items that wrap between, never inside, on a narrow cell; rewritten only when changed
      const text = run.error ? 'diverged: paused' : [`step ${s.step.toLocaleString('en-US')}`, `loss ${fmt(s.loss)}`, `test ${pct(s.tacc)}`]
        .map((t) => t.replace(/ /g, '\u00a0')).join(' · ');
      if (this.statusEls[i].textContent !== text) this.statusEls[i].textContent = text;
    });
    this.paintsBoundary++;
    const now = performance.now();
    if (now - this.lastDraw > 66 || !this.status.playing) {  // curves: at most 15 redraws a second
      this.lastDraw = now;
      this.charts[0].setData(aligned(this.runs, 'loss'));
      this.charts[1].setData(aligned(this.runs, 'tacc'));
      this.paintsCharts++;
    }
  }
}
