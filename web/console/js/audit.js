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

/** createAuditView wires the audit view to the app. */
export function createAuditView(app) {
  const form = byId('audit-filters');
  const rows = byId('audit-rows');
  const errorEl = byId('audit-error');
  const verifyEl = byId('audit-verify');
  let token = 0;

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  byId('audit-verify-again').addEventListener('click', verify);

  function fail(err) {
    if (err.status === 401) {
      app.signOut(explainError(err));
      return;
    }
    errorEl.textContent = explainError(err);
    show(errorEl, true);
  }

  async function load() {
    const my = ++token;
    const conversation = byId('audit-conversation').value.trim();
    const actor = byId('audit-actor').value.trim();
    const reason = byId('audit-reason').value.trim();
    show(errorEl, false);
    rows.setAttribute('aria-busy', 'true');
    try {
      const entries = await app.client.getAudit({ conversation, actor });
      if (my !== token) return;
      const shown = entries.filter((e) => matchesReason(e, reason)).sort((a, b) => b.seq - a.seq);
      clear(rows);
      for (const e of shown) rows.appendChild(row(e));
      byId('audit-caption').textContent = `${shown.length} audit entr${shown.length === 1 ? 'y' : 'ies'}, newest first`;
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
      h('td', { text: e.seq }),
      h('td', {}, h('time', { datetime: Number.isNaN(at.getTime()) ? null : at.toISOString(), text: Number.isNaN(at.getTime()) ? '' : at.toLocaleString() })),
      h('td', { text: e.conversationId || '' }),
      h('td', { text: e.actor || '' }),
      h('td', { text: e.action || '' }),
      h('td', { text: e.capability || '' }),
      h('td', { text: e.reason || '' }),
      h('td', { text: e.outcome || '' }),
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
      clear(rows);
      form.reset();
      verifyEl.dataset.ok = '';
      verifyEl.textContent = '';
      show(errorEl, false);
    },
  };
}
