/*
 * hush compatibility shim for Dynamics 365 Contact Center customizations.
 *
 * A classic script (load it with a plain <script src>, no module). Set the
 * configuration first, in another script:
 *
 *   window.hushConfig = { baseUrl: 'https://hush.example.com', apiKey: '...', focusedConversationId: 'optional' };
 *
 * It installs the parts of the Dynamics 365 Contact Center SDK that pause and
 * resume recording and transcription:
 *
 *   Microsoft.CCaaS.CCaaSSdk.voiceOrVideoCalling (also .voice, and the same
 *   under Microsoft.CCaaS.StandaloneSDK):
 *     startRecording({liveWorkItemId}), pauseRecording({liveWorkItemId}),
 *     startTranscription({liveWorkItemId}), pauseTranscription({liveWorkItemId}),
 *     getActiveCalls(), onRecordingOperationCompleted(cb),
 *     onTranscriptionOperationCompleted(cb)
 *   Microsoft.CCaaS.CCaaSSdk.utility.removeEventHandlerById(id)
 *   Microsoft.Apm.getFocusedSession().getContext() -> {parameters: {LiveWorkItemId}}
 *
 * As in Dynamics, the commands take a {liveWorkItemId} object and resolve to
 * undefined; they resolve once the recording system has confirmed the change
 * and throw an Error with a readable message when it cannot be made. Event
 * callbacks receive {liveWorkItemId, transactionId, result, currentState,
 * desiredState} where result is a boolean as documented for Dynamics (true
 * when the operation succeeded); hushResult keeps hush's own word
 * (succeeded|failed|superseded) and error the failure, if any.
 *
 * The event stream is read with fetch so the API key stays in a header, and
 * it resumes with Last-Event-ID after a reconnect. This file shares its
 * protocol with hush.js but not its code: a classic script cannot import an
 * ES module without a cross-origin module load that host pages may forbid.
 */
(function (global) {
  'use strict';

  var config = global.hushConfig || {};
  var baseUrl = String(config.baseUrl || '').replace(/\/+$/, '');
  var apiKey = config.apiKey;
  var timeoutMs = config.operationTimeoutMs > 0 ? config.operationTimeoutMs : 30000;
  var fetchFn = config.fetch || function (url, init) { return global.fetch(url, init); };

  // --- errors ------------------------------------------------------------

  function fail(message, code, status) {
    var err = new Error(message);
    err.code = code || '';
    if (status) err.status = status;
    return err;
  }

  function requireKey() {
    if (!apiKey) throw fail('hush: window.hushConfig.apiKey is not set; set it before loading ccaas-compat.js', 'not_configured');
  }

  // --- HTTP --------------------------------------------------------------

  function request(method, path, body) {
    var headers = { Authorization: 'Bearer ' + apiKey, Accept: 'application/json' };
    var init = { method: method, headers: headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return Promise.resolve()
      .then(function () { return fetchFn(baseUrl + path, init); })
      .catch(function (err) {
        throw fail('Cannot reach hush' + (baseUrl ? ' at ' + baseUrl : '') + ': ' + (err && err.message ? err.message : err), 'network');
      })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (!res.ok) {
            var e = data && data.error ? data.error : {};
            throw fail(e.message || ('hush answered ' + res.status + ' to ' + method + ' ' + path), e.code || 'http_' + res.status, res.status);
          }
          return data;
        });
      });
  }

  // --- server-sent events -----------------------------------------------

  // Parses the event stream as EventSource would: CRLF, LF or CR line ends
  // (split across chunks too), multi-line data, ids remembered at dispatch.
  function Parser(lastEventId, onEvent, onRetry) {
    this.lastEventId = lastEventId;
    this.idBuffer = lastEventId;
    this.buffer = '';
    this.data = '';
    this.type = '';
    this.skipLF = false;
    this.onEvent = onEvent;
    this.onRetry = onRetry;
  }
  Parser.prototype.push = function (text) {
    if (this.skipLF && text.length) {
      this.skipLF = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    var buf = this.buffer + text;
    var start = 0;
    for (var i = 0; i < buf.length; i++) {
      var c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      var line = buf.slice(start, i);
      if (c === 13) {
        if (i + 1 < buf.length) { if (buf.charCodeAt(i + 1) === 10) i++; } else { this.skipLF = true; }
      }
      start = i + 1;
      this.line(line);
    }
    this.buffer = buf.slice(start);
  };
  Parser.prototype.line = function (line) {
    if (line === '') {
      this.lastEventId = this.idBuffer;
      if (this.data !== '') {
        var ev = { type: this.type || 'message', data: this.data.slice(0, -1), id: this.lastEventId };
        this.data = '';
        this.type = '';
        this.onEvent(ev);
      }
      this.type = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return;
    var colon = line.indexOf(':');
    var field = colon === -1 ? line : line.slice(0, colon);
    var value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data += value + '\n';
    else if (field === 'id' && value.indexOf('\u0000') === -1) this.idBuffer = value;
    else if (field === 'retry' && /^[0-9]+$/.test(value)) this.onRetry(Number(value));
  };

  var stream = { opened: null, lastEventId: '', baseDelay: config.reconnectDelayMs > 0 ? config.reconnectDelayMs : 1000, stopped: false, ctrl: null };

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // openStream starts the event stream once and resolves when it is connected.
  function openStream() {
    if (stream.opened) return stream.opened;
    stream.opened = new Promise(function (resolve, reject) {
      var failures = 0;
      function attempt() {
        if (stream.stopped) return;
        var headers = { Authorization: 'Bearer ' + apiKey, Accept: 'text/event-stream' };
        if (stream.lastEventId) headers['Last-Event-ID'] = stream.lastEventId;
        var ctrl = new AbortController();
        stream.ctrl = ctrl;
        var idle = null;
        function resetIdle() {
          clearTimeout(idle);
          idle = setTimeout(function () { ctrl.abort(); }, 60000);
        }
        resetIdle();
        Promise.resolve()
          .then(function () {
            return fetchFn(baseUrl + '/v1/events', { method: 'GET', headers: headers, cache: 'no-store', credentials: 'omit', signal: ctrl.signal });
          })
          .then(function (res) {
            if (!res.ok) {
              return res.text().then(function (text) {
                var e = {};
                try { e = (JSON.parse(text) || {}).error || {}; } catch (x) { e = {}; }
                var err = fail(e.message || ('hush refused the event stream (' + res.status + ')'), e.code || 'http_' + res.status, res.status);
                err.fatal = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
                throw err;
              });
            }
            failures = 0;
            resolve();
            var parser = new Parser(stream.lastEventId, dispatch, function (ms) { stream.baseDelay = ms; });
            var decoder = new TextDecoder('utf-8');
            var reader = res.body.getReader();
            function pump() {
              resetIdle();
              return reader.read().then(function (r) {
                if (r.done) return;
                parser.push(decoder.decode(r.value, { stream: true }));
                stream.lastEventId = parser.lastEventId;
                return pump();
              });
            }
            return pump();
          })
          .then(function () { return null; }, function (err) { return err; })
          .then(function (err) {
            clearTimeout(idle);
            if (stream.stopped) return;
            if (err && err.fatal) {
              reject(err);
              return;
            }
            if (err) failures++;
            var exp = Math.min(15000, Math.max(stream.baseDelay, 1) * Math.pow(2, Math.min(failures, 10)));
            var delay = err ? exp / 2 + Math.random() * exp / 2 : stream.baseDelay;
            return sleep(delay).then(attempt);
          });
      }
      attempt();
    });
    stream.opened.catch(function () {});
    return stream.opened;
  }

  // --- events and completions -------------------------------------------

  var handlers = {};
  var handlerSeq = 0;
  var recent = {};
  var recentOrder = [];
  var waiting = {};

  function toDynamics(data) {
    return {
      liveWorkItemId: data.liveWorkItemId || data.conversationId,
      transactionId: data.transactionId,
      result: data.result === 'succeeded',
      currentState: data.currentState,
      desiredState: data.desiredState,
      hushResult: data.result,
      error: data.error || ''
    };
  }

  function dispatch(ev) {
    var type = ev.type;
    if (type !== 'recording.operation.completed' && type !== 'transcription.operation.completed') return;
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!data || !data.transactionId) return;
    var tx = data.transactionId;
    if (!recent[tx]) recentOrder.push(tx);
    recent[tx] = data;
    while (recentOrder.length > 512) delete recent[recentOrder.shift()];
    var ws = waiting[tx];
    if (ws) {
      delete waiting[tx];
      ws.forEach(function (w) { w(data); });
    }
    var payload = toDynamics(data);
    Object.keys(handlers).forEach(function (id) {
      var h = handlers[id];
      if (!h || h.type !== type) return;
      try {
        h.cb(payload);
      } catch (err) {
        setTimeout(function () { throw err; }, 0);
      }
    });
  }

  function waitFor(tx, what) {
    if (recent[tx]) return Promise.resolve(recent[tx]);
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        waiting[tx] = (waiting[tx] || []).filter(function (w) { return w !== done; });
        reject(fail('hush accepted the ' + what + ', but it has not been confirmed within ' + Math.round(timeoutMs / 1000) + ' s; hush keeps trying', 'timeout'));
      }, timeoutMs);
      function done(data) {
        clearTimeout(timer);
        resolve(data);
      }
      (waiting[tx] = waiting[tx] || []).push(done);
    });
  }

  function subscribe(type, cb) {
    if (typeof cb !== 'function') throw fail('The event handler must be a function', 'bad_request');
    requireKey();
    var id = 'hush-ccaas-' + ++handlerSeq;
    handlers[id] = { type: type, cb: cb };
    openStream();
    return id;
  }

  // --- commands ----------------------------------------------------------

  function liveWorkItemIdOf(payload) {
    if (typeof payload === 'string') return payload;
    return payload && (payload.liveWorkItemId || payload.LiveWorkItemId);
  }

  function operate(capability, operation, payload) {
    return Promise.resolve().then(function () {
      requireKey();
      var id = liveWorkItemIdOf(payload);
      if (!id) throw fail('Cannot ' + operation + ' the ' + capability + ': no liveWorkItemId was given (is a call focused?)', 'bad_request');
      var what = operation + ' of the ' + capability;
      return openStream()
        .then(function () {
          var body = {};
          if (payload && payload.reason) body.reason = String(payload.reason);
          return request('POST', '/v1/conversations/' + encodeURIComponent(id) + '/' + capability + '/' + operation, body);
        })
        .then(function (accepted) {
          if (!accepted || !accepted.transactionId) throw fail('hush accepted the ' + what + ' without a transactionId', 'bad_response');
          return waitFor(accepted.transactionId, what);
        })
        .then(function (data) {
          if (data.result === 'failed') {
            throw fail('The ' + capability + ' system could not ' + operation + ' the ' + capability + (data.error ? ': ' + data.error : ''), 'operation_failed');
          }
          return undefined;
        });
    });
  }

  function toCall(c) {
    return {
      liveWorkItemId: c.id,
      callState: c.callState,
      recordingState: c.recording ? c.recording.state : 'unknown',
      transcriptionState: c.transcription ? c.transcription.state : 'unknown',
      recordingDesiredState: c.recording ? c.recording.desiredState : 'unknown',
      transcriptionDesiredState: c.transcription ? c.transcription.desiredState : 'unknown',
      agentId: c.agentId
    };
  }

  function activeConversations() {
    return request('GET', '/v1/conversations?active=true').then(function (body) {
      return ((body && body.conversations) || []).filter(function (c) { return c.callState !== 'ended'; });
    });
  }

  function getActiveCalls() {
    return Promise.resolve().then(function () {
      requireKey();
      return activeConversations();
    }).then(function (list) { return list.map(toCall); });
  }

  // The focused conversation: the configured one, else the agent's most
  // recently connected active call.
  function focusedConversationId() {
    if (config.focusedConversationId) return Promise.resolve(config.focusedConversationId);
    return activeConversations().then(function (list) {
      var best = null;
      list.forEach(function (c) {
        if (!best || Date.parse(c.createdAt) > Date.parse(best.createdAt)) best = c;
      });
      return best ? best.id : undefined;
    });
  }

  var voice = {
    startRecording: function (payload) { return operate('recording', 'start', payload); },
    pauseRecording: function (payload) { return operate('recording', 'pause', payload); },
    startTranscription: function (payload) { return operate('transcription', 'start', payload); },
    pauseTranscription: function (payload) { return operate('transcription', 'pause', payload); },
    getActiveCalls: getActiveCalls,
    onRecordingOperationCompleted: function (cb) { return subscribe('recording.operation.completed', cb); },
    onTranscriptionOperationCompleted: function (cb) { return subscribe('transcription.operation.completed', cb); }
  };

  var utility = {
    removeEventHandlerById: function (id) {
      if (!Object.prototype.hasOwnProperty.call(handlers, id)) return false;
      delete handlers[id];
      return true;
    }
  };

  var session = {
    getContext: function () {
      return Promise.resolve().then(function () {
        requireKey();
        return focusedConversationId();
      }).then(function (id) {
        return { parameters: { LiveWorkItemId: id } };
      });
    }
  };

  var sdk = { voiceOrVideoCalling: voice, voice: voice, utility: utility };
  var ms = global.Microsoft = global.Microsoft || {};
  ms.CCaaS = ms.CCaaS || {};
  ms.CCaaS.CCaaSSdk = Object.assign(ms.CCaaS.CCaaSSdk || {}, sdk);
  ms.CCaaS.StandaloneSDK = Object.assign(ms.CCaaS.StandaloneSDK || {}, sdk);
  ms.Apm = ms.Apm || {};
  ms.Apm.getFocusedSession = function () { return session; };

  // Lets a host page (or a test) stop the event stream.
  global.hushCompat = {
    close: function () {
      stream.stopped = true;
      handlers = {};
      if (stream.ctrl) stream.ctrl.abort();
    }
  };
})(typeof window !== 'undefined' ? window : globalThis);
