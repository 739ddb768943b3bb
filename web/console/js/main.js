// The hush console: sign-in, the event stream, and the three views.
import { connect } from '../sdk/hush.js';
import { byId, show } from './dom.js';
import { Store, conversationOf } from './store.js';
import { explainError } from './words.js';
import { createAgentView } from './agent.js';
import { createSupervisorView } from './supervisor.js';
import { createAuditView } from './audit.js';
import { createKeysView } from './keys.js';

// The key lives in this tab's session storage only, never in a URL.
const KEY_SLOT = 'hush.apiKey';
const VIEWS = ['agent', 'supervisor', 'audit', 'keys'];
const ROLE_VIEWS = { admin: VIEWS, supervisor: ['agent', 'supervisor', 'audit'], agent: ['agent'] };
const STREAM_WORDS = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  error: 'Disconnected',
  closed: 'Disconnected',
};

const baseUrl = new URL('.', document.baseURI).href.replace(/\/+$/, '');
const store = new Store();
const refreshing = new Map();

// app is what the views share; client, me and config are set at sign-in.
const app = {
  baseUrl,
  store,
  client: null,
  me: null,
  config: {},
  signOut,
  refresh,
};

const views = {
  agent: createAgentView(app),
  supervisor: createSupervisorView(app),
  audit: createAuditView(app),
  keys: createKeysView(app),
};
let currentView = '';

store.subscribe(() => {
  if (currentView && views[currentView]) views[currentView].render();
});

function readKey() {
  try {
    return sessionStorage.getItem(KEY_SLOT) || '';
  } catch {
    return '';
  }
}

function writeKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_SLOT, key);
    else sessionStorage.removeItem(KEY_SLOT);
  } catch {
    // Storage refused (private mode): the key stays in memory for this page.
  }
}

async function signIn(key) {
  const submit = byId('signin-submit');
  const errorEl = byId('signin-error');
  errorEl.textContent = '';
  submit.disabled = true;
  const client = connect({ baseUrl, apiKey: key });
  try {
    const me = await client.getMe();
    if (!ROLE_VIEWS[me.role]) {
      client.close();
      errorEl.textContent = `This key has the role “${me.role}”, which feeds events into hush. Sign in with an agent, supervisor or admin key.`;
      return;
    }
    writeKey(key);
    byId('signin-key').value = '';
    app.client = client;
    app.me = me;
    app.config = (await client.getConfig().catch(() => null)) || {};
    client.on('*', onEvent);
    client.on('stream.status', onStatus);
    client.ready().then(loadConversations, () => {});
    byId('whoami').textContent = `${me.role}${me.agentId ? ' · ' + me.agentId : ''}`;
    for (const v of VIEWS) show(byId(`nav-${v}`), ROLE_VIEWS[me.role].includes(v));
    show(byId('nav'), true);
    show(byId('session-bar'), true);
    route(true);
  } catch (err) {
    client.close();
    writeKey('');
    errorEl.textContent = explainError(err);
    byId('signin-key').focus();
  } finally {
    submit.disabled = false;
  }
}

async function loadConversations() {
  if (!app.client) return;
  try {
    // The stream is open (from now on) before this read, so nothing falls
    // between the two; each call's past comes from its timeline.
    const client = app.client;
    const live = await client.getConversations({ active: true });
    for (const c of live) store.upsert(c);
    await Promise.all(
      live.map((c) =>
        client
          .getTimeline(c.id)
          .then((tl) => {
            if (app.client === client) store.loadTimeline(tl);
          })
          .catch(() => {}),
      ),
    );
  } catch (err) {
    if (err.status === 401) signOut(explainError(err));
  }
}

function signOut(message = '') {
  if (app.client) app.client.close();
  app.client = null;
  app.me = null;
  app.config = {};
  writeKey('');
  refreshing.clear();
  for (const v of Object.values(views)) {
    v.hide();
    v.reset();
  }
  store.clear();
  currentView = '';
  show(byId('nav'), false);
  show(byId('session-bar'), false);
  byId('signin-error').textContent = message;
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  showSection('signin');
  byId('signin-key').focus();
}

// refresh re-reads one conversation after an event about it, coalescing bursts.
function refresh(id) {
  if (!id || !app.client || refreshing.has(id)) return;
  const client = app.client;
  const p = client
    .getConversation(id)
    .then((c) => {
      if (app.client === client) store.upsert(c);
    })
    .catch((err) => {
      if (err.status === 401) signOut(explainError(err));
    })
    .finally(() => refreshing.delete(id));
  refreshing.set(id, p);
}

function onEvent(data, { type }) {
  const id = conversationOf(type, data);
  if (type.startsWith('conversation.')) {
    store.upsert(data);
  } else {
    store.addEvent(id, type, data);
    refresh(id);
  }
  views.agent.onEvent(type, data);
}

function onStatus({ status, error, httpStatus }) {
  const el = byId('stream-status');
  el.dataset.status = status;
  el.textContent = STREAM_WORDS[status] || status;
  if (status !== 'error') return;
  if (httpStatus === 401) {
    signOut('hush no longer accepts this API key. Sign in again.');
    return;
  }
  el.textContent = `Disconnected: ${error}`;
}

function showSection(name) {
  for (const v of ['signin', ...VIEWS]) show(byId(`view-${v}`), v === name);
  for (const v of VIEWS) {
    const link = byId(`nav-${v}`);
    if (v === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function route(initial = false) {
  if (!app.me) {
    showSection('signin');
    return;
  }
  const allowed = ROLE_VIEWS[app.me.role];
  let name = location.hash.replace(/^#/, '');
  if (!allowed.includes(name)) name = app.me.role === 'agent' ? 'agent' : 'supervisor';
  if (name === currentView) return;
  if (currentView) views[currentView].hide();
  currentView = name;
  showSection(name);
  views[name].show();
  if (!initial) byId(`${name}-title`).focus();
}

byId('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = byId('signin-key').value.trim();
  if (key) signIn(key);
});
byId('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => route());

const saved = readKey();
if (saved) signIn(saved);
else showSection('signin');
