// Take payment: a secure session pauses recording and transcription while
// the secure page takes the card, with a countdown to the automatic resume.
import { byId, show } from './dom.js';
import { fillTemplate } from './store.js';
import { explainError, formatDuration } from './words.js';

/** createPayment wires the Take payment card; ctx gives the focused call and the error line. */
export function createPayment(app, ctx) {
  const take = byId('payment-take');
  const ttl = byId('payment-ttl');
  const active = byId('payment-active');
  const status = byId('payment-status');
  const countdown = byId('payment-countdown');
  const link = byId('payment-link');
  const done = byId('payment-done');
  const result = byId('payment-result');
  const urls = new Map();
  // Sessions known to be over, even if a snapshot saying so has not arrived yet.
  const over = new Set();
  let timer = null;
  let expiresAt = 0;
  let working = false;
  let shownSession = '';

  take.addEventListener('click', start);
  done.addEventListener('click', finish);

  // completeUrl prefers the one-time URL hush returned with the session;
  // without it the page can only complete the session with an API key.
  function completeUrl(session) {
    if (session.completeUrl) return new URL(session.completeUrl, `${app.baseUrl}/`).href;
    return `${app.baseUrl}/v1/secure-sessions/${encodeURIComponent(session.id)}/complete`;
  }

  function pageUrl(session) {
    if (session.secureUrl) return session.secureUrl;
    if (urls.has(session.id)) return urls.get(session.id);
    return fillTemplate(app.config.securePageUrl, session.id, completeUrl(session));
  }

  async function start() {
    const conv = ctx.current();
    if (!conv || working) return;
    working = true;
    setResult('', '');
    render(conv);
    // Opened now, inside the click, so the browser does not block it; it
    // gets its address once the session exists.
    let popup = null;
    try {
      popup = window.open('about:blank', '_blank');
      if (popup) popup.opener = null;
    } catch {
      popup = null;
    }
    try {
      const body = { conversationId: conv.id };
      const seconds = Number(ttl.value);
      if (ttl.value !== '' && Number.isFinite(seconds) && seconds > 0) body.ttlSeconds = seconds;
      const session = await app.client.createSecureSession(body);
      const url = pageUrl(session);
      urls.set(session.id, url);
      if (url && popup) popup.location.href = url;
      else if (popup) popup.close();
      if (!url) setResult('active', 'No secure payment page is configured: take the payment, then press Done.', conv.id);
      ctx.clearError();
      app.store.upsert(withSession(conv, session));
      app.refresh(conv.id);
    } catch (err) {
      if (popup) popup.close();
      ctx.showError(err);
    } finally {
      working = false;
      render(ctx.current());
    }
  }

  // Shows the new session at once instead of waiting for the event stream.
  function withSession(conv, session) {
    const sessions = (conv.secureSessions || []).filter((s) => s.id !== session.id);
    sessions.push({ id: session.id, state: session.state || 'active', startedAt: session.startedAt, expiresAt: session.expiresAt, by: session.by || '' });
    return { ...conv, secureSessions: sessions };
  }

  async function finish() {
    const id = done.dataset.sessionId;
    if (!id) return;
    done.disabled = true;
    try {
      await app.client.completeSecureSession(id);
      const conv = ctx.current();
      ended(id, 'completed', conv ? conv.id : '');
      ctx.clearError();
    } catch (err) {
      ctx.showError(explainError(err));
    } finally {
      done.disabled = false;
      const conv = ctx.current();
      if (conv) app.refresh(conv.id);
    }
  }

  // The result line belongs to one call: it is cleared when another call
  // is shown or the call ends.
  function setResult(state, text, conversationId = '') {
    result.dataset.state = state;
    result.dataset.conversationId = state ? conversationId : '';
    result.textContent = text;
  }

  function ended(sessionId, how, conversationId) {
    over.add(sessionId);
    const conv = ctx.current();
    // Another call's payment says nothing about this one.
    if (!conv || conv.id !== conversationId) return;
    if (result.dataset.sessionId === sessionId && result.dataset.state === how) return;
    result.dataset.sessionId = sessionId;
    if (how === 'completed') setResult('completed', 'Payment complete: recording and transcription resumed.', conversationId);
    else setResult('expired', 'The payment window expired: recording and transcription resumed automatically.', conversationId);
    stopTimer();
    show(active, false);
  }

  function tick() {
    const left = Math.max(0, expiresAt - Date.now());
    countdown.textContent = left > 0 ? formatDuration(left) : '0:00 (resuming…)';
    countdown.dataset.seconds = String(Math.ceil(left / 1000));
  }

  function stopTimer() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function render(conv) {
    if (result.dataset.state && (!conv || conv.callState === 'ended' || result.dataset.conversationId !== conv.id)) setResult('', '');
    const session = conv && (conv.secureSessions || []).find((s) => s.state === 'active' && !over.has(s.id));
    take.disabled = !conv || conv.callState === 'ended' || Boolean(session) || working;
    take.setAttribute('aria-busy', working ? 'true' : 'false');
    if (!session) {
      stopTimer();
      shownSession = '';
      show(active, false);
      delete done.dataset.sessionId;
      return;
    }
    show(active, true);
    status.dataset.state = 'active';
    status.dataset.sessionId = session.id;
    status.textContent = 'Secure payment in progress: recording and transcription are paused.';
    done.dataset.sessionId = session.id;
    const url = pageUrl(session);
    link.href = url || '#';
    show(link, Boolean(url));
    expiresAt = Date.parse(session.expiresAt) || 0;
    if (shownSession !== session.id) {
      shownSession = session.id;
      setResult('', '');
    }
    tick();
    if (!timer) timer = setInterval(tick, 1000);
  }

  function onEvent(type, data) {
    const session = data.session || {};
    const conversationId = session.conversationId || data.conversationId || '';
    if (type === 'secure-session.completed') ended(session.id, 'completed', conversationId);
    if (type === 'secure-session.expired') ended(session.id, 'expired', conversationId);
  }

  return {
    render,
    onEvent,
    reset() {
      stopTimer();
      urls.clear();
      over.clear();
      shownSession = '';
      setResult('', '');
      show(active, false);
    },
  };
}
