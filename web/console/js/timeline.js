// The timeline model: what the console has seen of each call, and the spans
// to draw (recorded, paused by reason, on hold, transcribed). Pure: no DOM.
//
// A conversation snapshot only tells the present (held reasons carry their
// start time; secure sessions keep their whole history), so the console
// keeps every snapshot it sees from the event stream and closes a reason's
// span at the first snapshot without it. For ended calls with a recording,
// the recorder's segment map replaces the recording row.

export const CAPS = ['recording', 'transcription'];

// Which reason colours a paused span when several are held at once.
const PRIORITY = ['secure', 'manual', 'source', 'hold'];

function ms(t) {
  if (t === undefined || t === null || t === '') return null;
  const v = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(v) && v > 0 ? v : null;
}

function reasonKey(r) {
  return `${r.kind}|${r.id || ''}|${r.since || ''}`;
}

function lastOpen(spans) {
  const s = spans[spans.length - 1];
  return s && s.end === null ? s : null;
}

function newRecord(conv) {
  const caps = {};
  for (const c of CAPS) caps[c] = { active: [], reasons: new Map(), parts: [] };
  return { id: conv.id, createdAt: ms(conv.createdAt), endedAt: null, holds: [], caps };
}

/** History remembers the spans seen for each conversation. */
export class History {
  constructor() {
    this.records = new Map();
  }

  /** get returns the record of a conversation, if it was observed. */
  get(id) {
    return this.records.get(id);
  }

  /**
   * load replaces a conversation's record with the timeline hush built from
   * its whole history (GET /v1/conversations/{id}/timeline), so a call
   * first seen mid-way is drawn from its start. Snapshots observed later
   * carry on from it.
   */
  load(tl) {
    if (!tl || typeof tl.conversationId !== 'string' || tl.conversationId === '') return null;
    const rec = newRecord({ id: tl.conversationId, createdAt: tl.createdAt });
    rec.endedAt = ms(tl.endedAt);
    const span = (s) => ({ start: ms(s && s.start), end: ms(s && s.end) });
    const valid = (s) => s.start !== null;
    rec.holds = (tl.holds || []).map(span).filter(valid);
    for (const name of CAPS) {
      const src = tl[name] || {};
      rec.caps[name].active = (src.active || []).map(span).filter(valid);
      rec.caps[name].parts = (src.parts || [])
        .filter((p) => p && p.name && p.state)
        .map((p) => ({ name: p.name, state: p.state, ...span(p) }))
        .filter(valid);
      for (const r of src.reasons || []) {
        if (!r || !r.kind || ms(r.start) === null) continue;
        rec.caps[name].reasons.set(`${r.kind}|${r.id || ''}|${r.start}`, {
          kind: r.kind,
          id: r.id || '',
          by: r.by || '',
          note: r.note || '',
          start: ms(r.start),
          end: ms(r.end),
        });
      }
    }
    this.records.set(rec.id, rec);
    return rec;
  }

  /** forget drops a conversation's record. */
  forget(id) {
    this.records.delete(id);
  }

  /** observe folds one conversation snapshot into its record. Snapshots must arrive in version order. */
  observe(conv, nowMs = Date.now()) {
    if (!conv || !conv.id) return null;
    const t = ms(conv.updatedAt) ?? nowMs;
    let rec = this.records.get(conv.id);
    const first = !rec;
    if (!rec) {
      rec = newRecord(conv);
      this.records.set(conv.id, rec);
    }
    rec.createdAt = ms(conv.createdAt) ?? rec.createdAt ?? t;
    for (const name of CAPS) observeCap(rec, rec.caps[name], conv[name], t, first);
    observeSessions(rec, conv.secureSessions, t);
    observeHold(rec, conv, t);
    if (conv.callState === 'ended') closeAll(rec, ms(conv.endedAt) ?? t);
    return rec;
  }
}

function observeCap(rec, capRec, cap, t, first) {
  cap = cap || {};
  const desired = cap.desiredState || cap.state;
  const active = desired === 'in-progress' || desired === 'paused';
  const open = lastOpen(capRec.active);
  // A capability already running when first seen has run since the call began.
  if (active && !open) capRec.active.push({ start: first ? rec.createdAt ?? t : t, end: null });
  if (!active && open) open.end = t;

  const held = new Set();
  for (const r of cap.pauseReasons || []) {
    if (!r || !r.kind) continue;
    const key = reasonKey(r);
    held.add(key);
    const span = capRec.reasons.get(key);
    if (!span) {
      capRec.reasons.set(key, { kind: r.kind, id: r.id || '', by: r.by || '', note: r.note || '', start: ms(r.since) ?? t, end: null });
    } else if (span.end !== null) {
      span.end = null;
    }
  }
  for (const [key, span] of capRec.reasons) {
    if (span.end === null && !held.has(key)) span.end = t;
  }
  observeParts(capRec, cap.parts, t);
}

// observeParts keeps a span for each part a snapshot shows in a state of
// its own (the screen still recorded while a hold pauses only the voice).
function observeParts(capRec, parts, t) {
  const shown = new Map();
  for (const p of parts || []) if (p && p.name) shown.set(p.name, p.state);
  const open = new Set();
  for (const p of capRec.parts) {
    if (p.end !== null) continue;
    if (shown.get(p.name) === p.state) open.add(p.name);
    else p.end = t;
  }
  for (const [name, state] of shown) {
    if (!open.has(name)) capRec.parts.push({ name, state, start: t, end: null });
  }
}

function observeSessions(rec, sessions, t) {
  // Secure sessions keep their history in the snapshot, so spans the console
  // never saw held can still be drawn.
  for (const s of sessions || []) {
    if (!s || !s.id || s.state === 'active') continue;
    const start = ms(s.startedAt);
    if (start === null) continue;
    const end = ms(s.endedAt) ?? t;
    for (const name of CAPS) {
      const reasons = rec.caps[name].reasons;
      const known = [...reasons.values()].filter((r) => r.kind === 'secure' && r.id === s.id);
      if (!known.length) reasons.set(`secure|${s.id}|session`, { kind: 'secure', id: s.id, by: s.by || '', note: '', start, end });
      // The session knows when it ended better than the snapshot that showed it gone.
      for (const r of known) if (r.end === null || r.end > end) r.end = end;
    }
  }
}

function observeHold(rec, conv, t) {
  const open = lastOpen(rec.holds);
  if (conv.callState === 'on-hold') {
    if (open) return;
    let start = t;
    for (const name of CAPS) {
      for (const r of (conv[name] && conv[name].pauseReasons) || []) {
        const since = r && r.kind === 'hold' ? ms(r.since) : null;
        if (since !== null && since < start) start = since;
      }
    }
    rec.holds.push({ start, end: null });
  } else if (open) {
    open.end = t;
  }
}

function closeAll(rec, at) {
  rec.endedAt = at;
  const close = (s) => {
    if (s.end === null || s.end > at) s.end = at;
  };
  rec.holds.forEach(close);
  for (const name of CAPS) {
    rec.caps[name].active.forEach(close);
    rec.caps[name].reasons.forEach(close);
    rec.caps[name].parts.forEach(close);
  }
}

/** topReason picks the reason whose colour a paused span gets. */
export function topReason(kinds) {
  for (const k of PRIORITY) if (kinds.includes(k)) return k;
  return kinds[0] || '';
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

function capSpans(capRec, start, end, onKind) {
  const active = capRec.active.map((s) => ({ start: clamp(s.start, start, end), end: clamp(s.end ?? end, start, end) }));
  const reasons = [...capRec.reasons.values()].map((r) => ({
    ...r,
    start: clamp(r.start, start, end),
    end: clamp(r.end ?? end, start, end),
  }));
  const parts = capRec.parts.map((p) => ({ ...p, start: clamp(p.start, start, end), end: clamp(p.end ?? end, start, end) }));
  const edges = new Set([start, end]);
  for (const s of active) edges.add(s.start).add(s.end);
  for (const r of reasons) edges.add(r.start).add(r.end);
  for (const p of parts) edges.add(p.start).add(p.end);
  const points = [...edges].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (b <= a) continue;
    const mid = (a + b) / 2;
    if (!active.some((s) => s.start <= mid && mid < s.end)) continue;
    const held = reasons.filter((r) => r.start <= mid && mid < r.end);
    const kinds = [...new Set(held.map((r) => r.kind))].sort();
    const span = held.length
      ? { start: a, end: b, kind: 'paused', reason: topReason(kinds), reasons: kinds, by: held.map((r) => r.by).filter(Boolean) }
      : { start: a, end: b, kind: onKind, reason: '', reasons: [], by: [] };
    span.parts = parts.filter((p) => p.start <= mid && mid < p.end).map((p) => ({ name: p.name, state: p.state }));
    const prev = out[out.length - 1];
    const same = (x, y) => x.kind === y.kind && x.reasons.join() === y.reasons.join() && partsKey(x) === partsKey(y);
    if (prev && prev.end === a && same(prev, span)) prev.end = b;
    else out.push(span);
  }
  return out;
}

function partsKey(span) {
  return (span.parts || []).map((p) => `${p.name}=${p.state}`).join();
}

function segmentSpans(segments, createdAt, start, end) {
  const out = [];
  for (const seg of segments || []) {
    const a = ms(seg.start) ?? (createdAt !== null && Number.isFinite(seg.startMs) ? createdAt + seg.startMs : null);
    const b = ms(seg.end) ?? (createdAt !== null && Number.isFinite(seg.endMs) ? createdAt + seg.endMs : null);
    if (a === null || b === null || b <= a) continue;
    // The segment map says state: recorded, paused, or not-started (before
    // the recording began, nothing to draw).
    if (seg.state !== 'recorded' && seg.state !== 'paused') continue;
    const kinds = [...new Set((seg.reasons || []).map((r) => (typeof r === 'string' ? r : r && r.kind)).filter(Boolean))].sort();
    const paused = seg.state === 'paused';
    out.push({
      start: clamp(a, start, end),
      end: clamp(b, start, end),
      kind: paused ? 'paused' : 'recorded',
      reason: paused ? topReason(kinds) : '',
      reasons: paused ? kinds : [],
      by: [],
    });
  }
  return out;
}

/**
 * buildRows returns the rows to draw for a record, from the call's start to
 * its end (or now): {start, end, live, rows:[{id, label, spans}]}.
 * Spans are {start, end, kind, reason, reasons, by, parts}; parts, on the
 * capability rows, lists the parts whose state differed from the span's
 * (the screen recorded while a hold paused the voice); kind is connected|hold
 * on the call row, recorded|paused on the recording row and
 * transcribed|paused on the transcription row.
 */
export function buildRows(rec, nowMs = Date.now(), { segments } = {}) {
  const start = rec.createdAt ?? nowMs;
  const end = Math.max(start + 1, rec.endedAt ?? nowMs);
  const holds = rec.holds
    .map((h) => ({ start: clamp(h.start, start, end), end: clamp(h.end ?? end, start, end) }))
    .filter((h) => h.end > h.start)
    .sort((a, b) => a.start - b.start);
  const call = [];
  let cursor = start;
  for (const h of holds) {
    if (h.start > cursor) call.push({ start: cursor, end: h.start, kind: 'connected', reason: '', reasons: [], by: [] });
    call.push({ start: Math.max(h.start, cursor), end: h.end, kind: 'hold', reason: 'hold', reasons: ['hold'], by: [] });
    cursor = Math.max(cursor, h.end);
  }
  if (cursor < end) call.push({ start: cursor, end, kind: 'connected', reason: '', reasons: [], by: [] });

  const recording = segments && segments.length ? segmentSpans(segments, rec.createdAt, start, end) : capSpans(rec.caps.recording, start, end, 'recorded');
  return {
    start,
    end,
    live: rec.endedAt === null,
    rows: [
      { id: 'call', label: 'Call', spans: call.filter((s) => s.end > s.start) },
      { id: 'recording', label: 'Recording', spans: recording.filter((s) => s.end > s.start) },
      { id: 'transcription', label: 'Transcription', spans: capSpans(rec.caps.transcription, start, end, 'transcribed') },
    ],
  };
}

/** summarize describes the rows in one sentence, for screen readers. */
export function summarize(model, describeReason) {
  const parts = [];
  for (const row of model.rows) {
    if (row.id === 'call') {
      const hold = row.spans.filter((s) => s.kind === 'hold');
      if (hold.length) parts.push(`on hold ${hold.length} time${hold.length > 1 ? 's' : ''}`);
      continue;
    }
    const paused = row.spans.filter((s) => s.kind === 'paused');
    const running = row.spans.filter((s) => s.kind !== 'paused');
    if (!running.length && !paused.length) {
      parts.push(`${row.label.toLowerCase()} off`);
      continue;
    }
    const why = [...new Set(paused.map((s) => describeReason(s.reason)))].join(', ');
    parts.push(
      paused.length
        ? `${row.label.toLowerCase()} paused ${paused.length} time${paused.length > 1 ? 's' : ''} (${why})`
        : `${row.label.toLowerCase()} never paused`,
    );
  }
  return parts.join('; ');
}
