// Written the way Microsoft Learn documents the voice SDK for Dynamics 365
// Contact Center: async functions around voiceOrVideoCalling, the
// LiveWorkItemId read from the focused session's context, errors caught and
// shown, handler ids kept for removeEventHandlerById.
(async function () {
  'use strict';

  const voiceSdk = Microsoft.CCaaS.CCaaSSdk.voiceOrVideoCalling;
  const result = document.getElementById('result');
  const events = document.getElementById('events');

  async function getLiveWorkItemId() {
    const session = Microsoft.Apm.getFocusedSession();
    const context = await session.getContext();
    return context.get('LiveWorkItemId') || context.parameters['LiveWorkItemId'];
  }

  async function run(operation) {
    try {
      const liveWorkItemId = await getLiveWorkItemId();
      await voiceSdk[operation]({ liveWorkItemId: liveWorkItemId });
      result.textContent = 'succeeded';
      console.log(operation + ' succeeded for ' + liveWorkItemId);
    } catch (error) {
      result.textContent = error.message;
      console.error(operation + ' failed: ' + error.message);
    }
  }

  ['startRecording', 'pauseRecording', 'startTranscription', 'pauseTranscription'].forEach(function (operation) {
    document.getElementById(operation).addEventListener('click', function () {
      result.textContent = '';
      run(operation);
    });
  });

  function onCompleted(kind) {
    return function (args) {
      events.textContent += JSON.stringify({
        kind: kind,
        liveWorkItemId: args.liveWorkItemId,
        transactionId: args.transactionId,
        result: args.result,
        currentState: args.currentState,
        desiredState: args.desiredState
      }) + '\n';
    };
  }

  window.sampleHandlerIds = [
    voiceSdk.onRecordingOperationCompleted(onCompleted('recording')),
    voiceSdk.onTranscriptionOperationCompleted(onCompleted('transcription'))
  ];
  window.addEventListener('unload', function () {
    window.sampleHandlerIds.forEach(function (id) {
      Microsoft.CCaaS.CCaaSSdk.utility.removeEventHandlerById(id);
    });
  });
  document.getElementById('status').textContent = 'ready';
})();
