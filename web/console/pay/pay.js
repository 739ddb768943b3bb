// Sample secure payment page. The card form is for show: its values are
// cleared on submit and never sent. Only the completion is POSTed, to the
// completeUrl hush gave this page.

const $ = (id) => document.getElementById(id);

/** readParams takes sessionId and completeUrl from the query string; completeUrl must be http(s). */
export function readParams(search, base) {
  const q = new URLSearchParams(search);
  const sessionId = q.get('sessionId') || '';
  const raw = q.get('completeUrl') || '';
  let completeUrl = '';
  if (raw) {
    try {
      const u = new URL(raw, base);
      if (u.protocol === 'http:' || u.protocol === 'https:') completeUrl = u.href;
    } catch {
      completeUrl = '';
    }
  }
  return { sessionId, completeUrl };
}

function setStatus(state, text) {
  const el = $('pay-status');
  el.dataset.state = state;
  el.textContent = text;
}

function showError(text) {
  const el = $('pay-error');
  el.textContent = text;
  el.hidden = !text;
}

async function complete(completeUrl) {
  const res = await fetch(completeUrl, { method: 'POST', cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (res.ok) return;
  let message = `hush answered ${res.status}`;
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // Not JSON: keep the status.
  }
  throw new Error(message);
}

function start() {
  const { sessionId, completeUrl } = readParams(location.search, location.href);
  $('pay-session').textContent = sessionId || 'unknown';
  const form = $('pay-form');
  if (!completeUrl) {
    setStatus('error', '');
    showError('This payment link is incomplete: it has no completion address. Ask the agent for a new link.');
    $('pay-submit').disabled = true;
    return;
  }
  setStatus('ready', 'Enter the card details, then press Pay.');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // The card details go nowhere: forget them before anything else happens.
    form.reset();
    showError('');
    $('pay-submit').disabled = true;
    setStatus('sending', 'Completing the payment…');
    try {
      await complete(completeUrl);
      setStatus('done', 'Payment complete.');
      form.hidden = true;
      $('pay-done').hidden = false;
      $('pay-close').focus();
    } catch (err) {
      setStatus('error', '');
      showError(`The payment could not be completed: ${err.message}. Try again, or tell the agent.`);
      $('pay-submit').disabled = false;
    }
  });
  $('pay-close').addEventListener('click', () => window.close());
}

if (typeof document !== 'undefined') start();
