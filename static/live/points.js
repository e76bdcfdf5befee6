// Data by hand on the 2-D pages (ConvNetJS's classify2d demo): choose a class under the picture,
// then a click on the picture adds a training point of that class there and a shift-click removes
// the nearest filled (training) point. The same by keyboard: type x₁ and x₂. Each change goes to
// the server through the page's channel (edits.js; ui/byhand.py -> ui/lab.py -> engine
// add_point / remove_nearest / Trainer.set_data), which answers with a sentence; the next frame
// carries the new points. The weights are kept and training continues on the new data; the test
// points (hollow) never change.

const V = new URL(import.meta.url).search;
const edits = await import(`./edits.js${V}`);
const { escape } = await import(`./boundary.js${V}`);

const CSS = `
.bp-hand { margin-top: 0.45rem; font-size: 0.8rem; }
.bp-hand-row { display: flex; flex-wrap: wrap; gap: 0.3rem 0.4rem; align-items: center; }
.bp-hand-k { color: #5a5e66; }
.bp-hand button { font: inherit; font-size: 0.8rem; min-height: 24px; padding: 2px 8px; cursor: pointer;
  border: 1px solid #8a8f98; border-radius: 4px; background: #fff; color: inherit; }
.bp-hand button[aria-pressed="true"] { background: #1c5d99; border-color: #1c5d99; color: #fff; }
.bp-hand button[aria-pressed="true"] b { text-shadow: 0 0 2px #fff; }
.bp-hand button:focus-visible, .bp-hand input:focus-visible { outline: 2px solid #1c5d99; outline-offset: 1px; }
.bp-hand-more { margin-top: 0.3rem; }
.bp-hand-more[hidden] { display: none; }
.bp-hand-more p { margin: 0 0 0.3rem; color: #5a5e66; }
.bp-hand form { display: flex; flex-wrap: wrap; gap: 0.3rem 0.4rem; align-items: center; }
.bp-hand input { font: inherit; width: 4.2rem; padding: 1px 4px; border: 1px solid #8a8f98; border-radius: 4px; }
.bp-hand-msg { margin: 0.3rem 0 0; min-height: 1.1em; }
.bp-hand-msg.bp-bad { color: #a4001d; }
.bp-hand-on .bp-points { cursor: copy; }
`;

function parseNum(text) {
  const t = String(text).trim().replace(/^[−–]/, '-');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export class HandData {
  // boundary: the Boundary (boundary.js) whose picture takes the clicks; page: "xor", ...
  constructor(boundary, page) {
    this.b = boundary; this.page = page;
    this.mode = null;  // the class a click adds, or null: clicks do nothing
    this.sent = new Map();
    this.el = document.createElement('div');
    this.el.className = 'bp-hand';
    boundary.el.appendChild(this.el);
    const root = this.el.getRootNode(), where = root && root !== document ? root : document.head;
    if (!where.querySelector('style[data-bp-hand]')) {
      const s = document.createElement('style');
      s.dataset.bpHand = '1'; s.textContent = CSS;
      where.prepend(s);
    }
    this.onClick = (e) => this.click(e);
    boundary.points.addEventListener('click', this.onClick);
    this.stop = edits.listen(page, (r) => this.reply(r));
    this.clicks = 0;
  }

  destroy() { this.stop(); this.b.points.removeEventListener('click', this.onClick); this.el.remove(); }

  // the data of a full frame: the classes (one button each) and whether they were edited
  setData(data) {
    const key = JSON.stringify([data.classes, data.colors, !!data.by_hand]);
    if (key === this.key) return;
    this.key = key;
    this.data = data;
    if (this.mode !== null && this.mode >= data.classes.length) this.mode = null;
    const cls = data.classes.map((name, k) => `<button type="button" data-k="${k}" aria-pressed="false">`
      + `<b style="color:${data.colors[k % data.colors.length]}" aria-hidden="true">●</b> ${escape(name)}</button>`).join('');
    this.el.innerHTML = '<div class="bp-hand-row" role="group" aria-label="Data by hand: the class a click on the picture adds">'
      + '<span class="bp-hand-k">Click the picture to add:</span>'
      + `<button type="button" data-k="" aria-pressed="true">nothing</button>${cls}`
      + (data.by_hand ? '<button type="button" class="bp-hand-undo">Back to the data as generated</button>' : '')
      + '</div><div class="bp-hand-more" hidden><p>Click adds a training point of that class, shift-click removes the '
      + 'nearest filled (training) point; the test points (hollow) stay as they are. The weights are kept: training '
      + 'continues on the new points. Or type a point:</p><form>'
      + `<label>x₁ <input name="x1" type="text" inputmode="decimal" autocomplete="off"></label>`
      + `<label>x₂ <input name="x2" type="text" inputmode="decimal" autocomplete="off"></label>`
      + '<button type="submit">Add</button><button type="button" class="bp-hand-rm">Remove the nearest</button></form></div>'
      + '<p class="bp-hand-msg" role="status"></p>';
    this.more = this.el.querySelector('.bp-hand-more');
    this.msg = this.el.querySelector('.bp-hand-msg');
    for (const btn of this.el.querySelectorAll('button[data-k]')) {
      btn.addEventListener('click', () => this.choose(btn.dataset.k === '' ? null : +btn.dataset.k));
    }
    const undo = this.el.querySelector('.bp-hand-undo');
    if (undo) undo.addEventListener('click', () => this.send({ kind: 'revert' }, 'Putting the data back as generated…'));
    const form = this.el.querySelector('form');
    form.addEventListener('submit', (e) => { e.preventDefault(); this.typed('add'); });
    this.el.querySelector('.bp-hand-rm').addEventListener('click', () => this.typed('remove'));
    this.choose(this.mode);
    if (this.lastText) this.say(this.lastText, this.lastBad);
  }

  choose(k) {
    this.mode = k;
    for (const btn of this.el.querySelectorAll('button[data-k]')) {
      btn.setAttribute('aria-pressed', String((btn.dataset.k === '' ? null : +btn.dataset.k) === k));
    }
    this.more.hidden = k === null;
    this.b.el.classList.toggle('bp-hand-on', k !== null);
  }

  say(text, bad) {
    this.lastText = text; this.lastBad = bad;
    this.msg.textContent = text;
    this.msg.classList.toggle('bp-bad', !!bad);
    this.msg.setAttribute('role', bad ? 'alert' : 'status');
  }

  // picture pixels -> data coordinates (the Boundary's hover does the same)
  toData(e) {
    const r = this.b.points.getBoundingClientRect(), [x0, x1, y0, y1] = this.b.data.bounds;
    return [x0 + (e.clientX - r.left) / r.width * (x1 - x0), y1 - (e.clientY - r.top) / r.height * (y1 - y0)];
  }

  click(e) {
    if (this.mode === null || !this.b.data) return;
    this.clicks++;
    const [x, y] = this.toData(e), where = `(${x.toFixed(2)}, ${y.toFixed(2)})`;
    if (e.shiftKey) this.send({ kind: 'remove', x, y }, `Removing the training point nearest to ${where}…`);
    else this.send({ kind: 'add', x, y, label: this.mode }, `Adding a ${this.data.classes[this.mode]} point at ${where}…`);
  }

  typed(kind) {
    const f = this.el.querySelector('form'), x = parseNum(f.x1.value), y = parseNum(f.x2.value);
    if (x === null || y === null) {
      this.say('Type two numbers, x₁ and x₂ (like 0.5 and −0.25). Nothing was changed.', true);
      (x === null ? f.x1 : f.x2).focus();
      return;
    }
    const [x0, x1, y0, y1] = this.b.data.bounds;
    if (x < x0 || x > x1 || y < y0 || y > y1) {
      this.say(`(${x}, ${y}) lies outside the picture: x₁ from ${x0} to ${x1}, x₂ from ${y0} to ${y1}. Nothing was changed.`, true);
      return;
    }
    if (kind === 'add') this.send({ kind, x, y, label: this.mode }, `Adding a ${this.data.classes[this.mode]} point at (${x}, ${y})…`);
    else this.send({ kind, x, y }, `Removing the training point nearest to (${x}, ${y})…`);
  }

  send(op, text) {
    const seq = edits.send(this.page, op);
    if (typeof seq === 'string') { this.say(seq, true); return; }
    this.sent.set(seq, op);
    this.say(text, false);
  }

  reply(r) {
    if (!this.sent.has(r.seq) && r.seq !== 0) return;
    this.sent.delete(r.seq);
    this.say(r.text, !r.ok);
  }
}
