// Words a person understands for states, reasons, events and errors.
// Pure functions: no DOM, so node --test covers them.

const STATES = {
  'not-started': 'Not started',
  'in-progress': 'On',
  paused: 'Paused',
  stopped: 'Stopped',
  unknown: 'Unknown',
};

/** stateLabel names a capability state. */
export function stateLabel(state) {
  return STATES[state] || (state ? String(state) : 'Unknown');
}

const PARTS = { AGENT: 'voice', IVR: 'IVR', SCREEN: 'screen' };

/** partsLine names each part and its state: "voice paused, screen on". */
export function partsLine(parts) {
  return parts.map((p) => `${PARTS[p.name] || p.name} ${stateLabel(p.state).toLowerCase()}`).join(', ');
}

/**
 * capabilityLine describes a capability: confirmed state and where it is
 * heading, and, when its parts differ (a hold that pauses the voice while
 * the screen is still recorded), the state of each.
 */
export function capabilityLine(cap) {
  if (!cap) return 'Unknown';
  let now = stateLabel(cap.state);
  if (Array.isArray(cap.parts) && cap.parts.length > 0) now += ` (${partsLine(cap.parts)})`;
  if (cap.desiredState && cap.desiredState !== cap.state) {
    return `${now}, changing to ${stateLabel(cap.desiredState).toLowerCase()} (waiting for the recorder to confirm)`;
  }
  return now;
}

const CALL_STATES = { connected: 'Connected', 'on-hold': 'On hold', ended: 'Ended' };

/** callStateLabel names a call state. */
export function callStateLabel(s) {
  return CALL_STATES[s] || (s ? String(s) : 'Unknown');
}

const END_REASONS = {
  'media-timeout': 'ended: no audio arrived for the RTP timeout',
  'recorder-restarted': 'recording interrupted: the recorder restarted during the call',
  'ack-timeout': 'ended: the SBC never confirmed the session (no ACK)',
  'session-expired': 'ended: the SBC stopped refreshing the session',
  'answer-lost': 'ended: the recorder could not answer the SBC',
  cancelled: 'ended: the SBC cancelled the session',
  shutdown: 'recording interrupted: hush was stopped during the call',
};

/** endReasonLabel says why a call ended, or '' when it ended the ordinary way (a hang-up). */
export function endReasonLabel(r) {
  if (!r || r === 'bye') return '';
  return END_REASONS[r] || `ended: ${r}`;
}

const REASON_KINDS = {
  hold: 'Caller on hold',
  secure: 'Secure payment in progress',
  source: 'The phone system stopped sending audio (it does so when the caller is put on hold)',
  auto: 'Paused automatically: card digits',
};

const DETECTORS = { keypad: 'keypad', spoken: 'spoken' };

/** reasonKindLabel names a pause reason kind. */
export function reasonKindLabel(kind) {
  if (kind === 'manual') return 'Paused by hand';
  return REASON_KINDS[kind] || `Paused (${kind})`;
}

const REASON_SHORT = {
  hold: 'caller on hold', secure: 'secure payment', manual: 'by hand', source: 'audio source stopped', auto: 'card digits heard',
};

/** reasonShort names a reason kind in a few words, for summaries. */
export function reasonShort(kind) {
  return REASON_SHORT[kind] || String(kind || 'unknown');
}

/** reasonLabel describes one held pause reason. */
export function reasonLabel(r) {
  if (!r) return '';
  let text;
  if (r.kind === 'manual') text = `Paused by ${r.byName || r.by || r.id || 'someone'}`;
  else if (r.kind === 'auto') text = `Paused automatically: card digits (${DETECTORS[r.id] || r.id || 'detector'})`;
  else text = reasonKindLabel(r.kind);
  if (r.note) text += `: “${r.note}”`;
  return text;
}

/** formatTime shows a time of day. */
export function formatTime(t) {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** formatDuration shows milliseconds as m:ss or h:mm:ss. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const OPS = { start: 'start', pause: 'pause', resume: 'resume', stop: 'stop' };
const PAST = { start: 'started', pause: 'paused', resume: 'resumed', stop: 'stopped' };

/** describeEvent turns an event into one line for the agent's event list. */
export function describeEvent(type, data) {
  data = data || {};
  if (type.endsWith('.operation.completed')) {
    const cap = data.capability || type.split('.')[0];
    const op = OPS[data.operation] || data.operation || 'change';
    switch (data.result) {
      case 'succeeded':
        return `${capitalize(cap)} ${PAST[data.operation] || op + 'ed'}: now ${stateLabel(data.currentState).toLowerCase()}.`;
      case 'failed':
        return `${capitalize(cap)} could not ${op}${data.error ? ': ' + data.error : ''}. hush keeps trying.`;
      case 'superseded':
        return `${capitalize(cap)} ${op} was overtaken by a newer request.`;
      default:
        return `${capitalize(cap)} ${op}: ${data.result || 'done'}.`;
    }
  }
  switch (type) {
    case 'conversation.ended':
      return data.endReason ? `Call ${endReasonLabel(data.endReason)}.` : 'Call ended.';
    case 'secure-session.started':
      return 'Secure payment started: recording and transcription paused.';
    case 'secure-session.completed':
      return 'Secure payment completed.';
    case 'secure-session.expired':
      return 'Secure payment window expired.';
    case 'pause.auto-resumed': {
      if (data.reason && data.reason.kind === 'secure') {
        return `${capitalize(data.capability || 'capability')} resumed automatically: the secure payment window expired.`;
      }
      const why = data.reason ? reasonLabel(data.reason).toLowerCase() : 'a pause';
      return `${capitalize(data.capability || 'capability')} resumed automatically: ${why} lasted too long.`;
    }
    default:
      return type;
  }
}

function capitalize(s) {
  s = String(s || '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** explainError turns an SDK or HTTP error into a sentence for the agent. */
export function explainError(err) {
  if (!err) return '';
  const msg = err.message ? String(err.message) : String(err);
  const detail = msg ? ` (${msg})` : '';
  switch (err.code) {
    case 'network':
      return `hush cannot be reached. Check your network connection and try again.${detail}`;
    case 'operation_failed':
      return `${msg}. hush keeps trying; if this lasts, tell your supervisor.`;
    case 'timeout':
      return `${msg}.`;
    default:
      break;
  }
  switch (err.status) {
    case 400:
      return `hush did not understand that request${detail}.`;
    case 401:
      return 'hush did not accept your API key. Sign in again with a valid key.';
    case 403:
      return `Your key is not allowed to do that; agents can only control their own calls${detail}.`;
    case 404:
      return `hush cannot find that call; it may have ended or belong to another agent${detail}.`;
    case 409:
      return `That change does not fit the call's current state${detail}.`;
    case 429:
      return 'Too many requests just now. Wait a moment and try again.';
    default:
      if (err.status >= 500) return `hush had a problem handling that request. Try again; if it keeps happening, tell your administrator${detail}.`;
      return msg || 'Something went wrong.';
  }
}

/** problemText explains a capability's lastError, whatever its shape. */
export function problemText(lastError) {
  if (!lastError) return '';
  if (typeof lastError === 'string') return `The recorder reported a problem: ${lastError}`;
  const what = lastError.error || lastError.message || '';
  const target = lastError.target ? ` while changing to ${stateLabel(lastError.target).toLowerCase()}` : '';
  const final = lastError.final ? ' It cannot be retried; tell your administrator.' : ' hush keeps trying.';
  return `The recorder reported a problem${target}: ${what}.${final}`;
}

/**
 * reasonsToShow lists a capability's held reasons once each as a person
 * sees them: the recorder's source pauses (one per audio stream) become one.
 */
export function reasonsToShow(reasons) {
  const out = [];
  let source = null;
  for (const r of reasons || []) {
    if (!r || !r.kind) continue;
    if (r.kind === 'source') {
      if (!source) {
        source = { ...r, streams: 0 };
        out.push(source);
      }
      source.streams++;
      if (r.since && (!source.since || Date.parse(r.since) < Date.parse(source.since))) source.since = r.since;
      continue;
    }
    out.push(r);
  }
  return out;
}

/** autoEndAt returns when a held manual pause ends by itself (ms), or null. */
export function autoEndAt(reason, maxAgeSeconds) {
  if (!reason || reason.kind !== 'manual' || !(maxAgeSeconds > 0)) return null;
  const since = Date.parse(reason.since);
  return Number.isFinite(since) ? since + maxAgeSeconds * 1000 : null;
}
