// The agent panel: the focused call's state, pause reasons, controls,
// recent operations and the last error in plain words.
import { byId, clear, h, show } from './dom.js';
import { focusedConversation } from './store.js';
import { autoEndAt, callStateLabel, capabilityLine, describeEvent, explainError, formatTime, problemText, reasonLabel, reasonsToShow } from './words.js';
import { createPayment } from './payment.js';

const CAPS = ['recording', 'transcription'];
const OPS = ['start', 'pause', 'resume'];

/** createAgentView wires the agent panel to the app. */
export function createAgentView(app) {
  const select = byId('agent-conversation');
  const note = byId('agent-note');
  const errorEl = byId('agent-error');
  const busy = new Set();
  let picked = '';
  let shownOptions = '';
  const payment = createPayment(app, { current: () => current(), showError, clearError });

  select.addEventListener('change', () => {
    picked = select.value;
    clearError();
    render();
  });

  for (const cap of CAPS) {
    for (const op of OPS) {
      byId(`${cap}-${op}`).addEventListener('click', () => run(cap, op));
    }
  }

  function current() {
    if (picked) {
      const c = app.store.get(picked);
      if (c) return c;
    }
    return focusedConversation(app.store.live());
  }

  async function run(cap, op) {
    const conv = current();
    if (!conv) return;
    const key = `${cap}/${op}`;
    busy.add(key);
    render();
    try {
      const reason = note.value.trim();
      await app.client.operate(cap, op, { liveWorkItemId: conv.id, reason: reason || undefined });
      clearError();
      if (op === 'pause') note.value = '';
    } catch (err) {
      if (err.status === 401) {
        app.signOut(explainError(err));
        return;
      }
      showError(err);
    } finally {
      busy.delete(key);
      app.refresh(conv.id);
      render();
    }
  }

  function showError(err) {
    errorEl.textContent = typeof err === 'string' ? err : explainError(err);
    errorEl.dataset.code = (err && err.code) || '';
    show(errorEl, true);
  }

  function clearError() {
    errorEl.textContent = '';
    errorEl.dataset.code = '';
    show(errorEl, false);
  }

  function renderOptions(list, conv) {
    const options = list.slice();
    if (conv && !options.includes(conv)) options.unshift(conv);
    const signature = options.map((c) => `${c.id}:${c.callState}`).join('|') + `#${conv ? conv.id : ''}`;
    if (signature === shownOptions) return;
    shownOptions = signature;
    clear(select);
    for (const c of options) {
      select.appendChild(
        h('option', { value: c.id, selected: conv && c.id === conv.id }, `${c.id} · ${callStateLabel(c.callState)}${c.agentId ? ' · ' + c.agentId : ''}`),
      );
    }
    select.disabled = options.length === 0;
  }

  function renderCap(conv, cap) {
    const c = conv[cap] || {};
    const stateEl = byId(`${cap}-state`);
    stateEl.textContent = capabilityLine(c);
    stateEl.dataset.state = c.state || '';
    stateEl.dataset.desired = c.desiredState || '';

    const reasons = byId(`${cap}-reasons`);
    clear(reasons);
    for (const r of reasonsToShow(c.pauseReasons)) {
      const ends = autoEndAt(r, app.config.manualMaxAgeSeconds);
      reasons.appendChild(
        h(
          'li',
          { 'data-testid': 'pause-reason', 'data-kind': r.kind, 'data-id': r.id || '', 'data-ends-at': ends ? new Date(ends).toISOString() : null },
          reasonLabel(r),
          r.since ? h('span', { class: 'muted', text: ` since ${formatTime(r.since)}` }) : null,
          ends ? h('span', { class: 'muted', 'data-testid': 'pause-auto-end', text: `; resumes by itself at ${formatTime(ends)} unless resumed sooner` }) : null,
        ),
      );
    }

    const problem = byId(`${cap}-problem`);
    problem.textContent = problemText(c.lastError);
    show(problem, Boolean(c.lastError));

    const ended = conv.callState === 'ended';
    const desired = c.desiredState || c.state;
    // Resume only ever releases a hand-made pause; hold and secure payments
    // end by themselves.
    const manual = (c.pauseReasons || []).some((r) => r.kind === 'manual');
    // Pausing again while one's own pause is held would change nothing.
    const mine = (c.pauseReasons || []).some((r) => r.kind === 'manual' && app.me && r.id === app.me.name);
    const allowed = {
      start: desired === 'not-started',
      pause: (desired === 'in-progress' || desired === 'paused') && !mine,
      resume: desired === 'paused' && manual,
    };
    for (const op of OPS) {
      const btn = byId(`${cap}-${op}`);
      const isBusy = busy.has(`${cap}/${op}`);
      btn.disabled = ended || isBusy || !allowed[op];
      btn.setAttribute('aria-busy', isBusy ? 'true' : 'false');
    }
  }

  function renderEvents(conv) {
    const list = byId('agent-events');
    clear(list);
    for (const ev of app.store.recentEvents(conv.id)) {
      const data = ev.data || {};
      list.appendChild(
        h(
          'li',
          { 'data-testid': 'agent-event', 'data-type': ev.type, 'data-result': data.result || '', 'data-transaction-id': data.transactionId || '' },
          h('time', { datetime: new Date(ev.at).toISOString(), text: formatTime(ev.at) }),
          ' ',
          describeEvent(ev.type, data),
        ),
      );
    }
  }

  function render() {
    const conv = current();
    renderOptions(app.store.live(), conv);
    show(byId('agent-empty'), !conv);
    show(byId('agent-panel'), Boolean(conv));
    if (!conv) {
      payment.render(null);
      return;
    }
    const callState = byId('agent-call-state');
    callState.textContent = callStateLabel(conv.callState);
    callState.dataset.state = conv.callState || '';
    byId('agent-agent-id').textContent = conv.agentId || 'unknown';
    for (const cap of CAPS) renderCap(conv, cap);
    renderEvents(conv);
    payment.render(conv);
  }

  function onEvent(type, data) {
    const conv = current();
    if (!conv || !data) return;
    if (data.conversationId !== conv.id) return;
    if (type.endsWith('.operation.completed') && data.result === 'failed') {
      showError(describeEvent(type, data));
    }
    payment.onEvent(type, data);
  }

  return {
    render,
    onEvent,
    show() {
      render();
    },
    hide() {},
    reset() {
      picked = '';
      shownOptions = '';
      busy.clear();
      clearError();
      note.value = '';
      payment.reset();
      clear(select);
      clear(byId('agent-events'));
    },
  };
}
