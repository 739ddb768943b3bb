// Runs ccaas-compat.js as a classic script in its own global, the way a
// browser page would load it, and drives it the way a Dynamics 365 Contact
// Center customization does.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { startFakeHush, waitUntil, KEY } from '../testdata/fakehush.mjs';

const SOURCE = fs.readFileSync(new URL('../ccaas-compat.js', import.meta.url), 'utf8');

function loadShim(hushConfig, extra = {}) {
  const window = {
    hushConfig,
    fetch,
    TextDecoder,
    AbortController,
    setTimeout,
    clearTimeout,
    console,
    ...extra,
  };
  window.window = window;
  vm.createContext(window);
  vm.runInContext(SOURCE, window, { filename: 'ccaas-compat.js' });
  return window;
}

async function setup(t, config = {}) {
  const hush = await startFakeHush();
  const window = loadShim({ baseUrl: hush.baseUrl + '/', apiKey: KEY, operationTimeoutMs: 3000, reconnectDelayMs: 10, ...config });
  t.after(async () => {
    window.hushCompat.close();
    await hush.close();
  });
  return { hush, window };
}

test('installs the Dynamics objects without clobbering what the page has', () => {
  const window = loadShim({ apiKey: 'k' }, { Microsoft: { Other: 1, CCaaS: { Keep: 2 } } });
  const sdk = window.Microsoft.CCaaS.CCaaSSdk;
  assert.equal(sdk.voiceOrVideoCalling, sdk.voice);
  for (const name of [
    'startRecording',
    'pauseRecording',
    'startTranscription',
    'pauseTranscription',
    'getActiveCalls',
    'onRecordingOperationCompleted',
    'onTranscriptionOperationCompleted',
  ]) {
    assert.equal(typeof sdk.voiceOrVideoCalling[name], 'function', name);
  }
  assert.equal(typeof sdk.utility.removeEventHandlerById, 'function');
  assert.equal(typeof window.Microsoft.Apm.getFocusedSession().getContext, 'function');
  assert.equal(window.Microsoft.CCaaS.StandaloneSDK.voice, sdk.voice);
  assert.equal(window.Microsoft.Other, 1);
  assert.equal(window.Microsoft.CCaaS.Keep, 2);
});

test("the focused session is the host page's choice, else the most recently connected active call", async (t) => {
  const { hush, window } = await setup(t);
  hush.addConversation('older', 'agent-1', '2025-01-01T10:00:00Z');
  hush.addConversation('newest', 'agent-1', '2025-01-01T10:05:00Z');
  hush.addConversation('ended', 'agent-1', '2025-01-01T10:09:00Z').callState = 'ended';
  const ctx = await window.Microsoft.Apm.getFocusedSession().getContext();
  assert.equal(ctx.parameters.LiveWorkItemId, 'newest');
  assert.equal(ctx.get('LiveWorkItemId'), 'newest');
  assert.equal(ctx.get('NoSuchParameter'), undefined);
  // Loaded once by REST, the calls are known without asking again.
  const session = window.Microsoft.Apm.getFocusedSession();
  assert.equal(session.sessionId, 'newest');
  assert.match(session.title, /newest/);

  window.hush.setFocusedConversation('older');
  assert.equal(window.Microsoft.Apm.getFocusedSession().sessionId, 'older');
  assert.equal((await window.Microsoft.Apm.getFocusedSession().getContext()).parameters.LiveWorkItemId, 'older');

  const configured = loadShim({ baseUrl: hush.baseUrl, apiKey: KEY, focusedConversationId: 'older' });
  t.after(() => configured.hushCompat.close());
  const ctx2 = await configured.Microsoft.Apm.getFocusedSession().getContext();
  assert.equal(ctx2.parameters.LiveWorkItemId, 'older');
});

test("a page with Microsoft's own SDK keeps it unless replaceNative says otherwise", () => {
  const logs = [];
  const console = { info: (m) => logs.push(m) };
  const nativeVoice = { startRecording() {} };
  const apm = { getFocusedSession() { return 'native'; } };
  const kept = loadShim({ apiKey: 'k' }, { console, Microsoft: { CCaaS: { CCaaSSdk: { voiceOrVideoCalling: nativeVoice } }, Apm: apm } });
  assert.equal(kept.Microsoft.CCaaS.CCaaSSdk.voiceOrVideoCalling, nativeVoice);
  assert.equal(kept.Microsoft.Apm.getFocusedSession(), 'native');
  assert.equal(kept.hushCompat.installed, false);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /replaced nothing.*replaceNative/);

  const replaced = loadShim({ apiKey: 'k', replaceNative: true }, { console, Microsoft: { CCaaS: { CCaaSSdk: { voiceOrVideoCalling: nativeVoice } }, Apm: apm } });
  assert.notEqual(replaced.Microsoft.CCaaS.CCaaSSdk.voiceOrVideoCalling, nativeVoice);
  assert.equal(typeof replaced.Microsoft.Apm.getFocusedSession().getContext, 'function');
  assert.equal(logs.length, 2);
});

test('getActiveCalls returns Dynamics call objects', async (t) => {
  const { hush, window } = await setup(t);
  const c = hush.addConversation('c1');
  c.recording.state = 'paused';
  const calls = await window.Microsoft.CCaaS.CCaaSSdk.voiceOrVideoCalling.getActiveCalls();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].liveWorkItemId, 'c1');
  assert.equal(calls[0].callState, 'connected');
  assert.equal(calls[0].recordingState, 'paused');
  assert.equal(calls[0].transcriptionState, 'in-progress');
});

test("the documented customization flow: recording includes transcription, events in Microsoft's words", async (t) => {
  const { hush, window } = await setup(t);
  const c = hush.addConversation('c1');
  const voice = window.Microsoft.CCaaS.CCaaSSdk.voiceOrVideoCalling;
  const recEvents = [];
  const transEvents = [];
  const recId = voice.onRecordingOperationCompleted((e) => recEvents.push(e));
  const transId = voice.onTranscriptionOperationCompleted((e) => transEvents.push(e));
  assert.equal(typeof recId, 'string');
  assert.notEqual(recId, transId);

  const ctx = await window.Microsoft.Apm.getFocusedSession().getContext();
  const id = ctx.parameters.LiveWorkItemId;
  assert.equal(await voice.pauseRecording({ liveWorkItemId: id }), undefined);
  assert.equal(c.recording.state, 'paused');
  assert.equal(c.transcription.state, 'paused', 'pauseRecording pauses the transcription too');
  await waitUntil(() => recEvents.length === 1 && transEvents.length === 1, 'the pause events');
  const e = recEvents[0];
  assert.deepEqual(
    { liveWorkItemId: e.liveWorkItemId, result: e.result, currentState: e.currentState, desiredState: e.desiredState, hushResult: e.hushResult },
    { liveWorkItemId: 'c1', result: true, currentState: 'paused', desiredState: 'paused', hushResult: 'succeeded' },
  );
  assert.match(e.transactionId, /^tx-/);

  // Transcription alone cannot be driven while the recording mode is on.
  await voice.startRecording({ liveWorkItemId: id });
  assert.equal(c.recording.state, 'in-progress');
  assert.equal(c.transcription.state, 'in-progress');
  await assert.rejects(voice.pauseTranscription({ liveWorkItemId: id }), (err) => err.name === 'Error' && /use pauseRecording/.test(err.message));
  await assert.rejects(voice.startTranscription({ liveWorkItemId: id }), /Recording is running/);

  // With the recording stopped, transcription is its own mode.
  c.recording.state = 'stopped';
  c.recording.stopped = true;
  c.recording.desiredState = 'stopped';
  await voice.pauseTranscription({ liveWorkItemId: id });
  await voice.startTranscription({ liveWorkItemId: id });
  await waitUntil(() => transEvents.length === 4, 'the transcription events');
  assert.deepEqual(transEvents.map((x) => x.desiredState), ['paused', 'in-progress', 'paused', 'in-progress']);
  await assert.rejects(voice.pauseRecording({ liveWorkItemId: id }), { message: 'Recording is not enabled for this call' });
  const calls = await voice.getActiveCalls();
  assert.equal(calls[0].recordingState, 'unknown', 'stopped is not a Microsoft state');
  assert.equal(calls[0].hushRecordingState, 'stopped');
});

test('a start that something else keeps paused rejects, naming what holds it', async (t) => {
  const { hush, window } = await setup(t);
  const c = hush.addConversation('c1');
  const voice = window.Microsoft.CCaaS.CCaaSSdk.voice;
  await voice.pauseRecording({ liveWorkItemId: 'c1' });
  for (const cap of ['recording', 'transcription']) {
    c[cap].pauseReasons.push({ kind: 'hold', since: new Date().toISOString() });
  }
  await assert.rejects(voice.startRecording({ liveWorkItemId: 'c1' }), (err) => {
    assert.equal(err.name, 'Error');
    assert.match(err.message, /stays paused: the call is on hold/);
    return true;
  });
});

test('hush refusals become the errors Dynamics throws', async (t) => {
  const { hush, window } = await setup(t);
  const c = hush.addConversation('c1');
  const voice = window.Microsoft.CCaaS.CCaaSSdk.voice;
  hush.opts.refuse = { status: 403, code: 'agent_pause_disabled', message: 'agents may not pause or resume recording in this deployment' };
  await assert.rejects(voice.pauseRecording({ liveWorkItemId: 'c1' }), { message: 'Your administrator does not allow agents to pause and resume recording.' });
  c.consent = 'declined';
  await assert.rejects(voice.startRecording({ liveWorkItemId: 'c1' }), { message: 'The customer declined recording: recording cannot be started or resumed for this call.' });
  c.callState = 'ended';
  await assert.rejects(voice.pauseRecording({ liveWorkItemId: 'c1' }), /has ended/);
});

test('handlers see only operations completed after they subscribed', async (t) => {
  const { hush, window } = await setup(t);
  hush.addConversation('c1');
  const voice = window.Microsoft.CCaaS.CCaaSSdk.voice;
  const early = [];
  voice.onRecordingOperationCompleted((e) => early.push(e.transactionId));
  await voice.pauseRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => early.length === 1, 'the first event');
  const late = [];
  voice.onRecordingOperationCompleted((e) => late.push(e.transactionId));
  await voice.startRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => early.length === 2 && late.length === 1, 'the second event');
  assert.equal(late[0], early[1]);

  // A page loaded after operations completed hears none of them.
  const before = [...early];
  const fresh = loadShim({ baseUrl: hush.baseUrl, apiKey: KEY, reconnectDelayMs: 10 });
  t.after(() => fresh.hushCompat.close());
  const seen = [];
  fresh.Microsoft.CCaaS.CCaaSSdk.voice.onRecordingOperationCompleted((e) => seen.push(e.transactionId));
  await fresh.Microsoft.CCaaS.CCaaSSdk.voice.pauseRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => seen.length === 1, "the fresh page's own event");
  assert.ok(!before.includes(seen[0]));
  assert.equal(seen.length, 1);
  const streams = hush.requests.filter((r) => r.url === '/v1/events');
  assert.equal(streams.at(-1).headers['last-event-id'], undefined, 'a first stream starts from now');
});

test('a failure throws an Error with a readable message and reports result false', async (t) => {
  const { hush, window } = await setup(t);
  hush.addConversation('c1');
  const voice = window.Microsoft.CCaaS.CCaaSSdk.voice;
  const events = [];
  voice.onRecordingOperationCompleted((e) => events.push(e));
  hush.opts.failNext = 'recording/pause';
  await assert.rejects(voice.pauseRecording({ liveWorkItemId: 'c1' }), (err) => {
    assert.equal(err.message, 'The recording system could not pause the recording: the recorder refused: 503 Service Unavailable');
    return true;
  });
  await waitUntil(() => events.length === 1, 'the failure event');
  assert.equal(events[0].result, false);
  assert.equal(events[0].hushResult, 'failed');

  await assert.rejects(voice.pauseRecording({ liveWorkItemId: 'nope' }), { message: 'conversation nope not found' });
  await assert.rejects(voice.pauseRecording({}), /no liveWorkItemId was given/);
});

test('removeEventHandlerById stops a handler and says whether it existed', async (t) => {
  const { hush, window } = await setup(t);
  hush.addConversation('c1');
  const sdk = window.Microsoft.CCaaS.CCaaSSdk;
  const seen = [];
  const id = sdk.voice.onRecordingOperationCompleted((e) => seen.push(e));
  const other = [];
  sdk.voice.onRecordingOperationCompleted((e) => other.push(e));
  assert.equal(sdk.utility.removeEventHandlerById(id), true);
  assert.equal(sdk.utility.removeEventHandlerById(id), false);
  await sdk.voice.pauseRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => other.length === 1, 'the remaining handler');
  assert.equal(seen.length, 0);
});

test('without an apiKey the calls fail with a readable Error', async () => {
  const window = loadShim({ baseUrl: 'http://127.0.0.1:1' });
  await assert.rejects(window.Microsoft.CCaaS.CCaaSSdk.voice.pauseRecording({ liveWorkItemId: 'c1' }), /hushConfig.apiKey is not set/);
  await assert.rejects(window.Microsoft.Apm.getFocusedSession().getContext(), /hushConfig.apiKey is not set/);
});

test('the shim resumes its event stream with Last-Event-ID', async (t) => {
  const { hush, window } = await setup(t);
  hush.addConversation('c1');
  const voice = window.Microsoft.CCaaS.CCaaSSdk.voice;
  const events = [];
  voice.onRecordingOperationCompleted((e) => events.push(e.desiredState));
  await voice.pauseRecording({ liveWorkItemId: 'c1' });
  await waitUntil(() => events.length === 1, 'the first event');
  const before = hush.events.at(-1).seq;
  hush.dropStreams();
  hush.publish('recording.operation.completed', {
    conversationId: 'c1',
    liveWorkItemId: 'c1',
    transactionId: 'tx-while-away',
    capability: 'recording',
    operation: 'resume',
    result: 'succeeded',
    currentState: 'in-progress',
    desiredState: 'in-progress',
  });
  await waitUntil(() => events.length === 2, 'the event published while disconnected');
  const streams = hush.requests.filter((r) => r.url === '/v1/events');
  assert.equal(streams.at(-1).headers['last-event-id'], String(before));
  assert.deepEqual(events, ['paused', 'in-progress']);
});
