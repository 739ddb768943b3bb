import test from 'node:test';
import assert from 'node:assert/strict';
import { SSEParser, backoffDelay } from '../hush.js';

function collect(opts = {}) {
  const events = [];
  const retries = [];
  const comments = [];
  const p = new SSEParser({
    onEvent: (ev) => events.push(ev),
    onRetry: (ms) => retries.push(ms),
    onComment: (c) => comments.push(c),
    ...opts,
  });
  return { p, events, retries, comments };
}

const STREAM =
  ': ping\n\n' +
  'id: 1\nevent: conversation.created\ndata: {"id":"c1"}\n\n' +
  'id: 2\nevent: recording.operation.completed\ndata: {"transactionId":"t1",\ndata: "result":"succeeded"}\n\n' +
  'id: 3\ndata: plain\n\n';

const WANT = [
  { type: 'conversation.created', data: '{"id":"c1"}', id: '1' },
  { type: 'recording.operation.completed', data: '{"transactionId":"t1",\n"result":"succeeded"}', id: '2' },
  { type: 'message', data: 'plain', id: '3' },
];

test('parses typed events, multi-line data and comments', () => {
  const { p, events, comments } = collect();
  p.push(STREAM);
  assert.deepEqual(events, WANT);
  assert.deepEqual(comments, ['ping']);
  assert.equal(p.lastEventId, '3');
});

test('gives the same events however the stream is split', () => {
  for (let size = 1; size <= STREAM.length; size++) {
    const { p, events } = collect();
    for (let i = 0; i < STREAM.length; i += size) p.push(STREAM.slice(i, i + size));
    assert.deepEqual(events, WANT, `chunk size ${size}`);
  }
});

test('handles CRLF and lone CR line ends, including a CR at the end of a chunk', () => {
  const crlf = STREAM.replaceAll('\n', '\r\n');
  const cr = STREAM.replaceAll('\n', '\r');
  for (const text of [crlf, cr]) {
    for (let size = 1; size <= 7; size++) {
      const { p, events } = collect();
      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
      assert.deepEqual(events, WANT, `chunk size ${size} of ${JSON.stringify(text.slice(0, 12))}`);
    }
  }
});

test('a CRLF split between chunks is one line end, not two', () => {
  const { p, events } = collect();
  p.push('data: a\r');
  p.push('\ndata: b\r');
  p.push('\n\r');
  p.push('\n');
  assert.deepEqual(events, [{ type: 'message', data: 'a\nb', id: '' }]);
});

test('keeps multi-byte characters split across byte chunks whole', () => {
  const bytes = new TextEncoder().encode('id: 9\nevent: x\ndata: {"note":"Zahlung über €5 ✓"}\n\n');
  for (let size = 1; size <= 5; size++) {
    const { p, events } = collect();
    for (let i = 0; i < bytes.length; i += size) p.pushBytes(bytes.subarray(i, i + size));
    p.end();
    assert.deepEqual(events, [{ type: 'x', data: '{"note":"Zahlung über €5 ✓"}', id: '9' }], `chunk size ${size}`);
  }
});

test('an id without data still moves the last event id; NUL ids are ignored', () => {
  const { p, events } = collect();
  p.push('id: 7\n\n');
  assert.equal(events.length, 0);
  assert.equal(p.lastEventId, '7');
  p.push('id: 8\u0000\ndata: x\n\n');
  assert.deepEqual(events, [{ type: 'message', data: 'x', id: '7' }]);
  p.push('id\ndata: y\n\n');
  assert.equal(p.lastEventId, '', 'a bare id field resets the id');
});

test('the id is taken at dispatch, so an unfinished event does not move it', () => {
  const { p } = collect();
  p.push('id: 1\ndata: a\n\nid: 2\ndata: b\n');
  assert.equal(p.lastEventId, '1');
  p.end();
  assert.equal(p.lastEventId, '1', 'an event cut off by the end of the stream is dropped');
});

test('starts from a given last event id', () => {
  const { p, events } = collect({ lastEventId: '41' });
  p.push('data: no id\n\n');
  assert.deepEqual(events, [{ type: 'message', data: 'no id', id: '41' }]);
});

test('reads retry, ignores unknown fields and a leading BOM', () => {
  const { p, events, retries } = collect();
  p.push('\ufeffretry: 2500\nretry: soon\nfoo: bar\ndata\ndata:x\n\n');
  assert.deepEqual(retries, [2500]);
  assert.deepEqual(events, [{ type: 'message', data: '\nx', id: '' }]);
});

test('only one space after the colon is removed', () => {
  const { p, events } = collect();
  p.push('data:  two spaces\n\n');
  assert.equal(events[0].data, ' two spaces');
});

test('backoff grows, stays under the cap and keeps jitter in the upper half', () => {
  const low = (f) => backoffDelay(f, { baseMs: 100, maxMs: 1000, random: () => 0 });
  const high = (f) => backoffDelay(f, { baseMs: 100, maxMs: 1000, random: () => 1 });
  assert.deepEqual([0, 1, 2, 3, 4, 10].map(high), [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual([0, 1, 2, 3, 4, 10].map(low), [50, 100, 200, 400, 500, 500]);
});
