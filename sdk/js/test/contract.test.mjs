// The SDK read against the real server's answers: test/contract holds what
// hush answered about a recorded demo call (written by the Go test
// TestContractFixtures). If the server's shapes change, these fail.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { EVENT_TYPES, SSEParser, connect } from '../hush.js';

const fixture = (name) => readFileSync(new URL(`../../../test/contract/${name}`, import.meta.url), 'utf8');
const events = JSON.parse(fixture('events.json'));
const conversation = JSON.parse(fixture('conversation.json'));

test('every event type the server sends is one the SDK knows', () => {
  for (const ev of events) assert.ok(EVENT_TYPES.includes(ev.type), `${ev.type} is not in EVENT_TYPES`);
});

test('the stream, as the server writes it, parses back to the same events', () => {
  // The server's framing: a comment, an id line of where the stream stands, then events.
  const wire = ': hush events\nid: 0\n\n' + events.map((ev) => `id: ${ev.id}\nevent: ${ev.type}\ndata: ${JSON.stringify(ev.data)}\n\n`).join('');
  const got = [];
  const p = new SSEParser({ onEvent: (ev) => got.push(ev) });
  p.push(wire);
  assert.equal(got.length, events.length);
  for (const [i, ev] of got.entries()) {
    assert.equal(ev.type, events[i].type);
    assert.equal(ev.id, events[i].id);
    assert.deepEqual(JSON.parse(ev.data), events[i].data);
  }
  const ops = got.filter((ev) => ev.type.endsWith('.operation.completed')).map((ev) => JSON.parse(ev.data));
  assert.ok(ops.length > 0);
  for (const op of ops) {
    for (const k of ['conversationId', 'liveWorkItemId', 'transactionId', 'result', 'currentState', 'desiredState']) {
      assert.equal(typeof op[k], 'string', `operation events carry ${k}`);
    }
  }
});

// serve answers each path with a fixture, as hush answered it.
async function serve(t, routes) {
  const seen = [];
  const srv = http.createServer((req, res) => {
    seen.push(req.url);
    const path = req.url.split('?')[0];
    const body = routes[path];
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(body || '{"error":{"code":"not_found","message":"not found"}}');
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  return { base: `http://127.0.0.1:${srv.address().port}`, seen };
}

test('pages, the timeline and the audit read as the server answers them', async (t) => {
  const { base, seen } = await serve(t, {
    '/v1/conversations': fixture('conversations.json'),
    '/v1/audit': fixture('audit.json'),
    [`/v1/conversations/${conversation.id}/timeline`]: fixture('timeline.json'),
  });
  const client = connect({ baseUrl: base, apiKey: 'k' });
  t.after(() => client.close());
  const page = await client.listConversations({ state: 'ended', limit: 1 });
  assert.equal(page.conversations.length, 1);
  assert.equal(page.conversations[0].callState, 'ended');
  assert.equal(typeof page.next, 'string');
  assert.equal(seen.at(-1), '/v1/conversations?state=ended&limit=1');
  const auditPage = await client.listAudit({ conversation: conversation.id, limit: 8, cursor: 'abc' });
  assert.equal(auditPage.entries.length, JSON.parse(fixture('audit.json')).entries.length);
  assert.notEqual(auditPage.next, '');
  assert.equal(seen.at(-1), `/v1/audit?conversation=${conversation.id}&limit=8&cursor=abc`);
  const tl = await client.getTimeline(conversation.id);
  assert.equal(tl.conversationId, conversation.id);
  assert.ok(Array.isArray(tl.recording.reasons) && tl.recording.reasons.length > 0);
});
