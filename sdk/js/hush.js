// hush browser SDK: an ES module with no dependencies.
//
//   import { connect } from '/sdk/hush.js';
//   const hush = connect({ baseUrl: 'https://hush.example.com', apiKey });
//   const done = await hush.pauseRecording({ liveWorkItemId: 'c-123', reason: 'card number' });
//
// Commands resolve with the operation-completed event that carries their
// transactionId, and reject with a readable Error when the HTTP call or the
// operation fails. Events are read from /v1/events with fetch (so the API key
// travels in a header, never in a URL), and the stream reconnects with
// Last-Event-ID so no event is missed across a reconnect.

/** Capabilities hush can pause. */
export const CAPABILITIES = Object.freeze(['recording', 'transcription']);

/** Operations a capability accepts. */
export const OPERATIONS = Object.freeze(['start', 'pause', 'resume', 'stop']);

/** Event types published on /v1/events. */
export const EVENT_TYPES = Object.freeze([
  'conversation.created',
  'conversation.updated',
  'conversation.ended',
  'recording.operation.completed',
  'transcription.operation.completed',
  'secure-session.started',
  'secure-session.completed',
  'secure-session.expired',
  'pause.auto-resumed',
]);

/** Pseudo event type the client emits when its event stream changes state. */
export const STATUS_EVENT = 'stream.status';

/** HushError is an Error from the hush API or from reaching it. */
export class HushError extends Error {
  constructor(message, { status = 0, code = '', cause, event, transactionId } = {}) {
    super(message);
    this.name = 'HushError';
    this.status = status;
    this.code = code;
    if (cause !== undefined) this.cause = cause;
    if (event !== undefined) this.event = event;
    if (transactionId !== undefined) this.transactionId = transactionId;
  }
}

// ---------------------------------------------------------------------------
// Server-sent events parsing, as the HTML standard specifies it for
// EventSource: lines end in CRLF, LF or CR (a CR may end one chunk and its LF
// start the next), "data" lines accumulate, the id is remembered even by
// events without data, and an unterminated event at the end is dropped.

/** SSEParser turns chunks of an event stream into events. */
export class SSEParser {
  /**
   * @param {{onEvent:(ev:{type:string,data:string,id:string})=>void,
   *          onRetry?:(ms:number)=>void, onComment?:(text:string)=>void,
   *          lastEventId?:string}} opts
   */
  constructor({ onEvent, onRetry, onComment, lastEventId = '' }) {
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    this.onComment = onComment;
    this.lastEventId = lastEventId;
    this.idBuffer = lastEventId;
    this.buffer = '';
    this.data = '';
    this.type = '';
    this.skipLF = false;
    this.started = false;
    this.decoder = null;
  }

  /** push feeds decoded text. */
  push(text) {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.skipLF && text.length > 0) {
      this.skipLF = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    const buf = this.buffer + text;
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = buf.slice(start, i);
      if (c === 13) {
        if (i + 1 < buf.length) {
          if (buf.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLF = true;
        }
      }
      start = i + 1;
      this.line(line);
    }
    this.buffer = buf.slice(start);
  }

  /** pushBytes feeds raw bytes, keeping multi-byte characters split across chunks whole. */
  pushBytes(bytes) {
    if (!this.decoder) this.decoder = new TextDecoder('utf-8');
    this.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** end flushes the decoder; an event without its closing blank line is dropped. */
  end() {
    if (this.decoder) this.push(this.decoder.decode());
    this.buffer = '';
    this.data = '';
    this.type = '';
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      if (this.onComment) this.onComment(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data += value + '\n';
        break;
      case 'id':
        if (!value.includes('\u0000')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value) && this.onRetry) this.onRetry(Number(value));
        break;
      default:
        break;
    }
  }

  dispatch() {
    this.lastEventId = this.idBuffer;
    if (this.data === '') {
      this.type = '';
      return;
    }
    const data = this.data.endsWith('\n') ? this.data.slice(0, -1) : this.data;
    const ev = { type: this.type || 'message', data, id: this.lastEventId };
    this.data = '';
    this.type = '';
    this.onEvent(ev);
  }
}

// ---------------------------------------------------------------------------
// The event stream: fetch + ReadableStream, reconnecting with backoff.

/** backoffDelay is the wait before reconnect attempt `failures` (0 = after a clean end). */
export function backoffDelay(failures, { baseMs = 1000, maxMs = 15000, random = Math.random } = {}) {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 20));
  // Full jitter on the upper half keeps many consoles from reconnecting in step.
  return Math.round(exp / 2 + (exp / 2) * random());
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function fatalStatus(status) {
  // A bad key, a forbidden stream or a wrong URL will not heal by retrying.
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** EventStream reads /v1/events with fetch and keeps it open. */
export class EventStream {
  /**
   * @param {{url:string, headers?:Record<string,string>, fetch:Function,
   *          onEvent:(ev:{type:string,data:string,id:string})=>void,
   *          onStatus?:(status:string, err?:Error)=>void, lastEventId?:string,
   *          baseDelayMs?:number, maxDelayMs?:number, idleTimeoutMs?:number,
   *          random?:()=>number}} opts
   */
  constructor(opts) {
    this.url = opts.url;
    this.headers = opts.headers || {};
    this.fetch = opts.fetch;
    this.onEvent = opts.onEvent;
    this.onStatus = opts.onStatus || (() => {});
    this.lastEventId = opts.lastEventId || '';
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 15000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60000;
    this.random = opts.random || Math.random;
    this.stopper = new AbortController();
    this.attempt = null;
    this.status = 'idle';
    this.connections = 0;
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    // Nobody may be waiting for the first connection; keep an unobserved
    // rejection from being reported as unhandled.
    this.opened.catch(() => {});
    this.running = null;
  }

  /** start opens the stream unless it is already running. */
  start() {
    if (!this.running) this.running = this.run();
    return this.opened;
  }

  /** close stops the stream for good. */
  close() {
    this.stopper.abort();
    if (this.attempt) this.attempt.abort();
    this.rejectOpened(new HushError('the event stream was closed', { code: 'closed' }));
    this.setStatus('closed');
  }

  setStatus(status, err) {
    this.status = status;
    try {
      this.onStatus(status, err);
    } catch (e) {
      reportHandlerError(e);
    }
  }

  async run() {
    let failures = 0;
    while (!this.stopper.signal.aborted) {
      const { error, fatal } = await this.connectOnce(failures);
      if (this.stopper.signal.aborted) return;
      if (fatal) {
        this.rejectOpened(error);
        this.setStatus('error', error);
        return;
      }
      failures = error ? failures + 1 : 0;
      this.setStatus('reconnecting', error);
      const base = Math.max(this.baseDelayMs, 1);
      const delay = error
        ? backoffDelay(failures - 1, { baseMs: base, maxMs: this.maxDelayMs, random: this.random })
        : base;
      await sleep(delay, this.stopper.signal);
    }
  }

  async connectOnce(failures) {
    const attempt = new AbortController();
    this.attempt = attempt;
    let idle = null;
    const resetIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => attempt.abort(), this.idleTimeoutMs);
    };
    try {
      this.setStatus(failures > 0 || this.connections > 0 ? 'reconnecting' : 'connecting');
      const headers = { ...this.headers, Accept: 'text/event-stream' };
      if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
      resetIdle();
      const res = await this.fetch(this.url, {
        method: 'GET',
        headers,
        cache: 'no-store',
        credentials: 'omit',
        signal: attempt.signal,
      });
      if (!res.ok) {
        const error = await httpError(res, 'GET', this.url);
        return { error, fatal: fatalStatus(res.status) };
      }
      if (!res.body) {
        return { error: new HushError('the event stream has no body', { code: 'stream' }), fatal: true };
      }
      this.connections++;
      this.setStatus('open');
      this.resolveOpened();
      const parser = new SSEParser({
        lastEventId: this.lastEventId,
        onEvent: (ev) => {
          this.lastEventId = ev.id;
          this.onEvent(ev);
        },
        onRetry: (ms) => {
          this.baseDelayMs = ms;
        },
      });
      const reader = res.body.getReader();
      for (;;) {
        resetIdle();
        const { value, done } = await reader.read();
        if (done) break;
        parser.pushBytes(value);
        // An id line on an event without data still moves the resume point.
        this.lastEventId = parser.lastEventId;
      }
      parser.end();
      return { error: null, fatal: false };
    } catch (err) {
      if (this.stopper.signal.aborted) return { error: null, fatal: false };
      const error =
        err instanceof HushError
          ? err
          : new HushError(`lost the event stream: ${err && err.message ? err.message : err}`, {
              code: 'network',
              cause: err,
            });
      return { error, fatal: false };
    } finally {
      clearTimeout(idle);
      this.attempt = null;
    }
  }
}

// ---------------------------------------------------------------------------
// Matching completions to commands.

/**
 * Completions remembers recent operation-completed events and the commands
 * waiting for theirs, so a completion that arrives before the command's HTTP
 * answer is still matched.
 */
export class Completions {
  constructor({ keep = 512 } = {}) {
    this.keep = keep;
    this.recent = new Map();
    this.waiting = new Map();
  }

  /** deliver records a completion and settles whoever waits for it. */
  deliver(data) {
    if (!data || typeof data.transactionId !== 'string' || data.transactionId === '') return false;
    const tx = data.transactionId;
    this.recent.delete(tx);
    this.recent.set(tx, data);
    while (this.recent.size > this.keep) this.recent.delete(this.recent.keys().next().value);
    const waiters = this.waiting.get(tx);
    if (!waiters) return false;
    this.waiting.delete(tx);
    for (const w of waiters) w.resolve(data);
    return true;
  }

  /** wait resolves with the completion of tx, or rejects after timeoutMs. */
  wait(tx, { timeoutMs = 30000, timeoutError } = {}) {
    const seen = this.recent.get(tx);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (data) => {
          clearTimeout(w.timer);
          resolve(data);
        },
        reject: (err) => {
          clearTimeout(w.timer);
          reject(err);
        },
        timer: null,
      };
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.drop(tx, w);
          reject(timeoutError ? timeoutError() : new HushError(`no completion for ${tx}`, { code: 'timeout' }));
        }, timeoutMs);
      }
      const list = this.waiting.get(tx) || [];
      list.push(w);
      this.waiting.set(tx, list);
    });
  }

  drop(tx, w) {
    const list = this.waiting.get(tx);
    if (!list) return;
    const rest = list.filter((x) => x !== w);
    if (rest.length) this.waiting.set(tx, rest);
    else this.waiting.delete(tx);
  }

  /** rejectAll fails every waiting command, as when the client closes. */
  rejectAll(err) {
    for (const list of this.waiting.values()) for (const w of list) w.reject(err);
    this.waiting.clear();
  }
}

// ---------------------------------------------------------------------------
// HTTP helpers.

async function httpError(res, method, path) {
  let code = '';
  let message = '';
  try {
    const text = await res.text();
    const body = text ? JSON.parse(text) : null;
    if (body && body.error) {
      code = String(body.error.code || '');
      message = String(body.error.message || '');
    }
  } catch {
    // Not the JSON error shape; fall back to the status below.
  }
  if (!message) message = `hush answered ${res.status}${res.statusText ? ' ' + res.statusText : ''} to ${method} ${path}`;
  return new HushError(message, { status: res.status, code: code || `http_${res.status}` });
}

const CAPABILITY_WORDS = { recording: 'recording', transcription: 'transcription' };
const OPERATION_WORDS = { start: 'start', pause: 'pause', resume: 'resume', stop: 'stop' };

/** operationError explains a failed operation-completed event. */
export function operationError(data) {
  const cap = CAPABILITY_WORDS[data.capability] || data.capability || 'capability';
  const op = OPERATION_WORDS[data.operation] || data.operation || 'change';
  const why = data.error ? `: ${data.error}` : '';
  return new HushError(`The ${cap} system could not ${op} the ${cap}${why}`, {
    code: 'operation_failed',
    event: data,
    transactionId: data.transactionId,
  });
}

function enc(s) {
  return encodeURIComponent(String(s));
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// A failing subscriber must not break the stream or the other subscribers;
// its error goes where the page's own uncaught errors go.
function reportHandlerError(err) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(err);
  else console.error(err);
}

// ---------------------------------------------------------------------------
// The client.

let clientSeq = 0;

/** HushClient talks to one hush server with one API key. */
export class HushClient {
  /**
   * @param {{baseUrl?:string, apiKey:string, fetch?:Function, conversationId?:string,
   *          lastEventId?:string, operationTimeoutMs?:number, keepCompletions?:number,
   *          onHandlerError?:(err:Error)=>void, reconnect?:{baseDelayMs?:number, maxDelayMs?:number, idleTimeoutMs?:number}}} opts
   */
  constructor(opts = {}) {
    if (!opts.apiKey || typeof opts.apiKey !== 'string') throw new TypeError('hush: connect needs an apiKey');
    this.baseUrl = String(opts.baseUrl || '').replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    const f = opts.fetch || ((...args) => globalThis.fetch(...args));
    this.fetchFn = f;
    this.operationTimeoutMs = opts.operationTimeoutMs ?? 30000;
    this.completions = new Completions({ keep: opts.keepCompletions ?? 512 });
    this.handlers = new Map();
    this.handlerSeq = 0;
    this.prefix = `hush-${++clientSeq}-`;
    this.closed = false;
    this.onHandlerError = opts.onHandlerError || reportHandlerError;
    const rc = opts.reconnect || {};
    this.stream = new EventStream({
      url: this.baseUrl + '/v1/events' + query({ conversation: opts.conversationId }),
      headers: { Authorization: `Bearer ${this.apiKey}` },
      fetch: f,
      lastEventId: opts.lastEventId,
      baseDelayMs: rc.baseDelayMs,
      maxDelayMs: rc.maxDelayMs,
      idleTimeoutMs: rc.idleTimeoutMs,
      onEvent: (ev) => this.dispatch(ev),
      onStatus: (status, err) =>
        this.emit(STATUS_EVENT, { status, error: err ? err.message : '', httpStatus: (err && err.status) || 0 }, ''),
    });
    // Methods work when taken off the object (const { pauseRecording } = client).
    for (const name of Object.getOwnPropertyNames(HushClient.prototype)) {
      if (name !== 'constructor' && typeof this[name] === 'function') this[name] = this[name].bind(this);
    }
  }

  /** lastEventId is the id of the last event received: where a new stream would resume. */
  get lastEventId() {
    return this.stream.lastEventId;
  }

  /** streamStatus is idle, connecting, open, reconnecting, error or closed. */
  get streamStatus() {
    return this.stream.status;
  }

  /** ready opens the event stream and resolves once it is connected. */
  ready() {
    if (this.closed) return Promise.reject(new HushError('the hush client is closed', { code: 'closed' }));
    return this.stream.start();
  }

  /** request calls the hush API and returns the decoded JSON body. */
  async request(method, path, body, { allow404 = false, raw = false } = {}) {
    const headers = { Authorization: `Bearer ${this.apiKey}`, Accept: 'application/json' };
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await this.fetchFn(this.baseUrl + path, init);
    } catch (err) {
      throw new HushError(`Cannot reach hush${this.baseUrl ? ' at ' + this.baseUrl : ''}: ${err && err.message ? err.message : err}`, {
        code: 'network',
        cause: err,
      });
    }
    if (allow404 && res.status === 404) return null;
    if (!res.ok) throw await httpError(res, method, path);
    if (raw) return res;
    const text = await res.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new HushError(`hush answered ${method} ${path} with something that is not JSON`, { status: res.status, code: 'bad_json', cause: err });
    }
  }

  // --- reading ---------------------------------------------------------

  /** getMe says who the key belongs to: {keyId, role, agentId}. */
  getMe() {
    return this.request('GET', '/v1/me');
  }

  /** getConfig returns the console configuration, such as securePageUrl. */
  getConfig() {
    return this.request('GET', '/v1/config');
  }

  /** getActiveCalls lists the conversations that have not ended. */
  getActiveCalls() {
    return this.getConversations({ active: true });
  }

  /**
   * getConversations lists conversations, newest first, following every
   * page; {active:true} keeps the live ones. Use listConversations to read
   * one page at a time.
   */
  async getConversations({ active } = {}) {
    const out = [];
    let cursor = '';
    do {
      const page = await this.listConversations({ state: active ? 'live' : '', limit: 1000, cursor });
      out.push(...page.conversations);
      cursor = page.next;
    } while (cursor);
    return out;
  }

  /**
   * listConversations reads one page of conversations, newest first:
   * {state:'live'|'ended', agent, since, limit, cursor} → {conversations, next}.
   * next is '' on the last page, else the cursor of the following one.
   */
  async listConversations({ state, agent, since, limit, cursor } = {}) {
    const body = await this.request('GET', '/v1/conversations' + query({ state, agent, since, limit: limit ? String(limit) : '', cursor }));
    return { conversations: (body && body.conversations) || [], next: (body && body.next) || '' };
  }

  /**
   * getTimeline returns the call's whole history of spans: {conversationId,
   * createdAt, endedAt?, holds, recording:{active, reasons}, transcription:{active, reasons}}.
   */
  getTimeline(id) {
    return this.request('GET', `/v1/conversations/${enc(id)}/timeline`);
  }

  /** getConversation returns one conversation. */
  getConversation(id) {
    return this.request('GET', `/v1/conversations/${enc(id)}`);
  }

  /** getRecordingSegments returns {segments}, or null when there is no recording. */
  getRecordingSegments(id) {
    return this.request('GET', `/v1/conversations/${enc(id)}/recording/segments`, undefined, { allow404: true });
  }

  /** getTranscript returns {segments}, or null when there is no transcript. */
  getTranscript(id) {
    return this.request('GET', `/v1/conversations/${enc(id)}/transcript`, undefined, { allow404: true });
  }

  /** getRecordingBlob returns the WAV as a Blob, or null when there is no recording. */
  async getRecordingBlob(id) {
    const res = await this.request('GET', `/v1/conversations/${enc(id)}/recording.wav`, undefined, { allow404: true, raw: true });
    return res ? res.blob() : null;
  }

  /** getAudit lists the newest audit entries (one page), filtered by {conversation, actor}. */
  async getAudit({ conversation, actor } = {}) {
    return (await this.listAudit({ conversation, actor })).entries;
  }

  /**
   * listAudit reads one page of audit entries, newest first:
   * {conversation, actor, reason, limit, cursor} → {entries, next}. next is
   * '' when the page reached the oldest entry, else the cursor of older ones.
   */
  async listAudit({ conversation, actor, reason, limit, cursor } = {}) {
    const body = await this.request('GET', '/v1/audit' + query({ conversation, actor, reason, limit: limit ? String(limit) : '', cursor }));
    return { entries: (body && body.entries) || [], next: (body && body.next) || '' };
  }

  /** verifyAudit checks the audit hash chain: {ok, entries} or {ok:false, error}. */
  verifyAudit() {
    return this.request('GET', '/v1/audit/verify');
  }

  // --- commands ----------------------------------------------------------

  /**
   * operate sends start|pause|resume|stop to a capability and resolves with
   * the operation-completed event of its transaction.
   */
  async operate(capability, operation, args = {}) {
    if (!CAPABILITIES.includes(capability)) throw new TypeError(`hush: unknown capability ${capability}`);
    if (!OPERATIONS.includes(operation)) throw new TypeError(`hush: unknown operation ${operation}`);
    const { liveWorkItemId, reason, retroactiveMs } = args || {};
    if (!liveWorkItemId) throw new HushError(`Cannot ${operation} the ${capability}: no liveWorkItemId was given`, { code: 'bad_request' });
    // The stream must be open before the command is sent, or a fast
    // completion could pass before we listen.
    await this.withTimeout(this.ready(), 'the hush event stream did not connect');
    const body = {};
    if (reason) body.reason = String(reason);
    if (retroactiveMs !== undefined && retroactiveMs !== null) body.retroactiveMs = Number(retroactiveMs);
    const accepted = await this.request('POST', `/v1/conversations/${enc(liveWorkItemId)}/${capability}/${operation}`, body);
    if (!accepted || !accepted.transactionId) {
      throw new HushError(`hush accepted the ${operation} of the ${capability} without a transactionId`, { code: 'bad_response' });
    }
    const seconds = Math.round(this.operationTimeoutMs / 1000);
    const data = await this.completions.wait(accepted.transactionId, {
      timeoutMs: this.operationTimeoutMs,
      timeoutError: () =>
        new HushError(
          `hush accepted the ${operation} of the ${capability}, but the ${capability} system has not confirmed it within ${seconds} s; hush keeps trying`,
          { code: 'timeout', transactionId: accepted.transactionId },
        ),
    });
    if (data.result === 'failed') throw operationError(data);
    return data;
  }

  withTimeout(promise, what) {
    const ms = this.operationTimeoutMs;
    if (!(ms > 0) || !Number.isFinite(ms)) return promise;
    let t;
    const timeout = new Promise((_, reject) => {
      t = setTimeout(() => reject(new HushError(`${what} within ${Math.round(ms / 1000)} s`, { code: 'timeout' })), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
  }

  /** startRecording starts the recording, or resumes the caller's own pause. */
  startRecording(args) {
    return this.operate('recording', 'start', args);
  }
  /** pauseRecording adds the caller's pause reason to the recording. */
  pauseRecording(args) {
    return this.operate('recording', 'pause', args);
  }
  /** resumeRecording removes the caller's pause reason from the recording. */
  resumeRecording(args) {
    return this.operate('recording', 'resume', args);
  }
  /** stopRecording stops the recording for the rest of the call. */
  stopRecording(args) {
    return this.operate('recording', 'stop', args);
  }
  /** startTranscription starts the transcription, or resumes the caller's own pause. */
  startTranscription(args) {
    return this.operate('transcription', 'start', args);
  }
  /** pauseTranscription adds the caller's pause reason to the transcription. */
  pauseTranscription(args) {
    return this.operate('transcription', 'pause', args);
  }
  /** resumeTranscription removes the caller's pause reason from the transcription. */
  resumeTranscription(args) {
    return this.operate('transcription', 'resume', args);
  }
  /** stopTranscription stops the transcription for the rest of the call. */
  stopTranscription(args) {
    return this.operate('transcription', 'stop', args);
  }

  /** createSecureSession pauses everything for a secure transaction (such as a card payment). */
  createSecureSession({ liveWorkItemId, conversationId, ttlSeconds } = {}) {
    const id = liveWorkItemId || conversationId;
    if (!id) return Promise.reject(new HushError('Cannot start a secure session: no conversation was given', { code: 'bad_request' }));
    const body = {};
    if (ttlSeconds) body.ttlSeconds = Number(ttlSeconds);
    return this.request('POST', `/v1/conversations/${enc(id)}/secure-sessions`, body);
  }

  /** completeSecureSession ends a secure session, which resumes what it paused. */
  completeSecureSession(sessionId) {
    return this.request('POST', `/v1/secure-sessions/${enc(sessionId)}/complete`, {});
  }

  // --- events ------------------------------------------------------------

  /**
   * on subscribes cb(data, {type, id}) to one event type, '*' for all, or
   * 'stream.status' for the stream's own state; returns a handler id.
   */
  on(type, cb) {
    if (typeof cb !== 'function') throw new TypeError('hush: the event handler must be a function');
    if (typeof type !== 'string' || type === '') throw new TypeError('hush: the event type must be a string');
    const id = this.prefix + ++this.handlerSeq;
    this.handlers.set(id, { type, cb });
    if (type !== STATUS_EVENT) this.ready().catch(() => {});
    return id;
  }

  /** onRecordingOperationCompleted subscribes to recording.operation.completed. */
  onRecordingOperationCompleted(cb) {
    return this.on('recording.operation.completed', cb);
  }

  /** onTranscriptionOperationCompleted subscribes to transcription.operation.completed. */
  onTranscriptionOperationCompleted(cb) {
    return this.on('transcription.operation.completed', cb);
  }

  /** removeEventHandlerById unsubscribes; true when the id was known. */
  removeEventHandlerById(id) {
    return this.handlers.delete(id);
  }

  dispatch(ev) {
    let data = ev.data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      // Left as text: subscribers still see what arrived.
    }
    if (ev.type.endsWith('.operation.completed')) this.completions.deliver(data);
    this.emit(ev.type, data, ev.id);
  }

  emit(type, data, id) {
    for (const h of [...this.handlers.values()]) {
      if (h.type !== type && !(h.type === '*' && type !== STATUS_EVENT)) continue;
      try {
        h.cb(data, { type, id });
      } catch (err) {
        this.onHandlerError(err);
      }
    }
  }

  /** close stops the event stream and fails commands still waiting. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.stream.close();
    this.completions.rejectAll(new HushError('the hush client was closed', { code: 'closed' }));
    this.handlers.clear();
  }
}

/** connect returns a client for one hush server and API key. */
export function connect(opts) {
  return new HushClient(opts);
}
