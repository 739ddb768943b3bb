import test from 'node:test';
import assert from 'node:assert/strict';
import { connect, Completions, HushError } from '../hush.js';
import { startFakeHush, waitUntil, KEY } from '../testdata/fakehush.mjs';

const FAST = { baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 5000 };

async function setup(t, opts = {}) {
  const hush = await startFakeHush();
  const client = connect({ baseUrl: hush.baseUrl, apiKey: KEY, reconnect: FAST, operationTimeoutMs: 3000, ...opts });
  t.after(async () => {
    client.close();
    await hush.close();
  });
  return { hush, client };
}

test('Completions matches by transactionId whether the completion comes first or last', async () => {
  const c = new Completions({ keep: 2 });
  c.deliver({ transactionId: 'early', result: 'succeeded' });
  assert.equal((await c.wait('early')).transactionId, 'early');

  const later = c.wait('late');
  c.deliver({ transactionId: 'other', result: 'succeeded' });
  c.deliver({ transactionId: 'late', result: 'failed' });
  assert.equal((await later).result, 'failed');

  c.deliver({ transactionId: 'a' });
  c.deliver({ transactionId: 'b' });
  c.deliver({ transactionId: 'c' });
  assert.deepEqual([...c.recent.keys()], ['b', 'c'], 'only the newest completions are kept');
  assert.equal(c.deliver({}), false, 'an event without a transactionId is ignored');
});

test('Completions times out with the given error and forgets the waiter', async () => {
  const c = new Completions();
  await assert.rejects(c.wait('never', { timeoutMs: 1, timeoutError: () => new Error('too slow') }), /too slow/);
  assert.equal(c.waiting.size, 0);
});

test('a command resolves with the completion of its own transaction', async (t) => {
  const { hush, client } = await setup(t);
  hush.addConversation('c1');
  hush.addConversation('c2');
  const [a, b] = await Promise.all([
    client.pauseRecording({ liveWorkItemId: 'c1', reason: 'card number', retroactiveMs: 2000 }),
    client.pauseTranscription({ liveWorkItemId: 'c2' }),
  ]);
  assert.equal(a.conversationId, 'c1');
  assert.equal(a.capability, 'recording');
  assert.equal(a.result, 'succeeded');
  assert.equal(a.desiredState, 'paused');
  assert.equal(b.conversationId, 'c2');
  assert.equal(b.capability, 'transcription');
  assert.notEqual(a.transactionId, b.transactionId);

  const post = hush.requests.find((r) => r.method === 'POST' && r.url === '/v1/conversations/c1/recording/pause');
  assert.ok(post, 'the command went to the contract path');
  assert.equal(post.headers.authorization, `Bearer ${KEY}`);
  for (const r of hush.requests) assert.ok(!r.url.includes(KEY), `the key stays out of ${r.url}`);
});

test('a completion that arrives before the HTTP answer is not missed', async (t) => {
  const { hush, client } = await setup(t);
  hush.addConversation('c1');
  hush.opts.completeBeforeResponse = true;
  const done = await client.pauseRecording({ liveWorkItemId: 'c1' });
  assert.equal(done.result, 'succeeded');
  const resumed = await client.resumeRecording({ liveWorkItemId: 'c1' });
  assert.equal(resumed.desiredState, 'in-progress');
});

test('a failed operation rejects with a readable message and the event', async (t) => {
  const { hush, client } = await setup(t);
  hush.addConversation('c1');
  hush.opts.failNext = 'recording/pause';
  await assert.rejects(client.pauseRecording({ liveWorkItemId: 'c1' }), (err) => {
    assert.ok(err instanceof HushError);
    assert.equal(err.code, 'operation_failed');
    assert.match(err.message, /could not pause the recording: the recorder refused/);
    assert.equal(err.event.result, 'failed');
    return true;
  });
});

test('an HTTP error rejects with the server message and status', async (t) => {
  const { client } = await setup(t);
  await assert.rejects(client.startRecording({ liveWorkItemId: 'missing' }), (err) => {
    assert.equal(err.status, 404);
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'conversation missing not found');
    return true;
  });
  await assert.rejects(client.pauseRecording({}), /no liveWorkItemId/);
});

test('a command whose completion never comes times out with a readable message', async (t) => {
  const { hush, client } = await setup(t, { operationTimeoutMs: 50 });
  hush.addConversation('c1');
  hush.opts.withholdCompletion = true;
  // Open the stream first: on a loaded machine connecting can take longer
  // than the 50 ms, and only the completion's wait is under test.
  await client.ready();
  await assert.rejects(client.pauseRecording({ liveWorkItemId: 'c1' }), /has not confirmed it within/);
});

test('a bad key fails commands with the server message instead of hanging', async (t) => {
  const hush = await startFakeHush();
  const client = connect({ baseUrl: hush.baseUrl, apiKey: 'wrong', reconnect: FAST });
  t.after(async () => {
    client.close();
    await hush.close();
  });
  await assert.rejects(client.pauseRecording({ liveWorkItemId: 'c1' }), /did not accept this API key/);
  assert.equal(client.streamStatus, 'error');
});

test('handlers get their event types; removed handlers get nothing more', async (t) => {
  const { hush, client } = await setup(t);
  const rec = [];
  const trans = [];
  const all = [];
  const recId = client.onRecordingOperationCompleted((d) => rec.push(d.transactionId));
  client.onTranscriptionOperationCompleted((d) => trans.push(d.transactionId));
  client.on('*', (d, meta) => all.push(meta.type));
  assert.equal(typeof recId, 'string');
  await client.ready();
  hush.addConversation('c1');
  const first = await client.pauseRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => rec.length === 1, 'the recording event');
  assert.deepEqual(rec, [first.transactionId]);
  assert.equal(client.removeEventHandlerById(recId), true);
  assert.equal(client.removeEventHandlerById(recId), false);
  await client.resumeRecording({ liveWorkItemId: 'c1' });
  await client.pauseTranscription({ liveWorkItemId: 'c1' });
  await waitUntil(() => trans.length === 1, 'the transcription event');
  assert.equal(rec.length, 1);
  assert.ok(all.includes('conversation.created'));
  assert.ok(all.includes('conversation.updated'));
  assert.throws(() => client.on('x', 'not a function'), TypeError);
});

test('a throwing handler does not stop the others', async (t) => {
  const uncaught = [];
  const { hush, client } = await setup(t, { onHandlerError: (e) => uncaught.push(e.message) });
  const seen = [];
  client.on('conversation.created', () => {
    throw new Error('handler bug');
  });
  client.on('conversation.created', (d) => seen.push(d.id));
  await client.ready();
  hush.addConversation('c9');
  await waitUntil(() => seen.length === 1 && uncaught.length === 1, 'both handlers');
  assert.deepEqual(seen, ['c9']);
  assert.deepEqual(uncaught, ['handler bug']);
});

test('the stream reconnects with Last-Event-ID and misses nothing', async (t) => {
  const { hush, client } = await setup(t);
  const ids = [];
  const statuses = [];
  client.on('conversation.created', (d, meta) => ids.push([d.id, meta.id]));
  client.on('stream.status', (s) => statuses.push(s.status));
  await client.ready();
  hush.addConversation('a');
  await waitUntil(() => ids.length === 1, 'the first event');
  hush.dropStreams();
  // Published while no stream is connected: only a resume can deliver it.
  hush.addConversation('b');
  await waitUntil(() => hush.streamCount() === 1 && ids.length === 2, 'the resumed stream');
  hush.addConversation('c');
  await waitUntil(() => ids.length === 3, 'the third event');
  assert.deepEqual(ids, [
    ['a', '1'],
    ['b', '2'],
    ['c', '3'],
  ]);
  const streams = hush.requests.filter((r) => r.url === '/v1/events');
  assert.equal(streams.length, 2);
  assert.equal(streams[0].headers['last-event-id'], undefined);
  assert.equal(streams[1].headers['last-event-id'], '1');
  assert.equal(client.lastEventId, '3');
  assert.ok(statuses.includes('reconnecting'));
  assert.equal(statuses.at(-1), 'open');
});

test('reading calls and conversations', async (t) => {
  const { hush, client } = await setup(t);
  hush.addConversation('c1');
  const ended = hush.addConversation('c2');
  ended.callState = 'ended';
  const active = await client.getActiveCalls();
  assert.deepEqual(
    active.map((c) => c.id),
    ['c1'],
  );
  assert.equal((await client.getConversations()).length, 2);
  assert.equal(hush.requests.at(-2).url, '/v1/conversations?state=live&limit=1000');
});

test('methods work when detached from the client', async (t) => {
  const { hush, client } = await setup(t);
  hush.addConversation('c1');
  const { pauseRecording, getActiveCalls } = client;
  assert.equal((await pauseRecording({ liveWorkItemId: 'c1' })).result, 'succeeded');
  assert.equal((await getActiveCalls()).length, 1);
});

test('close fails waiting commands and later ones', async (t) => {
  const { hush, client } = await setup(t);
  hush.addConversation('c1');
  hush.opts.withholdCompletion = true;
  const pending = client.pauseRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => client.completions.waiting.size === 1, 'the command to wait');
  client.close();
  await assert.rejects(pending, /closed/);
  await assert.rejects(client.pauseRecording({ liveWorkItemId: 'c1' }), /closed/);
});
