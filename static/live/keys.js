// Keyboard shortcuts of the training pages and Compare: Space = Play / Pause, → or Page Down =
// Step (what a presentation clicker sends), R = Reset. The buttons' tooltips say so.
//
// The live view is rendered in the page's own document (a shadow root, not an iframe), so one
// listener on the window presses the page's real Streamlit buttons, found by the class Streamlit
// gives a keyed element: st-key-<page>-_play, -_step, -_reset (ui/controls.py, ui/page_compare.py).
// It listens in the capture phase, so it runs before Streamlit's own "r" (= rerun) shortcut,
// which it then stops.
//
// A key is left alone (its ordinary meaning wins) when:
// - a modifier is held (Ctrl, Alt, Meta, Shift) or the key repeats (held down);
// - the focus is where keys mean something else: a text field, a number field, a select, anything
//   contenteditable, a slider, radio, tab, list, menu, switch or check box (arrows and Space move
//   them), anything in the sidebar (its widgets), or a part of the live view that moves its own
//   focus with the arrows (data-bp-own-keys: the network graph);
// - for Space: the focus is on a button, link or summary (Space presses *that*);
// - the page has no such button, or it is hidden (a teacher's hide=, ui/hiding.py) or disabled.
// Otherwise the key's default is prevented: Space and Page Down do not scroll the page.

const ACTIONS = { ' ': '_play', ArrowRight: '_step', PageDown: '_step', r: '_reset', R: '_reset' };
const FIELD_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
const KEY_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'listbox', 'option', 'slider', 'spinbutton', 'radio',
  'radiogroup', 'tab', 'tablist', 'menu', 'menubar', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'grid',
  'gridcell', 'tree', 'treeitem', 'switch', 'checkbox']);
const PRESS_TAGS = new Set(['BUTTON', 'A', 'SUMMARY']);
const PRESS_ROLES = new Set(['button', 'link']);

export const counts = { pressed: 0, left: 0 };  // for the browser tests

// whether the element with the focus (the first of the event's composed path, inside shadow
// roots too) or one of its ancestors gives the key its own meaning
function focusTakes(e) {
  const path = e.composedPath ? e.composedPath() : [e.target];
  const first = path[0];
  if (first && first.nodeType === 1 && e.key === ' ') {
    if (PRESS_TAGS.has(first.tagName) || PRESS_ROLES.has(first.getAttribute('role'))) return true;
  }
  for (const el of path) {
    if (!el || el.nodeType !== 1) continue;
    if (FIELD_TAGS.has(el.tagName) || el.isContentEditable) return true;
    if (KEY_ROLES.has(el.getAttribute('role'))) return true;
    if (el.getAttribute('data-testid') === 'stSidebar') return true;
    if (el.hasAttribute('data-bp-own-keys')) return true;  // e.g. the network graph: arrows move between its items
  }
  return false;
}

// the visible, enabled button of the page whose key ends in `suffix` (one page is shown at a time)
export function findButton(suffix) {
  const end = `-${suffix}`;
  for (const el of document.querySelectorAll(`[class*="${end}"]`)) {
    if (![...el.classList].some((c) => c.startsWith('st-key-') && c.endsWith(end))) continue;
    const b = el.tagName === 'BUTTON' ? el : el.querySelector('button');
    if (b && !b.disabled && b.getClientRects().length > 0) return b;
  }
  return null;
}

function onKey(e) {
  const suffix = ACTIONS[e.key];
  if (!suffix || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey || e.isComposing) return;
  if (focusTakes(e)) { counts.left++; return; }
  const b = findButton(suffix);
  if (!b) return;  // no such button here: the key keeps its ordinary meaning (Space scrolls)
  e.preventDefault();
  e.stopImmediatePropagation();
  if (e.repeat) return;  // held down: one press, and no scrolling
  counts.pressed++;
  b.click();
}

export function install() {
  if (window.__bpKeys) return;  // once per page load, whatever module instance asks
  window.__bpKeys = counts;
  window.addEventListener('keydown', onKey, true);
}
