// The live view's browser half (the server half: ui/live_view.py and ui/frames.py).
//
// Streamlit calls render() with every frame the server sends. A frame carries numbers only:
// the parameters, the status and the history records that are new (ui/frames.py documents
// the payload). The view state lives here, at module level, keyed by the element's name, so
// it survives a remount of the element (navigation, a full re-run) and the DOM, canvases and
// charts are built once and then only repainted. Painting is done once per display frame
// (requestAnimationFrame), whatever the rate frames arrive at.

const V = new URL(import.meta.url).search;  // the app version, passed on to sibling modules
const [{ Boundary }, { Heatmaps, Tiles }, { Curves, History, pct }, { unpack, netParams }, { CompareView }] = await Promise.all([
  import(`./boundary.js${V}`), import(`./heatmaps.js${V}`), import(`./curves.js${V}`), import(`./frame.js${V}`),
  import(`./compare.js${V}`)]);
const { onRemChange } = await import(`./scale.js${V}`);
const [{ ValueField }, { CurveFit }] = await Promise.all([import(`./regression.js${V}`), import(`./curve.js${V}`)]);
const { Announcer } = await import(`./a11y.js${V}`);
const checkpoint = await import(`./checkpoint.js${V}`);  // the browser's copy of the run
const [edits, { Graph }, { HandData }] = await Promise.all([  // changes by hand (ui/byhand.py)
  import(`./edits.js${V}`), import(`./graph.js${V}`), import(`./points.js${V}`)]);
(await import(`./keys.js${V}`)).install();  // Space, →, Page Down, R press the page's buttons (keys.js)

const CSS = [new URL(`../vendor/uPlot.min.css`, import.meta.url).href, new URL(`./live.css${V}`, import.meta.url).href,
  new URL(`./byhand.css${V}`, import.meta.url).href];

const views = new Map();
window.__bpLive = views;  // for the browser tests and benchmarks: what each view received and drew

const r2 = (v) => (v == null ? '–' : v.toFixed(3));  // R², 1 = a perfect fit
const num = (v) => (v == null ? '–' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(4)));

class View {
  constructor(name) {
    this.name = name;
    this.id = null;        // "page:build" of the model the history belongs to
    this.frames = 0;       // frames received
    this.root = document.createElement('div');
    this.root.className = 'bp-live';
    this.layoutKey = null;
    onRemChange(() => this.relayout());
    // what has the focus in this view (e.g. the graph's editor): Streamlit remounts the element when
    // something above it appears (a notice), which would otherwise drop the focus
    this.root.addEventListener('focusin', (e) => { this.focused = e.composedPath()[0]; });
    this.root.addEventListener('focusout', () => queueMicrotask(() => {  // gone elsewhere (not: removed with the element)
      if (this.root.isConnected && !this.root.contains(this.root.getRootNode().activeElement)) this.focused = null;
    }));
  }

  // the root font size changed (projector mode, ui/projector.py): rebuild at the new size
  relayout() {
    if (!this.net) return;
    this.build();
    if (this.boundary) this.boundary.setData(this.data, this.net);
    if (this.curve) this.curve.setData(this.data, this.net);
    this.dirty = true;
    this.paint();
  }

  receive(data, arrays, parent) {
    this.frames++;
    this.attach(parent);
    this.show = data.show;  // what the picture shows: test points, flat colours (boundary.js setShow)
    if (data.full || data.id !== this.id) this.start(data, arrays);
    else this.hist.append(data.hist);
    if (this.boundary) this.boundary.setShow(this.show);
    this.hist.setEval(data.last_eval);
    const net = this.net;
    Object.assign(net, netParams(arrays, net.sizes.length - 1));
    if (arrays.tiles) this.tilesData = { ...data.tiles, bytes: arrays.tiles };
    if (this.graph) this.graph.receive(data.graph, arrays);
    this.status = data.status;
    if (this.smooth !== data.smooth && this.curves) {  // the batch size changed: loss chart with/without average
      this.smooth = data.smooth; this.curves.destroy(); this.curves = new Curves(this.curvesHost, 'curves', net, data.smooth);
    }
    this.dirty = true;
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.paint(); });
  }

  attach(parent) {
    if (this.root.parentNode === parent) return;
    const had = this.focused;
    parent.appendChild(this.root);  // a remount: move, don't rebuild
    if (had && this.root.contains(had)) had.focus({ preventScroll: true });  // and keep the keyboard's place
  }

  // a full frame: (re)start from the model's architecture, the data and the whole history
  start(data, arrays) {
    this.id = data.id;
    this.net = { ...data.net };
    this.data = { ...data.data, xy: arrays.xy, y: arrays.y, x: arrays.x, t: arrays.t };  // x, t: regression
    this.parts = data.parts;
    this.smooth = data.smooth;
    this.hist = new History(this.net.sizes.length - 1);
    this.hist.append(data.hist);
    // points added by hand change n_train, not the layout (the views keep their focus)
    const key = JSON.stringify([data.parts, data.net, { ...data.data, n_train: 0, by_hand: 0 }, data.smooth]);
    if (key !== this.layoutKey) { this.layoutKey = key; this.build(); }
    if (this.boundary) this.boundary.setData(this.data, this.net);  // the points may differ
    if (this.curve) this.curve.setData(this.data, this.net);
    if (this.hand) this.hand.setData(this.data);
  }

  build() {
    for (const c of [this.curves, this.layers, this.graph, this.hand]) if (c) c.destroy();
    this.boundary = this.heatmaps = this.tiles = this.curves = this.layers = this.curve = this.graph = this.hand = null;
    const has = (p) => this.parts.includes(p), net = this.net, mnist = !!this.data.image_shape;
    const L = net.sizes.length - 1;
    this.root.innerHTML = '';
    const add = (cls, parent = this.root) => { const e = document.createElement('div'); e.className = cls; parent.appendChild(e); return e; };
    this.statusCells = null;
    if (this.announcer) this.announcer.destroy();
    this.announcer = has('status') ? new Announcer(this.root) : null;  // the status for a screen reader (a11y.js)
    if (has('status')) this.statusEl = add('bp-status');
    const pic = has('boundary') || has('tiles') || has('curve');
    const right = has('curves') || has('graph');
    const top = pic || right ? add(`bp-top${right && pic ? ' bp-two' : ''}`) : null;
    if (has('boundary')) {
      this.boundary = new (net.problem === 'regression' ? ValueField : Boundary)(add('bp-left', top));
      this.boundary.setShow(this.show);
    }
    if (has('curve')) this.curve = new CurveFit(add('bp-left', top));  // 1-D regression
    if (has('hand') && this.boundary) { this.hand = new HandData(this.boundary, this.name.split('/')[0]); this.hand.setData(this.data); }
    if (has('graph')) { this.graph = new Graph(add('bp-right', top), this); this.graph.setNet(net, this.data); }
    if (has('tiles')) {
      const left = add('bp-left', top);
      left.innerHTML = '<h2>What the first layer learned</h2>';
      this.tiles = new Tiles(left);
    }
    if (has('curves')) { this.curvesHost = add('bp-right', top); this.curves = new Curves(this.curvesHost, 'curves', net, this.smooth); }
    if (has('weights')) {
      const sec = add('bp-section');
      const first = mnist ? 1 : 0;
      sec.innerHTML = `<h2>${mnist ? 'Weights and biases of the upper layers' : 'Weights and biases'}</h2>`
        + '<p class="bp-caption">One heatmap per layer: W<sub>l</sub> has shape n<sub>l−1</sub> × n<sub>l</sub> (rows: the layer below, '
        + 'columns: this layer), its bias b<sub>l</sub> is the row under it; red &gt; 0 &gt; blue, centred at 0. Hover a cell for its value.</p>';
      if (first >= L) sec.insertAdjacentHTML('beforeend', '<p class="bp-caption">No hidden layer: W1 (the tiles above) is the only weight matrix.</p>');
      else { this.heatmaps = new Heatmaps(sec); this.heatmaps.setNet(net, first, this.data.classes); }
    }
    if (has('layers')) this.layers = new Curves(add('bp-section'), 'layers', net, false);
  }

  paint() {
    if (!this.dirty) return;
    this.dirty = false;
    const net = this.net;
    if (this.statusEl) this.drawStatus();
    if (this.boundary) this.boundary.paint(net);
    if (this.curve) this.curve.paint(net);
    if (this.graph) this.graph.paint(net);
    if (this.tiles && this.tilesData) this.tiles.paint(this.tilesData, this.data.image_shape, [net.sizes[0], net.sizes[1]]);
    if (this.heatmaps) this.heatmaps.paint(net.W, net.b, net.bnParams, this.status.step);
    if (this.curves) this.curves.update(this.hist);
    if (this.layers) this.layers.update(this.hist);
  }

  // the status line: built once, then only the numbers that changed are rewritten (a new
  // innerHTML per frame would rebuild its DOM and restyle it 60 times a second)
  drawStatus() {
    const s = this.status;
    const score = this.net.problem === 'regression' ? r2 : pct;
    const values = [s.step.toLocaleString('en-US'), s.epoch.toLocaleString('en-US'), num(s.loss), score(s.acc),
      num(s.tloss), score(s.tacc), s.playing ? 'playing' : 'paused'];
    if (!this.statusCells) {
      const keys = this.net.problem === 'regression'  // R², not an accuracy: a regression net has none
        ? ['step', 'epoch', 'loss (batch)', 'train R² (batch)', 'test loss', 'test R²']
        : ['step', 'epoch', 'loss (batch)', 'train acc (batch)', 'test loss', 'test acc'];
      this.statusEl.innerHTML = keys.map((k) => `<div><div class="k">${k}</div><div class="v"></div></div>`).join('')
        + '<div class="bp-state"></div>';
      this.statusCells = [...this.statusEl.querySelectorAll('.v'), this.statusEl.querySelector('.bp-state')];
      this.statusShown = [];
    }
    values.forEach((v, i) => {
      if (this.statusShown[i] !== v) { this.statusCells[i].textContent = v; this.statusShown[i] = v; }
    });
    const what = this.net.problem === 'regression' ? 'R²' : 'accuracy';
    this.announcer.update(`${values[6]}, step ${values[0]}, epoch ${values[1]}: batch loss ${values[2]}, train ${what} `
      + `${values[3]}, test loss ${values[4]}, test ${what} ${values[5]}`, s.playing);
  }

  // counters for tests and benchmarks
  get paints() {
    return { boundary: this.boundary ? this.boundary.paints : 0, heatmaps: this.heatmaps ? this.heatmaps.paints : 0,
      tiles: this.tiles ? this.tiles.paints : 0, curve: this.curve ? this.curve.paints : 0, curves: this.curves ? this.curves.paints : 0,
      layers: this.layers ? this.layers.paints : 0, graph: this.graph ? this.graph.paints : 0 };
  }
}

// the element lives in a shadow root: our stylesheets go inside it, once
function styleShadow(parent) {
  const shadow = parent.getRootNode();
  if (shadow && shadow !== document && !shadow.querySelector('link[data-bp-css]')) {
    for (const href of CSS) {
      const link = document.createElement('link');
      link.rel = 'stylesheet'; link.href = href; link.dataset.bpCss = '1';
      shadow.insertBefore(link, shadow.firstChild);
    }
  }
}

export function render(component) {
  const { data, parentElement } = component;
  if (!(data instanceof Uint8Array)) return;
  styleShadow(parentElement);
  const { meta, arrays } = unpack(data);
  if (meta.parts[0] === 'checkpoint') return checkpoint.render(meta, arrays, component);
  if (meta.parts[0] === 'edits') return edits.render(meta, component);  // the page's channel for changes by hand
  let v = views.get(meta.view);
  if (!v) { v = meta.parts[0] === 'compare' ? new CompareView(meta.view) : new View(meta.view); views.set(meta.view, v); }
  try {
    v.receive(meta, arrays, parentElement);
  } catch (e) {
    // never a blank area without a word: say what failed (the server keeps training)
    parentElement.textContent = `The live view failed to draw: ${e.message}`;
    throw e;
  }
}
