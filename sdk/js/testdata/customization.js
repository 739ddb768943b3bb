// A Dynamics 365 Contact Center page customization: a dialog that starts and
// pauses the recording and the transcription of the focused call and shows
// their state and the last operation events. It knows nothing about hush.
(function () {
  'use strict';

  var doc = window.top.document;

  // Running the customization again replaces the earlier dialog and handlers.
  var old = doc.getElementById('myDialog');
  if (old) old.remove();
  if (window.contoso_sdk_handlers) {
    window.contoso_sdk_handlers.forEach(function (id) {
      window.Microsoft.CCaaS.CCaaSSdk.utility.removeEventHandlerById(id);
    });
  }

  function waitForVoice(retries, delay) {
    return new Promise(function (resolve) {
      var n = 0;
      (function look() {
        var sdk = window.Microsoft && window.Microsoft.CCaaS && window.Microsoft.CCaaS.CCaaSSdk;
        var voice = sdk && sdk.voiceOrVideoCalling;
        if (voice) return resolve(voice);
        if (++n >= retries) return resolve(null);
        setTimeout(look, delay);
      })();
    });
  }

  async function getCurrentConversation() {
    var ctx = await window.Microsoft.Apm.getFocusedSession().getContext();
    return ctx && ctx.parameters ? ctx.parameters.LiveWorkItemId : undefined;
  }

  function el(tag, id, text) {
    var e = doc.createElement(tag);
    if (id) e.id = id;
    if (text) e.textContent = text;
    return e;
  }

  function field(label, id) {
    var row = el('div');
    row.appendChild(doc.createTextNode(label + ': '));
    var value = el('span', id, '…');
    row.appendChild(value);
    return { row: row, value: value };
  }

  function show(f, value) {
    f.value.textContent = value === undefined ? 'none' : String(value);
    f.value.setAttribute('data-state', value === undefined ? '' : String(value));
  }

  var dialog = el('div', 'myDialog');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-labelledby', 'cz-title');
  dialog.className = 'cz-dialog';
  dialog.appendChild(el('h2', 'cz-title', 'Recording controls'));

  var buttons = el('div');
  var state = el('div', 'cz-state');
  var lastRefresh = el('div', 'cz-refreshed');
  var lwi = field('LiveWorkItemId', 'cz-lwi');
  var callState = field('Call state', 'cz-call-state');
  var recordingState = field('Recording state', 'cz-recording-state');
  var transcriptionState = field('Transcription state', 'cz-transcription-state');
  [lastRefresh, lwi.row, callState.row, recordingState.row, transcriptionState.row].forEach(function (n) {
    state.appendChild(n);
  });
  var errors = el('div', 'cz-error');
  errors.setAttribute('role', 'alert');
  var recordingEvent = el('pre', 'cz-recording-event');
  var transcriptionEvent = el('pre', 'cz-transcription-event');
  var handlersStatus = el('div', 'cz-handlers', 'registering');

  function displayError(message) {
    errors.textContent = 'Last error from action: ' + message;
  }
  function clearError() {
    errors.textContent = '';
  }

  async function refresh(voice) {
    try {
      var id = await getCurrentConversation();
      var calls = await voice.getActiveCalls();
      var call = calls.find(function (c) { return c.liveWorkItemId === id; }) || {};
      lastRefresh.textContent = 'Data last updated: ' + new Date().toUTCString();
      show(lwi, call.liveWorkItemId);
      show(callState, call.callState);
      show(recordingState, call.recordingState);
      show(transcriptionState, call.transcriptionState);
    } catch (error) {
      displayError(error && error.message);
    }
  }

  function actionButton(id, text, action) {
    var btn = el('button', id, text);
    btn.type = 'button';
    btn.addEventListener('click', async function () {
      try {
        var conversation = await getCurrentConversation();
        await action({ liveWorkItemId: conversation });
        clearError();
      } catch (error) {
        displayError(error && error.message);
      }
    });
    buttons.appendChild(btn);
    return btn;
  }

  waitForVoice(20, 250).then(function (voice) {
    if (!voice) {
      displayError('voiceOrVideoCalling is not available');
      return;
    }
    actionButton('cz-start-recording', 'Start Recording', function (p) { return voice.startRecording(p); });
    actionButton('cz-pause-recording', 'Pause Recording', function (p) { return voice.pauseRecording(p); });
    actionButton('cz-start-transcription', 'Start Transcription', function (p) { return voice.startTranscription(p); });
    actionButton('cz-pause-transcription', 'Pause Transcription', function (p) { return voice.pauseTranscription(p); });
    var refreshBtn = el('button', 'cz-refresh', 'Refresh data');
    refreshBtn.type = 'button';
    refreshBtn.addEventListener('click', function () { refresh(voice); });
    buttons.appendChild(refreshBtn);

    var recordingHandlerId = voice.onRecordingOperationCompleted(function (args) {
      recordingEvent.textContent = JSON.stringify(args, null, 1);
      refresh(voice);
    });
    var transcriptionHandlerId = voice.onTranscriptionOperationCompleted(function (args) {
      transcriptionEvent.textContent = JSON.stringify(args, null, 1);
      refresh(voice);
    });
    window.contoso_sdk_handlers = [recordingHandlerId, transcriptionHandlerId];
    handlersStatus.textContent = 'registered';
    refresh(voice);
  });

  dialog.appendChild(buttons);
  dialog.appendChild(state);
  dialog.appendChild(errors);
  dialog.appendChild(el('h3', null, 'Last recording event'));
  dialog.appendChild(recordingEvent);
  dialog.appendChild(el('h3', null, 'Last transcription event'));
  dialog.appendChild(transcriptionEvent);
  dialog.appendChild(handlersStatus);
  doc.body.appendChild(dialog);
})();
