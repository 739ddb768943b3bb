// The console read against the real server's answers: test/contract holds
// what hush answered about a recorded demo call (written by the Go test
// TestContractFixtures). If the server's shapes change, these fail.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { History, buildRows } from '../js/timeline.js';
import { Store, conversationOf } from '../js/store.js';
import { matchesReason } from '../js/audit.js';
import { transcriptLines } from '../js/transcript.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../../../test/contract/${name}`, import.meta.url), 'utf8'));
const conversation = fixture('conversation.json');
const segments = fixture('segments.json');
const timeline = fixture('timeline.json');
const events = fixture('events.json');
const audit = fixture('audit.json');
const transcript = fixture('transcript.json');
const list = fixture('conversations.json');

const paused = (row) => row.spans.filter((s) => s.kind === 'paused');

test('the ended timeline draws every paused span of the segment map', () => {
  const h = new History();
  h.observe(conversation);
  const model = buildRows(h.get(conversation.id), Date.now(), { segments: segments.segments });
  const row = model.rows.find((r) => r.id === 'recording');
  const want = segments.segments.filter((s) => s.state === 'paused');
  assert.ok(want.length >= 2, 'the fixture call has pauses');
  assert.equal(paused(row).length, want.length);
  for (const [i, seg] of want.entries()) {
    const span = paused(row)[i];
    assert.equal(span.start, Date.parse(seg.start));
    assert.equal(span.end, Date.parse(seg.end));
    assert.deepEqual(span.reasons, [...new Set(seg.reasons.map((r) => r.kind))].sort());
  }
  const recorded = segments.segments.filter((s) => s.state === 'recorded');
  assert.equal(row.spans.filter((s) => s.kind === 'recorded').length, recorded.length);
});

test("the server's timeline draws the call from its start", () => {
  const h = new History();
  const rec = h.load(timeline);
  assert.ok(rec);
  const model = buildRows(rec, Date.now());
  assert.equal(model.live, false);
  assert.equal(model.start, Date.parse(timeline.createdAt));
  assert.equal(model.end, Date.parse(timeline.endedAt));
  for (const id of ['recording', 'transcription']) {
    const kinds = new Set(paused(model.rows.find((r) => r.id === id)).flatMap((s) => s.reasons));
    for (const k of ['source', 'secure', 'manual']) assert.ok(kinds.has(k), `${id} paused for ${k}`);
  }
  const manual = paused(model.rows[1]).find((s) => s.reasons.includes('manual'));
  assert.ok(manual.by.some((b) => b.startsWith('agent:')), 'the manual pause names its agent');
});

test('the events, folded live, draw what the server folded', () => {
  const store = new Store();
  for (const ev of events) {
    assert.equal(conversationOf(ev.type, ev.data), conversation.id, `${ev.type} names its conversation`);
    if (ev.type.startsWith('conversation.')) store.upsert(ev.data);
  }
  assert.equal(store.get(conversation.id).callState, 'ended');
  const live = buildRows(store.history.get(conversation.id), Date.now());
  const loaded = buildRows(new History().load(timeline), Date.now());
  const compact = (m) => m.rows.map((r) => r.spans.map((s) => [r.id, s.kind, s.reasons.join('+'), s.start, s.end]));
  assert.deepEqual(compact(live), compact(loaded));
});

test('an audit page: entries newest first, filterable, with a cursor for older ones', () => {
  assert.ok(audit.entries.length > 0);
  for (let i = 1; i < audit.entries.length; i++) assert.ok(audit.entries[i].seq < audit.entries[i - 1].seq);
  for (const e of audit.entries) {
    assert.equal(typeof e.actor, 'string');
    assert.equal(typeof e.action, 'string');
    assert.equal(e.conversationId, conversation.id);
  }
  assert.equal(typeof audit.next, 'string');
  assert.ok(audit.entries.some((e) => matchesReason(e, 'resume')));
});

test('a conversation page carries a list and says whether more follow', () => {
  assert.equal(list.conversations.length, 1);
  assert.equal(list.conversations[0].callState, 'ended');
  assert.ok(!('next' in list) || typeof list.next === 'string');
});

test('the transcript names who spoke and leaves out utterances without words', () => {
  assert.ok(transcript.segments.length > 0);
  for (const s of transcript.segments) assert.ok(['caller', 'agent'].includes(s.channel), s.channel);
  const { lines, heardWithoutWords } = transcriptLines(transcript);
  const worded = transcript.segments.filter((s) => s.text.trim() !== '');
  assert.equal(lines.length, worded.length);
  assert.equal(heardWithoutWords, transcript.segments.length - worded.length);
  const withWords = transcriptLines({ segments: [...transcript.segments, { channel: 'caller', startMs: 1, text: ' card ' }] });
  assert.deepEqual(withWords.lines[0], { who: 'Caller', startMs: 1, text: 'card' });
});

test('the audit caption says what the table shows', async () => {
  const { caption } = await import('../js/audit.js');
  assert.equal(caption(500, true), 'The newest 500 audit entries, newest first; older entries are not shown yet.');
  assert.equal(caption(1, false), 'All 1 audit entry, newest first.');
  assert.equal(caption(3, true, 200, 'hold'), '3 matching “hold” among the newest 200 audit entries; older entries are not searched yet. Newest first.');
});
