// The audit view: entries filtered by conversation, actor and reason, and
// whether the hash chain verifies.
import { byId, clear, h, show } from './dom.js';
import { explainError } from './words.js';

// A hand-made pause or resume is audited as a command.
const KIND_ACTIONS = { manual: 'command.' };

/**
 * matchesReason keeps entries whose reason (the note given), action or
 * detail contains the filter text, ignoring case, so "hold" finds the hold
 * events, "secure" the secure sessions and "manual" the commands.
 */
export function matchesReason(entry, filter) {
  const f = String(filter || '').trim().toLowerCase();
  if (!f) return true;
  const detail = entry.detail === undefined || entry.detail === null ? '' : JSON.stringify(entry.detail);
  const text = `${entry.reason || ''}\n${entry.action || ''}\n${detail}`.toLowerCase();
  if (text.includes(f)) return true;
  const action = KIND_ACTIONS[f];
  return Boolean(action) && String(entry.action || '').startsWith(action);
}

// Entries are read a page at a time, newest first.
const PAGE = 200;

/**
 * caption says truthfully which entries the table shows: count shown of
 * scanned read, whether older ones exist, and the reason searched for.
 */
export function caption(count, older, scanned = count, reason = '') {
  const entries = (n) => `${n} audit entr${n === 1 ? 'y' : 'ies'}`;
  if (reason) {
    const where = older ? `the newest ${entries(scanned)}; older entries are not searched yet` : `all ${entries(scanned)}`;
    return `${count} matching “${reason}” among ${where}. Newest first.`;
  }
  return older ? `The newest ${entries(count)}, newest first; older entries are not shown yet.` : `All ${entries(count)}, newest first.`;
}

/** createAuditView wires the audit view to the app. */
export function createAuditView(app) {
  const form = byId('audit-filters');
  const rows = byId('audit-rows');
  const errorEl = byId('audit-error');
  const verifyEl = byId('audit-verify');
  let token = 0;

  // The entries shown: the pages read so far, newest first, and the cursor
  // of older ones ('' when the oldest entry was reached).
  let shown = [];
  let next = '';
  let filters = {};
  let scanned = 0;

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  byId('audit-verify-again').addEventListener('click', verify);
  byId('audit-more').addEventListener('click', () => load({ more: true }));

  function fail(err) {
    if (err.status === 401) {
      app.signOut(explainError(err));
      return;
    }
    errorEl.textContent = explainError(err);
    show(errorEl, true);
  }

  async function load({ more = false } = {}) {
    const my = ++token;
    if (!more) {
      filters = {
        conversation: byId('audit-conversation').value.trim(),
        actor: byId('audit-actor').value.trim(),
        reason: byId('audit-reason').value.trim(),
      };
    }
    show(errorEl, false);
    rows.setAttribute('aria-busy', 'true');
    try {
      const page = await app.client.listAudit({ conversation: filters.conversation, actor: filters.actor, limit: PAGE, cursor: more ? next : '' });
      if (my !== token) return;
      const matching = page.entries.filter((e) => matchesReason(e, filters.reason));
      shown = more ? [...shown, ...matching] : matching;
      scanned = (more ? scanned : 0) + page.entries.length;
      next = page.next;
      if (!more) clear(rows);
      for (const e of matching) rows.appendChild(row(e));
      byId('audit-caption').textContent = caption(shown.length, next !== '', scanned, filters.reason);
      show(byId('audit-more'), next !== '');
      show(byId('audit-empty'), shown.length === 0);
    } catch (err) {
      fail(err);
    } finally {
      rows.setAttribute('aria-busy', 'false');
    }
  }

  function row(e) {
    const at = new Date(e.at);
    const detail = e.detail === undefined || e.detail === null ? '' : JSON.stringify(e.detail);
    return h(
      'tr',
      { 'data-testid': 'audit-row', 'data-seq': e.seq, 'data-action': e.action, 'data-outcome': e.outcome, title: detail || null },
      h('td', { 'data-label': '#', text: e.seq }),
      h('td', { 'data-label': 'Time' }, h('time', { datetime: Number.isNaN(at.getTime()) ? null : at.toISOString(), text: Number.isNaN(at.getTime()) ? '' : at.toLocaleString() })),
      h('td', { 'data-label': 'Conversation', text: e.conversationId || '' }),
      h('td', { 'data-label': 'Actor', text: e.actorName || e.actor || '', title: e.actorName ? e.actor : null }),
      h('td', { 'data-label': 'Action', text: e.action || '' }),
      h('td', { 'data-label': 'Capability', text: e.capability || '' }),
      h('td', { 'data-label': 'Reason', text: e.reason || '' }),
      h('td', { 'data-label': 'Outcome', text: e.outcome || '' }),
    );
  }

  async function verify() {
    verifyEl.dataset.ok = '';
    verifyEl.textContent = 'Checking the audit chain…';
    try {
      const res = await app.client.verifyAudit();
      if (res && res.ok) {
        verifyEl.dataset.ok = 'true';
        verifyEl.textContent = Number.isFinite(res.entries)
          ? `Audit chain intact: ${res.entries} entr${res.entries === 1 ? 'y' : 'ies'} verified.`
          : 'Audit chain intact.';
      } else {
        const e = (res && res.error) || {};
        verifyEl.dataset.ok = 'false';
        verifyEl.textContent = `Audit chain broken at entry ${e.seq ?? '?'}: ${e.reason || 'unknown reason'}.`;
      }
    } catch (err) {
      verifyEl.dataset.ok = 'unknown';
      verifyEl.textContent = `The audit chain could not be checked: ${explainError(err)}`;
    }
  }

  return {
    render() {},
    show() {
      load();
      verify();
    },
    hide() {},
    reset() {
      token++;
      shown = [];
      next = '';
      show(byId('audit-more'), false);
      clear(rows);
      form.reset();
      verifyEl.dataset.ok = '';
      verifyEl.textContent = '';
      show(errorEl, false);
    },
  };
}
