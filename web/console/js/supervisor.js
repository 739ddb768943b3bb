// The supervisor view: every live call with its timeline, updating from the
// event stream, and ended calls with timeline, recording and transcript.
import { byId, clear, h, show } from './dom.js';
import { renderLegend, renderTimeline } from './timeline-svg.js';
import { callStateLabel, capabilityLine, endReasonLabel, explainError, formatDuration, formatTime, reasonShort } from './words.js';
import { loadIntegrity } from './integrity.js';

const MAX_ENDED = 50;

/** createSupervisorView wires the supervisor view to the app. */
export function createSupervisorView(app) {
  const liveList = byId('supervisor-live');
  const endedList = byId('supervisor-ended');
  const detail = byId('ended-detail');
  const audio = byId('ended-audio');
  const items = new Map();
  let ticker = null;
  let visible = false;
  let openId = '';
  let openToken = 0;
  let audioUrl = '';
  let openedFrom = null;
  let segmentsFor = { id: '', segments: null };

  renderLegend(byId('timeline-legend'));
  byId('supervisor-refresh-ended').addEventListener('click', loadEnded);
  byId('ended-close').addEventListener('click', closeDetail);

  function capSummary(conv, cap) {
    const c = conv[cap] || {};
    const why = (c.pauseReasons || []).map((r) => reasonShort(r.kind));
    return `${cap === 'recording' ? 'Recording' : 'Transcription'}: ${capabilityLine(c)}${why.length ? ' (' + [...new Set(why)].join(', ') + ')' : ''}`;
  }

  function liveItem(conv) {
    let li = items.get(conv.id);
    if (!li) {
      li = h('li', { class: 'call', 'data-testid': 'live-call', 'data-conversation-id': conv.id });
      items.set(conv.id, li);
    }
    li.dataset.callState = conv.callState || '';
    li.dataset.recordingState = (conv.recording && conv.recording.desiredState) || '';
    li.dataset.transcriptionState = (conv.transcription && conv.transcription.desiredState) || '';
    clear(li);
    li.appendChild(h('h3', { text: conv.id }));
    li.appendChild(
      h('p', { class: 'muted' }, `Agent ${conv.agentId || 'unknown'} · ${callStateLabel(conv.callState)} · since ${formatTime(conv.createdAt)}`),
    );
    li.appendChild(h('p', { class: 'capline', text: `${capSummary(conv, 'recording')} · ${capSummary(conv, 'transcription')}` }));
    const rec = app.store.history.get(conv.id);
    if (rec) li.appendChild(renderTimeline(rec, conv.id));
    return li;
  }

  function renderLive() {
    const live = app.store.live();
    const keep = new Set(live.map((c) => c.id));
    for (const id of [...items.keys()]) if (!keep.has(id)) items.delete(id);
    const nodes = live.map(liveItem);
    clear(liveList);
    for (const n of nodes) liveList.appendChild(n);
    show(byId('supervisor-empty'), live.length === 0);
  }

  function renderEnded() {
    const ended = app.store.ended().slice(0, MAX_ENDED);
    clear(endedList);
    for (const conv of ended) {
      const open = h('button', { type: 'button', 'data-testid': 'ended-open', 'data-conversation-id': conv.id, text: `Open ${conv.id}` });
      open.addEventListener('click', () => openDetail(conv.id, open));
      const length = conv.endedAt ? formatDuration(Date.parse(conv.endedAt) - Date.parse(conv.createdAt)) : '';
      const why = endReasonLabel(conv.endReason);
      endedList.appendChild(
        h(
          'li',
          { class: 'call', 'data-testid': 'ended-call', 'data-conversation-id': conv.id, 'data-end-reason': conv.endReason || '' },
          open,
          h('span', { class: 'muted', text: ` agent ${conv.agentId || 'unknown'} · ended ${formatTime(conv.endedAt || conv.updatedAt)}${length ? ' · ' + length : ''}` }),
          why ? h('strong', { class: 'end-reason', 'data-testid': 'end-reason', text: ` · ${why}` }) : null,
        ),
      );
    }
    show(byId('supervisor-ended-empty'), ended.length === 0);
  }

  async function loadEnded() {
    try {
      const all = await app.client.getConversations();
      for (const c of all) if (c.callState === 'ended') app.store.upsert(c);
      renderEnded();
    } catch (err) {
      if (err.status === 401) app.signOut(explainError(err));
    }
  }

  function renderDetailTimeline() {
    const box = byId('ended-timeline');
    clear(box);
    const rec = app.store.history.get(openId);
    if (!rec) return;
    const segments = segmentsFor.id === openId ? segmentsFor.segments : null;
    box.appendChild(renderTimeline(rec, openId, { segments }));
  }

  async function openDetail(id, from) {
    const token = ++openToken;
    openId = id;
    openedFrom = from || null;
    segmentsFor = { id: '', segments: null };
    releaseAudio();
    show(detail, true);
    byId('ended-title').textContent = `Call ${id}`;
    byId('ended-audio-status').textContent = 'Loading the recording…';
    byId('ended-transcript-status').textContent = 'Loading the transcript…';
    clear(byId('ended-transcript'));
    renderDetailTimeline();
    byId('ended-title').focus();
    const client = app.client;
    const [segments, blob, transcript] = await Promise.allSettled([
      client.getRecordingSegments(id),
      client.getRecordingBlob(id),
      client.getTranscript(id),
    ]);
    if (token !== openToken) return;
    if (segments.status === 'fulfilled' && segments.value && Array.isArray(segments.value.segments)) {
      segmentsFor = { id, segments: segments.value.segments };
    }
    renderDetailTimeline();
    showAudio(blob);
    showTranscript(transcript);
    showIntegrity(client, id, token);
  }

  async function showIntegrity(client, id, my) {
    const el = byId('ended-integrity');
    el.textContent = '';
    const lines = await loadIntegrity(client, id).catch((err) => [`The recording could not be checked: ${explainError(err)}`]);
    if (my === openToken) el.textContent = lines.join(' ');
  }

  function showAudio(outcome) {
    const statusEl = byId('ended-audio-status');
    if (outcome.status === 'rejected') {
      statusEl.textContent = `The recording could not be loaded: ${explainError(outcome.reason)}`;
      return;
    }
    if (!outcome.value) {
      statusEl.textContent = 'There is no recording for this call.';
      return;
    }
    if (outcome.value.type && outcome.value.type !== 'audio/wav') {
      statusEl.textContent = 'The recording is stored encrypted and this hush has no key to open it: hush recording decrypt opens the file.';
      return;
    }
    audioUrl = URL.createObjectURL(outcome.value);
    audio.src = audioUrl;
    show(audio, true);
    statusEl.textContent = '';
  }

  function showTranscript(outcome) {
    const statusEl = byId('ended-transcript-status');
    const list = byId('ended-transcript');
    clear(list);
    if (outcome.status === 'rejected') {
      statusEl.textContent = `The transcript could not be loaded: ${explainError(outcome.reason)}`;
      return;
    }
    const segs = (outcome.value && outcome.value.segments) || [];
    if (!outcome.value) statusEl.textContent = 'There is no transcript for this call.';
    else if (!segs.length) statusEl.textContent = 'The transcript is empty.';
    else statusEl.textContent = '';
    for (const seg of segs) {
      list.appendChild(
        h('li', { 'data-testid': 'transcript-segment', 'data-start-ms': seg.startMs }, h('span', { class: 'muted', text: `${formatDuration(seg.startMs || 0)} ` }), seg.text || ''),
      );
    }
  }

  function releaseAudio() {
    audio.removeAttribute('src');
    audio.load();
    show(audio, false);
    if (audioUrl) URL.revokeObjectURL(audioUrl);
    audioUrl = '';
  }

  function closeDetail() {
    openToken++;
    openId = '';
    releaseAudio();
    show(detail, false);
    if (openedFrom && openedFrom.isConnected) openedFrom.focus();
  }

  function render() {
    if (!visible) return;
    renderLive();
    renderEnded();
    if (openId) renderDetailTimeline();
  }

  return {
    render,
    show() {
      visible = true;
      render();
      loadEnded();
      // Live timelines grow with the clock, not only with events.
      if (!ticker) ticker = setInterval(renderLive, 1000);
    },
    hide() {
      visible = false;
      if (ticker) clearInterval(ticker);
      ticker = null;
    },
    reset() {
      this.hide();
      closeDetail();
      items.clear();
      clear(liveList);
      clear(endedList);
    },
  };
}
