import test from 'node:test';
import assert from 'node:assert/strict';
import { Store, focusedConversation, conversationOf, fillTemplate } from '../js/store.js';
import { matchesReason } from '../js/audit.js';

const c = (id, version, extra = {}) => ({
  id,
  version,
  agentId: 'a1',
  callState: 'connected',
  createdAt: '2025-03-01T10:00:00Z',
  updatedAt: '2025-03-01T10:00:00Z',
  recording: { state: 'in-progress', desiredState: 'in-progress', pauseReasons: [] },
  transcription: { state: 'in-progress', desiredState: 'in-progress', pauseReasons: [] },
  ...extra,
});

test('a snapshot older than the one held is ignored', async () => {
  const s = new Store();
  const seen = [];
  s.subscribe((ids) => seen.push([...ids]));
  assert.equal(s.upsert(c('x', 3, { callState: 'on-hold' })), true);
  assert.equal(s.upsert(c('x', 2)), false);
  assert.equal(s.get('x').callState, 'on-hold');
  assert.equal(s.upsert(c('x', 3, { callState: 'on-hold' })), true, 'the same version again is harmless');
  assert.equal(s.upsert({}), false);
  await Promise.resolve();
  assert.deepEqual(seen, [['x']], 'changes in one turn are batched');
});

test('live and ended lists, and the focused call', () => {
  const s = new Store();
  s.upsert(c('old', 1, { createdAt: '2025-03-01T09:00:00Z' }));
  s.upsert(c('new', 1, { createdAt: '2025-03-01T09:30:00Z' }));
  s.upsert(c('gone', 1, { createdAt: '2025-03-01T09:45:00Z', callState: 'ended', endedAt: '2025-03-01T09:50:00Z' }));
  assert.deepEqual(s.live().map((x) => x.id), ['new', 'old']);
  assert.deepEqual(s.ended().map((x) => x.id), ['gone']);
  assert.equal(focusedConversation([...s.conversations.values()]).id, 'new');
  assert.equal(focusedConversation([]), null);
});

test('recent events are kept newest first and bounded', () => {
  const s = new Store();
  for (let i = 0; i < 30; i++) s.addEvent('x', 'recording.operation.completed', { n: i }, i);
  const list = s.recentEvents('x');
  assert.equal(list.length, 20);
  assert.equal(list[0].data.n, 29);
  assert.deepEqual(s.recentEvents('none'), []);
});

test('conversationOf finds the conversation of every event type', () => {
  assert.equal(conversationOf('conversation.updated', { id: 'a' }), 'a');
  assert.equal(conversationOf('recording.operation.completed', { conversationId: 'b' }), 'b');
  assert.equal(conversationOf('secure-session.completed', { conversationId: 'c', session: {} }), 'c');
  assert.equal(conversationOf('pause.auto-resumed', { conversationId: 'd' }), 'd');
  assert.equal(conversationOf('x', null), '');
});

test('fillTemplate encodes the session id and the completion URL', () => {
  const url = fillTemplate(
    'https://pay.example/checkout?session={sessionId}&done={completeUrl}',
    's 1/2',
    'https://hush.example/v1/secure-sessions/s1/complete?token=a&b=c',
  );
  const u = new URL(url);
  assert.equal(u.searchParams.get('session'), 's 1/2');
  assert.equal(u.searchParams.get('done'), 'https://hush.example/v1/secure-sessions/s1/complete?token=a&b=c');
  assert.equal(fillTemplate('', 'x', 'y'), '');
});

test('the audit reason filter ignores case and looks at reason, action and detail', () => {
  assert.equal(matchesReason({ reason: 'Card number', action: 'command.pause' }, 'card'), true);
  assert.equal(matchesReason({ action: 'event.hold' }, 'HOLD'), true);
  assert.equal(matchesReason({ action: 'secure-start' }, 'secure'), true);
  assert.equal(matchesReason({ action: 'backend.result', detail: { reasons: ['source'] } }, 'source'), true);
  assert.equal(matchesReason({ action: 'command.resume' }, 'manual'), true);
  assert.equal(matchesReason({ action: 'event.hold' }, 'manual'), false);
  assert.equal(matchesReason({ action: 'create' }, 'secure'), false);
  assert.equal(matchesReason({}, ''), true);
  assert.equal(matchesReason({}, 'x'), false);
});
