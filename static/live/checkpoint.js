// The browser's copy of the run (the server half: ui/checkpoint.py, which says why, what and when).
//
// The server sends this element the run file ("Take it home"'s .npz bytes) after every change of
// the run and every few seconds while playing; it is kept here, in IndexedDB, one record per page
// and tab. When the page opens in a server session that did not write it (a restart, a redeploy,
// a reload, a session that expired while the laptop slept), the element offers
// "Continue your run from step N"; the click sends the bytes back to the server, which continues
// them exactly as an uploaded run file (or answers with one sentence, and nothing changes).
//
// Storage: database "backprop-playground", stores "meta" (a small description per record) and
// "runs" (the bytes), both keyed "<page>|<tab>". The tab's name lives in sessionStorage, so a
// reload keeps it and two tabs keep two runs; a tab without a record of its own is offered the
// newest record of the page from another tab. At most KEEP records per page (the oldest go).

const DB_NAME = 'backprop-playground', META = 'meta', RUNS = 'runs';
const SCHEMA = 1;  // of the description below; another value is refused with a sentence
const KEEP = 3;    // records per page (tabs)

const pages = new Map();
window.__bpCheckpoint = pages;  // for the browser tests: each page's state (checked, offer, note, saves)

function newName() { return Math.random().toString(36).slice(2, 10) + Date.now().toString(36); }
const TAB = (() => {
  try {
    let t = sessionStorage.getItem('bp-tab');
    if (!t) { t = newName(); sessionStorage.setItem('bp-tab', t); }
    return t;
  } catch (e) { return newName(); }  // storage blocked: this tab still has a name for this visit
})();
pages.tab = TAB;

const fmt = (n) => Number(n).toLocaleString('en-US');
const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MB`;
const keyOf = (page, tab = TAB) => `${page}|${tab}`;
const pageRange = (page) => IDBKeyRange.bound(`${page}|`, `${page}|\uffff`);

// ----------------------------------------------------------------------------- IndexedDB
let dbPromise = null;
function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const rq = indexedDB.open(DB_NAME, 1);
      rq.onupgradeneeded = () => { for (const s of [META, RUNS]) if (!rq.result.objectStoreNames.contains(s)) rq.result.createObjectStore(s); };
      rq.onsuccess = () => { const db = rq.result; db.onversionchange = () => { db.close(); dbPromise = null; }; resolve(db); };
      rq.onerror = () => reject(rq.error);
      rq.onblocked = () => reject(new Error('the storage is held by another tab'));
    });
    dbPromise.catch(() => { dbPromise = null; });  // try again at the next checkpoint
  }
  return dbPromise;
}

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

// one transaction over both stores; body(meta, runs) may await requests; a throw aborts it all
async function transact(mode, body) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction([META, RUNS], mode);
    let out, err = null;
    t.oncomplete = () => resolve(out);
    t.onabort = () => reject(err || t.error || new Error('the storage refused it'));
    Promise.resolve().then(() => body(t.objectStore(META), t.objectStore(RUNS))).then(
      (v) => { out = v; }, (e) => { err = e; try { t.abort(); } catch (_) { /* already finished */ } });
  });
}

async function pageRecords(meta, page) {
  const [keys, vals] = await Promise.all([req(meta.getAllKeys(pageRange(page))), req(meta.getAll(pageRange(page)))]);
  return keys.map((key, i) => ({ key, rec: vals[i] }));
}

// ----------------------------------------------------------------------------- the records
// why a description cannot be offered, or null
function problem(rec, p) {
  if (!rec || typeof rec !== 'object') return 'its description is unreadable';
  if (rec.schema !== SCHEMA) return 'it was written in a format this version of the app does not read';
  if (rec.page !== p.page) return 'it belongs to another page';
  if (!Number.isInteger(rec.step) || rec.step < 1) return 'its step number is not valid';
  if (typeof rec.session !== 'string' || !Number.isFinite(rec.saved)) return 'its description is incomplete';
  if (!Number.isInteger(rec.bytes) || rec.bytes < 1) return 'its size is not valid';
  if (rec.bytes > p.max) return `it is ${mb(rec.bytes)}, more than the ${mb(p.max)} the app takes back`;
  return null;
}

// a new server session: is there a run of this page to offer?
async function lookup(p, token) {
  const found = await transact('readonly', async (meta, runs) => {
    const recs = await pageRecords(meta, p.page);
    const own = recs.find((r) => r.key === keyOf(p.page));
    const others = recs.filter((r) => r !== own && !problem(r.rec, p) && r.rec.session !== token)
      .sort((a, b) => b.rec.saved - a.rec.saved);
    const pick = own || others[0] || recs.find((r) => problem(r.rec, p));
    if (!pick || (pick.rec && pick.rec.session === token)) return null;  // nothing, or this session's own
    const why = problem(pick.rec, p);
    if (why) return { pick, why };
    const buf = await req(runs.get(pick.key));
    if (!(buf instanceof ArrayBuffer) || buf.byteLength !== pick.rec.bytes) return { pick, why: 'its bytes are missing or incomplete' };
    return { pick, buf, own: pick === own };
  });
  if (token !== p.token || !found) return;
  if (found.why) {
    p.bad = found.pick.key;
    p.note = { text: `This browser kept a copy of a run on this page, but it cannot be used: ${found.why}. `
      + 'Nothing was changed (Reset discards it).', alert: true };
  } else {
    p.offer = { key: found.pick.key, rec: found.pick.rec, buf: found.buf, own: found.own };
  }
}

async function save(p, ck, run) {
  const rec = { schema: SCHEMA, page: p.page, tab: TAB, session: ck.token, step: ck.step, epoch: ck.epoch,
    build: ck.build, query: ck.query, saved: Date.now(), bytes: run.byteLength };
  const key = keyOf(p.page);
  try {
    await transact('readwrite', async (meta, runs) => {
      runs.put(run.buffer, key);  // the bytes first: a refused write leaves no description without them
      meta.put(rec, key);
      const recs = await pageRecords(meta, p.page);
      const older = recs.filter((r) => r.key !== key)
        .sort((a, b) => ((b.rec && b.rec.saved) || 0) - ((a.rec && a.rec.saved) || 0)).slice(KEEP - 1);
      for (const r of older) { meta.delete(r.key); runs.delete(r.key); }
    });
  } catch (e) {
    const why = e && e.name === 'QuotaExceededError' ? 'its storage for this site is full' : `${(e && e.name) || e}`;
    p.note = { text: `This browser did not keep a copy of the run at step ${fmt(ck.step)} (${why}): if the server `
      + 'restarts, the run is lost unless you download it (Look inside backprop → Take it home).', storage: true };
    return;
  }
  p.offer = null; p.pending = null; p.bad = null;  // this tab's run is the one kept now
  if (p.note && p.note.storage) p.note = null;
  p.saves++; p.savedStep = ck.step;
}

// the run is back at step 0 (or cannot be kept): Reset discards what this tab keeps and offers;
// a rebuild or lesson only a record this session wrote
async function clear(p, ck) {
  const own = keyOf(p.page), gone = [];
  if (ck.reset) {
    gone.push(own, ...[p.offer && p.offer.key, p.bad].filter(Boolean));
    p.offer = null; p.bad = null; p.pending = null;
    if (p.note && !p.note.server) p.note = null;
  }
  if (ck.op === 'toolarge') {
    p.note = { text: `This run is ${mb(ck.size)}, too large for this browser to keep (at most ${mb(p.max)}): if the `
      + 'server restarts it is lost unless you download it (Look inside backprop → Take it home).', storage: true };
  }
  await transact('readwrite', async (meta, runs) => {
    if (!ck.reset) {
      const rec = await req(meta.get(own));
      if (rec && rec.session === ck.token) gone.push(own);
    }
    for (const k of gone) { meta.delete(k); runs.delete(k); }
  });
  if (ck.reset || gone.length) p.savedStep = null;
}

// ----------------------------------------------------------------------------- the element
function toBase64(buf) {
  const u8 = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  return btoa(s);
}

function go(p) {
  const o = p.offer;
  if (!o || !p.component) return;
  p.offer = null; p.pending = o.rec.step;
  draw(p);
  p.component.setTriggerValue('restore', { data: toBase64(o.buf), step: o.rec.step, build: o.rec.build });
}

const CSS = `
.bp-ckpt { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .9rem; padding: .55rem .8rem;
  border-radius: .5rem; background: var(--st-secondary-background-color, #f4f6f9); font-size: .9rem; }
.bp-ckpt button { font: inherit; font-weight: 600; padding: .35rem .8rem; border-radius: .5rem; cursor: pointer;
  color: #fff; background: var(--st-primary-color, #1f77b4); border: 1px solid var(--st-primary-color, #1f77b4); }
.bp-ckpt button:disabled { opacity: .6; cursor: progress; }
.bp-ckpt .bp-why { flex: 1 1 24rem; color: var(--st-text-color, #1f2328); opacity: .85; }
.bp-ckpt-note { padding: .55rem .8rem; border-radius: .5rem; font-size: .9rem; background: #fff4e5; color: #5c3b00; }
.bp-ckpt-host:empty { display: none; }
`;

function attach(p, parent) {
  if (!p.host) { p.host = document.createElement('div'); p.host.className = 'bp-ckpt-host'; }
  const root = parent.getRootNode();
  if (root && root !== document && !root.querySelector('style[data-bp-ckpt]')) {
    const style = document.createElement('style');
    style.dataset.bpCkpt = '1'; style.textContent = CSS;
    root.insertBefore(style, root.firstChild);
  }
  if (p.host.parentNode !== parent) parent.appendChild(p.host);
}

function draw(p) {
  if (!p.host) return;
  const parts = [];
  if (p.offer || p.pending) {
    const box = document.createElement('div');
    box.className = 'bp-ckpt';
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'Your run, kept by this browser');
    const btn = document.createElement('button');
    btn.type = 'button';
    if (p.offer) {
      const r = p.offer.rec, when = new Date(r.saved);
      btn.textContent = `Continue your run from step ${fmt(r.step)}`;
      btn.onclick = () => go(p);
      const sameDay = when.toDateString() === new Date().toDateString();
      let why = `Kept by this browser${p.offer.own ? '' : ' (another tab)'} at ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
        + `${sameDay ? '' : ` on ${when.toLocaleDateString()}`}, step ${fmt(r.step)}, epoch ${fmt(r.epoch)}.`;
      if (r.build !== p.build) why += ' Saved by another version of the app: it continues if this version reads it.';
      if (r.query !== p.query) why += ' Trained with other settings than this page has now: continuing gives the sidebar its settings.';
      why += ' Training here instead (Play, Step) starts a new run and replaces it; Reset discards it.';
      const span = document.createElement('span');
      span.className = 'bp-why'; span.textContent = why;
      box.append(btn, span);
    } else {
      btn.textContent = `Continuing your run from step ${fmt(p.pending)}…`;
      btn.disabled = true;
      box.append(btn);
    }
    parts.push(box);
  }
  if (p.note) {
    const note = document.createElement('div');
    note.className = 'bp-ckpt-note';
    note.setAttribute('role', p.note.alert ? 'alert' : 'status');
    note.textContent = p.note.text;
    parts.push(note);
  }
  p.host.replaceChildren(...parts);
  // nothing to show: fold Streamlit's box of this element too, or its gap would push the page down
  const root = p.host.getRootNode(), box = root && root.host && root.host.closest('[data-testid="stElementContainer"]');
  if (box) box.style.display = parts.length ? '' : 'none';
}

function pageState(page) {
  let p = pages.get(page);
  if (!p) {
    p = { page, token: null, checked: false, offer: null, pending: null, note: null, bad: null, saves: 0,
      savedStep: null, errors: [], queue: Promise.resolve() };
    pages.set(page, p);
  }
  return p;
}

// storage work in order (a lookup before the save that follows it), then a redraw
function later(p, fn) {
  p.queue = p.queue.then(fn).catch((e) => { p.errors.push(String((e && e.message) || e)); })
    .then(() => draw(p));
}

// one message of the checkpoint element (ui/checkpoint.py frame(): meta.ck, arrays.run)
export function render(meta, arrays, component) {
  const ck = meta.ck, p = pageState(ck.page);
  p.component = component; p.max = ck.max; p.query = ck.query; p.build = ck.build;
  attach(p, component.parentElement);
  if (ck.token !== p.token) {  // a new server session
    p.token = ck.token; p.offer = null; p.pending = null; p.note = null; p.bad = null; p.checked = false;
    const token = ck.token;
    later(p, async () => { try { await lookup(p, token); } finally { if (token === p.token) p.checked = true; } });
  }
  if (ck.error) { p.note = { text: ck.error, alert: true, server: true }; p.offer = null; p.pending = null; }
  else if (p.note && p.note.server) p.note = null;
  if (ck.op === 'save' && arrays.run) later(p, () => save(p, ck, arrays.run));
  else if (ck.op === 'clear' || ck.op === 'toolarge') later(p, () => clear(p, ck));
  draw(p);
}
