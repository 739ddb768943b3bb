import test from 'node:test';
import assert from 'node:assert/strict';
import { History, buildRows, summarize, topReason } from '../js/timeline.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const at = (s) => new Date(T0 + s * 1000).toISOString();
const sec = (ms) => (ms - T0) / 1000;

function cap(desiredState, pauseReasons = [], state = desiredState) {
  return { state, desiredState, pauseReasons };
}

function conv(updated, { callState = 'connected', recording = cap('in-progress'), transcription = cap('in-progress'), secureSessions = [], version = updated, endedAt } = {}) {
  return { id: 'c1', agentId: 'a1', callState, createdAt: at(0), updatedAt: at(updated), endedAt, recording, transcription, secureSessions, version };
}

// Rows as [kind, reason, startSec, endSec] for compact assertions.
function rows(model) {
  const out = {};
  for (const r of model.rows) out[r.id] = r.spans.map((s) => [s.kind, s.reason, sec(s.start), sec(s.end)]);
  return out;
}

test('a manual pause seen live becomes a paused span between two recorded ones', () => {
  const h = new History();
  h.observe(conv(0));
  const manual = { kind: 'manual', id: 'key-1', since: at(10), by: 'agent-1' };
  h.observe(conv(10, { recording: cap('paused', [manual]) }));
  h.observe(conv(25));
  const model = buildRows(h.get('c1'), T0 + 40_000);
  assert.deepEqual(rows(model), {
    call: [['connected', '', 0, 40]],
    recording: [
      ['recorded', '', 0, 10],
      ['paused', 'manual', 10, 25],
      ['recorded', '', 25, 40],
    ],
    transcription: [['transcribed', '', 0, 40]],
  });
  assert.equal(model.live, true);
  assert.deepEqual(model.rows[1].spans[1].by, ['agent-1']);
});

test('a capability running when first seen has run since the call began', () => {
  const h = new History();
  h.observe(conv(30));
  assert.deepEqual(rows(buildRows(h.get('c1'), T0 + 60_000)).recording, [['recorded', '', 0, 60]]);
});

test('a capability started later starts at that snapshot; not started draws nothing', () => {
  const h = new History();
  h.observe(conv(0, { recording: cap('not-started'), transcription: cap('not-started') }));
  h.observe(conv(20, { transcription: cap('not-started') }));
  const r = rows(buildRows(h.get('c1'), T0 + 30_000));
  assert.deepEqual(r.recording, [['recorded', '', 20, 30]]);
  assert.deepEqual(r.transcription, []);
});

test('overlapping reasons: the most important colours the span, all are listed', () => {
  const h = new History();
  h.observe(conv(0));
  const hold = { kind: 'hold', since: at(5) };
  const secure = { kind: 'secure', id: 's1', since: at(8) };
  h.observe(conv(5, { callState: 'on-hold', recording: cap('paused', [hold]) }));
  h.observe(conv(8, { callState: 'on-hold', recording: cap('paused', [hold, secure]) }));
  h.observe(conv(12, { recording: cap('paused', [secure]) }));
  h.observe(conv(20));
  const model = buildRows(h.get('c1'), T0 + 30_000);
  assert.deepEqual(rows(model).recording, [
    ['recorded', '', 0, 5],
    ['paused', 'hold', 5, 8],
    ['paused', 'secure', 8, 12],
    ['paused', 'secure', 12, 20],
    ['recorded', '', 20, 30],
  ]);
  assert.deepEqual(model.rows[1].spans[2].reasons, ['hold', 'secure']);
  assert.deepEqual(model.rows[1].spans[3].reasons, ['secure']);
  assert.deepEqual(rows(model).call, [
    ['connected', '', 0, 5],
    ['hold', 'hold', 5, 12],
    ['connected', '', 12, 30],
  ]);
});

test('a hold starts at its reason time, not when the snapshot arrived', () => {
  const h = new History();
  h.observe(conv(0));
  h.observe(conv(9, { callState: 'on-hold', recording: cap('paused', [{ kind: 'hold', since: at(6) }]) }));
  assert.deepEqual(rows(buildRows(h.get('c1'), T0 + 10_000)).call, [
    ['connected', '', 0, 6],
    ['hold', 'hold', 6, 10],
  ]);
});

test('secure sessions in a snapshot draw spans the console never saw held', () => {
  const h = new History();
  const sessions = [
    { id: 's1', state: 'completed', startedAt: at(10), expiresAt: at(610), endedAt: at(70) },
    { id: 's2', state: 'expired', startedAt: at(100), expiresAt: at(130), endedAt: at(130) },
  ];
  h.observe(conv(200, { secureSessions: sessions }));
  const r = rows(buildRows(h.get('c1'), T0 + 200_000));
  const want = (on) => [
    [on, '', 0, 10],
    ['paused', 'secure', 10, 70],
    [on, '', 70, 100],
    ['paused', 'secure', 100, 130],
    [on, '', 130, 200],
  ];
  assert.deepEqual(r.recording, want('recorded'));
  assert.deepEqual(r.transcription, want('transcribed'));
});

test('a secure span seen live ends when its session says, not when the snapshot came', () => {
  const h = new History();
  h.observe(conv(0));
  const reason = { kind: 'secure', id: 's1', since: at(10) };
  h.observe(conv(10, { recording: cap('paused', [reason]), secureSessions: [{ id: 's1', state: 'active', startedAt: at(10), expiresAt: at(600) }] }));
  h.observe(conv(50, { secureSessions: [{ id: 's1', state: 'completed', startedAt: at(10), expiresAt: at(600), endedAt: at(42) }] }));
  const r = rows(buildRows(h.get('c1'), T0 + 60_000));
  assert.deepEqual(r.recording, [
    ['recorded', '', 0, 10],
    ['paused', 'secure', 10, 42],
    ['recorded', '', 42, 60],
  ]);
});

test('an ended call closes every span at its end and stops growing', () => {
  const h = new History();
  h.observe(conv(0));
  const manual = { kind: 'manual', id: 'k', since: at(20) };
  h.observe(conv(20, { recording: cap('paused', [manual]) }));
  h.observe(conv(40, { callState: 'ended', endedAt: at(35), recording: cap('stopped'), transcription: cap('stopped') }));
  const model = buildRows(h.get('c1'), T0 + 999_000);
  assert.equal(model.live, false);
  assert.equal(sec(model.end), 35);
  assert.deepEqual(rows(model).recording, [
    ['recorded', '', 0, 20],
    ['paused', 'manual', 20, 35],
  ]);
});

test('a late or repeated snapshot changes nothing', () => {
  const h = new History();
  h.observe(conv(0));
  const manual = { kind: 'manual', id: 'k', since: at(5) };
  const paused = conv(5, { recording: cap('paused', [manual]) });
  h.observe(paused);
  h.observe(paused);
  h.observe(conv(15));
  h.observe(conv(15));
  assert.deepEqual(rows(buildRows(h.get('c1'), T0 + 20_000)).recording, [
    ['recorded', '', 0, 5],
    ['paused', 'manual', 5, 15],
    ['recorded', '', 15, 20],
  ]);
});

test('bad input does not throw', () => {
  const h = new History();
  assert.equal(h.observe(null), null);
  assert.equal(h.observe({}), null);
  const rec = h.observe({ id: 'x', recording: { pauseReasons: [null, { kind: '' }] }, secureSessions: [null] });
  assert.ok(rec);
  const model = buildRows(rec, T0);
  assert.equal(model.rows.length, 3);
});

test('topReason and summarize', () => {
  assert.equal(topReason(['hold', 'manual']), 'manual');
  assert.equal(topReason(['hold', 'secure', 'source']), 'secure');
  assert.equal(topReason(['weird']), 'weird');
  const h = new History();
  h.observe(conv(0, { transcription: cap('not-started') }));
  h.observe(conv(5, { callState: 'on-hold', recording: cap('paused', [{ kind: 'hold', since: at(5) }]), transcription: cap('not-started') }));
  const text = summarize(buildRows(h.get('c1'), T0 + 10_000), (r) => r);
  assert.equal(text, 'on hold 1 time; recording paused 1 time (hold); transcription off');
});

test('a hold that pauses only the voice draws the screen as still recorded, live and loaded alike', () => {
  const hold = { kind: 'hold', since: at(10) };
  const parts = [
    { name: 'AGENT', state: 'paused' },
    { name: 'SCREEN', state: 'in-progress' },
  ];
  const h = new History();
  h.observe(conv(0));
  h.observe(conv(10, { callState: 'on-hold', recording: { ...cap('paused', [hold]), parts } }));
  h.observe(conv(20));
  h.observe(conv(30, { callState: 'ended', endedAt: at(30), recording: cap('stopped'), transcription: cap('stopped') }));
  const model = buildRows(h.get('c1'), T0 + 40_000);
  const recording = model.rows.find((r) => r.id === 'recording').spans;
  assert.deepEqual(
    recording.map((s) => [s.kind, sec(s.start), sec(s.end), s.parts.map((p) => `${p.name}=${p.state}`).join()]),
    [
      ['recorded', 0, 10, ''],
      ['paused', 10, 20, 'AGENT=paused,SCREEN=in-progress'],
      ['recorded', 20, 30, ''],
    ],
  );
  // The server's timeline carries the same parts spans; loaded, it draws the same.
  const loaded = new History().load({
    conversationId: 'c1',
    createdAt: at(0),
    endedAt: at(30),
    holds: [{ start: at(10), end: at(20) }],
    recording: {
      active: [{ start: at(0), end: at(30) }],
      reasons: [{ kind: 'hold', start: at(10), end: at(20) }],
      parts: parts.map((p) => ({ ...p, start: at(10), end: at(20) })),
    },
    transcription: { active: [{ start: at(0), end: at(30) }], reasons: [] },
  });
  assert.deepEqual(buildRows(loaded, T0 + 40_000).rows, model.rows);
});
