// The keys view (admins): list API keys, create named and expiring ones,
// revoke and rotate them. A new key's token is shown once, here only.
import { byId, clear, h, show } from './dom.js';
import { explainError } from './words.js';

const ROLE_WORDS = { admin: 'Admin', supervisor: 'Supervisor', agent: 'Agent', ingest: 'Platform feed (ingest)' };

/** keyHolder names who holds a key: its display name, else its role and agent. */
export function keyHolder(k) {
  if (k.name) return k.name;
  return k.agentId ? `agent ${k.agentId}` : `(no name) ${k.role}`;
}

/** keyStatus says whether a key works, and since or until when. */
export function keyStatus(k) {
  switch (k.status) {
    case 'revoked':
      return `Revoked ${shortTime(k.revokedAt)}`;
    case 'expired':
      return `Expired ${shortTime(k.expiresAt)}`;
    default:
      return k.expiresAt ? `Active until ${shortTime(k.expiresAt)}` : 'Active, no expiry';
  }
}

function shortTime(t) {
  return t ? String(t).replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '';
}

/** expiryFromDays turns the form's "days" into an RFC 3339 time, or undefined for none. */
export function expiryFromDays(days, now = new Date()) {
  const n = Number(days);
  if (!days || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(now.getTime() + n * 86400000).toISOString();
}

/** createKeysView wires the keys view to the app. */
export function createKeysView(app) {
  const rows = byId('keys-rows');
  const errorEl = byId('keys-error');
  const created = byId('keys-created');
  let token = 0;

  byId('keys-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      role: byId('keys-role').value,
      name: byId('keys-name').value.trim() || undefined,
      agentId: byId('keys-agent').value.trim() || undefined,
      expiresAt: expiryFromDays(byId('keys-days').value),
    };
    await act(() => app.client.request('POST', '/v1/keys', body), 'Created');
  });

  function fail(err) {
    if (err.status === 401) {
      app.signOut(explainError(err));
      return;
    }
    errorEl.textContent = explainError(err);
    show(errorEl, true);
  }

  // act runs a change, shows a new token if one came back, and reloads.
  async function act(change, verb) {
    show(errorEl, false);
    try {
      const k = await change();
      if (k && k.key) {
        byId('keys-created-token').value = k.key;
        byId('keys-created-what').textContent = `${verb} a key for ${keyHolder(k)} (${k.id}). Copy it now: hush shows it only once.`;
        show(created, true);
        byId('keys-created-token').focus();
      }
      await load();
    } catch (err) {
      fail(err);
    }
  }

  async function load() {
    const my = ++token;
    rows.setAttribute('aria-busy', 'true');
    try {
      const body = await app.client.request('GET', '/v1/keys');
      if (my !== token) return;
      clear(rows);
      for (const k of body.keys) rows.appendChild(row(k));
      byId('keys-caption').textContent = `${body.keys.length} API key${body.keys.length === 1 ? '' : 's'}, newest first`;
    } catch (err) {
      if (my === token) fail(err);
    } finally {
      if (my === token) rows.removeAttribute('aria-busy');
    }
  }

  function row(k) {
    const active = k.status === 'active';
    const mine = app.me && app.me.keyId === k.id;
    return h(
      'tr',
      { 'data-key': k.id, 'data-status': k.status },
      h('td', { text: keyHolder(k) }),
      h('td', { text: ROLE_WORDS[k.role] || k.role }),
      h('td', { text: k.agentId || '' }),
      h('td', { class: 'mono', text: k.id }),
      h('td', { text: keyStatus(k) }),
      h(
        'td',
        {},
        // Rotating or revoking the key signed in with would sign this
        // page out before it could show the new token.
        active &&
          !mine &&
          h('button', {
            type: 'button',
            'data-action': 'rotate',
            'aria-label': `Rotate the key of ${keyHolder(k)}`,
            text: 'Rotate',
            onclick: () => act(() => app.client.request('POST', `/v1/keys/${encodeURIComponent(k.id)}/rotate`), 'Rotated'),
          }),
        active &&
          !mine &&
          h('button', {
            type: 'button',
            'data-action': 'revoke',
            'aria-label': `Revoke the key of ${keyHolder(k)}`,
            text: 'Revoke',
            onclick: () => {
              if (window.confirm(`Revoke the key of ${keyHolder(k)}? It stops working at once.`)) {
                act(() => app.client.request('POST', `/v1/keys/${encodeURIComponent(k.id)}/revoke`), 'Revoked');
              }
            },
          }),
      ),
    );
  }

  return {
    show: load,
    hide() {},
    reset() {
      token++;
      clear(rows);
      byId('keys-created-token').value = '';
      show(created, false);
      show(errorEl, false);
    },
    render() {},
  };
}
