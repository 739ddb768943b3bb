import test from 'node:test';
import assert from 'node:assert/strict';
import { capabilityLine, describeEvent, endReasonLabel, explainError, formatDuration, problemText, reasonLabel } from '../js/words.js';
import { readParams } from '../pay/pay.js';

test('capabilityLine says when the recorder has not confirmed yet', () => {
  assert.equal(capabilityLine({ state: 'in-progress', desiredState: 'in-progress' }), 'On');
  assert.equal(capabilityLine({ state: 'in-progress', desiredState: 'paused' }), 'On, changing to paused (waiting for the recorder to confirm)');
  assert.equal(capabilityLine(undefined), 'Unknown');
});

test('capabilityLine names the parts that differ', () => {
  const held = { state: 'paused', desiredState: 'paused', parts: [{ name: 'AGENT', state: 'paused' }, { name: 'SCREEN', state: 'in-progress' }] };
  assert.equal(capabilityLine(held), 'Paused (voice paused, screen on)');
  assert.equal(capabilityLine({ state: 'paused', desiredState: 'paused' }), 'Paused');
});

test('reasons read as sentences', () => {
  assert.equal(reasonLabel({ kind: 'manual', id: 'key-1', by: 'agent-7', note: 'card number' }), 'Paused by agent-7: “card number”');
  assert.equal(reasonLabel({ kind: 'secure', id: 's1' }), 'Secure payment in progress');
  assert.equal(reasonLabel({ kind: 'hold' }), 'Caller on hold');
  assert.equal(reasonLabel({ kind: 'source', id: 'rtp-1' }), 'The phone system stopped sending audio (it does so when the caller is put on hold)');
  assert.equal(reasonLabel({ kind: 'auto', id: 'keypad' }), 'Paused automatically: card digits (keypad)');
  assert.equal(reasonLabel({ kind: 'auto', id: 'spoken' }), 'Paused automatically: card digits (spoken)');
});

test('errors are explained in plain words, keeping the server message', () => {
  assert.match(explainError({ status: 403, message: 'conversation c1 belongs to agent-2' }), /only control their own calls \(conversation c1 belongs to agent-2\)/);
  assert.match(explainError({ status: 401, message: 'x' }), /Sign in again/);
  assert.match(explainError({ code: 'network', message: 'Failed to fetch' }), /cannot be reached/);
  assert.match(explainError({ status: 503, message: 'busy' }), /had a problem/);
  assert.match(explainError({ code: 'operation_failed', message: 'The recording system could not pause the recording: 503' }), /keeps trying/);
  assert.equal(explainError(null), '');
});

test('events become one line each', () => {
  assert.equal(
    describeEvent('recording.operation.completed', { capability: 'recording', operation: 'pause', result: 'succeeded', currentState: 'paused' }),
    'Recording paused: now paused.',
  );
  assert.equal(
    describeEvent('transcription.operation.completed', { capability: 'transcription', operation: 'resume', result: 'failed', error: 'timeout' }),
    'Transcription could not resume: timeout. hush keeps trying.',
  );
  assert.equal(
    describeEvent('pause.auto-resumed', { capability: 'recording', reason: { kind: 'manual', by: 'agent-1' } }),
    'Recording resumed automatically: paused by agent-1 lasted too long.',
  );
  assert.equal(describeEvent('secure-session.expired', {}), 'Secure payment window expired.');
  assert.equal(
    describeEvent('pause.auto-resumed', { capability: 'transcription', reason: { kind: 'secure', id: 's1' } }),
    'Transcription resumed automatically: the secure payment window expired.',
  );
});

test('problemText handles a string or an object', () => {
  assert.equal(problemText(''), '');
  assert.equal(problemText('boom'), 'The recorder reported a problem: boom');
  assert.equal(
    problemText({ target: 'paused', error: 'AccessDenied', final: true }),
    'The recorder reported a problem while changing to paused: AccessDenied. It cannot be retried; tell your administrator.',
  );
});

test('formatDuration', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(61_400), '1:01');
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatDuration(-5), '0:00');
});

test('the payment page accepts only http(s) completion URLs', () => {
  const base = 'http://hush.local/pay/';
  assert.deepEqual(readParams('?sessionId=s1&completeUrl=' + encodeURIComponent('http://hush.local/v1/secure-sessions/s1/complete?token=t'), base), {
    sessionId: 's1',
    completeUrl: 'http://hush.local/v1/secure-sessions/s1/complete?token=t',
  });
  assert.equal(readParams('?completeUrl=javascript:alert(1)', base).completeUrl, '');
  assert.equal(readParams('?completeUrl=/v1/secure-sessions/s2/complete', base).completeUrl, 'http://hush.local/v1/secure-sessions/s2/complete');
  assert.deepEqual(readParams('', base), { sessionId: '', completeUrl: '' });
});

test('a call the recorder did not end the ordinary way says why', () => {
  assert.equal(endReasonLabel('recorder-restarted'), 'recording interrupted: the recorder restarted during the call');
  assert.match(endReasonLabel('media-timeout'), /RTP timeout/);
  assert.equal(endReasonLabel(undefined), '');
  assert.equal(describeEvent('conversation.ended', { endReason: 'recorder-restarted' }), 'Call recording interrupted: the recorder restarted during the call.');
});

test('source pauses show once per capability; a manual pause says when it ends', async () => {
  const { reasonsToShow, autoEndAt, reasonLabel } = await import('../js/words.js');
  const shown = reasonsToShow([
    { kind: 'source', id: '1', since: '2025-03-01T10:00:02Z' },
    { kind: 'source', id: '2', since: '2025-03-01T10:00:01Z' },
    { kind: 'manual', id: 'agent:alice', by: 'agent:alice', byName: 'Alice Agent', since: '2025-03-01T10:00:00Z' },
  ]);
  assert.deepEqual(
    shown.map((r) => r.kind),
    ['source', 'manual'],
  );
  assert.equal(shown[0].since, '2025-03-01T10:00:01Z');
  assert.match(reasonLabel(shown[0]), /phone system stopped sending audio/);
  assert.equal(reasonLabel(shown[1]), 'Paused by Alice Agent');
  assert.equal(autoEndAt(shown[1], 900), Date.parse('2025-03-01T10:15:00Z'));
  assert.equal(autoEndAt(shown[0], 900), null);
  assert.equal(autoEndAt(shown[1], 0), null);
});
