// The supervisor view: every live call with its timeline, updating from the
// event stream, and ended calls with timeline, recording and transcript.
import { byId, clear, h, show } from './dom.js';
import { renderLegend, renderTimeline } from './timeline-svg.js';
import { callStateLabel, capabilityLine, endReasonLabel, explainError, formatDuration, formatTime, reasonShort } from './words.js';
import { loadIntegrity } from './integrity.js';
import { transcriptLines } from './transcript.js';

// Ended calls are read a page at a time, newest first.
const ENDED_PAGE = 20;

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
  // The ended calls shown: the pages read so far, in order, and the cursor
  // of the next page ('' when the oldest was reached).
  let ended = [];
  let endedNext = '';
  let endedToken = 0;
  let search = { id: '', agent: '' };
  // Ended calls whose whole timeline was read: it no longer changes.
  const timelines = new Set();

  renderLegend(byId('timeline-legend'));
  byId('supervisor-refresh-ended').addEventListener('click', () => loadEnded());
  byId('supervisor-ended-more').addEventListener('click', () => loadEnded({ more: true }));
  byId('ended-search').addEventListener('submit', (e) => {
    e.preventDefault();
    search = { id: byId('ended-search-id').value.trim(), agent: byId('ended-search-agent').value.trim() };
    loadEnded();
  });
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

  function pauseKinds(id) {
    const rec = app.store.history.get(id);
    if (!rec) return [];
    const kinds = new Set();
    for (const name of ['recording', 'transcription']) for (const r of rec.caps[name].reasons.values()) kinds.add(r.kind);
    return [...kinds].sort();
  }

  // mergeEnded adds the calls that ended while the list was open, where
  // they belong in its newest-first order, never beyond the oldest shown.
  function mergeEnded() {
    if (search.id) return;
    const have = new Set(ended.map((c) => c.id));
    const oldest = ended.length && endedNext ? Date.parse(ended[ended.length - 1].createdAt) || 0 : -Infinity;
    const fresh = app.store
      .ended()
      .filter((c) => !have.has(c.id) && (!search.agent || c.agentId === search.agent) && (Date.parse(c.createdAt) || 0) >= oldest);
    if (!fresh.length) return;
    ended = [...fresh, ...ended].sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0) || (a.id < b.id ? 1 : -1));
  }

  function renderEnded() {
    mergeEnded();
    clear(endedList);
    for (const conv of ended) {
      const open = h('button', { type: 'button', 'data-testid': 'ended-open', 'data-conversation-id': conv.id, 'aria-label': `Open call ${conv.id}`, text: conv.id });
      open.addEventListener('click', () => openDetail(conv.id, open));
      const length = conv.endedAt ? formatDuration(Date.parse(conv.endedAt) - Date.parse(conv.createdAt)) : '';
      const kinds = pauseKinds(conv.id);
      const why = endReasonLabel(conv.endReason);
      const li = h(
        'li',
        {
          class: 'call',
          'data-testid': 'ended-call',
          'data-conversation-id': conv.id,
          'data-pause-kinds': kinds.join(' '),
          'data-end-reason': conv.endReason || '',
        },
        open,
        h('span', {
          class: 'muted',
          'data-testid': 'ended-summary',
          text: ` agent ${conv.agentId || 'unknown'} · ended ${formatTime(conv.endedAt || conv.updatedAt)}${length ? ' · lasted ' + length : ''} · ${
            kinds.length ? 'paused: ' + kinds.map(reasonShort).join(', ') : 'never paused'
          }`,
        }),
        why ? h('strong', { class: 'end-reason', 'data-testid': 'end-reason', text: ` · ${why}` }) : null,
      );
      if (conv.id === openId) li.setAttribute('aria-current', 'true');
      endedList.appendChild(li);
    }
    const filter = search.id ? ` with id ${search.id}` : search.agent ? ` of agent ${search.agent}` : '';
    byId('supervisor-ended-caption').textContent = ended.length
      ? endedNext
        ? `The ${ended.length} most recent ended calls${filter}; older ones are not shown yet.`
        : `All ${ended.length} ended call${ended.length === 1 ? '' : 's'}${filter}.`
      : '';
    show(byId('supervisor-ended-more'), endedNext !== '');
    show(byId('supervisor-ended-empty'), ended.length === 0);
    byId('supervisor-ended-empty').textContent = filter ? `No ended calls${filter}.` : 'No ended calls.';
  }

  async function loadEnded({ more = false } = {}) {
    const token = ++endedToken;
    const client = app.client;
    try {
      let page;
      if (search.id) {
        const c = await client.getConversation(search.id).catch((err) => {
          if (err.status === 404) return null;
          throw err;
        });
        page = { conversations: c && c.callState === 'ended' ? [c] : [], next: '' };
      } else {
        page = await client.listConversations({ state: 'ended', agent: search.agent, limit: ENDED_PAGE, cursor: more ? endedNext : '' });
      }
      if (token !== endedToken) return;
      for (const c of page.conversations) app.store.upsert(c);
      ended = more ? [...ended, ...page.conversations] : page.conversations;
      endedNext = page.next;
      renderEnded();
      // Which kinds of pause each call had comes from its timeline.
      for (const c of page.conversations) {
        if (timelines.has(c.id)) continue;
        timelines.add(c.id);
        client
          .getTimeline(c.id)
          .then((tl) => {
            if (token === endedToken) app.store.loadTimeline(tl);
          })
          .catch(() => {});
      }
    } catch (err) {
      if (err.status === 401) app.signOut(explainError(err));
      else byId('supervisor-ended-caption').textContent = `The ended calls could not be loaded: ${explainError(err)}`;
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
    const [segments, , blob, transcript] = await Promise.allSettled([
      client.getRecordingSegments(id),
      client.getTimeline(id).then((tl) => {
        if (token === openToken) app.store.loadTimeline(tl);
      }),
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
    if (!outcome.value) {
      statusEl.textContent = 'There is no transcript for this call.';
      return;
    }
    const { lines, heardWithoutWords } = transcriptLines(outcome.value);
    if (!lines.length) {
      statusEl.textContent = heardWithoutWords
        ? `The transcription engine heard ${heardWithoutWords} utterance${heardWithoutWords === 1 ? '' : 's'} but no words.`
        : 'The transcript is empty.';
    } else {
      statusEl.textContent = heardWithoutWords ? `${heardWithoutWords} utterance${heardWithoutWords === 1 ? '' : 's'} without words not shown.` : '';
    }
    for (const line of lines) {
      list.appendChild(
        h(
          'li',
          { 'data-testid': 'transcript-segment', 'data-start-ms': line.startMs, 'data-speaker': line.who.toLowerCase() },
          h('span', { class: 'muted', text: `${formatDuration(line.startMs)} ` }),
          h('strong', { text: `${line.who}: ` }),
          line.text,
        ),
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
      ended = [];
      endedNext = '';
      timelines.clear();
      endedToken++;
      search = { id: '', agent: '' };
      byId('ended-search').reset();
    },
  };
}
