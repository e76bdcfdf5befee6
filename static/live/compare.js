// The Compare view: one small decision boundary per run and the runs' loss and test-accuracy
// curves overlaid (the server half: ui/compare.py CompareMaker). Each run's boundary is drawn
// from its weights by the same code as the single view (boundary.js, net.js).

const V = new URL(import.meta.url).search;
const { Boundary, escape } = await import(`./boundary.js${V}`);
const { Chart, chartOpts, line, fmt, pct, thinned, MAX_POINTS } = await import(`./curves.js${V}`);
const { netParams } = await import(`./frame.js${V}`);
const { onRemChange } = await import(`./scale.js${V}`);
const { Announcer } = await import(`./a11y.js${V}`);

class Run {
  constructor() { this.step = []; this.loss = []; this.tacc = []; }
  append(h) {
    const last = this.step.length ? this.step[this.step.length - 1] : -Infinity;
    for (let i = 0; i < h.step.length; i++) {
      if (h.step[i] <= last) continue;
      this.step.push(h.step[i]); this.loss.push(h.loss[i]); this.tacc.push(h.tacc[i]);
    }
    if (this.step.length > MAX_POINTS) for (const k of ['step', 'loss', 'tacc']) this[k] = thinned(this[k]);
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
      const n = this.runs[i].net;
      Object.assign(n, netParams(arrays, n.sizes.length - 1, `r${i}/`));
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
    if (this.announcer) this.announcer.destroy();
    this.root.innerHTML = `<h2>${escape(this.data.race)}</h2>`
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
    this.announcer = new Announcer(this.root);  // the runs' status for a screen reader (a11y.js)
    const charts = this.root.querySelector('.bp-cmp-charts');
    const series = (value) => this.runs.map((r) => line(r.label, r.color, 2, value ? { value } : {}));
    this.charts = [
      new Chart(charts, 'loss', (w) => chartOpts({ title: 'Batch loss (log)', yLabel: 'loss', log: true,
        series: series(), width: w, height: 220 }), (runs) => aligned(runs, 'loss')),
      new Chart(charts, 'acc', (w) => chartOpts({ title: 'Test accuracy', yLabel: 'accuracy', percent: true,
        yRange: [0, 1.0001], series: series((u, v) => pct(v)), width: w, height: 220 }), (runs) => aligned(runs, 'tacc'))];
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
    const s0 = this.runs[0].status;
    this.announcer.update(`${this.status.playing ? 'playing' : 'paused'}, step ${s0.step.toLocaleString('en-US')}: `
      + this.runs.map((r) => `${r.label}: ${r.error ? 'diverged' : `batch loss ${fmt(r.status.loss)}, test accuracy ${pct(r.status.tacc)}`}`).join('; '),
    this.status.playing);
    this.paintsBoundary++;
    const now = performance.now();
    if (now - this.lastDraw > 66 || !this.status.playing) {  // curves: at most 15 redraws a second
      this.lastDraw = now;
      for (const c of this.charts) c.draw(this.runs);
      this.paintsCharts++;
    }
  }
}
