// Changes by hand, browser -> server (the server half: ui/byhand.py, which says why it is shaped
// so). Each training page draws one invisible element of the live view's component, its channel;
// graph.js (a typed weight or bias) and points.js (a clicked point) hand their changes to
// send(). Changes are numbered; every one not yet acknowledged travels with each message
// (setTriggerValue: a full re-run of the page), because Streamlit keeps only the newest trigger
// of an element when two arrive before the script runs. The channel's next message says up to
// which number the server applied them and what each one did (a sentence), which goes back to
// the module that sent it.

const channels = new Map();  // page -> its channel's state
window.__bpEdits = channels;  // for the browser tests: what was sent, what is pending, the replies

const RESEND_MS = 2000;  // a change still unanswered after this long (its message was lost) goes again

function channel(page) {
  let c = channels.get(page);
  if (!c) {
    c = { page, component: null, token: null, applied: 0, next: 1, pending: [], seen: new Set(), replies: [],
      listeners: new Set(), limits: {}, sent: 0, timer: null };
    channels.set(page, c);
  }
  return c;
}

function push(c) {
  clearTimeout(c.timer);
  c.timer = null;
  if (!c.pending.length || !c.component) return;
  const host = c.component.parentElement;
  if (host && !host.isConnected) return;  // the page was left: its next channel message sends them again
  c.component.setTriggerValue('edit', { token: c.token, ops: c.pending });
  c.sent++;
  c.timer = setTimeout(() => push(c), RESEND_MS);
}

// hide Streamlit's box of the channel element: it draws nothing (its gap would push the page down)
function fold(parent) {
  const root = parent.getRootNode(), box = root && root.host && root.host.closest('[data-testid="stElementContainer"]');
  if (box) box.style.display = 'none';
}

// one message of a page's channel (ui/byhand.py channel(): meta.edits)
export function render(meta, component) {
  const e = meta.edits, c = channel(e.page);
  c.component = component;
  c.limits = { maxValue: e.max_value, maxOps: e.max_ops, radius: e.radius };
  fold(component.parentElement);
  if (e.token !== c.token) {  // a new server session: its numbering starts at its own count
    c.token = e.token; c.pending = []; c.seen.clear(); c.next = e.applied + 1;
  }
  c.applied = e.applied;
  c.next = Math.max(c.next, e.applied + 1);
  c.pending = c.pending.filter((op) => op.seq > e.applied);
  for (const r of e.results) {
    const id = r.seq ? r.seq : `0:${r.msg}`;  // seq 0: a refused message (numbered by the server), said once
    if (c.seen.has(id)) continue;
    c.seen.add(id);
    c.replies.push(r);
    if (c.replies.length > 50) c.replies.shift();
    if (!r.seq) c.pending = [];  // the server refused the whole message: sending it again would not help
    for (const fn of c.listeners) fn(r);
  }
  if (c.pending.length) { if (!c.timer) c.timer = setTimeout(() => push(c), RESEND_MS); } else { clearTimeout(c.timer); c.timer = null; }
}

// Send one change of ``page`` ({kind: 'param' | 'add' | 'remove' | 'revert', ...}) -> its number,
// or a sentence (string) saying why it cannot go now.
export function send(page, op) {
  const c = channels.get(page);
  if (!c || !c.component) return 'The page is still loading; try again in a moment.';
  if (c.pending.length >= (c.limits.maxOps || 32)) return 'Wait a moment: the page is still applying your last changes.';
  const seq = c.next++;
  c.pending.push({ ...op, seq });
  push(c);
  return seq;
}

// fn(reply) for every reply of ``page``'s channel ({seq, ok, text}); returns a function that stops it
export function listen(page, fn) {
  const c = channel(page);
  c.listeners.add(fn);
  return () => c.listeners.delete(fn);
}

export function limits(page) {
  return channel(page).limits;
}
