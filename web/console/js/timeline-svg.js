// Draws a timeline model as SVG bars beside HTML row labels.
import { h, s } from './dom.js';
import { buildRows, summarize } from './timeline.js';
import { formatDuration, formatTime, partsLine, reasonShort } from './words.js';

const WIDTH = 1000;
const ROW = 22;
const GAP = 6;

const KIND_LABELS = {
  connected: 'Connected',
  hold: 'On hold',
  recorded: 'Recorded',
  transcribed: 'Transcribed',
};

/** LEGEND lists the classes the timeline uses and what they mean. */
export const LEGEND = [
  ['recorded', 'Recorded'],
  ['transcribed', 'Transcribed'],
  ['hold', 'On hold'],
  ['paused-secure', 'Paused: secure payment'],
  ['paused-manual', 'Paused by hand'],
  ['paused-hold', 'Paused: caller on hold'],
  ['paused-source', 'Paused: audio source stopped'],
  ['off', 'Not running'],
];

/** renderLegend fills a list with the timeline's colours. */
export function renderLegend(ul) {
  for (const [cls, label] of LEGEND) {
    ul.appendChild(h('li', { 'data-kind': cls }, h('span', { class: `swatch tl-${cls}`, 'aria-hidden': 'true' }), label));
  }
}

function spanClass(span) {
  return span.kind === 'paused' ? `tl-paused-${span.reason || 'other'}` : `tl-${span.kind}`;
}

function spanTitle(span) {
  const what = span.kind === 'paused' ? `Paused: ${span.reasons.map(reasonShort).join(', ')}` : KIND_LABELS[span.kind] || span.kind;
  const by = span.by && span.by.length ? ` by ${[...new Set(span.by)].join(', ')}` : '';
  const parts = span.parts && span.parts.length ? ` (${partsLine(span.parts)})` : '';
  return `${what}${parts}${by}, ${formatTime(span.start)}–${formatTime(span.end)} (${formatDuration(span.end - span.start)})`;
}

/**
 * renderTimeline draws a conversation's record; returns a div with
 * data-testid="timeline". Spans are <rect data-testid="timeline-span"
 * data-row data-kind data-reason>.
 */
export function renderTimeline(rec, conversationId, { now = Date.now(), segments } = {}) {
  const model = buildRows(rec, now, { segments });
  const height = model.rows.length * ROW + (model.rows.length - 1) * GAP;
  const scale = WIDTH / (model.end - model.start);
  const label = `Timeline of call ${conversationId}: ${summarize(model, reasonShort) || 'nothing yet'}`;
  const svg = s('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': label,
    class: 'tl-svg',
    height,
  });
  model.rows.forEach((row, i) => {
    const y = i * (ROW + GAP);
    svg.appendChild(s('rect', { x: 0, y, width: WIDTH, height: ROW, class: 'tl-off', 'data-row': row.id, 'data-kind': 'off' }));
    for (const span of row.spans) {
      const x = (span.start - model.start) * scale;
      const w = Math.max(2, (span.end - span.start) * scale);
      svg.appendChild(
        s(
          'rect',
          {
            x: x.toFixed(2),
            y,
            width: w.toFixed(2),
            height: ROW,
            class: `tl-span ${spanClass(span)}`,
            'data-testid': 'timeline-span',
            'data-row': row.id,
            'data-kind': span.kind,
            'data-reason': span.reason || null,
            'data-reasons': span.reasons.join(',') || null,
            'data-parts': (span.parts || []).map((p) => `${p.name}=${p.state}`).join(',') || null,
          },
          s('title', { text: spanTitle(span) }),
        ),
      );
    }
  });
  const labels = h('div', { class: 'tl-labels', 'aria-hidden': 'true' }, model.rows.map((r) => h('span', { text: r.label })));
  const axis = h(
    'div',
    { class: 'tl-axis' },
    h('span', { text: formatTime(model.start) }),
    h('span', { text: `${model.live ? 'now' : 'ended'} ${formatTime(model.end)} · ${formatDuration(model.end - model.start)}` }),
  );
  return h(
    'div',
    { class: 'timeline', 'data-testid': 'timeline', 'data-conversation-id': conversationId, 'data-live': model.live ? 'true' : 'false' },
    labels,
    h('div', { class: 'tl-bars' }, svg, axis),
  );
}
