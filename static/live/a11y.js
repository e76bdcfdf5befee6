// The live view for a screen reader: names for the pictures, the status as a polite live
// region that speaks at most every few seconds, the charts' latest values in their names and
// each weight matrix as a table on demand (the heatmaps' values are otherwise only on hover).
// Used by main.js, boundary.js, curves.js, heatmaps.js and compare.js; tested in
// tests/test_browser_a11y.py.

// While training plays, frames arrive up to 60 times a second: a live region rewritten that
// often would be read out without end (or not at all: screen readers drop a queue that long).
// So it speaks at most once per ANNOUNCE_MS while playing, and SETTLE_MS after the last change
// otherwise (a Step, Pause or Reset: one short sentence each).
export const ANNOUNCE_MS = 5000;
const SETTLE_MS = 300;

// an element as a picture with a name (role img: a screen reader reads the name, not the pixels)
export function label(el, name) {
  if (el.getAttribute('role') !== 'img') el.setAttribute('role', 'img');
  if (el.getAttribute('aria-label') !== name) el.setAttribute('aria-label', name);
}

export class Announcer {
  constructor(host) {
    this.el = document.createElement('div');
    this.el.className = 'bp-sr';
    this.el.setAttribute('role', 'status');
    this.el.setAttribute('aria-live', 'polite');
    this.el.setAttribute('aria-atomic', 'true');
    host.appendChild(this.el);
    this.pending = ''; this.last = -Infinity; this.timer = null; this.said = 0;
  }

  // the sentence for the newest frame; it is spoken later, or replaced by a newer one first
  update(text, playing) {
    this.pending = text;
    if (playing && this.timer) return;  // the next turn is already booked: it takes the newest text
    clearTimeout(this.timer);
    const now = performance.now();
    const at = playing ? Math.max(this.last + ANNOUNCE_MS, now + SETTLE_MS) : now + SETTLE_MS;
    this.timer = setTimeout(() => this.flush(), at - now);
  }

  flush() {
    this.timer = null;
    if (this.pending === this.el.textContent) return;
    this.el.textContent = this.pending;
    this.last = performance.now();
    this.said++;
  }

  destroy() { clearTimeout(this.timer); this.el.remove(); }
}

// a number for a table cell or a sentence: 4 significant digits, a real minus sign
export function num(v) {
  if (v == null || Number.isNaN(v)) return '–';
  const s = Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(4));
  return s.replace('-', '−');
}

const MAX_ROWS = 64, MAX_COLS = 64;  // a 256 x 256 matrix as 65,536 cells helps nobody

// One weight matrix as an HTML table: a header row (the units it goes to), one row per unit it
// comes from, then the bias row (and batch norm's gamma and beta rows).
// rows: [{ name, values }] with values of length cols; colNames: the column headers
export function matrixTable(caption, rowHeader, colNames, rows) {
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const cols = Math.min(colNames.length, MAX_COLS);
  const cut = [];
  if (colNames.length > cols) cut.push(`the first ${cols} of ${colNames.length} columns`);
  const weights = rows.filter((r) => !r.extra), extras = rows.filter((r) => r.extra);  // extras: bias, γ, β
  if (weights.length > MAX_ROWS) cut.push(`the first ${MAX_ROWS} of ${weights.length} rows`);
  const body = [...weights.slice(0, MAX_ROWS), ...extras];
  return `<table class="bp-table"><caption>${esc(caption)}${cut.length ? ` (${cut.join(', ')})` : ''}</caption>`
    + `<thead><tr><th scope="col">${esc(rowHeader)}</th>${colNames.slice(0, cols).map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead>`
    + `<tbody>${body.map((r) => `<tr${r.extra ? ' class="bp-extra"' : ''}><th scope="row">${esc(r.name)}</th>`
      + `${Array.from({ length: cols }, (_, j) => `<td>${num(r.values[j])}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}
