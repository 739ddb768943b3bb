/*
 * hush compatibility shim for Dynamics 365 Contact Center customizations.
 *
 * A classic script (load it with a plain <script src>, no module). Set the
 * configuration first, in another script:
 *
 *   window.hushConfig = {
 *     baseUrl: 'https://hush.example.com', apiKey: '...',
 *     focusedConversationId: 'optional',  // the call the page has in focus
 *     replaceNative: false                // true: replace Microsoft's own SDK objects
 *   };
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
 *   Microsoft.Apm.getFocusedSession() -> {sessionId, title, getContext()}
 *     getContext() resolves to {parameters: {LiveWorkItemId}, get(name)}
 *
 * Semantics, as Dynamics documents them:
 *   - pauseRecording and startRecording act on the recording and the
 *     transcription together (the recording includes the transcription);
 *     pauseTranscription and startTranscription act on the transcription
 *     alone. Each throws an Error when its capability is not enabled for the
 *     call (stopped, or the call ended), when the other mode is running
 *     (transcription alone while recording, or recording while transcription
 *     runs alone), when the customer declined recording, and when the
 *     administrator does not let agents pause and resume.
 *   - A promise resolves to undefined only once the recording system
 *     confirmed the state asked for. A start while something else keeps the
 *     call paused (a hold, a secure payment, another person's pause) rejects
 *     at once, naming what holds it: hush never reports a recording running
 *     that is not.
 *   - Handlers receive {liveWorkItemId, transactionId, result, currentState,
 *     desiredState}: result is true only for a success; the states use
 *     Microsoft's values (in-progress, not-started, paused, unknown; hush's
 *     "stopped" shows as unknown). hushResult, hushCurrentState,
 *     hushDesiredState, reason and error keep hush's own words. A handler
 *     sees only operations completed after it subscribed.
 *
 * The host page names the focused call (hushConfig.focusedConversationId or
 * hush.setFocusedConversation(id)); without one the agent's most recently
 * connected active call is taken. If the page already has Microsoft's SDK
 * objects the shim replaces none of them unless hushConfig.replaceNative is
 * true, and says so once in the console.
 *
 * The shim loads the agent's active calls by REST and then follows
 * /v1/events from that moment (a new stream starts after the newest event; a
 * reconnect resumes with Last-Event-ID). The stream is read with fetch so the
 * API key stays in a header. This file shares its protocol with hush.js but
 * not its code: a classic script cannot import an ES module without a
 * cross-origin module load that host pages may forbid.
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

  var stream = { running: false, connected: false, waiters: [], lastEventId: '', baseDelay: config.reconnectDelayMs > 0 ? config.reconnectDelayMs : 1000, stopped: false, ctrl: null, fatal: null };

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function settle(err) {
    var ws = stream.waiters;
    stream.waiters = [];
    ws.forEach(function (w) { if (err) w.reject(err); else w.resolve(); });
  }

  // openStream keeps the event stream running and resolves once it is
  // connected. A caller waiting while an attempt fails hears why at once;
  // the stream itself keeps retrying with backoff (except after a refusal
  // that retrying cannot fix).
  function openStream() {
    if (stream.fatal) return Promise.reject(stream.fatal);
    if (stream.connected) return Promise.resolve();
    var p = new Promise(function (resolve, reject) { stream.waiters.push({ resolve: resolve, reject: reject }); });
    if (!stream.running) {
      stream.running = true;
      run();
    }
    return p;
  }

  function run() {
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
        .catch(function (err) {
          throw fail('Cannot reach hush' + (baseUrl ? ' at ' + baseUrl : '') + ': ' + (err && err.message ? err.message : err), 'network');
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
          stream.connected = true;
          settle(null);
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
          stream.connected = false;
          if (stream.stopped) return;
          if (err && err.fatal) {
            stream.fatal = err;
            stream.running = false;
            settle(err);
            return;
          }
          if (err) {
            failures++;
            settle(err);
          }
          var exp = Math.min(15000, Math.max(stream.baseDelay, 1) * Math.pow(2, Math.min(failures, 10)));
          var delay = err ? exp / 2 + Math.random() * exp / 2 : stream.baseDelay;
          return sleep(delay).then(attempt);
        });
    }
    attempt();
  }

  // --- state: the agent's active calls --------------------------------

  var calls = {};
  var focused = config.focusedConversationId ? String(config.focusedConversationId) : '';
  var loaded = null;

  // remember keeps the newest view of a conversation; an ended call leaves.
  function remember(view) {
    if (!view || !view.id) return;
    var old = calls[view.id];
    if (old && Number(old.version) > Number(view.version)) return;
    if (view.callState === 'ended') delete calls[view.id];
    else calls[view.id] = view;
  }

  // load opens the event stream first and then reads the active calls, so
  // no change between the two is missed.
  function load() {
    if (loaded) return loaded;
    loaded = openStream()
      .then(function () { return request('GET', '/v1/conversations?active=true'); })
      .then(function (body) {
        ((body && body.conversations) || []).forEach(remember);
      });
    loaded.catch(function () { loaded = null; });
    return loaded;
  }

  function newestCall() {
    var best = null;
    Object.keys(calls).forEach(function (id) {
      var c = calls[id];
      if (!best || Date.parse(c.createdAt) > Date.parse(best.createdAt)) best = c;
    });
    return best ? best.id : undefined;
  }

  // --- events and completions -------------------------------------------

  var handlers = {};
  var handlerSeq = 0;
  var recent = {};
  var recentOrder = [];
  var waiting = {};

  function seqOf(id) {
    var n = Number(id);
    return isFinite(n) ? n : 0;
  }

  // Microsoft's state values; hush's others (stopped) are unknown there.
  function msState(state) {
    return state === 'in-progress' || state === 'not-started' || state === 'paused' ? state : 'unknown';
  }

  function toDynamics(data) {
    return {
      liveWorkItemId: data.liveWorkItemId || data.conversationId,
      transactionId: data.transactionId,
      result: data.result === 'succeeded',
      currentState: msState(data.currentState),
      desiredState: msState(data.desiredState),
      hushResult: data.result,
      hushCurrentState: data.currentState,
      hushDesiredState: data.desiredState,
      reason: data.reason || '',
      error: data.error || ''
    };
  }

  function dispatch(ev) {
    var type = ev.type;
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (type === 'conversation.created' || type === 'conversation.updated' || type === 'conversation.ended') {
      remember(data);
      return;
    }
    if (type !== 'recording.operation.completed' && type !== 'transcription.operation.completed') return;
    if (!data || !data.transactionId) return;
    var key = type + ' ' + data.transactionId;
    if (!recent[key]) recentOrder.push(key);
    recent[key] = data;
    while (recentOrder.length > 512) delete recent[recentOrder.shift()];
    var ws = waiting[key];
    if (ws) {
      delete waiting[key];
      ws.forEach(function (w) { w(data); });
    }
    var payload = toDynamics(data);
    var seq = seqOf(ev.id);
    Object.keys(handlers).forEach(function (id) {
      var h = handlers[id];
      if (!h || h.type !== type || (seq && seq <= h.after)) return;
      try {
        h.cb(payload);
      } catch (err) {
        setTimeout(function () { throw err; }, 0);
      }
    });
  }

  function waitFor(capability, tx, what) {
    var key = capability + '.operation.completed ' + tx;
    if (recent[key]) return Promise.resolve(recent[key]);
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        waiting[key] = (waiting[key] || []).filter(function (w) { return w !== done; });
        reject(fail('hush accepted the ' + what + ', but it has not been confirmed within ' + Math.round(timeoutMs / 1000) + ' s; hush keeps trying', 'timeout'));
      }, timeoutMs);
      function done(data) {
        clearTimeout(timer);
        resolve(data);
      }
      (waiting[key] = waiting[key] || []).push(done);
    });
  }

  function subscribe(type, cb) {
    if (typeof cb !== 'function') throw fail('The event handler must be a function', 'bad_request');
    requireKey();
    var id = 'hush-ccaas-' + ++handlerSeq;
    handlers[id] = { type: type, cb: cb, after: seqOf(stream.lastEventId) };
    // The stream keeps retrying by itself; a failure here is told to the
    // next command instead.
    load().catch(function () {});
    return id;
  }

  // --- commands ----------------------------------------------------------

  function liveWorkItemIdOf(payload) {
    if (typeof payload === 'string') return payload;
    return payload && (payload.liveWorkItemId || payload.LiveWorkItemId);
  }

  // Readable messages for hush's refusals, in the words a Dynamics
  // customization expects.
  function refusal(err, capability) {
    if (err.code === 'agent_pause_disabled') {
      return fail('Your administrator does not allow agents to pause and resume ' + capability + '.', err.code, err.status);
    }
    if (err.code === 'consent_declined') {
      return fail('The customer declined recording: ' + capability + ' cannot be started or resumed for this call.', err.code, err.status);
    }
    return err;
  }

  function reasonsText(reasons) {
    var words = { hold: 'the call is on hold', secure: 'a secure session is open', manual: 'someone else paused it', source: 'the media source stopped', consent: 'the customer declined recording', auto: 'a detector paused it' };
    var seen = [];
    (reasons || []).forEach(function (r) {
      var w = words[r.kind] || r.kind;
      if (seen.indexOf(w) < 0) seen.push(w);
    });
    return seen.join(', ');
  }

  // send issues one hush command and waits for its confirmation. It rejects
  // unless the capability reached the state asked for.
  function send(id, capability, operation, payload) {
    var want = operation === 'pause' ? 'paused' : 'in-progress';
    var what = operation + ' of the ' + capability;
    var body = {};
    if (payload && payload.reason) body.reason = String(payload.reason);
    return request('POST', '/v1/conversations/' + encodeURIComponent(id) + '/' + capability + '/' + operation, body)
      .catch(function (err) { throw refusal(err, capability); })
      .then(function (accepted) {
        if (!accepted || !accepted.transactionId) throw fail('hush accepted the ' + what + ' without a transactionId', 'bad_response');
        if (accepted.desiredState !== want) {
          throw fail('The ' + capability + ' stays ' + msState(accepted.desiredState) + (accepted.desiredState === 'paused' ? ': ' + reasonsText(accepted.pauseReasons) : ''), 'still_' + accepted.desiredState);
        }
        return waitFor(capability, accepted.transactionId, what);
      })
      .then(function (data) {
        if (data.result === 'failed') {
          throw fail('The ' + capability + ' system could not ' + operation + ' the ' + capability + (data.error ? ': ' + data.error : ''), 'operation_failed');
        }
        if (data.currentState !== want) {
          throw fail('The ' + capability + ' is ' + msState(data.currentState) + ', not ' + want + (data.error ? ': ' + data.error : ''), 'not_' + want);
        }
      });
  }

  function enabled(cap) {
    return cap && cap.state !== 'stopped' && cap.desiredState !== 'stopped';
  }

  function running(cap) {
    return cap && cap.desiredState === 'in-progress';
  }

  // plan checks a Dynamics method against the call as hush has it now and
  // returns the hush commands it stands for.
  function plan(c, method) {
    if (c.callState === 'ended') throw fail('The call ' + c.id + ' has ended', 'conversation_ended');
    var rec = c.recording;
    var tr = c.transcription;
    var recording = method === 'startRecording' || method === 'pauseRecording';
    var own = recording ? rec : tr;
    var name = recording ? 'Recording' : 'Transcription';
    if (!enabled(own)) throw fail(name + ' is not enabled for this call', 'not_enabled');
    if (c.consent === 'declined' && (method === 'startRecording' || method === 'startTranscription')) {
      throw fail('The customer declined recording: ' + name.toLowerCase() + ' cannot be started or resumed for this call.', 'consent_declined');
    }
    if (recording && !running(rec) && running(tr)) {
      throw fail('Transcription is running on its own; pause it with pauseTranscription before using ' + method, 'other_mode_running');
    }
    if (!recording && running(rec)) {
      throw fail('Recording is running and includes the transcription; use ' + (method === 'pauseTranscription' ? 'pauseRecording' : 'pauseRecording and startTranscription') + ' instead', 'other_mode_running');
    }
    if (method === 'pauseRecording' || method === 'pauseTranscription') {
      if (own.desiredState === 'not-started') throw fail(name + ' has not started on this call; there is nothing to pause', 'not_started');
    }
    var op = method.indexOf('pause') === 0 ? 'pause' : 'start';
    var steps = [{ capability: recording ? 'recording' : 'transcription', operation: op }];
    if (recording && enabled(tr) && !(op === 'pause' && tr.desiredState === 'not-started')) {
      steps.push({ capability: 'transcription', operation: op });
    }
    return steps;
  }

  function operate(method, payload) {
    return Promise.resolve().then(function () {
      requireKey();
      var id = liveWorkItemIdOf(payload);
      if (!id) throw fail('Cannot ' + method + ': no liveWorkItemId was given (is a call focused?)', 'bad_request');
      return load()
        .then(function () { return request('GET', '/v1/conversations/' + encodeURIComponent(id)); })
        .then(function (c) {
          remember(c);
          var steps = plan(c, method);
          // Both capabilities are asked at once; a failure is reported for
          // the first of them, so the message names what the method is for.
          return Promise.all(steps.map(function (s) {
            return send(id, s.capability, s.operation, payload).then(function () { return null; }, function (err) { return err; });
          })).then(function (errs) {
            var first = errs.filter(function (e) { return e; })[0];
            if (first) throw first;
          });
        })
        .then(function () { return undefined; });
    });
  }

  function toCall(c) {
    return {
      liveWorkItemId: c.id,
      callState: c.callState,
      recordingState: msState(c.recording && c.recording.state),
      transcriptionState: msState(c.transcription && c.transcription.state),
      recordingDesiredState: msState(c.recording && c.recording.desiredState),
      transcriptionDesiredState: msState(c.transcription && c.transcription.desiredState),
      hushRecordingState: c.recording ? c.recording.state : 'unknown',
      hushTranscriptionState: c.transcription ? c.transcription.state : 'unknown',
      agentId: c.agentId
    };
  }

  // getActiveCalls asks hush afresh, so a caller that awaited a command
  // sees its effect.
  function getActiveCalls() {
    return Promise.resolve().then(function () {
      requireKey();
      return load();
    }).then(function () {
      return request('GET', '/v1/conversations?active=true');
    }).then(function (body) {
      var list = ((body && body.conversations) || []).filter(function (c) { return c.callState !== 'ended'; });
      list.forEach(remember);
      return list.map(toCall);
    });
  }

  // --- the focused session ---------------------------------------------

  function contextFor(id) {
    var parameters = { LiveWorkItemId: id };
    return {
      parameters: parameters,
      get: function (name) { return Object.prototype.hasOwnProperty.call(parameters, name) ? parameters[name] : undefined; }
    };
  }

  function sessionFor(id) {
    var c = id ? calls[id] : null;
    return {
      sessionId: id,
      title: c ? 'Call ' + id + (c.agentId ? ' (' + c.agentId + ')' : '') : (id ? 'Call ' + id : ''),
      getContext: function () {
        return Promise.resolve().then(function () {
          requireKey();
          if (id) return id;
          return load().then(function () { return focused || newestCall(); });
        }).then(contextFor);
      }
    };
  }

  // The host page's focus wins; the newest active call is only a guess.
  function getFocusedSession() {
    return sessionFor(focused || newestCall());
  }

  function setFocusedConversation(id) {
    focused = id ? String(id) : '';
  }

  // --- installation ------------------------------------------------------

  var voice = {
    startRecording: function (payload) { return operate('startRecording', payload); },
    pauseRecording: function (payload) { return operate('pauseRecording', payload); },
    startTranscription: function (payload) { return operate('startTranscription', payload); },
    pauseTranscription: function (payload) { return operate('pauseTranscription', payload); },
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

  var ms = global.Microsoft = global.Microsoft || {};
  ms.CCaaS = ms.CCaaS || {};
  var existing = ms.CCaaS.CCaaSSdk || ms.CCaaS.StandaloneSDK || {};
  var native = !!(existing.voiceOrVideoCalling || existing.voice);
  var logger = global.console || { info: function () {} };
  if (native && !config.replaceNative) {
    logger.info("hush: this page already has Microsoft's Dynamics 365 SDK; hush replaced nothing (set hushConfig.replaceNative to true to let hush handle recording controls)");
  } else {
    if (native) logger.info("hush: replacing Microsoft's Dynamics 365 recording controls, as hushConfig.replaceNative asks");
    var sdk = { voiceOrVideoCalling: voice, voice: voice, utility: utility };
    ms.CCaaS.CCaaSSdk = Object.assign(ms.CCaaS.CCaaSSdk || {}, sdk);
    ms.CCaaS.StandaloneSDK = Object.assign(ms.CCaaS.StandaloneSDK || {}, sdk);
    ms.Apm = ms.Apm || {};
    ms.Apm.getFocusedSession = getFocusedSession;
  }

  // Lets a host page set the focus, and a page (or a test) stop the stream.
  global.hushCompat = {
    installed: !native || !!config.replaceNative,
    setFocusedConversation: setFocusedConversation,
    close: function () {
      stream.stopped = true;
      handlers = {};
      if (stream.ctrl) stream.ctrl.abort();
    }
  };
  var hush = global.hush = global.hush || {};
  if (typeof hush.setFocusedConversation !== 'function') hush.setFocusedConversation = setFocusedConversation;
})(typeof window !== 'undefined' ? window : globalThis);
