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
    this.onClick = (e) => this.click(e);
    boundary.points.addEventListener('click', this.onClick);
    this.stop = edits.listen(page, (r) => this.reply(r));
    this.clicks = 0;
  }

  destroy() { this.stop(); this.b.points.removeEventListener('click', this.onClick); this.el.remove(); }

  // the data of a full frame: the classes (one button each) and what was edited by hand
  setData(data) {
    this.data = data;
    const key = JSON.stringify([data.classes, data.colors]);
    if (key !== this.key) { this.key = key; this.build(data); }
    const h = data.by_hand;
    if (!h && this.edited.contains(this.edited.getRootNode().activeElement)) this.el.querySelector('button[aria-pressed=true]').focus();
    this.edited.hidden = !h;
    if (h) {
      this.editedText.textContent = `Edited by hand: ${h.added} added, ${h.removed} removed, `
        + `${data.n_train.toLocaleString('en-US')} training points now; the test set is as generated. A share link cannot `
        + 'carry these points: it says edited=points. ';
    }
  }

  // built once per set of classes; the changes only rewrite texts (the keyboard keeps its place)
  build(data) {
    if (this.mode !== null && this.mode >= data.classes.length) this.mode = null;
    const cls = data.classes.map((name, k) => `<button type="button" data-k="${k}" aria-pressed="false">`
      + `<b style="color:${data.colors[k % data.colors.length]}" aria-hidden="true">●</b> ${escape(name)}</button>`).join('');
    this.el.innerHTML = '<div class="bp-hand-row" role="group" aria-label="Data by hand: the class a click on the picture adds">'
      + '<span class="bp-hand-k">Click the picture to add:</span>'
      + `<button type="button" data-k="" aria-pressed="true">nothing</button>${cls}</div>`
      + '<p class="bp-hand-edited" hidden><span></span><button type="button" class="bp-hand-undo">Back to the data as '
      + 'generated</button></p>'
      + '<div class="bp-hand-more" hidden><p>Click adds a training point of that class, shift-click removes the '
      + 'nearest filled (training) point; the test points (hollow) stay as they are. The weights are kept: training '
      + 'continues on the new points. Or type a point:</p><form>'
      + `<label>x₁ <input name="x1" type="text" inputmode="decimal" autocomplete="off"></label>`
      + `<label>x₂ <input name="x2" type="text" inputmode="decimal" autocomplete="off"></label>`
      + '<button type="submit">Add</button><button type="button" class="bp-hand-rm">Remove the nearest</button></form></div>'
      + '<p class="bp-hand-msg" role="status"></p>';
    this.more = this.el.querySelector('.bp-hand-more');
    this.msg = this.el.querySelector('.bp-hand-msg');
    this.edited = this.el.querySelector('.bp-hand-edited');
    this.editedText = this.edited.querySelector('span');
    for (const btn of this.el.querySelectorAll('button[data-k]')) {
      btn.addEventListener('click', () => this.choose(btn.dataset.k === '' ? null : +btn.dataset.k));
    }
    this.el.querySelector('.bp-hand-undo').addEventListener('click', () => this.send({ kind: 'revert' }, 'Putting the data back as generated…'));
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
