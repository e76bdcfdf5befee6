// Weight matrices as heatmaps (W_l with its bias row under it) and MNIST's first layer as
// 28 x 28 tiles. One canvas pixel per weight, scaled up without smoothing; hover shows the
// number. Colours as ui/charts.py diverging_rgb: blue < 0 < red, white at 0.

const { escape } = await import(`./boundary.js${new URL(import.meta.url).search}`);  // same version
const { label, matrixTable } = await import(`./a11y.js${new URL(import.meta.url).search}`);
const TABLE_MS = 1000;  // an open table is rewritten at most once a second (it is read, not watched)

const POS = [178, 24, 43], NEG = [33, 102, 172], WHITE = [247, 247, 247];

// t in [-1, 1] -> [r, g, b]
export function diverging(t) {
  t = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const c = t >= 0 ? POS : NEG, u = Math.abs(t);
  return [0, 1, 2].map((i) => Math.trunc(WHITE[i] + (c[i] - WHITE[i]) * u));
}

// max |w| rounded up to 1, 2 or 5 x 10^k, so the colour scale holds still while it barely moves
export function niceMax(v) {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const e = Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * 10 ** e * (1 + 1e-12)) return m * 10 ** e;
  return 10 ** (e + 1);
}

function unitName(net, l, i, names, esc = escape) {
  // unit i (0-based) of layer l (0 = the inputs); esc: escape for HTML, or String for plain text
  const L = net.sizes.length - 1;
  if (l === 0 && net.input_labels) return `input ${net.input_labels[i]}`;  // engineered features: x₁², ...
  if (l === 0) return net.sizes[0] === 2 ? `input x${i === 0 ? '₁' : '₂'}` : `input ${i}`;
  if (l === L) return `output ${i}${names && names[i] !== undefined ? ` (${esc(names[i])})` : ''}`;
  return `h${l} unit ${i}`;
}

export class Heatmaps {
  constructor(host) {
    this.el = document.createElement('div');
    this.el.className = 'bp-heatmaps';
    host.appendChild(this.el);
    this.tip = document.createElement('div');
    this.tip.className = 'bp-tip';
    this.tip.hidden = true;
    this.paints = 0;
    // the matrices as tables, on demand (a button under each heatmap)
    this.tablesEl = document.createElement('div');
    this.tablesEl.className = 'bp-tables';
    host.appendChild(this.tablesEl);
    this.tables = new Map();  // layer index -> its open table's wrapper
    this.tableTime = 0; this.tableTimer = null;
  }

  // one block per weight layer from `first` (0-based)
  setNet(net, first, classNames) {
    this.net = net; this.names = classNames;
    this.el.innerHTML = '';
    this.tablesEl.innerHTML = ''; this.tables.clear();
    this.blocks = [];
    const L = net.sizes.length - 1;
    for (let l = first; l < L; l++) {
      const rows = net.sizes[l], cols = net.sizes[l + 1];
      // cells up to 18 px, each side fitted to ~220 px on its own (a 100 x 10 matrix stays readable)
      const cw = Math.max(2, Math.min(18, Math.floor(220 / cols))), ch = Math.max(2, Math.min(18, Math.floor(220 / rows)));
      const b = document.createElement('div');
      b.className = 'bp-hm';
      b.innerHTML = `<div class="bp-hm-title">W${l + 1} · ${rows}×${cols}</div>`
        + `<div class="bp-hm-axes">rows: from ${l === 0 ? 'the inputs' : `layer ${l}`} · columns: to ${l + 1 === L ? 'the outputs' : `layer ${l + 1}`}</div>`
        + `<canvas data-bp="heatmap" data-layer="${l + 1}"></canvas><canvas class="bp-bias"></canvas>`
        + `<div class="bp-hm-bias">↑ b${l + 1} · ${cols}</div><div class="bp-hm-scale"></div>`
        + (net.bn && net.bn[l] ? `<div class="bp-hm-bn"><canvas class="bp-gamma"></canvas><div class="bp-hm-bias">`
          + `γ${l + 1} · ${cols} (white = 1)</div><canvas class="bp-beta"></canvas><div class="bp-hm-bias">β${l + 1} · ${cols}`
          + ` (white = 0) — batch norm's scale and shift</div><div class="bp-hm-scale bp-bn-scale"></div></div>` : '');
      this.el.appendChild(b);
      b.insertAdjacentHTML('beforeend', `<button type="button" class="bp-table-btn" aria-expanded="false">Show W${l + 1} as a table</button>`);
      const [canvas, bcanvas] = b.querySelectorAll('canvas');
      canvas.width = cols; canvas.height = rows;
      canvas.style.width = `${cols * cw}px`; canvas.style.height = `${rows * ch}px`;
      bcanvas.width = cols; bcanvas.height = 1;  // the bias row: at least 10 px tall, to hover it
      bcanvas.style.width = `${cols * cw}px`; bcanvas.style.height = `${Math.max(ch, 10)}px`;
      const blk = { l, rows, cols, canvas, bcanvas, scale: b.querySelector('.bp-hm-scale'),
        image: new ImageData(cols, rows), bimage: new ImageData(cols, 1), vmax: 0 };
      label(canvas, `W${l + 1}, ${rows} by ${cols} weights as a heatmap: red above 0, blue below (values: the table button)`);
      label(bcanvas, `b${l + 1}, ${cols} biases as a heatmap row`);
      blk.button = b.querySelector('.bp-table-btn');
      blk.button.addEventListener('click', () => this.toggleTable(blk));
      canvas.addEventListener('mousemove', (e) => this.hover(e, blk, 'W'));
      bcanvas.addEventListener('mousemove', (e) => this.hover(e, blk, 'b'));
      const rowsOf = [canvas, bcanvas];
      if (net.bn && net.bn[l]) {  // gamma and beta rows, one scale for their distance from 1 and 0
        blk.gcanvas = b.querySelector('.bp-gamma'); blk.becanvas = b.querySelector('.bp-beta');
        blk.bnScale = b.querySelector('.bp-bn-scale'); blk.bnVmax = 0;
        for (const [c, kind] of [[blk.gcanvas, 'gamma'], [blk.becanvas, 'beta']]) {
          label(c, `${kind === 'gamma' ? 'γ' : 'β'}${l + 1}, batch norm's ${cols} ${kind === 'gamma' ? 'scales' : 'shifts'} as a heatmap row`);
          c.width = cols; c.height = 1;
          c.style.width = `${cols * cw}px`; c.style.height = `${Math.max(ch, 10)}px`;
          c.addEventListener('mousemove', (e) => this.hover(e, blk, kind));
          rowsOf.push(c);
        }
        blk.gimage = new ImageData(cols, 1); blk.beimage = new ImageData(cols, 1);
      }
      for (const c of rowsOf) c.addEventListener('mouseleave', () => { this.tip.hidden = true; });
      this.blocks.push(blk);
    }
    this.el.appendChild(this.tip);
  }

  paint(W, b, bnParams, step) {
    this.W = W; this.b = b; this.bnParams = bnParams; this.step = step;
    for (const blk of this.blocks) {
      const w = W[blk.l], bias = b[blk.l], { rows, cols, image } = blk;
      let m = 0;
      for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]));
      for (let j = 0; j < bias.length; j++) m = Math.max(m, Math.abs(bias[j]));
      const vmax = niceMax(m);
      const put = (d, o, v) => {
        const [R, G, B] = diverging(v / vmax);
        d[4 * o] = R; d[4 * o + 1] = G; d[4 * o + 2] = B; d[4 * o + 3] = 255;
      };
      for (let i = 0; i < rows * cols; i++) put(image.data, i, w[i]);
      for (let c = 0; c < cols; c++) put(blk.bimage.data, c, bias[c]);
      blk.canvas.getContext('2d').putImageData(image, 0, 0);
      blk.bcanvas.getContext('2d').putImageData(blk.bimage, 0, 0);
      if (blk.gcanvas && bnParams && bnParams[blk.l]) {
        const bn = bnParams[blk.l];
        let mb = 0;
        for (let j = 0; j < cols; j++) mb = Math.max(mb, Math.abs(bn.gamma[j] - 1), Math.abs(bn.beta[j]));
        const vb = niceMax(mb);
        for (let j = 0; j < cols; j++) {
          const [R, G, B] = diverging((bn.gamma[j] - 1) / vb), [R2, G2, B2] = diverging(bn.beta[j] / vb);
          blk.gimage.data.set([R, G, B, 255], 4 * j); blk.beimage.data.set([R2, G2, B2, 255], 4 * j);
        }
        blk.gcanvas.getContext('2d').putImageData(blk.gimage, 0, 0);
        blk.becanvas.getContext('2d').putImageData(blk.beimage, 0, 0);
        if (vb !== blk.bnVmax) {
          blk.bnVmax = vb;
          const v = +vb.toPrecision(2);
          blk.bnScale.innerHTML = `<span>−${v}</span><i></i><span>+${v}</span>`;
        }
      }
      if (vmax !== blk.vmax) {
        blk.vmax = vmax;
        const v = +vmax.toPrecision(2);
        blk.scale.innerHTML = `<span>−${v}</span><i></i><span>+${v}</span>`;
        label(blk.canvas, `W${blk.l + 1}, ${rows} by ${cols} weights as a heatmap: red above 0, blue below, `
          + `full colour at ±${v} (values: the table button)`);
      }
    }
    if (this.tables.size) this.refreshTables();
    this.paints++;
  }

  toggleTable(blk) {
    const open = this.tables.get(blk.l);
    if (open) { open.remove(); this.tables.delete(blk.l); } else {
      const wrap = document.createElement('div');
      // a wide table scrolls sideways: focusable, so a keyboard can scroll it too
      wrap.className = 'bp-table-wrap'; wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region'); wrap.setAttribute('aria-label', `W${blk.l + 1} as a table`);
      // in layer order, whatever order they were opened in
      const next = [...this.tables.entries()].filter(([l]) => l > blk.l).sort((a, c) => a[0] - c[0])[0];
      this.tablesEl.insertBefore(wrap, next ? next[1] : null);
      this.tables.set(blk.l, wrap);
      this.fillTable(blk, wrap);
    }
    const on = this.tables.has(blk.l);
    blk.button.textContent = on ? `Hide W${blk.l + 1} table` : `Show W${blk.l + 1} as a table`;
    blk.button.setAttribute('aria-expanded', String(on));
  }

  // open tables follow the weights, at most every TABLE_MS (the last values always arrive)
  refreshTables() {
    const wait = TABLE_MS - (performance.now() - this.tableTime);
    if (wait > 0) {
      if (!this.tableTimer) this.tableTimer = setTimeout(() => { this.tableTimer = null; this.refreshTables(); }, wait);
      return;
    }
    this.tableTime = performance.now();
    for (const blk of this.blocks) if (this.tables.has(blk.l)) this.fillTable(blk, this.tables.get(blk.l));
  }

  fillTable(blk, wrap) {
    if (!this.W) return;
    const { l, rows, cols } = blk, net = this.net, w = this.W[l];
    const rowsOut = Array.from({ length: rows }, (_, i) => ({ name: unitName(net, l, i, this.names, String),
      values: w.subarray(i * cols, (i + 1) * cols) }));
    rowsOut.push({ name: `bias b${l + 1}`, values: this.b[l], extra: true });
    const bn = this.bnParams && this.bnParams[l];
    if (blk.gcanvas && bn) rowsOut.push({ name: `γ${l + 1}`, values: bn.gamma, extra: true }, { name: `β${l + 1}`, values: bn.beta, extra: true });
    const caption = `W${l + 1} · ${rows}×${cols}${this.step != null ? ` at step ${this.step.toLocaleString('en-US')}` : ''}: `
      + `row = from ${l === 0 ? 'an input' : `a unit of layer ${l}`}, column = to ${l + 1 === net.sizes.length - 1 ? 'an output' : `a unit of layer ${l + 1}`}`;
    wrap.innerHTML = matrixTable(caption, 'from \\ to', Array.from({ length: cols }, (_, c) => unitName(net, l + 1, c, this.names, String)), rowsOut);
  }

  hover(e, blk, kind) {
    if (!this.W) return;
    const row1 = kind !== 'W';
    const cv = { W: blk.canvas, b: blk.bcanvas, gamma: blk.gcanvas, beta: blk.becanvas }[kind];
    const r = cv.getBoundingClientRect();
    const c = Math.floor((e.clientX - r.left) / r.width * blk.cols);
    const row = Math.floor((e.clientY - r.top) / r.height * (row1 ? 1 : blk.rows));
    const l = blk.l, net = this.net;
    if (c < 0 || c >= blk.cols || row < 0 || row >= (row1 ? 1 : blk.rows)) { this.tip.hidden = true; return; }
    const unit = unitName(net, l + 1, c, this.names);
    let html;
    if (kind === 'W') {
      html = `<b>W${l + 1}[${row}, ${c}]</b> = ${fmtW(this.W[l][row * blk.cols + c])}<br>`
        + `from ${unitName(net, l, row, this.names)} to ${unit}`;
    } else if (kind === 'b') {
      html = `<b>b${l + 1}[${c}]</b> = ${fmtW(this.b[l][c])}<br>bias of ${unit}`;
    } else {
      const bn = this.bnParams[l], v = kind === 'gamma' ? bn.gamma[c] : bn.beta[c];
      html = `<b>${kind === 'gamma' ? 'γ' : 'β'}${l + 1}[${c}]</b> = ${fmtW(v)}<br>`
        + `${kind === 'gamma' ? 'scale' : 'shift'} of ${unit} after normalising; running mean `
        + `${fmtW(bn.mean[c])}, running var ${fmtW(bn.var[c])}`;
    }
    this.tip.innerHTML = html;
    this.tip.hidden = false;
    const host = this.el.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - host.left + 12, host.width - 220)}px`;
    this.tip.style.top = `${e.clientY - host.top + 14}px`;
  }
}

function fmtW(v) { return (v >= 0 ? '+' : '') + v.toPrecision(4); }

// MNIST: one tile per first-layer unit, its 784 incoming weights as a 28 x 28 picture.
export class Tiles {
  constructor(host) {
    this.el = document.createElement('div');
    this.el.className = 'bp-tiles';
    this.el.innerHTML = '<div class="bp-tiles-box"><canvas data-bp="tiles"></canvas><div class="bp-tip" hidden></div></div>'
      + '<div class="bp-caption"></div>';
    host.appendChild(this.el);
    this.canvas = this.el.querySelector('canvas');
    label(this.canvas, 'First-layer weights W1 as tiles');
    this.tip = this.el.querySelector('.bp-tip');
    this.lut = new Uint8ClampedArray(256 * 3);
    for (let q = 0; q < 256; q++) this.lut.set(diverging((q - 128) / 127), 3 * q);
    this.paints = 0;
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
  }

  paint(tiles, shape, W1shape) {
    const [h, w] = shape, n = tiles.n, ncols = Math.ceil(Math.sqrt(n)), nrows = Math.ceil(n / ncols), pad = 2;
    const Wd = ncols * (w + pad) + pad, Hd = nrows * (h + pad) + pad;
    if (this.canvas.width !== Wd || this.canvas.height !== Hd) {
      this.canvas.width = Wd; this.canvas.height = Hd;
      this.image = new ImageData(Wd, Hd);
      this.image.data.fill(255);
      this.geom = { h, w, ncols, pad };
      const more = n < tiles.n_units ? ` (first ${n} of ${tiles.n_units} units)` : '';
      this.el.querySelector('.bp-caption').textContent = `W1 · ${W1shape[0]}×${W1shape[1]}: each tile is one `
        + `hidden unit's ${W1shape[0]} incoming weights${more}, scaled to its own max |w| (blue < 0 < red).`;
      label(this.canvas, `First-layer weights W1, ${W1shape[0]} by ${W1shape[1]}: ${n} tiles of ${h} by ${w} pixels, `
        + `one per hidden unit${more}, each the unit's incoming weights as a picture (red above 0, blue below)`);
    }
    const q = tiles.bytes, d = this.image.data;
    for (let t = 0; t < n; t++) {
      const r0 = pad + Math.floor(t / ncols) * (h + pad), c0 = pad + (t % ncols) * (w + pad);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const v = q[t * h * w + y * w + x], o = 4 * ((r0 + y) * Wd + c0 + x);
        d[o] = this.lut[3 * v]; d[o + 1] = this.lut[3 * v + 1]; d[o + 2] = this.lut[3 * v + 2];
      }
    }
    this.canvas.getContext('2d').putImageData(this.image, 0, 0);
    this.tiles = tiles;
    this.paints++;
  }

  hover(e) {
    if (!this.tiles) return;
    const r = this.canvas.getBoundingClientRect(), g = this.geom;
    const x = (e.clientX - r.left) / r.width * this.canvas.width, y = (e.clientY - r.top) / r.height * this.canvas.height;
    const t = Math.floor(y / (g.h + g.pad)) * g.ncols + Math.floor(x / (g.w + g.pad));
    if (t < 0 || t >= this.tiles.n) { this.tip.hidden = true; return; }
    this.tip.innerHTML = `hidden unit ${t} (column ${t} of W1)<br>max |w| = ${this.tiles.max[t]}`;
    this.tip.hidden = false;
    this.tip.style.left = `${Math.min(e.clientX - r.left + 12, r.width - 180)}px`;
    this.tip.style.top = `${e.clientY - r.top + 14}px`;
  }
}
