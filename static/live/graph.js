// The network as a graph (TensorFlow Playground's picture of the network): every unit drawn as a
// small picture of its output over the input square, every weight a line between two units
// (red > 0, blue < 0, thicker = larger |w|), every bias a small square at its unit's lower left.
//
// - The unit pictures are computed here from the weights the frame carries, as the decision
//   boundary is (net.js layerOutputs, the engine's MLP.activations); tests/test_browser_graph.py
//   compares them pixel by pixel with engine.grid_activations.
// - Hover (or focus) a unit: the main plot shows that unit large; click it to keep it there.
// - Hover (or focus) a line or a bias: its value w and ∂L/∂w, the gradient of the last step
//   (the server sends it only while this panel is shown: ui/graph_part.py).
// - Click one (or Enter on it) to type a new value: it goes to the server through the page's
//   channel (edits.js; ui/byhand.py -> ui/lab.py -> engine Trainer.set_param), and the next
//   frame, step and ledger use it. A value that is not a number gets a sentence here and is
//   not sent; the server checks everything again.
// - Keyboard: the graph is one Tab stop; the arrow keys walk through units, weights and
//   biases (layer by layer), Enter or Space acts, Escape closes the editor.

const V = new URL(import.meta.url).search;
const { layerOutputs, gridPoints } = await import(`./net.js${V}`);
const { diverging, niceMax } = await import(`./heatmaps.js${V}`);
const { label, num } = await import(`./a11y.js${V}`);
const edits = await import(`./edits.js${V}`);

export const THUMB_RES = 24;  // a unit's picture: its output on a 24 x 24 grid over the square
const POS = '#b2182b', NEG = '#2166ac', ZERO = '#9aa0a6';  // ui/charts.py diverging_rgb's ends
const SVG = 'http://www.w3.org/2000/svg';
const SUB = '₀₁₂₃₄₅₆₇₈₉';
const sub = (n) => String(n).split('').map((d) => SUB[+d]).join('');
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

// A line's colour and width: the sign, and |w| against the network's weight scale (the largest
// |w| rounded up to 1, 2 or 5 x 10^k, at least 1: weights below 1 stay thin, as in TF Playground).
export function weightScale(W) {
  let m = 0;
  for (const w of W) if (w) for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]));
  return Math.max(1, niceMax(m));
}
export const edgeColour = (w) => (w > 0 ? POS : w < 0 ? NEG : ZERO);
export const edgeWidth = (w, scale) => 0.6 + 5.4 * Math.min(Math.abs(w) / scale, 1);

// How a unit's output is coloured: (value − centre) / half-range on the heatmaps' blue-white-red
// scale. Bounded activations use their own range (tanh: −1..1; sigmoid and softmax: 0..1,
// white at 0.5); unbounded ones (ReLU, leaky ReLU, linear, the inputs) their largest |value|
// over the grid they are drawn on.
export function unitScale(kind, a, N, n, j) {
  if (kind === 'tanh') return [0, 1];
  if (kind === 'sigmoid' || kind === 'softmax') return [0.5, 0.5];
  let m = 0;
  for (let i = 0; i < N; i++) m = Math.max(m, Math.abs(a[i * n + j]));
  return [0, m > 0 && Number.isFinite(m) ? m : 1];
}

// unit j of layer l's output over N grid points, coloured into rgba (ImageData bytes)
export function colourUnit(outs, kinds, sizes, l, j, N, rgba) {
  const a = outs[l], n = sizes[l], [c, h] = unitScale(kinds[l], a, N, n, j);
  for (let i = 0; i < N; i++) {
    const [R, G, B] = diverging((a[i * n + j] - c) / h);
    rgba[4 * i] = R; rgba[4 * i + 1] = G; rgba[4 * i + 2] = B; rgba[4 * i + 3] = 255;
  }
}

function el(tag, cls, attrs = {}, ns = null) {
  const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  if (cls) e.setAttribute('class', cls);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// a typed number: digits with an optional sign, point and exponent (a real minus sign too)
export function parseValue(text) {
  const t = String(text).trim().replace(/^[−–]/, '-').replace(/e[−–]/i, 'e-');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}



export class Graph {
  // host: the panel's element; view: the live view (main.js View: its boundary, name, status)
  constructor(host, view) {
    this.view = view;
    this.page = view.name.split('/')[0];
    this.el = el('div', 'bp-graph');
    this.el.innerHTML = '<h2>The network as a graph</h2><p class="bp-caption">Each picture: one unit\'s output over the '
      + 'input square (red &gt; 0 &gt; blue; tanh from −1 to 1, sigmoid and softmax white at 0.5, ReLU and linear units '
      + 'scaled to their own largest value). Lines: the weights, red &gt; 0, blue &lt; 0, thicker = larger |w|; small '
      + 'squares: the biases. Hover a unit to see it in the main plot; hover a line or a square for w and ∂L/∂w; click '
      + 'one to type a new value. Keyboard: Tab into the graph, arrow keys, Enter.</p>';
    host.appendChild(this.el);
    // its items move the focus with the arrow keys: keys.js leaves keys pressed here alone
    this.box = el('div', 'bp-g-box', { role: 'group', 'data-bp-own-keys': '' });
    this.el.appendChild(this.box);
    this.tip = el('div', 'bp-tip', { id: `bp-g-tip-${this.page}`, hidden: '' });
    this.editor = el('form', 'bp-g-edit', { hidden: '' });
    this.editor.innerHTML = `<label for="bp-g-in-${this.page}" class="bp-g-what"></label>`
      + `<input id="bp-g-in-${this.page}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">`
      + '<button type="submit">Set</button><button type="button" class="bp-g-cancel">Cancel</button>';
    this.input = this.editor.querySelector('input');
    this.msg = el('p', 'bp-g-msg', { role: 'status' });
    this.el.append(this.editor, this.msg);
    this.width = 0;
    this.paints = 0;
    this.items = [];
    this.cur = 0;          // the item with tabindex 0
    this.active = null;    // the item hovered or focused: its tooltip is shown
    this.shown = null;     // the unit shown large in the main plot (hover), this.pinned (click)
    this.pinned = null;
    this.editing = null;   // the item whose value is being typed
    this.sent = new Map(); // seq -> what was sent (the reply's sentence goes to the message line)
    this.grads = null; this.meta = {};
    new ResizeObserver((entries) => {
      const w = Math.floor(entries[0].contentRect.width);
      if (w && w !== this.width) { this.width = w; if (this.net) this.place(); }
    }).observe(this.el);
    this.box.addEventListener('keydown', (e) => this.key(e));
    this.box.addEventListener('focusin', (e) => { const it = this.itemOf(e.target); if (it) this.activate(it); });
    this.box.addEventListener('focusout', (e) => { if (!this.box.contains(e.relatedTarget)) this.activate(null); });
    this.box.addEventListener('mouseover', (e) => { const it = this.itemOf(e.target); if (it) this.activate(it); });
    this.box.addEventListener('mouseout', (e) => {  // leaving an item: back to the focused one, if any
      const it = this.itemOf(e.target);
      if (it && this.itemOf(e.relatedTarget) !== it) this.activate(this.keyboardItem());
    });
    this.box.addEventListener('click', (e) => { const it = this.itemOf(e.target); if (it) { this.focusItem(it); this.act(it); } });
    this.editor.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    this.editor.querySelector('.bp-g-cancel').addEventListener('click', () => this.closeEditor(true));
    this.input.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); this.closeEditor(true); } });
    this.stopListening = edits.listen(this.page, (r) => this.reply(r));
  }

  destroy() {
    this.stopListening();
    if (this.view.boundary) this.setShown(null, true);
  }

  root() { return this.el.getRootNode(); }

  // the frame's graph part: the gradients of the last step (ui/graph_part.py)
  receive(meta, arrays) {
    this.meta = meta || {};
    const L = this.net ? this.net.sizes.length - 1 : 0;
    this.grads = arrays.gW1 ? { W: Array.from({ length: L }, (_, l) => arrays[`gW${l + 1}`]),
      b: Array.from({ length: L }, (_, l) => arrays[`gb${l + 1}`]) } : null;
  }

  // a new architecture or data: the units, lines and squares, built once
  setNet(net, data) {
    this.net = net; this.data = data;
    this.L = net.sizes.length - 1;
    this.kinds = ['input', ...net.acts, net.out];
    this.big = Math.max(...net.sizes) > (this.meta.max_units || 16);
    this.grid = null;
    this.layout();
  }

  unitName(l, j) {
    if (l === 0) return this.net.sizes[0] === 2 ? `x${sub(j + 1)}` : `input ${j}`;
    if (l === this.L) {
      const c = this.data.classes && this.data.classes[j];
      return `output ${j}${c !== undefined ? ` (${c})` : ''}`;
    }
    return `h${l} unit ${j}`;
  }

  kindName(l) { return l === 0 ? 'input' : this.kinds[l]; }

  // the units, lines and squares of this architecture, built once (place() sets where they are)
  layout() {
    const net = this.net, L = this.L, sizes = net.sizes;
    this.box.replaceChildren();
    this.items = []; this.active = null; this.units = []; this.edges = []; this.biases = []; this.texts = [];
    this.closeEditor(false);
    if (this.big) {
      const worst = Math.max(...sizes);
      this.box.innerHTML = `<p class="bp-g-big">The graph draws networks of at most ${this.meta.max_units || 16} units per layer; `
        + `this one has a layer of ${worst}. The weight heatmaps below show every weight (hover a cell for its value).</p>`;
      this.box.removeAttribute('aria-label');
      this.box.style.height = '';
      return;
    }
    this.box.setAttribute('aria-label', `The network ${sizes.join('-')} as a graph: ${sizes.reduce((s, n) => s + n, 0)} units, `
      + `${sizes.slice(1).reduce((s, n, l) => s + n * sizes[l], 0)} weights and ${sizes.slice(1).reduce((s, n) => s + n, 0)} biases; `
      + 'arrow keys move between them, Enter shows a unit in the main plot or edits a weight or bias');
    this.svg = el('svg', '', {}, SVG);
    const gEdges = el('g', '', {}, SVG), gBias = el('g', '', {}, SVG), gText = el('g', '', { 'aria-hidden': 'true' }, SVG);
    this.svg.append(gEdges, gBias, gText);
    this.box.appendChild(this.svg);
    for (let l = 0; l <= L; l++) {
      const cap = el('text', 'bp-g-layer', { 'text-anchor': 'middle' }, SVG);
      cap.textContent = l === 0 ? 'input' : l === L ? `output · ${net.out}` : `h${l} · ${net.acts[l - 1]}`;
      gText.appendChild(cap);
      this.texts.push({ el: cap, l, j: null });
    }
    const order = [];  // the keyboard's walk: units of layer 0, W1, b1, units of layer 1, W2, ...
    for (let l = 0; l <= L; l++) {
      const units = [];
      for (let j = 0; j < sizes[l]; j++) {
        const u = el('div', 'bp-g-unit', { role: 'button', tabindex: '-1', 'aria-pressed': 'false',
          'aria-describedby': this.tip.id, 'aria-label': `${this.unitName(l, j)} (${this.kindName(l)}): show it in the main plot` });
        const c = el('canvas', '', { 'data-bp': 'unit' });
        c.width = c.height = THUMB_RES;
        label(c, `${this.unitName(l, j)}'s output over the input square`);
        u.appendChild(c);
        this.box.appendChild(u);
        const it = { kind: 'unit', l, j, el: u, canvas: c, image: new ImageData(THUMB_RES, THUMB_RES) };
        units.push(it); order.push(it);
        if (l === 0 && sizes[0] <= 8) {
          const name = el('text', 'bp-g-name', { 'text-anchor': 'end' }, SVG);
          name.textContent = this.unitName(0, j);
          gText.appendChild(name);
          this.texts.push({ el: name, l: 0, j });
        }
      }
      this.units.push(units);
      if (l === L) break;
      const m = sizes[l + 1], edges = [];
      for (let i = 0; i < sizes[l]; i++) {
        for (let j = 0; j < m; j++) {
          const g = el('g', 'bp-g-edge', { role: 'button', tabindex: '-1', 'aria-describedby': this.tip.id,
            'aria-label': `weight W${l + 1}[${i}, ${j}] from ${this.unitName(l, i)} to ${this.unitName(l + 1, j)}: edit` }, SVG);
          const hit = el('line', 'bp-g-hit', {}, SVG), vis = el('line', 'bp-g-vis', {}, SVG);
          g.append(hit, vis);
          gEdges.appendChild(g);
          const it = { kind: 'W', l, i, j, el: g, hit, vis, w: null };
          edges.push(it); order.push(it);
        }
      }
      this.edges.push(edges);
      const biases = [];
      for (let j = 0; j < m; j++) {
        const r = el('rect', 'bp-g-bias', { role: 'button', tabindex: '-1', 'aria-describedby': this.tip.id,
          'aria-label': `bias b${l + 1}[${j}] of ${this.unitName(l + 1, j)}: edit` }, SVG);
        gBias.appendChild(r);
        const it = { kind: 'b', l, j, el: r, w: null };
        biases.push(it); order.push(it);
      }
      this.biases.push(biases);
    }
    this.box.appendChild(this.tip);
    this.items = order;
    order.forEach((it, k) => { it.k = k; it.el.__bpItem = it; });
    this.cur = Math.min(this.cur, order.length - 1);
    order[this.cur].el.setAttribute('tabindex', '0');
    this.pinned = this.shown = null;
    this.place();
  }

  // where everything sits for the panel's width (a resize moves them; the elements, their focus
  // and the editor stay)
  place() {
    if (this.big || !this.items.length) return;
    const L = this.L, sizes = this.net.sizes;
    const W = Math.max(240, this.width || 420), nMax = Math.max(...sizes);
    const slot = Math.max(20, Math.min(54, Math.floor(360 / nMax))), t = Math.round(slot * 0.78), top = 22;
    const H = top + nMax * slot + 4, left = 30, right = 14, s = Math.max(7, Math.round(t / 4));
    this.t = t;
    this.box.style.height = `${H}px`;
    this.svg.setAttribute('width', W); this.svg.setAttribute('height', H);
    const x = (l) => left + (L ? l * (W - left - right - t) / L : 0);
    const y = (l, j) => top + (nMax - sizes[l]) * slot / 2 + j * slot + (slot - t) / 2;
    const set = (e, a) => { for (const [k, v] of Object.entries(a)) e.setAttribute(k, v); };
    for (const tx of this.texts) {
      if (tx.j === null) set(tx.el, { x: x(tx.l) + t / 2, y: 12 });
      else set(tx.el, { x: x(0) - 4, y: y(0, tx.j) + t / 2 + 4 });
    }
    for (const layer of this.units) {
      for (const u of layer) Object.assign(u.el.style, { left: `${x(u.l)}px`, top: `${y(u.l, u.j)}px`, width: `${t}px`, height: `${t}px` });
    }
    for (const layer of this.edges) {
      for (const e of layer) {
        const pts = { x1: x(e.l) + t, y1: y(e.l, e.i) + t / 2, x2: x(e.l + 1), y2: y(e.l + 1, e.j) + t / 2 };
        set(e.hit, pts); set(e.vis, pts);
      }
    }
    for (const layer of this.biases) {
      for (const b of layer) set(b.el, { x: x(b.l + 1) - s - 2, y: y(b.l + 1, b.j) + t - s, width: s, height: s });
    }
  }

  // the item the keyboard is on (focused and :focus-visible; a click focuses without it)
  keyboardItem() {
    const a = this.root().activeElement, it = this.itemOf(a);
    return it && a.matches(':focus-visible') ? it : null;
  }

  itemOf(target) {
    for (let e = target; e && e !== this.box; e = e.parentNode) if (e.__bpItem) return e.__bpItem;
    return null;
  }

  focusItem(it) {
    this.items[this.cur].el.setAttribute('tabindex', '-1');
    this.cur = it.k;
    it.el.setAttribute('tabindex', '0');
    it.el.focus();
  }

  key(e) {
    if (!this.items.length || e.target === this.input) return;
    const it = this.itemOf(e.target);
    if (!it) return;
    const n = this.items.length, go = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (go) { e.preventDefault(); this.focusItem(this.items[(it.k + go + n) % n]); }
    else if (e.key === 'Home') { e.preventDefault(); this.focusItem(this.items[0]); }
    else if (e.key === 'End') { e.preventDefault(); this.focusItem(this.items[n - 1]); }
    else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.act(it); }
    else if (e.key === 'Escape' && this.pinned) { e.preventDefault(); this.pin(null); }
  }

  // hovered or focused: highlighted, its numbers in the tooltip; a unit shows in the main plot
  activate(it) {
    if (this.active && this.active !== it) this.active.el.classList.remove('bp-g-on');
    this.active = it;
    if (!it) { this.tip.hidden = true; this.setShown(this.pinned); return; }
    it.el.classList.add('bp-g-on');
    if (it.kind === 'unit') this.setShown(it);
    else this.setShown(this.pinned);
    this.tipText();
    this.tip.hidden = false;
    const box = this.box.getBoundingClientRect(), r = it.el.getBoundingClientRect();
    const left = Math.min(Math.max(0, r.right - box.left + 6), Math.max(0, box.width - 230));
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${Math.min(r.bottom - box.top + 4, box.height - 10)}px`;
  }

  value(it) {
    return it.kind === 'W' ? this.net.W[it.l][it.i * this.net.sizes[it.l + 1] + it.j] : this.net.b[it.l][it.j];
  }

  paramName(it) { return it.kind === 'W' ? `W${it.l + 1}[${it.i}, ${it.j}]` : `b${it.l + 1}[${it.j}]`; }

  tipText() {
    const it = this.active;
    if (!it) return;
    if (it.kind === 'unit') {
      const r = this.range && this.range[it.l] ? this.range[it.l][it.j] : null;
      this.tip.innerHTML = `<b>${esc(this.unitName(it.l, it.j))}</b> (${this.kindName(it.l)})`
        + (r ? `<br>from ${num(r[0])} to ${num(r[1])} over the square` : '')
        + `<br>${this.pinned === it ? 'shown in the main plot: click again to let go' : 'click to keep it in the main plot'}`;
      return;
    }
    const w = this.value(it), what = it.kind === 'W'
      ? `${esc(this.unitName(it.l, it.i))} → ${esc(this.unitName(it.l + 1, it.j))}` : `bias of ${esc(this.unitName(it.l + 1, it.j))}`;
    const g = this.grads ? (it.kind === 'W' ? this.grads.W[it.l][it.i * this.net.sizes[it.l + 1] + it.j] : this.grads.b[it.l][it.j]) : null;
    const m = this.meta, sym = it.kind === 'W' ? 'w' : 'b';
    let grad;
    if (g == null) grad = `∂L/∂${sym}: after the first step (press Step)`;
    else {
      grad = `∂L/∂${sym} = ${num(g)} <span class="bp-g-when">(step ${Number(m.grad_step).toLocaleString('en-US')}, its batch`
        + `${m.after_change ? ', before your change' : ''})</span>`;
    }
    this.tip.innerHTML = `<b>${this.paramName(it)}</b> · ${what}<br>${sym} = <span class="bp-g-w">${num(w)}</span><br>${grad}`
      + (m.l2 ? `<br>the update adds L2: λ${sym} = ${num(m.l2 * w)}` : '') + '<br>click to type a new value';
  }

  act(it) {
    if (it.kind === 'unit') this.pin(this.pinned === it ? null : it);
    else this.openEditor(it);
  }

  pin(it) {
    if (this.pinned) this.pinned.el.setAttribute('aria-pressed', 'false');
    this.pinned = it;
    if (it) it.el.setAttribute('aria-pressed', 'true');
    this.setShown(it || (this.active && this.active.kind === 'unit' ? this.active : null));
    this.tipText();
  }

  // the main plot shows unit ``it`` large (or the prediction again: null)
  setShown(it, force = false) {
    if (it === this.shown && !force) return;
    this.shown = it;
    const b = this.view.boundary;
    if (!b) return;
    if (this.note) { this.note.remove(); this.note = null; }
    if (it) {
      const l = it.l, j = it.j, kinds = this.kinds, sizes = this.net.sizes;
      b.overlay = (bd, net, X, image) => {
        const N = bd.res * bd.res, outs = layerOutputs(net, X, N);
        colourUnit(outs, kinds, sizes, l, j, N, image.data);
        bd.field.getContext('2d').putImageData(image, 0, 0);
        const ctx = bd.line.getContext('2d');
        ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.clearRect(0, 0, bd.line.width, bd.line.height);
        bd.last = { res: bd.res, segments: [], unit: [l, j] };
      };
      this.note = el('div', 'bp-g-note');
      this.note.textContent = `${this.unitName(l, j)} (${this.kindName(l)})${this.pinned === it ? '' : ' · move away for the prediction'}`;
      b.box.appendChild(this.note);
    } else b.overlay = null;
    if (b.net) b.paint(b.net);
  }

  // ------------------------------------------------------------------ typing a value
  openEditor(it) {
    this.editing = it;
    const w = this.value(it);
    this.editor.querySelector('.bp-g-what').textContent = `New value of ${this.paramName(it)} (now ${num(w)}):`;
    this.editor.hidden = false;
    this.input.value = String(+w.toPrecision(6));
    this.input.removeAttribute('aria-invalid');
    this.input.focus();
    this.input.select();
  }

  closeEditor(refocus) {
    const it = this.editing;
    this.editing = null;
    this.editor.hidden = true;
    if (refocus && it && this.items[it.k] === it) this.focusItem(it);
  }

  say(text, bad) {
    this.msg.textContent = text;
    this.msg.classList.toggle('bp-bad', !!bad);
    this.msg.setAttribute('role', bad ? 'alert' : 'status');
  }

  submit() {
    const it = this.editing;
    if (!it) return;
    const raw = this.input.value, v = parseValue(raw), max = this.meta.max_value || 1000;
    if (v === null) {
      this.input.setAttribute('aria-invalid', 'true');
      this.say(`“${raw.slice(0, 30)}” is not a number: type one like −1.5, 0.25 or 2e-3. Nothing was changed.`, true);
      this.input.focus();
      return;
    }
    if (Math.abs(v) > max) {
      this.input.setAttribute('aria-invalid', 'true');
      this.say(`${raw.trim().slice(0, 30)} is too large: type a value from −${max} to ${max}. Nothing was changed.`, true);
      this.input.focus();
      return;
    }
    const op = { kind: 'param', name: it.kind === 'W' ? `W${it.l + 1}` : `b${it.l + 1}`,
      index: it.kind === 'W' ? [it.i, it.j] : [it.j], value: v };
    const seq = edits.send(this.page, op);
    if (typeof seq === 'string') { this.say(seq, true); return; }
    this.sent.set(seq, this.paramName(it));
    this.say(`Setting ${this.paramName(it)} to ${num(v)}…`, false);
    this.closeEditor(true);
  }

  reply(r) {
    if (!this.sent.has(r.seq) && r.seq !== 0) return;
    this.sent.delete(r.seq);
    this.say(r.text, !r.ok);
  }

  // ------------------------------------------------------------------ every frame
  paint(net) {
    this.net = net;
    if (this.big || !this.items.length) { this.paints++; return; }
    const L = this.L, sizes = net.sizes;
    if (!this.grid) {
      const N = THUMB_RES * THUMB_RES;
      this.grid = { X: gridPoints(this.data.bounds, THUMB_RES), N };
    }
    const { X, N } = this.grid, outs = layerOutputs(net, X, N);
    this.range = [];
    for (let l = 0; l <= L; l++) {
      const a = outs[l], n = sizes[l], rl = [];
      for (const u of this.units[l]) {
        colourUnit(outs, this.kinds, sizes, l, u.j, N, u.image.data);
        u.canvas.getContext('2d').putImageData(u.image, 0, 0);
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < N; i++) { const v = a[i * n + u.j]; if (v < lo) lo = v; if (v > hi) hi = v; }
        rl.push([lo, hi]);
      }
      this.range.push(rl);
    }
    const scale = weightScale(net.W);
    for (let l = 0; l < L; l++) {
      const W = net.W[l], m = sizes[l + 1];
      // attributes written only when what they say changes (600 lines rewritten per frame cost the
      // browser a style pass each: 27 -> 16 pictures a second on a 2-16-16-16-2 net, measured)
      for (const e of this.edges[l]) {
        const w = W[e.i * m + e.j];
        e.w = w;
        const colour = edgeColour(w), width = edgeWidth(w, scale).toFixed(2);
        if (colour !== e.colour) { e.colour = colour; e.vis.setAttribute('stroke', colour); }
        if (width !== e.width) { e.width = width; e.vis.setAttribute('stroke-width', width); }
      }
      for (const b of this.biases[l]) {
        const [R, G, B] = diverging(net.b[l][b.j] / scale), fill = `rgb(${R},${G},${B})`;
        if (fill !== b.fill) { b.fill = fill; b.el.setAttribute('fill', fill); }
      }
    }
    this.tipText();
    this.paints++;
  }
}
